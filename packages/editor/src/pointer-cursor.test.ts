import { describe, expect, test } from "vitest";
import { TestEditor } from "./test-editor.js";

/**
 * The cursor is editor state: what a press at the pointer will do (pointerTarget) for the current
 * tool, hover and gesture. The canvas only shows `cursorKind`.
 */
describe("the pointer's target and cursor are editor state", () => {
  test("a small selected box: 5 px inside its corner the cursor says move, and the press moves it", () => {
    // The case behind issue 12 item 23: a 12 px box's handle zones shrink to 3 px, so its body can
    // still be grabbed; the cursor must not promise a resize there.
    const t = new TestEditor({ annotations: [TestEditor.box("tiny", 1, 100, 100, 12, 12)] });
    t.editor.select(["tiny"]);
    t.pointerMove(105, 105);
    expect(t.pointerTarget()).toEqual({ kind: "move", shapeId: "tiny" });
    expect(t.cursor()).toBe("move");
    t.pointerDown(105, 105).pointerMove(125, 125).expectTool("select.translating");
    expect(t.cursor()).toBe("move");
    t.pointerUp(125, 125);
    expect(t.shape("tiny").geometry).toMatchObject({ x: 120, y: 120 });
    // Right on a corner it is a resize, for the cursor and the press alike.
    t.pointerMove(121, 121);
    expect(t.pointerTarget()).toEqual({ kind: "resize", shapeId: "tiny", handle: "nw" });
    expect(t.cursor()).toBe("nwse-resize");
    t.pointerDown(121, 121).expectTool("select.resizing");
  });

  test("names each handle of a big box, a polygon vertex, an unselected shape and empty space", () => {
    const t = new TestEditor({
      annotations: [
        TestEditor.box("big", 1, 100, 100, 200, 200),
        TestEditor.box("other", 1, 500, 500, 100, 100),
        TestEditor.polygon("poly", 3, [
          [700, 100],
          [900, 100],
          [800, 300],
        ]),
      ],
    });
    t.editor.select(["big", "poly"]);
    const at = (x: number, y: number) => t.pointerMove(x, y).cursor();
    expect(at(104, 104)).toBe("nwse-resize");
    expect(at(300, 100)).toBe("nesw-resize");
    expect(at(200, 100)).toBe("ns-resize");
    expect(at(300, 200)).toBe("ew-resize");
    expect(at(200, 200)).toBe("move");
    expect(at(703, 102)).toBe("move");
    expect(t.pointerTarget()).toEqual({ kind: "vertex", shapeId: "poly", index: 0 });
    expect(at(550, 550)).toBe("pointer");
    expect(t.pointerTarget()).toEqual({ kind: "select", shapeId: "other" });
    expect(at(950, 700)).toBe("default");
    expect(t.pointerTarget()).toBeNull();
  });

  test("the drawing tools show a crosshair and no target; the pan tool a hand", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("big", 1, 100, 100, 200, 200)] });
    t.editor.select(["big"]);
    t.pointerMove(300, 300);
    expect(t.cursor()).toBe("nwse-resize");
    t.editor.setTool("polygon");
    expect(t.cursor()).toBe("crosshair");
    expect(t.pointerTarget()).toBeNull();
    t.click(200, 200).pointerMove(250, 250);
    expect(t.cursor()).toBe("crosshair");
    t.editor.setTool("box");
    expect(t.pointerMove(300, 300).cursor()).toBe("crosshair");
    t.editor.setTool("pan");
    expect(t.cursor()).toBe("grab");
    t.pointerDown(300, 300).pointerMove(320, 320);
    expect(t.cursor()).toBe("grabbing");
    t.pointerUp(320, 320);
    expect(t.cursor()).toBe("grab");
  });

  test("Space held over a handle shows the hand, and the handle's cursor comes back with the key", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("big", 1, 100, 100, 200, 200)] });
    t.editor.select(["big"]);
    t.pointerMove(300, 300);
    t.key("Space");
    expect(t.cursor()).toBe("grab");
    t.keyUp("Space");
    expect(t.cursor()).toBe("nwse-resize");
  });

  test("during a resize the cursor is the dragged handle's, wherever the pointer goes", () => {
    const t = new TestEditor({
      annotations: [TestEditor.box("big", 1, 100, 100, 200, 200), TestEditor.box("o", 1, 500, 500, 50, 50)],
    });
    t.editor.select(["big"]);
    t.pointerMove(300, 300).pointerDown(300, 300).pointerMove(520, 520).expectTool("select.resizing");
    expect(t.cursor()).toBe("nwse-resize");
    expect(t.pointerTarget()).toBeNull();
    t.pointerUp(520, 520);
    // At rest again: the box's new corner is under the pointer.
    expect(t.cursor()).toBe("nwse-resize");
    expect(t.pointerTarget()).toEqual({ kind: "resize", shapeId: "big", handle: "se" });
  });

  test("a press that has not moved yet, and a marquee, keep the cursor the press started with", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("o", 1, 500, 500, 100, 100)] });
    t.pointerMove(550, 550);
    expect(t.cursor()).toBe("pointer");
    // The press selects the shape at once; the cursor does not jump to "move" before the drag.
    t.pointerDown(550, 550).expectTool("select.pointing");
    expect(t.cursor()).toBe("pointer");
    t.pointerUp(550, 550);
    expect(t.cursor()).toBe("move");
    t.pointerMove(50, 50).pointerDown(50, 50).pointerMove(200, 200).expectTool("select.marquee");
    expect(t.cursor()).toBe("default");
  });

  test("the target follows changes under a resting pointer: lock, undo, leaving the stage", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("big", 1, 100, 100, 200, 200)] });
    t.editor.select(["big"]);
    t.pointerMove(200, 200);
    expect(t.cursor()).toBe("move");
    t.editor.toggleShapeLocked("big");
    expect(t.pointerTarget()).toBeNull();
    expect(t.cursor()).toBe("default");
    t.editor.toggleShapeLocked("big");
    expect(t.cursor()).toBe("move");
    t.editor.nudge(300, 300);
    expect(t.cursor()).toBe("default");
    t.editor.undo();
    expect(t.cursor()).toBe("move");
    t.dispatch({ type: "pointerLeave" });
    expect(t.pointerTarget()).toBeNull();
    expect(t.cursor()).toBe("default");
  });

  test("a pointer move over a selection still runs one hit test: the target reuses the hover's", () => {
    const t = new TestEditor({
      annotations: [TestEditor.box("big", 1, 100, 100, 200, 200), TestEditor.box("o", 1, 500, 500, 50, 50)],
    });
    t.editor.select(["big"]);
    const before = t.editor.metrics.hitTests;
    for (let i = 0; i < 20; i++) t.pointerMove(150 + i * 20, 150 + i * 20);
    expect(t.editor.metrics.hitTests - before).toBe(20);
  });
});
