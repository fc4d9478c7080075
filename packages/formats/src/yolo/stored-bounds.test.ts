import type { Geometry } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { boundingBox } from "../shapes.js";
import { randomGeometries } from "../testing/random-geometry.js";
import { type StoredBounds, storedBounds } from "./stored-bounds.js";

/** Numbers of every printed form: integers, 2 decimals, full doubles, tiny (exponent), negative, zero. */
const geometries = (n: number): Geometry[] =>
  randomGeometries(n, { seed: 11, polygonEvery: 2, maxPrecision: 17 });

const scratch = (): StoredBounds => ({ type: "box", x: NaN, y: NaN, width: NaN, height: NaN });

describe("storedBounds", () => {
  it("gives boundingBox(JSON.parse(text)) exactly, for 20,000 stored shapes of every number form", () => {
    const out = scratch();
    const wrong: string[] = [];
    for (const g of geometries(20_000)) {
      const json = JSON.stringify(g);
      const parsed = JSON.parse(json) as Geometry;
      const b = boundingBox(parsed);
      // Bit for bit: Object.is tells 0 from -0, and every double apart.
      const same =
        storedBounds(json, out) &&
        out.type === parsed.type &&
        Object.is(out.x, b.x) &&
        Object.is(out.y, b.y) &&
        Object.is(out.width, b.width) &&
        Object.is(out.height, b.height);
      if (!same) wrong.push(json);
    }
    expect(wrong).toEqual([]);
  });

  it("leaves text in any other form to the parser", () => {
    const out = scratch();
    for (const text of [
      '{"x":1,"type":"box","y":2,"width":3,"height":4}', // another key order
      '{"type":"box","x":1,"y":2,"width":3}', // a key missing
      '{"type":"box","x":1,"y":2,"width":3,"height":4,"z":1}', // a key more
      '{"type":"box","x":-0,"y":2,"width":3,"height":4}', // -0 (JSON.stringify writes 0)
      '{"type":"box","x":1.50,"y":2,"width":3,"height":4}', // a trailing zero
      '{"type":"box", "x":1,"y":2,"width":3,"height":4}', // spaces
      '{"type":"polygon","points":[[1,2],[3,4]]}', // two points
      '{"type":"polygon","points":[[1,2],[3,4],[5]]}', // a point without y
      '{"type":"polygon","points":[[1,2],[3,4],[5,6]],"closed":true}',
      '{"type":"ellipse","cx":1,"cy":2}',
    ])
      expect(storedBounds(text, out), text).toBe(false);
  });

  it("reads the exponent form JSON.stringify writes for tiny and huge numbers", () => {
    const out = scratch();
    expect(storedBounds('{"type":"box","x":1e-7,"y":2.5e+21,"width":3,"height":4}', out)).toBe(true);
    expect(out).toStrictEqual({ type: "box", x: 1e-7, y: 2.5e21, width: 3, height: 4 });
  });
});
