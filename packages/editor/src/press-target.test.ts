import { imagePoint } from "@labelbench/geometry";
import { describe, expect, test } from "vitest";
import { TestEditor } from "./test-editor.js";

/**
 * `pressTarget` is what the canvas's cursor shows; these tests press where they asked and check the
 * press does what was promised, so the cursor and the gesture cannot disagree.
 */
describe("pressTarget: what a press at a point will do", () => {
  test("on a small box, 5 px inside a corner is the box's middle zone: the press moves it", () => {
    // A 12 px box: its handle zones shrink to 3 px so its body can still be grabbed (handleAt).
    const t = new TestEditor({ annotations: [TestEditor.box("tiny", 1, 100, 100, 12, 12)] });
    t.editor.select(["tiny"]);
    expect(t.editor.pressTarget(imagePoint(105, 105))).toEqual({ kind: "move", shapeId: "tiny" });
    t.pointerDown(105, 105).pointerMove(125, 125).expectTool("select.translating").pointerUp(125, 125);
    expect(t.shape("tiny").geometry).toEqual({ type: "box", x: 120, y: 120, width: 12, height: 12 });
  });

  test("on a small box, right at a corner the press resizes", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("tiny", 1, 100, 100, 12, 12)] });
    t.editor.select(["tiny"]);
    expect(t.editor.pressTarget(imagePoint(101, 101))).toEqual({
      kind: "resize",
      shapeId: "tiny",
      handle: "nw",
    });
    t.pointerDown(101, 101).expectTool("select.resizing");
  });

  test("a big box's corner resizes from 7 screen px away, a polygon's vertex moves, an unselected shape selects", () => {
    const t = new TestEditor({
      annotations: [
        TestEditor.box("big", 1, 100, 100, 200, 200),
        TestEditor.polygon("poly", 3, [
          [500, 100],
          [700, 100],
          [600, 300],
        ]),
      ],
    });
    t.editor.select(["big", "poly"]);
    expect(t.editor.pressTarget(imagePoint(305, 305))).toEqual({
      kind: "resize",
      shapeId: "big",
      handle: "se",
    });
    expect(t.editor.pressTarget(imagePoint(503, 102))).toEqual({
      kind: "vertex",
      shapeId: "poly",
      index: 0,
    });
    expect(t.editor.pressTarget(imagePoint(200, 200))).toEqual({ kind: "move", shapeId: "big" });
    t.editor.select(["poly"]);
    expect(t.editor.pressTarget(imagePoint(200, 200))).toEqual({ kind: "select", shapeId: "big" });
    expect(t.editor.pressTarget(imagePoint(900, 700))).toBeNull();
  });

  test("a locked shape offers nothing; other tools and gestures under way say nothing", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("big", 1, 100, 100, 200, 200)] });
    t.editor.select(["big"]);
    t.editor.toggleShapeLocked("big");
    expect(t.editor.pressTarget(imagePoint(300, 300))).toBeNull();
    t.editor.toggleShapeLocked("big");
    t.editor.setTool("box");
    expect(t.editor.pressTarget(imagePoint(300, 300))).toBeNull();
  });

  test("with thousands selected, a handle is still found (through the index)", () => {
    const boxes = Array.from({ length: 500 }, (_, i) =>
      TestEditor.box(`b${i}`, 1, (i % 25) * 36 + 10, Math.floor(i / 25) * 36 + 10, 30, 30),
    );
    const t = new TestEditor({ annotations: boxes });
    t.editor.select(boxes.map((b) => b.id));
    // b26: column 1, row 1 -> x 46..76, y 46..76.
    expect(t.editor.pressTarget(imagePoint(76, 76))).toEqual({
      kind: "resize",
      shapeId: "b26",
      handle: "se",
    });
    t.pointerDown(76, 76).expectTool("select.resizing");
  });
});
