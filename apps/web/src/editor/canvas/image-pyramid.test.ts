import { describe, expect, it } from "vitest";
import { levelSizes, pickLevel, sourceRect } from "./image-pyramid";

describe("image pyramid", () => {
  it("halves a big image down to about 512 px", () => {
    expect(levelSizes(4000, 3000).map((l) => [l.factor, l.width, l.height])).toEqual([
      [1, 4000, 3000],
      [0.5, 2000, 1500],
      [0.25, 1000, 750],
    ]);
    expect(levelSizes(640, 480)).toHaveLength(1);
  });

  it("picks the smallest level that still has a level pixel per screen pixel", () => {
    const levels = levelSizes(4000, 3000).map((l) => ({ ...l, bitmap: l.factor }));
    expect(pickLevel(levels, 0.2)?.factor).toBe(0.25);
    expect(pickLevel(levels, 0.25)?.factor).toBe(0.25);
    expect(pickLevel(levels, 0.3)?.factor).toBe(0.5);
    expect(pickLevel(levels, 0.05)?.factor).toBe(0.25);
    expect(pickLevel(levels, 8)?.factor).toBe(1);
  });

  it("draws only the visible part, widened to whole level pixels and clamped to the image", () => {
    const image = { width: 100, height: 80 };
    expect(sourceRect({ minX: 10.3, minY: -5, maxX: 20.2, maxY: 30.5 }, image, 1)).toEqual({
      x: 10,
      y: 0,
      width: 11,
      height: 31,
    });
    expect(sourceRect({ minX: 10.3, minY: 0, maxX: 20.2, maxY: 10 }, image, 0.5)).toEqual({
      x: 10,
      y: 0,
      width: 12,
      height: 10,
    });
    expect(sourceRect({ minX: 150, minY: 0, maxX: 200, maxY: 10 }, image, 1)).toBeNull();
  });
});
