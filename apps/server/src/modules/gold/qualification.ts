import type { QualificationStatus, QualitySettings } from "@labelbench/schema";

/** One image's gold comparison counts (quality_results). */
export interface GoldCounts {
  tp: number;
  fp: number;
  fn: number;
  mismatched: number;
}

/**
 * Accuracy over images, as CVAT computes it and docs/quality-metrics.md states it:
 * TP / (TP + FP + FN + mismatched), summed over the images. Two empty sets agree, so images with
 * nothing to find and nothing found count as agreement (1) rather than as no evidence.
 */
export const accuracyOf = (rows: readonly GoldCounts[]): number => {
  let tp = 0;
  let all = 0;
  for (const r of rows) {
    tp += r.tp;
    all += r.tp + r.fp + r.fn + r.mismatched;
  }
  return all === 0 ? 1 : tp / all;
};

/**
 * Where an annotator stands in the project's qualification (pure). `available`: the project's
 * qualification images; a project with fewer than `qualificationImages` asks for those it has, and
 * one with none asks for nothing. Every submitted image must be scored before a verdict: until then
 * the annotator is still in progress.
 */
export const qualificationStatus = (
  settings: Pick<QualitySettings, "qualificationImages" | "qualificationPass">,
  available: number,
  submittedImages: number,
  results: readonly GoldCounts[],
): QualificationStatus => {
  const required = Math.min(settings.qualificationImages, available);
  const pass = settings.qualificationPass;
  if (required === 0) return { state: "none", required: 0, submitted: submittedImages, accuracy: null, pass };
  const accuracy = results.length === 0 ? null : accuracyOf(results);
  const decided = submittedImages >= required && results.length >= submittedImages;
  return {
    state: !decided ? "in_progress" : (accuracy ?? 0) >= pass ? "passed" : "failed",
    required,
    submitted: submittedImages,
    accuracy,
    pass,
  };
};
