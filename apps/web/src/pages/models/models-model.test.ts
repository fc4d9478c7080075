import type { ModelEvaluation, ModelVersionMetrics } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { curveSentence, formatSeconds, linePath, timeSaved, xOf, yOf } from "./models-model";

const box = { width: 220, height: 120, left: 10, right: 10, top: 10, bottom: 10 };

describe("the learning curve's geometry", () => {
  it("spreads versions across the plot, one alone in the middle; 1 at the top, 0 at the bottom", () => {
    expect([0, 1, 2].map((i) => xOf(i, 3, box))).toEqual([10, 110, 210]);
    expect(xOf(0, 1, box)).toBe(110);
    expect(yOf(1, box)).toBe(10);
    expect(yOf(0, box)).toBe(110);
    expect(yOf(1.5, box)).toBe(10);
  });

  it("breaks the line at an unmeasured version instead of joining across it", () => {
    expect(linePath([0.5, null, 1], box)).toBe("M10.0 60.0M210.0 10.0");
    expect(linePath([0.5, 0.6, 1], box)).toBe("M10.0 60.0L110.0 50.0L210.0 10.0");
    expect(linePath([null, null], box)).toBe("");
  });
});

const version = (v: string, map: number | null): ModelVersionMetrics => ({
  runId: 1,
  modelName: "det",
  modelVersion: v,
  trainedOnVersion: null,
  createdAt: "2026-03-01T00:00:00.000Z",
  gold: {
    images: 2,
    referenceShapes: 3,
    predictions: 3,
    bbox: { map, ap50: map, ap75: map, ar100: map },
    segm: { map, ap50: map, ap75: map, ar100: map },
  },
  acceptance: { value: null, n: 0, low: 0, high: 1 },
  meanEdit: { value: null, n: 0, low: 0, high: 1 },
  secondsWithPredictions: { n: 0, mean: null, median: null },
  ignoredImages: 0,
});
const evaluation = (versions: ModelVersionMetrics[]): ModelEvaluation => ({
  projectId: 1,
  goldImages: 2,
  secondsWithoutPredictions: { n: 0, mean: null, median: null },
  versions,
});

describe("what the page says", () => {
  it("seconds with their median and n, or that nothing was measured", () => {
    expect(formatSeconds({ n: 12, mean: 41.6, median: 38 })).toBe("42 s (median 38 s, n = 12)");
    expect(formatSeconds({ n: 0, mean: null, median: null })).toBe("not measured yet (n = 0)");
  });

  it("time saved against the baseline only when both are measured", () => {
    expect(timeSaved({ n: 3, mean: 30, median: 30 }, { n: 5, mean: 60, median: 50 })).toBe(0.5);
    expect(timeSaved({ n: 0, mean: null, median: null }, { n: 5, mean: 60, median: 50 })).toBeNull();
  });

  it("the chart's accessible name names the first and last scored versions", () => {
    expect(curveSentence(evaluation([version("v1", 0.4), version("v2", null), version("v3", 0.612)]))).toBe(
      "Learning curve over 2 versions: mAP from 0.400 (v1) to 0.612 (v3)",
    );
    expect(curveSentence(evaluation([]))).toBe("Learning curve: no version scored on gold images yet");
  });
});
