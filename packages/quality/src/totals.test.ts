import { describe, expect, it } from "vitest";
import { meanInterval } from "./interval.js";
import { qualityMetrics } from "./metrics.js";
import { addTotals, meanIntervalOfSums, scoresOfTotals, totalsOfMatch, ZERO_TOTALS } from "./totals.js";
import type { ImageMatch } from "./types.js";

const image = (seed: number): ImageMatch => {
  let s = seed;
  const r = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const n = (k: number) => Math.floor(r() * k);
  return {
    matches: Array.from({ length: n(12) }, (_, i) => {
      const iou = 0.5 + r() / 2;
      return { reference: i, checked: i, labelId: 1 + n(3), iou, lowOverlap: iou < 0.75 };
    }),
    mismatches: Array.from({ length: n(3) }, (_, i) => ({
      reference: 20 + i,
      checked: 20 + i,
      referenceLabelId: 1,
      checkedLabelId: 2,
      iou: 0.6,
      lowOverlap: true,
    })),
    missing: Array.from({ length: n(4) }, (_, i) => ({ index: 30 + i, labelId: 1 + n(3) })),
    extra: Array.from({ length: n(4) }, (_, i) => ({ index: 30 + i, labelId: 1 + n(3) })),
    tags: { matched: [1], missing: n(2) ? [2] : [], extra: n(2) ? [3] : [], agree: false },
  };
};

describe("totals", () => {
  it("scores from summed totals equal the metrics of the matches themselves", () => {
    for (let seed = 1; seed < 60; seed++) {
      const images = Array.from({ length: 1 + (seed % 7) }, (_, i) => image(seed * 31 + i));
      const totals = images.map(totalsOfMatch).reduce(addTotals, ZERO_TOTALS);
      const m = qualityMetrics(images);
      const s = scoresOfTotals(totals);
      expect(totals.comparisons).toBe(images.length);
      expect([totals.tp, totals.fp, totals.fn, totals.mismatched, totals.lowOverlap]).toEqual([
        m.counts.tp,
        m.counts.fp,
        m.counts.fn,
        m.counts.mismatched,
        m.counts.lowOverlap,
      ]);
      expect(s.precision).toEqual(m.precision);
      expect(s.recall).toEqual(m.recall);
      expect(s.accuracy).toEqual(m.accuracy);
      expect(s.f1).toEqual(m.f1);
      expect(s.meanIou.n).toBe(m.meanIou.n);
      for (const k of ["value", "low", "high"] as const)
        expect(s.meanIou[k] ?? -1).toBeCloseTo(m.meanIou[k] ?? -1, 10);
    }
  });

  it("the mean interval from sums is the mean interval of the values", () => {
    const values = [0.9, 0.8, 0.7, 1, 0.6, 0.8, 0.9, 0.8];
    const sum = values.reduce((a, b) => a + b, 0);
    const sq = values.reduce((a, b) => a + b * b, 0);
    const a = meanIntervalOfSums(values.length, sum, sq);
    const b = meanInterval(values);
    expect(a.value).toBeCloseTo(b.value!, 12);
    expect(a.low).toBeCloseTo(b.low, 12);
    expect(a.high).toBeCloseTo(b.high, 12);
    expect(meanIntervalOfSums(0, 0, 0)).toEqual({ value: null, n: 0, low: 0, high: 1 });
    expect(meanIntervalOfSums(1, 0.7, 0.49)).toEqual({ value: 0.7, n: 1, low: 0, high: 1 });
    // Equal values: Σx² − (Σx)²/n is 0 up to rounding, which may fall either side: never NaN, at
    // most a hair of spread.
    for (const v of [0.3, 0.7, 0.1, 0.9]) {
      const e = meanIntervalOfSums(3, v * 3, v * v * 3);
      expect(e.low).toBeCloseTo(v, 6);
      expect(e.high).toBeCloseTo(v, 6);
    }
  });

  it("tag accuracy counts tag pairs", () => {
    const t = totalsOfMatch({
      matches: [],
      mismatches: [],
      missing: [],
      extra: [],
      tags: { matched: [1, 2], missing: [3], extra: [4], agree: false },
    });
    expect(scoresOfTotals(t).tagAccuracy.value).toBe(0.5);
    expect(scoresOfTotals(t).tagAccuracy.n).toBe(4);
  });
});
