import { z } from "zod";
import { canonicalIntParam, Geometry, Id, Timestamp } from "./domain.js";

/**
 * The QC report (issue 16): every number measured against a reference (a gold image's own
 * annotations, another annotator's blind copy, an auditor), with its sample size and a 95 %
 * interval, and every count drillable to the images and shapes behind it.
 * docs/quality-metrics.md states each formula and default.
 */

/** A share measured on `n` trials with its 95 % interval; `value` null when n is 0 (interval [0, 1]). */
export const Estimate = z.object({
  value: z.number().nullable(),
  n: z.number().int().nonnegative(),
  low: z.number(),
  high: z.number(),
});
export type Estimate = z.infer<typeof Estimate>;

/** What a set of comparisons found, summed (micro-average: every shape weighs the same). */
export const QualityCounts = z.object({
  comparisons: z.number().int().nonnegative().describe("image comparisons summed"),
  tp: z.number().int().nonnegative().describe("matched shapes (same label, IoU at least the threshold)"),
  fp: z.number().int().nonnegative().describe("extra checked shapes"),
  fn: z.number().int().nonnegative().describe("missing reference shapes"),
  mismatched: z.number().int().nonnegative().describe("shapes paired across labels"),
  lowOverlap: z.number().int().nonnegative().describe("matches under the low-overlap threshold"),
  tagTp: z.number().int().nonnegative(),
  tagFp: z.number().int().nonnegative(),
  tagFn: z.number().int().nonnegative(),
});
export type QualityCounts = z.infer<typeof QualityCounts>;

export const QualityScores = z.object({
  precision: Estimate.describe("TP / (TP + FP + M), Wilson"),
  recall: Estimate.describe("TP / (TP + FN + M), Wilson"),
  f1: Estimate.describe(
    "2TP / (2TP + FP + FN + 2M); interval mapped from the Wilson interval of TP / (TP + FP + FN + 2M)",
  ),
  accuracy: Estimate.describe("TP / (TP + FP + FN + M), as CVAT; Wilson"),
  meanIou: Estimate.describe("mean IoU of the matches; normal interval of a mean, n = TP"),
  tagAccuracy: Estimate.describe("tag TP / (tag TP + tag FP + tag FN), Wilson"),
});
export type QualityScores = z.infer<typeof QualityScores>;

/** One cell of a confusion matrix; null is "no shape" (reference null: extra, checked null: missing). */
export const ConfusionCell = z.object({
  reference: Id.nullable(),
  checked: Id.nullable(),
  count: z.number().int().nonnegative(),
});
export type ConfusionCell = z.infer<typeof ConfusionCell>;

export const QualityKind = z.enum(["gold", "overlap", "audit"]);
export type QualityKind = z.infer<typeof QualityKind>;
/** What per-annotator accuracy is measured against: the gold reference, or an auditor. */
export const MeasuredKind = z.enum(["gold", "audit"]);
export type MeasuredKind = z.infer<typeof MeasuredKind>;

export const AnnotatorThroughput = z.object({
  activeSeconds: z.number().int().nonnegative().describe("focused editor time (editor_activity)"),
  imagesSubmitted: z.number().int().nonnegative().describe("images and private copies submitted"),
  imagesPerActiveHour: z
    .number()
    .nullable()
    .describe("imagesSubmitted / active hours; null without active time"),
});

export const AnnotatorQualityRow = z.object({
  userId: Id,
  name: z.string(),
  counts: QualityCounts,
  scores: QualityScores,
  topConfusions: z.array(ConfusionCell).describe("the most frequent off-diagonal cells, at most 3"),
  throughput: AnnotatorThroughput,
  firstPassYield: Estimate.describe("first decisions that accepted / first decisions"),
  rework: Estimate.describe("rejections / decisions"),
});
export type AnnotatorQualityRow = z.infer<typeof AnnotatorQualityRow>;

export const LabelQualityRow = z.object({
  labelId: Id,
  name: z.string(),
  tp: z.number().int().nonnegative(),
  fp: z.number().int().nonnegative().describe("extra shapes of this label plus mismatches drawn as it"),
  fn: z
    .number()
    .int()
    .nonnegative()
    .describe("missing shapes of this label plus mismatches whose reference is it"),
  precision: Estimate,
  recall: Estimate,
  accuracy: Estimate.describe("TP / (TP + FP + FN) of this label, as CVAT"),
});
export type LabelQualityRow = z.infer<typeof LabelQualityRow>;

/** A UTC week, named by its Monday (`2026-03-02`). */
export const WeekStart = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD");

export const WeekQualityRow = z.object({ week: WeekStart, counts: QualityCounts, scores: QualityScores });
export type WeekQualityRow = z.infer<typeof WeekQualityRow>;

export const NamedLabel = z.object({ id: Id, name: z.string(), color: z.string() });
export const NamedUser = z.object({ userId: Id, name: z.string() });

export const ConfusionMatrix = z.object({
  labels: z.array(NamedLabel).describe("every label in a cell, in the project's order"),
  cells: z.array(ConfusionCell),
});
export type ConfusionMatrix = z.infer<typeof ConfusionMatrix>;

/** Two annotators on the same blind-overlap images: F1 is symmetric, so one cell per pair (a < b). */
export const AgreementCell = z.object({
  a: Id,
  b: Id,
  images: z.number().int().nonnegative(),
  counts: QualityCounts.describe("a's shapes checked against b's (tp, fp = a only, fn = b only)"),
  f1: Estimate.describe("2TP / (2TP + FP + FN + 2M), tags counted as objects beside the shapes"),
});
export const AgreementMatrix = z.object({
  annotators: z.array(NamedUser),
  cells: z.array(AgreementCell),
  /** Per annotator: the F1 of all their pairs summed. */
  perAnnotator: z.array(z.object({ userId: Id, images: z.number().int().nonnegative(), f1: Estimate })),
});
export type AgreementMatrix = z.infer<typeof AgreementMatrix>;

export const ReviewerPrecisionRow = z.object({
  userId: Id,
  name: z.string(),
  audited: z.number().int().nonnegative().describe("audited accepts"),
  upheld: z.number().int().nonnegative(),
  precision: Estimate.describe("upheld / audited accepts, Wilson"),
});
export type ReviewerPrecisionRow = z.infer<typeof ReviewerPrecisionRow>;

export const MatchSettings = z.object({
  preset: z.enum(["default", "cvat"]),
  matchThreshold: z.number(),
  lowOverlapThreshold: z.number(),
});

export const QualityReport = z.object({
  projectId: Id,
  kind: MeasuredKind,
  from: z.string().nullable(),
  to: z.string().nullable(),
  /** Set when the report is one annotator's own (an annotator's report always is). */
  annotatorId: Id.nullable(),
  match: MatchSettings,
  summary: z.object({ counts: QualityCounts, scores: QualityScores }),
  annotators: z.array(AnnotatorQualityRow),
  labels: z.array(LabelQualityRow),
  weeks: z.array(WeekQualityRow),
  confusion: ConfusionMatrix,
  /** null for an annotator's own report (the overlap is blind). */
  agreement: AgreementMatrix.nullable(),
  /** Reviewer precision from the audits (all weeks); a reviewer gets their own row, an annotator null. */
  reviewers: z.array(ReviewerPrecisionRow).nullable(),
});
export type QualityReport = z.infer<typeof QualityReport>;

const DateParam = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD");
const OptionalId = canonicalIntParam(1, "a positive whole number").optional();
/** A label id, or `none` for "no shape" (a missing or extra one). */
const CellSide = z.union([z.literal("none"), canonicalIntParam(1, "a label id or none")]);

export const ReportTable = z.enum(["annotator", "label", "week", "confusion", "agreement", "reviewer"]);
export type ReportTable = z.infer<typeof ReportTable>;

export const QualityReportQuery = z
  .object({
    kind: MeasuredKind.default("gold"),
    annotatorId: OptionalId,
    from: DateParam.optional().describe("whole UTC weeks: the week holding this date is the first"),
    to: DateParam.optional().describe("whole UTC weeks: the week holding this date is the last"),
    by: ReportTable.optional().describe("the table a CSV holds (required with format=csv)"),
    format: z.enum(["json", "csv"]).default("json"),
  })
  .refine((q) => q.format !== "csv" || q.by !== undefined, {
    message: "format=csv needs by=annotator|label|week|confusion|agreement|reviewer (which table)",
    path: ["by"],
  });
export type QualityReportQuery = z.infer<typeof QualityReportQuery>;

export const ResultOutcome = z.enum(["tp", "fp", "fn", "mismatched", "lowOverlap", "tagFp", "tagFn"]);
export type ResultOutcome = z.infer<typeof ResultOutcome>;

/** The per-image table and the drill-down from any count: the comparisons behind it. */
export const QualityImagesQuery = z.object({
  kind: QualityKind.default("gold"),
  annotatorId: OptionalId.describe("whose work was checked"),
  week: DateParam.optional().describe("the week (its Monday) the work was submitted in"),
  from: DateParam.optional(),
  to: DateParam.optional(),
  labelId: OptionalId.describe("comparisons with a shape of this label on either side"),
  reference: CellSide.optional().describe("with `checked`: one confusion cell"),
  checked: CellSide.optional(),
  outcome: ResultOutcome.optional().describe("comparisons where this count is above 0"),
  order: z.enum(["errors", "recent"]).default("errors"),
  cursor: z
    .string()
    .regex(/^\d{1,9}$/, "a cursor from nextCursor")
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  format: z.enum(["json", "csv"]).default("json"),
});
export type QualityImagesQuery = z.infer<typeof QualityImagesQuery>;

export const QualityImageRow = z.object({
  imageId: Id,
  fileName: z.string(),
  kind: QualityKind,
  checkedUserId: Id,
  checkedName: z.string(),
  /** 0: the image's reference annotations; otherwise the other annotator's or the auditor's id. */
  referenceKey: z.number().int().nonnegative(),
  referenceName: z.string().nullable(),
  counts: QualityCounts,
  /** The count the drill-down asked about (a confusion cell's, an outcome's); else errors (FP + FN + M). */
  count: z.number().int().nonnegative(),
  accuracy: Estimate,
  meanIou: z.number().nullable(),
  checkedAt: Timestamp.nullable(),
});
export type QualityImageRow = z.infer<typeof QualityImageRow>;

export const QualityImagePage = z.object({
  items: z.array(QualityImageRow),
  total: z.number().int().nonnegative(),
  nextCursor: z.string().nullable(),
});
export type QualityImagePage = z.infer<typeof QualityImagePage>;

export const ComparisonQuery = z.object({
  kind: z.enum(["gold", "overlap"]).default("gold"),
  userId: canonicalIntParam(1, "a positive whole number").describe("whose work was checked"),
  referenceKey: canonicalIntParam(0, "0 or a user id").default(0),
});
export type ComparisonQuery = z.infer<typeof ComparisonQuery>;

export const ComparedShape = z.object({ uid: z.string(), labelId: Id, geometry: Geometry });
export const ComparedSide = z.object({ shapes: z.array(ComparedShape), tags: z.array(Id) });

/** One comparison down to its shapes: both sides and what the matcher made of them (indexes into each side). */
export const QualityComparison = z.object({
  imageId: Id,
  kind: QualityKind,
  checkedUserId: Id,
  referenceKey: z.number().int().nonnegative(),
  match: MatchSettings,
  reference: ComparedSide,
  checked: ComparedSide,
  matches: z.array(
    z.object({
      reference: z.number().int(),
      checked: z.number().int(),
      iou: z.number(),
      lowOverlap: z.boolean(),
    }),
  ),
  mismatches: z.array(
    z.object({
      reference: z.number().int(),
      checked: z.number().int(),
      iou: z.number(),
      lowOverlap: z.boolean(),
    }),
  ),
  missing: z.array(z.number().int()).describe("reference indexes nothing paired with"),
  extra: z.array(z.number().int()).describe("checked indexes nothing paired with"),
  tags: z.object({ matched: z.array(Id), missing: z.array(Id), extra: z.array(Id) }),
  counts: QualityCounts,
});
export type QualityComparison = z.infer<typeof QualityComparison>;

export const RescoreResult = z.object({
  images: z.number().int().nonnegative(),
  comparisons: z.number().int().nonnegative(),
});
export type RescoreResult = z.infer<typeof RescoreResult>;
