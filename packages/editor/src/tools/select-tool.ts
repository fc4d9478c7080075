import {
  type Bounds,
  nearestEdge,
  nearestVertex,
  projectOntoEdge,
  type ScreenPoint,
} from "@labelbench/geometry";
import {
  clampDelta,
  clampPoint,
  DRAG_THRESHOLD_PX,
  HANDLE_TOLERANCE_PX,
  resizeRect,
  shapeBounds,
  translateGeometry,
  unionOfBounds,
} from "../shape-geometry.js";
import type { BoxHandle, Shape, ShapeId } from "../types.js";
import {
  result,
  type Tool,
  type ToolContext,
  type ToolEffect,
  type ToolEvent,
  type ToolResult,
} from "./tool.js";

type Pt = { x: number; y: number };

export type SelectState =
  | { name: "idle" }
  /** Pressed, not yet dragged: a click selects, a drag translates (on a shape) or draws a marquee. */
  | { name: "pointing"; origin: Pt; originScreen: ScreenPoint; target: ShapeId | null; shift: boolean }
  | { name: "translating"; origin: Pt; originals: Shape[]; bounds: Bounds; moved: boolean }
  | { name: "resizing"; original: Shape; rect: Rect; handle: BoxHandle; moved: boolean }
  | { name: "vertexDragging"; original: Shape; points: [number, number][]; index: number; moved: boolean }
  | { name: "marquee"; origin: Pt; additive: boolean };

type Rect = { x: number; y: number; width: number; height: number };
type PointerEvent = Extract<ToolEvent, { point: unknown }>;

const idle = (...effects: ToolEffect[]): ToolResult<SelectState> => result({ name: "idle" }, ...effects);
const cancel = () => idle({ type: "preview", preview: null });

const pastThreshold = (a: ScreenPoint, b: ScreenPoint) =>
  (a.x - b.x) ** 2 + (a.y - b.y) ** 2 > DRAG_THRESHOLD_PX * DRAG_THRESHOLD_PX;

const toggled = (sel: ReadonlySet<ShapeId>, id: ShapeId): ShapeId[] =>
  sel.has(id) ? [...sel].filter((s) => s !== id) : [...sel, id];

const onIdlePointerDown = (e: PointerEvent, ctx: ToolContext): ToolResult<SelectState> | null => {
  if (e.button !== 0) return null;
  const handle = ctx.handleAt(e.point);
  if (handle) {
    const shape = ctx.shape(handle.shapeId);
    if (shape?.geometry.type === "polygon" && handle.kind === "vertex") {
      const points = shape.geometry.points.map(([x, y]): [number, number] => [x, y]);
      if (e.alt) {
        if (points.length <= 3) return idle({ type: "message", text: "A polygon keeps at least 3 vertices" });
        const rest = points.filter((_, i) => i !== handle.index);
        const checked = ctx.validate({ type: "polygon", points: rest });
        if (!checked.ok) return idle({ type: "message", text: checked.message });
        return idle({ type: "commit", change: { update: [{ ...shape, geometry: checked.geometry }] } });
      }
      return result({ name: "vertexDragging", original: shape, points, index: handle.index, moved: false });
    }
    if (shape?.geometry.type === "box" && handle.kind === "box") {
      const { x, y, width, height } = shape.geometry;
      return result({
        name: "resizing",
        original: shape,
        rect: { x, y, width, height },
        handle: handle.handle,
        moved: false,
      });
    }
  }
  const hit = ctx.hitTest(e.point);
  const sel = ctx.state.selection;
  const pointing: SelectState = {
    name: "pointing",
    origin: { x: e.point.x, y: e.point.y },
    originScreen: e.screen,
    target: hit,
    shift: e.shift,
  };
  if (hit === null) return result(pointing);
  if (e.shift) return result(pointing, { type: "select", ids: toggled(sel, hit) });
  // Pressing an unselected shape selects it at once so that dragging it moves it.
  if (!sel.has(hit)) return result(pointing, { type: "select", ids: [hit] });
  return result(pointing);
};

const onIdleDoubleClick = (e: PointerEvent, ctx: ToolContext): ToolResult<SelectState> | null => {
  const tol = HANDLE_TOLERANCE_PX * ctx.pxToImage;
  for (const shape of ctx.editableSelection()) {
    if (shape.geometry.type !== "polygon") continue;
    const pts = shape.geometry.points;
    if (nearestVertex(e.point.x, e.point.y, pts, tol) >= 0) continue;
    const edge = nearestEdge(e.point.x, e.point.y, pts);
    if (edge.index < 0 || edge.distance > tol) continue;
    const [x, y] = projectOntoEdge(e.point.x, e.point.y, pts, edge.index);
    const points = pts.map(([px, py]): [number, number] => [px, py]);
    points.splice(edge.index + 1, 0, [x, y]);
    return idle({
      type: "commit",
      change: { update: [{ ...shape, geometry: { type: "polygon", points } }] },
    });
  }
  return null;
};

const startTranslating = (s: Extract<SelectState, { name: "pointing" }>, ctx: ToolContext) => {
  const originals = ctx.editableSelection();
  const bounds = unionOfBounds(originals.map(shapeBounds));
  if (!bounds || s.target === null || !ctx.state.selection.has(s.target)) return idle();
  return result<SelectState>({ name: "translating", origin: s.origin, originals, bounds, moved: false });
};

const marqueeBounds = (a: Pt, b: Pt): Bounds => ({
  minX: Math.min(a.x, b.x),
  minY: Math.min(a.y, b.y),
  maxX: Math.max(a.x, b.x),
  maxY: Math.max(a.y, b.y),
});

const translated = (s: Extract<SelectState, { name: "translating" }>, e: PointerEvent, ctx: ToolContext) => {
  const { dx, dy } = clampDelta(s.bounds, e.point.x - s.origin.x, e.point.y - s.origin.y, ctx.imageSize);
  return {
    dx,
    dy,
    shapes: s.originals.map((sh) => ({ ...sh, geometry: translateGeometry(sh.geometry, dx, dy) })),
  };
};

/**
 * Select/edit: click (smallest shape wins), shift-click toggles, marquee, drag to move, 8 box handles,
 * polygon vertex drag, double-click an edge to insert a vertex, Alt-click a vertex to delete it.
 * Drag previews live in state and are committed once, on pointer-up: one gesture, one undo entry.
 */
/**
 * One step of reshaping a single shape (a box handle or a polygon vertex): a move previews it, the
 * release validates and commits it, and a release without a move changes nothing.
 */
const reshaped = <S extends SelectState & { moved: boolean }>(
  state: S,
  step: "pointerMove" | "pointerUp",
  shape: Shape,
  ctx: ToolContext,
): ToolResult<SelectState> => {
  if (step === "pointerMove")
    return result(
      { ...state, moved: true },
      { type: "preview", preview: { kind: "transform", shapes: [shape] } },
    );
  if (!state.moved) return cancel();
  const checked = ctx.validate(shape.geometry);
  if (!checked.ok)
    return idle({ type: "preview", preview: null }, { type: "message", text: checked.message });
  return idle(
    { type: "preview", preview: null },
    { type: "commit", change: { update: [{ ...shape, geometry: checked.geometry }] } },
  );
};

export const selectTool: Tool<SelectState> = {
  id: "select",
  initial: { name: "idle" },
  onEvent(state, event, ctx) {
    if (event.type === "cancel") return state.name === "idle" ? idle() : cancel();
    if (event.type === "keyDown") return event.key === "Escape" && state.name !== "idle" ? cancel() : null;
    if (event.type === "pointerLeave")
      return state.name === "idle" ? idle({ type: "hover", id: null }) : null;

    switch (state.name) {
      case "idle":
        if (event.type === "pointerDown") return onIdlePointerDown(event, ctx);
        if (event.type === "doubleClick") return onIdleDoubleClick(event, ctx);
        if (event.type === "pointerMove") return idle({ type: "hover", id: ctx.hitTest(event.point) });
        return null;

      case "pointing":
        if (event.type === "pointerMove") {
          if (!pastThreshold(state.originScreen, event.screen)) return result(state);
          if (state.target !== null) {
            const started = startTranslating(state, ctx);
            const next = started.state;
            if (next.name !== "translating") return started;
            return selectTool.onEvent(next, event, ctx);
          }
          return selectTool.onEvent(
            { name: "marquee", origin: state.origin, additive: state.shift },
            event,
            ctx,
          );
        }
        if (event.type === "pointerUp") {
          if (state.target === null) return state.shift ? idle() : idle({ type: "select", ids: [] });
          // A plain click on a member of a multi-selection narrows the selection to it.
          if (!state.shift && ctx.state.selection.size > 1)
            return idle({ type: "select", ids: [state.target] });
          return idle();
        }
        return result(state);

      case "translating":
        if (event.type === "pointerMove") {
          const t = translated(state, event, ctx);
          return result(
            { ...state, moved: t.dx !== 0 || t.dy !== 0 || state.moved },
            { type: "preview", preview: { kind: "transform", shapes: t.shapes } },
          );
        }
        if (event.type === "pointerUp") {
          const t = translated(state, event, ctx);
          if (t.dx === 0 && t.dy === 0) return cancel();
          return idle({ type: "preview", preview: null }, { type: "commit", change: { update: t.shapes } });
        }
        return result(state);

      case "resizing":
        if (event.type === "pointerMove" || event.type === "pointerUp") {
          const [px, py] = clampPoint(event.point.x, event.point.y, ctx.imageSize);
          const rect = resizeRect(state.rect, state.handle, px, py);
          return reshaped(state, event.type, { ...state.original, geometry: { type: "box", ...rect } }, ctx);
        }
        return result(state);

      case "vertexDragging":
        if (event.type === "pointerMove" || event.type === "pointerUp") {
          const points = state.points.slice();
          points[state.index] = clampPoint(event.point.x, event.point.y, ctx.imageSize);
          return reshaped(
            state,
            event.type,
            { ...state.original, geometry: { type: "polygon", points } },
            ctx,
          );
        }
        return result(state);

      case "marquee":
        if (event.type === "pointerMove") {
          return result(state, {
            type: "preview",
            preview: { kind: "marquee", bounds: marqueeBounds(state.origin, event.point) },
          });
        }
        if (event.type === "pointerUp") {
          const inside = ctx.shapesInside(marqueeBounds(state.origin, event.point));
          const ids = state.additive ? [...new Set([...ctx.state.selection, ...inside])] : inside;
          return idle({ type: "preview", preview: null }, { type: "select", ids });
        }
        return result(state);
    }
  },
};
