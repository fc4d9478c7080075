import type { Geometry } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { ByteChunks } from "../byte-chunks.js";
import { randomGeometries } from "../testing/random-geometry.js";
import type { ExportShape } from "../types.js";
import { decodeUtf8 } from "../utf8.js";
import { cocoAnnotation, cocoAnnotationLine, writeCocoAnnotation } from "./encode.js";

/** The bytes an export writes for one shape, as text; small chunks, so lines cross chunk ends. */
const writtenLine = (id: number, imageId: number, categoryId: number, shape: ExportShape): string => {
  const w = new ByteChunks(97);
  w.ascii("");
  writeCocoAnnotation(w, id, imageId, categoryId, shape);
  return decodeUtf8(w.rest());
};

/**
 * Numbers of every printed shape: integers, 2 decimals, full doubles, tiny (exponent), zero, and
 * 1 to 16 significant digits either side of zero (the digits-to-double fast path and its limits).
 */
const geometries = (n: number): Geometry[] =>
  randomGeometries(n, { seed: 7, polygonEvery: 3, maxPrecision: 16, pad: { width: 0.5, height: 1 } });

describe("COCO annotation lines from stored geometry text", () => {
  it("are byte for byte the lines the parsed geometry gives", () => {
    for (const [i, geometry] of geometries(3000).entries()) {
      const shape = { id: `s${i}`, labelIndex: 0, geometry };
      const parsed = cocoAnnotationLine(i + 1, 7, 2, shape);
      const spliced = writtenLine(i + 1, 7, 2, { ...shape, geometryJson: JSON.stringify(geometry) });
      expect(spliced).toBe(parsed);
      expect(JSON.parse(spliced)).toEqual(cocoAnnotation(i + 1, 7, 2, shape));
    }
  });

  it("takes the numbers from the text when it is in that form", () => {
    // The parsed geometry is never read: the text alone decides (a sentinel proves which path ran).
    const stored = (geometryJson: string) => ({
      id: "a",
      labelIndex: 0,
      geometryJson,
      get geometry(): Geometry {
        throw new Error("parsed");
      },
    });
    const box = writtenLine(1, 1, 1, stored('{"type":"box","x":1.5,"y":2,"width":3,"height":4}'));
    expect(JSON.parse(box).bbox).toEqual([1.5, 2, 3, 4]);
    const tiny = '{"type":"polygon","points":[[1e-7,0],[5.25,1],[3,4.125]]}';
    expect(JSON.parse(writtenLine(1, 1, 1, stored(tiny))).segmentation).toEqual([
      [1e-7, 0, 5.25, 1, 3, 4.125],
    ]);
  });

  it("falls back to the parsed geometry when the text is not JSON.stringify's form", () => {
    const geometry: Geometry = { type: "box", x: 1.5, y: 2, width: 3, height: 4 };
    const expected = cocoAnnotationLine(1, 1, 1, { id: "a", labelIndex: 0, geometry });
    for (const text of [
      '{"type":"box","x":1.50,"y":2,"width":3,"height":4}',
      '{"type":"box","x":1.5,"y":2.0,"width":3,"height":4}',
      '{"type":"box","y":2,"x":1.5,"width":3,"height":4}',
      '{"type":"box","x":1.5,"y":2,"width":3,"height":4e0}',
      '{"type":"box","x":1.5,"y":-0,"width":3,"height":4}',
      '{ "type":"box","x":1.5,"y":2,"width":3,"height":4}',
    ]) {
      expect(writtenLine(1, 1, 1, { id: "a", labelIndex: 0, geometry, geometryJson: text }), text).toBe(
        expected,
      );
    }
    const polygon: Geometry = {
      type: "polygon",
      points: [
        [1, 1],
        [5, 1],
        [3, 4],
      ],
    };
    const p = cocoAnnotationLine(2, 1, 1, { id: "p", labelIndex: 0, geometry: polygon });
    for (const odd of [
      '{"type":"polygon","points":[[1.0,1],[5,1],[3,4]]}',
      '{"type":"polygon","points":[[1,1],[5,1],[3,4]] }',
      '{"type":"polygon","points":[[1,1],[5,1],[3,4],]}',
      '{"type":"polygon","points":[[1,1],[5,1]]}',
      '{"type":"polygon","points":[[1,1,0],[5,1],[3,4]]}',
      '{"type":"polygon","points":[[1,1],[5,1],[3,-0]]}',
    ])
      expect(
        writtenLine(2, 1, 1, { id: "p", labelIndex: 0, geometry: polygon, geometryJson: odd }),
        odd,
      ).toBe(p);
  });
});
