import { describe, expect, it } from "vitest";
import { formatThroughput, formatWeek, sortRows } from "./report-model";

const est = (value: number | null, n = 10) => ({ value, n, low: 0, high: 1 });
const rows = [
  { name: "cat", accuracy: est(0.7), images: 4 },
  { name: "Ann", accuracy: est(null, 0), images: 4 },
  { name: "bob", accuracy: est(0.9), images: 12 },
  { name: "Dan", accuracy: est(0.7), images: 2 },
];
const order = (column: "name" | "accuracy" | "images", descending: boolean) =>
  sortRows(
    rows,
    { column, descending },
    (r, c) => r[c],
    (r) => r.name,
  ).map((r) => r.name);

describe("sortRows", () => {
  it("orders estimates by value, ties by name", () => {
    expect(order("accuracy", true)).toEqual(["bob", "cat", "Dan", "Ann"]);
    expect(order("accuracy", false)).toEqual(["cat", "Dan", "bob", "Ann"]);
  });

  it("keeps rows with nothing measured last in both directions", () => {
    expect(order("accuracy", true).at(-1)).toBe("Ann");
    expect(order("accuracy", false).at(-1)).toBe("Ann");
  });

  it("orders numbers and names", () => {
    expect(order("images", true)).toEqual(["bob", "Ann", "cat", "Dan"]);
    expect(order("name", false)).toEqual(["Ann", "bob", "cat", "Dan"]);
    expect(order("name", true)).toEqual(["Dan", "cat", "bob", "Ann"]);
  });
});

describe("formats", () => {
  it("names a week by its Monday in UTC", () => {
    expect(formatWeek("2026-11-02")).toBe("Week of 2 Nov 2026");
  });

  it("gives throughput per active hour", () => {
    expect(formatThroughput(null)).toBe("–");
    expect(formatThroughput(3.25)).toBe("3.3/h");
    expect(formatThroughput(42.4)).toBe("42/h");
  });
});
