import { describe, expect, it } from "vitest";
import { decodeCoco, looksLikeCoco } from "./coco/decode.js";
import { formatProblem } from "./problems.js";
import { finderFor } from "./testing/helpers.js";
import type { DatasetFiles } from "./types.js";

const files = (text: string): DatasetFiles => ({ texts: new Map([["ann.json", text]]), imagePaths: [] });
const find = finderFor(new Map(), new Map([["a.jpg", { width: 10, height: 20 }]]));

const members = {
  info: '{"description":"x"}',
  images: '[{"id":1,"file_name":"a.jpg","width":10,"height":20}]',
  categories: '[{"id":0,"name":"zero"},{"id":5,"name":"five"}]',
  annotations:
    '[{"id":1,"image_id":1,"category_id":5,"bbox":[1,2,3,4]},\n' +
    '{"id":2,"image_id":1,"category_id":0,"segmentation":[[1,1,4,1,2,5]]},\n' +
    '{"id":3,"image_id":9,"category_id":0,"bbox":[0,0,1,1]}]',
};
const doc = (order: (keyof typeof members)[]) => `{${order.map((k) => `"${k}":${members[k]}`).join(",\n")}}`;

describe("COCO read element by element", () => {
  it("gives the same result whatever the order of the top-level members", () => {
    const usual = decodeCoco(files(doc(["info", "images", "categories", "annotations"])), find);
    const reversed = decodeCoco(files(doc(["annotations", "categories", "images", "info"])), find);
    expect(usual.value.images[0]?.annotations.map((a) => [a.label, a.geometry.type, a.where])).toEqual([
      ["five", "box", "annotations[0].bbox"],
      ["zero", "polygon", "annotations[1].segmentation"],
    ]);
    expect(usual.problems.map(formatProblem)).toEqual([
      "ann.json annotations[2].image_id: 9 is not an image id of this file",
    ]);
    expect(reversed).toEqual(usual);
    expect(looksLikeCoco(doc(["annotations", "images"]))).toBe(true);
  });

  it("names the line of a broken annotation and of a broken separator", () => {
    const broken = doc(["images", "categories", "annotations"]).replace('"id":2,', '"id":2,,');
    expect(decodeCoco(files(broken), find).problems.map(formatProblem)).toContainEqual(
      expect.stringMatching(/^ann\.json: not valid JSON: invalid value .* at line 4 column 1$/),
    );
    const noComma = doc(["images", "categories", "annotations"]).replace("]},\n{", "]}\n{");
    expect(decodeCoco(files(noComma), find).problems.map(formatProblem)).toContainEqual(
      expect.stringMatching(
        /^ann\.json: not valid JSON: unexpected "\{", expected "," or "]" at line 4 column 1$/,
      ),
    );
    expect(decodeCoco(files(broken), find).ok).toBe(false);
  });

  it("ignores JSON files that are not COCO instances", () => {
    const d = decodeCoco(
      {
        texts: new Map([
          ["other.json", '{"images":{},"annotations":[]}'],
          ["list.json", "[1,2]"],
          ["ann.json", doc(["images", "categories", "annotations"])],
        ]),
        imagePaths: [],
      },
      find,
    );
    expect(d.value.ignored).toEqual(["other.json", "list.json"]);
  });
});

/** The text as a lazily read file, in pieces of `size` characters, counting how often it is read. */
const lazyFiles = (text: string, size: number) => {
  let reads = 0;
  const files: DatasetFiles = {
    texts: new Map(),
    lazy: new Map([
      [
        "ann.json",
        {
          text: () => text,
          *chunks() {
            reads++;
            for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
          },
        },
      ],
    ]),
    imagePaths: [],
  };
  return { files, reads: () => reads };
};

describe("COCO decoded in pieces into a sink", () => {
  const tagged = {
    ...members,
    images: '[{"id":1,"file_name":"a.jpg","width":10,"height":20,"tags":["tag first"]}]',
  };
  const taggedDoc = (order: (keyof typeof tagged)[]) =>
    `{${order.map((k) => `"${k}":${tagged[k]}`).join(",\n")}}`;

  const run = (text: string, size: number) => {
    const got: [string, string, string][] = [];
    const imagesMet: string[] = [];
    const lazy = lazyFiles(text, size);
    const d = decodeCoco(lazy.files, find, {
      sink: {
        image: (img) => imagesMet.push(img.key),
        annotation: (img, a) => got.push([img.key, a.label, a.where]),
      },
    });
    return { d, got, imagesMet, reads: lazy.reads() };
  };

  it("gives what the in-memory decoder gives, whatever the member order and piece size", () => {
    const usual = decodeCoco(files(taggedDoc(["info", "categories", "images", "annotations"])), find);
    const orders: (keyof typeof tagged)[][] = [
      ["info", "categories", "images", "annotations"],
      ["images", "categories", "annotations", "info"],
      ["annotations", "images", "categories"],
      ["annotations", "categories", "images", "info"],
    ];
    for (const order of orders) {
      for (const size of [1, 3, 64, 1 << 20]) {
        const r = run(taggedDoc(order), size);
        // Categories are declared before image tags whatever the order: labels keep their order.
        expect(r.d.value.labels, `${order} / ${size}`).toEqual(usual.value.labels);
        expect(r.d.problems).toEqual(usual.problems);
        expect(r.got).toEqual([
          ["project:a.jpg", "five", "annotations[0].bbox"],
          ["project:a.jpg", "zero", "annotations[1].segmentation"],
        ]);
        expect(r.imagesMet).toEqual(["project:a.jpg"]);
        // With a sink the annotations are counted, never collected.
        expect(r.d.value.images.map((i) => [i.annotationCount, i.annotations.length, i.tags])).toEqual([
          [2, 0, ["tag first"]],
        ]);
      }
    }
    expect(usual.value.labels).toEqual(["zero", "five", "tag first"]);
  });

  it("reads the file once more per section out of order, never holding it whole", () => {
    // One look at the start (is it COCO?), then one reading when categories, images and
    // annotations come in that order; annotations first need a second reading.
    expect(run(doc(["info", "categories", "images", "annotations"]), 7).reads).toBe(2);
    expect(run(doc(["annotations", "categories", "images"]), 7).reads).toBe(3);
    expect(run(doc(["annotations", "images", "categories"]), 7).reads).toBe(4);
  });

  it("reports a missing categories list and a broken piece at its line", () => {
    const noCategories = run(doc(["images", "annotations"]), 5);
    expect(noCategories.d.problems.map(formatProblem)).toEqual([
      "ann.json categories: missing: a COCO instances file lists its categories",
      "ann.json annotations[0].category_id: 5 is not a category id of this file",
      "ann.json annotations[1].category_id: 0 is not a category id of this file",
      "ann.json annotations[2].image_id: 9 is not an image id of this file",
    ]);
    const broken = doc(["images", "categories", "annotations"]).replace('"id":2,', '"id":2,,');
    expect(run(broken, 4).d.problems.map(formatProblem)).toContainEqual(
      expect.stringMatching(/^ann\.json: not valid JSON: invalid value .* at line 4 column 1$/),
    );
    const truncated = run('{"images": [], "annotations": [{"id":1', 3);
    expect(truncated.d.problems.map(formatProblem)[0]).toMatch(
      /^ann\.json: not valid JSON: unexpected end of JSON at line 1 column \d+$/,
    );
  });

  it("warns about duplicate annotation ids, numbers and strings alike", () => {
    const dup = JSON.stringify({
      images: [{ id: 1, file_name: "a.jpg", width: 10, height: 20 }],
      categories: [{ id: 1, name: "c" }],
      annotations: [1, 1, "x", "x", 5_000_000, 5_000_000, 2 ** 40, 2 ** 40].map((id) => ({
        id,
        image_id: 1,
        category_id: 1,
        bbox: [0, 0, 1, 1],
      })),
    });
    expect(run(dup, 16).d.problems.map(formatProblem)).toEqual(
      [1, 3, 5, 7].map(
        (i) =>
          `ann.json annotations[${i}].id: duplicate annotation id ${JSON.stringify(JSON.parse(dup).annotations[i].id).replace(/"/g, "")}`,
      ),
    );
  });
});
