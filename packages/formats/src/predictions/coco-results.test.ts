import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, HAVE_FIXTURES } from "../testing/helpers.js";
import { decodeCocoResults, looksLikeCocoResults } from "./coco-results.js";
import { decodeRleString, maskBox, readRle, rleToMask, traceMask } from "./rle.js";

const RESULTS = path.join(FIXTURES, "cocoapi-results");
const read = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(RESULTS, name), "utf8"));
const bounds = (pts: readonly (readonly number[])[]) => {
  const xs = pts.map((p) => p[0] as number);
  const ys = pts.map((p) => p[1] as number);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
};

describe("pycocotools' example results (../shared/fixtures/cocoapi-results)", () => {
  it.skipIf(!HAVE_FIXTURES)(
    "bbox: 734 detections, the first on image 42, category 18, its box and score",
    () => {
      const json = read("instances_val2014_fakebbox100_results.json");
      expect(looksLikeCocoResults(json)).toBe(true);
      const d = decodeCocoResults("bbox.json", json);
      expect(d.problems).toEqual([]);
      expect(d.predictions).toHaveLength(734);
      expect(d.predictions[0]).toEqual({
        file: "bbox.json",
        where: "[0]",
        image: { cocoImageId: 42 },
        modelLabel: "18",
        geometry: { type: "box", x: 258.15, y: 41.29, width: 348.26, height: 243.78 },
        units: "pixel",
        score: 0.236,
      });
    },
  );

  it.skipIf(!HAVE_FIXTURES)(
    "segm: compressed RLE masks traced into polygons whose bounds are the masks' bboxes",
    () => {
      const json = read("instances_val2014_fakesegm100_results.json") as {
        segmentation: { size: number[]; counts: string };
      }[];
      const d = decodeCocoResults("segm.json", json);
      expect(d.problems.filter((p) => p.severity === "error")).toEqual([]);
      // 734 entries; those of several regions gave a prediction per region.
      expect(d.predictions.length).toBeGreaterThan(734);
      const first = d.predictions[0];
      expect(first?.image).toEqual({ cocoImageId: 42 });
      expect(first?.score).toBe(0.236);
      if (first?.geometry?.type !== "polygon") throw new Error("expected a polygon");
      expect(first.geometry.points.length).toBeGreaterThanOrEqual(4);
      expect(first.geometry.points.length).toBeLessThanOrEqual(200);
      // pycocotools' toBbox of the mask, and the traced outline's bounds: within a pixel.
      const rle = readRle(json[0]?.segmentation ?? {});
      if (typeof rle === "string") throw new Error(rle);
      expect([rle.height, rle.width]).toEqual([478, 640]);
      const [x, y, w, h] = maskBox(rle) as number[];
      const [minX, minY, maxX, maxY] = bounds(first.geometry.points);
      expect(Math.abs((minX as number) - (x as number))).toBeLessThanOrEqual(1);
      expect(Math.abs((minY as number) - (y as number))).toBeLessThanOrEqual(1);
      expect(Math.abs((maxX as number) - ((x as number) + (w as number)))).toBeLessThanOrEqual(1);
      expect(Math.abs((maxY as number) - ((y as number) + (h as number)))).toBeLessThanOrEqual(1);
      // Every mask of one region traced the same way; a mask of several regions became one
      // prediction per region (specks below a square pixel left out), each with the entry's score,
      // and a warning says so.
      const several = new Set(
        d.problems
          .filter((p) => p.severity === "warning" && /outlines/.test(p.message))
          .map((p) => Number(/^\[(\d+)\]/.exec(p.where ?? "")?.[1])),
      );
      expect(several.size).toBeGreaterThan(0);
      expect(several.size).toBeLessThan(734);
      const byEntry = new Map<number, typeof d.predictions>();
      for (const p of d.predictions) {
        const i = Number(/^\[(\d+)\]/.exec(p.where)?.[1]);
        byEntry.set(i, [...(byEntry.get(i) ?? []), p]);
      }
      expect(byEntry.size).toBe(734);
      expect(d.split?.polygons).toBe(d.predictions.length - 734 + (d.split?.detections ?? 0));
      for (const [i, preds] of byEntry) {
        const entry = json[i] as { segmentation: { size: number[]; counts: string }; score?: number };
        expect(new Set(preds.map((p) => p.score)), `detection ${i}`).toEqual(new Set([entry.score]));
        if (several.has(i)) continue;
        expect(preds, `detection ${i}`).toHaveLength(1);
        const p = preds[0];
        const r = readRle(entry.segmentation);
        if (typeof r === "string" || p?.geometry?.type !== "polygon") throw new Error(`detection ${i}`);
        const [bx, by, bw, bh] = maskBox(r) as number[];
        const [ax, ay, cx, cy] = bounds(p.geometry.points);
        expect(Math.abs((ax as number) - (bx as number)), `detection ${i}`).toBeLessThanOrEqual(1.5);
        expect(
          Math.abs((cy as number) - ((by as number) + (bh as number))),
          `detection ${i}`,
        ).toBeLessThanOrEqual(1.5);
        expect(
          Math.abs((cx as number) - ((bx as number) + (bw as number))),
          `detection ${i}`,
        ).toBeLessThanOrEqual(1.5);
        expect(Math.abs((ay as number) - (by as number)), `detection ${i}`).toBeLessThanOrEqual(1.5);
      }
    },
    // 734 masks traced, a few seconds of CPU: more on a shared machine.
    30_000,
  );
});

describe("RLE", () => {
  it("decodes pycocotools' compressed counts (a 3x3 mask with its centre set: runs 4, 1, 4)", () => {
    // rleToString: a character per run here (5 bits, +48); from the fourth run on, each is the
    // difference from the run two before: [1, 5, 2, 1] is "1", "5", "2", then 1 - 5 = -4 as "L".
    expect(decodeRleString("414")).toEqual([4, 1, 4]);
    expect(decodeRleString("152L")).toEqual([1, 5, 2, 1]);
    // 100 needs two characters: 100 & 31 = 4 with the "more" bit (4 + 32 + 48 = "T"), then 3 ("3").
    expect(decodeRleString("T3")).toEqual([100]);
    expect(decodeRleString("T")).toBe("the counts string ends inside a run (at character 1)");
    const rle = readRle({ size: [3, 3], counts: "414" });
    if (typeof rle === "string") throw new Error(rle);
    expect([...rleToMask(rle)]).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(maskBox(rle)).toEqual([1, 1, 1, 1]);
  });

  it("reads uncompressed counts column by column, and traces a rectangle along its pixel edges", () => {
    // 4 high, 5 wide; columns 1-3 rows 1-2 set: per column 4 values.
    const counts = [5, 2, 2, 2, 2, 2, 5];
    const rle = readRle({ size: [4, 5], counts });
    if (typeof rle === "string") throw new Error(rle);
    expect(maskBox(rle)).toEqual([1, 1, 3, 2]);
    const traced = traceMask(rle);
    expect(traced?.outlines).toHaveLength(1);
    expect(traced && bounds(traced.outlines[0] ?? [])).toEqual([1, 1, 4, 3]);
    expect(traced?.holes).toBe(0);
  });

  it("refuses counts that do not cover the size, negative runs, and characters outside the alphabet", () => {
    expect(readRle({ size: [2, 2], counts: [1, 2] })).toBe(
      "RLE counts cover 3 pixels, not the 2x2 = 4 of its size",
    );
    expect(readRle({ size: [2, 2], counts: [5, -1] })).toBe("RLE counts hold a negative run (-1)");
    expect(readRle({ size: [2, 2], counts: "4 " })).toBe(
      'compressed RLE counts: character " " at 1 is not in pycocotools\' alphabet',
    );
    expect(readRle({ size: [2], counts: [4] })).toBe(
      "an RLE mask needs `size`: [height, width], two positive integers",
    );
  });
});

describe("COCO results files written by hand", () => {
  it("a mask of several regions: a polygon per region with the entry's score, specks left out, holes reported", () => {
    // Rows top to bottom; COCO's RLE runs column by column from the top-left.
    const rows = ["#####.##", "#####.##", "##.##.##", "#####.##", "#####...", ".......#"];
    const counts: number[] = [];
    let value = 0;
    let run = 0;
    for (let x = 0; x < 8; x++)
      for (let y = 0; y < 6; y++) {
        const v = rows[y]?.[x] === "#" ? 1 : 0;
        if (v === value) run++;
        else {
          counts.push(run);
          value = v;
          run = 1;
        }
      }
    counts.push(run);
    const d = decodeCocoResults("masks.json", [
      { image_id: 1, category_id: 2, segmentation: { size: [6, 8], counts }, score: 0.8 },
    ]);
    expect(
      d.predictions.map((p) => [
        p.where,
        p.score,
        p.geometry && bounds((p.geometry as { points: number[][] }).points),
      ]),
    ).toEqual([
      ["[0]", 0.8, [0, 0, 5, 5]],
      ["[0]", 0.8, [6, 0, 8, 4]],
    ]);
    expect(d.split).toEqual({ detections: 1, polygons: 2 });
    expect(d.problems.map((p) => `${p.severity} ${p.where}: ${p.message}`)).toEqual([
      "warning [0].segmentation: the mask has 1 hole(s): not kept (a polygon has none), each region's outer outline is",
      "warning [0].segmentation: 3 outlines: 2 polygons, each its own prediction with the entry's score; 1 below 1 square pixel left out",
    ]);
  });

  it("reads file_name, polygons (each its own prediction, specks left out) and reports each bad entry by index", () => {
    const d = decodeCocoResults("r.json", [
      { file_name: "imgs/a.jpg", category_id: 3, bbox: [1, 2, 3, 4], score: 0.5 },
      {
        image_id: 7,
        category_id: 1,
        segmentation: [
          [0, 0, 10, 0, 10, 10],
          [0, 0, 1, 0, 1, 1],
        ],
        score: 0.9,
      },
      {
        image_id: 7,
        category_id: 1,
        segmentation: [
          [0, 0, 10, 0, 10, 10],
          [20, 20, 30, 20, 30, 30, 20, 30],
        ],
        score: 0.7,
      },
      { image_id: 7, category_id: 1, segmentation: [[0, 0, 1, 0, 1, 1]], score: 0.6 },
      { image_id: 7, category_id: 1, bbox: [1, 2, 0, 4], score: 0.5 },
      { image_id: 7, category_id: 1, bbox: [1, 2, 3], score: 0.5 },
      { image_id: "7", category_id: 1, bbox: [1, 2, 3, 4], score: 0.5 },
      { image_id: 7, category_id: 1.5, bbox: [1, 2, 3, 4], score: 0.5 },
      { image_id: 7, category_id: 1, bbox: [1, 2, 3, 4] },
      { image_id: 7, category_id: 1, segmentation: [[0, 0, 10, 0, 10]], score: 0.5 },
      { image_id: 7, category_id: 1, segmentation: { size: [2, 2], counts: [4] }, score: 0.5 },
      { image_id: 7, category_id: 1, segmentation: "x", score: 0.5 },
      3,
    ]);
    expect(d.predictions.map((p) => [p.where, p.image, p.modelLabel, p.geometry?.type])).toEqual([
      ["[0]", { names: ["imgs/a.jpg", "a.jpg"] }, "3", "box"],
      ["[1]", { cocoImageId: 7 }, "1", "polygon"],
      ["[2]", { cocoImageId: 7 }, "1", "polygon"],
      ["[2]", { cocoImageId: 7 }, "1", "polygon"],
      // A lone polygon is kept whatever its size.
      ["[3]", { cocoImageId: 7 }, "1", "polygon"],
    ]);
    expect(d.predictions.map((p) => p.score)).toEqual([0.5, 0.9, 0.7, 0.7, 0.6]);
    expect(d.split).toEqual({ detections: 1, polygons: 2 });
    expect(d.problems.map((p) => `${p.severity} ${p.where}: ${p.message}`)).toEqual([
      "warning [1].segmentation: 2 outlines: 1 polygon; 1 below 1 square pixel left out",
      "warning [2].segmentation: 2 outlines: 2 polygons, each its own prediction with the entry's score",
      "error [4].bbox: bbox [1, 2, 0, 4] has no area (width and height must be positive)",
      "error [5].bbox: bbox [1,2,3] is not [x, y, width, height]",
      'error [6]: image_id "7" is not an integer (and no file_name names the image)',
      "error [7].category_id: category_id 1.5 is not an integer",
      "error [8].score: score undefined is not a number from 0 to 1",
      "error [9].segmentation: segmentation[0] has an odd count of numbers (5)",
      "error [10].segmentation: the mask is empty: no pixel to trace",
      "error [11].segmentation: segmentation must be a list of polygons or an RLE object {size, counts}",
      "error [12]: a detection must be an object",
    ]);
  });

  it("tells a COCO dataset from results", () => {
    const d = decodeCocoResults("instances.json", { images: [], annotations: [], categories: [] });
    expect(d.problems[0]?.message).toMatch(/^this is a COCO dataset/);
    expect(looksLikeCocoResults({ images: [] })).toBe(false);
  });
});
