import { describe, expect, it } from "vitest";
import type { Rect, Vertex } from "./types.js";
import { checkBox, checkPolygon, DEFAULT_CLAMP_TOLERANCE } from "./validity.js";

const img = { width: 100, height: 50 };
const r = (x: number, y: number, width: number, height: number): Rect => ({ x, y, width, height });

describe("checkBox", () => {
  it.each<[string, Rect, Rect]>([
    ["inside", r(10, 10, 20, 20), r(10, 10, 20, 20)],
    ["exactly the image", r(0, 0, 100, 50), r(0, 0, 100, 50)],
    ["sub-pixel", r(0.5, 0.25, 0.5, 0.5), r(0.5, 0.25, 0.5, 0.5)],
    ["past the left by the tolerance", r(-1, 5, 11, 5), r(0, 5, 10, 5)],
    ["past the right and bottom within tolerance", r(90, 40, 10.9, 10.5), r(90, 40, 10, 10)],
    ["past every edge within tolerance", r(-0.5, -0.5, 101, 51), r(0, 0, 100, 50)],
  ])("accepts and clamps: %s", (_name, input, output) => {
    expect(checkBox(input, img)).toEqual({ ok: true, value: output });
  });

  it.each<[string, Rect, RegExp]>([
    ["NaN", r(Number.NaN, 0, 5, 5), /finite/],
    ["Infinity", r(0, 0, Number.POSITIVE_INFINITY, 5), /finite/],
    ["zero width", r(10, 10, 0, 5), /positive/],
    ["zero height", r(10, 10, 5, 0), /positive/],
    ["negative width", r(10, 10, -5, 5), /positive/],
    ["past the left beyond tolerance", r(-1.01, 5, 10, 5), /outside the image 100x50/],
    ["past the bottom beyond tolerance", r(10, 45, 5, 6.5), /outside/],
    ["wholly outside", r(500, 500, 5, 5), /outside/],
    ["a sliver outside the right edge", r(100.2, 10, 0.5, 5), /no area inside the image/],
  ])("refuses: %s", (_name, input, reason) => {
    const res = checkBox(input, img);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.reason).toMatch(reason);
  });

  it("keeps the numbers sent for a box inside the image (no (x + width) - x drift)", () => {
    // 0.1 + 0.2 - 0.1 is 0.20000000000000004: recomputing the width changed what was stored.
    expect(checkBox(r(0.1, 0.1, 0.2, 0.2), img)).toEqual({ ok: true, value: r(0.1, 0.1, 0.2, 0.2) });
    expect(checkBox(r(0.7, 3.3, 99.3, 46.7), img)).toEqual({ ok: true, value: r(0.7, 3.3, 99.3, 46.7) });
    // A box that crosses only the right border keeps its x; only the crossing side is clamped.
    expect(checkBox(r(0.1, 0.1, 100.2, 0.2), img)).toEqual({ ok: true, value: r(0.1, 0.1, 100 - 0.1, 0.2) });
  });

  it("honours a custom tolerance", () => {
    expect(checkBox(r(-3, 0, 10, 10), img, 5)).toEqual({ ok: true, value: r(0, 0, 7, 10) });
    expect(checkBox(r(-0.5, 0, 10, 10), img, 0).ok).toBe(false);
    expect(DEFAULT_CLAMP_TOLERANCE).toBe(1);
  });
});

describe("checkPolygon", () => {
  it.each<[string, Vertex[], Vertex[]]>([
    [
      "triangle inside",
      [
        [0, 0],
        [50, 0],
        [25, 40],
      ],
      [
        [0, 0],
        [50, 0],
        [25, 40],
      ],
    ],
    [
      "touching every edge",
      [
        [0, 0],
        [100, 0],
        [100, 50],
        [0, 50],
      ],
      [
        [0, 0],
        [100, 0],
        [100, 50],
        [0, 50],
      ],
    ],
    [
      "slightly outside, clamped",
      [
        [-1, -0.5],
        [100.9, 0],
        [50, 51],
      ],
      [
        [0, 0],
        [100, 0],
        [50, 50],
      ],
    ],
    [
      "with a repeated vertex",
      [
        [0, 0],
        [10, 0],
        [10, 0],
        [5, 5],
      ],
      [
        [0, 0],
        [10, 0],
        [10, 0],
        [5, 5],
      ],
    ],
    [
      "concave",
      [
        [0, 0],
        [5, 0],
        [5, 5],
        [10, 5],
        [10, 10],
        [0, 10],
      ],
      [
        [0, 0],
        [5, 0],
        [5, 5],
        [10, 5],
        [10, 10],
        [0, 10],
      ],
    ],
  ])("accepts and clamps: %s", (_name, input, output) => {
    expect(checkPolygon(input, img)).toEqual({ ok: true, value: output });
  });

  it.each<[string, Vertex[], RegExp]>([
    [
      "NaN",
      [
        [0, 0],
        [Number.NaN, 0],
        [5, 5],
      ],
      /finite/,
    ],
    [
      "Infinity",
      [
        [0, 0],
        [10, 0],
        [5, Number.NEGATIVE_INFINITY],
      ],
      /finite/,
    ],
    [
      "two points",
      [
        [0, 0],
        [10, 10],
      ],
      /3 distinct/,
    ],
    [
      "three points, two distinct",
      [
        [0, 0],
        [10, 10],
        [0, 0],
      ],
      /3 distinct/,
    ],
    [
      "collinear",
      [
        [0, 0],
        [10, 10],
        [20, 20],
      ],
      /zero area/,
    ],
    [
      "beyond the right edge",
      [
        [0, 0],
        [102, 0],
        [50, 40],
      ],
      /outside the image 100x50/,
    ],
    [
      "beyond the top",
      [
        [0, -1.5],
        [10, 0],
        [5, 5],
      ],
      /outside/,
    ],
    [
      "flattened by clamping",
      [
        [-0.5, 0],
        [-1, 10],
        [-0.2, 20],
      ],
      /zero area/,
    ],
    ["no points", [], /3 distinct/],
  ])("refuses: %s", (_name, input, reason) => {
    const res = checkPolygon(input, img);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.reason).toMatch(reason);
  });

  it("refuses a self-crossing outline, naming the two edges and the point", () => {
    const bowTie: Vertex[] = [
      [10, 10],
      [30, 30],
      [30, 10],
      [10, 30],
    ];
    expect(checkPolygon(bowTie, img)).toEqual({
      ok: false,
      reason: "polygon outline crosses itself: edge 0 (points 0-1) crosses edge 2 (points 2-3) at (20, 20)",
    });
    // The closing edge (last point back to the first) is named too.
    const closing: Vertex[] = [
      [10, 10],
      [40, 10],
      [10, 30],
      [40, 30],
    ];
    const res = checkPolygon(closing, img);
    expect(res.ok === false && res.reason).toBe(
      "polygon outline crosses itself: edge 1 (points 1-2) crosses edge 3 (points 3-0) at (25, 20)",
    );
  });

  it("accepts outlines that only touch themselves (a shared vertex, an out-and-back spike)", () => {
    const lobes: Vertex[] = [
      [0, 0],
      [10, 10],
      [20, 0],
      [20, 20],
      [10, 10],
      [0, 20],
    ];
    expect(checkPolygon(lobes, img).ok).toBe(true);
  });

  it("never mutates its input", () => {
    const pts: Vertex[] = [
      [-1, 0],
      [10, 0],
      [5, 5],
    ];
    const copy = JSON.stringify(pts);
    checkPolygon(pts, img);
    expect(JSON.stringify(pts)).toBe(copy);
  });
});
