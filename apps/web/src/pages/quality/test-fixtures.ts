import type { QualityComparison } from "@labelbench/schema";

const CAT = 1;
const DOG = 2;
const box = (uid: string, labelId: number, x: number, y: number, w: number, h = w) => ({
  uid,
  labelId,
  geometry: { type: "box" as const, x, y, width: w, height: h },
});

/**
 * One comparison with one shape of each outcome, as the server's matcher reports it (the checked
 * shapes in another order than the reference's): c0 matches r0; r1 is missing; c1 is extra; c2
 * is a cat where r2 is a dog; c3 is r3 loosened from 20 to 24 px (IoU 400/576, low overlap).
 */
export const scene = (): QualityComparison => ({
  imageId: 5,
  kind: "gold",
  checkedUserId: 9,
  referenceKey: 0,
  match: { preset: "default", matchThreshold: 0.5, lowOverlapThreshold: 0.75 },
  reference: {
    shapes: [
      box("a", CAT, 0, 0, 10),
      box("b", CAT, 100, 0, 10),
      box("c", DOG, 200, 50, 10),
      box("d", CAT, 300, 0, 20),
    ],
    tags: [],
  },
  checked: {
    shapes: [
      box("e", CAT, 0, 0, 10),
      box("f", CAT, 500, 500, 10),
      box("g", CAT, 200, 50, 10),
      box("h", CAT, 300, 0, 24),
    ],
    tags: [],
  },
  matches: [
    { reference: 0, checked: 0, iou: 1, lowOverlap: false },
    { reference: 3, checked: 3, iou: 400 / 576, lowOverlap: true },
  ],
  mismatches: [{ reference: 2, checked: 2, iou: 1, lowOverlap: false }],
  missing: [1],
  extra: [1],
  tags: { matched: [], missing: [], extra: [] },
  counts: {
    comparisons: 1,
    tp: 2,
    fp: 1,
    fn: 1,
    mismatched: 1,
    lowOverlap: 1,
    tagTp: 0,
    tagFp: 0,
    tagFn: 0,
  },
});
