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
