import { describe, expect, it } from "vitest";
import { AnnotationSetPut, Geometry, IdParam, LabelCreate } from "./domain.js";

describe("Geometry schema", () => {
  it.each([
    [{ type: "box", x: 1, y: 2, width: 3, height: 4 }, true],
    [{ type: "box", x: 1, y: 2, width: "3", height: 4 }, false],
    [{ type: "box", x: Number.NaN, y: 2, width: 3, height: 4 }, false],
    [
      {
        type: "polygon",
        points: [
          [0, 0],
          [1, 0],
          [1, 1],
        ],
      },
      true,
    ],
    [
      {
        type: "polygon",
        points: [
          [0, 0],
          [1, 0],
        ],
      },
      false,
    ],
    [{ type: "circle", r: 3 }, false],
  ])("%j valid=%s", (g, ok) => {
    expect(Geometry.safeParse(g).success).toBe(ok);
  });
});

describe("LabelCreate", () => {
  it("lower-cases colour and hotkey, defaults shape types, scope and attributes", () => {
    const l = LabelCreate.parse({ name: " Car ", color: "#AABBCC", hotkey: "Q" });
    expect(l).toEqual({
      name: "Car",
      color: "#aabbcc",
      hotkey: "q",
      shapeTypes: ["box", "polygon"],
      scope: "both",
      attributes: [],
    });
  });
  it("refuses a hotkey of 0, three characters, or a chord not starting with a letter", () => {
    expect(LabelCreate.safeParse({ name: "a", hotkey: "0" }).success).toBe(false);
    expect(LabelCreate.safeParse({ name: "a", hotkey: "abc" }).success).toBe(false);
    expect(LabelCreate.safeParse({ name: "a", hotkey: "1a" }).success).toBe(false);
    expect(LabelCreate.safeParse({ name: "a", hotkey: "g-" }).success).toBe(false);
  });

  it("takes a two-key chord (a letter, then a digit or letter), lower-cased", () => {
    expect(LabelCreate.parse({ name: "a", hotkey: "G3" }).hotkey).toBe("g3");
    expect(LabelCreate.parse({ name: "a", hotkey: "ab" }).hotkey).toBe("ab");
  });
});

describe("AnnotationSetPut", () => {
  it("defaults tags to an empty list", () => {
    expect(AnnotationSetPut.parse({ baseRevision: 0, annotations: [] }).tags).toEqual([]);
  });
});

describe("IdParam", () => {
  it.each(["1", "42", "999999999999999", 7])("takes %j", (v) => {
    expect(IdParam.parse(v)).toBe(Number(v));
  });
  it.each(["0x10", "1e3", " 1", "1 ", "+1", "01", "1.0", "-1", "0", "", "1234567890123456", 0, 1.5, null])(
    "refuses %j",
    (v) => {
      expect(IdParam.safeParse(v).success).toBe(false);
    },
  );
});
