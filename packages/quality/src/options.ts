import type { MatchOptions } from "./types.js";

/** Labelbench's defaults: the usual detection threshold, and anything under 0.75 flagged as loose. */
export const DEFAULT_MATCH_OPTIONS: MatchOptions = { matchThreshold: 0.5, lowOverlapThreshold: 0.75 };

/** CVAT's quality-control defaults (iou_threshold 0.4, low_overlap_threshold 0.8), for comparable numbers. */
export const CVAT_MATCH_OPTIONS: MatchOptions = { matchThreshold: 0.4, lowOverlapThreshold: 0.8 };

export type MatchOptionsInput = Partial<MatchOptions> | "default" | "cvat";

export const resolveMatchOptions = (input: MatchOptionsInput = "default"): MatchOptions => {
  if (input === "cvat") return CVAT_MATCH_OPTIONS;
  if (input === "default") return DEFAULT_MATCH_OPTIONS;
  const options = { ...DEFAULT_MATCH_OPTIONS, ...input };
  for (const [name, value] of Object.entries(options)) {
    if (!(value >= 0 && value <= 1))
      throw new RangeError(`${name} must be a number between 0 and 1, got ${String(value)}`);
  }
  return options;
};
