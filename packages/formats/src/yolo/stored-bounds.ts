import { type Decimal, newDecimal, scanNumber } from "../coco/decimal.js";

/**
 * A shape's bounding box read straight from its stored JSON text, for YOLO's box lines: a million
 * `JSON.parse` calls and the objects and point arrays they build were the largest cost of a
 * 100k-image YOLO export (with the collections their garbage caused). The values are the ones
 * `boundingBox(JSON.parse(text))` gives: `scanNumber` reads each number as `Number()` does, the
 * bounds are taken with the same comparisons in the same order, and width and height are the same
 * subtractions. Text not in JSON.stringify's form (another key order, an exponent, `-0`) is left
 * to the parsed path.
 */
export interface StoredBounds {
  /** What the stored geometry is: a polygon is written as its bounds (reported by the caller). */
  type: "box" | "polygon";
  x: number;
  y: number;
  width: number;
  height: number;
}

const BOX_X = '{"type":"box","x":';
const BOX_Y = ',"y":';
const BOX_W = ',"width":';
const BOX_H = ',"height":';
const POLYGON = '{"type":"polygon","points":[';

/** Scratch number (reused: a million shapes allocate none). */
const N: Decimal = newDecimal();

/**
 * Fills `out` with the bounds of the geometry stored as `json` and returns true, or returns false
 * when the text is not in the form JSON.stringify writes a box or a polygon of 3 points or more.
 */
export const storedBounds = (json: string, out: StoredBounds): boolean => {
  if (json.startsWith(BOX_X)) {
    let at = scanNumber(json, BOX_X.length, N);
    if (at < 0 || !json.startsWith(BOX_Y, at)) return false;
    const x = N.value;
    at = scanNumber(json, at + BOX_Y.length, N);
    if (at < 0 || !json.startsWith(BOX_W, at)) return false;
    const y = N.value;
    at = scanNumber(json, at + BOX_W.length, N);
    if (at < 0 || !json.startsWith(BOX_H, at)) return false;
    const width = N.value;
    at = scanNumber(json, at + BOX_H.length, N);
    if (at < 0 || at !== json.length - 1 || json.charCodeAt(at) !== 125 /* } */) return false;
    out.type = "box";
    out.x = x;
    out.y = y;
    out.width = width;
    out.height = N.value;
    return true;
  }
  if (!json.startsWith(POLYGON)) return false;
  let at = POLYGON.length;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  let n = 0;
  for (;;) {
    if (json.charCodeAt(at) !== 91 /* [ */) return false;
    const xEnd = scanNumber(json, at + 1, N);
    if (xEnd < 0 || json.charCodeAt(xEnd) !== 44 /* , */) return false;
    const x = N.value;
    const yEnd = scanNumber(json, xEnd + 1, N);
    if (yEnd < 0 || json.charCodeAt(yEnd) !== 93 /* ] */) return false;
    const y = N.value;
    // polygonBounds' comparisons, in its order.
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
    n++;
    at = yEnd + 1;
    const c = json.charCodeAt(at);
    if (c === 44 /* , */) at++;
    else if (c === 93 /* ] */) break;
    else return false;
  }
  if (n < 3 || at !== json.length - 2 || json.charCodeAt(at + 1) !== 125 /* } */) return false;
  out.type = "polygon";
  out.x = minX;
  out.y = minY;
  out.width = maxX - minX;
  out.height = maxY - minY;
  return true;
};
