import { describe, expect, test } from "vitest";
import { matchesKeys, parseKeyBinding } from "./keys.js";
import { keyEventFor } from "./test-editor.js";

describe("key bindings", () => {
  test("parses modifiers and the plus key", () => {
    expect(parseKeyBinding("Mod+Shift+Z")).toEqual({ mod: true, shift: true, alt: false, key: "z" });
    expect(parseKeyBinding("+")).toEqual({ mod: false, shift: false, alt: false, key: "+" });
    expect(parseKeyBinding("Mod++")).toEqual({ mod: true, shift: false, alt: false, key: "+" });
    expect(parseKeyBinding("Shift+ArrowUp").key).toBe("ArrowUp");
  });

  test("Mod matches Ctrl or Meta, and modifiers must match exactly", () => {
    const ctrlZ = keyEventFor("Mod+Z");
    expect(matchesKeys(["Mod+Z"], ctrlZ)).toBe(true);
    expect(matchesKeys(["Mod+Z"], { ...ctrlZ, ctrl: false, meta: true })).toBe(true);
    expect(matchesKeys(["Mod+Z"], keyEventFor("z"))).toBe(false);
    expect(matchesKeys(["Mod+Z"], keyEventFor("Mod+Shift+Z"))).toBe(false);
    expect(matchesKeys(["Mod+Shift+Z"], keyEventFor("Mod+Shift+Z"))).toBe(true);
    expect(matchesKeys(["ArrowUp"], keyEventFor("Shift+ArrowUp"))).toBe(false);
  });

  test("digits match by code, so Shift+1 works although the key is '!'", () => {
    expect(matchesKeys(["Shift+1"], keyEventFor("Shift+1"))).toBe(true);
    expect(matchesKeys(["1"], keyEventFor("Shift+1"))).toBe(false);
    expect(
      matchesKeys(["1"], {
        type: "keyDown",
        key: "1",
        code: "Numpad1",
        shift: false,
        ctrl: false,
        alt: false,
        repeat: false,
      }),
    ).toBe(true);
  });

  test("symbols ignore the Shift that produces them", () => {
    expect(matchesKeys(["?"], keyEventFor("?"))).toBe(true);
    expect(matchesKeys(["+"], keyEventFor("+"))).toBe(true);
    expect(matchesKeys(["-"], keyEventFor("-"))).toBe(true);
  });

  test("letters on a non-Latin layout fall back to the physical key", () => {
    const e = {
      type: "keyDown" as const,
      key: "и",
      code: "KeyB",
      shift: false,
      ctrl: false,
      alt: false,
      repeat: false,
    };
    expect(matchesKeys(["b"], e)).toBe(true);
  });
});
