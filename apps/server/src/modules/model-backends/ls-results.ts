import { labelStudioResultToPixels } from "@labelbench/formats";
import type { Geometry } from "@labelbench/schema";

/**
 * One list of Label Studio `result` items (one prediction of one image) to Labelbench shapes in
 * pixels, through the shared Label Studio converter of packages/formats (the one the prediction
 * imports use), which owns the coordinate rules: percent of the image, rotation in degrees clockwise
 * about the box's top-left. This only says which item each shape or problem came from.
 */
export interface LsDetection {
  /** Index of the item in the list given. */
  index: number;
  modelLabel: string;
  geometry: Geometry | null;
  score: number;
}
export interface LsProblem {
  index: number;
  /** After the item, e.g. `` (the item itself). */
  where: string;
  message: string;
}

const indexOf = (where: string): number => Number(/^result\[(\d+)\]/.exec(where)?.[1] ?? -1);

export const convertLsResultItems = (
  items: readonly unknown[],
  image: { width: number; height: number },
  score: number | undefined,
): { detections: LsDetection[]; problems: LsProblem[] } => {
  const out = labelStudioResultToPixels(items, image, score);
  return {
    detections: out.shapes.map((s) => ({
      index: indexOf(s.where),
      modelLabel: s.modelLabel,
      geometry: s.geometry,
      score: s.score,
    })),
    problems: out.problems.map((p) => ({
      index: indexOf(p.where),
      where: p.where.replace(/^result\[\d+\]/, ""),
      message: p.message,
    })),
  };
};
