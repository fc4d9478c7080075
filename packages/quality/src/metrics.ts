import type { Id } from "@labelbench/schema";
import { type Estimate, meanInterval, wilsonInterval } from "./interval.js";
import type { ImageMatch } from "./types.js";

/** Shape outcomes: TP matched pairs, FP extra checked shapes, FN missing reference shapes. */
export interface MatchCounts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly mismatched: number;
  readonly lowOverlap: number;
}

/** One cell of the confusion matrix; `null` is "no shape" (a missing or an extra one). */
export interface ConfusionCell {
  readonly reference: Id | null;
  readonly checked: Id | null;
  readonly count: number;
}

export interface LabelMetrics {
  readonly labelId: Id;
  readonly counts: { readonly tp: number; readonly fp: number; readonly fn: number };
  readonly precision: Estimate;
  readonly recall: Estimate;
  /** TP / (TP + FP + FN) of this label, CVAT's per-label accuracy. */
  readonly accuracy: Estimate;
}

export interface QualityMetrics {
  readonly images: number;
  readonly counts: MatchCounts;
  readonly precision: Estimate;
  readonly recall: Estimate;
  readonly f1: Estimate;
  readonly accuracy: Estimate;
  readonly meanIou: Estimate;
  /** Images whose tag sets are equal, out of all images. */
  readonly tagAgreement: Estimate;
  readonly confusion: readonly ConfusionCell[];
  readonly perLabel: readonly LabelMetrics[];
}

export const matchCounts = (results: readonly ImageMatch[]): MatchCounts => {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let mismatched = 0;
  let lowOverlap = 0;
  for (const r of results) {
    tp += r.matches.length;
    fp += r.extra.length;
    fn += r.missing.length;
    mismatched += r.mismatches.length;
    for (const m of r.matches) if (m.lowOverlap) lowOverlap++;
  }
  return { tp, fp, fn, mismatched, lowOverlap };
};

/**
 * F1 is not a share of trials, so its interval comes from one that is: with mismatches counted as
 * both a false positive and a false negative, J = TP / (TP + FP' + FN') is a share of the union of
 * objects and F1 = 2J / (1 + J) rises with it, so the Wilson bounds of J map to bounds of F1.
 */
export const f1Estimate = (tp: number, fpAll: number, fnAll: number): Estimate => {
  const j = wilsonInterval(tp, tp + fpAll + fnAll);
  const f = (x: number) => (2 * x) / (1 + x);
  return { value: j.value === null ? null : f(j.value), n: j.n, low: f(j.low), high: f(j.high) };
};

/** The confusion cells of one or more matches, sorted by reference then checked label (none last). */
export const confusionOf = (results: readonly ImageMatch[]): ConfusionCell[] => {
  const cells = new Map<string, { reference: Id | null; checked: Id | null; count: number }>();
  const add = (reference: Id | null, checked: Id | null) => {
    const key = `${reference}:${checked}`;
    const cell = cells.get(key);
    if (cell) cell.count++;
    else cells.set(key, { reference, checked, count: 1 });
  };
  for (const r of results) {
    for (const m of r.matches) add(m.labelId, m.labelId);
    for (const m of r.mismatches) add(m.referenceLabelId, m.checkedLabelId);
    for (const s of r.missing) add(s.labelId, null);
    for (const s of r.extra) add(null, s.labelId);
  }
  const order = (id: Id | null) => (id === null ? Number.POSITIVE_INFINITY : id);
  return [...cells.values()].sort(
    (a, b) => order(a.reference) - order(b.reference) || order(a.checked) - order(b.checked),
  );
};

/** Each label's TP, FP, FN, precision, recall and accuracy from confusion cells. */
export const perLabelOf = (confusion: readonly ConfusionCell[]): LabelMetrics[] => {
  const counts = new Map<Id, { tp: number; fp: number; fn: number }>();
  const of = (id: Id) => {
    let c = counts.get(id);
    if (!c) {
      c = { tp: 0, fp: 0, fn: 0 };
      counts.set(id, c);
    }
    return c;
  };
  for (const cell of confusion) {
    if (cell.reference !== null && cell.reference === cell.checked) of(cell.reference).tp += cell.count;
    else {
      if (cell.reference !== null) of(cell.reference).fn += cell.count;
      if (cell.checked !== null) of(cell.checked).fp += cell.count;
    }
  }
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([labelId, c]) => ({
      labelId,
      counts: c,
      precision: wilsonInterval(c.tp, c.tp + c.fp),
      recall: wilsonInterval(c.tp, c.tp + c.fn),
      accuracy: wilsonInterval(c.tp, c.tp + c.fp + c.fn),
    }));
};

/**
 * Metrics over one image's match or many (summed, not averaged per image), each with its n and a
 * 95 % interval. As in CVAT, a label mismatch is a checked shape that is wrong and a reference
 * shape that was not found: it counts against precision and recall, and once in accuracy's
 * denominator. docs/quality-metrics.md states every formula.
 */
export const qualityMetrics = (input: ImageMatch | readonly ImageMatch[]): QualityMetrics => {
  const results: readonly ImageMatch[] = Array.isArray(input) ? input : [input as ImageMatch];
  const counts = matchCounts(results);
  const { tp, fp, fn, mismatched } = counts;
  const ious: number[] = [];
  for (const r of results) for (const m of r.matches) ious.push(m.iou);
  const confusion = confusionOf(results);
  return {
    images: results.length,
    counts,
    precision: wilsonInterval(tp, tp + fp + mismatched),
    recall: wilsonInterval(tp, tp + fn + mismatched),
    f1: f1Estimate(tp, fp + mismatched, fn + mismatched),
    accuracy: wilsonInterval(tp, tp + fp + fn + mismatched),
    meanIou: meanInterval(ious),
    tagAgreement: wilsonInterval(results.filter((r) => r.tags.agree).length, results.length),
    confusion,
    perLabel: perLabelOf(confusion),
  };
};
