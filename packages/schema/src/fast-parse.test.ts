import { describe, expect, it } from "vitest";
import { AnnotationSet } from "./domain.js";
import { checkAnnotationSet, parseAnnotationSet } from "./fast-parse.js";

const rng = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) % 4294967296;
  return seed / 4294967296;
};

const validSet = (n: number, seed: number) => {
  const r = rng(seed);
  return {
    imageId: 7,
    revision: 3,
    tags: [2, 5],
    annotations: Array.from({ length: n }, (_, i) => ({
      id: `s-${i}_${Math.floor(r() * 1e6)}`,
      labelId: 1 + Math.floor(r() * 4),
      geometry:
        r() < 0.5
          ? { type: "box", x: r() * 100, y: r() * 100, width: 1 + r() * 9, height: 1 + r() * 9 }
          : {
              type: "polygon",
              points: Array.from({ length: 3 + Math.floor(r() * 5) }, () => [r() * 50, r() * 50]),
            },
      createdBy: r() < 0.3 ? null : "ann@example.com",
      updatedBy: "bob@example.com",
      createdAt: "2025-01-02T03:04:05.000Z",
      updatedAt: "2025-01-02T03:04:06.000Z",
    })),
  };
};

type Json = Record<string, unknown>;
/** Ways to break (or merely decorate) a valid set, each at one place. */
const mutations: [string, (s: Json & { annotations: Json[] }) => void][] = [
  ["imageId 0", (s) => (s.imageId = 0)],
  ["imageId fractional", (s) => (s.imageId = 1.5)],
  ["imageId string", (s) => (s.imageId = "7")],
  ["revision negative", (s) => (s.revision = -1)],
  ["revision unsafe", (s) => (s.revision = 2 ** 60)],
  ["tags not ids", (s) => (s.tags = [1, 0])],
  ["tags missing", (s) => delete s.tags],
  ["annotations not an array", (s) => (s.annotations = {} as unknown as Json[])],
  ["id empty", (s) => ((s.annotations[1] as Json).id = "")],
  ["id too long", (s) => ((s.annotations[1] as Json).id = "x".repeat(65))],
  ["id bad chars", (s) => ((s.annotations[1] as Json).id = "a b")],
  ["labelId negative", (s) => ((s.annotations[2] as Json).labelId = -3)],
  ["createdBy number", (s) => ((s.annotations[0] as Json).createdBy = 5)],
  ["updatedAt missing", (s) => delete (s.annotations[0] as Json).updatedAt],
  ["geometry missing", (s) => delete (s.annotations[0] as Json).geometry],
  ["geometry unknown type", (s) => ((s.annotations[0] as Json).geometry = { type: "circle", r: 3 })],
  [
    "box NaN",
    (s) => ((s.annotations[0] as Json).geometry = { type: "box", x: Number.NaN, y: 0, width: 1, height: 1 }),
  ],
  [
    "box infinite",
    (s) => ((s.annotations[0] as Json).geometry = { type: "box", x: 0, y: 0, width: Infinity, height: 1 }),
  ],
  [
    "box missing height",
    (s) => ((s.annotations[0] as Json).geometry = { type: "box", x: 0, y: 0, width: 1 }),
  ],
  [
    "polygon two points",
    (s) =>
      ((s.annotations[0] as Json).geometry = {
        type: "polygon",
        points: [
          [0, 0],
          [1, 1],
        ],
      }),
  ],
  [
    "polygon triple",
    (s) =>
      ((s.annotations[0] as Json).geometry = {
        type: "polygon",
        points: [
          [0, 0, 1],
          [1, 1],
          [2, 0],
        ],
      }),
  ],
  [
    "polygon string coordinate",
    (s) =>
      ((s.annotations[0] as Json).geometry = {
        type: "polygon",
        points: [
          [0, "0"],
          [1, 1],
          [2, 0],
        ],
      }),
  ],
  ["predictionId 0", (s) => ((s.annotations[0] as Json).predictionId = 0)],
  ["predictionId string", (s) => ((s.annotations[0] as Json).predictionId = "12")],
  // Not errors: the prediction a shape came from is kept (issue 17)...
  ["predictionId", (s) => ((s.annotations[0] as Json).predictionId = 12)],
  // ...and zod strips unknown keys, and so must the fast path.
  ["attributes not an object", (s) => ((s.annotations[0] as Json).attributes = "occluded")],
  ["attribute value an object", (s) => ((s.annotations[0] as Json).attributes = { a: {} })],
  ["attribute value null", (s) => ((s.annotations[0] as Json).attributes = { a: null })],
  [
    "attribute value infinite",
    (s) => ((s.annotations[0] as Json).attributes = { a: Number.POSITIVE_INFINITY }),
  ],
  ["attribute text too long", (s) => ((s.annotations[0] as Json).attributes = { a: "x".repeat(1001) })],
  // Not errors: zod strips unknown keys, and so must the fast path.
  ["attribute values", (s) => ((s.annotations[0] as Json).attributes = { a: true, b: 2.5, c: "red" })],
  ["extra key on the set", (s) => (s.extra = 1)],
  ["extra key on an annotation", (s) => ((s.annotations[0] as Json).note = "x")],
  [
    "extra key on a geometry",
    (s) => ((s.annotations[0] as Json).geometry = { type: "box", x: 0, y: 0, width: 1, height: 1, z: 2 }),
  ],
];

describe("checkAnnotationSet agrees with the AnnotationSet schema", () => {
  it("on valid sets: the same value, known keys only", () => {
    for (const seed of [1, 2, 3]) {
      const v = validSet(200, seed);
      const fast = checkAnnotationSet(v);
      expect(fast).not.toBeNull();
      expect(fast).toEqual(AnnotationSet.parse(v));
    }
    expect(checkAnnotationSet({ imageId: 1, revision: 0, annotations: [], tags: [] })).toEqual({
      imageId: 1,
      revision: 0,
      annotations: [],
      tags: [],
    });
  });

  it.each(mutations)("on a set with %s", (_name, mutate) => {
    const v = validSet(5, 9) as unknown as Json & { annotations: Json[] };
    mutate(v);
    const zod = AnnotationSet.safeParse(v);
    const fast = checkAnnotationSet(v);
    if (zod.success) expect(fast).toEqual(zod.data);
    else expect(fast).toBeNull();
  });

  it("parseAnnotationSet throws the schema's own error for an invalid set", () => {
    const v = validSet(3, 4) as unknown as Json & { annotations: Json[] };
    (v.annotations[1] as Json).labelId = 0;
    let fromZod: unknown;
    try {
      AnnotationSet.parse(v);
    } catch (e) {
      fromZod = e;
    }
    expect(() => parseAnnotationSet(v)).toThrow((fromZod as Error).message);
  });

  it("does not keep references into the input", () => {
    const v = validSet(2, 5);
    const out = checkAnnotationSet(v);
    expect(out?.annotations[0]).not.toBe(v.annotations[0]);
    expect(out?.tags).not.toBe(v.tags);
  });
});
