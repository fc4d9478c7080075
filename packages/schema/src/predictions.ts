import { z } from "zod";
import { SplitParam } from "./datasets-contract.js";
import { Geometry, Id, Timestamp } from "./domain.js";

/**
 * Model-assisted labeling (issue 17): predictions are a reviewable layer beside the annotations,
 * never annotations themselves. A prediction run is one model version's output on some images;
 * each prediction keeps its score and a state. Accepting (or editing) one makes an annotation that
 * remembers the prediction it came from (`Annotation.predictionId`), so acceptance rate, edit size
 * and time saved can be measured per model version. docs/predictions.md tells the story.
 */

/**
 * - `pending`: not decided yet (the only state a run's deletion removes);
 * - `accepted`: became an annotation unchanged (same label, same geometry);
 * - `edited`: became an annotation with another label or geometry (its IoU with the prediction is kept);
 * - `rejected`: refused, or its annotation was deleted later.
 */
export const PredictionState = z.enum(["pending", "accepted", "edited", "rejected"]);
export type PredictionState = z.infer<typeof PredictionState>;

export const PREDICTION_SOURCES = ["coco-results", "yolo", "labelstudio", "backend"] as const;
export const PredictionSource = z.enum(PREDICTION_SOURCES);
export type PredictionSource = z.infer<typeof PredictionSource>;

const Count = z.number().int().nonnegative();
export const Score = z.number().min(0).max(1);

export const PredictionCounts = z.object({
  pending: Count,
  accepted: Count,
  edited: Count,
  rejected: Count,
});
export type PredictionCounts = z.infer<typeof PredictionCounts>;

export const PredictionRun = z.object({
  id: Id,
  projectId: Id,
  modelName: z.string(),
  modelVersion: z.string(),
  source: PredictionSource,
  /** The model's class names / ids to the project's label ids, as the import or backend mapped them. */
  labelMap: z.array(z.object({ modelLabel: z.string(), labelId: Id })),
  /** Import or backend parameters: score floor, NMS IoU, file names, the backend's id... */
  params: z.record(z.string(), z.unknown()),
  /** The dataset version (issue 17's versions) the model was trained on, when known. */
  trainedOnVersion: z.number().int().positive().nullable(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
  counts: PredictionCounts,
  imageCount: Count,
});
export type PredictionRun = z.infer<typeof PredictionRun>;

export const PredictionRunPatch = z
  .object({
    modelName: z.string().min(1).max(200),
    modelVersion: z.string().min(1).max(200),
    trainedOnVersion: z.number().int().positive().nullable(),
  })
  .partial();
export type PredictionRunPatch = z.infer<typeof PredictionRunPatch>;

export const Prediction = z.object({
  id: Id,
  runId: Id,
  imageId: Id,
  labelId: Id,
  /** Null for a whole-image tag prediction (a classifier's choice), else the predicted shape. */
  geometry: Geometry.nullable(),
  score: Score,
  state: PredictionState,
  /** The annotation an accepted or edited prediction became (null while pending or rejected). */
  annotationId: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: Timestamp.nullable(),
});
export type Prediction = z.infer<typeof Prediction>;

/** Everything the editor draws for one image: the predictions of every live run, and those runs. */
export const ImagePredictions = z.object({
  imageId: Id,
  runs: z.array(PredictionRun),
  predictions: z.array(Prediction),
});
export type ImagePredictions = z.infer<typeof ImagePredictions>;

/**
 * Rejecting (and reopening, for undo) is its own request; accepting a shape prediction rides the
 * annotation save (an annotation upserted with `predictionId`), so it is offline-safe and undoable
 * like any edit. `acceptTags` accepts whole-image tag predictions: the tag is added to the image
 * (a new revision), and the prediction becomes `accepted`.
 */
export const PredictionDecisions = z.object({
  acceptTags: z.array(Id).max(10_000).default([]),
  reject: z.array(Id).max(10_000).default([]),
  reopen: z.array(Id).max(10_000).default([]),
});
export type PredictionDecisions = z.input<typeof PredictionDecisions>;
export const PredictionDecisionResult = z.object({
  predictions: z.array(Prediction).describe("the predictions as they now stand"),
  revision: z
    .number()
    .int()
    .nonnegative()
    .describe("the image's annotation revision now (accepted tags move it one step)"),
});

/** Accept in bulk from the API: every pending prediction of a run at or above a score, optionally per label / image. */
export const AcceptRunRequest = z.object({
  minScore: Score.default(0),
  labelIds: z.array(Id).optional(),
  imageIds: z.array(Id).max(100_000).optional(),
});
export type AcceptRunRequest = z.input<typeof AcceptRunRequest>;
export const AcceptRunResult = z.object({
  accepted: Count,
  images: Count,
  skipped: z
    .array(z.object({ imageId: Id, reason: z.string() }))
    .describe("images left as they were (e.g. the shape limit), each with why"),
});

export const PREDICTION_FORMATS = ["coco-results", "yolo", "labelstudio"] as const;
export const PredictionFormat = z.enum(PREDICTION_FORMATS);
export type PredictionFormat = z.infer<typeof PredictionFormat>;

const boolParam = (dflt: "true" | "false") =>
  z
    .enum(["true", "false"])
    .default(dflt)
    .transform((v) => v === "true");

export const PredictionImportQuery = z.object({
  format: z.enum(["auto", ...PREDICTION_FORMATS]).default("auto"),
  dryRun: boolParam("false"),
  modelName: z.string().min(1).max(200),
  modelVersion: z.string().min(1).max(200),
  trainedOnVersion: z.coerce.number().int().positive().optional(),
  /** Drop detections scoring below this. */
  minScore: z.coerce.number().min(0).max(1).default(0),
  /** Class-wise non-maximum suppression at this IoU (absent: none). */
  nmsIou: z.coerce.number().gt(0).max(1).optional(),
  /**
   * COCO results' `image_id`s are those of the project's COCO export: give the export's `split`
   * and `seed` when it had them (they decide its image order), as in the export's query.
   */
  split: SplitParam.optional(),
  seed: z.string().max(100).optional(),
});
export type PredictionImportQuery = z.input<typeof PredictionImportQuery>;

export const PredictionImportProblem = z.object({
  severity: z.enum(["error", "warning"]),
  file: z.string(),
  where: z.string().optional().describe("e.g. `[12]` for the 13th detection, or `line 4`"),
  message: z.string(),
});
export type PredictionImportProblem = z.infer<typeof PredictionImportProblem>;

export const PredictionImportReport = z.object({
  dryRun: z.boolean(),
  applied: z.boolean(),
  format: PredictionFormat,
  runId: Id.nullable(),
  detections: z.object({
    read: Count,
    belowScore: Count,
    suppressed: Count.describe("removed by class-wise NMS"),
    imported: Count,
    split: z
      .object({ entries: Count, polygons: Count })
      .describe(
        "entries whose segmentation had several outlines (a mask's regions, a polygon list), and the polygon predictions they became (counted in `read`)",
      ),
  }),
  images: Count,
  perLabel: z.array(z.object({ labelId: Id, name: z.string(), count: Count })),
  problems: z.array(PredictionImportProblem),
  problemsTruncated: z.boolean(),
});
export type PredictionImportReport = z.infer<typeof PredictionImportReport>;

/** Acceptance rate per score bin, and the lowest threshold whose accepted share reaches a target precision. */
export const CalibrationQuery = z.object({
  targetPrecision: z.coerce.number().gt(0).max(1).default(0.9),
  bins: z.coerce.number().int().min(2).max(50).default(10),
  labelId: z.coerce.number().int().positive().optional(),
});
export const Calibration = z.object({
  runId: Id,
  decided: Count,
  /** Fewer decisions than this and no threshold is suggested. */
  minDecisions: Count,
  bins: z.array(
    z.object({
      from: Score,
      to: Score,
      decided: Count,
      accepted: Count.describe("accepted + edited"),
      rate: z.number().min(0).max(1).nullable(),
    }),
  ),
  suggestedThreshold: Score.nullable(),
  targetPrecision: z.number(),
});
export type Calibration = z.infer<typeof Calibration>;
