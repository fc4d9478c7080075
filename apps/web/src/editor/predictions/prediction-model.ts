import { geometryArea, geometryBounds, steppedObject } from "@labelbench/editor";
import { type Bounds, pointInPolygon } from "@labelbench/geometry";
import type { Geometry, Prediction, PredictionRun, PredictionState } from "@labelbench/schema";

/**
 * The editor's prediction layer as data (issue 17): which of an image's predictions are drawn, in
 * which order the keys step through them, and what "accept all visible" takes. Pure, so the page,
 * the canvas and the tests read the same answers.
 */

/** What the user filters the layer by; the page keeps it while moving between images. */
export interface PredictionFilter {
  /** Runs switched off in the run panel. */
  hiddenRuns: ReadonlySet<number>;
  /** The score slider of each run (absent: DEFAULT_MIN_SCORE). */
  runMin: ReadonlyMap<number, number>;
  /** A label's own slider in a run, replacing the run's for that label (key: labelKey). */
  labelMin: ReadonlyMap<string, number>;
}

export const DEFAULT_MIN_SCORE = 0;

export const EMPTY_FILTER: PredictionFilter = {
  hiddenRuns: new Set(),
  runMin: new Map(),
  labelMin: new Map(),
};

export const labelKey = (runId: number, labelId: number): string => `${runId}:${labelId}`;

/** The score a prediction of `runId` and `labelId` must reach to be drawn. */
export const thresholdOf = (f: PredictionFilter, runId: number, labelId: number): number =>
  f.labelMin.get(labelKey(runId, labelId)) ?? f.runMin.get(runId) ?? DEFAULT_MIN_SCORE;

/**
 * A prediction's state as this page knows it: the server's, unless a decision made here since says
 * otherwise (a reject sent, or reopened by Undo).
 */
export const stateOf = (p: Prediction, local: ReadonlyMap<number, PredictionState>): PredictionState =>
  local.get(p.id) ?? p.state;

/** What decides whether a prediction is drawn, besides the filter. */
export interface LayerContext {
  filter: PredictionFilter;
  local: ReadonlyMap<number, PredictionState>;
  /** Predictions already made shapes in the editor's document (accepted here, not saved yet maybe). */
  taken: ReadonlySet<number>;
  /** Labels hidden in the editor: their predictions hide too. */
  hiddenLabels: ReadonlySet<number>;
}

/** Still to decide: pending, and not already a shape of the document. */
export const isOpen = (p: Prediction, c: Pick<LayerContext, "local" | "taken">): boolean =>
  stateOf(p, c.local) === "pending" && !c.taken.has(p.id);

/** Drawn on the canvas (or offered as a tag): open, its run shown, its label shown, at or above its slider. */
export const isVisible = (p: Prediction, c: LayerContext): boolean =>
  isOpen(p, c) &&
  !c.filter.hiddenRuns.has(p.runId) &&
  !c.hiddenLabels.has(p.labelId) &&
  p.score >= thresholdOf(c.filter, p.runId, p.labelId);

export type ShapePrediction = Prediction & { geometry: Geometry };

export const isShapePrediction = (p: Prediction): p is ShapePrediction => p.geometry !== null;

/** Highest score first; equal scores by id, so the order is stable. */
const byScore = (a: Prediction, b: Prediction) => b.score - a.score || a.id - b.id;

/** The shape predictions drawn, highest score first: the stepping order and what "accept all" takes. */
export const visibleShapes = (predictions: readonly Prediction[], c: LayerContext): ShapePrediction[] =>
  predictions.filter((p): p is ShapePrediction => isShapePrediction(p) && isVisible(p, c)).sort(byScore);

/** Whole-image tag predictions offered in the tag panel, highest score first, minus tags the image has. */
export const suggestedTags = (
  predictions: readonly Prediction[],
  c: LayerContext,
  tags: readonly number[],
): Prediction[] => {
  const have = new Set(tags);
  const seen = new Set<number>();
  const out: Prediction[] = [];
  for (const p of [...predictions].sort(byScore)) {
    if (isShapePrediction(p) || !isVisible(p, c) || have.has(p.labelId) || seen.has(p.labelId)) continue;
    // Two runs suggesting one tag: the higher score speaks for both.
    seen.add(p.labelId);
    out.push(p);
  }
  return out;
};

/** The prediction after (1) or before (-1) the focused one in `order`, wrapping; the first or last when none is. */
export const stepPrediction = (
  order: readonly Prediction[],
  focusId: number | null,
  step: 1 | -1,
): Prediction | null => {
  const ids = order.map((p) => p.id);
  const next = steppedObject(ids, new Set(focusId === null ? [] : [focusId]), step);
  return next === null ? null : (order.find((p) => p.id === next) ?? null);
};

/** Whether image point (x, y) lies on a prediction's shape, `tolerance` image px round it. */
export const predictionContains = (p: ShapePrediction, x: number, y: number, tolerance: number): boolean => {
  const b = geometryBounds(p.geometry);
  if (x < b.minX - tolerance || x > b.maxX + tolerance || y < b.minY - tolerance || y > b.maxY + tolerance)
    return false;
  if (p.geometry.type === "box") return true;
  // Within the bounds' tolerance of an edge counts as on it, as for shapes.
  return (
    pointInPolygon(x, y, p.geometry.points) ||
    x < b.minX + tolerance ||
    x > b.maxX - tolerance ||
    y < b.minY + tolerance ||
    y > b.maxY - tolerance
  );
};

/** The smallest drawn prediction under the point (the one a user most likely aims at), or null. */
export const predictionAt = (
  shapes: readonly ShapePrediction[],
  x: number,
  y: number,
  tolerance: number,
): ShapePrediction | null => {
  let best: ShapePrediction | null = null;
  let bestArea = Number.POSITIVE_INFINITY;
  for (const p of shapes) {
    if (!predictionContains(p, x, y, tolerance)) continue;
    const area = geometryArea(p.geometry);
    if (area < bestArea) {
      best = p;
      bestArea = area;
    }
  }
  return best;
};

/** The image area every drawn prediction lies in, or null. */
export const extentOf = (shapes: readonly ShapePrediction[]): Bounds | null => {
  let out: Bounds | null = null;
  for (const p of shapes) {
    const b = geometryBounds(p.geometry);
    out = out
      ? {
          minX: Math.min(out.minX, b.minX),
          minY: Math.min(out.minY, b.minY),
          maxX: Math.max(out.maxX, b.maxX),
          maxY: Math.max(out.maxY, b.maxY),
        }
      : b;
  }
  return out;
};

/** Per state, this image's predictions of one run as this page knows them (decisions here included). */
export const imageCounts = (
  predictions: readonly Prediction[],
  runId: number,
  c: Pick<LayerContext, "local" | "taken">,
): PredictionRun["counts"] => {
  const counts = { pending: 0, accepted: 0, edited: 0, rejected: 0 };
  for (const p of predictions) {
    if (p.runId !== runId) continue;
    const st = stateOf(p, c.local);
    // Accepted here and not saved yet: counted as accepted (the save decides accepted or edited).
    counts[st === "pending" && c.taken.has(p.id) ? "accepted" : st] += 1;
  }
  return counts;
};

/** Labels a run predicts on this image, for its per-label sliders. */
export const runLabels = (predictions: readonly Prediction[], runId: number): number[] => [
  ...new Set(predictions.filter((p) => p.runId === runId).map((p) => p.labelId)),
];

/** A score as printed at a prediction: two decimals, "1.00" at the top. */
export const formatScore = (score: number): string => score.toFixed(2);

/** Prediction ids the document's shapes were accepted from. */
export const takenIds = (shapes: Iterable<{ predictionId?: number }>): Set<number> => {
  const out = new Set<number>();
  for (const s of shapes) if (s.predictionId !== undefined) out.add(s.predictionId);
  return out;
};
