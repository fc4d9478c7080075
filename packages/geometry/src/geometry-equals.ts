import type { GeometryValue } from "./geometry-json.js";

/**
 * Whether two geometries are the same shape, exactly and by value: the one equality the editor's
 * change detection, the autosave's diff and merge, and its acknowledgement check all use.
 *
 * - A geometry equals itself (same object): checked first, since the editor's document keeps
 *   unchanged geometry as the same objects, so comparing a dense image mostly compares pointers.
 * - A box equals a box with `===` on x, y, width and height.
 * - A polygon equals a polygon with as many vertices, vertex i against vertex i, `===` on x and y:
 *   the same ring started at another vertex or walked the other way is a different geometry, as
 *   its stored JSON is.
 * - A box never equals a polygon, even one tracing the same rectangle.
 *
 * No tolerance: a move of 1e-9 px is a change to save. Key order and any extra property are not
 * looked at (two equal geometries may print differently with `JSON.stringify`; `geometryJson`
 * prints both alike).
 */
export const geometryEquals = (a: GeometryValue, b: GeometryValue): boolean => {
  if (a === b) return true;
  if (a.type === "box")
    return b.type === "box" && a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
  if (b.type !== "polygon" || a.points.length !== b.points.length) return false;
  for (let i = 0; i < a.points.length; i++) {
    const p = a.points[i]!;
    const q = b.points[i]!;
    if (p !== q && (p[0] !== q[0] || p[1] !== q[1])) return false;
  }
  return true;
};
