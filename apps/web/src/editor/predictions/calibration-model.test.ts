import type { Calibration } from "@labelbench/schema";
import { describe, expect, test } from "vitest";
import { calibrationView, parseTargetPrecision } from "./calibration-model";

const calibration = (over: Partial<Calibration> = {}): Calibration => ({
  runId: 1,
  decided: 80,
  minDecisions: 50,
  targetPrecision: 0.9,
  suggestedThreshold: 0.62,
  bins: [
    { from: 0, to: 0.5, decided: 20, accepted: 2, rate: 0.1 },
    { from: 0.5, to: 1, decided: 60, accepted: 57, rate: 0.95 },
  ],
  ...over,
});

describe("the calibration chart's model", () => {
  test("bars as tall as the acceptance rate, surer the more decisions they rest on", () => {
    const v = calibrationView(calibration());
    expect(v.bars.map((b) => b.height)).toEqual([0.1, 0.95]);
    expect(v.bars[1]?.opacity).toBe(1);
    expect(v.bars[0]?.opacity).toBeCloseTo(0.35 + 0.65 / 3);
    expect(v.bars[1]?.title).toBe("0.5–1.0: 95% accepted (57 of 60)");
    expect(v.suggested).toBe(0.62);
    expect(v.summary).toBe("Scores ≥ 0.62 were accepted 90% of the time or more");
  });

  test("too few decisions: no threshold, and how many are still needed", () => {
    const v = calibrationView(calibration({ decided: 12, suggestedThreshold: null }));
    expect(v.enough).toBe(false);
    expect(v.suggested).toBeNull();
    expect(v.summary).toBe("Not enough decisions yet (12 of 50)");
  });

  test("enough decisions but no score reaches the target", () => {
    const v = calibrationView(calibration({ suggestedThreshold: null, targetPrecision: 0.99 }));
    expect(v.summary).toBe("No score reaches 99% precision yet");
  });

  test("an empty bin is a slot with no bar", () => {
    const v = calibrationView(
      calibration({ bins: [{ from: 0, to: 1, decided: 0, accepted: 0, rate: null }] }),
    );
    expect(v.bars[0]).toMatchObject({ height: null, opacity: 0, title: "0.0–1.0: no decisions" });
  });

  test("the target precision input takes 0.9, 90 and 90%; refuses the rest", () => {
    expect(parseTargetPrecision("0.9")).toBe(0.9);
    expect(parseTargetPrecision("90")).toBe(0.9);
    expect(parseTargetPrecision(" 95% ")).toBe(0.95);
    expect(parseTargetPrecision("1")).toBe(1);
    for (const bad of ["", "0", "-1", "abc", "250"]) expect(parseTargetPrecision(bad)).toBeNull();
  });
});
