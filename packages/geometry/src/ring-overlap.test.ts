import { describe, expect, it } from "vitest";
import { polygonArea } from "./polygon.js";
import { seededRandom } from "./random.js";
import {
  MAX_RING_OVERLAP_VERTICES,
  rectangleRing,
  ringOverlapArea,
  type SimpleRing,
  simpleRing,
} from "./ring-overlap.js";
import type { Vertex } from "./types.js";

const ring = (points: Vertex[]): SimpleRing => {
  const r = simpleRing(points);
  if (!r) throw new Error(`not a simple ring: ${JSON.stringify(points)}`);
  return r;
};
const square = (x: number, y: number, size: number): Vertex[] => [
  [x, y],
  [x + size, y],
  [x + size, y + size],
  [x, y + size],
];
const reversed = (points: Vertex[]): Vertex[] => [...points].reverse();

describe("simpleRing: which outlines the fast overlap takes", () => {
  it("takes simple outlines of either orientation, straight runs of collinear vertices included", () => {
    expect(ring(square(0, 0, 10)).orientation).toBe(1);
    expect(ring(reversed(square(0, 0, 10))).orientation).toBe(-1);
    const withRun = ring([
      [0, 0],
      [5, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ]);
    expect([withRun.minX, withRun.minY, withRun.maxX, withRun.maxY]).toEqual([0, 0, 10, 10]);
  });

  it("refuses crossing, touching, repeated, folded, flat, too small and too large outlines", () => {
    const bowtie: Vertex[] = [
      [0, 0],
      [10, 10],
      [10, 0],
      [0, 10],
    ];
    // A vertex on a non-adjacent edge: the outline touches itself (a pinch) without crossing.
    const pinch: Vertex[] = [
      [0, 0],
      [10, 0],
      [5, 5],
      [10, 10],
      [0, 10],
      [5, 0],
    ];
    const repeated: Vertex[] = [
      [0, 0],
      [10, 0],
      [10, 0],
      [10, 10],
    ];
    const spike: Vertex[] = [
      [0, 0],
      [10, 0],
      [10, 10],
      [10, 5],
      [0, 10],
    ];
    const flat: Vertex[] = [
      [0, 0],
      [5, 0],
      [10, 0],
    ];
    const many: Vertex[] = Array.from({ length: MAX_RING_OVERLAP_VERTICES + 1 }, (_, i) => {
      const a = (2 * Math.PI * i) / (MAX_RING_OVERLAP_VERTICES + 1);
      return [Math.cos(a), Math.sin(a)];
    });
    for (const [name, points] of Object.entries({ bowtie, pinch, repeated, spike, flat, many })) {
      expect(simpleRing(points), name).toBeNull();
    }
    expect(simpleRing(square(0, 0, 1).slice(0, 2))).toBeNull();
    expect(simpleRing(many.slice(1))).not.toBeNull();
    expect(rectangleRing(0, 0, 0, 5)).toBeNull();
  });
});

describe("ringOverlapArea, by hand", () => {
  it("overlapping, nested, apart and only touching rings", () => {
    expect(ringOverlapArea(ring(square(0, 0, 10)), ring(square(5, 5, 10)))).toBeCloseTo(25, 12);
    expect(ringOverlapArea(ring(square(0, 0, 10)), ring(reversed(square(5, 5, 10))))).toBeCloseTo(25, 12);
    expect(ringOverlapArea(ring(square(0, 0, 10)), ring(square(2, 3, 4)))).toBeCloseTo(16, 12);
    expect(ringOverlapArea(ring(square(2, 3, 4)), ring(square(0, 0, 10)))).toBeCloseTo(16, 12);
    expect(ringOverlapArea(ring(square(0, 0, 10)), ring(square(20, 0, 10)))).toBe(0);
    // Bounds sharing only an edge: no area, whatever the outlines do along it.
    expect(ringOverlapArea(ring(square(0, 0, 10)), ring(square(10, 0, 10)))).toBe(0);
  });

  it("a concave comb against a bar across its three teeth", () => {
    const comb = ring([
      [0, 0],
      [2, 0],
      [2, 8],
      [4, 8],
      [4, 0],
      [6, 0],
      [6, 8],
      [8, 8],
      [8, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ]);
    // The bar reaches past the comb on both sides, so no vertex lies on the other's outline.
    const bar = rectangleRing(-1, 2, 11, 4) as SimpleRing;
    expect(ringOverlapArea(comb, bar)).toBeCloseTo(12, 12);
    expect(ringOverlapArea(bar, comb)).toBeCloseTo(12, 12);
  });

  it("leaves every touching or collinear configuration to the caller (null)", () => {
    const a = ring(square(0, 0, 10));
    // The same outline; one running along part of the other's edge; a vertex on the other's edge.
    expect(ringOverlapArea(a, ring(square(0, 0, 10)))).toBeNull();
    expect(ringOverlapArea(a, ring(square(5, 0, 10)))).toBeNull();
    const onEdge = ring([
      [5, 0],
      [15, -5],
      [15, 5],
    ]);
    expect(ringOverlapArea(a, onEdge)).toBeNull();
    // The same, the touching vertex not the first of its ring, and from inside.
    const touchingLater = ring([
      [15, -5],
      [15, 5],
      [5, 0],
    ]);
    expect(ringOverlapArea(a, touchingLater)).toBeNull();
    expect(ringOverlapArea(touchingLater, a)).toBeNull();
    const fromInside = ring([
      [2, 2],
      [8, 2],
      [5, 0],
    ]);
    expect(ringOverlapArea(a, fromInside)).toBeNull();
    // A vertex of one exactly on a vertex of the other.
    expect(ringOverlapArea(a, ring(square(10, 10, 5).map(([x, y]) => [x - 5, y - 5] as Vertex)))).toBeNull();
    // Collinear edges that do not meet do not count as touching.
    const beside = ring([
      [12, 0],
      [20, 0],
      [20, 4],
    ]);
    expect(ringOverlapArea(ring(square(0, -2, 14)), beside)).not.toBeNull();
  });
});

/**
 * Sutherland-Hodgman: a polygon clipped by a convex one, whose result's area is the exact overlap
 * (degenerate bridges it leaves along the clip's edges enclose nothing). An oracle independent of
 * the sweep: it walks the clip's edges, not the crossings.
 */
const clipByConvex = (subject: readonly Vertex[], clip: readonly Vertex[]): Vertex[] => {
  let out = [...subject];
  const n = clip.length;
  for (let k = 0; k < n && out.length > 0; k++) {
    const [ax, ay] = clip[k] as Vertex;
    const [bx, by] = clip[(k + 1) % n] as Vertex;
    const side = ([x, y]: Vertex) => (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const p = input[i] as Vertex;
      const q = input[(i + 1) % input.length] as Vertex;
      const sp = side(p);
      const sq = side(q);
      if (sp >= 0) out.push(p);
      if (sp >= 0 !== sq >= 0) {
        const t = sp / (sp - sq);
        out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
      }
    }
  }
  return out;
};

/** Shoelace area from the first point (the oracle's own rounding kept far below the tolerance). */
const area = (points: readonly Vertex[]): number => {
  const [ox, oy] = points[0] ?? [0, 0];
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i] as Vertex;
    const [x2, y2] = points[(i + 1) % points.length] as Vertex;
    sum += (x1 - ox) * (y2 - oy) - (x2 - ox) * (y1 - oy);
  }
  return Math.abs(sum) / 2;
};

/** A star-shaped outline (often concave) of 3-16 vertices, counter-clockwise. */
const star = (rand: () => number, cx: number, cy: number, reach: number): Vertex[] => {
  const n = 3 + Math.floor(rand() * 14);
  const angles = Array.from({ length: n }, () => rand() * 2 * Math.PI).sort((a, b) => a - b);
  return angles.map((t) => {
    const r = reach * (0.3 + 0.7 * rand());
    return [cx + r * Math.cos(t), cy + r * Math.sin(t)] as const;
  });
};

/** A convex polygon: the hull of points on a circle at random angles, counter-clockwise. */
const convex = (rand: () => number, cx: number, cy: number, reach: number): Vertex[] => {
  const n = 3 + Math.floor(rand() * 8);
  const angles = Array.from({ length: n }, () => rand() * 2 * Math.PI).sort((a, b) => a - b);
  return angles.map((t) => [cx + reach * Math.cos(t), cy + reach * Math.sin(t)] as const);
};

describe("ringOverlapArea against clipping by a convex polygon", () => {
  it("agrees to 1e-12 of the larger area on random concave outlines, both orders and orientations", {
    timeout: 30_000,
  }, () => {
    const rand = seededRandom(1212);
    let measured = 0;
    let overlapping = 0;
    for (let k = 0; k < 3000; k++) {
      const subject = star(rand, 1000 + rand() * 40, 800 + rand() * 40, 5 + rand() * 40);
      const clip = convex(rand, 1000 + rand() * 40, 800 + rand() * 40, 5 + rand() * 40);
      const a = simpleRing(subject);
      const b = simpleRing(clip);
      if (!a || !b) continue;
      const want = area(clipByConvex(subject, clip));
      const scale = Math.max(polygonArea(subject), polygonArea(clip));
      for (const [x, y] of [
        [a, b],
        [b, a],
        [simpleRing(reversed(subject)) as SimpleRing, b],
      ] as const) {
        const got = ringOverlapArea(x, y);
        if (got === null) continue;
        measured++;
        expect(Math.abs(got - want), `pair ${k}`).toBeLessThanOrEqual(1e-12 * scale);
      }
      if (want > 0) overlapping++;
    }
    // The generator must really produce overlapping pairs, and the fast path must take nearly all.
    expect(overlapping).toBeGreaterThan(1500);
    expect(measured).toBeGreaterThan(8000);
  });

  it("a copy moved by a fraction of a pixel: the overlap a matcher measures most", () => {
    const rand = seededRandom(77);
    for (let k = 0; k < 500; k++) {
      const base = convex(rand, 3000 * rand(), 3000 * rand(), 10 + 30 * rand());
      const dx = (rand() - 0.5) * 4;
      const dy = (rand() - 0.5) * 4;
      const moved = base.map(([x, y]) => [x + dx, y + dy] as Vertex);
      const got = ringOverlapArea(ring(base), ring(moved));
      const want = area(clipByConvex(base, moved));
      expect(got, `pair ${k}`).not.toBeNull();
      expect(Math.abs((got as number) - want), `pair ${k}`).toBeLessThanOrEqual(1e-12 * polygonArea(base));
    }
  });
});
