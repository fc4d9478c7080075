import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, HAVE_FIXTURES } from "../testing/helpers.js";
import {
  type CocoBox,
  type EvalDetection,
  type EvalGroundTruth,
  evaluateDetections,
  IOU_THRESHOLDS,
  RECALL_THRESHOLDS,
} from "./evaluate.js";
import { cocoSelfEvaluation } from "./validate.js";

/**
 * The expected values are worked out by hand from pycocotools' cocoeval.py (evaluateImg,
 * accumulate, summarize); each case says how. Fixture values are the ones SOURCES.md records from
 * pycocotools itself.
 */

const gt = (id: number, bbox: CocoBox, more: Partial<EvalGroundTruth> = {}): EvalGroundTruth => ({
  id,
  imageId: 1,
  categoryId: 1,
  bbox,
  area: bbox[2] * bbox[3],
  ...more,
});
const dt = (bbox: CocoBox, score: number, more: Partial<EvalDetection> = {}): EvalDetection => ({
  imageId: 1,
  categoryId: 1,
  bbox,
  score,
  ...more,
});
const run = (
  groundTruth: EvalGroundTruth[],
  detections: EvalDetection[],
  imageIds = [1],
  categoryIds = [1],
) => evaluateDetections({ imageIds, categoryIds, groundTruth, detections }, { iouType: "bbox" }).summary;

describe("the thresholds are NumPy's linspace values", () => {
  it("IoU .50:.05:.95 and 101 recall points, i * step + start with the exact stop", () => {
    expect(IOU_THRESHOLDS).toHaveLength(10);
    expect(IOU_THRESHOLDS[0]).toBe(0.5);
    expect(IOU_THRESHOLDS[9]).toBe(0.95);
    expect(RECALL_THRESHOLDS).toHaveLength(101);
    // np.linspace(0, 1, 101)[57] == 0.5700000000000001 (57 * 0.01), not 57 / 100
    expect(RECALL_THRESHOLDS[57]).toBe(0.5700000000000001);
    expect(RECALL_THRESHOLDS[57]).not.toBe(0.57);
    expect(RECALL_THRESHOLDS[100]).toBe(1);
  });
});

describe("evaluateDetections held to COCOeval's rules (bbox)", () => {
  it("a perfect match scores 1 everywhere it can, -1 where there is nothing to average", () => {
    const s = run([gt(1, [0, 0, 10, 10])], [dt([0, 0, 10, 10], 0.9)]);
    expect(s).toEqual({
      ap: 1,
      ap50: 1,
      ap75: 1,
      apSmall: 1, // area 100 <= 32²
      apMedium: -1,
      apLarge: -1,
      ar1: 1,
      ar10: 1,
      ar100: 1,
      arSmall: 1,
      arMedium: -1,
      arLarge: -1,
    });
  });

  it("one miss of two: precision 1 up to recall .5 (51 of 101 points), recall .5", () => {
    const s = run([gt(1, [0, 0, 10, 10]), gt(2, [50, 50, 10, 10])], [dt([0, 0, 10, 10], 0.9)]);
    expect(s.ap).toBeCloseTo(51 / 101, 15);
    expect(s.ap50).toBeCloseTo(51 / 101, 15);
    expect(s.ar100).toBe(0.5);
  });

  it("recall 57/100 stops short of the recall point 0.5700000000000001, as in NumPy: AP 57/101, not 58/101", () => {
    const truth = Array.from({ length: 100 }, (_, i) => gt(i + 1, [i * 20, 0, 10, 10]));
    const hits = truth.slice(0, 57).map((g) => dt(g.bbox, 0.9));
    const s = run(truth, hits);
    expect(s.ar100).toBeCloseTo(0.57, 12);
    expect(s.ap).toBeCloseTo(57 / 101, 12);
  });

  it("a false positive ranked above the true positive halves AP; ranked below it costs nothing", () => {
    const truth = [gt(1, [0, 0, 10, 10])];
    const above = run(truth, [dt([50, 50, 10, 10], 0.9), dt([0, 0, 10, 10], 0.8)]);
    // rc [0, 1], pr [0, .5] → envelope [.5, .5]: every recall point reads .5
    expect(above.ap).toBe(0.5);
    expect(above.ar100).toBe(1);
    const below = run(truth, [dt([0, 0, 10, 10], 0.9), dt([50, 50, 10, 10], 0.8)]);
    expect(below.ap).toBe(1);
  });

  it("equal scores keep the file's order (a stable sort), across images in image-id order", () => {
    // Image 2's false positive and image 1's true positive tie at .5: image 1 first → AP 1.
    const truth = [gt(1, [0, 0, 10, 10])];
    const tie = run(truth, [dt([0, 0, 10, 10], 0.5), dt([0, 0, 10, 10], 0.5, { imageId: 2 })], [1, 2]);
    expect(tie.ap).toBe(1);
    const flipped = run(
      [gt(1, [0, 0, 10, 10], { imageId: 2 })],
      [dt([0, 0, 10, 10], 0.5), dt([0, 0, 10, 10], 0.5, { imageId: 2 })],
      [1, 2],
    );
    expect(flipped.ap).toBe(0.5);
  });

  it("IoU decides per threshold: a box at IoU .62 is a hit at .50, .55 and .60 only", () => {
    // gt [0,0,10,10], dt [0,0,10,6.2]: IoU 62/100
    const s = run([gt(1, [0, 0, 10, 10])], [dt([0, 0, 10, 6.2], 0.9)]);
    expect(s.ap50).toBe(1);
    expect(s.ap75).toBe(0);
    expect(s.ap).toBeCloseTo(0.3, 15); // 3 of 10 thresholds (.50, .55, .60)
    expect(s.ar100).toBeCloseTo(0.3, 15);
  });

  it("a crowd region absorbs any number of detections (ignored, not false positives); IoU over the detection", () => {
    const truth = [gt(1, [0, 0, 10, 10]), gt(2, [20, 0, 100, 100], { iscrowd: true })];
    const dets = [dt([0, 0, 10, 10], 0.9), dt([50, 50, 10, 10], 0.8), dt([70, 20, 20, 20], 0.7)];
    expect(run(truth, dets).ap).toBe(1);
    // The same region as ordinary ground truth: two false positives after the hit and a miss.
    const plain = run([gt(1, [0, 0, 10, 10]), gt(2, [20, 0, 100, 100])], dets);
    expect(plain.ap).toBeCloseTo(51 / 101, 15);
  });

  it("a detection prefers an ordinary ground truth and falls back on a crowd only when nothing else matches", () => {
    // The crowd covers the ordinary box; the first detection takes the ordinary one, the second
    // (same place) finds it taken and lands in the crowd: ignored, so AP stays 1.
    const truth = [gt(1, [0, 0, 100, 100], { iscrowd: true }), gt(2, [0, 0, 10, 10])];
    expect(run(truth, [dt([0, 0, 10, 10], 0.9), dt([0, 0, 10, 10], 0.8)]).ap).toBe(1);
  });

  it("area ranges: ground truth outside is ignored, and so is an unmatched detection outside", () => {
    const truth = [gt(1, [0, 0, 10, 10]), gt(2, [200, 200, 200, 200])]; // 100 px² and 40 000 px²
    const dets = [
      dt([100, 100, 40, 40], 0.95), // 1 600 px², unmatched: medium
      dt([0, 0, 10, 10], 0.9),
      dt([200, 200, 200, 200], 0.8),
    ];
    const s = run(truth, dets);
    // all: fp, tp, tp → rc [0, .5, 1], pr [0, .5, 2/3] → envelope 2/3 everywhere
    expect(s.ap).toBeCloseTo(2 / 3, 12);
    expect(s.apSmall).toBe(1); // the medium fp ignored; the large pair ignored
    expect(s.apLarge).toBe(1);
    expect(s.apMedium).toBe(-1); // no ground truth in range
    expect(s.arMedium).toBe(-1);
  });

  it("the range bounds are inclusive at both ends: 32² is small and medium", () => {
    const s = run([gt(1, [0, 0, 32, 32])], [dt([0, 0, 32, 32], 1)]);
    expect(s.apSmall).toBe(1);
    expect(s.apMedium).toBe(1);
    expect(s.apLarge).toBe(-1);
  });

  it("maxDets: AR@1 counts the best-scored detection per image, AR@10 up to ten", () => {
    const truth = [gt(1, [0, 0, 10, 10]), gt(2, [50, 50, 10, 10])];
    const s = run(truth, [dt([0, 0, 10, 10], 0.9), dt([50, 50, 10, 10], 0.8)]);
    expect(s.ar1).toBe(0.5);
    expect(s.ar10).toBe(1);
    expect(s.ar100).toBe(1);
  });

  it("detections beyond 100 per image and category are cut before matching", () => {
    const truth = [gt(1, [0, 0, 10, 10])];
    const noise = Array.from({ length: 100 }, (_, i) => dt([500 + i * 20, 500, 10, 10], 0.9));
    expect(run(truth, [...noise, dt([0, 0, 10, 10], 0.1)]).ar100).toBe(0);
    expect(run(truth, [...noise.slice(1), dt([0, 0, 10, 10], 0.1)]).ar100).toBe(1);
  });

  it("the id-0 quirk: a ground truth with id 0 turns its hit into a false positive", () => {
    expect(run([gt(0, [0, 0, 10, 10])], [dt([0, 0, 10, 10], 0.9)]).ap).toBe(0);
    expect(run([gt(1, [0, 0, 10, 10])], [dt([0, 0, 10, 10], 0.9)]).ap).toBe(1);
  });

  it("the mean runs over categories with ground truth; detections of unknown categories are not evaluated", () => {
    const truth = [gt(1, [0, 0, 10, 10]), gt(2, [50, 50, 10, 10], { categoryId: 2 })];
    const s = evaluateDetections(
      {
        imageIds: [1],
        categoryIds: [1, 2, 3],
        groundTruth: truth,
        detections: [dt([0, 0, 10, 10], 0.9), dt([0, 0, 10, 10], 0.9, { categoryId: 9 })],
      },
      { iouType: "bbox" },
    );
    expect(s.summary.ap).toBe(0.5); // category 1: 1, category 2: 0, category 3: -1 (left out)
    expect(s.perCategory).toEqual([
      { categoryId: 1, ap: 1, ap50: 1, groundTruth: 1 },
      { categoryId: 2, ap: 0, ap50: 0, groundTruth: 1 },
      { categoryId: 3, ap: -1, ap50: -1, groundTruth: 0 },
    ]);
    expect(s.stats).toHaveLength(12);
  });

  it("a detection on an image the ground truth does not list is refused, as loadRes asserts", () => {
    expect(() => run([], [dt([0, 0, 1, 1], 1, { imageId: 7 })])).toThrow(
      "detections[0]: image 7 is not in the ground truth's images",
    );
  });

  it("nothing at all gives -1 for every number", () => {
    expect(new Set(Object.values(run([], [])))).toEqual(new Set([-1]));
  });
});

describe("evaluateDetections with polygons (segm)", () => {
  const square = (x: number, y: number, s: number) => [[x, y, x + s, y, x + s, y + s, x, y + s]];
  const segm = (groundTruth: EvalGroundTruth[], detections: EvalDetection[]) =>
    evaluateDetections({ imageIds: [1], categoryIds: [1], groundTruth, detections }, { iouType: "segm" })
      .summary;

  it("the same outline scores 1; a third of overlap (IoU 1/3) misses at every threshold", () => {
    const truth = [gt(1, [0, 0, 10, 10], { segmentation: square(0, 0, 10) })];
    expect(segm(truth, [dt([0, 0, 10, 10], 0.9, { segmentation: square(0, 0, 10) })]).ap).toBe(1);
    // [5,0]-[15,10] against [0,0]-[10,10]: 50 / 150
    expect(segm(truth, [dt([5, 0, 10, 10], 0.9, { segmentation: square(5, 0, 10) })]).ap).toBe(0);
  });

  it("IoU is the outlines', not the boxes': a triangle in its own bounding box is IoU .5", () => {
    const truth = [gt(1, [0, 0, 10, 10], { segmentation: square(0, 0, 10) })];
    const triangle = { segmentation: [[0, 0, 10, 0, 10, 10]] };
    const s = segm(truth, [dt([0, 0, 10, 10], 0.9, triangle)]);
    expect(s.ap50).toBe(1);
    expect(s.ap75).toBe(0);
    // the bbox evaluation of the same pair is a perfect hit
    expect(run(truth, [dt([0, 0, 10, 10], 0.9, triangle)]).ap).toBe(1);
  });

  it("several polygons make one object (their union); a crowd's IoU is over the detection", () => {
    const truth = [
      gt(1, [0, 0, 30, 10], { segmentation: [...square(0, 0, 10), ...square(20, 0, 10)], area: 200 }),
      gt(2, [0, 50, 100, 50], { segmentation: square(0, 50, 50), iscrowd: true }),
    ];
    const dets = [
      dt([0, 0, 30, 10], 0.9, { segmentation: [...square(0, 0, 10), ...square(20, 0, 10)] }),
      dt([10, 60, 10, 10], 0.8, { segmentation: square(10, 60, 10) }),
    ];
    expect(segm(truth, dets).ap).toBe(1);
  });

  it("a polygon with an odd count of numbers is refused with where it is", () => {
    expect(() => segm([gt(1, [0, 0, 1, 1], { segmentation: [[0, 0, 1, 0, 1]] })], [])).toThrow(
      "groundTruth[0].segmentation: a polygon needs an even count (>= 6) of finite numbers",
    );
  });
});

const SKIP = HAVE_FIXTURES ? "" : ` (skipped: ${FIXTURES} not found)`;
const readJson = (rel: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURES, rel), "utf8"));

describe.skipIf(!HAVE_FIXTURES)(`pycocotools' own results on the shared fixtures${SKIP}`, () => {
  it("datumaro/coco_instances (a crowd RLE, non-contiguous category ids): bbox AP 1.0", () => {
    expect(cocoSelfEvaluation(readJson("datumaro/coco_instances/annotations/instances_val.json"))).toBe(1);
  });

  it("datumaro/roboflow_coco train (annotation id 0): AP 0.5, the id-0 bug; val passes", () => {
    expect(cocoSelfEvaluation(readJson("datumaro/roboflow_coco/train/_annotations.coco.json"))).toBe(0.5);
    expect(cocoSelfEvaluation(readJson("datumaro/roboflow_coco/val/_annotations.coco.json"))).toBe(1);
  });

  it("labelme/instance_segmentation_coco (ids from 0, 21 categories): AP 0.9488", () => {
    const ap = cocoSelfEvaluation(readJson("labelme/instance_segmentation_coco/annotations.json"));
    expect(ap).toBeCloseTo(0.9488, 4);
  });

  it("pycocotools' fake bbox results (734 detections, COCO's 91-id categories) read as detections", () => {
    type Result = { image_id: number; category_id: number; bbox: CocoBox; score: number };
    const results = readJson("cocoapi-results/instances_val2014_fakebbox100_results.json") as Result[];
    expect(results).toHaveLength(734);
    const detections = results.map((r) => ({
      imageId: r.image_id,
      categoryId: r.category_id,
      bbox: r.bbox,
      score: r.score,
    }));
    const imageIds = [...new Set(detections.map((d) => d.imageId))];
    const categoryIds = [...new Set(detections.map((d) => d.categoryId))];
    // Against themselves as ground truth (ids 1..N): every category perfect.
    const groundTruth = detections.map((d, i) => ({ ...d, id: i + 1, area: d.bbox[2] * d.bbox[3] }));
    const self = evaluateDetections({ imageIds, categoryIds, groundTruth, detections }, { iouType: "bbox" });
    expect(imageIds).toHaveLength(99);
    expect(self.summary.ap).toBe(1);
    expect(self.summary.ar100).toBe(1);
    // Against the confident ones only: the rest score lower than every hit, so they rank after
    // full recall and cost nothing; inverted scores put them first and AP drops.
    const confident = groundTruth.filter((g) => g.score >= 0.5);
    const input = { imageIds, categoryIds, groundTruth: confident, detections };
    expect(evaluateDetections(input, { iouType: "bbox" }).summary.ap).toBe(1);
    const inverted = detections.map((d) => ({ ...d, score: 1 - d.score }));
    const worse = evaluateDetections({ ...input, detections: inverted }, { iouType: "bbox" }).summary;
    expect(worse.ap).toBeLessThan(0.9);
    expect(worse.ar100).toBe(1);
  });
});
