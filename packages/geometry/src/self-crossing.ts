import { orient2d } from "robust-predicates";
import type { Vertex } from "./types.js";

/**
 * Where a polygon's outline crosses itself. Edge i runs from point i to point i + 1 (the last edge
 * back to point 0); `edges` is in ascending order.
 */
export interface SelfCrossing {
  readonly edges: readonly [number, number];
  readonly point: Vertex;
}

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
  // No point twice (sorted by position, equal points are neighbours): nothing to check.
  let repeats = false;
  for (let k = 1; k < n && !repeats; k++) repeats = same(order[k - 1] as number, order[k] as number);
  if (!repeats) return null;
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
 *
 * The edges live in typed arrays (edge i's ends in sweep order) and the sweep line is a sorted
 * array of edge indices, searched by bisection: no object per edge or per tree node, which a splay
 * tree of segment objects spent half of the check's time on at the vertex limit (the line holds
 * a few hundred edges there; moving a few hundred indices on each insert costs less than a
 * splay's rotations).
 */
export const findSelfCrossing = (points: readonly Vertex[]): SelfCrossing | null => {
  const n = points.length;
  const same = (i: number, j: number) => {
    const a = points[i] as Vertex;
    const b = points[j] as Vertex;
    return a[0] === b[0] && a[1] === b[1];
  };
  const order = byPosition(points);

  // Edge i, from point i to point i + 1, with its ends in sweep order: l before r (lower first
  // when vertical); `li`, `ri` the points' indices. -1 in `li` for a zero-length edge.
  const { lx, ly, rx, ry, li, ri, line, ending, starting } = scratchFor(n);
  for (let i = 0; i < n; i++) {
    const j = i + 1 === n ? 0 : i + 1;
    const a = points[i] as Vertex;
    const b = points[j] as Vertex;
    const ax = a[0];
    const ay = a[1];
    const bx = b[0];
    const by = b[1];
    if (ax === bx && ay === by) {
      li[i] = -1;
      ri[i] = -1;
    } else if (before(ax, ay, bx, by)) {
      lx[i] = ax;
      ly[i] = ay;
      rx[i] = bx;
      ry[i] = by;
      li[i] = i;
      ri[i] = j;
    } else {
      lx[i] = bx;
      ly[i] = by;
      rx[i] = ax;
      ry[i] = ay;
      li[i] = j;
      ri[i] = i;
    }
  }

  /**
   * Which side of edge s the point is on: > 0 left of the directed edge l -> r (above it when the
   * edge runs rightwards), < 0 right of it, 0 on its line. robust-predicates' orient2d is exact
   * for any doubles, so collinear and touching points are recognised as such, not by a tolerance.
   */
  const side = (s: number, x: number, y: number): number =>
    -orient2d(lx[s] as number, ly[s] as number, rx[s] as number, ry[s] as number, x, y);

  /**
   * Order of two edges on the sweep line, judged where the later one starts: valid for as long
   * as both are on the line and neither has crossed the other, which is all the sweep needs (it
   * stops at the first crossing). Collinear edges are ordered by edge index.
   */
  const compare = (a: number, b: number): number => {
    if (a === b) return 0;
    const alx = lx[a] as number;
    const aly = ly[a] as number;
    const blx = lx[b] as number;
    const bly = ly[b] as number;
    if (before(alx, aly, blx, bly)) {
      const s = side(a, blx, bly) || side(a, rx[b] as number, ry[b] as number);
      if (s !== 0) return s > 0 ? -1 : 1;
    } else {
      const s = side(b, alx, aly) || side(b, rx[a] as number, ry[a] as number);
      if (s !== 0) return s > 0 ? 1 : -1;
    }
    return a - b;
  };

  /** True when (x, y), known to lie on the line of edge s, lies strictly between its ends. */
  const inside = (s: number, x: number, y: number) =>
    before(lx[s] as number, ly[s] as number, x, y) && before(x, y, rx[s] as number, ry[s] as number);

  const found = (a: number, b: number, point: Vertex): SelfCrossing => ({
    edges: a < b ? [a, b] : [b, a],
    point,
  });

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

  /** `crossingAtT` at one end of an edge (point `i`, at x, y), inside edge `b`. */
  const crossingAtTPoint = (b: number, x: number, y: number, i: number): SelfCrossing | null => {
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
        return { edges: out < b ? [out, b] : [b, out], point: [x, y] };
      }
    }
    return null;
  };

  /**
   * Where the outline crosses edge `b` at an end of edge `a` that lies inside `b` (a T): before
   * and after some visit of that point, the outline is strictly on both sides of `b`. A side on
   * the line is an overlap and is left alone.
   */
  const crossingAtT = (a: number, b: number, lSide: number, rSide: number): SelfCrossing | null =>
    (lSide === 0 && inside(b, lx[a] as number, ly[a] as number)
      ? crossingAtTPoint(b, lx[a] as number, ly[a] as number, li[a] as number)
      : null) ??
    (rSide === 0 && inside(b, rx[a] as number, ry[a] as number)
      ? crossingAtTPoint(b, rx[a] as number, ry[a] as number, ri[a] as number)
      : null);

  /** Whether two edges next to each other on the sweep line cross, and where. */
  const crossing = (a: number, b: number): SelfCrossing | null => {
    // Both ends of one strictly on one side of the other: no crossing and no T (the common case).
    const b1 = side(a, lx[b] as number, ly[b] as number);
    const b2 = side(a, rx[b] as number, ry[b] as number);
    if ((b1 > 0 && b2 > 0) || (b1 < 0 && b2 < 0)) return null;
    const a1 = side(b, lx[a] as number, ly[a] as number);
    const a2 = side(b, rx[a] as number, ry[a] as number);
    if ((a1 > 0 && a2 > 0) || (a1 < 0 && a2 < 0)) return null;
    // A proper crossing: each edge's ends strictly on both sides of the other.
    if (((b1 > 0 && b2 < 0) || (b1 < 0 && b2 > 0)) && ((a1 > 0 && a2 < 0) || (a1 < 0 && a2 > 0))) {
      const t = a1 / (a1 - a2);
      const x0 = lx[a] as number;
      const y0 = ly[a] as number;
      return found(a, b, [x0 + t * ((rx[a] as number) - x0), y0 + t * ((ry[a] as number) - y0)]);
    }
    return crossingAtT(a, b, a1, a2) ?? crossingAtT(b, a, b1, b2);
  };

  // The sweep line: edge indices in their order along it, line[0..size).
  let size = 0;
  /** Where edge s is or would go: the first position whose edge does not come before it. */
  const positionOf = (s: number): number => {
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(line[mid] as number, s) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  /** Puts an edge on the sweep line and checks it against its new neighbours (above first). */
  const enter = (s: number): SelfCrossing | null => {
    const p = positionOf(s);
    line.copyWithin(p + 1, p, size);
    line[p] = s;
    size++;
    const c = p + 1 < size ? crossing(s, line[p + 1] as number) : null;
    if (c) return c;
    return p > 0 ? crossing(s, line[p - 1] as number) : null;
  };
  /** Takes an edge off the sweep line and checks the two neighbours it leaves next to each other. */
  const leave = (s: number): SelfCrossing | null => {
    const p = positionOf(s);
    if (p >= size || line[p] !== s) return null;
    line.copyWithin(p, p + 1, size);
    size--;
    return p > 0 && p < size ? crossing(line[p] as number, line[p - 1] as number) : null;
  };

  // The sweep visits the points left to right, bottom to top (`order`); at each point, the edges
  // that end there leave (by edge index) before the edges that start there enter (by edge index).
  // Each point has two edges, so the events come from one sort of the n points instead of a sort
  // of 2n event objects.
  for (let k = 0; k < n; ) {
    const first = order[k] as number;
    let ends = 0;
    let starts = 0;
    for (; k < n && same(order[k] as number, first); k++) {
      const v = order[k] as number;
      // The edges into and out of point v: each ends or starts there unless it has no length.
      const into = v === 0 ? n - 1 : v - 1;
      if (ri[into] === v) ends = insertSorted(ending, ends, into);
      else if (li[into] === v) starts = insertSorted(starting, starts, into);
      if (ri[v] === v) ends = insertSorted(ending, ends, v);
      else if (li[v] === v) starts = insertSorted(starting, starts, v);
    }
    for (let q = 0; q < ends; q++) {
      const c = leave(ending[q] as number);
      if (c) return c;
    }
    for (let q = 0; q < starts; q++) {
      const c = enter(starting[q] as number);
      if (c) return c;
    }
  }
  return crossingAtRepeatedVertex(points, order);
};

/**
 * The sweep's arrays, kept between calls and grown as needed: an import checks a hundred thousand
 * small polygons, for which allocating them each time costs more than the sweep. The check calls
 * nothing that could re-enter it, so one set serves every call.
 */
let scratch = makeScratch(64);

function makeScratch(capacity: number) {
  return {
    capacity,
    lx: new Float64Array(capacity),
    ly: new Float64Array(capacity),
    rx: new Float64Array(capacity),
    ry: new Float64Array(capacity),
    li: new Int32Array(capacity),
    ri: new Int32Array(capacity),
    line: new Int32Array(capacity),
    ending: new Int32Array(2 * capacity),
    starting: new Int32Array(2 * capacity),
  };
}

const scratchFor = (n: number) => {
  if (scratch.capacity < n) scratch = makeScratch(Math.max(n, 2 * scratch.capacity));
  return scratch;
};

/** Puts `e` into list[0..count) kept in ascending order (a point has a few edges); the new count. */
const insertSorted = (list: Int32Array, count: number, e: number): number => {
  let j = count - 1;
  for (; j >= 0 && (list[j] as number) > e; j--) list[j + 1] = list[j] as number;
  list[j + 1] = e;
  return count + 1;
};
