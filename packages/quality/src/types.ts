import type { Geometry, Id } from "@labelbench/schema";

/** One shape as the matcher sees it: its label and its geometry in image pixels. */
export interface QualityShape {
  readonly labelId: Id;
  readonly geometry: Geometry;
}

/** What one annotator (or the reference) put on one image. */
export interface ImageAnnotations {
  readonly shapes: readonly QualityShape[];
  /** Label ids attached to the whole image. */
  readonly tags: readonly Id[];
}

export interface MatchOptions {
  /** A pair counts as the same object only when its IoU is at least this (and above 0). */
  readonly matchThreshold: number;
  /** A matched pair whose IoU is below this is reported as low overlap (still a match). */
  readonly lowOverlapThreshold: number;
}

/** A reference shape and a checked shape of the same label, paired. */
export interface MatchedPair {
  readonly reference: number;
  readonly checked: number;
  readonly labelId: Id;
  readonly iou: number;
  readonly lowOverlap: boolean;
}

/** A reference shape and a checked shape that cover the same object with different labels. */
export interface LabelMismatch {
  readonly reference: number;
  readonly checked: number;
  readonly referenceLabelId: Id;
  readonly checkedLabelId: Id;
  readonly iou: number;
  /** Under the low-overlap threshold, as for a match (CVAT flags both). */
  readonly lowOverlap: boolean;
}

export interface UnmatchedShape {
  /** Index in the input array the shape came from (reference for missing, checked for extra). */
  readonly index: number;
  readonly labelId: Id;
}

/** Image tags compared as sets. */
export interface TagComparison {
  readonly matched: readonly Id[];
  /** In the reference, not in the checked set. */
  readonly missing: readonly Id[];
  /** In the checked set, not in the reference. */
  readonly extra: readonly Id[];
  /** The two sets are equal (two empty sets agree). */
  readonly agree: boolean;
}

export interface ImageMatch {
  readonly matches: readonly MatchedPair[];
  readonly mismatches: readonly LabelMismatch[];
  /** Reference shapes nothing in the checked set paired with (false negatives). */
  readonly missing: readonly UnmatchedShape[];
  /** Checked shapes nothing in the reference paired with (false positives). */
  readonly extra: readonly UnmatchedShape[];
  readonly tags: TagComparison;
}
