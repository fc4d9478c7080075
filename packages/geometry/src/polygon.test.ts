import { describe, expect, it } from "vitest";
import {
  clampPoints,
  dedupeConsecutive,
  distanceToSegmentSq,
  distinctPointCount,
  edgeMidpoint,
  hasThreeDistinctPoints,
  nearestEdge,
  nearestVertex,
  pointInPolygon,
  polygonArea,
  polygonBounds,
  projectOntoEdge,
  signedPolygonArea,
  translatePoints,
} from "./polygon.js";
import type { Vertex } from "./types.js";

const square: Vertex[] = [
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
];
/** An L shape: a 10x10 square without its top-right 5x5 quarter (area 75), concave at (5,5). */
const ell: Vertex[] = [
  [0, 0],
  [5, 0],
  [5, 5],
  [10, 5],
  [10, 10],
  [0, 10],
];

describe("polygon area", () => {
  it.each<[string, Vertex[], number, number]>([
    [
      "unit square, clockwise on screen",
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ],
      1,
      1,
    ],
    [
      "unit square, counter-clockwise on screen",
      [
        [0, 0],
        [0, 1],
        [1, 1],
        [1, 0],
      ],
      -1,
      1,
    ],
    [
      "right triangle",
      [
        [0, 0],
        [4, 0],
        [0, 3],
      ],
      6,
      6,
    ],
    ["L shape (concave)", ell, 75, 75],
    [
      "offset square",
      [
        [100, 200],
        [110, 200],
        [110, 210],
        [100, 210],
      ],
      100,
      100,
    ],
    [
      "collinear points",
      [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
      0,
      0,
    ],
    [
      "two points",
      [
        [0, 0],
        [5, 5],
      ],
      0,
      0,
    ],
    ["no points", [], 0, 0],
    [
      "bow-tie (self-intersecting, lobes cancel)",
      [
        [0, 0],
        [10, 10],
        [10, 0],
        [0, 10],
      ],
      0,
      0,
    ],
    [
      "sub-pixel triangle",
      [
        [0.25, 0.25],
        [0.75, 0.25],
        [0.25, 0.75],
      ],
      0.125,
      0.125,
    ],
  ])("%s", (_name, points, signed, area) => {
    expect(signedPolygonArea(points)).toBeCloseTo(signed, 12);
    expect(polygonArea(points)).toBeCloseTo(area, 12);
  });

  it("does not depend on the starting vertex", () => {
    for (let k = 0; k < ell.length; k++) {
      const rotated = [...ell.slice(k), ...ell.slice(0, k)];
      expect(polygonArea(rotated)).toBe(75);
    }
  });
});

describe("polygonBounds", () => {
  it.each<[string, Vertex[], { minX: number; minY: number; maxX: number; maxY: number }]>([
    ["square", square, { minX: 0, minY: 0, maxX: 10, maxY: 10 }],
    [
      "negative and fractional",
      [
        [-2.5, 3],
        [4, -1],
        [1, 7.25],
      ],
      { minX: -2.5, minY: -1, maxX: 4, maxY: 7.25 },
    ],
    ["single point", [[3, 4]], { minX: 3, minY: 4, maxX: 3, maxY: 4 }],
  ])("%s", (_name, points, bounds) => {
    expect(polygonBounds(points)).toEqual(bounds);
  });

  it("is empty (inverted) for no points", () => {
    const b = polygonBounds([]);
    expect(b.minX > b.maxX && b.minY > b.maxY).toBe(true);
  });
});

describe("pointInPolygon", () => {
  it.each<[string, number, number, Vertex[], boolean]>([
    ["centre of square", 5, 5, square, true],
    ["outside right", 11, 5, square, false],
    ["outside above", 5, -0.01, square, false],
    ["just inside corner", 0.01, 0.01, square, true],
    ["in the L's lower arm", 2, 8, ell, true],
    ["in the L's upper arm", 2, 2, ell, true],
    ["in the L's missing quarter", 8, 2, ell, false],
    ["right of the L's notch", 7, 7, ell, true],
    ["far away", 1e6, 1e6, ell, false],
  ])("%s (%d, %d)", (_name, x, y, points, inside) => {
    expect(pointInPolygon(x, y, points)).toBe(inside);
  });

  it("agrees with a box test for random points in a rectangle polygon", () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const rect: Vertex[] = [
      [2, 3],
      [9, 3],
      [9, 8],
      [2, 8],
    ];
    for (let i = 0; i < 500; i++) {
      const x = rand() * 12;
      const y = rand() * 12;
      if (x === 2 || x === 9 || y === 3 || y === 8) continue; // boundary: either answer is allowed
      expect(pointInPolygon(x, y, rect)).toBe(x > 2 && x < 9 && y > 3 && y < 8);
    }
  });
});

describe("distances, nearest edge and vertex", () => {
  it.each<[string, number, number, Vertex, Vertex, number]>([
    ["perpendicular foot inside the segment", 5, 3, [0, 0], [10, 0], 9],
    ["beyond the end: distance to the end point", 13, 4, [0, 0], [10, 0], 25],
    ["before the start", -3, 4, [0, 0], [10, 0], 25],
    ["on the segment", 4, 0, [0, 0], [10, 0], 0],
    ["degenerate segment (a point)", 3, 4, [0, 0], [0, 0], 25],
    ["diagonal segment", 0, 2, [0, 0], [2, 2], 2],
  ])("distanceToSegmentSq: %s", (_name, px, py, a, b, d2) => {
    expect(distanceToSegmentSq(px, py, a, b)).toBeCloseTo(d2, 12);
  });

  it.each<[string, number, number, number, number]>([
    ["near the top edge", 5, 1, 0, 1],
    ["near the right edge", 9.5, 5, 1, 0.5],
    ["near the bottom edge", 4, 12, 2, 2],
    ["near the closing edge (last -> first)", -3, 5, 3, 3],
  ])("nearestEdge: %s", (_name, x, y, index, distance) => {
    expect(nearestEdge(x, y, square)).toEqual({ index, distance });
  });

  it("nearestEdge of nothing is -1", () => {
    expect(nearestEdge(0, 0, []).index).toBe(-1);
  });

  it.each<[string, number, number, number, number]>([
    ["on a vertex", 10, 10, 1, 2],
    ["within the radius", 9.5, 0.5, 1, 1],
    ["exactly at the radius", 13, 0, 3, 1],
    ["outside the radius", 5, 5, 2, -1],
    ["between two vertices, the nearer one", 6.5, 0, 5, 1],
  ])("nearestVertex: %s", (_name, x, y, radius, index) => {
    expect(nearestVertex(x, y, square, radius)).toBe(index);
  });

  it("nearestVertex picks the first of equally near vertices", () => {
    expect(nearestVertex(5, 0, square, 6)).toBe(0);
  });
});

describe("point helpers", () => {
  it("clampPoints keeps points in [0,W]x[0,H]", () => {
    expect(
      clampPoints(
        [
          [-1, 5],
          [101, -0.5],
          [50, 50.5],
        ],
        { width: 100, height: 50 },
      ),
    ).toEqual([
      [0, 5],
      [100, 0],
      [50, 50],
    ]);
  });

  it("translatePoints moves every point", () => {
    expect(translatePoints(square.slice(0, 2), 2, -3)).toEqual([
      [2, -3],
      [12, -3],
    ]);
  });

  it.each<[string, Vertex[], Vertex[]]>([
    [
      "repeats",
      [
        [0, 0],
        [0, 0],
        [1, 0],
        [1, 0],
        [1, 1],
      ],
      [
        [0, 0],
        [1, 0],
        [1, 1],
      ],
    ],
    [
      "closing point equal to the first",
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 0],
      ],
      [
        [0, 0],
        [1, 0],
        [1, 1],
      ],
    ],
    ["nothing to remove", square, square],
    [
      "a single point",
      [
        [1, 1],
        [1, 1],
      ],
      [[1, 1]],
    ],
    ["empty", [], []],
  ])("dedupeConsecutive: %s", (_name, input, output) => {
    expect(dedupeConsecutive(input)).toEqual(output);
  });

  it.each<[Vertex[], number]>([
    [square, 4],
    [
      [
        [0, 0],
        [1, 1],
        [0, 0],
      ],
      2,
    ],
    [
      [
        [0, 0],
        [-0, 0],
      ],
      1,
    ],
    [[], 0],
  ])("distinctPointCount(%j) = %d", (points, n) => {
    expect(distinctPointCount(points)).toBe(n);
    expect(hasThreeDistinctPoints(points)).toBe(n >= 3);
  });

  it("hasThreeDistinctPoints agrees with distinctPointCount on random point lists with repeats", () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      // Few distinct values so that repeats, and lists of one or two distinct points, are common.
      const points = Array.from({ length: Math.floor(next() * 7) }, (): [number, number] => [
        Math.floor(next() * 2),
        Math.floor(next() * 2) * 0.5,
      ]);
      expect(hasThreeDistinctPoints(points), JSON.stringify(points)).toBe(distinctPointCount(points) >= 3);
    }
  });

  it("edgeMidpoint and projectOntoEdge work on edge i -> i+1, wrapping at the end", () => {
    expect(edgeMidpoint(square, 0)).toEqual([5, 0]);
    expect(edgeMidpoint(square, 3)).toEqual([0, 5]);
    expect(projectOntoEdge(3, -4, square, 0)).toEqual([3, 0]);
    expect(projectOntoEdge(20, 20, square, 1)).toEqual([10, 10]);
    expect(projectOntoEdge(-5, 7, square, 3)).toEqual([0, 7]);
  });
});
