import { imagePoint } from "@labelbench/geometry";
import { describe, expect, test } from "vitest";
import { TestEditor } from "../test-editor.js";

const scene = () =>
  new TestEditor({
    annotations: [
      TestEditor.box("big", 1, 100, 100, 400, 400),
      TestEditor.box("small", 1, 200, 200, 50, 50),
      TestEditor.polygon("poly", 3, [
        [600, 100],
        [800, 100],
        [800, 300],
        [600, 300],
      ]),
    ],
  });

const geometry = (t: TestEditor, id: string) => t.shape(id).geometry;

describe("select tool: clicking", () => {
  test("click selects the smallest shape under the cursor", () => {
    const t = scene();
    t.expectTool("select.idle").pointerDown(220, 220).expectTool("select.pointing").pointerUp(220, 220);
    t.expectTool("select.idle");
    expect(t.selectedIds()).toEqual(["small"]);
    t.click(400, 400);
    expect(t.selectedIds()).toEqual(["big"]);
  });

  test("locked and hidden shapes are skipped, also through their label", () => {
    const t = scene();
    t.editor.toggleShapeLocked("small");
    t.click(220, 220);
    expect(t.selectedIds()).toEqual(["big"]);
    t.editor.toggleShapeLocked("small");
    t.editor.toggleShapeHidden("small");
    expect(t.editor.hitTest(imagePoint(220, 220))).toBe("big");
    t.editor.toggleShapeHidden("small");
    t.editor.toggleLabelLocked(1);
    t.click(220, 220);
    expect(t.selectedIds()).toEqual([]);
    t.editor.toggleLabelLocked(1);
    t.editor.toggleLabelHidden(1);
    expect(t.editor.hitTest(imagePoint(220, 220))).toBeNull();
    expect(t.editor.hitTest(imagePoint(700, 200))).toBe("poly");
  });

  test("shift-click toggles membership; a plain click on empty space clears", () => {
    const t = scene();
    t.click(220, 220).click(700, 200, { shift: true });
    expect(t.selectedIds().sort()).toEqual(["poly", "small"]);
    t.click(220, 220, { shift: true });
    expect(t.selectedIds()).toEqual(["poly"]);
    t.click(900, 700);
    expect(t.selectedIds()).toEqual([]);
  });

  test("a plain click on a member of a multi-selection narrows the selection to it", () => {
    const t = scene();
    t.editor.select(["small", "poly"]);
    t.click(700, 200);
    expect(t.selectedIds()).toEqual(["poly"]);
  });

  test("hover follows the pointer", () => {
    const t = scene();
    t.pointerMove(220, 220);
    expect(t.state.hoverId).toBe("small");
    expect(t.state.cursor).toEqual({ x: 220, y: 220 });
    t.pointerMove(950, 750);
    expect(t.state.hoverId).toBeNull();
    t.dispatch({ type: "pointerLeave" });
    expect(t.state.cursor).toBeNull();
  });
});

describe("select tool: translating", () => {
  test("drag moves the shape: pointing -> translating -> idle, one undo entry", () => {
    const t = scene();
    t.pointerDown(220, 220).expectTool("select.pointing");
    t.pointerMove(221, 221).expectTool("select.pointing"); // under the drag threshold
    t.pointerMove(250, 260).expectTool("select.translating");
    expect(t.state.preview).toEqual({
      kind: "transform",
      shapes: [{ id: "small", labelId: 1, geometry: { type: "box", x: 230, y: 240, width: 50, height: 50 } }],
    });
    expect(geometry(t, "small")).toMatchObject({ x: 200, y: 200 }); // the document waits for pointer-up
    t.pointerUp(250, 260).expectTool("select.idle");
    expect(geometry(t, "small")).toEqual({ type: "box", x: 230, y: 240, width: 50, height: 50 });
    expect(t.state.preview).toBeNull();
    expect(t.state.docVersion).toBe(1);
    t.key("Mod+Z");
    expect(geometry(t, "small")).toMatchObject({ x: 200, y: 200 });
    expect(t.state.canUndo).toBe(false);
  });

  test("a selection moves together and stops at the image border", () => {
    const t = scene();
    t.editor.select(["small", "poly"]);
    t.drag(700, 200, 1000, 150); // poly's right edge is 800: only 200 px to the border at 1000
    expect(geometry(t, "poly")).toEqual({
      type: "polygon",
      points: [
        [800, 50],
        [1000, 50],
        [1000, 250],
        [800, 250],
      ],
    });
    expect(geometry(t, "small")).toMatchObject({ x: 400, y: 150 });
    t.key("Mod+Z");
    expect(geometry(t, "small")).toMatchObject({ x: 200, y: 200 });
    expect(geometry(t, "poly")).toMatchObject({
      points: [
        [600, 100],
        [800, 100],
        [800, 300],
        [600, 300],
      ],
    });
    expect(t.selectedIds().sort()).toEqual(["poly", "small"]);
  });

  test("Escape during a drag cancels it", () => {
    const t = scene();
    t.pointerDown(220, 220).pointerMove(300, 300).expectTool("select.translating").key("Escape");
    t.expectTool("select.idle");
    t.pointerUp(300, 300);
    expect(geometry(t, "small")).toMatchObject({ x: 200, y: 200 });
    expect(t.state.canUndo).toBe(false);
    expect(t.selectedIds()).toEqual(["small"]);
  });

  test("dragging empty space draws a marquee selecting contained shapes", () => {
    const t = scene();
    t.pointerDown(550, 50).pointerMove(560, 60).expectTool("select.marquee");
    t.pointerMove(850, 350);
    expect(t.state.preview).toEqual({
      kind: "marquee",
      bounds: { minX: 550, minY: 50, maxX: 850, maxY: 350 },
    });
    t.pointerUp(850, 350).expectTool("select.idle");
    expect(t.selectedIds()).toEqual(["poly"]);
    t.drag(50, 520, 300, 150); // any direction; big is only partly inside
    expect(t.selectedIds()).toEqual(["small"]);
    t.drag(550, 50, 850, 350, { shift: true });
    t.drag(50, 50, 520, 520, { shift: true });
    expect(t.selectedIds().sort()).toEqual(["big", "poly", "small"]);
  });

  test("the marquee skips locked shapes", () => {
    const t = scene();
    t.editor.toggleShapeLocked("small");
    t.drag(50, 50, 950, 750);
    expect(t.selectedIds().sort()).toEqual(["big", "poly"]);
  });
});

describe("select tool: handles", () => {
  test("dragging a corner handle resizes the box", () => {
    const t = scene();
    t.click(220, 220);
    t.pointerDown(250, 250).expectTool("select.resizing").pointerMove(300, 280).pointerUp(300, 280);
    t.expectTool("select.idle");
    expect(geometry(t, "small")).toEqual({ type: "box", x: 200, y: 200, width: 100, height: 80 });
    t.key("Mod+Z");
    expect(geometry(t, "small")).toEqual({ type: "box", x: 200, y: 200, width: 50, height: 50 });
  });

  test("an edge handle moves one side only; crossing the opposite edge flips", () => {
    const t = scene();
    t.click(400, 450); // big
    t.drag(300, 100, 300, 50); // n handle
    expect(geometry(t, "big")).toEqual({ type: "box", x: 100, y: 50, width: 400, height: 450 });
    t.drag(100, 275, 600, 275); // w handle dragged past the east edge at 500
    expect(geometry(t, "big")).toEqual({ type: "box", x: 500, y: 50, width: 100, height: 450 });
  });

  test("resizing clamps to the image and refuses a degenerate box", () => {
    const t = scene();
    t.click(220, 220);
    t.drag(250, 250, 2000, 2000);
    expect(geometry(t, "small")).toEqual({ type: "box", x: 200, y: 200, width: 800, height: 600 });
    t.drag(1000, 500, 200, 500); // e handle onto the west edge: zero width
    expect(t.state.message).toMatch(/Box refused/);
    expect(geometry(t, "small")).toEqual({ type: "box", x: 200, y: 200, width: 800, height: 600 });
    expect(t.state.preview).toBeNull();
  });

  test("handles exist only for selected shapes", () => {
    const t = scene();
    t.pointerDown(250, 250).expectTool("select.pointing"); // small's corner, but small is not selected
    t.pointerUp(250, 250);
  });

  test("dragging a polygon vertex moves it, clamped to the image", () => {
    const t = scene();
    t.click(700, 200);
    t.pointerDown(800, 100).expectTool("select.vertexDragging").pointerMove(900, -50);
    expect(t.state.preview).toMatchObject({ kind: "transform", shapes: [{ id: "poly" }] });
    t.pointerUp(900, -50).expectTool("select.idle");
    expect(geometry(t, "poly")).toEqual({
      type: "polygon",
      points: [
        [600, 100],
        [900, 0],
        [800, 300],
        [600, 300],
      ],
    });
    t.key("Mod+Z");
    expect(geometry(t, "poly")).toMatchObject({
      points: [
        [600, 100],
        [800, 100],
        [800, 300],
        [600, 300],
      ],
    });
  });

  test("a vertex drag that would make the outline cross itself is refused with the reason", () => {
    const t = scene();
    t.click(700, 200);
    // (800, 100) dragged past the left edge: edges 0 and 2 would cross.
    t.drag(800, 100, 500, 200).expectTool("select.idle");
    expect(t.state.message).toMatch(
      /^Polygon refused: polygon outline crosses itself: edge \d \(points \d-\d\) crosses edge \d/,
    );
    expect(geometry(t, "poly")).toEqual({
      type: "polygon",
      points: [
        [600, 100],
        [800, 100],
        [800, 300],
        [600, 300],
      ],
    });
    expect(t.state.canUndo).toBe(false);
  });

  test("dropping a vertex onto its neighbour merges them", () => {
    const t = scene();
    t.click(700, 200);
    t.drag(800, 100, 800, 300);
    expect(geometry(t, "poly")).toEqual({
      type: "polygon",
      points: [
        [600, 100],
        [800, 300],
        [600, 300],
      ],
    });
  });

  test("double-clicking an edge inserts a vertex where clicked; Alt-click deletes one (keeping 3)", () => {
    const t = scene();
    t.click(700, 200);
    t.doubleClick(700, 101);
    expect(geometry(t, "poly")).toEqual({
      type: "polygon",
      points: [
        [600, 100],
        [700, 100],
        [800, 100],
        [800, 300],
        [600, 300],
      ],
    });
    expect(t.state.canUndo).toBe(true);
    t.click(700, 100, { alt: true });
    t.click(800, 100, { alt: true });
    expect(geometry(t, "poly")).toEqual({
      type: "polygon",
      points: [
        [600, 100],
        [800, 300],
        [600, 300],
      ],
    });
    t.click(600, 100, { alt: true });
    expect(t.state.message).toBe("A polygon keeps at least 3 vertices");
    expect(geometry(t, "poly")).toMatchObject({
      points: [
        [600, 100],
        [800, 300],
        [600, 300],
      ],
    });
    t.key("Mod+Z").key("Mod+Z").key("Mod+Z");
    expect(geometry(t, "poly")).toMatchObject({
      points: [
        [600, 100],
        [800, 100],
        [800, 300],
        [600, 300],
      ],
    });
    expect(t.state.canUndo).toBe(false);
  });

  test("handle tolerance is in screen pixels", () => {
    const t = scene();
    t.click(700, 200);
    t.editor.setViewport({ scale: 4, offsetX: 0, offsetY: 0 });
    // 3 image px away = 12 screen px: outside the 8 px handle radius, so this starts a translation.
    t.pointerDown(797, 103)
      .pointerMove(790, 110)
      .expectTool("select.translating")
      .key("Escape")
      .pointerUp(790, 110);
    t.pointerDown(799, 101).expectTool("select.vertexDragging");
  });
});

describe("select tool: keys", () => {
  test("Delete and Backspace remove the selection; locked shapes stay with a message", () => {
    const t = scene();
    t.editor.select(["small", "poly"]);
    t.key("Delete");
    expect(t.shapes().map((s) => s.id)).toEqual(["big"]);
    t.key("Mod+Z");
    expect(t.shapes().map((s) => s.id)).toEqual(["big", "small", "poly"]); // z-order restored
    expect(t.selectedIds().sort()).toEqual(["poly", "small"]);
    t.editor.toggleShapeLocked("poly");
    t.key("Backspace");
    expect(t.shapes().map((s) => s.id)).toEqual(["big", "poly"]);
    expect(t.state.message).toBe("1 locked shape was not deleted");
  });

  test("arrows nudge by 1 px, Shift by 10 px, one entry per press, inside the image", () => {
    const t = scene();
    t.click(220, 220);
    t.key("ArrowRight").key("ArrowRight").key("Shift+ArrowDown").key("ArrowUp");
    expect(geometry(t, "small")).toMatchObject({ x: 202, y: 209 });
    expect(t.state.docVersion).toBe(4);
    t.key("Mod+Z");
    expect(geometry(t, "small")).toMatchObject({ x: 202, y: 210 });
    for (let i = 0; i < 30; i++) t.key("Shift+ArrowLeft");
    expect(geometry(t, "small")).toMatchObject({ x: 0, y: 210 });
    t.key("ArrowLeft");
    expect(geometry(t, "small")).toMatchObject({ x: 0 });
  });

  test("Escape clears the selection when no gesture is running", () => {
    const t = scene();
    t.click(220, 220).key("Escape");
    expect(t.selectedIds()).toEqual([]);
  });
});
