import { applyKeymap } from "@labelbench/editor";
import { describe, expect, test } from "vitest";
import { catalogCommands } from "./command-catalog";
import { dropKey, giveKey, resetKey, shortLabel } from "./keymap-model";

const catalog = catalogCommands();
const keysOf = (bindings: Record<string, string[]>, id: string) =>
  applyKeymap(catalog, bindings).find((c) => c.id === id)?.keys;

describe("changing keys on the keymap page", () => {
  test("a free key replaces the command's keys, stored as codes", () => {
    const r = giveKey(catalog, {}, "tool.box", "Shift+KeyK", "replace");
    expect(r).toEqual({ ok: true, bindings: { "tool.box": ["Shift+KeyK"] } });
  });

  test("a taken key is refused with the other command's name", () => {
    expect(giveKey(catalog, {}, "tool.box", "Mod+KeyZ", "replace")).toEqual({
      ok: false,
      message: "Ctrl+Z is already Undo",
    });
    expect(giveKey(catalog, {}, "nav.next", "KeyA", "add")).toEqual({
      ok: false,
      message: "A is already Previous image",
    });
    // Review keys and annotating keys may share: Y accepts only while reviewing.
    expect(giveKey(catalog, {}, "image.skip", "KeyY", "replace").ok).toBe(true);
    expect(giveKey(catalog, {}, "tool.box", "KeyY", "replace")).toEqual({
      ok: false,
      message: "Y is already Accept",
    });
  });

  test("a key the user moved away is free for another command", () => {
    const moved = giveKey(catalog, {}, "tool.polygon", "KeyO", "replace");
    if (!moved.ok) throw new Error(moved.message);
    const r = giveKey(catalog, moved.bindings, "tool.box", "KeyP", "replace");
    expect(r).toEqual({ ok: true, bindings: { "tool.polygon": ["KeyO"], "tool.box": ["KeyP"] } });
    // Resetting polygon would take P back from box: refused, naming box.
    if (!r.ok) throw new Error(r.message);
    expect(resetKey(catalog, r.bindings, "tool.polygon")).toEqual({
      ok: false,
      message: "P is now Box tool: give Box tool another key first",
    });
  });

  test("add, remove, and back to the defaults drops the entry", () => {
    const added = giveKey(catalog, {}, "nav.next", "KeyJ", "add");
    if (!added.ok) throw new Error(added.message);
    expect(added.bindings).toEqual({ "nav.next": ["KeyD", "ArrowRight", "KeyJ"] });
    expect(giveKey(catalog, added.bindings, "nav.next", "KeyJ", "add")).toEqual({
      ok: false,
      message: "J is already a key of Next image",
    });
    const dropped = dropKey(catalog, added.bindings, "nav.next", "KeyJ");
    expect(dropped).toEqual({});
    expect(dropKey(catalog, {}, "edit.delete", "Backspace")).toEqual({ "edit.delete": ["Delete"] });
    expect(resetKey(catalog, { "tool.box": ["KeyK"] }, "tool.box")).toEqual({ ok: true, bindings: {} });
    expect(keysOf({}, "tool.box")).toEqual(["b"]);
  });

  test("names commands without their hints", () => {
    expect(shortLabel({ label: "Previous image (in review: of the queue)" })).toBe("Previous image");
    expect(shortLabel({ label: "Undo" })).toBe("Undo");
  });
});
