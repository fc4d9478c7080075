import { describe, expect, test } from "vitest";
import { TestEditor } from "./test-editor.js";

const accepted = {
  id: "p-7",
  labelId: 1,
  geometry: { type: "box" as const, x: 10, y: 10, width: 50, height: 40 },
  predictionId: 7,
};

describe("shapes accepted from predictions (issue 17)", () => {
  test("a loaded shape keeps its predictionId; edits keep it; the save inputs carry it", () => {
    const t = new TestEditor({ annotations: [accepted, TestEditor.box("hand", 1, 200, 200, 30, 30)] });
    expect(t.shape("p-7").predictionId).toBe(7);
    t.editor.select(["p-7"]);
    t.editor.nudge(5, 0);
    t.editor.relabel(["p-7"], 2);
    expect(t.shape("p-7")).toMatchObject({ predictionId: 7, labelId: 2, geometry: { x: 15 } });
    const inputs = t.editor.toAnnotationInputs();
    expect(inputs.find((a) => a.id === "p-7")?.predictionId).toBe(7);
    expect(inputs.find((a) => a.id === "hand")).not.toHaveProperty("predictionId");
  });

  test("a pasted copy of an accepted shape is drawn by hand: no predictionId", () => {
    const t = new TestEditor({ annotations: [accepted] });
    t.editor.select(["p-7"]);
    t.editor.copy();
    t.editor.paste();
    const copy = t.shapes().find((s) => s.id !== "p-7");
    expect(copy).toBeDefined();
    expect(copy?.predictionId).toBeUndefined();
  });

  test("addShapes adds with the given ids, selects them, and its effect undoes and redoes with it", () => {
    const t = new TestEditor();
    const log: string[] = [];
    const effect = { label: "Accepted", apply: () => log.push("apply"), revert: () => log.push("revert") };
    expect(t.editor.addShapes([accepted], { effect })).toBe(true);
    expect(t.selectedIds()).toEqual(["p-7"]);
    expect(t.shape("p-7").predictionId).toBe(7);
    expect(log).toEqual(["apply"]);
    t.editor.undo();
    expect(t.shapes()).toEqual([]);
    expect(log).toEqual(["apply", "revert"]);
    t.editor.redo();
    expect(t.shape("p-7").predictionId).toBe(7);
    expect(log).toEqual(["apply", "revert", "apply"]);
  });

  test("addShapes refuses a shape outside the image and records nothing", () => {
    const t = new TestEditor({ image: { width: 100, height: 100 } });
    const far = { ...accepted, geometry: { type: "box" as const, x: 500, y: 500, width: 10, height: 10 } };
    expect(t.editor.addShapes([far])).toBe(false);
    expect(t.state.canUndo).toBe(false);
    expect(t.state.message).not.toBeNull();
  });

  test("recordEffect: an entry of its own, walked in order with the edits, said in a message", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("a", 1, 10, 10, 40, 40)] });
    const log: string[] = [];
    t.editor.select(["a"]);
    t.editor.nudge(1, 0);
    t.editor.recordEffect({
      label: "Rejected prediction 0.42",
      apply: () => log.push("reject"),
      revert: () => log.push("reopen"),
    });
    // Recording runs nothing: the caller has done it already.
    expect(log).toEqual([]);
    t.editor.undo();
    expect(log).toEqual(["reopen"]);
    expect(t.state.message).toBe("Undone: Rejected prediction 0.42");
    // The shape is still nudged: the effect was its own entry.
    expect(t.shape("a").geometry).toMatchObject({ x: 11 });
    t.editor.undo();
    expect(t.shape("a").geometry).toMatchObject({ x: 10 });
    t.editor.redo();
    t.editor.redo();
    expect(log).toEqual(["reopen", "reject"]);
    expect(t.state.message).toBe("Redone: Rejected prediction 0.42");
  });
});
