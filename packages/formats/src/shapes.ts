import {
  checkBox,
  checkPolygon,
  polygonArea,
  polygonBounds,
  type Rect,
  type Size,
  type Vertex,
} from "@labelbench/geometry";
import type { Geometry } from "@labelbench/schema";

export const boundingBox = (g: Geometry): Rect => {
  if (g.type === "box") return { x: g.x, y: g.y, width: g.width, height: g.height };
  const b = polygonBounds(g.points);
  return { x: b.minX, y: b.minY, width: b.maxX - b.minX, height: b.maxY - b.minY };
};

export const shapeArea = (g: Geometry): number =>
  g.type === "box" ? g.width * g.height : polygonArea(g.points);

/** Four corners clockwise from the top-left: how every encoder writes a box as a polygon. */
export const boxCorners = (r: Rect): Vertex[] => [
  [r.x, r.y],
  [r.x + r.width, r.y],
  [r.x + r.width, r.y + r.height],
  [r.x, r.y + r.height],
];

/**
 * A polygon that is exactly the four corners the encoders write for a box (same start, same
 * order) reads back as a box. Any other polygon, even an axis-aligned rectangle drawn from
 * another corner, stays a polygon.
 */
export const boxFromCorners = (points: readonly Vertex[]): Geometry | null => {
  if (points.length !== 4) return null;
  const [a, b, c, d] = points as [Vertex, Vertex, Vertex, Vertex];
  const [x1, y1] = a;
  const [x2, y2] = c;
  if (!(x2 > x1 && y2 > y1)) return null;
  if (b[0] !== x2 || b[1] !== y1 || d[0] !== x1 || d[1] !== y2) return null;
  return { type: "box", x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
};

export type ShapeCheck = { ok: true; value: Geometry; clamped: boolean } | { ok: false; reason: string };

/** The editor's own save rule: clamp within 1 px of the image, refuse beyond or degenerate. */
export const checkShape = (g: Geometry, size: Size): ShapeCheck => {
  if (g.type === "box") {
    const r = checkBox(g, size);
    if (!r.ok) return r;
    const v = r.value;
    const clamped = v.x !== g.x || v.y !== g.y || v.width !== g.width || v.height !== g.height;
    return { ok: true, value: { type: "box", ...v }, clamped };
  }
  const r = checkPolygon(g.points, size);
  if (!r.ok) return r;
  const clamped = r.value.some(([x, y], i) => {
    const p = g.points[i];
    return !p || p[0] !== x || p[1] !== y;
  });
  return { ok: true, value: { type: "polygon", points: r.value.map(([x, y]) => [x, y]) }, clamped };
};
