import { MAX_POLYGON_VERTICES } from "@labelbench/schema";
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

  test("a self-crossing polygon is refused on closing, naming the crossing edges, and drawing continues", () => {
    const t = drawing();
    t.click(100, 100).click(300, 300).click(300, 100).click(100, 300).key("Enter");
    t.expectTool("polygon.drawing");
    expect(t.shapes()).toHaveLength(0);
    expect(t.state.message).toBe(
      "Polygon refused: polygon outline crosses itself: edge 0 (points 0-1) crosses edge 2 (points 2-3) at (200, 200)",
    );
    // Undo the last vertex and place it where the outline stays simple: it closes.
    t.key("Backspace").click(300, 100).click(200, 50).click(100, 100).expectTool("polygon.idle");
    expect(t.shapes()).toHaveLength(1);
  });

  test("a polygon over the vertex limit is refused with the limit", () => {
    // The top edge holds all but two of the vertices; the right edge is long enough to hit.
    const top = MAX_POLYGON_VERTICES - 2;
    const ring: [number, number][] = [
      ...Array.from({ length: top }, (_, i): [number, number] => [100 + (800 * i) / (top - 1), 100]),
      [900, 700],
      [100, 700],
    ];
    const t = new TestEditor({ annotations: [TestEditor.polygon("ring", 1, ring)] });
    t.editor.select(["ring"]);
    // Double-clicking an edge inserts a vertex: one too many.
    t.doubleClick(900, 400);
    expect(t.state.message).toBe(
      "Polygon refused: polygon has 20,001 vertices; at most 20,000 vertices are allowed",
    );
    expect(t.shape("ring").geometry).toEqual({ type: "polygon", points: ring });
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
