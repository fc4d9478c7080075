import { AttributeDefinitions } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { attributeSummary } from "./attribute-summary";

const defs = AttributeDefinitions.parse([
  { name: "occluded", kind: "checkbox" },
  { name: "truncated", kind: "checkbox" },
  { name: "colour", kind: "choice", values: ["blue"] },
  { name: "doors", kind: "number" },
  { name: "note", kind: "text" },
]);

describe("attributeSummary", () => {
  it("names checked boxes and shows other values in the label's order", () => {
    expect(
      attributeSummary({ doors: 3, colour: "blue", occluded: true, truncated: false, note: "" }, defs),
    ).toBe("occluded · blue · 3");
    expect(attributeSummary(undefined, defs)).toBe("");
  });
});
