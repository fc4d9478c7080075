import { imagePoint } from "@labelbench/geometry";
import { describe, expect, test } from "vitest";
import { TestEditor } from "../test-editor.js";

const scene = () =>
  new TestEditor({
    annotations: [
      TestEditor.box("big", 1, 100, 100, 400, 300),
      TestEditor.box("small", 2, 200, 150, 40, 40),
      TestEditor.polygon("road", 3, [
        [600, 100],
        [800, 100],
        [700, 300],
      ]),
    ],
  });

describe("issue tool: a press becomes an issue draft, never a shape", () => {
  test("a click on a shape pins that shape (the smallest under the pointer), and changes nothing", () => {
    const t = scene();
    t.editor.setTool("issue");
    t.expectTool("issue.idle");
    t.click(210, 160);
    expect(t.state.issueDraft).toEqual({ anchor: { kind: "shape", annotationId: "small" }, seq: 1 });
    t.click(700, 150);
    expect(t.state.issueDraft).toEqual({ anchor: { kind: "shape", annotationId: "road" }, seq: 2 });
    expect(t.shapes()).toHaveLength(3);
    expect(t.state.docVersion).toBe(0);
    expect(t.state.canUndo).toBe(false);
    expect(t.selectedIds()).toEqual([]);
  });

  test("a click on empty image pins the point", () => {
    const t = scene();
    t.editor.setTool("issue");
    t.click(900, 700);
    expect(t.state.issueDraft?.anchor).toEqual({ kind: "point", x: 900, y: 700 });
  });

  test("a few pixels of hand tremor are still a click, not a region", () => {
    const t = scene();
    t.editor.setTool("issue");
    t.pointerDown(900, 700).pointerMove(902, 701).pointerUp(902, 701);
    expect(t.state.issueDraft?.anchor).toEqual({ kind: "point", x: 900, y: 700 });
    expect(t.state.preview).toBeNull();
  });

  test("a drag pins the region (clamped to the image), with a preview meanwhile, even when it starts on a shape", () => {
    const t = scene();
    t.editor.setTool("issue");
    t.pointerDown(210, 160).pointerMove(300, 260);
    t.expectTool("issue.dragging");
    expect(t.state.preview).toEqual({
      kind: "issueRegion",
      geometry: { x: 210, y: 160, width: 90, height: 100 },
    });
    t.pointerMove(1200, 900).pointerUp(1200, 900);
    expect(t.state.issueDraft?.anchor).toEqual({ kind: "region", x: 210, y: 160, width: 790, height: 640 });
    expect(t.state.preview).toBeNull();
    t.expectTool("issue.idle");
    expect(t.shapes()).toHaveLength(3);
  });

  test("a region outside the image and a point outside it are refused with a message and no draft", () => {
    const t = scene();
    t.editor.setTool("issue");
    t.drag(-80, -80, -20, -20);
    expect(t.state.issueDraft).toBeNull();
    expect(t.state.message).toMatch(/region must cover part of the image/);
    t.click(1050, 50);
    expect(t.state.issueDraft).toBeNull();
    expect(t.state.message).toMatch(/inside the image/);
  });

  test("locked shapes can be pinned (review is read-only), hidden ones cannot", () => {
    const t = scene();
    t.editor.toggleShapeLocked("small");
    t.editor.toggleShapeHidden("road");
    t.editor.setTool("issue");
    t.click(210, 160);
    expect(t.state.issueDraft?.anchor).toEqual({ kind: "shape", annotationId: "small" });
    t.click(700, 150);
    expect(t.state.issueDraft?.anchor).toEqual({ kind: "point", x: 700, y: 150 });
  });

  test("Escape abandons a drag; clearIssueDraft drops the draft; loading another image clears it", () => {
    const t = scene();
    t.editor.setTool("issue");
    t.pointerDown(10, 10).pointerMove(100, 100);
    t.key("Escape");
    t.expectTool("issue.idle");
    expect(t.state.preview).toBeNull();
    t.pointerUp(100, 100);
    expect(t.state.issueDraft).toBeNull();

    t.click(900, 700);
    expect(t.state.issueDraft).not.toBeNull();
    t.editor.clearIssueDraft();
    expect(t.state.issueDraft).toBeNull();

    t.click(900, 700);
    t.editor.load({
      image: { id: 2, width: 500, height: 500 },
      labels: t.state.labels,
      set: { annotations: [], tags: [] },
    });
    expect(t.state.issueDraft).toBeNull();
  });

  test("the pointer target and cursor say what a press will pin; hovering highlights the shape", () => {
    const t = scene();
    t.editor.setTool("issue");
    t.pointerMove(210, 160);
    expect(t.pointerTarget()).toEqual({ kind: "pin", shapeId: "small" });
    expect(t.editor.pressTarget(imagePoint(210, 160))).toEqual({ kind: "pin", shapeId: "small" });
    expect(t.cursor()).toBe("pointer");
    expect(t.state.hoverId).toBe("small");
    t.pointerMove(900, 700);
    expect(t.pointerTarget()).toBeNull();
    expect(t.cursor()).toBe("crosshair");
    expect(t.state.hoverId).toBeNull();
    // What was promised is what the press does.
    t.pointerMove(700, 150);
    const promised = t.pointerTarget();
    t.click(700, 150);
    expect(promised).toEqual({ kind: "pin", shapeId: "road" });
    expect(t.state.issueDraft?.anchor).toEqual({ kind: "shape", annotationId: "road" });
  });

  test("a press with the middle button pans instead of pinning", () => {
    const t = scene();
    t.editor.setTool("issue");
    const before = t.state.viewport;
    t.drag(500, 500, 540, 520, { button: 1 });
    expect(t.state.issueDraft).toBeNull();
    expect(t.state.viewport.offsetX).toBeGreaterThan(before.offsetX);
    t.expectTool("issue.idle");
  });
});
