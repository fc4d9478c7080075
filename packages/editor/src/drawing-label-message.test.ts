import { describe, expect, test } from "vitest";
import { TestEditor } from "./test-editor.js";

describe("a drawing tool that cannot draw with the active label says why", () => {
  test("picking the box tool with a polygon-only label says so at once", () => {
    const t = new TestEditor();
    t.editor.setActiveLabel(3);
    expect(t.state.message).toBeNull();
    t.key("b");
    expect(t.state.message).toBe("Label 'road' does not allow boxes");
  });

  test("picking a polygon-only label while the box tool is on says so at once", () => {
    const t = new TestEditor();
    t.key("b");
    expect(t.state.message).toBeNull();
    t.key("3");
    expect(t.state.message).toBe("Label 'road' does not allow boxes");
    t.key("2");
    expect(t.state.message).toBeNull();
  });

  test("each refused press counts as said again (messageSeq), even with the same text", () => {
    const t = new TestEditor();
    t.editor.setActiveLabel(3);
    t.key("b");
    const first = t.state.messageSeq;
    t.drag(10, 10, 60, 60);
    const second = t.state.messageSeq;
    t.drag(10, 10, 60, 60);
    expect(t.state.message).toBe("Label 'road' does not allow boxes");
    expect(second).toBeGreaterThan(first);
    expect(t.state.messageSeq).toBeGreaterThan(second);
    expect(t.shapes()).toHaveLength(0);
  });

  test("the select tool and a drawable label say nothing", () => {
    const t = new TestEditor();
    t.editor.setActiveLabel(3);
    t.key("v");
    t.key("p");
    expect(t.state.message).toBeNull();
  });
});
