import { exportNames } from "./export-names.js";
import { assignSplits } from "./split.js";
import { type ExportImage, type FormatId, type PlannedImage, SPLITS, type SplitRatios } from "./types.js";

/**
 * Decides, before a single annotation is read, where each image goes: its split (seeded hash of
 * its content) and its unique name. The plan keeps database id order, the order in which the
 * server streams annotations, so YOLO and VOC files come out in id order; COCO numbers its images
 * and the manifest lists them split by split (train, val, test), each in plan order. An import
 * of an export creates images in that same order, which is what makes export -> import -> export
 * give the same bytes.
 */
export const planExport = (
  images: readonly ExportImage[],
  ratios: SplitRatios,
  seed: string,
  format: FormatId,
): PlannedImage[] => {
  const splits = assignSplits(images, ratios, seed);
  const ordered = [...images].sort((a, b) => a.id - b.id);
  const names = exportNames(
    ordered.map((img) => ({ path: img.path ?? img.fileName, format: img.format })),
    format,
  );
  // Only the fields encoders read: callers may pass richer rows, which are not kept alive.
  return ordered.map((img, i) => {
    const named = names[i];
    if (!named) throw new Error(`image ${img.id} got no export name`);
    return {
      id: img.id,
      fileName: img.fileName,
      path: img.path ?? null,
      width: img.width,
      height: img.height,
      channels: img.channels ?? null,
      sha256: img.sha256,
      format: img.format,
      tags: img.tags,
      annotationCount: img.annotationCount ?? 0,
      split: img.split ?? splits.get(img.id) ?? "train",
      exportName: named.name,
      stem: named.stem,
      conversion: named.conversion,
    };
  });
};

/** The plan split by split (train, val, test), plan order within each: COCO ids and the manifest. */
export const splitMajor = (plan: readonly PlannedImage[]): PlannedImage[] =>
  SPLITS.flatMap((s) => plan.filter((p) => p.split === s));
