import { describe, expect, it } from "vitest";
import {
  changedShapeNotes,
  compareTargets,
  parseTarget,
  shapeChangeText,
  versionTitle,
} from "./versions-model";

describe("versions model", () => {
  const versions = [
    { number: 3, note: "after the second review round, with the new sign classes" },
    { number: 2, note: "" },
    { number: 1, note: "first batch" },
  ];

  it("offers the live project first, then every other version", () => {
    expect(compareTargets(versions, 2)).toEqual([
      { value: "live", label: "The live project (now)" },
      { value: 3, label: "Version 3 · after the second review round, with the…" },
      { value: 1, label: "Version 1 · first batch" },
    ]);
  });

  it("titles a version with its note, shortened", () => {
    expect(versionTitle({ number: 2, note: "  " })).toBe("Version 2");
    expect(versionTitle({ number: 1, note: "a\n b" })).toBe("Version 1 · a b");
  });

  it("reads a select's value back", () => {
    expect(parseTarget("live")).toBe("live");
    expect(parseTarget("4")).toBe(4);
    expect(parseTarget("0")).toBeNull();
    expect(parseTarget("x")).toBeNull();
  });

  it("writes shape changes compactly", () => {
    expect(shapeChangeText({ shapesAdded: 2, shapesRemoved: 0, shapesChanged: 1 })).toBe("+2 ~1");
    expect(shapeChangeText({ shapesAdded: 0, shapesRemoved: 3, shapesChanged: 0 })).toBe("−3");
    expect(shapeChangeText({ shapesAdded: 0, shapesRemoved: 0, shapesChanged: 0 })).toBe("tags");
  });
});

describe("the diff's changed shapes", () => {
  it("names how many were relabeled and how many had their attribute values changed, beside each other", () => {
    expect(changedShapeNotes({ relabeled: 2, attributesChanged: 1234 })).toEqual([
      "2 relabeled",
      "1,234 with attributes changed",
    ]);
    // Two versions that differ only in attribute values still say what changed.
    expect(changedShapeNotes({ relabeled: 0, attributesChanged: 3 })).toEqual(["3 with attributes changed"]);
    expect(changedShapeNotes({ relabeled: 0, attributesChanged: 0 })).toEqual([]);
  });
});
