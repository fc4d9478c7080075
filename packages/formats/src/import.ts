import {
  decodeClassificationCsv,
  decodeImagenet,
  looksLikeClassificationCsv,
  looksLikeImagenet,
} from "./classification/decode.js";
import { decodeCoco, looksLikeCocoFile } from "./coco/decode.js";
import type { DecodeOptions } from "./decode-common.js";
import { readChunks, readText, textPaths } from "./files.js";
import { MANIFEST_PATH } from "./manifest.js";
import { basename, extname, isImagePath } from "./paths.js";
import { type DatasetFiles, type Decoded, type FindImage, FORMATS, type FormatId } from "./types.js";
import { decodeVoc, looksLikeVoc } from "./voc/decode.js";
import { decodeYolo, looksLikeYolo } from "./yolo/decode.js";

/** Files an importer reads as text; everything else is an image or ignored. */
export const TEXT_EXTENSIONS = [".json", ".txt", ".yaml", ".yml", ".xml", ".names", ".data", ".csv"] as const;
export const isDatasetTextPath = (p: string): boolean =>
  (TEXT_EXTENSIONS as readonly string[]).includes(extname(p).toLowerCase()) && !basename(p).startsWith(".");
export { isImagePath };

export type Detection = { ok: true; format: FormatId; why: string } | { ok: false; reason: string };

/**
 * Which format a set of files is: a Labelbench manifest says so outright; otherwise COCO JSON,
 * then VOC XML, then YOLO names + label files. `yolo` covers segmentation too (the decoder tells
 * them apart per line).
 */
export const detectFormat = (files: DatasetFiles): Detection => {
  const paths = textPaths(files);
  if (paths.includes(MANIFEST_PATH)) {
    try {
      const m = JSON.parse(readText(files, MANIFEST_PATH)) as { generator?: unknown; format?: unknown };
      if (m.generator === "labelbench" && FORMATS.includes(m.format as FormatId))
        return { ok: true, format: m.format as FormatId, why: "manifest.json says so" };
    } catch {
      // not ours after all: detect from the files themselves
    }
  }
  const json = paths.find(
    (p) =>
      extname(p).toLowerCase() === ".json" && p !== MANIFEST_PATH && looksLikeCocoFile(readChunks(files, p)),
  );
  if (json) return { ok: true, format: "coco", why: `${json} has images and annotations` };
  if (looksLikeVoc(files)) return { ok: true, format: "voc", why: "Pascal VOC annotation XML found" };
  if (looksLikeYolo(files))
    return { ok: true, format: "yolo", why: "class names and label .txt files found" };
  if (looksLikeClassificationCsv(files))
    return {
      ok: true,
      format: "classification-csv",
      why: "classification.csv with image and labels columns",
    };
  if (looksLikeImagenet(files))
    return { ok: true, format: "imagenet", why: "every image is in a <split>/<class>/ folder" };
  return {
    ok: false,
    reason:
      "cannot tell the format: expected a COCO .json (images + annotations), Pascal VOC Annotations/*.xml, " +
      "YOLO labels with data.yaml / classes.txt / obj.names, a classification.csv (image,labels) " +
      "or an ImageNet layout (train/<class>/<image>)",
  };
};

/** Decodes any of the formats; `yolo` and `yolo-seg` share one decoder. */
export const decodeDataset = (
  format: FormatId,
  files: DatasetFiles,
  find: FindImage,
  options: DecodeOptions = {},
): Decoded => {
  switch (format) {
    case "coco":
      return decodeCoco(files, find, options);
    case "voc":
      return decodeVoc(files, find, options);
    case "yolo":
    case "yolo-seg":
      return decodeYolo(files, find, options);
    case "classification-csv":
      return decodeClassificationCsv(files, find, options);
    case "imagenet":
      return decodeImagenet(files, find, options);
  }
};
