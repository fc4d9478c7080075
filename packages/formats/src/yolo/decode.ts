import type { Vertex } from "@labelbench/geometry";
import YAML from "yaml";
import { type DecodeOptions, DecodeState, splitFromName, splitFromPath } from "../decode-common.js";
import { readText, textPaths } from "../files.js";
import { parseDecimal } from "../numbers.js";
import { basename, dirname, extname, stemOf } from "../paths.js";
import { boxFromCorners } from "../shapes.js";
import type { DatasetFiles, Decoded, DecodedImage, FindImage } from "../types.js";

interface ClassNames {
  readonly file: string;
  readonly names: ReadonlyMap<number, string>;
  /** Pose datasets: values per keypoint line after the box (kpt_shape = [k, d] gives k*d). */
  readonly keypointValues: number | null;
}

const NAME_FILES = new Set(["classes.txt", "obj.names"]);
const isNamesFile = (p: string) =>
  NAME_FILES.has(basename(p).toLowerCase()) || extname(p).toLowerCase() === ".names";
const isYaml = (p: string) => [".yaml", ".yml"].includes(extname(p).toLowerCase());
const depth = (p: string) => p.split("/").length;

const yamlNames = (st: DecodeState, file: string, text: string): ClassNames | null => {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    const e = err as Error & { linePos?: { line: number }[] };
    const line = e.linePos?.[0]?.line;
    st.log.error(file, line ? `line ${line}` : undefined, `not valid YAML: ${e.message.split("\n")[0]}`);
    return null;
  }
  if (typeof doc !== "object" || doc === null || !("names" in doc)) return null;
  const d = doc as Record<string, unknown>;
  const names = new Map<number, string>();
  if (Array.isArray(d.names)) {
    d.names.forEach((n: unknown, i) => {
      names.set(i, String(n));
    });
  } else if (typeof d.names === "object" && d.names !== null) {
    for (const [k, v] of Object.entries(d.names)) {
      if (!/^\d+$/.test(k)) {
        st.log.error(file, "names", `key "${k}" is not a class index (0, 1, 2, ...)`);
        continue;
      }
      names.set(Number(k), String(v));
    }
  } else {
    st.log.error(file, "names", "must be a list of names or a map of index: name");
    return null;
  }
  if (typeof d.nc === "number" && d.nc !== names.size)
    st.log.warn(file, "nc", `says ${d.nc} classes but names lists ${names.size}; names wins`);
  const kpt = d.kpt_shape;
  const keypointValues =
    Array.isArray(kpt) && kpt.length === 2 && kpt.every((v) => Number.isInteger(v))
      ? (kpt[0] as number) * (kpt[1] as number)
      : null;
  return { file, names, keypointValues };
};

const listNames = (file: string, text: string): ClassNames => {
  const names = new Map<number, string>();
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .forEach((n, i) => {
      names.set(i, n);
    });
  return { file, names, keypointValues: null };
};

/** data.yaml (shallowest first), else classes.txt (Label Studio), else obj.names (Darknet/CVAT). */
const findClassNames = (st: DecodeState, files: DatasetFiles): ClassNames | null => {
  const paths = textPaths(files);
  const yamls = paths.filter(isYaml).sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));
  for (const y of yamls) {
    const r = yamlNames(st, y, readText(files, y));
    if (r) return r;
  }
  const lists = paths.filter(isNamesFile).sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));
  const first = lists[0];
  return first ? listNames(first, readText(files, first)) : null;
};

const range = (names: ReadonlyMap<number, string>) => {
  const keys = [...names.keys()];
  return keys.length === 0 ? "none" : `${Math.min(...keys)}-${Math.max(...keys)}`;
};

/** Image paths by folder and stem (the first in zip order wins), so finding one is a lookup, not a scan. */
const imagesByDirStem = (imagePaths: readonly string[]): Map<string, string> => {
  const out = new Map<string, string>();
  for (const p of imagePaths) {
    const k = `${dirname(p)}/${stemOf(p)}`;
    if (!out.has(k)) out.set(k, p);
  }
  return out;
};

/**
 * The label file's stem with the folders it sits in below `labels` (and the split folder there):
 * `labels/train/cam_a/0001.txt` gives `cam_a/0001`; undefined when it sits in no such folder.
 */
const folderStemOf = (label: string): string | undefined => {
  const parts = label.split("/");
  const at = parts.lastIndexOf("labels");
  if (at < 0) return undefined;
  const below = parts.slice(at + 1, -1);
  if (below[0] !== undefined && splitFromName(below[0])) below.shift();
  return below.length === 0 ? undefined : [...below, stemOf(label)].join("/");
};

/** Where an image with this label file's stem would be, most likely first. */
const imageCandidates = (label: string, byDirStem: ReadonlyMap<string, string>): string | null => {
  const dir = dirname(label);
  const stem = stemOf(label);
  const parts = dir.split("/");
  const li = parts.lastIndexOf("labels");
  const dirs: string[] = [];
  if (li >= 0) dirs.push([...parts.slice(0, li), "images", ...parts.slice(li + 1)].join("/"));
  dirs.push(dir);
  for (const d of dirs) {
    const hit = byDirStem.get(`${d}/${stem}`);
    if (hit) return hit;
  }
  return null;
};

/**
 * YOLO labels, detection and segmentation alike (told apart per line by the number of values):
 * Ultralytics (`data.yaml` with names as list or map, `images/<split>` + `labels/<split>`, or
 * Roboflow's `<split>/images` + `<split>/labels`), Label Studio (`classes.txt`, `images/`,
 * `labels/`) and Darknet/CVAT YOLO 1.1 (`obj.names`, `obj_train_data/` with images and labels
 * side by side). Images in an image folder without a label file are background images.
 */
export const decodeYolo = (files: DatasetFiles, find: FindImage, options: DecodeOptions = {}): Decoded => {
  const st = new DecodeState(files, find, options);
  const classes = findClassNames(st, files);
  if (!classes) {
    st.log.error(
      "(dataset)",
      undefined,
      "no class names: expected data.yaml (names), classes.txt or obj.names",
    );
    return st.finish("yolo");
  }
  for (const [, n] of [...classes.names.entries()].sort(([a], [b]) => a - b)) st.declare(n);

  const imageDirs = new Set<string>();
  const labelFiles: string[] = [];
  const byDirStem = imagesByDirStem(files.imagePaths);
  for (const p of textPaths(files)) {
    if (extname(p).toLowerCase() !== ".txt" || isNamesFile(p)) continue;
    const inLabels = p.split("/").slice(0, -1).includes("labels");
    if (inLabels || byDirStem.has(`${dirname(p)}/${stemOf(p)}`)) labelFiles.push(p);
    else if (basename(p).toLowerCase() !== "classification.csv") st.ignored.push(p);
  }

  let polygons = 0;
  let keypointLines = 0;
  const labelled = new Set<string>();
  for (const file of labelFiles) {
    const imagePath = imageCandidates(file, byDirStem);
    if (imagePath) {
      labelled.add(imagePath);
      imageDirs.add(dirname(imagePath));
    }
    const folderStem = imagePath ? undefined : folderStemOf(file);
    const img = st.image(
      {
        path: imagePath,
        fileName: imagePath ? basename(imagePath) : null,
        stem: stemOf(file),
        ...(folderStem ? { folderStem } : {}),
      },
      file,
      undefined,
      splitFromPath(imagePath ?? file),
    );
    if (!img) continue;
    // One label file read at a time (the server reads it from the zip now, not before).
    const r = decodeLabelFile(st, classes, file, readText(files, file), img);
    polygons += r.polygons;
    keypointLines += r.keypointLines;
  }
  if (keypointLines > 0)
    st.log.warn(classes.file, "kpt_shape", `keypoints of ${keypointLines} object(s) dropped: boxes kept`);

  // Background images: in a folder that holds labelled images (or an `images` folder), no label file.
  for (const p of files.imagePaths) {
    if (labelled.has(p)) continue;
    const dir = dirname(p);
    if (imageDirs.has(dir) || dir.split("/").includes("images")) {
      st.image({ path: p, fileName: basename(p), stem: stemOf(p) }, p, undefined, splitFromPath(p));
    } else st.ignored.push(p);
  }
  st.readClassificationCsv();
  return st.finish(polygons > 0 ? "yolo-seg" : "yolo");
};

const decodeLabelFile = (
  st: DecodeState,
  classes: ClassNames,
  file: string,
  text: string,
  img: DecodedImage,
): { polygons: number; keypointLines: number } => {
  let polygons = 0;
  let keypointLines = 0;
  const W = img.width;
  const H = img.height;
  text.split(/\r?\n/).forEach((raw, i) => {
    const where = `line ${i + 1}`;
    const t = raw.trim();
    if (t === "") return;
    const tokens = t.split(/\s+/);
    const clsText = tokens[0] ?? "";
    if (!/^\d+$/.test(clsText)) {
      st.invalid(file, where, `class "${clsText}" is not a class index`);
      return;
    }
    const cls = Number(clsText);
    const label = classes.names.get(cls);
    if (label === undefined) {
      st.invalid(
        file,
        where,
        `class ${cls} not in ${basename(classes.file)} names (${range(classes.names)})`,
      );
      return;
    }
    const values = tokens.slice(1).map(parseDecimal);
    const bad = values.indexOf(null);
    if (bad >= 0) {
      st.invalid(file, where, `value ${bad + 2} ("${tokens[bad + 1]}") is not a number`);
      return;
    }
    const v = values as number[];
    const kp = classes.keypointValues;
    if (v.length === 4 || (kp !== null && v.length === 4 + kp)) {
      if (v.length > 4) keypointLines++;
      const [cx, cy, w, h] = v as [number, number, number, number];
      const x1 = (cx - w / 2) * W;
      const x2 = (cx + w / 2) * W;
      const y1 = (cy - h / 2) * H;
      const y2 = (cy + h / 2) * H;
      st.shape(img, label, { type: "box", x: x1, y: y1, width: x2 - x1, height: y2 - y1 }, file, where);
      return;
    }
    if (v.length >= 6 && v.length % 2 === 0) {
      const points: Vertex[] = [];
      for (let k = 0; k < v.length; k += 2) points.push([(v[k] as number) * W, (v[k + 1] as number) * H]);
      const asBox = boxFromCorners(points);
      if (!asBox) polygons++;
      st.shape(img, label, asBox ?? { type: "polygon", points: points.map(([x, y]) => [x, y]) }, file, where);
      return;
    }
    st.invalid(
      file,
      where,
      `expected "class cx cy w h" or "class x1 y1 x2 y2 x3 y3 ..." (at least 3 points), got ${v.length} values`,
    );
  });
  return { polygons, keypointLines };
};

/** A folder is YOLO when it has class names and label text files. */
export const looksLikeYolo = (files: DatasetFiles): boolean => {
  const paths = textPaths(files);
  const hasNames = paths.some(
    (p) => isNamesFile(p) || (isYaml(p) && /(^|\n)names\s*:/.test(readText(files, p))),
  );
  return hasNames && paths.some((p) => extname(p).toLowerCase() === ".txt" && !isNamesFile(p));
};
