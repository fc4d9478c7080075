import { describe, expect, it } from "vitest";
import { geometryEquals } from "./geometry-equals.js";
import type { GeometryValue } from "./geometry-json.js";

const box = (x: number, y: number, width: number, height: number): GeometryValue => ({
  type: "box",
  x,
  y,
  width,
  height,
});
const poly = (...points: [number, number][]): GeometryValue => ({ type: "polygon", points });

describe("geometryEquals", () => {
  it("compares boxes coordinate by coordinate", () => {
    expect(geometryEquals(box(1, 2, 3, 4), box(1, 2, 3, 4))).toBe(true);
    expect(geometryEquals(box(1, 2, 3, 4), box(1, 2, 3, 5))).toBe(false);
    expect(geometryEquals(box(1, 2, 3, 4), box(0, 2, 3, 4))).toBe(false);
    expect(geometryEquals(box(1, 2, 3, 4), box(1, 2.0000001, 3, 4))).toBe(false);
  });

  it("compares polygons vertex by vertex, in order", () => {
    const tri = poly([0, 0], [10, 0], [5, 8]);
    expect(geometryEquals(tri, poly([0, 0], [10, 0], [5, 8]))).toBe(true);
    expect(geometryEquals(tri, poly([0, 0], [10, 0], [5, 8.5]))).toBe(false);
    expect(geometryEquals(tri, poly([0, 0], [10, 0], [5, 8], [5, 8]))).toBe(false);
    // The same ring from another start or walked backwards is another stored geometry.
    expect(geometryEquals(tri, poly([10, 0], [5, 8], [0, 0]))).toBe(false);
    expect(geometryEquals(tri, poly([5, 8], [10, 0], [0, 0]))).toBe(false);
  });

  it("never equates a box and a polygon, even on the same rectangle", () => {
    const rect = poly([0, 0], [10, 0], [10, 5], [0, 5]);
    expect(geometryEquals(box(0, 0, 10, 5), rect)).toBe(false);
    expect(geometryEquals(rect, box(0, 0, 10, 5))).toBe(false);
  });

  it("looks at values, not at key order or extra properties", () => {
    const shuffled = { height: 4, width: 3, y: 2, x: 1, type: "box" } as const;
    expect(geometryEquals(box(1, 2, 3, 4), shuffled)).toBe(true);
    const extra: GeometryValue = Object.assign(box(1, 2, 3, 4), { note: "ignored" });
    expect(geometryEquals(extra, box(1, 2, 3, 4))).toBe(true);
  });

  it("uses === on numbers: 0 equals -0, NaN equals nothing but its own geometry", () => {
    expect(geometryEquals(box(0, 0, 1, 1), box(-0, 0, 1, 1))).toBe(true);
    const bad = box(Number.NaN, 0, 1, 1);
    expect(geometryEquals(bad, box(Number.NaN, 0, 1, 1))).toBe(false);
    expect(geometryEquals(bad, bad)).toBe(true);
  });

  it("compares empty polygons as equal", () => {
    expect(geometryEquals(poly(), poly())).toBe(true);
    expect(geometryEquals(poly(), poly([0, 0]))).toBe(false);
  });
});
