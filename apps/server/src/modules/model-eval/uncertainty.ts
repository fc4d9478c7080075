import type { UncertaintyMeasure } from "@labelbench/schema";

/**
 * Active learning's ordering rules (issue 17), pure; the SQL that feeds them is in
 * active-learning-repo.ts, the queue that calls them in modules/review/service.ts.
 *
 * An image's uncertainty comes from one run's predictions on it: least-confidence is
 * 1 − the top score; margin is 1 − (top − second score), so for both a larger value is a less sure
 * model (an image with one prediction has a margin of its top score: the runner-up is "nothing").
 */

/** What is kept per (run, image): see table prediction_image_scores. */
export interface ImageScores {
  readonly topLabelId: number;
  readonly topScore: number;
  /** top − second score; the top score when there is only one prediction. */
  readonly margin: number;
}

/** The scores of one image from its predictions (label and score each); undefined without any. */
export const imageScoresOf = (
  predictions: readonly { readonly labelId: number; readonly score: number }[],
): ImageScores | undefined => {
  let top: { labelId: number; score: number } | undefined;
  let second = 0;
  for (const p of predictions) {
    if (top === undefined || p.score > top.score) {
      if (top !== undefined) second = top.score;
      top = p;
    } else if (p.score > second) second = p.score;
  }
  return top && { topLabelId: top.labelId, topScore: top.score, margin: top.score - second };
};

export const uncertaintyOf = (
  s: Pick<ImageScores, "topScore" | "margin">,
  measure: UncertaintyMeasure,
): number => (measure === "least-confidence" ? 1 - s.topScore : 1 - s.margin);

/** The least sure free image of one top label: what the queue chooses among. */
export interface Candidate {
  readonly imageId: number;
  readonly labelId: number;
  readonly uncertainty: number;
}

/**
 * The diversity rule: the most uncertain candidate whose top label is not among the labels of the
 * last `diversity` hand-outs (`recent`, newest first). The window shrinks to one less than the
 * labels that still have candidates, so something is always handed out; with as many labels as
 * diversity + 1 this is a round-robin across labels, with diversity 0 pure uncertainty order.
 * Ties: lower image id first.
 */
export const pickNext = (
  candidates: readonly Candidate[],
  recent: readonly number[],
  diversity: number,
): Candidate | undefined => {
  const labels = new Set(candidates.map((c) => c.labelId));
  const window = Math.max(0, Math.min(diversity, labels.size - 1));
  const blocked = new Set(recent.slice(0, window));
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (blocked.has(c.labelId)) continue;
    if (
      best === undefined ||
      c.uncertainty > best.uncertainty ||
      (c.uncertainty === best.uncertainty && c.imageId < best.imageId)
    )
      best = c;
  }
  return best;
};

/** The recent labels after handing out an image of `labelId`: newest first, `keep` long at most. */
export const rememberLabel = (recent: readonly number[], labelId: number, keep: number): number[] =>
  [labelId, ...recent].slice(0, Math.max(0, keep));

/**
 * The whole order the queue would hand `images` out in (each with its uncertainty and top label),
 * as repeated `pickNext` over the best remaining image per label: what the tests and the docs use
 * to show the rule, and what the queue computes one step at a time from SQL.
 */
export const queueOrder = (
  images: readonly Candidate[],
  diversity: number,
  recent: readonly number[] = [],
): number[] => {
  const byLabel = new Map<number, Candidate[]>();
  for (const c of images) {
    const list = byLabel.get(c.labelId);
    if (list) list.push(c);
    else byLabel.set(c.labelId, [c]);
  }
  for (const list of byLabel.values())
    list.sort((a, b) => b.uncertainty - a.uncertainty || a.imageId - b.imageId);
  const out: number[] = [];
  let memory = [...recent];
  for (;;) {
    const heads = [...byLabel.values()].flatMap((l) => (l[0] ? [l[0]] : []));
    const next = pickNext(heads, memory, diversity);
    if (!next) return out;
    out.push(next.imageId);
    byLabel.get(next.labelId)?.shift();
    memory = rememberLabel(memory, next.labelId, diversity);
  }
};
