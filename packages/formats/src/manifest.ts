import { countsOf, type EncodeContext } from "./context.js";
import { jsonDocument } from "./json-writer.js";
import { splitMajor } from "./plan.js";
import { formatSplit } from "./split.js";
import type { ExportEntry, FormatId } from "./types.js";

export const MANIFEST_PATH = "manifest.json";
export const MANIFEST_VERSION = 1;

/** Where each format puts an image, so the manifest can name it even when images are excluded. */
export const imagePathIn = (format: FormatId, split: string, name: string): string =>
  format === "voc"
    ? `JPEGImages/${name}`
    : format === "classification-csv"
      ? `images/${name}`
      : format === "imagenet"
        ? `${split}/${name}`
        : `images/${split}/${name}`;

/** The class id a format writes for label `i` (COCO counts from 1, YOLO from 0, VOC uses names). */
const classIdOf = (format: FormatId, i: number): number | null =>
  format === "coco" ? i + 1 : format === "yolo" || format === "yolo-seg" ? i : null;

/**
 * The manifest: label map, options, counts, the rule that made the splits, every image with its
 * split and content hash, and the sha256 of every annotation file. Two exports with the same
 * manifest hold the same annotations; one can be reproduced from the options it lists.
 */
export const manifestEntry = (ctx: EncodeContext): ExportEntry => {
  ctx.assertDrained();
  const { options, source } = ctx;
  const format = options.format;
  const labels = source.labels.map((l, i) => ({ index: i, classId: classIdOf(format, i), name: l.name }));
  const perLabel = source.labels.map((l, i) => {
    const c = ctx.perLabel[i];
    return { name: l.name, ...(c ? countsOf(c) : { train: 0, val: 0, test: 0, total: 0 }) };
  });
  // Both lists are produced entry by entry as the manifest streams: at 100,000 images a list of
  // records built up front was the export's last and highest memory peak.
  function* images() {
    for (const p of splitMajor(source.plan)) {
      yield {
        // null: an image the layout left out (the report names it).
        path: ctx.placed.has(p.id)
          ? (ctx.placed.get(p.id) ?? null)
          : imagePathIn(format, p.split, p.exportName),
        split: p.split,
        // The project's stored file: for a converted image, the source of the bytes in the zip.
        sha256: p.sha256,
        width: p.width,
        height: p.height,
        ...(p.conversion ? { convertedFrom: p.format } : {}),
      };
    }
  }
  const files = ctx.files.sorted();
  return ctx.stream(
    MANIFEST_PATH,
    jsonDocument([
      ["generator", "labelbench"],
      ["manifestVersion", MANIFEST_VERSION],
      ["format", format],
      [
        "options",
        {
          statuses: [...options.statuses],
          ...(options.review === undefined ? {} : { review: options.review }),
          split: formatSplit(options.split),
          seed: options.seed,
          images: options.includeImages ? "include" : "exclude",
        },
      ],
      ...(options.version
        ? [["version", { number: options.version.number, createdAt: options.version.createdAt }] as const]
        : []),
      [
        "splitRule",
        "images ranked by fmix32(fnv1a32(utf8(seed + ':' + sha256))), ties by sha256; the first " +
          "round(n*train%) (largest remainders) go to train, the next to val, the rest to test",
      ],
      ["labels", labels, "array"],
      [
        "counts",
        {
          images: countsOf(ctx.images),
          annotations: countsOf(ctx.annotations),
          emptyImages: countsOf(ctx.emptyImages),
        },
      ],
      ["annotationsPerLabel", perLabel, "array"],
      ["images", images(), "array"],
      ["files", files, "array"],
    ]),
  );
};
