import { hasThreeDistinctPoints, polygonArea, polygonBounds } from "./polygon.js";
import { clamp } from "./rect.js";
import { findSelfCrossing, type SelfCrossing } from "./self-crossing.js";
import type { Rect, Size, Vertex } from "./types.js";

/**
 * Geometry validation shared by the server (reject bad input) and the editor (refuse to commit a
 * degenerate shape). Returns the clamped geometry or a reason; never throws for bad data.
 */
export type GeometryCheck<T> = { ok: true; value: T } | { ok: false; reason: string };

/** How far outside the image a coordinate may be and still be clamped rather than refused. */
export const DEFAULT_CLAMP_TOLERANCE = 1;

const finite = (...vs: number[]) => vs.every(Number.isFinite);

const outside = (v: number, max: number, tol: number) => v < -tol || v > max + tol;

export const checkBox = (r: Rect, size: Size, tolerance = DEFAULT_CLAMP_TOLERANCE): GeometryCheck<Rect> => {
  if (!finite(r.x, r.y, r.width, r.height))
    return { ok: false, reason: "coordinates must be finite numbers" };
  if (r.width <= 0 || r.height <= 0) return { ok: false, reason: "box width and height must be positive" };
  const maxX = r.x + r.width;
  const maxY = r.y + r.height;
  if (
    outside(r.x, size.width, tolerance) ||
    outside(maxX, size.width, tolerance) ||
    outside(r.y, size.height, tolerance) ||
    outside(maxY, size.height, tolerance)
  ) {
    return {
      ok: false,
      reason: `box [${r.x}, ${r.y}, ${maxX}, ${maxY}] lies outside the image ${size.width}x${size.height}`,
    };
  }
  const [x, width] = clampSpan(r.x, r.width, size.width);
  const [y, height] = clampSpan(r.y, r.height, size.height);
  if (width <= 0 || height <= 0) return { ok: false, reason: "box has no area inside the image" };
  return { ok: true, value: { x, y, width, height } };
};

/**
 * One side of a box clamped into [0, max]. A side inside keeps the numbers sent: recomputing the
 * width as (x + width) - x changed its last bit (0.2 was stored as 0.20000000000000004).
 */
const clampSpan = (start: number, length: number, max: number): [number, number] => {
  const end = start + length;
  if (start >= 0 && end <= max) return [start, length];
  const s = clamp(start, 0, max);
  return [s, clamp(end, 0, max) - s];
};

export const checkPolygon = (
  points: readonly Vertex[],
  size: Size,
  tolerance = DEFAULT_CLAMP_TOLERANCE,
): GeometryCheck<Vertex[]> => {
  if (!points.every(([x, y]) => finite(x, y)))
    return { ok: false, reason: "coordinates must be finite numbers" };
  if (!hasThreeDistinctPoints(points))
    return { ok: false, reason: "polygon needs at least 3 distinct points" };
  const b = polygonBounds(points);
  if (
    outside(b.minX, size.width, tolerance) ||
    outside(b.maxX, size.width, tolerance) ||
    outside(b.minY, size.height, tolerance) ||
    outside(b.maxY, size.height, tolerance)
  ) {
    return { ok: false, reason: `polygon lies outside the image ${size.width}x${size.height}` };
  }
  const value = points.map(([x, y]) => [clamp(x, 0, size.width), clamp(y, 0, size.height)] as const);
  // On the clamped outline, which is what is stored; before the area, which a crossing makes
  // meaningless (a symmetric bow tie's is zero).
  const crossing = findSelfCrossing(value);
  if (crossing) return { ok: false, reason: selfCrossingReason(crossing, value.length) };
  if (polygonArea(value) <= 0) return { ok: false, reason: "polygon has zero area" };
  return { ok: true, value };
};

const round2 = (v: number) => Math.round(v * 100) / 100;

/** "polygon outline crosses itself: edge 0 (points 0-1) crosses edge 2 (points 2-3) at (5, 5)". */
export const selfCrossingReason = (c: SelfCrossing, pointCount: number): string => {
  const edge = (i: number) => `edge ${i} (points ${i}-${(i + 1) % pointCount})`;
  const [x, y] = c.point;
  return `polygon outline crosses itself: ${edge(c.edges[0])} crosses ${edge(c.edges[1])} at (${round2(x)}, ${round2(y)})`;
};
