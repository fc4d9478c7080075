import { type Bounds, boundsContain, polygonArea, polygonBounds, type Vertex } from "@labelbench/geometry";
import type { Geometry } from "@labelbench/schema";
import { Clipper, FillRule, type Path64 } from "clipper2-ts";

/** Bounds of a box or polygon; a box of negative width or height is read as the same rectangle. */
export const geometryBounds = (g: Geometry): Bounds => {
  if (g.type === "polygon") return polygonBounds(g.points);
  const x0 = Math.min(g.x, g.x + g.width);
  const y0 = Math.min(g.y, g.y + g.height);
  return { minX: x0, minY: y0, maxX: x0 + Math.abs(g.width), maxY: y0 + Math.abs(g.height) };
};

export const geometryArea = (g: Geometry): number =>
  g.type === "box" ? Math.abs(g.width * g.height) : polygonArea(g.points);

/** A shape with what every comparison needs measured once: its bounds and its area. */
export interface PreparedShape {
  readonly geometry: Geometry;
  readonly bounds: Bounds;
  readonly area: number;
}

export const prepareShape = (geometry: Geometry): PreparedShape => {
  if (geometry.type === "box")
    return { geometry, bounds: geometryBounds(geometry), area: geometryArea(geometry) };
  // Bounds and area in one pass over the points (the area's sums in polygonArea's order, so the
  // same number to the last digit).
  const points = geometry.points;
  const n = points.length;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = points[i] as Vertex;
    const q = points[i + 1 === n ? 0 : i + 1] as Vertex;
    const x = p[0];
    const y = p[1];
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
    sum += x * q[1] - q[0] * y;
  }
  return { geometry, bounds: { minX, minY, maxX, maxY }, area: Math.abs(sum / 2) };
};

/**
 * The integer grid a pair is clipped on. Clipper works on integers, so both outlines are moved to
 * the pair's lower corner and scaled by the largest power of two that keeps the pair's extent
 * within 2^26 units: every coordinate and every difference of two stays below 2^26, so Clipper's
 * cross products (< 2^52) are exact in doubles (clipper2-ts's exact path below 9e7), and a power of
 * two scales without rounding. The grid's step is then under extent / 2^25: about 2e-6 px for a
 * 60 px pair, 2e-4 px for a 6,000 px one.
 */
const GRID_UNITS = 2 ** 26;

interface PairGrid {
  readonly ox: number;
  readonly oy: number;
  readonly scale: number;
}

const pairGrid = (a: Bounds, b: Bounds): PairGrid => {
  const ox = Math.min(a.minX, b.minX);
  const oy = Math.min(a.minY, b.minY);
  const extent = Math.max(Math.max(a.maxX, b.maxX) - ox, Math.max(a.maxY, b.maxY) - oy);
  // extent > 0 here: the pair's bounds overlap with a positive area.
  return { ox, oy, scale: 2 ** Math.floor(Math.log2(GRID_UNITS / extent)) };
};

/**
 * The most |clipped intersection area − exact intersection area| can be, in px², for two shapes
 * (what the tests hold the clipping to). Every vertex of the clipped outline (input vertices and
 * computed crossings alike) is rounded to the grid, moving it at most half a step on each axis,
 * δ = step·√2/2 < extent·2^-25.5; the outline moved by δ changes the area by at most its
 * perimeter times δ, and the intersection's outline is made of pieces of both outlines.
 */
export const clippingAreaErrorBound = (a: PreparedShape, b: PreparedShape): number => {
  const { scale } = pairGrid(a.bounds, b.bounds);
  return (outlineLength(a) + outlineLength(b)) * (Math.SQRT2 / 2 / scale);
};

const outlineLength = (s: PreparedShape): number => {
  if (s.geometry.type === "box") return 2 * (s.bounds.maxX - s.bounds.minX + (s.bounds.maxY - s.bounds.minY));
  const points = s.geometry.points;
  let length = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as Vertex;
    const q = points[(i + 1) % points.length] as Vertex;
    length += Math.hypot(q[0] - p[0], q[1] - p[1]);
  }
  return length;
};

const gridPath = (s: PreparedShape, g: PairGrid): Path64 => {
  const { ox, oy, scale } = g;
  if (s.geometry.type === "box") {
    const x0 = Math.round((s.bounds.minX - ox) * scale);
    const y0 = Math.round((s.bounds.minY - oy) * scale);
    const x1 = Math.round((s.bounds.maxX - ox) * scale);
    const y1 = Math.round((s.bounds.maxY - oy) * scale);
    return [
      { x: x0, y: y0 },
      { x: x1, y: y0 },
      { x: x1, y: y1 },
      { x: x0, y: y1 },
    ];
  }
  return s.geometry.points.map(([x, y]) => ({
    x: Math.round((x - ox) * scale),
    y: Math.round((y - oy) * scale),
  }));
};

/** Orders a pair the same whichever way round it was asked, so that IoU(a, b) === IoU(b, a). */
const before = (a: PreparedShape, b: PreparedShape): boolean =>
  a.bounds.minX !== b.bounds.minX
    ? a.bounds.minX < b.bounds.minX
    : a.bounds.minY !== b.bounds.minY
      ? a.bounds.minY < b.bounds.minY
      : a.bounds.maxX !== b.bounds.maxX
        ? a.bounds.maxX < b.bounds.maxX
        : a.bounds.maxY !== b.bounds.maxY
          ? a.bounds.maxY < b.bounds.maxY
          : a.area <= b.area;

/**
 * Area of the intersection of two outlines by Clipper2 on the pair's integer grid. Outer rings
 * come out one way round and holes the other, so the signed areas' sum is the area (its rounding,
 * a few grid units squared, is far inside clippingAreaErrorBound).
 */
const clippedIntersectionArea = (a: PreparedShape, b: PreparedShape): number => {
  const grid = pairGrid(a.bounds, b.bounds);
  const [s, c] = before(a, b) ? [a, b] : [b, a];
  const paths = Clipper.intersect([gridPath(s, grid)], [gridPath(c, grid)], FillRule.NonZero);
  let area = 0;
  for (const path of paths) area += Clipper.area(path);
  return Math.abs(area) / (grid.scale * grid.scale);
};

const boundsOverlapArea = (a: Bounds, b: Bounds): number => {
  const w = Math.min(a.maxX, b.maxX) - Math.max(a.minX, b.minX);
  const h = Math.min(a.maxY, b.maxY) - Math.max(a.minY, b.minY);
  return w > 0 && h > 0 ? w * h : 0;
};

/**
 * Area of the intersection of two shapes: analytic for two boxes and for a polygon lying inside a
 * box, otherwise polygon clipping (Clipper2, Vatti's sweep on integers, on a grid of 2^26 steps
 * across the pair: see clippingAreaErrorBound), so concave outlines and shared edges are measured
 * by their outlines rather than sampled.
 */
export const preparedIntersectionArea = (a: PreparedShape, b: PreparedShape): number => {
  const boundsOverlap = boundsOverlapArea(a.bounds, b.bounds);
  if (boundsOverlap === 0) return 0;
  const ta = a.geometry.type;
  const tb = b.geometry.type;
  if (ta === "box" && tb === "box") return boundsOverlap;
  if (ta === "box" && boundsContain(a.bounds, b.bounds)) return b.area;
  if (tb === "box" && boundsContain(b.bounds, a.bounds)) return a.area;
  return clippedIntersectionArea(a, b);
};

/**
 * IoU of two prepared shapes, or 0 when it cannot reach `atLeast`: the intersection is at most the
 * smaller area and at most the overlap of the bounds, and that bound is checked before any clipping
 * (most neighbours in a dense image are settled here).
 */
export const preparedIou = (a: PreparedShape, b: PreparedShape, atLeast = 0): number => {
  const most = Math.min(a.area, b.area, boundsOverlapArea(a.bounds, b.bounds));
  if (most <= 0 || most / (a.area + b.area - most) < atLeast) return 0;
  const inter = preparedIntersectionArea(a, b);
  if (inter <= 0) return 0;
  const union = a.area + b.area - inter;
  return union > 0 ? Math.min(1, inter / union) : 0;
};

export const intersectionArea = (a: Geometry, b: Geometry): number =>
  preparedIntersectionArea(prepareShape(a), prepareShape(b));

/** Intersection over union of two shapes' areas; 0 when they do not overlap or either is empty. */
export const shapeIou = (a: Geometry, b: Geometry): number => preparedIou(prepareShape(a), prepareShape(b));
