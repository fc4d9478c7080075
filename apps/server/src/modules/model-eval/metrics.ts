import { type CocoBox, type DetectionSummary, evaluateDetections } from "@labelbench/formats";
import { geometryArea, geometryBounds, Z_95 } from "@labelbench/quality";
import type { CocoScores, Estimate, Geometry, SecondsPerImage } from "@labelbench/schema";

/**
 * A model version's numbers, pure (issue 17; docs/quality-metrics.md "Model versions"): COCOeval on
 * the gold images, and the summaries of decisions and editor time. service.ts reads the rows.
 */

export interface ShapeOnImage {
  readonly imageId: number;
  readonly labelId: number;
  readonly geometry: Geometry;
}
export interface ScoredShape extends ShapeOnImage {
  readonly score: number;
}

const bboxOf = (g: Geometry): CocoBox => {
  const b = geometryBounds(g);
  return [b.minX, b.minY, b.maxX - b.minX, b.maxY - b.minY];
};

/** COCO's polygon lists: a box as its four corners, a polygon as its points. */
const polygonsOf = (g: Geometry): number[][] => {
  if (g.type === "polygon") return [g.points.flat()];
  const [x, y, w, h] = bboxOf(g);
  return [[x, y, x + w, y, x + w, y + h, x, y + h]];
};

/** summarize()'s -1 ("nothing to average") as null. */
const orNull = (v: number): number | null => (v < 0 ? null : v);
const scoresOf = (s: DetectionSummary): CocoScores => ({
  map: orNull(s.ap),
  ap50: orNull(s.ap50),
  ap75: orNull(s.ap75),
  ar100: orNull(s.ar100),
});

/**
 * COCOeval of a run's shape predictions against the reference shapes of the gold images it
 * predicted on, as bbox and as segm. Categories are the project's labels; reference objects are
 * numbered from 1 (never 0, so COCOeval's id-0 quirk cannot bite) and none is a crowd region.
 */
export const goldScores = (
  imageIds: readonly number[],
  labelIds: readonly number[],
  reference: readonly ShapeOnImage[],
  predictions: readonly ScoredShape[],
): { bbox: CocoScores; segm: CocoScores } => {
  const groundTruth = reference.map((r, i) => ({
    id: i + 1,
    imageId: r.imageId,
    categoryId: r.labelId,
    bbox: bboxOf(r.geometry),
    area: geometryArea(r.geometry),
    segmentation: polygonsOf(r.geometry),
  }));
  const detections = predictions.map((p) => ({
    imageId: p.imageId,
    categoryId: p.labelId,
    score: p.score,
    bbox: bboxOf(p.geometry),
    segmentation: polygonsOf(p.geometry),
  }));
  const input = { imageIds, categoryIds: labelIds, groundTruth, detections };
  return {
    bbox: scoresOf(evaluateDetections(input, { iouType: "bbox" }).summary),
    segm: scoresOf(evaluateDetections(input, { iouType: "segm" }).summary),
  };
};

/** Mean and median of per-image active seconds, with n. */
export const secondsSummary = (perImage: readonly number[]): SecondsPerImage => {
  const n = perImage.length;
  if (n === 0) return { n, mean: null, median: null };
  const sorted = [...perImage].sort((a, b) => a - b);
  const mid = Math.floor(n / 2);
  const median =
    n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { n, mean: sorted.reduce((a, b) => a + b, 0) / n, median };
};

/**
 * The mean of values in [0, 1] from their count, sum and sum of squares (so the database sums
 * 100k edits instead of sending them), with the same normal-approximation 95 % interval as
 * quality's meanInterval: clipped to [0, 1], [0, 1] under two values.
 */
export const meanFromSums = (n: number, sum: number, sumOfSquares: number, z = Z_95): Estimate => {
  if (n === 0) return { value: null, n, low: 0, high: 1 };
  const mean = sum / n;
  if (n < 2) return { value: mean, n, low: 0, high: 1 };
  const variance = Math.max(0, (sumOfSquares - n * mean * mean) / (n - 1));
  const half = z * Math.sqrt(variance / n);
  return { value: mean, n, low: Math.max(0, mean - half), high: Math.min(1, mean + half) };
};
