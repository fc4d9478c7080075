import { describe, expect, it } from "vitest";
import { meanInterval, wilsonInterval } from "./interval.js";

// Reference values worked by hand from the Wilson formula with z = 1.96 (two-sided 95 %):
// centre = (p + z²/2n) / (1 + z²/n), half = z / (1 + z²/n) · sqrt(p(1-p)/n + z²/4n²).
describe("wilsonInterval", () => {
  it("8 of 10: [0.4902, 0.9433]", () => {
    const w = wilsonInterval(8, 10);
    expect(w.value).toBe(0.8);
    expect(w.n).toBe(10);
    expect(w.low).toBeCloseTo(0.4902, 4);
    expect(w.high).toBeCloseTo(0.9433, 4);
  });

  it("50 of 100: [0.4038, 0.5962], symmetric about one half", () => {
    const w = wilsonInterval(50, 100);
    expect(w.low).toBeCloseTo(0.4038, 4);
    expect(w.high).toBeCloseTo(0.5962, 4);
    expect(w.low + w.high).toBeCloseTo(1, 12);
  });

  it("0 of 10 and 10 of 10 end exactly at 0 and 1, and reach 0.2775 inwards", () => {
    const none = wilsonInterval(0, 10);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 4);
    const all = wilsonInterval(10, 10);
    expect(all.high).toBe(1);
    expect(all.low).toBeCloseTo(0.7225, 4);
  });

  it("1 of 1 is wide: [0.2065, 1]", () => {
    const w = wilsonInterval(1, 1);
    expect(w.low).toBeCloseTo(0.2065, 4);
    expect(w.high).toBe(1);
  });

  it("no trials: no value, the whole range", () => {
    expect(wilsonInterval(0, 0)).toEqual({ value: null, n: 0, low: 0, high: 1 });
  });

  it("refuses successes outside 0..n", () => {
    expect(() => wilsonInterval(3, 2)).toThrow(/0 <= successes <= n/);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
  });
});

describe("meanInterval", () => {
  it("mean ± 1.96 · s / √n, clipped to [0, 1]", () => {
    // Values 0.6, 0.8, 1.0: mean 0.8, s = 0.2, half = 1.96 · 0.2 / √3 = 0.22632.
    const m = meanInterval([0.6, 0.8, 1.0]);
    expect(m.value).toBeCloseTo(0.8, 12);
    expect(m.n).toBe(3);
    expect(m.low).toBeCloseTo(0.8 - 0.22632, 4);
    expect(m.high).toBe(1);
  });

  it("one value has no known spread; none has no value", () => {
    expect(meanInterval([0.7])).toEqual({ value: 0.7, n: 1, low: 0, high: 1 });
    expect(meanInterval([])).toEqual({ value: null, n: 0, low: 0, high: 1 });
  });
});
