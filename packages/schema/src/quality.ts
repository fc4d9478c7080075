import { z } from "zod";
import { GoldKind, Id, Timestamp } from "./domain.js";

/**
 * Quality control, part 2 (issue 16): gold images, private copies and the project's quality
 * settings. docs/quality-workflow.md tells the story; the metrics are in docs/quality-metrics.md.
 */

/** Why a person works on a copy of an image instead of the image itself. */
export const CopyPurpose = z.enum(["gold", "qualification", "overlap"]);
export type CopyPurpose = z.infer<typeof CopyPurpose>;
export const CopyState = z.enum(["open", "submitted"]);
export type CopyState = z.infer<typeof CopyState>;
/** The matcher's thresholds: `default` 0.5 / 0.75, `cvat` 0.4 / 0.8 (packages/quality options.ts). */
export const MatchPreset = z.enum(["default", "cvat"]);
export type MatchPreset = z.infer<typeof MatchPreset>;

export const QualitySettings = z.object({
  honeypotPercent: z
    .number()
    .min(0)
    .max(100)
    .describe("share of an annotator's queue images that are honeypots (gold, handed out blind)"),
  warmupImages: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .describe("a new annotator's first N queue images are all honeypots (while there are some)"),
  qualificationImages: z
    .number()
    .int()
    .min(0)
    .max(1_000)
    .describe("a new annotator labels N qualification images before any real work; 0: no qualification"),
  qualificationPass: z
    .number()
    .min(0)
    .max(1)
    .describe("the accuracy (0..1) on the qualification images that lets an annotator start real work"),
  overlap: z.number().int().min(1).max(5).describe("annotators per image in blind overlap; 1: off"),
  overlapPercent: z
    .number()
    .min(0)
    .max(100)
    .describe("share of the images labelled in overlap, chosen reproducibly per image"),
  consensusQuorum: z
    .number()
    .min(0)
    .max(1)
    .describe("share of the overlap's annotators that must agree on a shape for the consensus to keep it"),
  auditPercent: z.number().min(0).max(100).describe("share of accepted images audited by another reviewer"),
  matchPreset: MatchPreset,
});
export type QualitySettings = z.infer<typeof QualitySettings>;
export const DEFAULT_QUALITY_SETTINGS: QualitySettings = {
  honeypotPercent: 0,
  warmupImages: 0,
  qualificationImages: 0,
  qualificationPass: 0.8,
  overlap: 1,
  overlapPercent: 100,
  consensusQuorum: 0.5,
  auditPercent: 0,
  matchPreset: "default",
};

/** Mark images gold (or unmark them: `gold` null). */
export const GoldRequest = z.object({
  imageIds: z.array(Id).min(1).max(10_000),
  gold: GoldKind.nullable(),
});
export type GoldRequest = z.input<typeof GoldRequest>;
export const GoldResult = z.object({
  results: z.array(
    z.object({
      imageId: Id,
      status: z.enum(["marked", "unmarked", "refused"]),
      reason: z.string().optional(),
    }),
  ),
  updated: z.number().int().nonnegative(),
});
export type GoldResult = z.infer<typeof GoldResult>;

/** One person's copy of an image, as managers and reviewers see it. */
export const ImageCopy = z.object({
  imageId: Id,
  userId: Id,
  userName: z.string(),
  purpose: CopyPurpose,
  state: CopyState,
  revision: z.number().int().nonnegative(),
  shapeCount: z.number().int().nonnegative(),
  tagCount: z.number().int().nonnegative(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  submittedAt: Timestamp.nullable(),
});
export type ImageCopy = z.infer<typeof ImageCopy>;

/**
 * An annotator's qualification in a project: `none` (the project asks for none), `in_progress`
 * (images still to label), `passed`, or `failed` (every image labelled, accuracy under the pass
 * mark: a manager can reset it). Says how many, never which images.
 */
export const QualificationStatus = z.object({
  state: z.enum(["none", "in_progress", "passed", "failed"]),
  required: z.number().int().nonnegative(),
  submitted: z.number().int().nonnegative(),
  accuracy: z.number().min(0).max(1).nullable().describe("over the submitted qualification images"),
  pass: z.number().min(0).max(1),
});
export type QualificationStatus = z.infer<typeof QualificationStatus>;
