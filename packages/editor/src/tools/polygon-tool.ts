import { dedupeConsecutive, hasThreeDistinctPoints } from "@labelbench/geometry";
import { clampPoint, HANDLE_TOLERANCE_PX } from "../shape-geometry.js";
import { result, type Tool, type ToolContext, type ToolResult } from "./tool.js";

type Pt = [number, number];

export type PolygonState =
  | { name: "idle" }
  | { name: "drawing"; labelId: number; points: Pt[]; cursor: Pt | null };

type Drawing = Extract<PolygonState, { name: "drawing" }>;

/** Two clicks closer than this (screen px) are one vertex: the second press of a double-click. */
const SAME_VERTEX_PX = 2;

const preview = (s: Drawing) =>
  ({ type: "preview", preview: { kind: "polygon", points: s.points, cursor: s.cursor } }) as const;

const near = (a: Pt, b: Pt, tol: number) => (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 <= tol * tol;

const close = (s: Drawing, ctx: ToolContext): ToolResult<PolygonState> => {
  if (!hasThreeDistinctPoints(s.points)) {
    return result(s, { type: "message", text: "A polygon needs at least 3 points" });
  }
  // Clicks outside the image clamp onto the same border point; drop the repeats before saving.
  const points = dedupeConsecutive(s.points).map(([x, y]): Pt => [x, y]);
  const checked = ctx.validate({ type: "polygon", points });
  if (!checked.ok) return result(s, { type: "message", text: checked.message });
  const id = ctx.newId();
  return result(
    { name: "idle" },
    { type: "preview", preview: null },
    {
      type: "commit",
      change: { add: [{ id, labelId: s.labelId, geometry: checked.geometry }] },
      select: [id],
    },
  );
};

const cancelled = (): ToolResult<PolygonState> =>
  result({ name: "idle" }, { type: "preview", preview: null });

/** Click to add vertices; close by clicking the first vertex, Enter or double-click; Backspace undoes a vertex. */
export const polygonTool: Tool<PolygonState> = {
  id: "polygon",
  initial: { name: "idle" },
  onEvent(state, event, ctx) {
    if (state.name === "idle") {
      if (event.type !== "pointerDown" || event.button !== 0) return null;
      const label = ctx.drawingLabel("polygon");
      if (!label.ok) return result(state, { type: "message", text: label.message });
      const p = clampPoint(event.point.x, event.point.y, ctx.imageSize);
      const next: Drawing = { name: "drawing", labelId: label.labelId, points: [p], cursor: p };
      return result(next, preview(next));
    }
    switch (event.type) {
      case "pointerDown": {
        if (event.button !== 0) return result(state);
        const p = clampPoint(event.point.x, event.point.y, ctx.imageSize);
        const first = state.points[0];
        const last = state.points[state.points.length - 1];
        if (first && state.points.length >= 3 && near(p, first, HANDLE_TOLERANCE_PX * ctx.pxToImage)) {
          return close(state, ctx);
        }
        if (last && near(p, last, SAME_VERTEX_PX * ctx.pxToImage)) return result(state);
        const next: Drawing = { ...state, points: [...state.points, p], cursor: p };
        return result(next, preview(next));
      }
      case "pointerMove": {
        const next: Drawing = { ...state, cursor: clampPoint(event.point.x, event.point.y, ctx.imageSize) };
        return result(next, preview(next));
      }
      case "pointerUp":
        return result(state);
      case "doubleClick":
        return close(state, ctx);
      case "keyDown":
        if (event.key === "Enter") return close(state, ctx);
        if (event.key === "Escape") return cancelled();
        if (event.key === "Backspace" || event.key === "Delete") {
          if (state.points.length <= 1) return cancelled();
          const next: Drawing = { ...state, points: state.points.slice(0, -1) };
          return result(next, preview(next));
        }
        return null;
      case "pointerLeave": {
        const next: Drawing = { ...state, cursor: null };
        return result(next, preview(next));
      }
      case "cancel":
        return cancelled();
    }
  },
};
