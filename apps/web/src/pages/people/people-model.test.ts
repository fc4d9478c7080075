import type { AnnotatorStats } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { firstPassRate, sortStats, totalsOf } from "./people-model";

const row = (userId: number, name: string, over: Partial<AnnotatorStats> = {}): AnnotatorStats => ({
  userId,
  name,
  role: "annotator",
  assigned: 0,
  submitted: 0,
  acceptedFirstPass: 0,
  accepted: 0,
  rejected: 0,
  reworkRate: null,
  objects: 0,
  activeSeconds: 0,
  openIssues: 0,
  ...over,
});

describe("sortStats", () => {
  const rows = [
    row(1, "cat", { submitted: 5, reworkRate: 0.2 }),
    row(2, "Ann", { submitted: 5, reworkRate: null }),
    row(3, "bob", { submitted: 9, reworkRate: 0.5 }),
  ];

  it("orders numbers high to low, ties by name", () => {
    expect(sortStats(rows, { column: "submitted", descending: true }).map((r) => r.userId)).toEqual([
      3, 2, 1,
    ]);
  });

  it("keeps rows without a rework rate last in both directions", () => {
    expect(sortStats(rows, { column: "reworkRate", descending: true }).map((r) => r.userId)).toEqual([
      3, 1, 2,
    ]);
    expect(sortStats(rows, { column: "reworkRate", descending: false }).map((r) => r.userId)).toEqual([
      1, 3, 2,
    ]);
  });

  it("orders names ignoring case", () => {
    expect(sortStats(rows, { column: "name", descending: false }).map((r) => r.name)).toEqual([
      "Ann",
      "bob",
      "cat",
    ]);
  });
});

describe("totals", () => {
  it("takes the rework rate over all decisions, not the mean of the rates", () => {
    const t = totalsOf([
      row(1, "a", { accepted: 9, rejected: 1 }),
      row(2, "b", { accepted: 0, rejected: 1 }),
    ]);
    expect(t.rejected).toBe(2);
    expect(t.reworkRate).toBeCloseTo(2 / 11);
  });

  it("has no rework rate before any decision", () => {
    expect(totalsOf([row(1, "a")]).reworkRate).toBeNull();
  });

  it("gives the first-pass rate over submissions", () => {
    expect(firstPassRate({ acceptedFirstPass: 3, submitted: 4 })).toBe(0.75);
    expect(firstPassRate({ acceptedFirstPass: 0, submitted: 0 })).toBeNull();
  });
});
