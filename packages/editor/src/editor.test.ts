import { screenPoint } from "@labelbench/geometry";
import { RESERVED_HOTKEYS } from "@labelbench/schema";
import { describe, expect, test, vi } from "vitest";
import { createEditor, sharedClipboard } from "./editor.js";
import { keyEventFor, makeLabel, TestEditor } from "./test-editor.js";
import type { Clipboard } from "./types.js";

const twoBoxes = () =>
  new TestEditor({
    annotations: [TestEditor.box("a", 1, 10, 10, 100, 100), TestEditor.box("b", 2, 300, 300, 50, 50)],
  });

describe("history", () => {
  test("one entry per gesture; undo/redo walk them; a new change clears redo", () => {
    const t = new TestEditor();
    t.key("b").drag(10, 10, 60, 60).drag(100, 100, 160, 160);
    t.key("v").drag(30, 30, 40, 40);
    expect(t.shapes()).toHaveLength(2);
    expect(t.state.docVersion).toBe(3);
    expect(t.editor.undo()).toEqual(["shape-1"]);
    expect(t.shape("shape-1").geometry).toMatchObject({ x: 10 });
    t.key("Mod+Z");
    expect(t.shapes().map((s) => s.id)).toEqual(["shape-1"]);
    t.key("Mod+Z");
    expect(t.shapes()).toHaveLength(0);
    expect(t.state.canUndo).toBe(false);
    t.key("Mod+Z"); // nothing left: not handled by undo, no change
    expect(t.state.docVersion).toBe(6);
    t.key("Mod+Shift+Z").key("Mod+Y");
    expect(t.shapes()).toHaveLength(2);
    expect(t.selectedIds()).toEqual(["shape-2"]);
    expect(t.state.canRedo).toBe(true);
    t.key("b").drag(500, 500, 560, 560);
    expect(t.state.canRedo).toBe(false);
  });

  test("undo selects what it restored; redo of a delete leaves nothing selected", () => {
    const t = twoBoxes();
    t.editor.select(["a", "b"]);
    t.key("Delete");
    expect(t.selectedIds()).toEqual([]);
    expect(t.editor.undo().sort()).toEqual(["a", "b"]);
    expect(t.selectedIds().sort()).toEqual(["a", "b"]);
    t.editor.redo();
    expect(t.selectedIds()).toEqual([]);
  });

  test("undo during a gesture cancels the gesture first", () => {
    const t = new TestEditor();
    t.key("b").drag(10, 10, 60, 60);
    t.pointerDown(100, 100).pointerMove(200, 200).key("Mod+Z").expectTool("box.idle");
    expect(t.state.preview).toBeNull();
    expect(t.shapes()).toHaveLength(0);
  });

  test("saving never clears history: load() does, replaceDocument records or clears", () => {
    const t = twoBoxes();
    t.editor.nudge(1, 0);
    t.editor.select(["a"]);
    t.editor.nudge(1, 0);
    expect(t.state.canUndo).toBe(true);
    const version = t.state.docVersion;
    t.editor.replaceDocument(
      { annotations: [TestEditor.box("a", 1, 0, 0, 5, 5), TestEditor.box("c", 1, 50, 50, 5, 5)], tags: [2] },
      { recordHistory: true },
    );
    expect(t.shapes().map((s) => s.id)).toEqual(["a", "c"]);
    expect(t.state.doc.tags).toEqual([2]);
    expect(t.state.docVersion).toBeGreaterThan(version);
    t.editor.undo(); // tags
    t.editor.undo(); // shapes
    expect(t.shapes().map((s) => s.id)).toEqual(["a", "b"]);
    expect(t.shape("a").geometry).toMatchObject({ x: 11 });

    t.editor.replaceDocument({ annotations: [TestEditor.box("z", 1, 0, 0, 5, 5)], tags: [] });
    expect(t.shapes().map((s) => s.id)).toEqual(["z"]);
    expect(t.state.canUndo).toBe(false);

    const before = t.state.docVersion;
    t.editor.load({
      image: { id: 2, width: 100, height: 100 },
      labels: t.state.labels,
      set: { annotations: [], tags: [] },
    });
    expect(t.state.docVersion).toBe(before);
    expect(t.state.canUndo).toBe(false);
  });
});

describe("commands", () => {
  test("the registry lists every shortcut with label, group and keys", () => {
    const ed = createEditor();
    const ids = [...ed.commands.keys()];
    expect(ids).toEqual(
      expect.arrayContaining([
        "tool.select",
        "tool.box",
        "tool.polygon",
        "tool.pan",
        "edit.undo",
        "edit.redo",
        "edit.delete",
        "edit.copy",
        "edit.paste",
        "view.fit",
        "view.actualSize",
        "view.zoomIn",
        "view.zoomOut",
      ]),
    );
    for (const c of ed.commands.values()) {
      expect(c.label.length).toBeGreaterThan(0);
      expect(c.keys.length).toBeGreaterThan(0);
    }
  });

  test("plain-letter keys agree with RESERVED_HOTKEYS; a, d, n and s are left to the app", () => {
    const ed = createEditor();
    const letters = new Map<string, string>();
    for (const c of ed.commands.values()) {
      for (const k of c.keys) if (/^[a-z]$/.test(k)) letters.set(k, c.id);
    }
    for (const k of letters.keys()) expect(RESERVED_HOTKEYS).toHaveProperty(k);
    expect(Object.fromEntries(letters)).toEqual({
      v: "tool.select",
      b: "tool.box",
      p: "tool.polygon",
      h: "tool.pan",
      f: "view.fit",
    });
  });

  test("app commands join the registry, run by key, and can be removed", () => {
    const t = twoBoxes();
    const next = vi.fn();
    const off = t.editor.registerCommand({
      id: "nav.next",
      label: "Next image",
      group: "Navigation",
      keys: ["d", "ArrowRight"],
      fallbackFor: ["edit.nudgeRight"],
      canRun: (ed) => ed.getState().selection.size === 0,
      run: next,
    });
    expect(() =>
      t.editor.registerCommand({ id: "nav.next", label: "x", group: "x", keys: [], run: next }),
    ).toThrow(/already registered/);
    t.key("d").key("ArrowRight");
    expect(next).toHaveBeenCalledTimes(2);
    t.editor.select(["b"]);
    t.key("ArrowRight"); // with a selection the arrow nudges instead
    expect(next).toHaveBeenCalledTimes(2);
    expect(t.shape("b").geometry).toMatchObject({ x: 301 });
    off();
    t.editor.select([]);
    t.key("d");
    expect(t.lastHandled).toBe(false);
    expect(t.editor.commands.has("nav.next")).toBe(false);
  });

  test("a second command on a taken key is refused at registration, naming both commands and the key", () => {
    const t = twoBoxes();
    const run = vi.fn();
    expect(() =>
      t.editor.registerCommand({ id: "app.redo", label: "Redo", group: "Edit", keys: ["Mod+y"], run }),
    ).toThrow('command "app.redo" cannot take key "Mod+y": command "edit.redo" is already bound to "Mod+Y"');
    expect(() =>
      t.editor.registerCommand({ id: "app.left", label: "Left", group: "Edit", keys: ["ArrowLeft"], run }),
    ).toThrow(/"app\.left".*"ArrowLeft".*"edit\.nudgeLeft"/);
    expect(t.editor.commands.has("app.redo")).toBe(false);
    // Symbols match whatever Shift produced them, so "Shift+?" and "?" are one key.
    t.editor.registerCommand({ id: "app.help", label: "Help", group: "Help", keys: ["?"], run });
    expect(() =>
      t.editor.registerCommand({ id: "app.help2", label: "Help", group: "Help", keys: ["Shift+?"], run }),
    ).toThrow(/"app\.help2".*"app\.help"/);
  });

  test("runCommand respects canRun", () => {
    const t = twoBoxes();
    expect(t.editor.runCommand("edit.undo")).toBe(false);
    expect(t.editor.runCommand("tool.box")).toBe(true);
    t.expectTool("box.idle");
    expect(t.editor.runCommand("no.such")).toBe(false);
  });

  test("Mod is Ctrl or Meta", () => {
    const t = twoBoxes();
    t.editor.select(["a"]);
    t.key("Delete");
    t.dispatch({ ...keyEventFor("z"), ctrl: false, meta: true });
    expect(t.shapes()).toHaveLength(2);
  });

  test("tool keys switch tools and unknown keys are not handled", () => {
    const t = twoBoxes();
    t.key("b").expectTool("box.idle").key("p").expectTool("polygon.idle").key("h").expectTool("pan.idle");
    t.key("v").expectTool("select.idle");
    t.key("x");
    expect(t.lastHandled).toBe(false);
  });
});

describe("labels", () => {
  test("a hotkey relabels the selection, respecting the label's shape types", () => {
    const t = new TestEditor({
      annotations: [
        TestEditor.box("box", 1, 10, 10, 100, 100),
        TestEditor.polygon("poly", 1, [
          [200, 200],
          [300, 200],
          [300, 300],
        ]),
      ],
    });
    t.editor.select(["box", "poly"]);
    t.key("2"); // person: boxes only
    expect(t.shape("box").labelId).toBe(2);
    expect(t.shape("poly").labelId).toBe(1);
    expect(t.state.message).toBe("Label 'person' allows only boxes: 1 shape kept its label");
    expect(t.state.activeLabelId).toBe(2);
    t.key("Mod+Z");
    expect(t.shape("box").labelId).toBe(1);
    expect(t.selectedIds()).toEqual(["box"]); // the selection follows the undo
    t.editor.select(["box", "poly"]);
    t.key("3"); // road: polygons only
    expect(t.shape("poly").labelId).toBe(3);
  });

  test("without a selection a hotkey sets the active label; label commands follow setLabels", () => {
    const t = new TestEditor();
    t.key("3");
    expect(t.state.activeLabelId).toBe(3);
    expect(t.editor.commands.get("label.3")?.keys).toEqual(["3"]);
    t.editor.setLabels([makeLabel({ id: 1, name: "car", hotkey: "c" })]);
    expect(t.state.activeLabelId).toBe(1);
    expect(t.editor.commands.has("label.3")).toBe(false);
    t.editor.setActiveLabel(99);
    expect(t.state.activeLabelId).toBe(1);
  });

  test("hidden or locked labels are not drawn with", () => {
    const t = new TestEditor();
    t.editor.toggleLabelLocked(1);
    t.key("b").drag(10, 10, 50, 50);
    expect(t.shapes()).toHaveLength(0);
    expect(t.state.message).toMatch(/locked/);
  });

  test("image-level tags toggle, undoably", () => {
    const t = new TestEditor();
    t.editor.toggleTag(2);
    t.editor.toggleTag(3);
    t.editor.toggleTag(2);
    t.editor.toggleTag(42); // not a label of this project
    expect(t.state.doc.tags).toEqual([3]);
    t.key("Mod+Z");
    expect(t.state.doc.tags).toEqual([2, 3]);
    expect(t.state.docVersion).toBe(4);
  });
});

describe("hide and lock", () => {
  test("hiding deselects and removes from visible ids; locking keeps the shape still", () => {
    const t = twoBoxes();
    t.editor.select(["a", "b"]);
    t.editor.toggleShapeHidden("a");
    expect(t.selectedIds()).toEqual(["b"]);
    expect(t.editor.visibleShapeIds()).toEqual(["b"]);
    t.editor.toggleLabelHidden(2);
    expect(t.selectedIds()).toEqual([]);
    expect(t.editor.visibleShapeIds()).toEqual([]);
    t.editor.toggleShapeHidden("a");
    t.editor.toggleLabelHidden(2);
    t.editor.toggleShapeLocked("a");
    t.editor.select(["a"]);
    t.key("ArrowRight");
    t.drag(50, 50, 80, 80);
    expect(t.shape("a").geometry).toMatchObject({ x: 10, y: 10 });
    expect(t.editor.isShapeLocked("a")).toBe(true);
  });
});

describe("camera", () => {
  const big = () =>
    new TestEditor({ image: { width: 4000, height: 3000 }, stage: { width: 800, height: 600 } });

  test("fit centres the image; the zoom range is min(fit, 1) .. 64", () => {
    const t = big();
    t.key("f");
    expect(t.state.viewport.scale).toBeCloseTo((800 - 32) / 4000);
    expect(t.editor.zoomRange()).toEqual({ min: t.state.viewport.scale, max: 64 });
    t.editor.zoomTo(1000);
    expect(t.state.viewport.scale).toBe(64);
    t.editor.zoomTo(0.001);
    expect(t.state.viewport.scale).toBeCloseTo(0.192);
    const small = new TestEditor({ image: { width: 100, height: 100 }, stage: { width: 800, height: 600 } });
    expect(small.editor.zoomRange().min).toBe(1);
  });

  test("wheel zooms at the cursor: the image point under it stays put", () => {
    const t = big();
    t.key("f");
    const before = t.state.viewport;
    t.wheel(1000, 1000, -300);
    const after = t.state.viewport;
    expect(after.scale).toBeGreaterThan(before.scale);
    expect(1000 * after.scale + after.offsetX).toBeCloseTo(1000 * before.scale + before.offsetX);
    expect(1000 * after.scale + after.offsetY).toBeCloseTo(1000 * before.scale + before.offsetY);
  });

  test("+ and - zoom by steps, 0 is 1:1, Shift+1 fits", () => {
    const t = big();
    t.key("f");
    const fit = t.state.viewport.scale;
    t.key("+");
    expect(t.state.viewport.scale).toBeCloseTo(fit * 1.25);
    t.key("-").key("-");
    expect(t.state.viewport.scale).toBeCloseTo(fit); // clamped at the fit scale
    t.key("0");
    expect(t.state.viewport.scale).toBe(1);
    t.key("Shift+1");
    expect(t.state.viewport.scale).toBeCloseTo(fit);
  });

  test("a fitted view refits on stage resize; a zoomed one does not", () => {
    const t = big();
    t.key("f");
    t.editor.setStageSize({ width: 1600, height: 1200 });
    expect(t.state.viewport.scale).toBeCloseTo((1600 - 32) / 4000);
    t.key("0");
    t.editor.setStageSize({ width: 800, height: 600 });
    expect(t.state.viewport.scale).toBe(1);
  });

  test("pan tool, Space+drag and the middle button pan", () => {
    const t = twoBoxes();
    t.key("h").pointerDown(100, 100).expectTool("pan.panning").pointerMove(110, 120).pointerUp(110, 120);
    expect(t.state.viewport).toMatchObject({ offsetX: 10, offsetY: 20 });
    t.key("v");
    t.pointerDown(500, 500, { button: 1 }).expectTool("pan.panning");
    t.pointerMove(490, 500, { button: 1 }).pointerUp(490, 500, { button: 1 }).expectTool("select.idle");
    expect(t.state.viewport).toMatchObject({ offsetX: 0, offsetY: 20 });
  });

  test("select with centre moves the camera onto the shape", () => {
    const t = big();
    t.editor.load({
      image: { id: 1, width: 4000, height: 3000 },
      labels: t.state.labels,
      set: { annotations: [TestEditor.box("far", 1, 3000, 2000, 100, 100)], tags: [] },
    });
    t.editor.select(["far"], { centre: true });
    const v = t.state.viewport;
    expect(3050 * v.scale + v.offsetX).toBeCloseTo(400);
    expect(2050 * v.scale + v.offsetY).toBeCloseTo(300);
  });
});

describe("clipboard", () => {
  test("copy in one editor, paste in another: same place, new ids, one undo entry", () => {
    const clipboard: Clipboard = { shapes: [] };
    const a = new TestEditor({ clipboard, annotations: [TestEditor.box("a", 1, 10, 10, 100, 100)] });
    const b = new TestEditor({ clipboard, image: { id: 2, width: 1000, height: 800 } });
    a.click(50, 50).key("Mod+C");
    b.key("Mod+V");
    expect(b.shapes()).toEqual([
      { id: "shape-1", labelId: 1, geometry: { type: "box", x: 10, y: 10, width: 100, height: 100 } },
    ]);
    expect(b.selectedIds()).toEqual(["shape-1"]);
    b.key("Mod+Z");
    expect(b.shapes()).toHaveLength(0);
  });

  test("pasting into the same image offsets each paste; pasting into a smaller image clamps or skips", () => {
    const clipboard: Clipboard = { shapes: [] };
    const a = new TestEditor({
      clipboard,
      annotations: [TestEditor.box("a", 1, 10, 10, 100, 100), TestEditor.box("far", 1, 900, 700, 50, 50)],
    });
    a.editor.select(["a"]);
    a.key("Mod+C").key("Mod+V").key("Mod+V");
    expect(a.shapes().map((s) => s.geometry)).toEqual([
      { type: "box", x: 10, y: 10, width: 100, height: 100 },
      { type: "box", x: 900, y: 700, width: 50, height: 50 },
      { type: "box", x: 20, y: 20, width: 100, height: 100 },
      { type: "box", x: 30, y: 30, width: 100, height: 100 },
    ]);
    a.editor.select(["a", "far"]);
    a.key("Mod+C");
    const small = new TestEditor({ clipboard, image: { id: 9, width: 60, height: 60 } });
    small.key("Mod+V");
    expect(small.shapes().map((s) => s.geometry)).toEqual([
      { type: "box", x: 10, y: 10, width: 50, height: 50 },
    ]);
    expect(small.state.message).toBe("Pasted 1 shape; 1 skipped (outside this image)");
  });

  test("editors created without a clipboard share the default one", () => {
    const labels = [makeLabel({ id: 1, name: "car" })];
    const e1 = createEditor({ idFactory: () => "x1" });
    const e2 = createEditor({ idFactory: () => "y1" });
    e1.load({
      image: { id: 1, width: 100, height: 100 },
      labels,
      set: { annotations: [TestEditor.box("s", 1, 1, 1, 5, 5)], tags: [] },
    });
    e2.load({ image: { id: 2, width: 100, height: 100 }, labels, set: { annotations: [], tags: [] } });
    e1.select(["s"]);
    e1.copy();
    expect(sharedClipboard.shapes).toHaveLength(1);
    e2.paste();
    expect(e2.toAnnotationInputs()).toEqual([
      { id: "y1", labelId: 1, geometry: { type: "box", x: 1, y: 1, width: 5, height: 5 } },
    ]);
  });

  test("pasteShapes copies all shapes from a previous image", () => {
    const prev = twoBoxes();
    const t = new TestEditor({ image: { id: 2, width: 1000, height: 800 } });
    t.editor.pasteShapes(prev.shapes());
    expect(t.shapes().map((s) => [s.labelId, s.geometry])).toEqual(
      prev.shapes().map((s) => [s.labelId, s.geometry]),
    );
    expect(t.shapes().map((s) => s.id)).toEqual(["shape-1", "shape-2"]);
    expect(t.state.docVersion).toBe(1);
  });
});

describe("document i/o", () => {
  test("load reads annotations in order, fits and keeps per-label visibility", () => {
    const t = twoBoxes();
    t.editor.toggleLabelHidden(2);
    t.editor.toggleShapeHidden("a");
    t.editor.load({
      image: { id: 5, width: 500, height: 500 },
      labels: t.state.labels,
      set: {
        annotations: [
          TestEditor.box("q", 2, 0, 0, 10, 10),
          { labelId: 1, geometry: { type: "box", x: 1, y: 1, width: 2, height: 2 } },
        ],
        tags: [1],
      },
    });
    expect(t.shapes().map((s) => s.id)).toEqual(["q", "shape-1"]);
    expect(t.state.hiddenLabels.has(2)).toBe(true);
    expect(t.state.hiddenShapes.size).toBe(0);
    expect(t.state.doc.tags).toEqual([1]);
    expect(t.state.viewport.scale).toBeCloseTo((800 - 32) / 500);
  });

  test("toAnnotationInputs gives what PUT sends, in z-order", () => {
    const t = twoBoxes();
    expect(t.editor.toAnnotationInputs()).toEqual([
      { id: "a", labelId: 1, geometry: { type: "box", x: 10, y: 10, width: 100, height: 100 } },
      { id: "b", labelId: 2, geometry: { type: "box", x: 300, y: 300, width: 50, height: 50 } },
    ]);
  });

  test("visibleShapeIds culls to the viewport and keeps z-order", () => {
    const t = new TestEditor({
      image: { width: 4000, height: 3000 },
      stage: { width: 400, height: 300 },
      annotations: [
        TestEditor.box("top-left", 1, 10, 10, 20, 20),
        TestEditor.box("far", 1, 3000, 2500, 20, 20),
        TestEditor.box("over", 1, 0, 0, 50, 50),
      ],
    });
    expect(t.editor.visibleShapeIds()).toEqual(["top-left", "over"]);
    t.key("f");
    expect(t.editor.visibleShapeIds()).toEqual(["top-left", "far", "over"]);
  });

  test("a message is cleared by the next key or press", () => {
    const t = new TestEditor();
    t.editor.setActiveLabel(3);
    t.key("b").click(10, 10);
    expect(t.state.message).not.toBeNull();
    t.key("v");
    expect(t.state.message).toBeNull();
  });

  test("one event is one store update", () => {
    const t = twoBoxes();
    t.editor.select(["a"]);
    const listener = vi.fn();
    const unsubscribe = t.editor.store.subscribe(listener);
    t.pointerDown(50, 50).pointerMove(80, 80).pointerUp(80, 80);
    expect(listener).toHaveBeenCalledTimes(3);
    unsubscribe();
  });
});

describe("temporary pan", () => {
  test("Space during a drag does not hijack the gesture", () => {
    const t = twoBoxes();
    t.pointerDown(50, 50).pointerMove(70, 70).expectTool("select.translating");
    t.key("Space").expectTool("select.translating");
    t.pointerMove(80, 80).pointerUp(80, 80).expectTool("select.idle");
    expect(t.shape("a").geometry).toMatchObject({ x: 40, y: 40 });
    t.keyUp("Space");
    t.key("Space").expectTool("pan.idle").keyUp("Space").expectTool("select.idle");
  });

  test("a pan that outlives the Space key ends on pointer-up", () => {
    const t = twoBoxes();
    t.key("Space").pointerDown(0, 0).pointerMove(5, 5).keyUp("Space").expectTool("pan.panning");
    t.pointerUp(5, 5).expectTool("select.idle");
    expect(t.state.viewport).toMatchObject({ offsetX: 5, offsetY: 5 });
  });
});

describe("pointer feedback during a pan", () => {
  test("the cursor stays on the image point under the pointer and no shape stays hovered", () => {
    const t = twoBoxes();
    const at = (type: "pointerDown" | "pointerMove" | "pointerUp", x: number, y: number, button: 0 | 1) =>
      t.dispatch({ type, screen: screenPoint(x, y), button, shift: false, alt: false, ctrl: false });
    at("pointerMove", 50, 50, 0);
    expect(t.state.hoverId).toBe("a");
    const cursor = t.state.cursor;
    expect(cursor).toEqual({ x: 50, y: 50 });
    at("pointerDown", 50, 50, 1);
    at("pointerMove", 90, 70, 1);
    expect(t.state.viewport).toMatchObject({ offsetX: 40, offsetY: 20 });
    expect(t.state.hoverId).toBeNull();
    // The same object: nothing showing the cursor has to render again while the image is dragged.
    expect(t.state.cursor).toBe(cursor);
    at("pointerUp", 90, 70, 1);
    at("pointerMove", 100, 70, 0);
    expect(t.state.cursor).toEqual({ x: 60, y: 50 });
  });
});
