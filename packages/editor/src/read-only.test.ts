import { describe, expect, test } from "vitest";
import { READ_ONLY_MESSAGE } from "./editor.js";
import { makeLabel, TestEditor } from "./test-editor.js";

const reviewed = () => {
  const t = new TestEditor({
    annotations: [
      TestEditor.box("a", 1, 10, 10, 100, 100),
      TestEditor.box("b", 2, 300, 300, 50, 50),
      TestEditor.polygon("c", 3, [
        [600, 100],
        [700, 100],
        [650, 200],
      ]),
    ],
    tags: [],
  });
  t.editor.setReadOnly(true);
  return t;
};

describe("read-only mode", () => {
  test("selection, camera, hiding and stepping still work", () => {
    const t = reviewed();
    t.click(50, 50);
    expect(t.selectedIds()).toEqual(["a"]);
    t.drag(0, 0, 400, 400); // a marquee on empty space
    expect(t.selectedIds().sort()).toEqual(["a", "b"]);
    t.wheel(500, 400, -100);
    expect(t.state.viewport.scale).toBeGreaterThan(1);
    t.key("f");
    t.editor.toggleShapeHidden("b");
    expect(t.editor.isShapeHidden("b")).toBe(true);
    t.editor.select([]);
    t.key("Tab");
    expect(t.selectedIds()).toEqual(["a"]);
    t.key("Tab");
    expect(t.selectedIds()).toEqual(["c"]); // b is hidden: skipped
    t.key("Mod+C");
    expect(t.state.message).toBe("Copied 1 shape");
    expect(t.state.docVersion).toBe(0);
  });

  test("every command that changes the document is refused with the reason, and nothing changes", () => {
    const t = reviewed();
    const before = t.shapes();
    const attempts: [string, () => void][] = [
      ["delete", () => t.key("Delete")],
      ["nudge", () => t.key("ArrowRight")],
      ["nudge 10", () => t.key("Shift+ArrowDown")],
      ["paste", () => t.key("Mod+C").key("Mod+V")],
      ["relabel", () => t.editor.relabel(["a"], 2)],
      ["tag", () => t.editor.toggleTag(1)],
      ["paste shapes", () => t.editor.pasteShapes([TestEditor.box("z", 1, 1, 1, 20, 20)])],
      ["undo", () => t.editor.undo()],
      ["redo", () => t.editor.redo()],
      ["box tool", () => t.key("b")],
      ["polygon tool", () => t.key("p")],
    ];
    for (const [what, attempt] of attempts) {
      t.editor.select(["a"]);
      t.editor.clearMessage();
      attempt();
      expect(t.state.message, what).toBe(READ_ONLY_MESSAGE);
    }
    expect(t.shapes()).toEqual(before);
    expect(t.state.doc.tags).toEqual([]);
    expect(t.state.docVersion).toBe(0);
    expect(t.toolPath).toBe("select.idle");
  });

  test("a drag on a selected shape neither moves nor resizes it, and the cursor promises neither", () => {
    const t = reviewed();
    t.click(50, 50);
    t.pointerMove(50, 50);
    expect(t.pointerTarget()).toEqual({ kind: "select", shapeId: "a" });
    t.drag(50, 50, 90, 90);
    t.pointerMove(110, 110); // the south-east handle
    expect(t.pointerTarget()).toEqual({ kind: "select", shapeId: "a" });
    t.drag(110, 110, 200, 200);
    t.doubleClick(60, 10); // on the top edge: would insert a vertex into a polygon, nothing on a box
    expect(t.shape("a").geometry).toEqual({ type: "box", x: 10, y: 10, width: 100, height: 100 });
    expect(t.state.docVersion).toBe(0);
  });

  test("turning it on ends a drawing gesture and the drawing tool; off makes editing work again", () => {
    const t = new TestEditor();
    t.key("b").pointerDown(10, 10).pointerMove(80, 80);
    t.editor.setReadOnly(true);
    expect(t.toolPath).toBe("select.idle");
    expect(t.state.preview).toBeNull();
    t.editor.setReadOnly(false);
    t.key("b").drag(10, 10, 80, 80);
    expect(t.shapes()).toHaveLength(1);
    t.key("Mod+Z");
    expect(t.shapes()).toHaveLength(0);
  });

  test("the document can still be put in place by the app (load, another user's save)", () => {
    const t = reviewed();
    t.editor.applyRemote({ annotations: [TestEditor.box("x", 1, 5, 5, 10, 10)], tags: [2] });
    expect(t.shapes().map((s) => s.id)).toEqual(["x"]);
    expect(t.state.doc.tags).toEqual([2]);
  });
});

describe("modes", () => {
  const labels = [
    makeLabel({ id: 1, name: "yak", hotkey: "y" }),
    makeLabel({ id: 2, name: "cat", hotkey: "2" }),
  ];

  test("a review key and a label hotkey share a letter: each runs in its own mode", () => {
    const t = new TestEditor({ labels, annotations: [TestEditor.box("a", 2, 10, 10, 50, 50)] });
    let accepted = 0;
    t.editor.registerCommand({
      id: "review.accept",
      label: "Accept",
      group: "Review",
      keys: ["Y"],
      mode: "review",
      run: () => {
        accepted++;
      },
    });
    t.editor.select(["a"]);
    t.key("y");
    expect(t.shape("a").labelId).toBe(1); // the label hotkey relabelled it
    expect(accepted).toBe(0);
    t.editor.setMode("review");
    t.key("y");
    expect(accepted).toBe(1);
    t.key("2"); // label hotkeys are off while reviewing, even once editable
    expect(t.shape("a").labelId).toBe(1);
  });

  test("two commands of one mode still cannot take one key", () => {
    const t = new TestEditor();
    const cmd = (id: string, mode?: "review") => ({
      id,
      label: id,
      group: "Review",
      keys: ["Y"],
      mode,
      run: () => {},
    });
    t.editor.registerCommand(cmd("one", "review"));
    expect(() => t.editor.registerCommand(cmd("two", "review"))).toThrow(/already bound/);
    expect(() => t.editor.registerCommand(cmd("three"))).toThrow(/already bound/);
  });
});

test("a command of the other mode cannot be run by its id either (a button)", () => {
  const t = new TestEditor();
  let runs = 0;
  t.editor.registerCommand({
    id: "image.submit",
    label: "Submit",
    group: "Navigation",
    keys: ["Mod+Enter"],
    mode: "annotate",
    run: () => void runs++,
  });
  t.editor.setMode("review");
  expect(t.editor.runCommand("image.submit")).toBe(false);
  t.editor.setMode("annotate");
  expect(t.editor.runCommand("image.submit")).toBe(true);
  expect(runs).toBe(1);
});
