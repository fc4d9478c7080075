import { clampRect, rectFromCorners } from "@labelbench/geometry";
import { MIN_BOX_IMAGE_PX, MIN_BOX_SCREEN_PX } from "../shape-geometry.js";
import { result, type Tool, type ToolContext } from "./tool.js";

export type BoxState =
  | { name: "idle" }
  | {
      name: "drawing";
      labelId: number;
      start: { x: number; y: number };
      startScreen: { x: number; y: number };
    };

/**
 * A press that travels less than this (screen px) both across and down is a click, not a box: a
 * hand that meant to click moves a few pixels, and zoomed in those made a one-pixel box.
 */
export const BOX_CLICK_PX = 4;

const previewRect = (ctx: ToolContext, a: { x: number; y: number }, b: { x: number; y: number }) =>
  clampRect(rectFromCorners(a.x, a.y, b.x, b.y), ctx.imageSize);

/**
 * Drag to draw a box; a drag may start or end outside the image and is clamped to it. A drag
 * shorter than BOX_CLICK_PX is a click and draws nothing.
 */
export const boxTool: Tool<BoxState> = {
  id: "box",
  initial: { name: "idle" },
  onEvent(state, event, ctx) {
    if (state.name === "idle") {
      if (event.type !== "pointerDown" || event.button !== 0) return null;
      const label = ctx.drawingLabel("box");
      if (!label.ok) return result(state, { type: "message", text: label.message });
      const start = { x: event.point.x, y: event.point.y };
      const startScreen = { x: event.screen.x, y: event.screen.y };
      return result(
        { name: "drawing", labelId: label.labelId, start, startScreen },
        { type: "preview", preview: { kind: "box", geometry: previewRect(ctx, start, start) } },
      );
    }
    switch (event.type) {
      case "pointerMove":
        return result(state, {
          type: "preview",
          preview: { kind: "box", geometry: previewRect(ctx, state.start, event.point) },
        });
      case "pointerUp": {
        const travel = Math.max(
          Math.abs(event.screen.x - state.startScreen.x),
          Math.abs(event.screen.y - state.startScreen.y),
        );
        if (travel < BOX_CLICK_PX) return result({ name: "idle" }, { type: "preview", preview: null });
        const minSide = Math.max(MIN_BOX_IMAGE_PX, MIN_BOX_SCREEN_PX * ctx.pxToImage);
        const r = previewRect(ctx, state.start, event.point);
        const checked = ctx.validate({ type: "box", ...r }, minSide);
        if (!checked.ok) {
          return result(
            { name: "idle" },
            { type: "preview", preview: null },
            { type: "message", text: checked.message },
          );
        }
        const id = ctx.newId();
        return result(
          { name: "idle" },
          { type: "preview", preview: null },
          {
            type: "commit",
            change: { add: [{ id, labelId: state.labelId, geometry: checked.geometry }] },
            select: [id],
          },
        );
      }
      case "keyDown":
        if (event.key !== "Escape") return null;
        return result({ name: "idle" }, { type: "preview", preview: null });
      case "cancel":
        return result({ name: "idle" }, { type: "preview", preview: null });
      case "pointerDown":
      case "doubleClick":
        // A second button pressed mid-drag: ignore rather than start another box.
        return result(state);
      default:
        return null;
    }
  },
};
