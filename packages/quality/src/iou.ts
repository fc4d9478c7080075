import { type Bounds, polygonArea, polygonBounds, type Vertex } from "@labelbench/geometry";
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

const boundsRing = (b: Bounds): Ring => [
  [b.minX, b.minY],
  [b.maxX, b.minY],
  [b.maxX, b.maxY],
  [b.minX, b.maxY],
];

const ringOf = (g: Geometry): Ring =>
  g.type === "box" ? boundsRing(geometryBounds(g)) : g.points.map(([x, y]) => [x, y]);

/** Area of a clipping result: each polygon's outer ring less its holes. */
const multiPolygonArea = (mp: MultiPolygon): number => {
  let area = 0;
  for (const polygon of mp) {
    polygon.forEach((ring, i) => {
      const a = polygonArea(ring as readonly Vertex[]);
      area += i === 0 ? a : -a;
    });
  }
  return area;
};

const boundsOverlapArea = (a: Bounds, b: Bounds): number => {
  const w = Math.min(a.maxX, b.maxX) - Math.max(a.minX, b.minX);
  const h = Math.min(a.maxY, b.maxY) - Math.max(a.minY, b.minY);
  return w > 0 && h > 0 ? w * h : 0;
};

/**
 * Area of the intersection of two shapes: analytic for two boxes, exact polygon clipping
 * (polygon-clipping, a Martinez-Rueda sweep on robust predicates) whenever a polygon is involved,
 * so concave outlines and shared edges are measured exactly rather than sampled.
 */
export const intersectionArea = (a: Geometry, b: Geometry): number => {
  const ba = geometryBounds(a);
  const bb = geometryBounds(b);
  const boundsOverlap = boundsOverlapArea(ba, bb);
  if (boundsOverlap === 0) return 0;
  if (a.type === "box" && b.type === "box") return boundsOverlap;
  return multiPolygonArea(polygonClipping.intersection([ringOf(a)], [ringOf(b)]));
};

/** Intersection over union of two shapes' areas; 0 when they do not overlap or both are empty. */
export const shapeIou = (a: Geometry, b: Geometry): number => {
  const inter = intersectionArea(a, b);
  if (inter <= 0) return 0;
  const union = geometryArea(a) + geometryArea(b) - inter;
  return union > 0 ? Math.min(1, inter / union) : 0;
};
