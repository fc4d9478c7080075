import type { Vertex } from "@labelbench/geometry";
import type { Geometry } from "@labelbench/schema";
import { type DecodeOptions, DecodeState, splitFromName, splitFromPath } from "../decode-common.js";
import { readChunks, textPaths } from "../files.js";
import { JsonChunkReader, JsonSyntaxError } from "../json-reader.js";
import { keepOutlines, MIN_OUTLINE_AREA } from "../outlines.js";
import { basename, dirname, extname, joinPath, stemOf } from "../paths.js";
import { boxFromCorners } from "../shapes.js";
import type { DatasetFiles, Decoded, DecodedImage, FindImage, SplitName } from "../types.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
/**
 * COCO ids are integers; some tools write them as strings. Both are keys here: an integer as
 * itself (no number-to-text conversion per annotation), a string prefixed so "1" is not 1.
 */
type IdKey = number | string;
const idKey = (v: unknown): IdKey | null =>
  isInt(v) ? v : typeof v === "string" && v !== "" ? `s:${v}` : null;

/** The arrays read element by element, in the order they must be decoded: the rest of a COCO file is small. */
const SECTIONS = ["categories", "images", "annotations"] as const;
type Section = (typeof SECTIONS)[number];

/**
 * What the start of a JSON file says: COCO when `images` and `annotations` are both arrays
 * (found without parsing them, and reading no further than needed), "broken" when the JSON
 * breaks before that in a file that had begun like COCO, else not COCO.
 */
const cocoShape = (chunks: Iterable<string>): "coco" | "other" | { broken: JsonSyntaxError } => {
  const r = new JsonChunkReader(chunks, SECTIONS);
  let images = false;
  let annotations = false;
  let named = false;
  try {
    for (let e = r.next(); e !== "end" && e !== "notObject"; e = r.next()) {
      if (r.key === "images" || r.key === "annotations") named = true;
      if (e !== "array") continue;
      if (r.key === "images") images = true;
      if (r.key === "annotations") annotations = true;
      if (images && annotations) return "coco";
    }
    return "other";
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    return named ? { broken: err } : "other";
  } finally {
    r.close();
  }
};

/**
 * A JSON file is COCO when it has `images` and `annotations` arrays (categories are checked
 * later). The arrays are located, not parsed: detection must not build a million objects.
 */
export const looksLikeCoco = (text: string): boolean => cocoShape([text]) === "coco";
export const looksLikeCocoFile = (chunks: Iterable<string>): boolean => cocoShape(chunks) === "coco";

/** Integer ids up to this are kept in a bit set (a million ids: 125 kB), others in a Set. */
const BITSET_LIMIT = 1 << 26;

/** Annotation ids seen so far, for the duplicate warning, in memory that does not grow per object. */
class IdSet {
  private bits = new Uint8Array(1024);
  private readonly other = new Set<string>();

  /** Adds the id; false when it was already there. */
  add(v: unknown, key: IdKey): boolean {
    if (isInt(v) && v >= 0 && v < BITSET_LIMIT) {
      const byte = v >>> 3;
      if (byte >= this.bits.length) {
        const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
        grown.set(this.bits);
        this.bits = grown;
      }
      const bit = 1 << (v & 7);
      const had = ((this.bits[byte] ?? 0) & bit) !== 0;
      this.bits[byte] = (this.bits[byte] ?? 0) | bit;
      return !had;
    }
    const k = String(key);
    if (this.other.has(k)) return false;
    this.other.add(k);
    return true;
  }
}

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
 *
 * Each file is read in pieces, element by element (`readChunks`), and annotations go to the
 * sink as they are read: a file with a million annotations is never held whole.
 */
export const decodeCoco = (files: DatasetFiles, find: FindImage, options: DecodeOptions = {}): Decoded => {
  const st = new DecodeState(files, find, options);
  const jsonFiles = textPaths(files).filter((p) => extname(p).toLowerCase() === ".json");
  let found = 0;
  for (const file of jsonFiles) {
    const shape = cocoShape(readChunks(files, file));
    if (shape === "other") {
      st.ignored.push(file);
      continue;
    }
    found++;
    try {
      if (shape !== "coco") throw shape.broken;
      decodeCocoFile(st, file, () => readChunks(files, file));
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      st.log.error(file, undefined, `not valid JSON: ${err.message}`);
    }
  }
  if (found === 0)
    st.log.error("(dataset)", undefined, "no COCO file: expected a .json with images and annotations");
  st.readClassificationCsv();
  return st.finish("coco");
};

interface CocoFileState {
  readonly file: string;
  readonly dir: string;
  readonly split: SplitName | null;
  readonly categories: Map<IdKey, string>;
  readonly images: Map<IdKey, DecodedImage | null>;
  readonly seenIds: IdSet;
}

/**
 * Categories must be known before images (image tags name them) and both before annotations.
 * They usually come in that order, and then one reading does it all; the JSON spec does not
 * order members, so each further reading decodes the sections the previous one had to pass
 * over (annotations before categories take two readings, never more than three).
 */
const decodeCocoFile = (st: DecodeState, file: string, open: () => Iterable<string>) => {
  const fs: CocoFileState = {
    file,
    dir: dirname(file),
    split: splitOfCocoFile(file),
    categories: new Map(),
    images: new Map(),
    seenIds: new IdSet(),
  };
  const present = new Set<Section>();
  let next = 0;
  for (let reading = 0; next < SECTIONS.length && reading < SECTIONS.length; reading++) {
    const r = new JsonChunkReader(open(), SECTIONS);
    try {
      let active: Section | null = null;
      for (let e = r.next(); e !== "end"; e = r.next()) {
        if (e === "member") {
          // The first reading checks the members kept whole; later ones only pass over them.
          if (reading === 0) r.parse();
        } else if (e === "array") {
          const section = r.key as Section;
          if (reading === 0 && present.has(section))
            st.log.error(file, section, "appears twice; only the first is read");
          present.add(section);
          active = section === SECTIONS[next] ? section : null;
        } else if (e === "element") {
          if (active !== null) decodeElement(st, fs, active, r.parse(), r.index);
        } else if (e === "arrayEnd") {
          if (active !== null) next++;
          active = null;
        } else if (e === "notObject") break;
      }
    } finally {
      r.close();
    }
    // Sections the file does not have are done (a missing categories list is an error).
    while (next < SECTIONS.length && !present.has(SECTIONS[next] as Section)) {
      if (SECTIONS[next] === "categories")
        st.log.error(file, "categories", "missing: a COCO instances file lists its categories");
      next++;
    }
  }
};

const decodeElement = (st: DecodeState, fs: CocoFileState, section: Section, v: unknown, i: number) => {
  if (section === "annotations")
    decodeCocoAnnotation(st, fs.file, fs.images, fs.categories, fs.seenIds, v, i);
  else if (section === "images") decodeCocoImage(st, fs.file, fs.dir, fs.split, fs.images, v, i);
  else decodeCocoCategory(st, fs.file, fs.categories, v, i);
};

const decodeCocoCategory = (
  st: DecodeState,
  file: string,
  categories: Map<IdKey, string>,
  c: unknown,
  i: number,
) => {
  const at = `categories[${i}]`;
  if (!isObject(c)) {
    st.log.error(file, at, "not an object");
    return;
  }
  const key = idKey(c.id);
  if (key === null) {
    st.log.error(file, `${at}.id`, "missing or not an integer");
    return;
  }
  if (typeof c.name !== "string" || c.name.trim() === "") {
    st.log.error(file, `${at}.name`, "missing or empty");
    return;
  }
  if (categories.has(key)) {
    st.log.error(file, `${at}.id`, `duplicate category id ${String(c.id)}`);
    return;
  }
  if (c.name.trim().length > 100) {
    st.log.error(file, `${at}.name`, "longer than 100 characters");
    return;
  }
  categories.set(key, st.declare(c.name));
  if (typeof c.supercategory === "string" && c.supercategory.trim() !== "") st.markParent(c.supercategory);
};

const decodeCocoImage = (
  st: DecodeState,
  file: string,
  dir: string,
  split: SplitName | null,
  images: Map<IdKey, DecodedImage | null>,
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
  // Without images in the upload (a re-import of annotations) there is no path to try.
  const path = st.holdsImages
    ? st.resolvePath(
        [
          joinPath(dir, fileName),
          joinPath(dir, "..", "images", split ?? "", basename(fileName)),
          joinPath(dir, "..", "images", basename(fileName)),
          joinPath(dir, "images", basename(fileName)),
          fileName,
        ],
        fileName,
      )
    : null;
  const img = st.image(
    {
      path,
      fileName: basename(fileName),
      ...(fileName.includes("/") ? { folderName: fileName } : {}),
      stem: stemOf(fileName),
    },
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
      if (typeof t === "string" && t.trim() !== "") st.tag(img, t, file, `${at}.tags[${j}]`);
      else st.log.warn(file, `${at}.tags[${j}]`, "not a label name; ignored");
    });
  }
};

const decodeCocoAnnotation = (
  st: DecodeState,
  file: string,
  images: ReadonlyMap<IdKey, DecodedImage | null>,
  categories: ReadonlyMap<IdKey, string>,
  seenIds: IdSet,
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
  else if (!seenIds.add(a.id, id)) st.log.warn(file, `${at}.id`, `duplicate annotation id ${String(a.id)}`);
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
  const attributes = cocoAttributes(st, file, at, a.attributes);
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
    // Several outlines: each its own shape, specks left out — the rule of outlines.ts, which the
    // predictions' COCO results follow too.
    const outlines: { points: Vertex[]; where: string }[] = [];
    polygons.forEach((poly: unknown, j) => {
      const where = polygons.length > 1 ? `${at}.segmentation[${j}]` : `${at}.segmentation`;
      if (!Array.isArray(poly) || !poly.every(isNum) || poly.length % 2 !== 0 || poly.length < 6) {
        st.invalid(file, where, "a polygon is a flat list of at least 3 x,y pairs");
        return;
      }
      const points: Vertex[] = [];
      for (let k = 0; k < poly.length; k += 2) points.push([poly[k] as number, poly[k + 1] as number]);
      outlines.push({ points, where });
    });
    if (outlines.length === 0) return;
    const { kept, specks } = keepOutlines(outlines.map((o) => o.points));
    if (polygons.length > 1)
      st.log.warn(
        file,
        `${at}.segmentation`,
        `${polygons.length} polygons imported as ${kept.length} annotations${specks > 0 ? ` (${specks} below ${MIN_OUTLINE_AREA} square pixel left out)` : ""}`,
      );
    for (const o of outlines) {
      if (!kept.includes(o.points)) continue;
      const asBox = polygons.length === 1 ? boxFromCorners(o.points) : null;
      st.shape(
        img,
        label,
        (asBox && exactBox(asBox, a.bbox)) ??
          asBox ?? { type: "polygon", points: o.points.map(([x, y]) => [x, y]) },
        file,
        o.where,
        attributes,
      );
    }
    return;
  }
  const b = a.bbox;
  if (!Array.isArray(b) || b.length !== 4 || !b.every(isNum)) {
    st.invalid(file, `${at}.bbox`, "neither a polygon nor a bbox [x, y, width, height]");
    return;
  }
  const [x, y, w, h] = b as [number, number, number, number];
  st.shape(img, label, { type: "box", x, y, width: w, height: h }, file, `${at}.bbox`, attributes);
};

/**
 * An annotation's `attributes` object, as CVAT's COCO export writes it (`{"occluded": false, …}`):
 * true/false, numbers and strings are kept; other values (lists, objects, null) are reported and left out.
 */
const cocoAttributes = (
  st: DecodeState,
  file: string,
  at: string,
  v: unknown,
): Record<string, boolean | number | string> | undefined => {
  if (v === undefined) return undefined;
  if (!isObject(v) || Array.isArray(v)) {
    st.log.warn(file, `${at}.attributes`, "not an object of name: value; not kept");
    return undefined;
  }
  const out: Record<string, boolean | number | string> = {};
  for (const [name, x] of Object.entries(v)) {
    if (typeof x === "boolean" || typeof x === "string" || isNum(x)) out[name] = x;
    else
      st.log.warn(
        file,
        `${at}.attributes.${name}`,
        `${JSON.stringify(x)} is not true/false, a number or text; not kept`,
      );
  }
  return out;
};
