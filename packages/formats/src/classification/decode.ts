import { type DecodeOptions, DecodeState, splitFromName } from "../decode-common.js";
import { readText, textPaths } from "../files.js";
import { parseCsv } from "../json-writer.js";
import { basename, dirname, joinPath, nameKey, stemOf } from "../paths.js";
import type { DatasetFiles, Decoded, FindImage, SplitName } from "../types.js";
import { LABEL_SEPARATOR } from "./encode.js";
import { classFolders } from "./folders.js";

const depth = (p: string) => p.split("/").length;
const shallowest = (paths: readonly string[]): string | undefined =>
  [...paths].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0))[0];

/** The header of a classification CSV: column name (lower case) -> index. */
const headerOf = (row: readonly string[]): Map<string, number> =>
  new Map(row.map((c, i) => [c.trim().toLowerCase(), i]));

/** The first line of a text, without reading past it. */
const firstLine = (text: string): string => {
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
};

/** `classification.csv` files whose header has `image` and `labels` (ours; not VOC/YOLO's `image,label`). */
const classificationCsvPaths = (files: DatasetFiles): string[] =>
  textPaths(files).filter((p) => {
    if (basename(p).toLowerCase() !== "classification.csv") return false;
    const header = parseCsv(firstLine(readText(files, p)))[0]?.row ?? [];
    const cols = headerOf(header);
    return cols.has("image") && cols.has("labels");
  });

export const looksLikeClassificationCsv = (files: DatasetFiles): boolean =>
  classificationCsvPaths(files).length > 0;

/** The label list beside a dataset: `labels.txt` in `dir` (the CSV's or the layout's folder). */
const labelList = (files: DatasetFiles, dir: string): { path: string; names: string[] } | null => {
  const path = joinPath(dir, "labels.txt");
  if (!textPaths(files).includes(path)) return null;
  const names = readText(files, path)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return { path, names };
};

/**
 * A `labels` field to label names: split at `;`, then neighbouring pieces joined again where the
 * joined text is a declared label (the longest first), so a label named "a;b" listed in
 * labels.txt reads back whole.
 */
export const splitLabels = (field: string, known: ReadonlySet<string>): string[] => {
  if (field.trim() === "") return [];
  const pieces = field.split(LABEL_SEPARATOR);
  const out: string[] = [];
  for (let i = 0; i < pieces.length; ) {
    let taken = 1;
    for (let j = pieces.length; j > i + 1; j--) {
      if (known.has(nameKey(pieces.slice(i, j).join(LABEL_SEPARATOR).trim()))) {
        taken = j - i;
        break;
      }
    }
    out.push(pieces.slice(i, i + taken).join(LABEL_SEPARATOR));
    i += taken;
  }
  return out;
};

/**
 * The classification CSV (ours, or written by hand or another tool with the same header):
 * `image,labels[,split]`, one row per image, `labels` joined by `;`; `labels.txt` beside it
 * declares the labels in order (labels met only in rows are created after them). `image` is the
 * path inside the upload (`images/…`) or the name of an image already in the project.
 */
export const decodeClassificationCsv = (
  files: DatasetFiles,
  find: FindImage,
  options: DecodeOptions = {},
): Decoded => {
  const st = new DecodeState(files, find, options);
  const csvPath = shallowest(classificationCsvPaths(files));
  if (!csvPath) {
    st.log.error("(dataset)", undefined, "no classification.csv with an image,labels header");
    return st.finish("classification-csv");
  }
  const dir = dirname(csvPath);
  const list = labelList(files, dir);
  for (const n of list?.names ?? []) st.declare(n);
  const known = new Set((list?.names ?? []).map((n) => nameKey(n)));
  const rows = parseCsv(readText(files, csvPath));
  const cols = headerOf(rows[0]?.row ?? []);
  const at = (row: readonly string[], col: string): string | undefined => {
    const i = cols.get(col);
    return i === undefined ? undefined : row[i];
  };
  const seen = new Set<string>();
  for (const { row, line } of rows.slice(1)) {
    const where = `line ${line}`;
    if (row.length !== cols.size) {
      st.log.error(
        csvPath,
        where,
        `expected ${cols.size} fields (${[...cols.keys()].join(",")}), found ${row.length}`,
      );
      continue;
    }
    const imagePath = at(row, "image")?.trim() ?? "";
    if (imagePath === "") {
      st.log.error(csvPath, where, "the image field is empty");
      continue;
    }
    const splitText = at(row, "split")?.trim() ?? "";
    let split: SplitName | null = null;
    if (splitText !== "") {
      split = splitFromName(splitText);
      if (!split) {
        st.log.error(csvPath, where, `"${splitText}" is not a split (train, val or test)`);
        continue;
      }
    }
    if (seen.has(nameKey(imagePath))) {
      st.log.error(csvPath, where, `image "${imagePath}" has a row already: one row per image`);
      continue;
    }
    seen.add(nameKey(imagePath));
    const path = st.resolvePath([joinPath(dir, imagePath)], imagePath);
    const img = st.image(
      { path, fileName: basename(imagePath), stem: stemOf(imagePath) },
      csvPath,
      where,
      split,
    );
    if (!img) continue;
    const labels = splitLabels(at(row, "labels") ?? "", known);
    if (labels.some((l) => l.trim() === "")) {
      st.log.error(
        csvPath,
        where,
        `an empty label in "${at(row, "labels")}" (labels are joined by "${LABEL_SEPARATOR}")`,
      );
      continue;
    }
    for (const label of labels) st.tag(img, label, csvPath, where);
  }
  return st.finish("classification-csv");
};

/** Where a path sits in an ImageNet layout: the index of its split folder, or -1 (none). */
const splitIndex = (segments: readonly string[]): number =>
  segments.findIndex((s, i) => i + 2 < segments.length && splitFromName(s) !== null);

/** An ImageNet / ImageFolder layout: images under `<split>/<class>/`, no annotation files but labels.txt. */
export const looksLikeImagenet = (files: DatasetFiles): boolean =>
  files.imagePaths.length > 0 && files.imagePaths.every((p) => splitIndex(p.split("/")) >= 0);

/**
 * The ImageNet / torchvision ImageFolder layout: `<split>/<class folder>/<file>` (deeper folders
 * under the class folder are kept in the file's path, as ImageFolder walks them too). With
 * `labels.txt` beside the split folders (ours) the labels are created in its order and each folder
 * maps back to its label through `classFolders`; without it the folder names are the labels, in
 * the sorted order ImageFolder gives their class indices.
 */
export const decodeImagenet = (
  files: DatasetFiles,
  find: FindImage,
  options: DecodeOptions = {},
): Decoded => {
  const st = new DecodeState(files, find, options);
  const placed = files.imagePaths.map((p) => {
    const segments = p.split("/");
    const k = splitIndex(segments);
    return { path: p, k, segments };
  });
  const root = placed.find((x) => x.k >= 0);
  if (!root) {
    st.log.error("(dataset)", undefined, "no image under <split>/<class>/ (train/cat/0001.jpg)");
    return st.finish("imagenet");
  }
  const rootDir = root.segments.slice(0, root.k).join("/");
  const list = labelList(files, rootDir);
  const byFolder = new Map<string, string>();
  if (list) {
    const folders = classFolders(list.names);
    list.names.forEach((n, i) => {
      st.declare(n);
      byFolder.set(nameKey(folders[i] as string), n);
    });
  } else {
    const found = new Set(placed.flatMap((x) => (x.k >= 0 ? [x.segments[x.k + 1] as string] : [])));
    for (const f of [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) st.declare(f);
  }
  for (const { path, k, segments } of placed) {
    if (k < 0) {
      st.ignored.push(path);
      continue;
    }
    const split = splitFromName(segments[k] as string);
    const folder = segments[k + 1] as string;
    const img = st.image({ path, fileName: basename(path), stem: stemOf(path) }, path, undefined, split);
    if (img) st.tag(img, byFolder.get(nameKey(folder)) ?? folder, path, undefined);
  }
  for (const p of textPaths(files))
    if (p !== list?.path && basename(p) !== "manifest.json" && basename(p) !== "export-report.json")
      st.ignored.push(p);
  return st.finish("imagenet");
};
