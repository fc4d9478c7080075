import { describe, expect, test } from "vitest";
import { TestEditor } from "../test-editor.js";

describe("box tool", () => {
  test("drag draws one box: idle -> drawing -> idle, selected, one undo entry", () => {
    const t = new TestEditor();
    t.key("b").expectTool("box.idle");
    t.pointerDown(10, 20).expectTool("box.drawing");
    t.pointerMove(60, 70);
    expect(t.state.preview).toEqual({ kind: "box", geometry: { x: 10, y: 20, width: 50, height: 50 } });
    expect(t.shapes()).toHaveLength(0);
    t.pointerUp(110, 220).expectTool("box.idle");
    expect(t.state.preview).toBeNull();
    expect(t.shapes()).toEqual([
      { id: "shape-1", labelId: 1, geometry: { type: "box", x: 10, y: 20, width: 100, height: 200 } },
    ]);
    expect(t.selectedIds()).toEqual(["shape-1"]);
    expect(t.state.docVersion).toBe(1);
    t.key("Mod+Z");
    expect(t.shapes()).toHaveLength(0);
    expect(t.state.canUndo).toBe(false);
  });

  test("dragging up-left gives the same box with positive size", () => {
    const t = new TestEditor();
    t.key("b").drag(110, 220, 10, 20);
    expect(t.shapes()[0]?.geometry).toEqual({ type: "box", x: 10, y: 20, width: 100, height: 200 });
  });

  test("a drag starting or ending outside the image is clamped to it", () => {
    const t = new TestEditor({ image: { width: 1000, height: 800 } });
    t.key("b").drag(-50, -40, 100, 100);
    t.drag(900, 700, 1300, 1000);
    expect(t.shapes().map((s) => s.geometry)).toEqual([
      { type: "box", x: 0, y: 0, width: 100, height: 100 },
      { type: "box", x: 900, y: 700, width: 100, height: 100 },
    ]);
  });

  test("a box entirely outside the image is refused with a message", () => {
    const t = new TestEditor();
    t.key("b").drag(-50, -50, -10, -10);
    expect(t.shapes()).toHaveLength(0);
    expect(t.state.message).toMatch(/Box refused/);
  });

  test("minimum size is 2 screen px and at least 1 image px", () => {
    const t = new TestEditor();
    t.key("b").drag(10, 10, 11, 40);
    expect(t.shapes()).toHaveLength(0);
    expect(t.state.message).toMatch(/at least 2 px/);

    t.editor.setViewport({ scale: 4, offsetX: 0, offsetY: 0 });
    t.drag(10, 10, 10.6, 20); // 2.4 screen px but under one image pixel
    expect(t.shapes()).toHaveLength(0);
    t.drag(10, 10, 11.5, 20); // 6 screen px, 1.5 image px
    expect(t.shapes()).toHaveLength(1);

    // Zoomed out (the stage is smaller than the image): 3 image px are only 1.5 screen px.
    const out = new TestEditor({
      stage: { width: 500, height: 400 },
      viewport: { scale: 0.5, offsetX: 0, offsetY: 0 },
    });
    out.key("b").drag(100, 100, 103, 200);
    expect(out.shapes()).toHaveLength(0);
    out.drag(100, 100, 105, 200);
    expect(out.shapes()).toHaveLength(1);
  });

  test("a moved box keeps the width and height it had (no (x + width) - x drift)", () => {
    const t = new TestEditor({
      annotations: [
        { id: "b", labelId: 1, geometry: { type: "box", x: 0.1, y: 0.1, width: 0.2, height: 0.2 } },
      ],
    });
    t.editor.select(["b"]);
    t.key("ArrowRight").key("ArrowDown");
    expect(t.shape("b").geometry).toEqual({ type: "box", x: 1.1, y: 1.1, width: 0.2, height: 0.2 });
  });

  test("a drag under 4 screen px is a click: no box and no message, however far zoomed in", () => {
    const t = new TestEditor({ viewport: { scale: 3, offsetX: 0, offsetY: 0 } });
    // 3 screen px each way is one image pixel at this zoom: it drew a 1x1 box.
    t.key("b").drag(10, 10, 11, 11).expectTool("box.idle");
    expect(t.shapes()).toHaveLength(0);
    expect(t.state.message).toBeNull();
    expect(t.state.preview).toBeNull();
    t.click(50, 50);
    expect(t.shapes()).toHaveLength(0);
    expect(t.state.message).toBeNull();
    // 4 screen px is a drag; it is then held to the minimum size like any box.
    t.drag(10, 10, 10 + 4 / 3, 30);
    expect(t.shapes()).toHaveLength(1);
  });

  test("Escape cancels the drawing without a commit", () => {
    const t = new TestEditor();
    t.key("b").pointerDown(10, 10).pointerMove(50, 50).key("Escape").expectTool("box.idle");
    expect(t.state.preview).toBeNull();
    t.pointerUp(50, 50);
    expect(t.shapes()).toHaveLength(0);
    expect(t.state.canUndo).toBe(false);
  });

  test("a polygon-only label cannot draw boxes", () => {
    const t = new TestEditor();
    t.editor.setActiveLabel(3);
    t.key("b").pointerDown(10, 10).expectTool("box.idle");
    expect(t.state.message).toBe("Label 'road' does not allow boxes");
    t.pointerMove(50, 50).pointerUp(50, 50);
    expect(t.shapes()).toHaveLength(0);
  });

  test("without labels drawing explains what is missing", () => {
    const t = new TestEditor({ labels: [] });
    t.key("b").drag(10, 10, 50, 50);
    expect(t.shapes()).toHaveLength(0);
    expect(t.state.message).toMatch(/Create a label first/);
  });

  test("the shape gets the active label", () => {
    const t = new TestEditor();
    t.key("2"); // nothing selected: sets the active label
    expect(t.state.activeLabelId).toBe(2);
    t.key("b").drag(10, 10, 50, 50);
    expect(t.shapes()[0]?.labelId).toBe(2);
  });
});
