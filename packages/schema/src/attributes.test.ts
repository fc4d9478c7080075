import { describe, expect, it } from "vitest";
import {
  AttributeDefinitions,
  checkAttributeValues,
  conformAttributeValues,
  defaultAttributeValues,
  orderedAttributeValues,
} from "./attributes.js";

const defs = AttributeDefinitions.parse([
  { name: "occluded", kind: "checkbox" },
  { name: "colour", kind: "choice", values: ["red", "blue"], default: "red" },
  { name: "speed", kind: "number", min: 0, max: 1, step: 0.1 },
  { name: "note", kind: "text", maxLength: 3, required: true },
]);

describe("attribute values", () => {
  it("accepts values of the right kind and range, decimal steps included", () => {
    expect(
      checkAttributeValues({ occluded: true, colour: "blue", speed: 0.3, note: "ok" }, defs, "car"),
    ).toEqual([]);
    expect(checkAttributeValues({ speed: 0.7, note: "" }, defs, "car")).toEqual([]);
  });

  it("names each problem: unknown, wrong type, range, step, length, required", () => {
    const problems = checkAttributeValues(
      { occluded: "yes", colour: "green", speed: 0.25, wheels: 4, extra: 1 },
      defs,
      "car",
    ).map((p) => `${p.name}: ${p.message}`);
    expect(problems).toEqual([
      'occluded: attribute "occluded" of label "car": must be true or false, not "yes"',
      'colour: attribute "colour" of label "car": "green" is not one of "red", "blue"',
      'speed: attribute "speed" of label "car": 0.25 is not a multiple of the step 0.1',
      'wheels: label "car" has no attribute "wheels" (it has "occluded", "colour", "speed", "note")',
      'extra: label "car" has no attribute "extra" (it has "occluded", "colour", "speed", "note")',
      'note: attribute "note" of label "car" is required',
    ]);
    expect(checkAttributeValues({ speed: 2, note: "long" }, defs, "car").map((p) => p.message)).toEqual([
      'attribute "speed" of label "car": 2 is above the maximum 1',
      'attribute "note" of label "car": 4 characters; at most 3',
    ]);
  });

  it("defaults: what a new shape starts with", () => {
    expect(defaultAttributeValues(defs)).toEqual({ occluded: false, colour: "red" });
  });

  it("conforms values to other definitions: kept by name when valid, others dropped, defaults filled", () => {
    const other = AttributeDefinitions.parse([
      { name: "colour", kind: "choice", values: ["blue", "green"], default: "green" },
      { name: "speed", kind: "number" },
    ]);
    expect(conformAttributeValues({ occluded: true, colour: "red", speed: 0.5 }, other)).toEqual({
      values: { colour: "green", speed: 0.5 },
      dropped: ["occluded", "colour"],
    });
  });

  it("orders values as the definitions do, so equal values are equal text", () => {
    expect(JSON.stringify(orderedAttributeValues({ note: "a", occluded: true }, defs))).toBe(
      '{"occluded":true,"note":"a"}',
    );
  });
});
