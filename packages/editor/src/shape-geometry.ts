import {
  type Bounds,
  checkBox,
  checkPolygon,
  clamp,
  dedupeConsecutive,
  distanceToSegmentSq,
  pointInPolygon,
  pointInRect,
  polygonArea,
  polygonBounds,
  type Rect,
  rectFromCorners,
  rectToBounds,
  type Size,
  type Vertex,
} from "@labelbench/geometry";
import { type Geometry, MAX_POLYGON_VERTICES, tooManyVerticesReason } from "@labelbench/schema";
import type { BoxHandle, Shape } from "./types.js";

/** Hit and handle tolerance in screen pixels; divide by viewport.scale for image pixels. */
export const HIT_TOLERANCE_PX = 4;
export const HANDLE_TOLERANCE_PX = 8;
/** Pointer travel (screen px) before a press becomes a drag. */
export const DRAG_THRESHOLD_PX = 3;
/** Smallest box the box tool draws, in screen pixels (and never below 1 image pixel). */
export const MIN_BOX_SCREEN_PX = 2;
export const MIN_BOX_IMAGE_PX = 1;

export const geometryBounds = (g: Geometry): Bounds =>
  g.type === "box" ? rectToBounds(g) : polygonBounds(g.points);

export const geometryArea = (g: Geometry): number =>
  g.type === "box" ? g.width * g.height : polygonArea(g.points);

/** True when the point lies on the shape or within `tol` image pixels of its outline. */
export const geometryContains = (g: Geometry, x: number, y: number, tol: number): boolean => {
  if (g.type === "box") return pointInRect(x, y, g, tol);
  if (pointInPolygon(x, y, g.points)) return true;
  const tolSq = tol * tol;
  const n = g.points.length;
  for (let i = 0; i < n; i++) {
    if (distanceToSegmentSq(x, y, g.points[i] as Vertex, g.points[(i + 1) % n] as Vertex) <= tolSq)
      return true;
  }
  return false;
};

export const translateGeometry = (g: Geometry, dx: number, dy: number): Geometry =>
  g.type === "box"
    ? { ...g, x: g.x + dx, y: g.y + dy }
    : { type: "polygon", points: g.points.map(([x, y]) => [x + dx, y + dy] as [number, number]) };

/**
 * Clamps a move so that every shape's bounds stay inside the image (a group moves together and
 * stops at the border instead of deforming).
 */
export const clampDelta = (
  bounds: Bounds,
  dx: number,
  dy: number,
  size: Size,
): { dx: number; dy: number } => ({
  dx: clamp(dx, -bounds.minX, size.width - bounds.maxX),
  dy: clamp(dy, -bounds.minY, size.height - bounds.maxY),
});

export const unionOfBounds = (all: Iterable<Bounds>): Bounds | null => {
  let out: Bounds | null = null;
  for (const b of all) {
    out = out
      ? {
          minX: Math.min(out.minX, b.minX),
          minY: Math.min(out.minY, b.minY),
          maxX: Math.max(out.maxX, b.maxX),
          maxY: Math.max(out.maxY, b.maxY),
        }
      : b;
  }
  return out;
};

export type GeometryValidation = { ok: true; geometry: Geometry } | { ok: false; message: string };

/**
 * Clamps geometry to the image and refuses degenerate shapes with a message for the user. Coordinates
 * come from pointer input that may lie anywhere, so the clamp tolerance is unbounded: the editor clamps,
 * and only what is left inside the image is judged.
 */
export const validateGeometry = (
  g: Geometry,
  size: Size,
  minBoxSide = MIN_BOX_IMAGE_PX,
): GeometryValidation => {
  if (g.type === "box") {
    const r = normalizeRect(g);
    const res = checkBox(r, size, Number.POSITIVE_INFINITY);
    if (!res.ok) return { ok: false, message: `Box refused: ${res.reason}` };
    if (res.value.width < minBoxSide || res.value.height < minBoxSide) {
      return { ok: false, message: `Box refused: it must be at least ${formatPx(minBoxSide)} wide and high` };
    }
    return { ok: true, geometry: { type: "box", ...res.value } };
  }
  // A vertex dropped onto its neighbour (or two clicks clamped onto one border point) is one vertex.
  const points = dedupeConsecutive(g.points);
  // The server's limit, checked first: it costs nothing, the geometry check grows with the count.
  if (points.length > MAX_POLYGON_VERTICES)
    return { ok: false, message: `Polygon refused: ${tooManyVerticesReason(points.length)}` };
  const res = checkPolygon(points, size, Number.POSITIVE_INFINITY);
  if (!res.ok) return { ok: false, message: `Polygon refused: ${res.reason}` };
  return {
    ok: true,
    geometry: { type: "polygon", points: res.value.map(([x, y]) => [x, y] as [number, number]) },
  };
};

const formatPx = (v: number) => `${Math.round(v * 100) / 100} px`;

/**
 * A rect with negative width/height (dragged up-left) turned into the same area with positive sides.
 * A rect already positive is returned as it is: (x + width) - x can change the width's last bit.
 */
export const normalizeRect = (r: Rect): Rect =>
  r.width >= 0 && r.height >= 0 ? r : rectFromCorners(r.x, r.y, r.x + r.width, r.y + r.height);

export const BOX_HANDLES: readonly BoxHandle[] = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

/** Where each handle sits on a box, in image pixels (the UI draws them; the select tool hit-tests them). */
export const boxHandlePosition = (r: Rect, h: BoxHandle): [number, number] => {
  const cx = r.x + r.width / 2;
  const cy = r.y + r.height / 2;
  const x2 = r.x + r.width;
  const y2 = r.y + r.height;
  switch (h) {
    case "nw":
      return [r.x, r.y];
    case "n":
      return [cx, r.y];
    case "ne":
      return [x2, r.y];
    case "e":
      return [x2, cy];
    case "se":
      return [x2, y2];
    case "s":
      return [cx, y2];
    case "sw":
      return [r.x, y2];
    case "w":
      return [r.x, cy];
  }
};

/** Resizes by moving the dragged handle's edges to the pointer; dragging across the opposite edge flips. */
export const resizeRect = (r: Rect, h: BoxHandle, px: number, py: number): Rect => {
  let x1 = r.x;
  let y1 = r.y;
  let x2 = r.x + r.width;
  let y2 = r.y + r.height;
  if (h.includes("w")) x1 = px;
  if (h.includes("e")) x2 = px;
  if (h.includes("n")) y1 = py;
  if (h.includes("s")) y2 = py;
  return rectFromCorners(x1, y1, x2, y2);
};

export const clampPoint = (x: number, y: number, size: Size): [number, number] => [
  clamp(x, 0, size.width),
  clamp(y, 0, size.height),
];

export const shapeBounds = (s: Shape): Bounds => geometryBounds(s.geometry);
