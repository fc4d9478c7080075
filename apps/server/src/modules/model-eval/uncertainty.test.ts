import { describe, expect, it } from "vitest";
import {
  type Candidate,
  imageScoresOf,
  pickNext,
  queueOrder,
  rememberLabel,
  uncertaintyOf,
} from "./uncertainty.js";

describe("an image's scores and uncertainty", () => {
  it("keeps the top prediction's label and score, and top − second as the margin", () => {
    const s = imageScoresOf([
      { labelId: 1, score: 0.4 },
      { labelId: 2, score: 0.9 },
      { labelId: 1, score: 0.7 },
    ]);
    expect(s?.topLabelId).toBe(2);
    expect(s?.topScore).toBe(0.9);
    expect(s?.margin).toBeCloseTo(0.2, 12);
  });

  it("one prediction: the margin is its score (the runner-up is nothing); none: no scores", () => {
    expect(imageScoresOf([{ labelId: 3, score: 0.6 }])).toEqual({
      topLabelId: 3,
      topScore: 0.6,
      margin: 0.6,
    });
    expect(imageScoresOf([])).toBeUndefined();
  });

  it("a later equal score does not displace the first top but becomes the runner-up (margin 0)", () => {
    const s = imageScoresOf([
      { labelId: 1, score: 0.5 },
      { labelId: 2, score: 0.5 },
    ]);
    expect(s).toEqual({ topLabelId: 1, topScore: 0.5, margin: 0 });
  });

  it("least-confidence is 1 − top; margin is 1 − (top − second): larger is less sure for both", () => {
    expect(uncertaintyOf({ topScore: 0.9, margin: 0.1 }, "least-confidence")).toBeCloseTo(0.1, 12);
    expect(uncertaintyOf({ topScore: 0.9, margin: 0.1 }, "margin")).toBeCloseTo(0.9, 12);
    // A confident top with a close runner-up: sure by least-confidence, unsure by margin.
    expect(uncertaintyOf({ topScore: 0.95, margin: 0.02 }, "margin")).toBeGreaterThan(
      uncertaintyOf({ topScore: 0.6, margin: 0.6 }, "margin"),
    );
  });
});

const c = (imageId: number, labelId: number, uncertainty: number): Candidate => ({
  imageId,
  labelId,
  uncertainty,
});

describe("the diversity rule", () => {
  it("diversity 0 is pure uncertainty order, most uncertain first, ties by image id", () => {
    const images = [c(1, 1, 0.2), c(2, 1, 0.9), c(3, 2, 0.5), c(4, 1, 0.9), c(5, 2, 0.1)];
    expect(queueOrder(images, 0)).toEqual([2, 4, 3, 1, 5]);
  });

  it("diversity 1 never hands out the same top label twice in a row while another label has images", () => {
    // Label 1 holds all the most uncertain images; label 2 gets every other turn.
    const images = [c(1, 1, 0.99), c(2, 1, 0.98), c(3, 1, 0.97), c(4, 2, 0.1), c(5, 2, 0.05)];
    expect(queueOrder(images, 1)).toEqual([1, 4, 2, 5, 3]);
  });

  it("with labels = diversity + 1 it is a round-robin across labels, each in its own uncertainty order", () => {
    const images = [c(1, 1, 0.9), c(2, 1, 0.8), c(3, 2, 0.7), c(4, 2, 0.6), c(5, 3, 0.5), c(6, 3, 0.4)];
    expect(queueOrder(images, 2)).toEqual([1, 3, 5, 2, 4, 6]);
  });

  it("a window wider than the labels left shrinks, so the last label's images still come out", () => {
    expect(queueOrder([c(1, 1, 0.5), c(2, 1, 0.4), c(3, 1, 0.3)], 5)).toEqual([1, 2, 3]);
  });

  it("the labels handed out before count (the queue's memory across requests)", () => {
    const heads = [c(1, 1, 0.9), c(2, 2, 0.5), c(3, 3, 0.4)];
    expect(pickNext(heads, [], 2)?.imageId).toBe(1);
    expect(pickNext(heads, [1], 2)?.imageId).toBe(2);
    expect(pickNext(heads, [2, 1], 2)?.imageId).toBe(3);
    expect(pickNext(heads, [3, 2, 1], 2)?.imageId).toBe(1);
    expect(pickNext([], [1], 2)).toBeUndefined();
  });

  it("remembers the newest label first, as many as the window needs", () => {
    expect(rememberLabel([2, 3], 1, 2)).toEqual([1, 2]);
    expect(rememberLabel([2, 3], 1, 0)).toEqual([]);
  });
});
