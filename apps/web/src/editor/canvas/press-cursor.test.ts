import { TestEditor } from "@labelbench/editor/testing";
import { imagePoint } from "@labelbench/geometry";
import { describe, expect, it } from "vitest";
import { cursorFor } from "./press-cursor";

const at = (t: TestEditor, x: number, y: number) => {
  t.pointerMove(x, y);
  return cursorFor(t.editor, t.state);
};

describe("the canvas cursor shows what a press will do", () => {
  it("a small selected box shows 'move' 5 px inside its corner, where a press moves it", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("tiny", 1, 100, 100, 12, 12)] });
    t.editor.select(["tiny"]);
    expect(at(t, 105, 105)).toBe("move");
    expect(t.editor.pressTarget(imagePoint(105, 105))?.kind).toBe("move");
    // Right on the corner it is a resize, for the cursor and the press alike.
    expect(at(t, 101, 101)).toBe("nwse-resize");
  });

  it("names each handle of a big box, a polygon vertex, an unselected shape and empty space", () => {
    const t = new TestEditor({
      annotations: [
        TestEditor.box("big", 1, 100, 100, 200, 200),
        TestEditor.box("other", 1, 500, 500, 100, 100),
      ],
    });
    t.editor.select(["big"]);
    expect(at(t, 104, 104)).toBe("nwse-resize");
    expect(at(t, 300, 100)).toBe("nesw-resize");
    expect(at(t, 200, 100)).toBe("ns-resize");
    expect(at(t, 300, 200)).toBe("ew-resize");
    expect(at(t, 200, 200)).toBe("move");
    expect(at(t, 550, 550)).toBe("pointer");
    expect(at(t, 900, 700)).toBe("default");
    t.editor.setTool("box");
    expect(at(t, 200, 200)).toBe("crosshair");
    t.editor.setTool("pan");
    expect(at(t, 200, 200)).toBe("grab");
  });

  it("keeps the press's cursor while a resize is under way", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("big", 1, 100, 100, 200, 200)] });
    t.editor.select(["big"]);
    expect(at(t, 300, 300)).toBe("nwse-resize");
    t.pointerDown(300, 300).pointerMove(340, 340).expectTool("select.resizing");
    expect(cursorFor(t.editor, t.state)).toBeNull();
    t.pointerUp(340, 340);
    expect(cursorFor(t.editor, t.state)).toBe("nwse-resize");
  });
});
