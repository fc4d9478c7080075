import { imagePoint, imageToScreen } from "@labelbench/geometry";
import { describe, expect, test } from "vitest";
import { FOCUS_MARGIN_PX, focusViewport, READABLE_OBJECT_PX, steppedObject } from "./object-focus.js";
import { TestEditor } from "./test-editor.js";

const stage = { width: 1000, height: 800 };
const range = { min: 0.1, max: 64 };
const box = (x: number, y: number, w: number, h: number) => ({ minX: x, minY: y, maxX: x + w, maxY: y + h });

describe("focusViewport", () => {
  test("a small object is zoomed to a readable size and centred", () => {
    const v = focusViewport({ scale: 0.5, offsetX: 0, offsetY: 0 }, box(100, 200, 12, 6), stage, range);
    expect(v.scale * 12).toBeCloseTo(READABLE_OBJECT_PX);
    expect(imageToScreen(v, imagePoint(106, 203))).toEqual({ x: 500, y: 400 });
  });

  test("a big object is shown whole, within the margin", () => {
    const v = focusViewport({ scale: 2, offsetX: 0, offsetY: 0 }, box(0, 0, 3000, 1000), stage, range);
    const tl = imageToScreen(v, imagePoint(0, 0));
    const br = imageToScreen(v, imagePoint(3000, 1000));
    expect(tl.x).toBeCloseTo(FOCUS_MARGIN_PX);
    expect(br.x).toBeCloseTo(stage.width - FOCUS_MARGIN_PX);
    expect(tl.y).toBeGreaterThan(0);
    expect(br.y).toBeLessThan(stage.height);
  });

  test("a zoom at which the object is already readable and whole is kept", () => {
    const v = focusViewport({ scale: 3, offsetX: -50, offsetY: 7 }, box(400, 400, 60, 80), stage, range);
    expect(v.scale).toBe(3);
    expect(imageToScreen(v, imagePoint(430, 440))).toEqual({ x: 500, y: 400 });
  });

  test("the zoom range wins: a one-pixel object stops at the maximum zoom, a point too", () => {
    expect(
      focusViewport({ scale: 1, offsetX: 0, offsetY: 0 }, box(5, 5, 1, 1), stage, { min: 0.1, max: 64 })
        .scale,
    ).toBe(64);
    expect(
      focusViewport({ scale: 1, offsetX: 0, offsetY: 0 }, box(5, 5, 0, 0), stage, { min: 0.1, max: 8 }).scale,
    ).toBe(8);
  });
});

describe("steppedObject", () => {
  const order = ["a", "b", "c"];
  test("forward and back from the selection, wrapping around", () => {
    expect(steppedObject(order, new Set(), 1)).toBe("a");
    expect(steppedObject(order, new Set(), -1)).toBe("c");
    expect(steppedObject(order, new Set(["a"]), 1)).toBe("b");
    expect(steppedObject(order, new Set(["c"]), 1)).toBe("a");
    expect(steppedObject(order, new Set(["a"]), -1)).toBe("c");
    expect(steppedObject(order, new Set(["a", "b"]), 1)).toBe("c");
    expect(steppedObject(order, new Set(["b", "c"]), -1)).toBe("a");
    expect(steppedObject([], new Set(), 1)).toBeNull();
  });
});

describe("Tab steps through the objects", () => {
  test("each is selected and shown readable in the middle of the stage; Shift+Tab goes back", () => {
    const t = new TestEditor({
      image: { width: 4000, height: 3000 },
      stage: { width: 1000, height: 800 },
      viewport: { scale: 0.25, offsetX: 0, offsetY: 0 },
      annotations: [
        TestEditor.box("small", 1, 3000, 2000, 10, 20),
        TestEditor.box("big", 1, 0, 0, 3900, 2900),
      ],
    });
    t.key("Tab");
    expect(t.selectedIds()).toEqual(["small"]);
    expect(t.state.viewport.scale * 20).toBeCloseTo(READABLE_OBJECT_PX);
    expect(imageToScreen(t.state.viewport, imagePoint(3005, 2010))).toEqual({ x: 500, y: 400 });
    t.key("Tab");
    expect(t.selectedIds()).toEqual(["big"]);
    expect(t.state.viewport.scale * 3900).toBeLessThanOrEqual(1000);
    t.key("Shift+Tab");
    expect(t.selectedIds()).toEqual(["small"]);
    expect(t.lastHandled).toBe(true);
  });

  test("without objects Tab is not handled (the browser moves the focus)", () => {
    const t = new TestEditor();
    t.key("Tab");
    expect(t.lastHandled).toBe(false);
  });
});
