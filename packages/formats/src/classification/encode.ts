import type { EncodeContext } from "../context.js";
import { csvField } from "../json-writer.js";
import type { ExportEntry, PlannedImage } from "../types.js";
import { classFolders } from "./folders.js";

/** The separator of the `labels` column: several tags of one image in one field. */
export const LABEL_SEPARATOR = ";";

/** Where the classification CSV puts images: `images/<name>` (the split is a column, not a folder). */
export const csvImagePath = (exportName: string): string => `images/${exportName}`;

/**
 * The labels a classification export holds, as label-set indices in label order: the labels whose
 * scope includes tags, and any other label an image is tagged with all the same (a label whose
 * scope changed after tagging): a tag is never dropped for its label's scope.
 */
export const tagLabelIndices = (ctx: EncodeContext): number[] => {
  const used = new Set<number>();
  for (const p of ctx.source.plan) for (const t of p.tags) used.add(t);
  return ctx.source.labels.flatMap((l, i) => ((l.scope ?? "both") !== "shapes" || used.has(i) ? [i] : []));
};

/** What a classification layout cannot hold of an image: its drawn shapes, reported and not counted. */
const reportShapes = (ctx: EncodeContext, image: PlannedImage, name: string) => {
  const shapes = image.annotationCount ?? 0;
  if (shapes > 0) ctx.report.add("SHAPES_NOT_WRITTEN_CLASSIFICATION", { image: name, detail: `${shapes}` });
};

/**
 * `classification.csv`: a header, then one row per image in plan (id) order: `image` (the path of
 * the image in the export, `images/<name>`, folders kept and collision-free), `labels` (its tags in
 * label order, joined by `;`, empty for an image without tags) and, when the export has more than
 * one split, `split`. One row per image rather than one column per label: a project of 1,000 tag
 * labels would otherwise write 1,000 zeros per image, and a `;`-joined column is what fastai
 * (`label_delim`) and Kaggle's multi-label sets read; `labels.txt` lists the labels in label order.
 */
export function* encodeClassificationCsv(ctx: EncodeContext): Generator<ExportEntry> {
  const { source } = ctx;
  const indices = tagLabelIndices(ctx);
  const names = indices.map((i) => source.labels[i]?.name ?? "");
  yield ctx.text("labels.txt", names.map((n) => `${n}\n`).join(""));
  for (const n of names)
    if (n.includes(LABEL_SEPARATOR))
      ctx.report.add("LABEL_NAME_HAS_SEPARATOR", { image: "labels.txt", detail: n });
  const withSplit = ctx.splits.length > 1;
  function* rows(): Generator<string> {
    yield withSplit ? "image,labels,split\n" : "image,labels\n";
    for (const image of source.plan) {
      const path = csvImagePath(image.exportName);
      ctx.countTags(image);
      reportShapes(ctx, image, path);
      const labels = ctx.tagNames(image.tags, image.id).join(LABEL_SEPARATOR);
      yield `${csvField(path)},${csvField(labels)}${withSplit ? `,${image.split}` : ""}\n`;
    }
  }
  yield ctx.stream("classification.csv", rows());
  for (const image of source.plan) {
    const path = csvImagePath(image.exportName);
    ctx.placed.set(image.id, path);
    if (ctx.includeImages) yield { kind: "image", path, image };
  }
}

/**
 * The ImageNet / torchvision `ImageFolder` layout: `<split>/<class folder>/<name>` for each image
 * with exactly one tag, `labels.txt` (the tag labels in label order, one name a line; the folder of
 * each is `classFolders` of that list). Single-label by nature: an image with no tag or with several
 * is left out and named in the export report (copying it into each of its folders would give one
 * picture two contradictory targets for a softmax classifier; `classification-csv` keeps them all).
 */
export function* encodeImagenet(ctx: EncodeContext): Generator<ExportEntry> {
  const { source } = ctx;
  const indices = tagLabelIndices(ctx);
  const names = indices.map((i) => source.labels[i]?.name ?? "");
  const folders = classFolders(names);
  const folderOf = new Map(indices.map((labelIndex, i) => [labelIndex, folders[i] as string]));
  yield ctx.text("labels.txt", names.map((n) => `${n}\n`).join(""));
  names.forEach((n, i) => {
    if (folders[i] !== n)
      ctx.report.add("CLASS_FOLDER_RENAMED", { image: `${folders[i]}/`, detail: `label "${n}"` });
  });
  const splitsOf = new Map<number, Set<string>>();
  for (const image of source.plan) {
    const [only, ...more] = image.tags;
    if (only === undefined || more.length > 0) {
      const name = image.path ?? image.fileName;
      if (only === undefined) ctx.report.add("IMAGE_WITHOUT_TAG", { image: name });
      else
        ctx.report.add("IMAGE_WITH_SEVERAL_TAGS", {
          image: name,
          detail: ctx.tagNames(image.tags, image.id).join(", "),
        });
      ctx.placed.set(image.id, null);
      continue;
    }
    const folder = folderOf.get(only);
    if (folder === undefined) throw new Error(`tag ${only} of image ${image.id} has no class folder`);
    const path = `${image.split}/${folder}/${image.exportName}`;
    ctx.placed.set(image.id, path);
    ctx.countTags(image);
    reportShapes(ctx, image, path);
    if (image.conversion === "png")
      ctx.report.add("CONVERTED_TO_PNG_FOR_IMAGEFOLDER", {
        image: path,
        detail: `stored as ${image.format}`,
      });
    const seen = splitsOf.get(only) ?? new Set();
    seen.add(image.split);
    splitsOf.set(only, seen);
    if (ctx.includeImages) yield { kind: "image", path, image };
  }
  // ImageFolder numbers the classes of each split folder by what it finds there: a class missing
  // from `val` shifts every later class index of `val` against `train`.
  const splits = ctx.splits;
  if (splits.length > 1)
    for (const [labelIndex, seen] of splitsOf)
      for (const s of splits)
        if (!seen.has(s))
          ctx.report.add("CLASS_MISSING_FROM_SPLIT", {
            image: `${s}/${folderOf.get(labelIndex)}/`,
            detail: `label "${source.labels[labelIndex]?.name}" has no image in ${s}`,
          });
}
