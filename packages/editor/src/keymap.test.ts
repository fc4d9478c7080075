import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { builtinCommands } from "./commands.js";
import { applyKeymap, keyHolder } from "./keymap.js";
import { keyEventFor, makeLabel, TestEditor } from "./test-editor.js";
import type { Command } from "./types.js";

const byId = (cs: readonly Command[], id: string): Command => {
  const c = cs.find((x) => x.id === id);
  if (!c) throw new Error(`no command ${id}`);
  return c;
};

describe("applyKeymap", () => {
  test("a command the keymap names gets its keys; the others keep their defaults", () => {
    const cs = applyKeymap(builtinCommands(), { "tool.box": ["KeyK"] });
    expect(byId(cs, "tool.box").keys).toEqual(["KeyK"]);
    expect(byId(cs, "tool.polygon").keys).toEqual(["p"]);
    expect(cs.map((c) => c.id)).toEqual(builtinCommands().map((c) => c.id));
  });

  test("a default key given to another command leaves its old command", () => {
    const cs = applyKeymap(builtinCommands(), { "tool.box": ["KeyP"] });
    expect(byId(cs, "tool.polygon").keys).toEqual([]);
    const redo = applyKeymap(builtinCommands(), { "edit.undo": ["Mod+KeyY"] });
    expect(byId(redo, "edit.redo").keys).toEqual(["Mod+Shift+Z"]);
  });

  test("[] leaves a command without keys", () => {
    expect(byId(applyKeymap(builtinCommands(), { "edit.delete": [] }), "edit.delete").keys).toEqual([]);
  });
});

describe("keyHolder", () => {
  test("names the other command that has the key, in any spelling", () => {
    const cs = builtinCommands();
    const box = byId(cs, "tool.box");
    expect(keyHolder(cs, box, "Mod+KeyZ")?.label).toBe("Undo");
    expect(keyHolder(cs, box, "Shift+Slash")).toBeNull();
    expect(keyHolder(cs, box, "KeyB")).toBeNull(); // its own key
    expect(keyHolder(cs, box, "Shift+Equal")?.id).toBe("view.zoomIn");
  });

  test("commands of different modes may share a key", () => {
    const review: Command = {
      id: "review.x",
      label: "R",
      group: "Review",
      keys: ["KeyY"],
      mode: "review",
      run: () => {},
    };
    const annotate: Command = {
      id: "a.x",
      label: "A",
      group: "Edit",
      keys: [],
      mode: "annotate",
      run: () => {},
    };
    expect(keyHolder([review, annotate], annotate, "KeyY")).toBeNull();
    expect(keyHolder([review, annotate], { ...annotate, mode: undefined }, "KeyY")?.id).toBe("review.x");
  });
});

describe("the editor applies the user's keys", () => {
  test("a rebound key runs its command; the old key no longer does", () => {
    const t = new TestEditor();
    t.editor.setKeymap({ "tool.box": ["KeyK"] });
    t.key("b");
    expect(t.state.tool.id).toBe("select");
    t.key("k");
    expect(t.state.tool.id).toBe("box");
    expect(t.editor.commands.get("tool.box")?.keys).toEqual(["KeyK"]);
    t.editor.setKeymap({});
    t.key("v");
    t.key("b");
    expect(t.state.tool.id).toBe("box");
  });

  test("commands registered after the keymap get the user's keys too", () => {
    const t = new TestEditor();
    t.editor.setKeymap({ "nav.next": ["KeyJ"] });
    const run = vi.fn();
    t.editor.registerCommand({ id: "nav.next", label: "Next image", group: "Navigation", keys: ["d"], run });
    t.key("d");
    expect(run).not.toHaveBeenCalled();
    t.key("j");
    expect(run).toHaveBeenCalledTimes(1);
  });

  test("the user's key wins over a label hotkey it takes", () => {
    const t = new TestEditor();
    t.editor.setKeymap({ "tool.box": ["Digit3"] });
    t.key("3");
    expect(t.state.tool.id).toBe("box");
    expect(t.state.activeLabelId).toBe(1);
  });
});

describe("chords", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const chordEditor = () => {
    const t = new TestEditor({
      labels: [
        makeLabel({ id: 1, name: "car", hotkey: "1" }),
        makeLabel({ id: 2, name: "bus", hotkey: "g3" }),
        makeLabel({ id: 3, name: "van", hotkey: "gq" }),
      ],
    });
    return t;
  };

  test("G then 3 picks the label; the first key shows a pending hint until the second", () => {
    const t = chordEditor();
    t.key("g");
    expect(t.lastHandled).toBe(true);
    expect(t.state.pendingChord).toBe("KeyG");
    t.key("3");
    expect(t.state.pendingChord).toBeNull();
    expect(t.state.activeLabelId).toBe(2);
    t.key("g");
    t.key("q");
    expect(t.state.activeLabelId).toBe(3);
  });

  test("the chord relabels the selection like a one-key hotkey", () => {
    const t = new TestEditor({
      labels: [
        makeLabel({ id: 1, name: "car", hotkey: "1" }),
        makeLabel({ id: 2, name: "bus", hotkey: "g3" }),
      ],
      annotations: [TestEditor.box("b", 1, 10, 10, 50, 50)],
    });
    t.editor.select(["b"]);
    t.key("g").key("3");
    expect(t.shape("b").labelId).toBe(2);
  });

  test("times out: after the wait the second key does what it does alone", () => {
    const t = chordEditor();
    t.key("g");
    vi.advanceTimersByTime(1600);
    expect(t.state.pendingChord).toBeNull();
    t.key("1");
    expect(t.state.activeLabelId).toBe(1);
    t.key("3"); // alone, 3 is nothing
    expect(t.state.activeLabelId).toBe(1);
  });

  test("Escape cancels; an unknown second key ends the chord and says so", () => {
    const t = chordEditor();
    t.key("g");
    t.key("Escape");
    expect(t.state.pendingChord).toBeNull();
    t.key("3");
    expect(t.state.activeLabelId).toBe(1);
    t.key("g");
    t.key("7");
    expect(t.state.pendingChord).toBeNull();
    expect(t.state.message).toBe("No shortcut is G then 7");
    expect(t.state.activeLabelId).toBe(1);
  });

  test("the overlay's registry lists the chord as two steps", () => {
    const t = chordEditor();
    expect(t.editor.commands.get("label.2")?.keys).toEqual(["g 3"]);
    expect(t.editor.matchCommands(keyEventFor("g"))).toEqual([]);
  });
});
