import { orient2d } from "robust-predicates";
import SplayTree from "splaytree";
import type { Vertex } from "./types.js";

/**
 * Where a polygon's outline crosses itself. Edge i runs from point i to point i + 1 (the last edge
 * back to point 0); `edges` is in ascending order.
 */
export interface SelfCrossing {
  readonly edges: readonly [number, number];
  readonly point: Vertex;
}

interface Segment {
  /** The polygon edge this is (its index in the input). */
  readonly edge: number;
  /** The points at `l` and `r` (their indices in the input). */
  readonly li: number;
  readonly ri: number;
  /** Endpoints in sweep order: `l` is left of `r` (or below it when the edge is vertical). */
  readonly lx: number;
  readonly ly: number;
  readonly rx: number;
  readonly ry: number;
}

/**
 * Which side of `s` the point is on: > 0 left of the directed edge l -> r (above it when the edge
 * runs rightwards), < 0 right of it, 0 on its line. robust-predicates' orient2d is exact for any
 * doubles, so collinear and touching points are recognised as such, not by a tolerance.
 */
const side = (s: Segment, x: number, y: number): number => -orient2d(s.lx, s.ly, s.rx, s.ry, x, y);

/** Point indices in some order. */
type Order = ArrayLike<number> & Iterable<number>;

/**
 * The points' indices ordered by position: by x, then y, then index (so a point's visits are
 * together, in outline order). The sweep's events, the repeated-vertex check and the T check all
 * walk this one order.
 */
const byPosition = (points: readonly Vertex[]): Order => {
  const n = points.length;
  // A few vertices (most polygons): a plain array sorts them for less than the typed arrays cost.
  if (n < 64) {
    const order: number[] = [];
    for (let i = 0; i < n; i++) order.push(i);
    return order.sort((a, b) => {
      const p = points[a] as Vertex;
      const q = points[b] as Vertex;
      return p[0] - q[0] || p[1] - q[1] || a - b;
    });
  }
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = points[i] as Vertex;
    xs[i] = p[0];
    ys[i] = p[1];
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort(
    (a, b) => (xs[a] as number) - (xs[b] as number) || (ys[a] as number) - (ys[b] as number) || a - b,
  );
};

const before = (ax: number, ay: number, bx: number, by: number): boolean => ax < bx || (ax === bx && ay < by);

/**
 * Order of two segments on the sweep line, judged where the later one starts: valid for as long
 * as both are on the line and neither has crossed the other, which is all the sweep needs
 * (it stops at the first crossing). Collinear segments are ordered by edge index.
 */
const compareSegments = (a: Segment, b: Segment): number => {
  if (a === b) return 0;
  if (before(a.lx, a.ly, b.lx, b.ly)) {
    const s = side(a, b.lx, b.ly) || side(a, b.rx, b.ry);
    if (s !== 0) return s > 0 ? -1 : 1;
  } else {
    const s = side(b, a.lx, a.ly) || side(b, a.rx, a.ry);
    if (s !== 0) return s > 0 ? 1 : -1;
  }
  return a.edge - b.edge;
};

/**
 * The point where two segments cross at a single point inside both (a proper crossing), else
 * null. Touching at an endpoint, or overlapping along a line, is not a crossing: a mask tracer's
 * outline touches itself at a pixel corner or runs out and back along a one-pixel line, and the
 * area of such a polygon is still right. `b1`, `b2`: the sides of b's ends from a; `a1`, `a2`:
 * of a's ends from b.
 */
const properCrossing = (a: Segment, a1: number, a2: number, b1: number, b2: number): Vertex | null => {
  if (!((b1 > 0 && b2 < 0) || (b1 < 0 && b2 > 0))) return null;
  if (!((a1 > 0 && a2 < 0) || (a1 < 0 && a2 > 0))) return null;
  const t = a1 / (a1 - a2);
  return [a.lx + t * (a.rx - a.lx), a.ly + t * (a.ry - a.ly)];
};

/** True when (x, y), known to lie on the line of `s`, lies strictly between its ends. */
const inside = (s: Segment, x: number, y: number) => before(s.lx, s.ly, x, y) && before(x, y, s.rx, s.ry);

const found = (a: Segment, b: Segment, point: Vertex): SelfCrossing => ({
  edges: a.edge < b.edge ? [a.edge, b.edge] : [b.edge, a.edge],
  point,
});

/** 0 for directions in the upper half-plane (and +x), 1 for the lower one (and -x). */
const half = (dx: number, dy: number) => (dy > 0 || (dy === 0 && dx > 0) ? 0 : 1);

interface Ray {
  readonly chain: number;
  readonly x: number;
  readonly y: number;
}

/**
 * A crossing at a point the outline passes through more than once: a figure eight drawn through
 * one of its own vertices, which no two edges cross inside. Each visit is a chain (the edge in,
 * the edge out); going round the point, the chains' rays must nest like brackets, or two chains
 * cross there. Directions are compared exactly (orient2d); a point where two rays coincide (the
 * outline runs along itself) is left alone, like any overlap.
 */
const crossingAtRepeatedVertex = (points: readonly Vertex[], order: Order): SelfCrossing | null => {
  const n = points.length;
  const same = (i: number, j: number) => {
    const a = points[i] as Vertex;
    const b = points[j] as Vertex;
    return a[0] === b[0] && a[1] === b[1];
  };
  // The outline's vertices without repeats in a row (the last of each run: its edge leaves it).
  const ring: number[] = [];
  const ringPosition = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++)
    if (!same(i, (i + 1) % n)) {
      ringPosition[i] = ring.length;
      ring.push(i);
    }
  const m = ring.length;
  if (m < 4) return null;
  const at = (k: number) => points[ring[k] as number] as Vertex;
  // The ring's positions by point: the vertices' order by point, those off the ring left out.
  const byPoint: number[] = [];
  for (const i of order) if ((ringPosition[i] as number) >= 0) byPoint.push(ringPosition[i] as number);
  for (let g = 0; g < m; ) {
    let end = g + 1;
    while (end < m && same(ring[byPoint[g] as number] as number, ring[byPoint[end] as number] as number))
      end++;
    if (end - g >= 2) {
      const [px, py] = at(byPoint[g] as number);
      const rays: Ray[] = [];
      for (let j = g; j < end; j++) {
        const k = byPoint[j] as number;
        for (const [x, y] of [at((k + m - 1) % m), at((k + 1) % m)])
          rays.push({ chain: k, x: x - px, y: y - py });
      }
      const angle = (a: Ray, b: Ray) => half(a.x, a.y) - half(b.x, b.y) || orient2d(0, 0, a.x, a.y, b.x, b.y);
      rays.sort(angle);
      const overlap = rays.some((r, i) => i > 0 && angle(rays[i - 1] as Ray, r) === 0);
      if (!overlap) {
        const open: number[] = [];
        const seen = new Set<number>();
        for (const r of rays) {
          if (!seen.has(r.chain)) {
            seen.add(r.chain);
            open.push(r.chain);
          } else if (open[open.length - 1] === r.chain) open.pop();
          else {
            const other = open[open.length - 1] as number;
            const a = ring[r.chain] as number;
            const b = ring[other] as number;
            return { edges: a < b ? [a, b] : [b, a], point: [px, py] };
          }
        }
      }
    }
    g = end;
  }
  return null;
};

/**
 * The first place (in sweep order) where the polygon's outline crosses itself, or null when it
 * never does. Shamos-Hoey's sweep: O(n log n) for n vertices, whatever the shape (a quadratic
 * pair loop took seconds at the vertex limit, and sweepline-intersections, which tests each new
 * edge against every edge under the sweep line, is quadratic for long edges; shamos-hoey answers
 * only yes or no). A crossing is a point inside two edges where they cross, or a point the outline
 * visits twice and crosses itself at, or a vertex inside one of its own edges (a T) where the
 * outline passes from one side of that edge to the other; zero-length edges (repeated points) are
 * ignored.
 */
export const findSelfCrossing = (points: readonly Vertex[]): SelfCrossing | null => {
  const n = points.length;
  const same = (i: number, j: number) => {
    const a = points[i] as Vertex;
    const b = points[j] as Vertex;
    return a[0] === b[0] && a[1] === b[1];
  };
  const order = byPosition(points);
  /**
   * Built at the first T only (rare: a vertex exactly inside another edge): the nearest other
   * point before and after each point round the ring (-1: all points equal), and each point's
   * visits (`byPoint` sorted by position, `group` a visit's first index in it).
   */
  let visits: { prev: Int32Array; next: Int32Array; byPoint: Order; group: Int32Array } | null = null;
  const visitIndex = () => {
    if (visits) return visits;
    const prev = new Int32Array(n).fill(-1);
    const next = new Int32Array(n).fill(-1);
    for (let pass = 0; pass < 2; pass++)
      for (let k = 0; k < n; k++) {
        const i = n - 1 - k;
        const j = (i + 1) % n;
        next[i] = same(i, j) ? (next[j] as number) : j;
        const h = (k + n - 1) % n;
        prev[k] = same(k, h) ? (prev[h] as number) : h;
      }
    const byPoint = order;
    const group = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const i = byPoint[k] as number;
      group[i] = k > 0 && same(i, byPoint[k - 1] as number) ? (group[byPoint[k - 1] as number] as number) : k;
    }
    visits = { prev, next, byPoint, group };
    return visits;
  };
  /** Points already checked for a T (two edges through a point on different lines cross there anyway). */
  const checkedT = new Set<number>();

  /**
   * Where the outline crosses edge `b` at an end of `a` that lies inside `b` (a T): before and
   * after some visit of that point, the outline is strictly on both sides of `b`. A side on the
   * line is an overlap and is left alone.
   */
  const crossingAtT = (a: Segment, b: Segment, lSide: number, rSide: number): SelfCrossing | null =>
    (lSide === 0 && inside(b, a.lx, a.ly) ? crossingAtTPoint(b, a.lx, a.ly, a.li) : null) ??
    (rSide === 0 && inside(b, a.rx, a.ry) ? crossingAtTPoint(b, a.rx, a.ry, a.ri) : null);

  /** `crossingAtT` at one end of the edge (point `i`, at x, y), inside edge `b`. */
  const crossingAtTPoint = (b: Segment, x: number, y: number, i: number): SelfCrossing | null => {
    const { prev, next, byPoint, group } = visitIndex();
    const g = group[i] as number;
    if (checkedT.has(g)) return null;
    checkedT.add(g);
    for (let k = g; k < n && same(byPoint[k] as number, i); k++) {
      const v = byPoint[k] as number;
      const u = points[prev[v] as number];
      const w = points[next[v] as number];
      if (!u || !w) continue;
      const su = side(b, u[0], u[1]);
      const sw = side(b, w[0], w[1]);
      if ((su > 0 && sw < 0) || (su < 0 && sw > 0)) {
        // That visit's edge out of the point (after any repeats of it) crosses `b`.
        const out = ((next[v] as number) + n - 1) % n;
        return { edges: out < b.edge ? [out, b.edge] : [b.edge, out], point: [x, y] };
      }
    }
    return null;
  };

  /** Whether two segments next to each other on the sweep line cross, and where. */
  const crossing = (a: Segment, b: Segment): SelfCrossing | null => {
    // Both ends of one strictly on one side of the other: no crossing and no T (the common case).
    const b1 = side(a, b.lx, b.ly);
    const b2 = side(a, b.rx, b.ry);
    if ((b1 > 0 && b2 > 0) || (b1 < 0 && b2 < 0)) return null;
    const a1 = side(b, a.lx, a.ly);
    const a2 = side(b, a.rx, a.ry);
    if ((a1 > 0 && a2 > 0) || (a1 < 0 && a2 < 0)) return null;
    const p = properCrossing(a, a1, a2, b1, b2);
    if (p) return found(a, b, p);
    return crossingAtT(a, b, a1, a2) ?? crossingAtT(b, a, b1, b2);
  };

  // Edge i, from point i to point i + 1 (null when those are the same point).
  const segments: (Segment | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const [ax, ay] = points[i] as Vertex;
    const [bx, by] = points[j] as Vertex;
    segments[i] =
      ax === bx && ay === by
        ? null
        : before(ax, ay, bx, by)
          ? { edge: i, li: i, ri: j, lx: ax, ly: ay, rx: bx, ry: by }
          : { edge: i, li: j, ri: i, lx: bx, ly: by, rx: ax, ry: ay };
  }

  const line = new SplayTree<Segment, undefined>(compareSegments);
  /** Puts an edge on the sweep line and checks it against its new neighbours (above first). */
  const enter = (s: Segment): SelfCrossing | null => {
    const node = line.insert(s);
    const above = line.next(node);
    const c = above ? crossing(s, above.key) : null;
    if (c) return c;
    const below = line.prev(node);
    return below ? crossing(s, below.key) : null;
  };
  /** Takes an edge off the sweep line and checks the two neighbours it leaves next to each other. */
  const leave = (s: Segment): SelfCrossing | null => {
    const node = line.find(s);
    if (!node) return null;
    const above = line.next(node);
    const below = line.prev(node);
    line.remove(s);
    return above && below ? crossing(above.key, below.key) : null;
  };

  // The sweep visits the points left to right, bottom to top (\`order\`); at each point, the edges
  // that end there leave (by edge index) before the edges that start there enter (by edge index).
  // Each point has two edges, so the events come from one sort of the n points instead of a sort
  // of 2n event objects (a third of the check's time at the vertex limit).
  let ending: Segment[] = [];
  let starting: Segment[] = [];
  const byEdge = (a: Segment, b: Segment) => a.edge - b.edge;
  /** Files an edge of point \`v\` under the edges that end or start there. */
  const atPoint = (s: Segment | null, v: number) => {
    if (s?.ri === v) ending.push(s);
    else if (s?.li === v) starting.push(s);
  };
  for (let k = 0; k < n; ) {
    const first = order[k] as number;
    for (; k < n && same(order[k] as number, first); k++) {
      const v = order[k] as number;
      atPoint(segments[(v + n - 1) % n] ?? null, v);
      atPoint(segments[v] ?? null, v);
    }
    if (ending.length > 1) ending.sort(byEdge);
    if (starting.length > 1) starting.sort(byEdge);
    for (const s of ending) {
      const c = leave(s);
      if (c) return c;
    }
    for (const s of starting) {
      const c = enter(s);
      if (c) return c;
    }
    // Fresh lists rather than emptied ones: setting an array's length to 0 costs more than a new one.
    if (ending.length > 0) ending = [];
    if (starting.length > 0) starting = [];
  }
  return crossingAtRepeatedVertex(points, order);
};
