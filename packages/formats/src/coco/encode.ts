import { valuesInOrder } from "../attribute-order.js";
import { ByteChunks } from "../byte-chunks.js";
import type { EncodeContext } from "../context.js";
import { jsonDocument } from "../json-writer.js";
import { round6 } from "../numbers.js";
import { splitMajor } from "../plan.js";
import { boundingBox, boxCorners, shapeArea } from "../shapes.js";
import type { ExportEntry, ExportItem, ExportLabel, SplitName } from "../types.js";
import {
  copyDecimal,
  newDecimal,
  scanNumber,
  writeDifference,
  writeProduct,
  writeSum,
  writeValue,
} from "./decimal.js";

export const cocoAnnotationPath = (split: SplitName) => `annotations/instances_${split}.json`;

/**
 * COCO numbers: coordinates exactly as stored (JSON prints the shortest exact form and `-0` as
 * `0`); derived values (spans, areas) rounded to 1e-6 so float noise stays out of the file.
 */
const num = (v: number) => v;
/**
 * Rounded to 1e-6, except that a positive value never rounds to 0: a polygon 4e-7 px tall keeps
 * its exact span and area, so no bbox or area is ever 0 (pycocotools and the trainers that read
 * COCO divide by them or drop such boxes).
 */
const der = (v: number): number => {
  const r = round6(v);
  return r === 0 && v > 0 ? v : r;
};

export interface CocoAnnotationOut {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  segmentation: number[][];
  iscrowd: 0;
  /** As CVAT's COCO export writes them: on every shape of a label that defines attributes. */
  attributes?: Record<string, boolean | number | string>;
}

/**
 * The `attributes` object a shape gets, as JSON: its values (definition order) on every shape of a
 * label that defines attributes (`{}` when it holds none), nothing for other labels, so exports of
 * projects without attributes keep their bytes.
 */
export const cocoAttributesJson = (
  label: ExportLabel | undefined,
  shape: ExportItem["shapes"][number],
): string | undefined =>
  label?.attributes && label.attributes.length > 0
    ? JSON.stringify(valuesInOrder(shape.attributes ?? {}, label.attributes))
    : undefined;

/**
 * One shape as a COCO annotation. A box keeps its exact `bbox` and also gets its four corners as
 * `segmentation`, so segm evaluation works on it (pycocotools fails on `segmentation: []`) and
 * the corners read back as a box. A polygon gets its points and its bounds as `bbox`.
 */
export const cocoAnnotation = (
  id: number,
  imageId: number,
  categoryId: number,
  shape: ExportItem["shapes"][number],
  attributes?: string,
): CocoAnnotationOut => {
  const g = shape.geometry;
  const b = boundingBox(g);
  const points = g.type === "box" ? boxCorners(b) : g.points;
  return {
    id,
    image_id: imageId,
    category_id: categoryId,
    bbox:
      g.type === "box"
        ? [num(g.x), num(g.y), num(g.width), num(g.height)]
        : [num(b.x), num(b.y), der(b.width), der(b.height)],
    area: der(shapeArea(g)),
    segmentation: [points.flatMap(([x, y]) => [num(x), num(y)])],
    iscrowd: 0,
    ...(attributes === undefined ? {} : { attributes: JSON.parse(attributes) }),
  };
};

/**
 * `cocoAnnotation` already serialized, from the parsed geometry: the same bytes as
 * `JSON.stringify(cocoAnnotation(...))` (a test holds them equal) without building an object for
 * JSON.stringify to walk. Template literals print numbers as JSON does (shortest round-trip form,
 * `-0` as `0`). Exports write `writeCocoAnnotation`'s bytes instead; this is what they must equal.
 */
export const cocoAnnotationLine = (
  id: number,
  imageId: number,
  categoryId: number,
  shape: ExportItem["shapes"][number],
  attributes?: string,
): string => {
  const g = shape.geometry;
  let bbox: string;
  let seg: string;
  let area: number;
  if (g.type === "box") {
    const x2 = g.x + g.width;
    const y2 = g.y + g.height;
    bbox = `${g.x},${g.y},${g.width},${g.height}`;
    seg = `${g.x},${g.y},${x2},${g.y},${x2},${y2},${g.x},${y2}`;
    area = der(g.width * g.height);
  } else {
    const b = boundingBox(g);
    bbox = `${b.x},${b.y},${der(b.width)},${der(b.height)}`;
    seg = g.points.map(([x, y]) => `${x},${y}`).join(",");
    area = der(shapeArea(g));
  }
  const tail = attributes === undefined ? "" : `,"attributes":${attributes}`;
  return `{"id":${id},"image_id":${imageId},"category_id":${categoryId},"bbox":[${bbox}],"area":${area},"segmentation":[[${seg}]],"iscrowd":0${tail}}`;
};

/**
 * Writes `cocoAnnotationLine(...)`'s bytes. When the shape's stored text is in JSON.stringify's
 * form its coordinates are copied as they are and only the derived values are computed, with the
 * same float operations in the same order as the parsed path; otherwise the parsed line is written.
 */
export const writeCocoAnnotation = (
  w: ByteChunks,
  id: number,
  imageId: number,
  categoryId: number,
  shape: ExportItem["shapes"][number],
  attributes?: string,
): void => {
  const json = shape.geometryJson;
  if (json !== undefined) {
    // Every byte of the line comes from the stored text (at most three times: bbox, segmentation
    // and a box's corners), a few derived numbers and fixed keys.
    w.reserve(3 * json.length + 300);
    const start = w.mark;
    w.ascii('{"id":');
    w.uint(id);
    w.ascii(',"image_id":');
    w.uint(imageId);
    w.ascii(',"category_id":');
    w.uint(categoryId);
    const written =
      json.charCodeAt(9) === 98 /* b: {"type":"box" */ ? storedBox(w, json) : storedPolygon(w, json);
    if (written) {
      w.ascii(',"iscrowd":0');
      writeTail(w, attributes);
      return;
    }
    w.rewind(start);
  }
  const line = cocoAnnotationLine(id, imageId, categoryId, shape);
  w.reserve(line.length);
  w.range(line, 0, line.length - 1);
  writeTail(w, attributes);
};

/** The line's end: the attributes (any text, so UTF-8) when the shape gets them, then `}`. */
const writeTail = (w: ByteChunks, attributes: string | undefined) => {
  if (attributes !== undefined) {
    w.reserve(3 * attributes.length + 20);
    w.ascii(',"attributes":');
    w.utf8(attributes);
  }
  w.reserve(1);
  w.byte(125 /* } */);
};

const BOX_X = '{"type":"box","x":';
const BOX_Y = ',"y":';
const BOX_W = ',"width":';
const BOX_H = ',"height":';
const POLYGON = '{"type":"polygon","points":[';

/** Scratch decimals (reused: a million shapes allocate none). */
const X = newDecimal();
const Y = newDecimal();
const W = newDecimal();
const H = newDecimal();
const MIN_X = newDecimal();
const MIN_Y = newDecimal();
const MAX_X = newDecimal();
const MAX_Y = newDecimal();

/** `{"type":"box","x":…,"y":…,"width":…,"height":…}` as bbox, area and corners; false if not that text. */
const storedBox = (w: ByteChunks, json: string): boolean => {
  if (!json.startsWith(BOX_X)) return false;
  const x0 = BOX_X.length;
  const x1 = scanNumber(json, x0, X);
  if (x1 < 0 || !json.startsWith(BOX_Y, x1)) return false;
  const y0 = x1 + BOX_Y.length;
  const y1 = scanNumber(json, y0, Y);
  if (y1 < 0 || !json.startsWith(BOX_W, y1)) return false;
  const w0 = y1 + BOX_W.length;
  const w1 = scanNumber(json, w0, W);
  if (w1 < 0 || !json.startsWith(BOX_H, w1)) return false;
  const h0 = w1 + BOX_H.length;
  const h1 = scanNumber(json, h0, H);
  if (h1 < 0 || h1 !== json.length - 1 || json.charCodeAt(h1) !== 125 /* } */) return false;
  w.ascii(',"bbox":[');
  w.range(json, x0, x1);
  w.byte(44);
  w.range(json, y0, y1);
  w.byte(44);
  w.range(json, w0, w1);
  w.byte(44);
  w.range(json, h0, h1);
  w.ascii('],"area":');
  writeProduct(w, W, H, der(W.value * H.value));
  w.ascii(',"segmentation":[[');
  w.range(json, x0, x1);
  w.byte(44);
  w.range(json, y0, y1);
  w.byte(44);
  // Each corner coordinate is printed once and its bytes copied: printing is the costly part.
  const right = w.mark;
  writeSum(w, X, W, X.value + W.value);
  const rightEnd = w.mark;
  w.byte(44);
  w.range(json, y0, y1);
  w.byte(44);
  w.again(right, rightEnd);
  w.byte(44);
  const bottom = w.mark;
  writeSum(w, Y, H, Y.value + H.value);
  const bottomEnd = w.mark;
  w.byte(44);
  w.range(json, x0, x1);
  w.byte(44);
  w.again(bottom, bottomEnd);
  w.ascii("]]");
  return true;
};

/**
 * `{"type":"polygon","points":[[x,y],…]}` (3 points or more) as bbox, area and segmentation; false
 * if not that text. One pass reads the numbers: bounds and the shoelace sum in the parsed path's
 * order (term i pairs point i with point i + 1, the last with the first), with no array of numbers.
 */
const storedPolygon = (w: ByteChunks, json: string): boolean => {
  if (!json.startsWith(POLYGON)) return false;
  const first = POLYGON.length;
  let at = first;
  let sum = 0;
  let firstX = 0;
  let firstY = 0;
  let prevX = 0;
  let prevY = 0;
  let n = 0;
  for (;;) {
    if (json.charCodeAt(at) !== 91 /* [ */) return false;
    const xEnd = scanNumber(json, at + 1, X);
    if (xEnd < 0 || json.charCodeAt(xEnd) !== 44 /* , */) return false;
    const yEnd = scanNumber(json, xEnd + 1, Y);
    if (yEnd < 0 || json.charCodeAt(yEnd) !== 93 /* ] */) return false;
    const x = X.value;
    const y = Y.value;
    if (n === 0) {
      copyDecimal(X, MIN_X);
      copyDecimal(X, MAX_X);
      copyDecimal(Y, MIN_Y);
      copyDecimal(Y, MAX_Y);
      firstX = x;
      firstY = y;
    } else {
      if (x < MIN_X.value) copyDecimal(X, MIN_X);
      if (x > MAX_X.value) copyDecimal(X, MAX_X);
      if (y < MIN_Y.value) copyDecimal(Y, MIN_Y);
      if (y > MAX_Y.value) copyDecimal(Y, MAX_Y);
      sum += prevX * y - x * prevY;
    }
    prevX = x;
    prevY = y;
    n++;
    at = yEnd + 1;
    const c = json.charCodeAt(at);
    if (c === 44 /* , */) at++;
    else if (c === 93 /* ] */) break;
    else return false;
  }
  if (n < 3 || at !== json.length - 2 || json.charCodeAt(at + 1) !== 125 /* } */) return false;
  sum += prevX * firstY - firstX * prevY;
  w.ascii(',"bbox":[');
  writeValue(w, MIN_X);
  w.byte(44);
  writeValue(w, MIN_Y);
  w.byte(44);
  writeDifference(w, MAX_X, MIN_X, der(MAX_X.value - MIN_X.value));
  w.byte(44);
  writeDifference(w, MAX_Y, MIN_Y, der(MAX_Y.value - MIN_Y.value));
  w.ascii('],"area":');
  w.ascii(String(der(Math.abs(sum / 2))));
  w.ascii(',"segmentation":[[');
  // The points' text without its brackets: `[[1,2],[3,4]]` → `1,2,3,4`.
  for (let i = first; i < at; i++) {
    const c = json.charCodeAt(i);
    if (c !== 91 && c !== 93) w.byte(c);
  }
  w.ascii("]]");
  return true;
};

/**
 * `annotations/instances_<split>.json` for every requested split (images under
 * `images/<split>/`). Image ids count from 1 split by split (unique across splits);
 * annotation ids count up from 1 across splits; category ids are label positions + 1. Image
 * tags go in a `tags` list of names on each image (an extension readers ignore).
 */
export function* encodeCoco(ctx: EncodeContext): Generator<ExportEntry> {
  const { source } = ctx;
  const imageIds = new Map(splitMajor(source.plan).map((p, i) => [p.id, i + 1]));
  const categories = source.labels.map((l, i) => ({ id: i + 1, name: l.name, supercategory: "" }));
  let annotationId = 0;
  for (const split of ctx.splits) {
    const images = source.plan.filter((p) => p.split === split);
    function* cocoImages() {
      for (const p of images) {
        if (p.tags.length > 0) ctx.report.add("TAGS_AS_IMAGE_FIELD", { image: p.exportName });
        yield {
          id: imageIds.get(p.id),
          file_name: p.exportName,
          width: p.width,
          height: p.height,
          tags: ctx.tagNames(p.tags, p.id),
        };
      }
    }
    function* cocoAnnotations() {
      const w = new ByteChunks();
      let separator = "\n";
      for (const item of source.items(split)) {
        ctx.count(item);
        const imageId = imageIds.get(item.image.id);
        if (imageId === undefined) throw new Error(`image ${item.image.id} is not in the plan`);
        for (const shape of item.shapes) {
          w.reserve(2);
          w.ascii(separator);
          separator = ",\n";
          const attributes = cocoAttributesJson(source.labels[shape.labelIndex], shape);
          writeCocoAnnotation(w, ++annotationId, imageId, shape.labelIndex + 1, shape, attributes);
        }
        yield* w.full();
      }
      yield* w.rest();
    }
    yield ctx.stream(
      cocoAnnotationPath(split),
      jsonDocument([
        ["info", { description: "Labelbench export", split, version: "1.0" }],
        ["licenses", []],
        ["categories", categories, "array"],
        ["images", cocoImages(), "array"],
        ["annotations", cocoAnnotations(), "json-bytes"],
      ]),
    );
    if (ctx.includeImages) {
      for (const p of images) yield { kind: "image", path: `images/${split}/${p.exportName}`, image: p };
    }
  }
}
