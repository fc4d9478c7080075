import type { EncodeContext } from "../context.js";
import { jsonDocument } from "../json.js";
import { round6 } from "../numbers.js";
import { splitMajor } from "../plan.js";
import { boundingBox, boxCorners, shapeArea } from "../shapes.js";
import type { ExportEntry, ExportItem, SplitName } from "../types.js";
import {
  copyDecimal,
  differenceText,
  newDecimal,
  productText,
  readDecimal,
  sumText,
  valueText,
} from "./decimal.js";

export const cocoAnnotationPath = (split: SplitName) => `annotations/instances_${split}.json`;

/**
 * COCO numbers: coordinates exactly as stored (JSON prints the shortest exact form and `-0` as
 * `0`); derived values (spans, areas) rounded to 1e-6 so float noise stays out of the file.
 */
const num = (v: number) => v;
const der = round6;

export interface CocoAnnotationOut {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  segmentation: number[][];
  iscrowd: 0;
}

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
  };
};

/**
 * `cocoAnnotation` already serialized: the same bytes as `JSON.stringify(cocoAnnotation(...))`
 * (a test holds them equal) without building a million objects for JSON.stringify to walk.
 * Template literals print numbers as JSON does (shortest round-trip form, `-0` as `0`).
 */
export const cocoAnnotationLine = (
  id: number,
  imageId: number,
  categoryId: number,
  shape: ExportItem["shapes"][number],
): string => {
  const spliced = shape.geometryJson === undefined ? null : splicedParts(shape.geometryJson);
  if (spliced !== null)
    return `{"id":${id},"image_id":${imageId},"category_id":${categoryId},${spliced},"iscrowd":0}`;
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
  return `{"id":${id},"image_id":${imageId},"category_id":${categoryId},"bbox":[${bbox}],"area":${area},"segmentation":[[${seg}]],"iscrowd":0}`;
};

/**
 * A JSON number exactly as JSON.stringify prints one (shortest round-trip form, no `-0`, exponent
 * with a sign), so copying its text gives the bytes that printing the parsed number would.
 */
const NUM = String.raw`(?:-?[1-9]\d*|-?0(?=\.)|0)(?:\.\d*[1-9])?(?:e[+-][1-9]\d*)?`;
const STORED_BOX = new RegExp(
  String.raw`^\{"type":"box","x":(${NUM}),"y":(${NUM}),"width":(${NUM}),"height":(${NUM})\}$`,
);
const POINT = String.raw`\[${NUM},${NUM}\]`;
const STORED_POLYGON = new RegExp(
  String.raw`^\{"type":"polygon","points":\[(${POINT}(?:,${POINT}){2,})\]\}$`,
);
const BRACKETS = /[[\]]/g;

/**
 * `"bbox":[…],"area":…,"segmentation":[[…]]` from the stored geometry text, or null when the
 * text is not in JSON.stringify's form (the caller then parses). Stored coordinates are copied as
 * text: a million shapes no longer pay for printing 16 million numbers, only the derived ones.
 * Derived values use the same float operations, in the same order, as the parsed path.
 */
const splicedParts = (json: string): string | null => {
  if (json.charCodeAt(9) === 98 /* b: {"type":"box" */) {
    const m = STORED_BOX.exec(json);
    if (m === null) return null;
    const [, xs, ys, ws, hs] = m as unknown as [string, string, string, string, string];
    const x = readDecimal(xs, 0, xs.length, X);
    const y = readDecimal(ys, 0, ys.length, Y);
    const w = readDecimal(ws, 0, ws.length, W);
    const h = readDecimal(hs, 0, hs.length, H);
    // Printed once each: number-to-text is most of this function's cost at a million shapes.
    const x2 = sumText(X, W, x + w);
    const y2 = sumText(Y, H, y + h);
    return `"bbox":[${xs},${ys},${ws},${hs}],"area":${productText(W, H, der(w * h))},"segmentation":[[${xs},${ys},${x2},${ys},${x2},${y2},${xs},${y2}]]`;
  }
  const m = STORED_POLYGON.exec(json);
  if (m === null) return null;
  const seg = (m[1] as string).replace(BRACKETS, "");
  // One pass over the numbers' text: bounds and the shoelace sum in the parsed path's order
  // (term i pairs point i with point i + 1, the last with the first), with no array of numbers.
  let sum = 0;
  let firstX = 0;
  let firstY = 0;
  let prevX = 0;
  let prevY = 0;
  let at = 0;
  for (let i = 0; at < seg.length; i++) {
    let end = seg.indexOf(",", at);
    const x = readDecimal(seg, at, end, X);
    at = end + 1;
    end = seg.indexOf(",", at);
    if (end < 0) end = seg.length;
    const y = readDecimal(seg, at, end, Y);
    at = end + 1;
    if (i === 0) {
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
  }
  sum += prevX * firstY - firstX * prevY;
  const area = Math.abs(sum / 2);
  const spanX = differenceText(MAX_X, MIN_X, der(MAX_X.value - MIN_X.value));
  const spanY = differenceText(MAX_Y, MIN_Y, der(MAX_Y.value - MIN_Y.value));
  return `"bbox":[${valueText(MIN_X)},${valueText(MIN_Y)},${spanX},${spanY}],"area":${der(area)},"segmentation":[[${seg}]]`;
};

/** Scratch decimals for splicedParts (reused: a million shapes allocate none). */
const X = newDecimal();
const Y = newDecimal();
const W = newDecimal();
const H = newDecimal();
const MIN_X = newDecimal();
const MIN_Y = newDecimal();
const MAX_X = newDecimal();
const MAX_Y = newDecimal();

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
      for (const item of source.items(split)) {
        ctx.count(item);
        const imageId = imageIds.get(item.image.id);
        if (imageId === undefined) throw new Error(`image ${item.image.id} is not in the plan`);
        for (const shape of item.shapes) {
          yield cocoAnnotationLine(++annotationId, imageId, shape.labelIndex + 1, shape);
        }
      }
    }
    yield ctx.stream(
      cocoAnnotationPath(split),
      jsonDocument([
        ["info", { description: "Labelbench export", split, version: "1.0" }],
        ["licenses", []],
        ["categories", categories, "array"],
        ["images", cocoImages(), "array"],
        ["annotations", cocoAnnotations(), "json-lines"],
      ]),
    );
    if (ctx.includeImages) {
      for (const p of images) yield { kind: "image", path: `images/${split}/${p.exportName}`, image: p };
    }
  }
}
