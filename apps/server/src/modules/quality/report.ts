import {
  addTotals,
  type ComparisonTotals,
  CVAT_MATCH_OPTIONS,
  DEFAULT_MATCH_OPTIONS,
  f1Estimate,
  perLabelOf,
  scoresOfTotals,
  wilsonInterval,
  ZERO_TOTALS,
} from "@labelbench/quality";
import type {
  AgreementMatrix,
  AnnotatorQualityRow,
  ConfusionCell,
  ConfusionMatrix,
  LabelQualityRow,
  MatchSettings,
  QualityCounts,
  QualityScores,
  ReviewerPrecisionRow,
  WeekQualityRow,
} from "@labelbench/schema";
import type { z } from "zod";
import type { ConfusionRow, TotalsRow, WorkRow } from "./report-repo.js";

/**
 * The report's tables from the kept totals (pure: report-repo reads, this sums). Every score is
 * computed from summed counts (a micro-average), never averaged over rows.
 */

export const totalsOfRow = (r: TotalsRow): ComparisonTotals => ({
  comparisons: Number(r.comparisons),
  tp: Number(r.tp),
  fp: Number(r.fp),
  fn: Number(r.fn),
  mismatched: Number(r.mismatched),
  lowOverlap: Number(r.low_overlap),
  iouSum: Number(r.iou_sum),
  iouSqSum: Number(r.iou_sq_sum),
  tagTp: Number(r.tag_tp),
  tagFp: Number(r.tag_fp),
  tagFn: Number(r.tag_fn),
});

export const countsOf = (t: ComparisonTotals): QualityCounts => ({
  comparisons: t.comparisons,
  tp: t.tp,
  fp: t.fp,
  fn: t.fn,
  mismatched: t.mismatched,
  lowOverlap: t.lowOverlap,
  tagTp: t.tagTp,
  tagFp: t.tagFp,
  tagFn: t.tagFn,
});

export const scoresOf = (t: ComparisonTotals): QualityScores => scoresOfTotals(t);

export const sumBy = <K>(rows: readonly TotalsRow[], key: (r: TotalsRow) => K): Map<K, ComparisonTotals> => {
  const out = new Map<K, ComparisonTotals>();
  for (const r of rows) {
    const k = key(r);
    out.set(k, addTotals(out.get(k) ?? ZERO_TOTALS, totalsOfRow(r)));
  }
  return out;
};

/** Stored label 0 is "no shape". */
const side = (id: number): number | null => (Number(id) === 0 ? null : Number(id));

export const confusionCells = (rows: readonly ConfusionRow[]): ConfusionCell[] => {
  const cells = new Map<string, ConfusionCell>();
  for (const r of rows) {
    const reference = side(r.reference_label_id);
    const checked = side(r.checked_label_id);
    const key = `${reference}:${checked}`;
    const was = cells.get(key);
    cells.set(key, { reference, checked, count: (was?.count ?? 0) + Number(r.n) });
  }
  const order = (id: number | null) => (id === null ? Number.POSITIVE_INFINITY : id);
  return [...cells.values()]
    .filter((c) => c.count > 0)
    .sort((a, b) => order(a.reference) - order(b.reference) || order(a.checked) - order(b.checked));
};

/** The most frequent mistakes: off-diagonal cells (mismatches, missing, extra), most first. */
export const topConfusions = (cells: readonly ConfusionCell[], k = 3): ConfusionCell[] =>
  cells
    .filter((c) => c.reference !== c.checked)
    .sort((a, b) => b.count - a.count)
    .slice(0, k);

export const labelRows = (
  cells: readonly ConfusionCell[],
  names: ReadonlyMap<number, string>,
): LabelQualityRow[] =>
  perLabelOf(cells).map((l) => ({
    labelId: l.labelId,
    name: names.get(l.labelId) ?? `label ${l.labelId}`,
    tp: l.counts.tp,
    fp: l.counts.fp,
    fn: l.counts.fn,
    precision: l.precision,
    recall: l.recall,
    accuracy: l.accuracy,
  }));

export const weekRows = (rows: readonly TotalsRow[]): WeekQualityRow[] =>
  [...sumBy(rows, (r) => r.week).entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([week, t]) => ({ week, counts: countsOf(t), scores: scoresOf(t) }));

export const confusionMatrix = (
  cells: readonly ConfusionCell[],
  labels: readonly { id: number; name: string; color: string }[],
): ConfusionMatrix => {
  const used = new Set<number>();
  for (const c of cells) {
    if (c.reference !== null) used.add(c.reference);
    if (c.checked !== null) used.add(c.checked);
  }
  return { labels: labels.filter((l) => used.has(l.id)), cells: [...cells] };
};

/**
 * Reviewer precision from the audits (review-audits' counts per reviewer and state): upheld /
 * (upheld + overturned); open audits have no verdict yet. A reviewer reads their own row, as on
 * the audits page; managers every reviewer's.
 */
export const reviewerRows = (
  counts: readonly { reviewer_id: number | null; name: string; state: string; n: number }[],
  onlyUserId: number | undefined,
): ReviewerPrecisionRow[] => {
  const by = new Map<number, { name: string; upheld: number; overturned: number }>();
  for (const r of counts) {
    if (r.reviewer_id === null || (onlyUserId !== undefined && r.reviewer_id !== onlyUserId)) continue;
    const row = by.get(r.reviewer_id) ?? { name: r.name, upheld: 0, overturned: 0 };
    if (r.state === "upheld") row.upheld += Number(r.n);
    else if (r.state === "overturned") row.overturned += Number(r.n);
    by.set(r.reviewer_id, row);
  }
  return [...by.entries()]
    .sort(([a], [b]) => a - b)
    .map(([userId, r]) => ({
      userId,
      name: r.name,
      audited: r.upheld + r.overturned,
      upheld: r.upheld,
      precision: wilsonInterval(r.upheld, r.upheld + r.overturned),
    }));
};

/** One cell per pair of annotators (a < b) and each annotator's pairs summed; F1 as in the report. */
export const agreementMatrix = (
  overlap: readonly TotalsRow[],
  names: ReadonlyMap<number, string>,
): AgreementMatrix => {
  const pairs = sumBy(overlap, (r) => `${r.checked_user_id}:${r.reference_key}`);
  const per = new Map<number, ComparisonTotals>();
  const cells = [...pairs.entries()].map(([key, t]) => {
    const [a, b] = key.split(":").map(Number) as [number, number];
    per.set(a, addTotals(per.get(a) ?? ZERO_TOTALS, t));
    // Seen from b the same pair has FP and FN swapped; F1 is the same.
    per.set(
      b,
      addTotals(per.get(b) ?? ZERO_TOTALS, { ...t, fp: t.fn, fn: t.fp, tagFp: t.tagFn, tagFn: t.tagFp }),
    );
    return { a, b, images: t.comparisons, counts: countsOf(t), f1: f1Of(t) };
  });
  cells.sort((x, y) => x.a - y.a || x.b - y.b);
  const ids = [...per.keys()].sort((x, y) => x - y);
  return {
    annotators: ids.map((userId) => ({ userId, name: names.get(userId) ?? `user ${userId}` })),
    cells,
    perAnnotator: ids.map((userId) => {
      const t = per.get(userId)!;
      return { userId, images: t.comparisons, f1: f1Of(t) };
    }),
  };
};

/** As `agreement` in packages/quality: tags count as objects beside the shapes. */
const f1Of = (t: ComparisonTotals) =>
  f1Estimate(t.tp + t.tagTp, t.fp + t.tagFp + t.mismatched, t.fn + t.tagFn + t.mismatched);

/** The workflow's numbers of one person (report-repo's workTotalsIn), zero when they have none. */
export interface PersonNumbers {
  activeSeconds: number;
  imagesSubmitted: number;
  copiesSubmitted: number;
  decisions: number;
  firstDecisions: number;
  firstAccepted: number;
  rejected: number;
}

export const personNumbers = (r: WorkRow | undefined): PersonNumbers => ({
  activeSeconds: Number(r?.active_seconds ?? 0),
  imagesSubmitted: Number(r?.images_submitted ?? 0),
  copiesSubmitted: Number(r?.copies_submitted ?? 0),
  decisions: Number(r?.decisions ?? 0),
  firstDecisions: Number(r?.first_decisions ?? 0),
  firstAccepted: Number(r?.first_accepted ?? 0),
  rejected: Number(r?.rejected ?? 0),
});

export const annotatorRow = (
  userId: number,
  name: string,
  totals: ComparisonTotals,
  cells: readonly ConfusionCell[],
  p: PersonNumbers,
): AnnotatorQualityRow => {
  const submitted = p.imagesSubmitted + p.copiesSubmitted;
  return {
    userId,
    name,
    counts: countsOf(totals),
    scores: scoresOf(totals),
    topConfusions: topConfusions(cells),
    throughput: {
      activeSeconds: p.activeSeconds,
      imagesSubmitted: submitted,
      imagesPerActiveHour: p.activeSeconds > 0 ? submitted / (p.activeSeconds / 3600) : null,
    },
    firstPassYield: wilsonInterval(p.firstAccepted, p.firstDecisions),
    rework: wilsonInterval(p.rejected, p.decisions),
  };
};

export const matchSettings = (preset: string | null): z.infer<typeof MatchSettings> => {
  const p = preset === "cvat" ? "cvat" : "default";
  const o = p === "cvat" ? CVAT_MATCH_OPTIONS : DEFAULT_MATCH_OPTIONS;
  return { preset: p, matchThreshold: o.matchThreshold, lowOverlapThreshold: o.lowOverlapThreshold };
};
