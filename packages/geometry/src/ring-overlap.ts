import { orient2d } from "robust-predicates";
import type { Vertex } from "./types.js";

/**
 * The area two polygons share, for the common case only: both outlines simple, and no vertex of
 * one on the other's outline nor any edge along the other's. Then the boundary of the overlap is
 * the part of each outline inside the other, and Green's theorem gives its area from those parts
 * alone, with no polygon built: O(n·m) exact orientation tests (robust-predicates), no sweep and
 * no allocation per edge. A quality matcher measures thousands of near pairs of small outlines;
 * a clipping library's sweep costs ~30 times as much for each. Every touching or collinear
 * configuration answers null, and the caller measures that pair with a clipping library, which
 * is exact there too.
 */

/** Polygons above this many vertices are left to the clipping library (O(n·m) stops paying off). */
export const MAX_RING_OVERLAP_VERTICES = 64;

declare const checkedSimple: unique symbol;

/**
 * A polygon outline checked once to be simple, as flat coordinates. Made only by `simpleRing` and
 * `rectangleRing` (the brand), since `ringOverlapArea` is right only for simple outlines.
 */
export interface SimpleRing {
  readonly [checkedSimple]: true;
  /** x0, y0, x1, y1, … (the closing edge from the last point back to the first is implied). */
  readonly xy: Float64Array;
  /** 1 when the points run counter-clockwise in a y-up frame (positive shoelace area), else -1. */
  readonly orientation: 1 | -1;
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/** Scratch for `simpleRing`: each edge's minX, maxX, minY, maxY. */
const edgeBoxes = new Float64Array(4 * MAX_RING_OVERLAP_VERTICES);

/** Cross product of (b - a) and (c - a), exactly signed: > 0 when c is left of a -> b. */
const cross = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number =>
  -orient2d(ax, ay, bx, by, cx, cy);

/** Whether the closed segments p-q and r-s meet at all (touching counts). */
const segmentsMeet = (
  px: number,
  py: number,
  qx: number,
  qy: number,
  rx: number,
  ry: number,
  sx: number,
  sy: number,
): boolean => {
  if (Math.max(px, qx) < Math.min(rx, sx) || Math.max(rx, sx) < Math.min(px, qx)) return false;
  if (Math.max(py, qy) < Math.min(ry, sy) || Math.max(ry, sy) < Math.min(py, qy)) return false;
  const o1 = cross(px, py, qx, qy, rx, ry);
  const o2 = cross(px, py, qx, qy, sx, sy);
  if ((o1 > 0 && o2 > 0) || (o1 < 0 && o2 < 0)) return false;
  const o3 = cross(rx, ry, sx, sy, px, py);
  const o4 = cross(rx, ry, sx, sy, qx, qy);
  if ((o3 > 0 && o4 > 0) || (o3 < 0 && o4 < 0)) return false;
  // All four on one line: the bounds test above already found their extents overlapping.
  return true;
};

/**
 * The outline as a `SimpleRing`, or null when the fast overlap does not apply to it: fewer than
 * 3 or more than MAX_RING_OVERLAP_VERTICES points, a repeated point (a zero-length edge), no
 * area, an edge that folds back along the one before it, or two edges that meet anywhere but at
 * the vertex they share (crossing or only touching). Straight runs of collinear vertices are fine.
 */
export const simpleRing = (points: readonly Vertex[]): SimpleRing | null => {
  const n = points.length;
  if (n < 3 || n > MAX_RING_OVERLAP_VERTICES) return null;
  const xy = new Float64Array(2 * n);
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const [x, y] = points[i] as Vertex;
    xy[2 * i] = x;
    xy[2 * i + 1] = y;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  let twiceArea = 0;
  for (let i = 0; i < n; i++) {
    const j = i + 1 === n ? 0 : i + 1;
    const k = j + 1 === n ? 0 : j + 1;
    const ax = xy[2 * i] as number;
    const ay = xy[2 * i + 1] as number;
    const bx = xy[2 * j] as number;
    const by = xy[2 * j + 1] as number;
    const cx = xy[2 * k] as number;
    const cy = xy[2 * k + 1] as number;
    if (ax === bx && ay === by) return null;
    // Edge j -> k straight on from i -> j is a run; turning back along it is a spike.
    if ((bx - ax) * (cx - bx) + (by - ay) * (cy - by) <= 0 && cross(ax, ay, bx, by, cx, cy) === 0)
      return null;
    twiceArea += ax * by - bx * ay;
  }
  if (!(twiceArea !== 0)) return null;
  // Each edge's bounds first: most pairs of a ring's edges are apart, which four comparisons show.
  // n is at most MAX_RING_OVERLAP_VERTICES, which the scratch holds.
  const box = edgeBoxes;
  for (let i = 0; i < n; i++) {
    const i1 = i + 1 === n ? 0 : i + 1;
    const ax = xy[2 * i] as number;
    const ay = xy[2 * i + 1] as number;
    const bx = xy[2 * i1] as number;
    const by = xy[2 * i1 + 1] as number;
    box[4 * i] = ax < bx ? ax : bx;
    box[4 * i + 1] = ax < bx ? bx : ax;
    box[4 * i + 2] = ay < by ? ay : by;
    box[4 * i + 3] = ay < by ? by : ay;
  }
  for (let i = 0; i < n; i++) {
    const i1 = i + 1 === n ? 0 : i + 1;
    const x0 = box[4 * i] as number;
    const x1 = box[4 * i + 1] as number;
    const y0 = box[4 * i + 2] as number;
    const y1 = box[4 * i + 3] as number;
    // Edges i and j share no vertex: j from i + 2, and not the last edge when i is the first.
    for (let j = i + 2, end = i === 0 ? n - 1 : n; j < end; j++) {
      if ((box[4 * j] as number) > x1 || (box[4 * j + 1] as number) < x0) continue;
      if ((box[4 * j + 2] as number) > y1 || (box[4 * j + 3] as number) < y0) continue;
      const j1 = j + 1 === n ? 0 : j + 1;
      if (
        segmentsMeet(
          xy[2 * i] as number,
          xy[2 * i + 1] as number,
          xy[2 * i1] as number,
          xy[2 * i1 + 1] as number,
          xy[2 * j] as number,
          xy[2 * j + 1] as number,
          xy[2 * j1] as number,
          xy[2 * j1 + 1] as number,
        )
      )
        return null;
    }
  }
  return { xy, orientation: twiceArea > 0 ? 1 : -1, minX, minY, maxX, maxY } as SimpleRing;
};

/** An axis-aligned rectangle as a ring (counter-clockwise); null when it has no area. */
export const rectangleRing = (minX: number, minY: number, maxX: number, maxY: number): SimpleRing | null =>
  maxX > minX && maxY > minY
    ? ({
        xy: Float64Array.of(minX, minY, maxX, minY, maxX, maxY, minX, maxY),
        orientation: 1,
        minX,
        minY,
        maxX,
        maxY,
      } as SimpleRing)
    : null;

/**
 * Even-odd inclusion of point (px, py) in the ring: 1 inside, 0 outside, -1 on its outline (where
 * the overlap must go to the clipping library). Exact: which side of an edge is an orientation test.
 */
const inclusion = (px: number, py: number, ring: SimpleRing): number => {
  const xy = ring.xy;
  const n = xy.length / 2;
  let inside = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = xy[2 * i] as number;
    const yi = xy[2 * i + 1] as number;
    const xj = xy[2 * j] as number;
    const yj = xy[2 * j + 1] as number;
    if (yi > py !== yj > py) {
      const c = cross(xj, yj, xi, yi, px, py);
      if (c === 0) return -1;
      // The ray to +x meets an upward edge when the point is left of it, a downward one when right.
      if (yi > yj ? c > 0 : c < 0) inside ^= 1;
    } else if (yi === py && yj === py && Math.min(xi, xj) <= px && px <= Math.max(xi, xj)) return -1;
  }
  return inside;
};

// Scratch space for the crossings, grown as needed: a matcher calls this thousands of times.
let crossingCapacity = 64;
/** Per crossing: the edge of a and its parameter there, the edge of b and its parameter, the point. */
let edgeA = new Int32Array(crossingCapacity);
let paramA = new Float64Array(crossingCapacity);
let edgeB = new Int32Array(crossingCapacity);
let paramB = new Float64Array(crossingCapacity);
let pointX = new Float64Array(crossingCapacity);
let pointY = new Float64Array(crossingCapacity);
let order = new Int32Array(crossingCapacity);

const growCrossings = () => {
  crossingCapacity *= 2;
  const grow = <T extends Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
    const next = make(crossingCapacity);
    next.set(old);
    return next;
  };
  edgeA = grow(edgeA, (n) => new Int32Array(n));
  edgeB = grow(edgeB, (n) => new Int32Array(n));
  order = new Int32Array(crossingCapacity);
  paramA = grow(paramA, (n) => new Float64Array(n));
  paramB = grow(paramB, (n) => new Float64Array(n));
  pointX = grow(pointX, (n) => new Float64Array(n));
  pointY = grow(pointY, (n) => new Float64Array(n));
};

/** Sorts `order[0..count)` by edge, then by parameter along it (insertion sort: a few dozen at most). */
const sortCrossings = (count: number, edges: Int32Array, params: Float64Array) => {
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = 1; i < count; i++) {
    const k = order[i] as number;
    const e = edges[k] as number;
    const t = params[k] as number;
    let j = i - 1;
    for (; j >= 0; j--) {
      const o = order[j] as number;
      const eo = edges[o] as number;
      if (eo < e || (eo === e && (params[o] as number) <= t)) break;
      order[j + 1] = o;
    }
    order[j + 1] = k;
  }
};

/**
 * Twice the signed area swept by the parts of `ring`'s outline inside the other ring, relative to
 * (ox, oy), walking its edges in order: `inside` says whether its first point is inside, and each
 * crossing (sorted along the edges) flips it.
 */
const insideParts = (
  ring: SimpleRing,
  inside: number,
  count: number,
  edges: Int32Array,
  ox: number,
  oy: number,
): number => {
  const xy = ring.xy;
  const n = xy.length / 2;
  let sum = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const j = i + 1 === n ? 0 : i + 1;
    let ux = (xy[2 * i] as number) - ox;
    let uy = (xy[2 * i + 1] as number) - oy;
    for (; k < count && edges[order[k] as number] === i; k++) {
      const c = order[k] as number;
      const vx = (pointX[c] as number) - ox;
      const vy = (pointY[c] as number) - oy;
      if (inside) sum += ux * vy - vx * uy;
      inside ^= 1;
      ux = vx;
      uy = vy;
    }
    if (inside) sum += ux * ((xy[2 * j + 1] as number) - oy) - ((xy[2 * j] as number) - ox) * uy;
  }
  return sum;
};

/**
 * Area of the intersection of two simple rings, or null when an outline touches the other (a
 * vertex on the other's outline, edges along each other): those the caller measures otherwise.
 * Equal to the exact area up to floating-point rounding of the crossing points.
 */
export const ringOverlapArea = (a: SimpleRing, b: SimpleRing): number | null => {
  // Bounds apart or only touching: no area in common, whatever the outlines do on that line.
  if (a.maxX <= b.minX || b.maxX <= a.minX || a.maxY <= b.minY || b.maxY <= a.minY) return 0;
  const axy = a.xy;
  const bxy = b.xy;
  const n = axy.length / 2;
  const m = bxy.length / 2;
  // The part of the plane both bounds cover: an edge outside it crosses nothing of the other ring.
  const loX = Math.max(a.minX, b.minX);
  const hiX = Math.min(a.maxX, b.maxX);
  const loY = Math.max(a.minY, b.minY);
  const hiY = Math.min(a.maxY, b.maxY);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const i1 = i + 1 === n ? 0 : i + 1;
    const px = axy[2 * i] as number;
    const py = axy[2 * i + 1] as number;
    const qx = axy[2 * i1] as number;
    const qy = axy[2 * i1 + 1] as number;
    const eMinX = px < qx ? px : qx;
    const eMaxX = px < qx ? qx : px;
    const eMinY = py < qy ? py : qy;
    const eMaxY = py < qy ? qy : py;
    if (eMaxX < loX || eMinX > hiX || eMaxY < loY || eMinY > hiY) continue;
    for (let j = 0; j < m; j++) {
      const j1 = j + 1 === m ? 0 : j + 1;
      const rx = bxy[2 * j] as number;
      const ry = bxy[2 * j + 1] as number;
      const sx = bxy[2 * j1] as number;
      const sy = bxy[2 * j1 + 1] as number;
      if ((rx < sx ? sx : rx) < eMinX || (rx < sx ? rx : sx) > eMaxX) continue;
      if ((ry < sy ? sy : ry) < eMinY || (ry < sy ? ry : sy) > eMaxY) continue;
      const o1 = cross(px, py, qx, qy, rx, ry);
      const o2 = cross(px, py, qx, qy, sx, sy);
      if ((o1 > 0 && o2 > 0) || (o1 < 0 && o2 < 0)) continue;
      const o3 = cross(rx, ry, sx, sy, px, py);
      const o4 = cross(rx, ry, sx, sy, qx, qy);
      if ((o3 > 0 && o4 > 0) || (o3 < 0 && o4 < 0)) continue;
      // The closed segments meet; anything but a crossing inside both is a touch.
      if (o1 === 0 || o2 === 0 || o3 === 0 || o4 === 0) return null;
      if (count === crossingCapacity) growCrossings();
      const t = o3 / (o3 - o4);
      edgeA[count] = i;
      paramA[count] = t;
      edgeB[count] = j;
      paramB[count] = o1 / (o1 - o2);
      pointX[count] = px + t * (qx - px);
      pointY[count] = py + t * (qy - py);
      count++;
    }
  }
  const aStart = inclusion(axy[0] as number, axy[1] as number, b);
  const bStart = inclusion(bxy[0] as number, bxy[1] as number, a);
  if (aStart < 0 || bStart < 0) return null;
  // Coordinates relative to a point of the overlap keep the products small (less rounding).
  const ox = loX;
  const oy = loY;
  sortCrossings(count, edgeA, paramA);
  const fromA = insideParts(a, aStart, count, edgeA, ox, oy);
  sortCrossings(count, edgeB, paramB);
  const fromB = insideParts(b, bStart, count, edgeB, ox, oy);
  const area = (a.orientation * fromA + b.orientation * fromB) / 2;
  return area > 0 ? area : 0;
};
