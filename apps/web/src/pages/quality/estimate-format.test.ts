import { describe, expect, it } from "vitest";
import { formatEstimate, intervalBar } from "./estimate-format";

/** Wilson intervals computed by packages/quality (interval.ts) for these counts. */
const EIGHT_OF_TEN = { value: 0.8, n: 10, low: 0.4901624, high: 0.9433178 };
const NOTHING = { value: null, n: 0, low: 0, high: 1 };

describe("formatEstimate", () => {
  it("shows a rate in whole points with its half-width and the interval in words", () => {
    // 8 of 10: Wilson [0.490, 0.943] (docs/quality-metrics.md).
    const f = formatEstimate(EIGHT_OF_TEN, "rate", "shapes");
    expect(f.value).toBe("80%");
    expect(f.plusMinus).toBe("± 23");
    expect(f.title).toBe("80%, 95% interval 49–94%, n = 10 shapes");
  });

  it("earns a decimal only when the interval is narrower than ±2 points", () => {
    const f = formatEstimate({ value: 0.9731, n: 10_000, low: 0.9697, high: 0.9762 }, "rate", "shapes");
    expect(f.value).toBe("97.3%");
    expect(f.plusMinus).toBe("± 0.3");
    expect(f.title).toContain("n = 10,000 shapes");
  });

  it("says nothing was measured when n is 0", () => {
    const f = formatEstimate(NOTHING, "rate", "images");
    expect(f).toEqual({ value: "–", plusMinus: "", title: "Nothing measured yet (n = 0 images)" });
  });

  it("shows an IoU as a fraction with two decimals, three when the interval allows", () => {
    const loose = formatEstimate({ value: 0.85, n: 3, low: 0.73, high: 0.97 }, "iou", "matches");
    expect(loose).toMatchObject({ value: "0.85", plusMinus: "± 0.12" });
    const tight = formatEstimate({ value: 0.905, n: 4000, low: 0.90485, high: 0.90515 }, "iou", "matches");
    expect(tight.value).toBe("0.905");
    expect(tight.plusMinus).toBe("± <0.001");
  });
});

describe("intervalBar", () => {
  it("places the interval and the value in percent of the bar", () => {
    const b = intervalBar(EIGHT_OF_TEN);
    expect(b.low).toBeCloseTo(49.0, 0);
    expect(b.high).toBeCloseTo(94.3, 0);
    expect(b.value).toBe(80);
  });

  it("spans the whole bar without a marker when nothing was measured", () => {
    expect(intervalBar(NOTHING)).toEqual({ low: 0, high: 100, value: null });
  });
});
