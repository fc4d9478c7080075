import fs from "node:fs";
import path from "node:path";
import type { Geometry } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { FIXTURES, HAVE_FIXTURES } from "../testing/helpers.js";
import {
  convertLabelStudioResult,
  decodeLabelStudioPredictions,
  labelStudioImageNames,
  labelStudioResultToPixels,
  rotatedBoxCorners,
} from "./labelstudio.js";

const LS = path.join(FIXTURES, "label-studio-converter/ls_json_export");
const readFixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(LS, name), "utf8"));
const pointsOf = (g: Geometry | null | undefined): number[][] => {
  if (g?.type !== "polygon") throw new Error(`expected a polygon, got ${JSON.stringify(g)}`);
  return g.points.map(([x, y]) => [x, y]);
};
const close = (a: readonly (readonly number[])[], b: readonly (readonly number[])[], digits = 6) => {
  expect(a.length).toBe(b.length);
  a.forEach((p, i) => {
    expect(p[0]).toBeCloseTo(b[i]?.[0] as number, digits);
    expect(p[1]).toBeCloseTo(b[i]?.[1] as number, digits);
  });
};

describe("Label Studio's exports (../shared/fixtures)", () => {
  it.skipIf(!HAVE_FIXTURES)(
    "data.json: both annotators' boxes of task 1 and task 2's, in fractions, score 1, the image by data.image",
    () => {
      const d = decodeLabelStudioPredictions("data.json", readFixture("data.json"));
      expect(d.problems).toEqual([]);
      expect(d.predictions).toHaveLength(6);
      const first = d.predictions[0];
      expect(first).toMatchObject({
        file: "data.json",
        where: "task 1 annotation 0 result[0]",
        image: { names: ["image1"] },
        modelLabel: "parasites",
        units: "fraction",
        score: 1,
      });
      expect(first?.geometry).toEqual({
        type: "box",
        x: 37.15846994535519 / 100,
        y: 70.67395264116576 / 100,
        width: 4.189435336976321 / 100,
        height: 4.735883424408015 / 100,
      });
      expect(d.predictions.map((p) => p.modelLabel)).toEqual([
        "parasites",
        "white",
        "parasites",
        "white",
        "white",
        "white",
      ]);
    },
  );

  it.skipIf(!HAVE_FIXTURES)(
    "data_obb.json: rotated boxes become 4-point polygons turned clockwise about the top-left, in pixels of original_width/height",
    () => {
      const d = decodeLabelStudioPredictions("data_obb.json", readFixture("data_obb.json"));
      expect(d.problems).toEqual([]);
      const first = d.predictions[0];
      expect(first?.modelLabel).toBe("Butterfly");
      expect(d.predictions.some((p) => p.modelLabel === "butterfly")).toBe(true);
      // Task 10959's first box: 597x768, x 10.537%, y 79.558%, w 19.045%, h 8.133%, rotation 328.33°.
      const [W, H] = [597, 768];
      const x = (10.537066764905694 / 100) * W;
      const y = (79.55767690059092 / 100) * H;
      const w = (19.045470024656687 / 100) * W;
      const h = (8.132522043893882 / 100) * H;
      const t = (328.33240366032834 * Math.PI) / 180;
      const expected = [
        [x, y],
        [x + w * Math.cos(t), y + w * Math.sin(t)],
        [x + w * Math.cos(t) - h * Math.sin(t), y + w * Math.sin(t) + h * Math.cos(t)],
        [x - h * Math.sin(t), y + h * Math.cos(t)],
      ].map(([a, b]) => [(a as number) / W, (b as number) / H]);
      expect(first?.geometry?.type).toBe("polygon");
      close(pointsOf(first?.geometry), expected);
      // 328° clockwise is 32° anticlockwise: the top-right corner rises above the top-left.
      const pts = pointsOf(first?.geometry);
      expect((pts[1]?.[1] as number) < (pts[0]?.[1] as number)).toBe(true);
      expect(d.predictions.filter((p) => p.where.startsWith("task 10959 "))).toHaveLength(23);
    },
  );

  it.skipIf(!HAVE_FIXTURES)("data_polygons.json: a 37-point polygon in fractions", () => {
    const d = decodeLabelStudioPredictions("data_polygons.json", readFixture("data_polygons.json"));
    expect(d.problems).toEqual([]);
    expect(d.predictions).toHaveLength(1);
    const p = d.predictions[0];
    expect(p?.modelLabel).toBe("Airplane");
    expect(p?.image).toEqual({ names: ["image2", "000000000025.jpg", "e97d4735-000000000025.jpg"] });
    expect(p?.geometry?.type === "polygon" && p.geometry.points.length).toBe(37);
    expect(p?.geometry?.type === "polygon" && p.geometry.points[0]).toEqual([0.6, 0.1955922865013774]);
  });
});

/** A prediction file written by hand after Label Studio's docs ("Import pre-annotated data"). */
const predictionTasks = [
  {
    id: 7,
    data: { image: "/data/local-files/?d=photos%2Fstreet%2Fcar%201.jpg" },
    predictions: [
      {
        model_version: "yolo-v8-2026",
        score: 0.7,
        result: [
          {
            id: "r1",
            type: "rectanglelabels",
            from_name: "label",
            to_name: "image",
            original_width: 200,
            original_height: 100,
            value: { x: 10, y: 20, width: 30, height: 40, rotation: 0, rectanglelabels: ["Car"] },
            score: 0.91,
          },
          {
            id: "r2",
            type: "polygonlabels",
            value: {
              points: [
                [10, 10],
                [50, 10],
                [30, 60],
              ],
              polygonlabels: ["Person"],
            },
          },
          { id: "c1", type: "choices", value: { choices: ["Daytime"] }, score: 0.66 },
          { id: "r1", type: "choices", value: { choices: ["Red"] } },
          { id: "k1", type: "keypointlabels", value: { x: 5, y: 5, keypointlabels: ["Nose"] } },
          { id: "b1", type: "brushlabels", value: { format: "rle", rle: [1, 2, 3], brushlabels: ["Car"] } },
          { id: "z1", type: "magic", value: {} },
          {
            id: "r3",
            type: "rectanglelabels",
            value: { x: 1, y: 1, width: 0, height: 5, rectanglelabels: ["Car"] },
          },
          {
            id: "r4",
            type: "rectanglelabels",
            value: { x: 1, y: 1, width: 5, height: 5, rectanglelabels: [] },
          },
          {
            id: "r5",
            type: "rectanglelabels",
            value: { x: 1, y: 1, width: 5, height: 5, rectanglelabels: ["Car"] },
            score: 2,
          },
        ],
      },
    ],
    annotations: [
      {
        result: [
          {
            type: "rectanglelabels",
            value: { x: 1, y: 1, width: 5, height: 5, rectanglelabels: ["Ignored"] },
          },
        ],
      },
    ],
  },
  { id: 8, data: {}, predictions: [{ result: [] }] },
  {
    id: 9,
    data: { image: "https://bucket.example/x/y/IMG%2001.PNG?token=abc" },
    predictions: [{ score: 1.5, result: [] }],
  },
  "not a task",
];

describe("Label Studio prediction files", () => {
  it("reads predictions before annotations, each score (item, else prediction), whole-image choices as tags, and reports what it cannot convert", () => {
    const d = decodeLabelStudioPredictions("preds.json", predictionTasks);
    expect(d.modelVersion).toBe("yolo-v8-2026");
    expect(d.predictions.map((p) => [p.modelLabel, p.score, p.geometry?.type ?? null, p.where])).toEqual([
      ["Car", 0.91, "box", "task 7 prediction 0 result[0]"],
      ["Person", 0.7, "polygon", "task 7 prediction 0 result[1]"],
      ["Daytime", 0.66, null, "task 7 prediction 0 result[2]"],
    ]);
    expect(d.predictions[0]?.image).toEqual({ names: ["car 1.jpg"] });
    expect(d.problems.map((p) => `${p.severity} ${p.where}: ${p.message}`)).toEqual([
      'warning task 7 prediction 0 result[3]: choices ["Red"] describe region "r1", not the image; per-region choices are not imported',
      'error task 7 prediction 0 result[4]: "keypointlabels" results cannot be converted: keypoints are not a shape Labelbench stores (boxes and polygons only)',
      `error task 7 prediction 0 result[5]: "brushlabels" results cannot be converted: brush masks (Label Studio's RLE) are not converted; send polygons or boxes`,
      'error task 7 prediction 0 result[6]: unknown result type "magic" (rectanglelabels, polygonlabels and choices are converted)',
      "error task 7 prediction 0 result[7]: rectangle width 0% and height 5% must be positive",
      "error task 7 prediction 0 result[8]: `value.rectanglelabels` must be a non-empty list of label names",
      "error task 7 prediction 0 result[9]: score 2 is not a number from 0 to 1",
      "error task 8: the task names no image (`data.image`), so its regions cannot be placed",
      "error task 9 prediction 0: score 1.5 is not a number from 0 to 1",
      "error [3]: a task must be an object",
    ]);
  });

  it("names a task's image by the last segment of its URL, decoded, without the query", () => {
    expect(
      labelStudioImageNames({ data: { image: "https://bucket.example/x/y/IMG%2001.PNG?token=abc" } }),
    ).toEqual(["IMG 01.PNG"]);
    expect(
      labelStudioImageNames({ data: { image: "s3://b/k/a.jpg" }, file_upload: "0a1b2c3d-a.jpg" }),
    ).toEqual(["a.jpg", "0a1b2c3d-a.jpg"]);
  });

  it("refuses what is not a list of tasks", () => {
    expect(decodeLabelStudioPredictions("x.json", 3).problems).toEqual([
      { severity: "error", file: "x.json", message: "a Label Studio file is a JSON list of tasks" },
    ]);
  });
});

describe("one list of result items (a model backend's reply)", () => {
  it("converts to pixels of the image the backend saw, rotation included", () => {
    const out = labelStudioResultToPixels(
      [
        {
          type: "rectanglelabels",
          value: { x: 10, y: 20, width: 30, height: 40, rotation: 90, rectanglelabels: ["car"] },
        },
        {
          type: "rectanglelabels",
          value: { x: 10, y: 20, width: 30, height: 40, rotation: 360, rectanglelabels: ["car"] },
        },
      ],
      { width: 200, height: 100 },
      0.8,
    );
    expect(out.problems).toEqual([]);
    // 90° clockwise about (20, 20): the 60 px wide top edge points straight down.
    close(pointsOf(out.shapes[0]?.geometry), [
      [20, 20],
      [20, 80],
      [-20, 80],
      [-20, 20],
    ]);
    expect(out.shapes[1]?.geometry).toEqual({ type: "box", x: 20, y: 20, width: 60, height: 40 });
    expect(out.shapes.map((s) => s.score)).toEqual([0.8, 0.8]);
  });

  it("needs a size for a rotated box whose item has none, and a list", () => {
    expect(
      convertLabelStudioResult([
        {
          type: "rectanglelabels",
          value: { x: 1, y: 1, width: 5, height: 5, rotation: 10, rectanglelabels: ["car"] },
        },
      ]).problems,
    ).toEqual([
      {
        severity: "error",
        where: "result[0]",
        message: "a rectangle rotated 10° needs `original_width` and `original_height` to turn it in pixels",
      },
    ]);
    expect(convertLabelStudioResult({}).problems[0]?.message).toBe("`result` must be a list of result items");
    expect(
      convertLabelStudioResult([{ type: "rectangle", value: { x: 1, y: 1, width: 5, height: 5 } }])
        .problems[0]?.message,
    ).toBe("an unlabelled region has no class; the model must name one (`rectanglelabels`)");
  });

  it("turns corners clockwise on screen", () => {
    close(rotatedBoxCorners(0, 0, 10, 0, 90), [
      [0, 0],
      [0, 10],
      [0, 10],
      [0, 0],
    ]);
  });
});
