/**
 * What pycocotools relies on, checked without Python (PyPI is out of reach here): the rules
 * `COCO()` (createIndex), `loadRes` and `COCOeval` take for granted, and a faithful port of
 * COCOeval's bbox AP (`evaluate.ts`) to evaluate a file against itself. A correct export scores 1.0; annotation id 0 scores less, exactly as in
 * pycocotools, whose matcher uses 0 for "unmatched".
 */

import { type CocoBox, evaluateDetections } from "./evaluate.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Every rule a COCO instances file breaks, as `field: what is wrong`; empty when it is sound. */
export const validateCocoForPycocotools = (doc: unknown): string[] => {
  const out: string[] = [];
  if (!isObject(doc)) return ["(root): not a JSON object"];
  for (const k of ["info", "licenses", "images", "annotations", "categories"]) {
    if (!(k in doc)) out.push(`${k}: missing`);
  }
  if (!isObject(doc.info)) out.push("info: not an object");
  if (!Array.isArray(doc.licenses)) out.push("licenses: not a list");
  const images = Array.isArray(doc.images) ? doc.images : [];
  const annotations = Array.isArray(doc.annotations) ? doc.annotations : [];
  const categories = Array.isArray(doc.categories) ? doc.categories : [];

  const imageSize = new Map<number, { w: number; h: number }>();
  images.forEach((im: unknown, i) => {
    const at = `images[${i}]`;
    if (!isObject(im)) {
      out.push(`${at}: not an object`);
      return;
    }
    if (!isInt(im.id)) {
      out.push(`${at}.id: not an integer`);
      return;
    }
    if (imageSize.has(im.id)) out.push(`${at}.id: duplicate ${im.id} (createIndex keeps only the last)`);
    if (typeof im.file_name !== "string" || im.file_name === "") out.push(`${at}.file_name: missing`);
    if (!isInt(im.width) || im.width <= 0 || !isInt(im.height) || im.height <= 0)
      out.push(`${at}: width/height must be positive integers`);
    imageSize.set(im.id, { w: Number(im.width), h: Number(im.height) });
  });

  const cats = new Set<number>();
  categories.forEach((c: unknown, i) => {
    const at = `categories[${i}]`;
    if (!isObject(c)) {
      out.push(`${at}: not an object`);
      return;
    }
    if (!isInt(c.id)) {
      out.push(`${at}.id: not an integer`);
      return;
    }
    if (cats.has(c.id)) out.push(`${at}.id: duplicate ${c.id}`);
    if (typeof c.name !== "string" || c.name === "") out.push(`${at}.name: missing`);
    cats.add(c.id);
  });

  const ids = new Set<number>();
  annotations.forEach((a: unknown, i) => {
    const at = `annotations[${i}]`;
    if (!isObject(a)) {
      out.push(`${at}: not an object`);
      return;
    }
    if (!isInt(a.id)) out.push(`${at}.id: not an integer`);
    else {
      if (a.id < 1) out.push(`${at}.id: ${a.id}; COCOeval treats id 0 as "unmatched", ids must start at 1`);
      if (ids.has(a.id)) out.push(`${at}.id: duplicate ${a.id}`);
      ids.add(a.id);
    }
    if (!isInt(a.image_id) || !imageSize.has(a.image_id)) out.push(`${at}.image_id: no such image`);
    if (!isInt(a.category_id) || !cats.has(a.category_id)) out.push(`${at}.category_id: no such category`);
    if (a.iscrowd !== 0 && a.iscrowd !== 1) out.push(`${at}.iscrowd: must be 0 or 1`);
    const b = a.bbox;
    if (!Array.isArray(b) || b.length !== 4 || !b.every(isNum)) out.push(`${at}.bbox: not [x, y, w, h]`);
    else if ((b[2] as number) <= 0 || (b[3] as number) <= 0)
      out.push(`${at}.bbox: width and height must be > 0`);
    if (!isNum(a.area) || a.area <= 0) out.push(`${at}.area: must be a positive number`);
    const seg = a.segmentation;
    if (isObject(seg)) {
      if (!("counts" in seg) || !Array.isArray(seg.size))
        out.push(`${at}.segmentation: an RLE needs counts and size`);
    } else if (!Array.isArray(seg) || seg.length === 0) {
      out.push(
        `${at}.segmentation: must be an RLE or a non-empty list of polygons (segm evaluation indexes [0])`,
      );
    } else {
      seg.forEach((p: unknown, j) => {
        if (!Array.isArray(p) || !p.every(isNum) || p.length < 6 || p.length % 2 !== 0)
          out.push(`${at}.segmentation[${j}]: a polygon needs an even count (>= 6) of numbers`);
      });
    }
  });
  return out;
};

/**
 * COCOeval bbox AP of a file against itself (every annotation becomes a detection with score 1,
 * numbered 1..N as loadRes numbers them): AP @[.50:.95], area all, maxDets 100, the mean over the
 * categories with ground truth. Images and categories are the file's lists plus any an annotation
 * names (a broken file still evaluates); a missing `area` reads as the bbox's.
 */
export const cocoSelfEvaluation = (doc: unknown): number => {
  if (!isObject(doc) || !Array.isArray(doc.annotations)) throw new Error("not a COCO instances file");
  const anns = doc.annotations.filter(isObject);
  const idsOf = (list: unknown) =>
    Array.isArray(list) ? list.filter(isObject).map((o) => Number(o.id)) : [];
  const boxOf = (a: Json): CocoBox => {
    const b = Array.isArray(a.bbox) ? a.bbox : [];
    return [Number(b[0]), Number(b[1]), Number(b[2]), Number(b[3])];
  };
  const groundTruth = anns.map((a) => {
    const bbox = boxOf(a);
    return {
      id: Number(a.id),
      imageId: Number(a.image_id),
      categoryId: Number(a.category_id),
      bbox,
      area: isNum(a.area) ? a.area : bbox[2] * bbox[3],
      iscrowd: a.iscrowd === 1,
    };
  });
  const { summary } = evaluateDetections(
    {
      imageIds: [...idsOf(doc.images), ...groundTruth.map((g) => g.imageId)],
      categoryIds: [...idsOf(doc.categories), ...groundTruth.map((g) => g.categoryId)],
      groundTruth,
      detections: groundTruth.map((g) => ({
        imageId: g.imageId,
        categoryId: g.categoryId,
        bbox: g.bbox,
        score: 1,
      })),
    },
    { iouType: "bbox" },
  );
  return Math.max(0, summary.ap);
};
