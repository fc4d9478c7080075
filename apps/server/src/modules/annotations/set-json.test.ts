import { AnnotationSet } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { annotationSetJson, type StoredRow } from "./set-json.js";

const row = (uid: string, geometry: unknown, over: Partial<StoredRow> = {}): StoredRow => ({
  uid,
  label_id: 3,
  geometry: typeof geometry === "string" ? geometry : JSON.stringify(geometry),
  created_by: "ann@example.com",
  updated_by: null,
  created_at: "2025-01-02T03:04:05.000Z",
  updated_at: "2025-01-02T03:04:06.000Z",
  attributes: null,
  ...over,
});

/** The ordinary path: parse every stored geometry and run the schema. */
const ordinary = (rows: StoredRow[], tags: number[]) =>
  AnnotationSet.parse({
    imageId: 5,
    revision: 7,
    annotations: rows.map((r) => ({
      id: r.uid,
      labelId: r.label_id,
      geometry: JSON.parse(r.geometry),
      createdBy: r.created_by,
      updatedBy: r.updated_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      ...(r.attributes === null ? {} : { attributes: JSON.parse(r.attributes) }),
    })),
    tags,
  });

describe("annotationSetJson", () => {
  it("splices canonical rows into exactly the set the ordinary path produces", () => {
    const rows = [
      row("a", { type: "box", x: 1.5, y: 0, width: 10, height: 2e-7 }),
      row("b-2_x", {
        type: "polygon",
        points: [
          [0, 0],
          [10.25, -0.5],
          [3, 1e21],
        ],
      }),
      row(
        "c",
        { type: "box", x: 0, y: 0, width: 1, height: 1 },
        { created_by: null, updated_by: 'quote " and \\' },
      ),
      row(
        "d",
        { type: "box", x: 0, y: 0, width: 1, height: 1 },
        { attributes: '{"occluded":true,"colour":"red \\"dark\\"","count":2.5}' },
      ),
    ];
    const json = annotationSetJson(5, 7, rows, [2, 9]);
    expect(json).not.toBeNull();
    expect(JSON.parse(json as string)).toEqual(ordinary(rows, [2, 9]));
    expect(annotationSetJson(5, 0, [], [])).toBe('{"imageId":5,"revision":0,"annotations":[],"tags":[]}');
  });

  it.each([
    ["keys in another order", row("a", '{"x":1,"type":"box","y":2,"width":3,"height":4}')],
    ["an extra key", row("a", '{"type":"box","x":1,"y":2,"width":3,"height":4,"z":1}')],
    ["a missing key", row("a", '{"type":"box","x":1,"y":2,"width":3}')],
    ["spaces", row("a", '{"type": "box","x":1,"y":2,"width":3,"height":4}')],
    ["a number that overflows", row("a", '{"type":"box","x":1e400,"y":2,"width":3,"height":4}')],
    ["a polygon of two points", row("a", '{"type":"polygon","points":[[0,0],[1,1]]}')],
    ["a polygon with no points", row("a", '{"type":"polygon","points":[]}')],
    ["a trailing comma", row("a", '{"type":"polygon","points":[[0,0],[1,1],[2,0],]}')],
    ["a point of three numbers", row("a", '{"type":"polygon","points":[[0,0],[1,1],[2,0,1]]}')],
    ["points not separated", row("a", '{"type":"polygon","points":[[0,0][1,1],[2,0]]}')],
    ["an unclosed point list", row("a", '{"type":"polygon","points":[[0,0],[1,1],[2,0]}')],
    ["a polygon key after the points", row("a", '{"type":"polygon","points":[[0,0],[1,1],[2,0]],"z":1}')],
    ["a string coordinate", row("a", '{"type":"box","x":"1","y":2,"width":3,"height":4}')],
    ["an id with a space", row("a b", { type: "box", x: 1, y: 2, width: 3, height: 4 })],
    ["an id with a quote", row('a"', { type: "box", x: 1, y: 2, width: 3, height: 4 })],
    [
      "attributes not an object",
      row("a", { type: "box", x: 1, y: 2, width: 3, height: 4 }, { attributes: "[1]" }),
    ],
    [
      "attributes with spaces",
      row("a", { type: "box", x: 1, y: 2, width: 3, height: 4 }, { attributes: '{"a": 1}' }),
    ],
    [
      "a nested attribute value",
      row("a", { type: "box", x: 1, y: 2, width: 3, height: 4 }, { attributes: '{"a":{}}' }),
    ],
    ["label id 0", row("a", { type: "box", x: 1, y: 2, width: 3, height: 4 }, { label_id: 0 })],
  ])("leaves a row with %s to the ordinary path", (_name, r) => {
    expect(
      annotationSetJson(5, 7, [row("ok", { type: "box", x: 0, y: 0, width: 1, height: 1 }), r], []),
    ).toBeNull();
  });

  it("checks a polygon of any size point by point, never by recursion", () => {
    // 300,000 vertices with long decimals: the former one-regex check threw "Maximum call stack
    // size exceeded" here, and the image's GET answered 500.
    const points = Array.from({ length: 300_000 }, (_, i) => [
      500 + 400 * Math.cos(i / 47_746.48),
      500 + 400 * Math.sin(i / 47_746.48),
    ]);
    const rows = [row("big", { type: "polygon", points })];
    const json = annotationSetJson(5, 7, rows, []);
    expect(json).not.toBeNull();
    expect(JSON.parse(json as string)).toEqual(ordinary(rows, []));
  });
});
