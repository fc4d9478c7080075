import { describe, expect, it } from "vitest";
import {
  comparisonMarks,
  differenceList,
  drawOrder,
  focusBounds,
  focusCamera,
  outcomeCounts,
} from "./comparison-model";
import { scene } from "./test-fixtures";

describe("comparisonMarks", () => {
  const comparison = scene();
  const marks = comparisonMarks(comparison);
  const byKey = new Map(marks.map((m) => [m.key, m]));

  it("gives every shape of both sides exactly one mark with the matcher's outcome", () => {
    expect(marks).toHaveLength(8);
    expect(byKey.get("c0")).toMatchObject({ outcome: "matched", partner: "r0", iou: 1 });
    expect(byKey.get("r0")).toMatchObject({ outcome: "matched", partner: "c0" });
    expect(byKey.get("r1")).toMatchObject({ outcome: "missing", partner: null, iou: null });
    expect(byKey.get("c1")).toMatchObject({ outcome: "extra", partner: null });
    expect(byKey.get("c2")).toMatchObject({ outcome: "mismatched", partner: "r2" });
    expect(byKey.get("c3")?.outcome).toBe("lowOverlap");
    expect(byKey.get("c3")?.iou).toBeCloseTo(400 / 576);
  });

  it("counts pairs once and each unpaired shape once", () => {
    expect(outcomeCounts(marks)).toEqual({ matched: 1, lowOverlap: 1, mismatched: 1, missing: 1, extra: 1 });
  });

  it("lists differences first (missing, extra, wrong label, low overlap), matches only on request", () => {
    expect(differenceList(marks, false).map((m) => m.key)).toEqual(["r1", "c1", "c2", "c3"]);
    expect(differenceList(marks, true).map((m) => m.key)).toEqual(["r1", "c1", "c2", "c3", "c0"]);
  });

  it("focuses on a pair as a whole", () => {
    expect(focusBounds(marks, "c3")).toEqual({ minX: 300, minY: 0, maxX: 324, maxY: 24 });
    expect(focusBounds(marks, "r1")).toEqual({ minX: 100, minY: 0, maxX: 110, maxY: 10 });
    expect(focusBounds(marks, "c9")).toBeNull();
  });

  it("draws matches underneath and differences on top, each ghost under its shape", () => {
    const order = drawOrder(marks).map((m) => m.key);
    expect(order.slice(0, 2)).toEqual(["r0", "c0"]);
    expect(order.indexOf("r3")).toBeLessThan(order.indexOf("c3"));
    expect(order.indexOf("c0")).toBeLessThan(order.indexOf("r1"));
  });

  it("refuses a match that names a shape the sets do not hold", () => {
    const short = { ...comparison, reference: { shapes: comparison.reference.shapes.slice(0, 1), tags: [] } };
    expect(() => comparisonMarks(short)).toThrow(RangeError);
  });
});

describe("focusCamera", () => {
  const bounds = { minX: 100, minY: 200, maxX: 150, maxY: 220 };
  const stage = { width: 1000, height: 600 };

  it("centres the entry with its longer side 45% of the stage's shorter side", () => {
    const v = focusCamera(bounds, stage, { min: 0.1, max: 16 });
    expect(v.scale).toBeCloseTo((0.45 * 600) / 50);
    expect(125 * v.scale + v.offsetX).toBeCloseTo(500);
    expect(210 * v.scale + v.offsetY).toBeCloseTo(300);
  });

  it("stays within the zoom range", () => {
    expect(focusCamera(bounds, stage, { min: 0.1, max: 2 }).scale).toBe(2);
    expect(focusCamera({ minX: 0, minY: 0, maxX: 5000, maxY: 10 }, stage, { min: 0.5, max: 16 }).scale).toBe(
      0.5,
    );
  });
});
