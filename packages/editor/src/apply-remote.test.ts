import { describe, expect, test } from "vitest";
import { TestEditor } from "./test-editor.js";

describe("applyRemote: someone else's save merged in", () => {
  test("the document becomes the merged set; my undo history stays and is not extended", () => {
    const t = new TestEditor({
      annotations: [TestEditor.box("a", 1, 10, 10, 40, 40), TestEditor.box("b", 1, 100, 100, 40, 40)],
    });
    t.editor.select(["b"]);
    t.editor.nudge(5, 0);
    const version = t.state.docVersion;
    t.editor.applyRemote({
      annotations: [
        TestEditor.box("a", 1, 10, 10, 40, 40),
        { ...TestEditor.box("b", 1, 105, 100, 40, 40) },
        TestEditor.box("theirs", 1, 300, 300, 40, 40),
      ],
      tags: [2],
    });
    expect(t.shapes().map((s) => s.id)).toEqual(["a", "b", "theirs"]);
    expect(t.state.doc.tags).toEqual([2]);
    expect(t.state.docVersion).toBe(version + 1);
    expect(t.selectedIds()).toEqual(["b"]);
    // One undo takes back my nudge, not their box.
    t.editor.undo();
    expect(t.shape("b").geometry).toMatchObject({ x: 100 });
    expect(t.shapes().map((s) => s.id)).toEqual(["a", "b", "theirs"]);
    expect(t.state.canUndo).toBe(false);
    // Their new shape is hit-testable (the index was rebuilt).
    expect(t.editor.hitTest({ x: 320, y: 320 } as Parameters<typeof t.editor.hitTest>[0])).toBe("theirs");
  });

  test("a shape removed remotely leaves the selection", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("a", 1, 10, 10, 40, 40)] });
    t.editor.select(["a"]);
    t.editor.applyRemote({ annotations: [], tags: [] });
    expect(t.selectedIds()).toEqual([]);
    expect(t.shapes()).toEqual([]);
  });
});
