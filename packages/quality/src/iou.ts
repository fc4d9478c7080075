import { type Bounds, boundsContain, polygonArea, polygonBounds, type Vertex } from "@labelbench/geometry";
import type { Geometry } from "@labelbench/schema";
import polygonClipping, { type MultiPolygon, type Ring } from "polygon-clipping";

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
  /** The outline as the clipping library takes it, built at the shape's first clipping and kept. */
  ring?: Ring | undefined;
}

export const prepareShape = (geometry: Geometry): PreparedShape => {
  if (geometry.type === "box")
    return { geometry, bounds: geometryBounds(geometry), area: geometryArea(geometry), ring: undefined };
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
  return { geometry, bounds: { minX, minY, maxX, maxY }, area: Math.abs(sum / 2), ring: undefined };
};

const boundsRing = (b: Bounds): Ring => [
  [b.minX, b.minY],
  [b.maxX, b.minY],
  [b.maxX, b.maxY],
  [b.minX, b.maxY],
];

const ringOf = (s: PreparedShape): Ring => {
  if (s.ring === undefined)
    s.ring = s.geometry.type === "box" ? boundsRing(s.bounds) : s.geometry.points.map(([x, y]) => [x, y]);
  return s.ring;
};

/**
 * Area of a clipping result: each polygon's outer ring less its holes. Each ring is measured from
 * its first point: the shoelace's products of image coordinates (millions) would otherwise leave
 * an error of ~1e-9 px² in the sum, where relative coordinates keep it at the last digits.
 */
const multiPolygonArea = (mp: MultiPolygon): number => {
  let area = 0;
  for (const polygon of mp) {
    polygon.forEach((ring, i) => {
      const a = relativeRingArea(ring);
      area += i === 0 ? a : -a;
    });
  }
  return area;
};

const relativeRingArea = (ring: Ring): number => {
  const n = ring.length;
  const first = ring[0];
  if (!first) return 0;
  const [ox, oy] = first;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = ring[i] as Vertex;
    const q = ring[i + 1 === n ? 0 : i + 1] as Vertex;
    sum += (p[0] - ox) * (q[1] - oy) - (q[0] - ox) * (p[1] - oy);
  }
  return Math.abs(sum) / 2;
};

const boundsOverlapArea = (a: Bounds, b: Bounds): number => {
  const w = Math.min(a.maxX, b.maxX) - Math.max(a.minX, b.minX);
  const h = Math.min(a.maxY, b.maxY) - Math.max(a.minY, b.minY);
  return w > 0 && h > 0 ? w * h : 0;
};

/**
 * Area of the intersection of two shapes: analytic for two boxes and for a polygon lying inside a
 * box, otherwise exact polygon clipping (polygon-clipping, a Martinez-Rueda sweep on robust
 * predicates), so concave outlines and shared edges are measured exactly rather than sampled.
 */
export const preparedIntersectionArea = (a: PreparedShape, b: PreparedShape): number => {
  const boundsOverlap = boundsOverlapArea(a.bounds, b.bounds);
  if (boundsOverlap === 0) return 0;
  const ta = a.geometry.type;
  const tb = b.geometry.type;
  if (ta === "box" && tb === "box") return boundsOverlap;
  if (ta === "box" && boundsContain(a.bounds, b.bounds)) return b.area;
  if (tb === "box" && boundsContain(b.bounds, a.bounds)) return a.area;
  return multiPolygonArea(polygonClipping.intersection([ringOf(a)], [ringOf(b)]));
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
