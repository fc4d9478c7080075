import { describe, expect, it } from "vitest";
import { keepOutlines, MIN_OUTLINE_AREA } from "./outlines.js";

describe("several outlines, one rule (COCO polygons, results polygons, mask regions)", () => {
  const square = (x: number, side: number): [number, number][] => [
    [x, 0],
    [x + side, 0],
    [x + side, side],
    [x, side],
  ];

  it("keeps every outline at or above the floor, in order, and counts the specks left out", () => {
    expect(MIN_OUTLINE_AREA).toBe(1);
    const big = square(0, 10);
    const unit = square(20, 1);
    const speck = square(30, 0.5);
    expect(keepOutlines([big, speck, unit])).toEqual({ kept: [big, unit], specks: 1 });
  });

  it("keeps the largest when every outline is a speck: smallness alone never loses a segmentation", () => {
    const a = square(0, 0.2);
    const b = square(5, 0.5);
    expect(keepOutlines([a, b])).toEqual({ kept: [b], specks: 1 });
    expect(keepOutlines([a])).toEqual({ kept: [a], specks: 0 });
    expect(keepOutlines([])).toEqual({ kept: [], specks: 0 });
  });
});
