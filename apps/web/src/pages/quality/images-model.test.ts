import { describe, expect, it } from "vitest";
import { describeImagesScope } from "./images-model";
import { parseImagesScope } from "./quality-scope";

const users = (id: number) => (id === 3 ? "Bea" : null);
const labels = (id: number) => (id === 1 ? "person" : id === 2 ? "car" : null);
const describe_ = (qs: string) =>
  describeImagesScope(parseImagesScope(new URLSearchParams(qs)), users, labels);

describe("describeImagesScope", () => {
  it("names the outcome, the person, the label and the week", () => {
    expect(describe_("outcome=fn&annotatorId=3&week=2026-11-02")).toEqual({
      title: "Images with missing shapes",
      parts: ["Bea", "week of 2 Nov 2026", "checked against the reference"],
      countLabel: "Missing",
    });
  });

  it("names a confusion cell in words", () => {
    expect(describe_("reference=1&checked=2")).toMatchObject({
      title: "Images where a person was drawn as car",
      countLabel: "Shapes",
    });
    expect(describe_("reference=1&checked=none").title).toBe("Images where a person was not drawn");
    expect(describe_("reference=none&checked=2").title).toBe("Images with an extra car");
    expect(describe_("reference=1&checked=1").title).toBe("Images with a matched person");
  });

  it("falls back to ids for people and labels it does not know", () => {
    expect(describe_("annotatorId=8&labelId=9&kind=overlap").parts).toEqual([
      "user #8",
      "label #9",
      "in blind overlap",
    ]);
    expect(describe_("kind=overlap").countLabel).toBe("Errors");
  });
});
