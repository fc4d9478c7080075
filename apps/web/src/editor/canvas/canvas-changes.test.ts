import { TestEditor } from "@labelbench/editor/testing";
import { describe, expect, it } from "vitest";
import { overlayChanged, overlayHasContent } from "./overlay-layer";
import { excludedShapes, shapesChanged } from "./shape-layer";

/** What a store change asks of the shape and overlay layers (EditorCanvas forwards every change). */
describe("which layers a store change redraws", () => {
  const scene = () =>
    new TestEditor({
      annotations: [TestEditor.box("a", 1, 100, 100, 50, 50), TestEditor.box("b", 1, 300, 300, 50, 50)],
    });

  it("selecting redraws the overlay, not the shape tiles (selected shapes stay in the batch)", () => {
    const t = scene();
    const prev = t.state;
    t.editor.select(["a"]);
    expect(shapesChanged(t.state, prev)).toBe(false);
    expect(overlayChanged(t.state, prev)).toBe(true);
    expect(overlayHasContent(t.state, null)).toBe(true);
  });

  it("a drag takes the moving shapes out of the batch once, not on every step", () => {
    const t = scene();
    t.editor.select(["a"]);
    const excludedOf = excludedShapes();
    t.pointerDown(120, 120).pointerMove(140, 140);
    let prev = t.state;
    const moving = excludedOf(t.state);
    expect([...moving]).toEqual(["a"]);
    t.pointerMove(160, 160);
    // A new preview of the same shapes: the tiles stay, only the overlay draws.
    expect(shapesChanged(t.state, prev)).toBe(false);
    expect(overlayChanged(t.state, prev)).toBe(true);
    expect(excludedOf(t.state)).toBe(moving);
    prev = t.state;
    t.pointerUp(160, 160);
    expect(shapesChanged(t.state, prev)).toBe(true);
    expect(excludedOf(t.state).size).toBe(0);
  });

  it("a pointer move over nothing with the select tool leaves both alone; the box tool's crosshair follows it", () => {
    const t = scene();
    t.pointerMove(600, 600);
    let prev = t.state;
    t.pointerMove(610, 610);
    expect(shapesChanged(t.state, prev)).toBe(false);
    expect(overlayChanged(t.state, prev)).toBe(false);
    expect(overlayHasContent(t.state, null)).toBe(false);
    t.editor.setTool("box");
    prev = t.state;
    t.pointerMove(620, 620);
    expect(overlayChanged(t.state, prev)).toBe(true);
    expect(overlayHasContent(t.state, null)).toBe(true);
  });

  it("a pan or zoom moves both layers", () => {
    const t = scene();
    const prev = t.state;
    t.wheel(200, 200, -100);
    expect(shapesChanged(t.state, prev)).toBe(true);
    expect(overlayChanged(t.state, prev)).toBe(true);
  });
});
