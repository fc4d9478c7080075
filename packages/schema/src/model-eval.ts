import { z } from "zod";
import { Id, Timestamp } from "./domain.js";
import { Estimate } from "./quality-report.js";

/**
 * "Does the model help?" and active learning (issue 17). Each prediction run is one model version;
 * its numbers are measured on the project's gold images (their own annotations are the reference,
 * issue 16) and on what people did with its predictions. Formulas: docs/quality-metrics.md, "Model
 * versions".
 */

const Count = z.number().int().nonnegative();

/** COCOeval's numbers (pycocotools' summarize()); null where COCOeval answers -1 (nothing to average). */
export const CocoScores = z.object({
  map: z.number().nullable().describe("AP @[IoU .50:.95], area all, 100 detections per image"),
  ap50: z.number().nullable(),
  ap75: z.number().nullable(),
  ar100: z.number().nullable(),
});
export type CocoScores = z.infer<typeof CocoScores>;

/** Active seconds per image (editor_activity), with how many images they are measured on. */
export const SecondsPerImage = z.object({
  n: Count.describe("images measured"),
  mean: z.number().nullable(),
  median: z.number().nullable(),
});
export type SecondsPerImage = z.infer<typeof SecondsPerImage>;

export const ModelVersionMetrics = z.object({
  runId: Id,
  modelName: z.string(),
  modelVersion: z.string(),
  trainedOnVersion: z.number().int().positive().nullable(),
  createdAt: Timestamp,
  gold: z.object({
    images: Count.describe("gold images the run predicted on (the images scored)"),
    referenceShapes: Count.describe("reference shapes on those images"),
    predictions: Count.describe("the run's shape predictions on those images, every state"),
    bbox: CocoScores.describe("box evaluation (every shape by its bounding box)"),
    segm: CocoScores.describe("outline evaluation (polygons exactly, boxes as rectangles)"),
  }),
  acceptance: Estimate.describe("(accepted + edited) / decided, Wilson"),
  meanEdit: Estimate.describe("mean of 1 − IoU(prediction, the shape it became) over accepted and edited"),
  secondsWithPredictions: SecondsPerImage.describe(
    "submitted images the run's predictions were shown on: those where someone decided at least one of them, and those submitted after the run came in with all of them still pending (ignored); active seconds from the run's creation day",
  ),
  ignoredImages: Count.describe(
    "of secondsWithPredictions' images, those submitted with every one of the run's predictions still pending",
  ),
});
export type ModelVersionMetrics = z.infer<typeof ModelVersionMetrics>;

export const ModelEvaluation = z.object({
  projectId: Id,
  goldImages: Count.describe("gold images in the project (honeypot and qualification)"),
  secondsWithoutPredictions: SecondsPerImage.describe(
    "submitted images no run ever predicted on: all their active seconds (the baseline)",
  ),
  versions: z.array(ModelVersionMetrics).describe("live runs, oldest first: the learning curve"),
});
export type ModelEvaluation = z.infer<typeof ModelEvaluation>;

// ---------------------------------------------------------------- active learning

export const QUEUE_ORDERS = ["upload", "uncertainty"] as const;
export const QueueOrder = z.enum(QUEUE_ORDERS);
export type QueueOrder = z.infer<typeof QueueOrder>;

/** least-confidence: 1 − the top score; margin: top score − second score (smaller is less sure). */
export const UNCERTAINTY_MEASURES = ["least-confidence", "margin"] as const;
export const UncertaintyMeasure = z.enum(UNCERTAINTY_MEASURES);
export type UncertaintyMeasure = z.infer<typeof UncertaintyMeasure>;

export const MAX_DIVERSITY = 20;

export const ActiveLearningSettings = z.object({
  order: QueueOrder.describe(
    "upload: the library's name order (the default); uncertainty: the model's least sure first",
  ),
  measure: UncertaintyMeasure,
  runId: Id.nullable().describe("the run whose scores order the queue; null: the newest live run"),
  diversity: z
    .number()
    .int()
    .min(0)
    .max(MAX_DIVERSITY)
    .describe(
      "a top predicted label handed out is not handed out again for this many hand-outs while other labels have images (0: pure uncertainty order)",
    ),
});
export type ActiveLearningSettings = z.infer<typeof ActiveLearningSettings>;
export const ActiveLearningPatch = ActiveLearningSettings.partial();
export type ActiveLearningPatch = z.infer<typeof ActiveLearningPatch>;

export const DEFAULT_ACTIVE_LEARNING: ActiveLearningSettings = {
  order: "upload",
  measure: "least-confidence",
  runId: null,
  diversity: 2,
};
