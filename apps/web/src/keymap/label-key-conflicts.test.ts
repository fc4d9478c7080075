import { makeLabel, TestEditor } from "@labelbench/editor/testing";
import { RESERVED_HOTKEYS } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { defaultKeyConflicts, userKeyConflicts } from "./label-key-conflicts";

const label = (id: number, name: string, hotkey: string | null) => ({ id, name, hotkey });

describe("label hotkeys against the default keys (the labels page)", () => {
  it("are exactly the letters the server reserves: a new default letter must be reserved too", () => {
    const every = [..."abcdefghijklmnopqrstuvwxyz123456789"].map((k, i) => label(i, k, k));
    expect(
      defaultKeyConflicts(every)
        .map((c) => c.label.hotkey)
        .sort(),
    ).toEqual(Object.keys(RESERVED_HOTKEYS).sort());
  });

  it("names the label, its key and the command; a chord collides through its first key", () => {
    const [c] = defaultKeyConflicts([label(1, "car", "1"), label(2, "bus", "b3")]);
    expect(c).toMatchObject({ label: { name: "bus" }, labelKey: "b 3", command: { id: "tool.box" } });
  });
});

describe("label hotkeys against a user's own keys (the editor)", () => {
  it("lists a label whose key the user gave a command, and nothing for the defaults", () => {
    const labels = [label(1, "car", "3"), label(2, "bus", "g4"), label(3, "van", "e")];
    expect(userKeyConflicts(labels, {})).toEqual([]);
    const conflicts = userKeyConflicts(labels, { "tool.box": ["Digit3"], "view.fit": ["KeyG"] });
    expect(conflicts.map((c) => [c.label.name, c.command.id])).toEqual([
      ["car", "tool.box"],
      ["bus", "view.fit"],
    ]);
  });

  it("what it reports is what the editor does: the user's key runs its command, the label's does not", () => {
    const keymap = { "tool.box": ["Digit3"], "view.fit": ["KeyG"] };
    const labels = [
      makeLabel({ id: 1, name: "car", hotkey: "3" }),
      makeLabel({ id: 2, name: "bus", hotkey: "g4" }),
      makeLabel({ id: 3, name: "van", hotkey: "e" }),
    ];
    const t = new TestEditor({ labels });
    t.editor.setKeymap(keymap);
    t.editor.setTool("select");
    t.key("e");
    expect(t.state.activeLabelId).toBe(3); // no conflict: the label's key works
    t.key("3");
    expect(t.state.tool.id).toBe("box"); // the user's key
    expect(t.state.activeLabelId).toBe(3); // and not the label "car"
    const reported = new Set(userKeyConflicts(labels, keymap).map((c) => c.label.id));
    expect([...reported].sort()).toEqual([1, 2]);
    // Each reported label has lost its key in the editor; the unreported one kept it.
    for (const l of labels)
      expect(t.editor.commands.get(`label.${l.id}`)?.keys.length === 0, l.name).toBe(reported.has(l.id));
  });
});
