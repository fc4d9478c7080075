import { orient2d } from "robust-predicates";
import { describe, expect, it } from "vitest";
import { seededRandom } from "./random.js";
import { findSelfCrossing, type SelfCrossing } from "./self-crossing.js";
import type { Vertex } from "./types.js";

/** Every pair of edges, as a reference: true when two edges cross at a point inside both. */
const bruteForceCrosses = (points: readonly Vertex[]): boolean => {
  const n = points.length;
  const sign = (a: Vertex, b: Vertex, c: Vertex) => Math.sign(orient2d(a[0], a[1], b[0], b[1], c[0], c[1]));
  for (let i = 0; i < n; i++) {
    const a = points[i] as Vertex;
    const b = points[(i + 1) % n] as Vertex;
    for (let j = i + 1; j < n; j++) {
      const c = points[j] as Vertex;
      const d = points[(j + 1) % n] as Vertex;
      if (sign(a, b, c) * sign(a, b, d) < 0 && sign(c, d, a) * sign(c, d, b) < 0) return true;
    }
  }
  return false;
};

/**
 * Reference for crossings at a point the outline visits twice: every pair of visits, by angles
 * (exact enough on a small integer grid); a point where two directions coincide is left alone.
 */
const bruteForceVertexCrosses = (points: readonly Vertex[]): boolean => {
  const n = points.length;
  const key = (p: Vertex) => `${p[0]},${p[1]}`;
  const ring = [...points.keys()].filter(
    (i) => key(points[i] as Vertex) !== key(points[(i + 1) % n] as Vertex),
  );
  const m = ring.length;
  if (m < 4) return false;
  const at = (k: number) => points[ring[((k % m) + m) % m] as number] as Vertex;
  const groups = new Map<string, number[]>();
  for (let k = 0; k < m; k++) groups.set(key(at(k)), [...(groups.get(key(at(k))) ?? []), k]);
  const turn = (v: number) => ((v % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
  for (const visits of groups.values()) {
    if (visits.length < 2) continue;
    const p = at(visits[0] as number);
    const dir = (q: Vertex) => Math.atan2(q[1] - p[1], q[0] - p[0]);
    const rays = visits.map((k) => [dir(at(k - 1)), dir(at(k + 1))] as const);
    const all = rays.flat();
    if (new Set(all).size !== all.length) continue;
    for (const [a1, a2] of rays)
      for (const [b1, b2] of rays) {
        const inside = (t: number) => turn(t - a1) < turn(a2 - a1);
        if (a1 !== b1 && inside(b1) !== inside(b2)) return true;
      }
  }
  return false;
};

/** Reference for T crossings: a vertex strictly inside an edge, its neighbours strictly on both sides. */
const bruteForceTCrosses = (points: readonly Vertex[]): boolean => {
  const n = points.length;
  const eq = (a: Vertex, b: Vertex) => a[0] === b[0] && a[1] === b[1];
  const sign = (a: Vertex, b: Vertex, c: Vertex) => Math.sign(orient2d(a[0], a[1], b[0], b[1], c[0], c[1]));
  const between = (a: Vertex, b: Vertex, p: Vertex) =>
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1]) &&
    !eq(a, p) &&
    !eq(b, p);
  for (let i = 0; i < n; i++) {
    const v = points[i] as Vertex;
    let h = (i + n - 1) % n;
    while (h !== i && eq(points[h] as Vertex, v)) h = (h + n - 1) % n;
    let j = (i + 1) % n;
    while (j !== i && eq(points[j] as Vertex, v)) j = (j + 1) % n;
    const u = points[h] as Vertex;
    const w = points[j] as Vertex;
    for (let e = 0; e < n; e++) {
      const a = points[e] as Vertex;
      const b = points[(e + 1) % n] as Vertex;
      if (eq(a, b) || sign(a, b, v) !== 0 || !between(a, b, v)) continue;
      if (sign(a, b, u) * sign(a, b, w) < 0) return true;
    }
  }
  return false;
};

/** Whether edges i and j cross at a point inside both. */
const edgesCross = (points: readonly Vertex[], i: number, j: number): boolean => {
  const at = (k: number) => points[k % points.length] as Vertex;
  const sign = (a: Vertex, b: Vertex, c: Vertex) => Math.sign(orient2d(a[0], a[1], b[0], b[1], c[0], c[1]));
  const [a, b, c, d] = [at(i), at(i + 1), at(j), at(j + 1)];
  return sign(a, b, c) * sign(a, b, d) < 0 && sign(c, d, a) * sign(c, d, b) < 0;
};

describe("findSelfCrossing", () => {
  it("finds nothing in simple polygons", () => {
    expect(
      findSelfCrossing([
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 10],
      ]),
    ).toBeNull();
    expect(
      findSelfCrossing([
        [0, 0],
        [10, 0],
        [5, 5],
        [10, 10],
        [0, 10],
      ]),
    ).toBeNull(); // concave
  });

  it("names the two crossing edges and the point of a bow tie", () => {
    // Edges: 0 (0,0)-(10,10), 1 (10,10)-(10,0), 2 (10,0)-(0,10), 3 (0,10)-(0,0).
    expect(
      findSelfCrossing([
        [0, 0],
        [10, 10],
        [10, 0],
        [0, 10],
      ]),
    ).toEqual({ edges: [0, 2], point: [5, 5] });
  });

  it("finds a figure eight drawn through one of its own vertices", () => {
    // The outline passes (1, 1) twice and crosses itself there: no two edges cross inside.
    expect(
      findSelfCrossing([
        [0, 0],
        [1, 1],
        [2, 2],
        [2, 0],
        [1, 1],
        [0, 2],
      ]),
    ).toEqual({ edges: [1, 4], point: [1, 1] });
  });

  it("finds an outline crossing one of its own edges exactly at a vertex (a T)", () => {
    // Vertex 4 (10, 5) lies inside edge 0 (0, 5)-(20, 5); the outline goes from below it to above.
    expect(
      findSelfCrossing([
        [0, 5],
        [20, 5],
        [20, 0],
        [15, 0],
        [10, 5],
        [5, 10],
        [0, 10],
      ]),
    ).toEqual({ edges: [0, 4], point: [10, 5] });
    // Touching the edge from one side only is not a crossing.
    expect(
      findSelfCrossing([
        [0, 5],
        [20, 5],
        [20, 10],
        [15, 10],
        [10, 5],
        [5, 10],
        [0, 10],
      ]),
    ).toBeNull();
  });

  it("ignores touching outlines: a shared vertex, a one-pixel spike, repeated points", () => {
    // Two lobes meeting at (1, 1), both counter-clockwise: the area is right.
    expect(
      findSelfCrossing([
        [0, 0],
        [1, 1],
        [2, 0],
        [2, 2],
        [1, 1],
        [0, 2],
      ]),
    ).toBeNull();
    // Out and back along y = 5 (a mask tracer's one-pixel line).
    expect(
      findSelfCrossing([
        [0, 0],
        [10, 0],
        [10, 5],
        [15, 5],
        [10, 5],
        [10, 10],
        [0, 10],
      ]),
    ).toBeNull();
    expect(
      findSelfCrossing([
        [0, 0],
        [0, 0],
        [10, 0],
        [10, 10],
        [10, 10],
        [0, 10],
        [0, 0],
      ]),
    ).toBeNull();
  });

  it("finds crossings with vertical edges and through collinear runs", () => {
    expect(
      findSelfCrossing([
        [5, 0],
        [5, 10],
        [0, 5],
        [10, 5],
      ])?.edges,
    ).toEqual([0, 2]);
    // Edges 2 and 3 both cross edge 0; the sweep reports the leftmost crossing.
    const twice = findSelfCrossing([
      [0, 0],
      [10, 0],
      [10, 10],
      [4, -5],
      [0, 10],
    ]);
    expect(twice?.edges).toEqual([0, 3]);
    expect(twice?.point[1]).toBe(0);
  });

  it("agrees with the pair loop on thousands of random polygons on a small grid (degenerate cases)", {
    timeout: 60_000,
  }, () => {
    const rand = seededRandom(7);
    let crossed = 0;
    for (let k = 0; k < 20_000; k++) {
      const n = 3 + Math.floor(rand() * 8);
      const grid = 2 + Math.floor(rand() * 4);
      const pts: Vertex[] = Array.from({ length: n }, () => [
        Math.floor(rand() * grid),
        Math.floor(rand() * grid),
      ]);
      const want = bruteForceCrosses(pts) || bruteForceVertexCrosses(pts) || bruteForceTCrosses(pts);
      const got = findSelfCrossing(pts);
      if ((got !== null) !== want)
        throw new Error(`${JSON.stringify(pts)}: sweep ${JSON.stringify(got)}, pair loop ${want}`);
      if (got) {
        crossed++;
        const [a, b] = got.edges;
        const onVertex = pts.some((p) => p[0] === got.point[0] && p[1] === got.point[1]);
        expect(onVertex || edgesCross(pts, a, b)).toBe(true);
      }
    }
    expect(crossed).toBeGreaterThan(2_000);
  });

  it("the same edges and point as ever on outlines of 64 vertices and more (collinear runs, repeats, Ts)", () => {
    // Each outline's edges cut into equal steps: long collinear runs, and every corner a vertex.
    const subdivide = (corners: Vertex[], k: number): Vertex[] =>
      corners.flatMap((a, i) => {
        const b = corners[(i + 1) % corners.length] as Vertex;
        return Array.from(
          { length: k },
          (_, j) => [a[0] + ((b[0] - a[0]) * j) / k, a[1] + ((b[1] - a[1]) * j) / k] as Vertex,
        );
      });
    const bowtie: Vertex[] = [
      [0, 0],
      [60, 60],
      [60, 0],
      [0, 60],
    ];
    const cases: [string, Vertex[], SelfCrossing | null][] = [
      // The diagonals cross at a vertex of both (each visits (30, 30)), then between vertices.
      ["bow tie through a vertex", subdivide(bowtie, 20), { edges: [10, 50], point: [30, 30] }],
      ["bow tie between vertices", subdivide(bowtie, 17), { edges: [8, 42], point: [30, 30] }],
      [
        "figure eight through a vertex",
        subdivide(
          [
            [0, 0],
            [30, 30],
            [60, 60],
            [60, 0],
            [30, 30],
            [0, 60],
          ],
          12,
        ),
        { edges: [12, 48], point: [30, 30] },
      ],
      [
        "two triangles touching at a vertex",
        subdivide(
          [
            [0, 0],
            [30, 30],
            [0, 60],
            [60, 60],
            [30, 30],
            [60, 0],
          ],
          12,
        ),
        null,
      ],
      [
        "a spike out and back along one line",
        subdivide(
          [
            [0, 0],
            [60, 0],
            [60, 30],
            [90, 30],
            [60, 30],
            [60, 60],
            [0, 60],
          ],
          12,
        ),
        null,
      ],
      [
        "every point twice",
        subdivide(
          [
            [0, 0],
            [60, 0],
            [60, 60],
            [0, 60],
          ],
          12,
        ).flatMap((v) => [v, v]),
        null,
      ],
      [
        "a T: the outline passes through its own edge at a vertex",
        subdivide(
          [
            [0, 0],
            [60, 0],
            [60, 60],
            [36, 60],
            [30, 0],
            [24, -12],
            [24, 60],
            [0, 60],
          ],
          12,
        ),
        { edges: [4, 62], point: [24, 0] },
      ],
      [
        "a T that only touches",
        subdivide(
          [
            [0, 0],
            [60, 0],
            [60, 60],
            [36, 60],
            [30, 0],
            [24, 60],
            [0, 60],
          ],
          12,
        ),
        null,
      ],
      [
        "a slot whose sides run along the outline's own edge",
        subdivide(
          [
            [0, 0],
            [60, 0],
            [60, 60],
            [30, 60],
            [30, 0],
            [20, 0],
            [20, 60],
            [0, 60],
          ],
          12,
        ),
        null,
      ],
    ];
    for (const [name, points, want] of cases) {
      expect(points.length, name).toBeGreaterThanOrEqual(64);
      expect(findSelfCrossing(points), name).toEqual(want);
    }
  });
});
