import { describe, expect, test } from "vitest";
import {
  EMPTY_FILTER,
  imageCounts,
  type LayerContext,
  labelKey,
  predictionAt,
  stepPrediction,
  suggestedTags,
  thresholdOf,
  visibleShapes,
} from "./prediction-model";
import { box, makePrediction } from "./test-fixtures";

const ctx = (over: Partial<LayerContext> = {}): LayerContext => ({
  filter: EMPTY_FILTER,
  local: new Map(),
  taken: new Set(),
  hiddenLabels: new Set(),
  ...over,
});

const preds = [
  makePrediction({ id: 1, score: 0.3 }),
  makePrediction({ id: 2, score: 0.9 }),
  makePrediction({ id: 3, score: 0.6, labelId: 2 }),
  makePrediction({ id: 4, score: 0.95, runId: 2 }),
  makePrediction({ id: 5, score: 0.8, state: "rejected" }),
  makePrediction({ id: 6, score: 0.7, geometry: null }),
];

describe("the prediction layer's filter", () => {
  test("pending shape predictions, highest score first; decided and tag ones left out", () => {
    expect(visibleShapes(preds, ctx()).map((p) => p.id)).toEqual([4, 2, 3, 1]);
  });

  test("the run's slider hides what scores below it; a label's own slider replaces it for that label", () => {
    const filter = { ...EMPTY_FILTER, runMin: new Map([[1, 0.5]]) };
    expect(visibleShapes(preds, ctx({ filter })).map((p) => p.id)).toEqual([4, 2, 3]);
    const labelMin = new Map([[labelKey(1, 2), 0.65]]);
    expect(visibleShapes(preds, ctx({ filter: { ...filter, labelMin } })).map((p) => p.id)).toEqual([4, 2]);
    // A label slider below the run's shows more of that label only.
    const lower = new Map([[labelKey(1, 1), 0.1]]);
    expect(visibleShapes(preds, ctx({ filter: { ...filter, labelMin: lower } })).map((p) => p.id)).toEqual([
      4, 2, 3, 1,
    ]);
    expect(thresholdOf({ ...filter, labelMin: lower }, 1, 1)).toBe(0.1);
    expect(thresholdOf({ ...filter, labelMin: lower }, 1, 2)).toBe(0.5);
  });

  test("a run switched off, a label hidden in the editor, a prediction already a shape, one rejected here", () => {
    expect(
      visibleShapes(preds, ctx({ filter: { ...EMPTY_FILTER, hiddenRuns: new Set([2]) } })).map((p) => p.id),
    ).toEqual([2, 3, 1]);
    expect(visibleShapes(preds, ctx({ hiddenLabels: new Set([2]) })).map((p) => p.id)).toEqual([4, 2, 1]);
    expect(visibleShapes(preds, ctx({ taken: new Set([2]) })).map((p) => p.id)).toEqual([4, 3, 1]);
    expect(visibleShapes(preds, ctx({ local: new Map([[4, "rejected"]]) })).map((p) => p.id)).toEqual([
      2, 3, 1,
    ]);
    // Reopened here (Undo of a reject): pending again though the data says rejected.
    expect(visibleShapes(preds, ctx({ local: new Map([[5, "pending"]]) })).map((p) => p.id)).toEqual([
      4, 2, 5, 3, 1,
    ]);
  });

  test("equal scores keep a stable order (by id)", () => {
    const same = [makePrediction({ id: 9, score: 0.5 }), makePrediction({ id: 3, score: 0.5 })];
    expect(visibleShapes(same, ctx()).map((p) => p.id)).toEqual([3, 9]);
  });
});

describe("stepping through predictions", () => {
  const order = visibleShapes(preds, ctx());
  test("forward from nothing is the highest score; wraps at the end", () => {
    expect(stepPrediction(order, null, 1)?.id).toBe(4);
    expect(stepPrediction(order, 4, 1)?.id).toBe(2);
    expect(stepPrediction(order, 1, 1)?.id).toBe(4);
  });
  test("backward from nothing is the lowest score; wraps at the start", () => {
    expect(stepPrediction(order, null, -1)?.id).toBe(1);
    expect(stepPrediction(order, 4, -1)?.id).toBe(1);
    expect(stepPrediction(order, 3, -1)?.id).toBe(2);
  });
  test("nothing to step to", () => {
    expect(stepPrediction([], null, 1)).toBeNull();
  });
});

describe("what the layer shows besides shapes", () => {
  test("suggested tags: tag predictions not on the image yet, one per label (the higher score)", () => {
    const tags = [
      makePrediction({ id: 1, score: 0.7, geometry: null, labelId: 3 }),
      makePrediction({ id: 2, score: 0.9, geometry: null, labelId: 3, runId: 2 }),
      makePrediction({ id: 3, score: 0.6, geometry: null, labelId: 4 }),
      makePrediction({ id: 4, score: 0.8, geometry: null, labelId: 5 }),
    ];
    expect(suggestedTags(tags, ctx(), [5]).map((p) => p.id)).toEqual([2, 3]);
  });

  test("the prediction under the pointer is the smallest there", () => {
    const big = makePrediction({ id: 1, score: 0.5, geometry: box(0, 0, 100, 100) });
    const small = makePrediction({ id: 2, score: 0.9, geometry: box(40, 40, 10, 10) });
    const shapes = visibleShapes([big, small], ctx());
    expect(predictionAt(shapes, 45, 45, 0)?.id).toBe(2);
    expect(predictionAt(shapes, 5, 5, 0)?.id).toBe(1);
    expect(predictionAt(shapes, 105, 50, 0)).toBeNull();
    expect(predictionAt(shapes, 105, 50, 6)?.id).toBe(1);
  });

  test("this image's counts per state, an accepted-not-saved one counted as accepted", () => {
    const c = imageCounts(preds, 1, { local: new Map([[1, "rejected"]]), taken: new Set([2]) });
    expect(c).toEqual({ pending: 2, accepted: 1, edited: 0, rejected: 2 });
  });
});
