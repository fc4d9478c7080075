import { AttributeDefinitions } from "@labelbench/schema";
import { describe, expect, test } from "vitest";
import { makeLabel, TestEditor } from "./test-editor.js";

/** Attributes per label in the editor (issue 18): defaults, bulk edits, keys, relabels, tag-only labels. */
const car = makeLabel({
  id: 1,
  name: "car",
  hotkey: "1",
  attributes: AttributeDefinitions.parse([
    { name: "occluded", kind: "checkbox" },
    { name: "colour", kind: "choice", values: ["red", "blue", "white"], default: "red" },
    { name: "doors", kind: "number", min: 2, max: 5, step: 1, default: 4 },
    { name: "plate", kind: "text" },
  ]),
});
const van = makeLabel({
  id: 2,
  name: "van",
  hotkey: "2",
  attributes: AttributeDefinitions.parse([
    { name: "colour", kind: "choice", values: ["blue", "green"], default: "green" },
  ]),
});
const sunny = makeLabel({ id: 3, name: "sunny", hotkey: "3", scope: "tags" });
const sign = makeLabel({ id: 4, name: "sign", hotkey: "4", scope: "shapes" });
const labels = [car, van, sunny, sign];

const editor = () =>
  new TestEditor({
    labels,
    annotations: [
      {
        ...TestEditor.box("a", 1, 10, 10, 50, 50),
        attributes: { occluded: false, colour: "blue", doors: 3 },
      },
      {
        ...TestEditor.box("b", 1, 100, 100, 50, 50),
        attributes: { occluded: true, colour: "white", doors: 5 },
      },
    ],
  });

describe("attributes in the editor", () => {
  test("a drawn shape starts with its label's defaults", () => {
    const t = editor();
    t.key("b").drag(200, 200, 260, 260);
    const drawn = t.shapes().find((s) => s.id !== "a" && s.id !== "b");
    expect(drawn?.attributes).toEqual({ occluded: false, colour: "red", doors: 4 });
  });

  test("setAttribute edits every selected shape in one undoable step, refusing invalid values", () => {
    const t = editor();
    expect(t.editor.setAttribute(["a", "b"], "colour", "red")).toBe(2);
    expect(t.shapes().map((s) => s.attributes?.colour)).toEqual(["red", "red"]);
    expect(t.editor.setAttribute(["a"], "doors", 9)).toBe(0);
    expect(t.editor.setAttribute(["a"], "wheels", 4)).toBe(0);
    t.key("Mod+Z");
    expect(t.shapes().map((s) => s.attributes?.colour)).toEqual(["blue", "white"]);
    // Saved with the shapes.
    expect(t.editor.toAnnotationInputs()[0]?.attributes).toEqual({
      occluded: false,
      colour: "blue",
      doors: 3,
    });
  });

  test("Alt+n keys: a checkbox toggles, a choice cycles, a number steps and wraps, for the whole selection", () => {
    const t = editor();
    t.editor.select(["a", "b"]);
    t.key("Alt+1");
    // The first shape's value decides: its occluded was false, so both become true.
    expect(t.shapes().map((s) => s.attributes?.occluded)).toEqual([true, true]);
    t.key("Alt+2");
    expect(t.shapes().map((s) => s.attributes?.colour)).toEqual(["white", "white"]);
    t.key("Alt+2");
    expect(t.shapes().map((s) => s.attributes?.colour)).toEqual(["red", "red"]);
    t.key("Alt+3").key("Alt+3");
    expect(t.shapes().map((s) => s.attributes?.doors)).toEqual([5, 5]);
    t.key("Alt+3");
    expect(t.shapes().map((s) => s.attributes?.doors)).toEqual([2, 2]);
    // A text attribute has no key; a fifth attribute does not exist.
    expect(t.editor.commands.get("attribute.4")?.canRun?.(t.editor)).toBe(false);
    expect(t.editor.commands.get("attribute.5")?.canRun?.(t.editor)).toBe(false);
    expect(t.editor.commands.get("attribute.1")?.group).toBe("Attributes");
  });

  test("a relabel keeps the values the new label accepts and takes its defaults for the rest", () => {
    const t = editor();
    t.editor.relabel(["a", "b"], van.id);
    expect(t.shapes().map((s) => s.attributes)).toEqual([{ colour: "blue" }, { colour: "green" }]);
  });
});

describe("tag-only and shape-only labels in the editor", () => {
  test("a tag-only label's hotkey tags the image and never labels or draws a shape", () => {
    const t = editor();
    t.editor.select(["a"]);
    t.key("3");
    expect(t.state.doc.tags).toEqual([sunny.id]);
    expect(t.shape("a").labelId).toBe(car.id);
    expect(t.state.activeLabelId).not.toBe(sunny.id);
    t.editor.setActiveLabel(sunny.id);
    expect(t.state.activeLabelId).not.toBe(sunny.id);
  });

  test("a shape-only label does not tag the image", () => {
    const t = editor();
    t.editor.toggleTag(sign.id);
    expect(t.state.doc.tags).toEqual([]);
    expect(t.state.message).toMatch(/'sign' is for shapes only/);
  });
});
