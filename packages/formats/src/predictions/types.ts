import type { Geometry, PredictionFormat } from "@labelbench/schema";
import type { Problem } from "../types.js";

/**
 * What a model's output file says, before the server knows the project: which image (by the id of
 * Labelbench's own COCO export, or by file name), which class (as the model names it), where, and
 * how sure. The server maps images and classes to the project's and scales fractions to pixels.
 */
export type PredictionImageRef =
  /** `image_id` of the project's COCO export (coco-results). */
  | { readonly cocoImageId: number }
  /** File names to look for, best first (a Label Studio task's image, a result's `file_name`). */
  | { readonly names: readonly string[] }
  /** A file name without its extension (a YOLO label file's, which the export names after its image). */
  | { readonly stem: string };

export interface DecodedPrediction {
  readonly file: string;
  /** `[12]`, `line 4`, `task 3 prediction 0 result 2`. */
  readonly where: string;
  readonly image: PredictionImageRef;
  /** The class as the file names it: a COCO category id, a YOLO class index or name, a Label Studio label. */
  readonly modelLabel: string;
  /** Null: a whole-image tag prediction (a classifier's choice). */
  readonly geometry: Geometry | null;
  /**
   * `pixel`: image pixels (COCO). `fraction`: of the image's width and height, 0 to 1 (YOLO's
   * normalised numbers, Label Studio's percents / 100), which the server scales by the image's size.
   */
  readonly units: "pixel" | "fraction";
  readonly score: number;
}

export interface DecodedPredictions {
  readonly format: PredictionFormat;
  readonly predictions: DecodedPrediction[];
  readonly problems: Problem[];
  /** The model's class names by index when the upload carries them (YOLO's classes.txt / data.yaml). */
  readonly classNames?: readonly string[];
  /** The model version the file names (Label Studio's `model_version`), when one. */
  readonly modelVersion?: string;
  /** Detections whose segmentation had several outlines, and the polygons they became (COCO results). */
  readonly split?: { readonly detections: number; readonly polygons: number };
}
