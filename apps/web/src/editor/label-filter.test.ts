import { describe, expect, test } from "vitest";
import { filterLabels } from "./label-filter";

const names = (q: string, list: string[]) =>
  filterLabels(
    list.map((name) => ({ name })),
    q,
  ).map((l) => l.name);

describe("filterLabels", () => {
  test("prefix matches first, then matches inside the name, each in set order", () => {
    const set = ["Bicycle", "Car", "Cargo ship", "Sidecar", "bus", "Scar"];
    expect(names("car", set)).toEqual(["Car", "Cargo ship", "Sidecar", "Scar"]);
    expect(names("B", set)).toEqual(["Bicycle", "bus"]);
  });

  test("case-insensitive, ignores surrounding spaces; empty keeps all; no match is empty", () => {
    expect(names("  CAR ", ["car", "Ücar"])).toEqual(["car", "Ücar"]);
    expect(names("ü", ["Über", "über"])).toEqual(["Über", "über"]);
    expect(names("", ["b", "a"])).toEqual(["b", "a"]);
    expect(names("zebra", ["b", "a"])).toEqual([]);
  });
});
