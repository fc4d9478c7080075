import { encodeClassificationCsv, encodeImagenet } from "./classification/encode.js";
import { encodeCoco } from "./coco/encode.js";
import { EncodeContext } from "./context.js";
import { manifestEntry } from "./manifest.js";
import type { ExportEntry, ExportOptions, ExportSource } from "./types.js";
import { decodeUtf8 } from "./utf8.js";
import { encodeVoc } from "./voc/encode.js";
import { encodeYolo } from "./yolo/encode.js";

/**
 * The whole export as a sequence of files, produced lazily: the caller writes each entry to the
 * zip before asking for the next, so only one image's annotations (or one chunk of a COCO file)
 * is in memory at a time. The last two entries are `export-report.json` and `manifest.json`.
 */
export function* encodeDataset(source: ExportSource, options: ExportOptions): Generator<ExportEntry> {
  const ctx = new EncodeContext(source, options);
  switch (options.format) {
    case "coco":
      yield* encodeCoco(ctx);
      break;
    case "yolo":
    case "yolo-seg":
      yield* encodeYolo(ctx);
      break;
    case "voc":
      yield* encodeVoc(ctx);
      break;
    case "classification-csv":
      yield* encodeClassificationCsv(ctx);
      break;
    case "imagenet":
      yield* encodeImagenet(ctx);
      break;
  }
  yield* ctx.trailer();
  yield manifestEntry(ctx);
}

/** Convenience for tests and small exports: every text file of an export (images left out). */
export const encodeToFiles = (source: ExportSource, options: ExportOptions): Map<string, string> => {
  const files = new Map<string, string>();
  for (const e of encodeDataset(source, options)) {
    if (e.kind === "text") files.set(e.path, e.text);
    else if (e.kind === "stream") files.set(e.path, decodeUtf8(e.chunks));
  }
  return files;
};
