import { describe, expect, it } from "vitest";
import {
  boundsContain,
  boundsIntersect,
  boundsToRect,
  clamp,
  clampRect,
  pointInRect,
  rectArea,
  rectCorners,
  rectFromCorners,
  rectToBounds,
  translateRectWithin,
  unionBounds,
} from "./rect.js";
import type { Bounds, Rect } from "./types.js";

const img = { width: 100, height: 50 };
const b = (minX: number, minY: number, maxX: number, maxY: number): Bounds => ({ minX, minY, maxX, maxY });
const r = (x: number, y: number, width: number, height: number): Rect => ({ x, y, width, height });

describe("rectangles", () => {
  it.each<[string, [number, number, number, number], Rect]>([
    ["drag down-right", [1, 2, 5, 7], r(1, 2, 4, 5)],
    ["drag up-left", [5, 7, 1, 2], r(1, 2, 4, 5)],
    ["drag up-right", [1, 7, 5, 2], r(1, 2, 4, 5)],
    ["a click (no drag)", [3, 3, 3, 3], r(3, 3, 0, 0)],
  ])("rectFromCorners: %s", (_name, [ax, ay, bx, by], rect) => {
    expect(rectFromCorners(ax, ay, bx, by)).toEqual(rect);
  });

  it("converts between Rect and Bounds both ways", () => {
    const rect = r(1.5, 2, 3, 4.25);
    expect(rectToBounds(rect)).toEqual(b(1.5, 2, 4.5, 6.25));
    expect(boundsToRect(rectToBounds(rect))).toEqual(rect);
    expect(rectArea(rect)).toBe(12.75);
  });

  it("lists corners clockwise from the top-left", () => {
    expect(rectCorners(r(1, 2, 3, 4))).toEqual([
      [1, 2],
      [4, 2],
      [4, 6],
      [1, 6],
    ]);
  });

  it.each<[string, number, number, number, boolean]>([
    ["inside", 5, 5, 0, true],
    ["on the edge", 10, 5, 0, true],
    ["just outside", 10.5, 5, 0, false],
    ["just outside, within tolerance", 10.5, 5, 1, true],
    ["outside above, within tolerance", 5, -0.9, 1, true],
  ])("pointInRect: %s", (_name, x, y, tol, inside) => {
    expect(pointInRect(x, y, r(0, 0, 10, 10), tol)).toBe(inside);
  });
});

describe("bounds", () => {
  it.each<[string, Bounds, Bounds, boolean]>([
    ["overlapping", b(0, 0, 10, 10), b(5, 5, 15, 15), true],
    ["touching edges", b(0, 0, 10, 10), b(10, 0, 20, 10), true],
    ["apart horizontally", b(0, 0, 10, 10), b(11, 0, 20, 10), false],
    ["apart vertically", b(0, 0, 10, 10), b(0, 11, 10, 20), false],
    ["one inside the other", b(0, 0, 10, 10), b(2, 2, 3, 3), true],
  ])("boundsIntersect: %s", (_name, a, c, hit) => {
    expect(boundsIntersect(a, c)).toBe(hit);
    expect(boundsIntersect(c, a)).toBe(hit);
  });

  it("boundsContain and unionBounds", () => {
    expect(boundsContain(b(0, 0, 10, 10), b(2, 2, 10, 3))).toBe(true);
    expect(boundsContain(b(0, 0, 10, 10), b(2, 2, 11, 3))).toBe(false);
    expect(unionBounds(b(0, 5, 1, 6), b(-2, 7, 0, 9))).toEqual(b(-2, 5, 1, 9));
  });
});

describe("clamping", () => {
  it.each<[number, number, number, number]>([
    [5, 0, 10, 5],
    [-1, 0, 10, 0],
    [11, 0, 10, 10],
    [0, 0, 0, 0],
  ])("clamp(%d, %d, %d) = %d", (v, lo, hi, out) => {
    expect(clamp(v, lo, hi)).toBe(out);
  });

  it.each<[string, Rect, Rect]>([
    ["inside stays", r(10, 10, 20, 20), r(10, 10, 20, 20)],
    ["past the left and top", r(-5, -3, 20, 20), r(0, 0, 15, 17)],
    ["past the right and bottom", r(90, 40, 20, 20), r(90, 40, 10, 10)],
    ["covering the image", r(-10, -10, 200, 200), r(0, 0, 100, 50)],
    ["wholly outside collapses to zero size", r(120, 10, 5, 5), r(100, 10, 0, 5)],
  ])("clampRect: %s", (_name, input, output) => {
    expect(clampRect(input, img)).toEqual(output);
  });

  it.each<[string, Rect, number, number, Rect]>([
    ["a free move", r(10, 10, 20, 10), 5, 5, r(15, 15, 20, 10)],
    ["stopped at the right edge", r(70, 10, 20, 10), 50, 0, r(80, 10, 20, 10)],
    ["stopped at the top-left", r(10, 10, 20, 10), -50, -50, r(0, 0, 20, 10)],
    ["larger than the image pins to the origin", r(0, 0, 150, 80), 10, 10, r(0, 0, 150, 80)],
  ])("translateRectWithin: %s keeps the size", (_name, rect, dx, dy, out) => {
    expect(translateRectWithin(rect, dx, dy, img)).toEqual(out);
  });
});
