import type { Vertex } from "@labelbench/geometry";
import type { Geometry } from "@labelbench/schema";
import { type DecodeOptions, DecodeState, splitFromName, splitFromPath } from "../decode-common.js";
import {
  arrayElements,
  isArraySpan,
  type JsonSpan,
  JsonSyntaxError,
  topLevelMembers,
} from "../json-stream.js";
import { basename, dirname, extname, joinPath, stemOf } from "../paths.js";
import { boxFromCorners } from "../shapes.js";
import type { DatasetFiles, Decoded, DecodedImage, FindImage, SplitName } from "../types.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
/** COCO ids are integers; some tools write them as strings. Both are keys here. */
const idKey = (v: unknown): string | null =>
  isInt(v) ? String(v) : typeof v === "string" && v !== "" ? `s:${v}` : null;

/** The arrays read element by element: the rest of a COCO file is small. */
const LAZY = ["images", "annotations", "categories"] as const;

/** The top-level arrays of a COCO instances file, located (not parsed); null when it is not one. */
const cocoSections = (
  text: string,
): { images: JsonSpan; annotations: JsonSpan; categories: JsonSpan | null } | null => {
  const members = topLevelMembers(text, LAZY);
  const images = members?.get("images");
  const annotations = members?.get("annotations");
  if (!members || !images || !annotations || !isArraySpan(text, images) || !isArraySpan(text, annotations))
    return null;
  const categories = members.get("categories");
  return { images, annotations, categories: categories && isArraySpan(text, categories) ? categories : null };
};

/**
 * A JSON file is COCO when it has `images` and `annotations` arrays (categories are checked
 * later). The arrays are located, not parsed: detection must not build a million objects.
 */
export const looksLikeCoco = (text: string): boolean => {
  if (!text.includes('"images"') || !text.includes('"annotations"')) return false;
  try {
    return cocoSections(text) !== null;
  } catch {
    return false;
  }
};

/**
 * The corners of a box, computed as x + w, lose the last bit of w; when the `bbox` agrees with
 * them, its exact numbers are the box (so a re-export writes the same digits).
 */
const exactBox = (fromCorners: Geometry, bbox: unknown): Geometry | null => {
  if (fromCorners.type !== "box" || !Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(isNum))
    return null;
  const [x, y, w, h] = bbox as [number, number, number, number];
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6;
  return close(x, fromCorners.x) &&
    close(y, fromCorners.y) &&
    close(w, fromCorners.width) &&
    close(h, fromCorners.height)
    ? { type: "box", x, y, width: w, height: h }
    : null;
};

const splitOfCocoFile = (path: string): SplitName | null => {
  const m = /(?:^|_)(train|val|valid|test)(?:\d{4})?$/i.exec(stemOf(path).replace(/\.coco$/, ""));
  return (m?.[1] ? splitFromName(m[1]) : null) ?? splitFromPath(path);
};

/**
 * COCO instances, as pycocotools, datumaro, CVAT, Roboflow and labelme write them: category ids
 * of any value (0, gaps), ids as numbers or strings, extra fields ignored, `iscrowd` RLE masks
 * skipped with a warning, several polygons per annotation split into one annotation each, and the
 * exact 4-corner polygon of the `bbox` read back as a box.
 */
export const decodeCoco = (files: DatasetFiles, find: FindImage, options: DecodeOptions = {}): Decoded => {
  const st = new DecodeState(files, find, options);
  const jsonFiles = [...files.texts.keys()].filter((p) => extname(p).toLowerCase() === ".json");
  let found = 0;
  for (const file of jsonFiles) {
    const text = files.texts.get(file) ?? "";
    try {
      const sections = cocoSections(text);
      if (!sections) {
        st.ignored.push(file);
        continue;
      }
      found++;
      decodeCocoFile(st, file, text, sections);
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      if (text.includes('"annotations"')) st.log.error(file, undefined, `not valid JSON: ${err.message}`);
      else st.ignored.push(file);
    }
  }
  if (found === 0)
    st.log.error("(dataset)", undefined, "no COCO file: expected a .json with images and annotations");
  st.readClassificationCsv();
  return st.finish("coco");
};

const decodeCocoFile = (
  st: DecodeState,
  file: string,
  text: string,
  sections: NonNullable<ReturnType<typeof cocoSections>>,
) => {
  const split = splitOfCocoFile(file);
  const dir = dirname(file);

  const categories = new Map<string, string>();
  if (!sections.categories) {
    st.log.error(file, "categories", "missing: a COCO instances file lists its categories");
  } else {
    for (const [c, i] of arrayElements(text, sections.categories)) {
      const at = `categories[${i}]`;
      if (!isObject(c)) {
        st.log.error(file, at, "not an object");
        continue;
      }
      const key = idKey(c.id);
      if (key === null) {
        st.log.error(file, `${at}.id`, "missing or not an integer");
        continue;
      }
      if (typeof c.name !== "string" || c.name.trim() === "") {
        st.log.error(file, `${at}.name`, "missing or empty");
        continue;
      }
      if (categories.has(key)) {
        st.log.error(file, `${at}.id`, `duplicate category id ${String(c.id)}`);
        continue;
      }
      if (c.name.trim().length > 100) {
        st.log.error(file, `${at}.name`, "longer than 100 characters");
        continue;
      }
      categories.set(key, st.declare(c.name));
      if (typeof c.supercategory === "string" && c.supercategory.trim() !== "")
        st.markParent(c.supercategory);
    }
  }

  const images = new Map<string, DecodedImage | null>();
  for (const [im, i] of arrayElements(text, sections.images)) {
    decodeCocoImage(st, file, dir, split, images, im, i);
  }

  const seenIds = new Set<string>();
  for (const [a, i] of arrayElements(text, sections.annotations)) {
    decodeCocoAnnotation(st, file, images, categories, seenIds, a, i);
  }
};

const decodeCocoImage = (
  st: DecodeState,
  file: string,
  dir: string,
  split: SplitName | null,
  images: Map<string, DecodedImage | null>,
  im: unknown,
  i: number,
) => {
  const at = `images[${i}]`;
  if (!isObject(im)) {
    st.log.error(file, at, "not an object");
    return;
  }
  const key = idKey(im.id);
  if (key === null) {
    st.log.error(file, `${at}.id`, "missing or not an integer");
    return;
  }
  if (images.has(key)) {
    st.log.error(file, `${at}.id`, `duplicate image id ${String(im.id)}`);
    return;
  }
  if (typeof im.file_name !== "string" || im.file_name === "") {
    st.log.error(file, `${at}.file_name`, "missing or empty");
    return;
  }
  const fileName = im.file_name.replace(/\\/g, "/");
  const path = st.resolvePath(
    [
      joinPath(dir, fileName),
      joinPath(dir, "..", "images", split ?? "", basename(fileName)),
      joinPath(dir, "..", "images", basename(fileName)),
      joinPath(dir, "images", basename(fileName)),
      fileName,
    ],
    fileName,
  );
  const img = st.image(
    { path, fileName: basename(fileName), stem: stemOf(fileName) },
    file,
    `${at} (${fileName})`,
    split,
  );
  images.set(key, img);
  if (!img) return;
  const declared = isInt(im.width) && isInt(im.height) ? { width: im.width, height: im.height } : null;
  if (!declared)
    st.log.warn(file, `${at}`, "width/height missing or not integers; the image's own size is used");
  if (!st.checkDeclaredSize(img, declared, file, at)) images.set(key, null);
  if (Array.isArray(im.tags)) {
    im.tags.forEach((t: unknown, j) => {
      if (typeof t === "string" && t.trim() !== "") st.tag(img, t);
      else st.log.warn(file, `${at}.tags[${j}]`, "not a label name; ignored");
    });
  }
};

const decodeCocoAnnotation = (
  st: DecodeState,
  file: string,
  images: ReadonlyMap<string, DecodedImage | null>,
  categories: ReadonlyMap<string, string>,
  seenIds: Set<string>,
  a: unknown,
  i: number,
) => {
  const at = `annotations[${i}]`;
  if (!isObject(a)) {
    st.log.error(file, at, "not an object");
    return;
  }
  const id = idKey(a.id);
  if (id === null) st.log.warn(file, `${at}.id`, "missing or not an integer (pycocotools needs one)");
  else if (seenIds.has(id)) st.log.warn(file, `${at}.id`, `duplicate annotation id ${String(a.id)}`);
  else seenIds.add(id);
  const imageKey = idKey(a.image_id);
  if (imageKey === null || !images.has(imageKey)) {
    st.log.error(file, `${at}.image_id`, `${String(a.image_id)} is not an image id of this file`);
    return;
  }
  const img = images.get(imageKey);
  if (!img) return; // the image itself was already reported
  const catKey = idKey(a.category_id);
  const label = catKey === null ? undefined : categories.get(catKey);
  if (label === undefined) {
    st.log.error(file, `${at}.category_id`, `${String(a.category_id)} is not a category id of this file`);
    return;
  }
  const crowd = a.iscrowd === 1 || a.iscrowd === true;
  const seg = a.segmentation;
  if (isObject(seg)) {
    st.log.warn(
      file,
      at,
      `${crowd ? "iscrowd " : ""}RLE mask skipped: masks are not supported (bbox ${JSON.stringify(a.bbox)} not imported)`,
    );
    return;
  }
  if (crowd) st.log.warn(file, `${at}.iscrowd`, "crowd flag not kept: imported as a regular object");
  const polygons = Array.isArray(seg) ? seg : [];
  if (polygons.length > 0) {
    if (polygons.length > 1)
      st.log.warn(
        file,
        `${at}.segmentation`,
        `${polygons.length} polygons imported as ${polygons.length} annotations`,
      );
    polygons.forEach((poly: unknown, j) => {
      const where = polygons.length > 1 ? `${at}.segmentation[${j}]` : `${at}.segmentation`;
      if (!Array.isArray(poly) || !poly.every(isNum) || poly.length % 2 !== 0 || poly.length < 6) {
        st.invalid(file, where, "a polygon is a flat list of at least 3 x,y pairs");
        return;
      }
      const points: Vertex[] = [];
      for (let k = 0; k < poly.length; k += 2) points.push([poly[k] as number, poly[k + 1] as number]);
      const asBox = polygons.length === 1 ? boxFromCorners(points) : null;
      st.shape(
        img,
        label,
        (asBox && exactBox(asBox, a.bbox)) ??
          asBox ?? { type: "polygon", points: points.map(([x, y]) => [x, y]) },
        file,
        where,
      );
    });
    return;
  }
  const b = a.bbox;
  if (!Array.isArray(b) || b.length !== 4 || !b.every(isNum)) {
    st.invalid(file, `${at}.bbox`, "neither a polygon nor a bbox [x, y, width, height]");
    return;
  }
  const [x, y, w, h] = b as [number, number, number, number];
  st.shape(img, label, { type: "box", x, y, width: w, height: h }, file, `${at}.bbox`);
};
