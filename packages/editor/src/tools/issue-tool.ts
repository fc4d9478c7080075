import { clampRect, rectFromCorners } from "@labelbench/geometry";
import type { IssueAnchor } from "@labelbench/schema";
import type { ShapeId } from "../types.js";
import { BOX_CLICK_PX } from "./box-tool.js";
import { result, type Tool, type ToolContext, type ToolEffect } from "./tool.js";

type Pt = { x: number; y: number };

export type IssueState =
  | { name: "idle" }
  /** Pressed, not yet dragged: a release here pins the shape under the press, or the point. */
  | { name: "pointing"; start: Pt; startScreen: Pt; shapeId: ShapeId | null }
  /** Dragged past the click distance: a release pins the region. */
  | { name: "dragging"; start: Pt };

const insideImage = (ctx: ToolContext, p: Pt) =>
  p.x >= 0 && p.y >= 0 && p.x <= ctx.imageSize.width && p.y <= ctx.imageSize.height;

const regionOf = (ctx: ToolContext, a: Pt, b: Pt) =>
  clampRect(rectFromCorners(a.x, a.y, b.x, b.y), ctx.imageSize);

const draft = (anchor: IssueAnchor): ToolEffect => ({ type: "issueDraft", anchor });
const clearPreview: ToolEffect = { type: "preview", preview: null };

/**
 * The reviewer's issue tool: it draws nothing; a press becomes an issue draft (EditorState.issueDraft)
 * that the page turns into the issue form. A click on a shape pins the shape (the issue follows it
 * through edits), a click elsewhere pins the point, a drag pins the region (clamped to the image).
 * Shapes count whether locked or not: review mode is read-only, and a locked shape can still be wrong.
 */
export const issueTool: Tool<IssueState> = {
  id: "issue",
  initial: { name: "idle" },
  onEvent(state, event, ctx) {
    if (state.name === "idle") {
      if (event.type === "pointerMove") return result(state, { type: "hover", id: ctx.shapeAt(event.point) });
      if (event.type === "pointerLeave") return result(state, { type: "hover", id: null });
      if (event.type !== "pointerDown" || event.button !== 0) return null;
      const start = { x: event.point.x, y: event.point.y };
      const startScreen = { x: event.screen.x, y: event.screen.y };
      return result({ name: "pointing", start, startScreen, shapeId: ctx.shapeAt(event.point) });
    }
    switch (event.type) {
      case "pointerMove": {
        if (state.name === "pointing") {
          const travel = Math.max(
            Math.abs(event.screen.x - state.startScreen.x),
            Math.abs(event.screen.y - state.startScreen.y),
          );
          if (travel < BOX_CLICK_PX) return result(state);
        }
        return result(
          { name: "dragging", start: state.start },
          { type: "hover", id: null },
          {
            type: "preview",
            preview: { kind: "issueRegion", geometry: regionOf(ctx, state.start, event.point) },
          },
        );
      }
      case "pointerUp": {
        const idle = { name: "idle" } as const;
        if (state.name === "pointing") {
          if (state.shapeId !== null)
            return result(idle, draft({ kind: "shape", annotationId: state.shapeId }));
          if (!insideImage(ctx, state.start))
            return result(idle, { type: "message", text: "Pin an issue inside the image" });
          return result(idle, draft({ kind: "point", x: state.start.x, y: state.start.y }));
        }
        const r = regionOf(ctx, state.start, event.point);
        if (r.width < 1 || r.height < 1)
          return result(idle, clearPreview, {
            type: "message",
            text: "An issue region must cover part of the image",
          });
        return result(idle, clearPreview, draft({ kind: "region", ...r }));
      }
      case "keyDown":
        if (event.key !== "Escape") return null;
        return result({ name: "idle" }, clearPreview);
      case "cancel":
        return result({ name: "idle" }, clearPreview);
      case "pointerDown":
      case "doubleClick":
        // A second button pressed mid-gesture: ignore it rather than start another pin.
        return result(state);
      default:
        return null;
    }
  },
};
