import { type Estimate, meanInterval, wilsonInterval, Z_95 } from "./interval.js";
import { f1Estimate } from "./metrics.js";
import type { ImageMatch } from "./types.js";

/**
 * What comparisons found, as sums that can be stored, added and subtracted: the report keeps these
 * per annotator and week and derives every score from them, so a total over 100k images is as
 * exact as one over the matches themselves. `iouSqSum` (the sum of squared IoUs) gives the spread
 * the mean IoU's interval needs.
 */
export interface ComparisonTotals {
  readonly comparisons: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly mismatched: number;
  readonly lowOverlap: number;
  readonly iouSum: number;
  readonly iouSqSum: number;
  readonly tagTp: number;
  readonly tagFp: number;
  readonly tagFn: number;
}

export const ZERO_TOTALS: ComparisonTotals = {
  comparisons: 0,
  tp: 0,
  fp: 0,
  fn: 0,
  mismatched: 0,
  lowOverlap: 0,
  iouSum: 0,
  iouSqSum: 0,
  tagTp: 0,
  tagFp: 0,
  tagFn: 0,
};

/** One image's comparison as totals (comparisons = 1). */
export const totalsOfMatch = (match: ImageMatch): ComparisonTotals => {
  let iouSum = 0;
  let iouSqSum = 0;
  let lowOverlap = 0;
  for (const m of match.matches) {
    iouSum += m.iou;
    iouSqSum += m.iou * m.iou;
    if (m.lowOverlap) lowOverlap++;
  }
  return {
    comparisons: 1,
    tp: match.matches.length,
    fp: match.extra.length,
    fn: match.missing.length,
    mismatched: match.mismatches.length,
    lowOverlap,
    iouSum,
    iouSqSum,
    tagTp: match.tags.matched.length,
    tagFp: match.tags.extra.length,
    tagFn: match.tags.missing.length,
  };
};

export const addTotals = (a: ComparisonTotals, b: ComparisonTotals): ComparisonTotals => ({
  comparisons: a.comparisons + b.comparisons,
  tp: a.tp + b.tp,
  fp: a.fp + b.fp,
  fn: a.fn + b.fn,
  mismatched: a.mismatched + b.mismatched,
  lowOverlap: a.lowOverlap + b.lowOverlap,
  iouSum: a.iouSum + b.iouSum,
  iouSqSum: a.iouSqSum + b.iouSqSum,
  tagTp: a.tagTp + b.tagTp,
  tagFp: a.tagFp + b.tagFp,
  tagFn: a.tagFn + b.tagFn,
});

/**
 * `meanInterval` from sums instead of the values: mean = Σx / n, sample variance
 * (Σx² − (Σx)²/n) / (n − 1) (clamped at 0 against rounding), the same normal interval clipped to
 * [0, 1]; under two values [0, 1].
 */
export const meanIntervalOfSums = (n: number, sum: number, sumSq: number, z = Z_95): Estimate => {
  if (n === 0) return meanInterval([]);
  const mean = sum / n;
  if (n < 2) return { value: mean, n, low: 0, high: 1 };
  const variance = Math.max(0, (sumSq - (sum * sum) / n) / (n - 1));
  const half = z * Math.sqrt(variance / n);
  return { value: mean, n, low: Math.max(0, mean - half), high: Math.min(1, mean + half) };
};

export interface TotalScores {
  readonly precision: Estimate;
  readonly recall: Estimate;
  readonly f1: Estimate;
  readonly accuracy: Estimate;
  readonly meanIou: Estimate;
  readonly tagAccuracy: Estimate;
}

/** The scores of `qualityMetrics`, from totals (docs/quality-metrics.md). */
export const scoresOfTotals = (t: ComparisonTotals): TotalScores => ({
  precision: wilsonInterval(t.tp, t.tp + t.fp + t.mismatched),
  recall: wilsonInterval(t.tp, t.tp + t.fn + t.mismatched),
  f1: f1Estimate(t.tp, t.fp + t.mismatched, t.fn + t.mismatched),
  accuracy: wilsonInterval(t.tp, t.tp + t.fp + t.fn + t.mismatched),
  meanIou: meanIntervalOfSums(t.tp, t.iouSum, t.iouSqSum),
  tagAccuracy: wilsonInterval(t.tagTp, t.tagTp + t.tagFp + t.tagFn),
});
