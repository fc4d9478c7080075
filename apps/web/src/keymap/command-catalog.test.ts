import { applyKeymap, canonicalKeys, createEditor } from "@labelbench/editor";
import { KEYMAP_COMMANDS } from "@labelbench/schema";
import { describe, expect, test } from "vitest";
import { catalogCommands } from "./command-catalog";

describe("the command catalog", () => {
  test("lists exactly the commands the server lets users rebind, with their modes", () => {
    const listed = Object.fromEntries(catalogCommands().map((c) => [c.id, c.mode ?? "any"]));
    expect(listed).toEqual(KEYMAP_COMMANDS);
  });

  test("its defaults register in one editor without a clash (as the editor page registers them)", () => {
    const editor = createEditor();
    const builtin = new Set(editor.commands.keys());
    for (const c of catalogCommands()) if (!builtin.has(c.id)) editor.registerCommand(c);
    expect([...editor.commands.keys()].sort()).toEqual(Object.keys(KEYMAP_COMMANDS).sort());
  });

  test("every default is a valid stored combination", () => {
    for (const c of applyKeymap(catalogCommands(), {})) {
      for (const k of c.keys) expect(() => canonicalKeys(k), `${c.id}: ${k}`).not.toThrow();
    }
  });
});
