import { describe, expect, it } from "vitest";
import { wilsonInterval } from "./interval.js";
import { qualityMetrics } from "./metrics.js";
import type { ImageMatch } from "./types.js";

const noTags = { matched: [], missing: [], extra: [], agree: true };

// One image: 6 matches (labels 1 and 2), 1 mismatch (reference 1 drawn as 2), 2 missing (label 1),
// 1 extra (label 3); and a second image with 2 matches and tags that disagree.
const first: ImageMatch = {
  matches: [
    { reference: 0, checked: 0, labelId: 1, iou: 0.9, lowOverlap: false },
    { reference: 1, checked: 1, labelId: 1, iou: 0.8, lowOverlap: false },
    { reference: 2, checked: 2, labelId: 1, iou: 0.7, lowOverlap: true },
    { reference: 3, checked: 3, labelId: 2, iou: 1, lowOverlap: false },
    { reference: 4, checked: 4, labelId: 2, iou: 0.6, lowOverlap: true },
    { reference: 5, checked: 5, labelId: 2, iou: 0.8, lowOverlap: false },
  ],
  mismatches: [
    { reference: 6, checked: 6, referenceLabelId: 1, checkedLabelId: 2, iou: 0.9, lowOverlap: false },
  ],
  missing: [
    { index: 7, labelId: 1 },
    { index: 8, labelId: 1 },
  ],
  extra: [{ index: 7, labelId: 3 }],
  tags: noTags,
};
const second: ImageMatch = {
  matches: [
    { reference: 0, checked: 0, labelId: 2, iou: 0.9, lowOverlap: false },
    { reference: 1, checked: 1, labelId: 2, iou: 0.8, lowOverlap: false },
  ],
  mismatches: [],
  missing: [],
  extra: [],
  tags: { matched: [], missing: [4], extra: [], agree: false },
};

describe("qualityMetrics", () => {
  it("counts and CVAT's formulas, by hand", () => {
    const m = qualityMetrics([first, second]);
    // TP 8, FP 1, FN 2, mismatched 1.
    expect(m.counts).toEqual({ tp: 8, fp: 1, fn: 2, mismatched: 1, lowOverlap: 2 });
    expect(m.images).toBe(2);
    // precision = TP / (TP + FP + M) = 8/10; recall = TP / (TP + FN + M) = 8/11.
    expect(m.precision).toEqual(wilsonInterval(8, 10));
    expect(m.recall).toEqual(wilsonInterval(8, 11));
    // accuracy = TP / (TP + FP + FN + M) = 8/12.
    expect(m.accuracy).toEqual(wilsonInterval(8, 12));
    expect(m.accuracy.value).toBeCloseTo(2 / 3, 12);
    // F1 = 2PR / (P + R) = 2·0.8·(8/11) / (0.8 + 8/11) = 16/21, over n = TP + FP' + FN' = 8 + 2 + 3.
    expect(m.f1.value).toBeCloseTo(16 / 21, 12);
    expect(m.f1.n).toBe(13);
    expect(m.f1.low).toBeLessThan(m.f1.value!);
    expect(m.f1.high).toBeGreaterThan(m.f1.value!);
    // Mean IoU over the 8 matches: (0.9+0.8+0.7+1+0.6+0.8+0.9+0.8)/8 = 6.5/8.
    expect(m.meanIou.value).toBeCloseTo(6.5 / 8, 12);
    expect(m.meanIou.n).toBe(8);
    expect(m.tagAgreement).toEqual(wilsonInterval(1, 2));
  });

  it("the confusion matrix and per-label precision and recall", () => {
    const m = qualityMetrics([first, second]);
    expect(m.confusion).toEqual([
      { reference: 1, checked: 1, count: 3 },
      { reference: 1, checked: 2, count: 1 },
      { reference: 1, checked: null, count: 2 },
      { reference: 2, checked: 2, count: 5 },
      { reference: null, checked: 3, count: 1 },
    ]);
    expect(m.perLabel.map((l) => [l.labelId, l.counts])).toEqual([
      [1, { tp: 3, fp: 0, fn: 3 }],
      [2, { tp: 5, fp: 1, fn: 0 }],
      [3, { tp: 0, fp: 1, fn: 0 }],
    ]);
    expect(m.perLabel[0]!.recall).toEqual(wilsonInterval(3, 6));
    expect(m.perLabel[1]!.precision).toEqual(wilsonInterval(5, 6));
    // Per-label accuracy TP / (TP + FP + FN): label 1 3/6, label 2 5/6, label 3 0/1.
    expect(m.perLabel.map((l) => l.accuracy.value)).toEqual([0.5, 5 / 6, 0]);
  });

  it("one image alone is the same as a list of one; nothing to measure gives no values", () => {
    expect(qualityMetrics(first)).toEqual(qualityMetrics([first]));
    const empty = qualityMetrics({ matches: [], mismatches: [], missing: [], extra: [], tags: noTags });
    expect(empty.accuracy).toEqual({ value: null, n: 0, low: 0, high: 1 });
    expect(empty.f1.value).toBeNull();
    expect(empty.meanIou.value).toBeNull();
    expect(empty.tagAgreement.value).toBe(1);
  });
});
