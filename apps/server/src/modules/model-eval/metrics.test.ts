import { meanInterval } from "@labelbench/quality";
import type { Geometry } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { goldScores, meanFromSums, secondsSummary } from "./metrics.js";

const box = (x: number, y: number, width: number, height: number): Geometry => ({
  type: "box",
  x,
  y,
  width,
  height,
});

describe("a run scored on the gold images", () => {
  const reference = [
    { imageId: 1, labelId: 10, geometry: box(0, 0, 10, 10) },
    { imageId: 1, labelId: 11, geometry: box(50, 50, 40, 40) },
    { imageId: 2, labelId: 10, geometry: box(5, 5, 20, 20) },
  ];

  it("every reference shape found at its place and label: 1 everywhere", () => {
    const s = goldScores(
      [1, 2],
      [10, 11],
      reference,
      reference.map((r) => ({ ...r, score: 0.9 })),
    );
    expect(s.bbox).toEqual({ map: 1, ap50: 1, ap75: 1, ar100: 1 });
    expect(s.segm).toEqual({ map: 1, ap50: 1, ap75: 1, ar100: 1 });
  });

  it("a wrong label is a miss and a false positive; labels with no reference shape are left out", () => {
    const preds = [
      { imageId: 1, labelId: 10, geometry: box(0, 0, 10, 10), score: 0.9 },
      { imageId: 1, labelId: 10, geometry: box(50, 50, 40, 40), score: 0.8 }, // label 11 in the reference
      { imageId: 2, labelId: 10, geometry: box(5, 5, 20, 20), score: 0.7 },
    ];
    const s = goldScores([1, 2], [10, 11, 12], reference, preds);
    // label 10: hits at .9 and .7, the fp at .8 between them → rc [.5, .5, 1], pr [1, .5, 2/3]
    //   envelope [1, 2/3, 2/3]: 51 points at 1, 50 at 2/3; label 11: nothing found, 0
    const label10 = (51 + 50 * (2 / 3)) / 101;
    expect(s.bbox.map).toBeCloseTo(label10 / 2, 12);
    expect(s.bbox.ar100).toBeCloseTo(0.5, 12);
  });

  it("a polygon is measured by its outline in segm and by its bounding box in bbox", () => {
    const triangle: Geometry = {
      type: "polygon",
      points: [
        [0, 0],
        [10, 0],
        [10, 10],
      ],
    };
    const s = goldScores(
      [1],
      [10],
      [reference[0] as never],
      [{ imageId: 1, labelId: 10, geometry: triangle, score: 1 }],
    );
    expect(s.bbox.map).toBe(1);
    expect(s.segm.ap50).toBe(1); // IoU exactly .5
    expect(s.segm.ap75).toBe(0);
  });

  it("no reference shapes: nothing to average, null rather than COCOeval's -1", () => {
    expect(goldScores([1], [10], [], []).bbox).toEqual({ map: null, ap50: null, ap75: null, ar100: null });
  });
});

describe("seconds per image and mean edit", () => {
  it("mean and median with n; none measured: null", () => {
    expect(secondsSummary([30, 10, 20, 100])).toEqual({ n: 4, mean: 40, median: 25 });
    expect(secondsSummary([7])).toEqual({ n: 1, mean: 7, median: 7 });
    expect(secondsSummary([])).toEqual({ n: 0, mean: null, median: null });
  });

  it("the mean from sums equals quality's meanInterval on the values", () => {
    const values = [0, 0, 0.1, 0.35, 0.02, 0];
    const sum = values.reduce((a, b) => a + b, 0);
    const squares = values.reduce((a, b) => a + b * b, 0);
    const fromSums = meanFromSums(values.length, sum, squares);
    const direct = meanInterval(values);
    expect(fromSums.value).toBeCloseTo(direct.value ?? Number.NaN, 12);
    expect(fromSums.low).toBeCloseTo(direct.low, 12);
    expect(fromSums.high).toBeCloseTo(direct.high, 12);
    expect(meanFromSums(0, 0, 0)).toEqual({ value: null, n: 0, low: 0, high: 1 });
    expect(meanFromSums(1, 0.2, 0.04)).toEqual({ value: 0.2, n: 1, low: 0, high: 1 });
  });
});
