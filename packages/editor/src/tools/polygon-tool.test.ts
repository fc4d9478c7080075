import { describe, expect, test } from "vitest";
import { TestEditor } from "../test-editor.js";

const drawing = () => new TestEditor().key("p").expectTool("polygon.idle");

describe("polygon tool", () => {
  test("clicks add vertices; clicking the first vertex closes", () => {
    const t = drawing();
    t.click(10, 10).expectTool("polygon.drawing");
    t.click(100, 10).click(100, 100);
    t.pointerMove(50, 120);
    expect(t.state.preview).toEqual({
      kind: "polygon",
      points: [
        [10, 10],
        [100, 10],
        [100, 100],
      ],
      cursor: [50, 120],
    });
    t.click(12, 11).expectTool("polygon.idle"); // within the 8 px close radius of the first vertex
    expect(t.shapes()).toEqual([
      {
        id: "shape-1",
        labelId: 1,
        geometry: {
          type: "polygon",
          points: [
            [10, 10],
            [100, 10],
            [100, 100],
          ],
        },
      },
    ]);
    expect(t.selectedIds()).toEqual(["shape-1"]);
    expect(t.state.preview).toBeNull();
    t.key("Mod+Z");
    expect(t.shapes()).toHaveLength(0);
    expect(t.state.canUndo).toBe(false);
  });

  test("Enter closes; with fewer than 3 points it explains and keeps drawing", () => {
    const t = drawing();
    t.click(10, 10).click(100, 10).key("Enter").expectTool("polygon.drawing");
    expect(t.state.message).toBe("A polygon needs at least 3 points");
    t.click(100, 100).key("Enter").expectTool("polygon.idle");
    expect(t.shapes()).toHaveLength(1);
  });

  test("double-click places the last vertex and closes", () => {
    const t = drawing();
    t.click(10, 10).click(100, 10).doubleClick(100, 100).expectTool("polygon.idle");
    expect(t.shapes()[0]?.geometry).toEqual({
      type: "polygon",
      points: [
        [10, 10],
        [100, 10],
        [100, 100],
      ],
    });
  });

  test("Backspace removes the last vertex; removing the only vertex ends the drawing", () => {
    const t = drawing();
    t.click(10, 10).click(100, 10).click(100, 100).key("Backspace");
    expect(t.state.preview).toMatchObject({
      points: [
        [10, 10],
        [100, 10],
      ],
    });
    t.key("Backspace").key("Backspace").expectTool("polygon.idle");
    expect(t.state.preview).toBeNull();
    expect(t.shapes()).toHaveLength(0);
  });

  test("Backspace while drawing does not delete the selected shape", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("b1", 1, 500, 500, 20, 20)] });
    t.editor.select(["b1"]);
    t.key("p").click(10, 10).click(100, 10).key("Backspace");
    expect(t.shapes()).toHaveLength(1);
  });

  test("Escape cancels", () => {
    const t = drawing();
    t.click(10, 10).click(100, 10).key("Escape").expectTool("polygon.idle");
    expect(t.state.preview).toBeNull();
    expect(t.shapes()).toHaveLength(0);
  });

  test("vertices outside the image are clamped to its border", () => {
    const t = new TestEditor({ image: { width: 200, height: 100 } });
    t.key("p").click(-20, -20).click(300, 0).click(300, 300).click(0, 150).key("Enter");
    expect(t.shapes()[0]?.geometry).toEqual({
      type: "polygon",
      points: [
        [0, 0],
        [200, 0],
        [200, 100],
        [0, 100],
      ],
    });
  });

  test("a zero-area polygon is refused and drawing continues", () => {
    const t = drawing();
    t.click(10, 10).click(50, 10).click(100, 10).key("Enter").expectTool("polygon.drawing");
    expect(t.state.message).toMatch(/zero area/);
    expect(t.shapes()).toHaveLength(0);
  });

  test("a box-only label cannot draw polygons: a message and nothing else", () => {
    const t = drawing();
    t.key("2"); // person: boxes only
    t.click(10, 10).expectTool("polygon.idle");
    expect(t.state.message).toBe("Label 'person' does not allow polygons");
    expect(t.state.preview).toBeNull();
    t.click(100, 10).click(100, 100).key("Enter");
    expect(t.shapes()).toHaveLength(0);
  });

  test("Space+drag pans in the middle of a polygon and the drawing resumes", () => {
    const t = drawing();
    t.click(10, 10).click(100, 10);
    t.key("Space").expectTool("pan.idle");
    t.pointerDown(500, 500).expectTool("pan.panning").pointerMove(520, 530);
    expect(t.state.viewport).toMatchObject({ offsetX: 20, offsetY: 30 });
    t.pointerUp(520, 530).keyUp("Space").expectTool("polygon.drawing");
    t.click(100, 100).key("Enter");
    expect(t.shapes()[0]?.geometry).toMatchObject({ type: "polygon" });
    expect(t.shapes()[0]?.geometry.type === "polygon" && t.shapes()[0]?.geometry).toMatchObject({
      points: [
        [10, 10],
        [100, 10],
        [100, 100],
      ],
    });
  });
});
