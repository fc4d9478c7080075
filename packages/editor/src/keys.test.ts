import { KEY_CODES } from "@labelbench/schema";
import { describe, expect, test } from "vitest";
import { builtinCommands } from "./commands.js";
import {
  bindingOfEvent,
  canonicalKeys,
  type KeyDownEvent,
  keysOverlap,
  matchesKeys,
  parseKeyBinding,
  parseKeySequence,
  US_KEYS,
} from "./keys.js";
import { keyEventFor } from "./test-editor.js";

/** A key press as a browser reports it: `key` is what the layout types, `code` the physical key. */
const press = (code: string, key: string, mods: Partial<Omit<KeyDownEvent, "type" | "code" | "key">> = {}) =>
  ({
    type: "keyDown",
    code,
    key,
    shift: false,
    ctrl: false,
    alt: false,
    repeat: false,
    ...mods,
  }) as KeyDownEvent;

describe("key bindings are physical keys", () => {
  test("parses modifiers, US names and codes to one form", () => {
    expect(parseKeyBinding("Mod+Shift+Z")).toEqual({ mod: true, shift: true, alt: false, code: "KeyZ" });
    expect(parseKeyBinding("Mod+Shift+KeyZ")).toEqual({ mod: true, shift: true, alt: false, code: "KeyZ" });
    expect(parseKeyBinding("+")).toEqual({ mod: false, shift: true, alt: false, code: "Equal" });
    expect(parseKeyBinding("Mod++")).toEqual({ mod: true, shift: true, alt: false, code: "Equal" });
    expect(parseKeyBinding("Shift+ArrowUp").code).toBe("ArrowUp");
    expect(() => parseKeyBinding("Mod+Ω")).toThrow(/names no key/);
  });

  test("the US defaults map to codes once, symbols carrying their Shift", () => {
    expect(canonicalKeys("?")).toBe("Shift+Slash");
    expect(canonicalKeys("+")).toBe("Shift+Equal");
    expect(canonicalKeys("=")).toBe("Equal");
    expect(canonicalKeys("-")).toBe("Minus");
    expect(canonicalKeys("[")).toBe("BracketLeft");
    expect(canonicalKeys("{")).toBe("Shift+BracketLeft");
    expect(canonicalKeys("1")).toBe("Digit1");
    expect(canonicalKeys("Shift+1")).toBe("Shift+Digit1");
    expect(canonicalKeys("!")).toBe("Shift+Digit1");
    expect(canonicalKeys("Mod+Enter")).toBe("Mod+Enter");
    expect(canonicalKeys("Space")).toBe("Space");
    expect(canonicalKeys("Esc")).toBe("Escape");
    expect(canonicalKeys("g 3")).toBe("KeyG Digit3");
    // Every US name lands on a code the server accepts.
    for (const [name, { code }] of Object.entries(US_KEYS)) expect(KEY_CODES, name).toContain(code);
  });

  test("every default key of the built-in commands is a valid combination", () => {
    for (const c of builtinCommands()) {
      for (const k of c.keys) {
        for (const step of canonicalKeys(k).split(" ")) {
          expect(KEY_CODES, `${c.id}: ${k}`).toContain(step.split("+").pop());
        }
      }
    }
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

  test("US symbols match the physical key with its Shift", () => {
    expect(matchesKeys(["?"], keyEventFor("?"))).toBe(true);
    expect(matchesKeys(["?"], press("Slash", "/"))).toBe(false);
    // "?" reported on its key without the Shift flag is still Shift+Slash, not "/".
    expect(matchesKeys(["?"], press("Slash", "?"))).toBe(true);
    expect(matchesKeys(["/"], press("Slash", "?"))).toBe(false);
    expect(matchesKeys(["+"], keyEventFor("+"))).toBe(true);
    expect(matchesKeys(["="], keyEventFor("+"))).toBe(false);
    expect(matchesKeys(["-"], keyEventFor("-"))).toBe(true);
  });

  test("AZERTY: the key under the US Z types 'w' but is Mod+Z; the Digit1 key types '&' but is 1", () => {
    // French AZERTY: physical KeyZ types "w", physical KeyW types "z".
    expect(matchesKeys(["Mod+Z"], press("KeyZ", "w", { ctrl: true }))).toBe(true);
    expect(matchesKeys(["Mod+Z"], press("KeyW", "z", { ctrl: true }))).toBe(false);
    expect(matchesKeys(["1"], press("Digit1", "&"))).toBe(true);
    expect(matchesKeys(["Shift+1"], press("Digit1", "1", { shift: true }))).toBe(true);
    // AZERTY's "?" is Shift on the KeyM key: it is not the Slash key, so it is not "?".
    expect(matchesKeys(["?"], press("KeyM", "?", { shift: true }))).toBe(false);
    expect(matchesKeys(["Shift+Slash"], press("Slash", "!", { shift: false }))).toBe(false);
    expect(matchesKeys(["Shift+Slash"], press("Slash", "§", { shift: true }))).toBe(true);
  });

  test("QWERTZ: the key under the US Y types 'z' and matches KeyY, not KeyZ", () => {
    expect(matchesKeys(["KeyY"], press("KeyY", "z"))).toBe(true);
    expect(matchesKeys(["Z"], press("KeyY", "z"))).toBe(false);
  });

  test("non-Latin layouts and the keypad", () => {
    expect(matchesKeys(["b"], press("KeyB", "и"))).toBe(true);
    expect(matchesKeys(["1"], press("Numpad1", "1"))).toBe(true);
    expect(matchesKeys(["+"], press("NumpadAdd", "+"))).toBe(true);
    expect(matchesKeys(["-"], press("NumpadSubtract", "-"))).toBe(true);
  });

  test("an event without a code falls back to the US key of its character", () => {
    expect(matchesKeys(["?"], press("", "?", { shift: true }))).toBe(true);
    expect(matchesKeys(["b"], press("Unidentified", "b"))).toBe(true);
  });

  test("captures an event as the combination a keymap stores", () => {
    expect(bindingOfEvent(press("KeyZ", "w", { ctrl: true, shift: true }))).toEqual({
      mod: true,
      alt: false,
      shift: true,
      code: "KeyZ",
    });
  });

  test("chords: parsed in steps; a chord clashes with a key that is its first step", () => {
    expect(parseKeySequence("KeyG Digit3").map((b) => b.code)).toEqual(["KeyG", "Digit3"]);
    expect(matchesKeys(["g 3"], keyEventFor("g"))).toBe(false);
    expect(keysOverlap("g 3", "g")).toBe(true);
    expect(keysOverlap("g 3", "g 4")).toBe(false);
    expect(keysOverlap("g 3", "KeyG Digit3")).toBe(true);
    expect(keysOverlap("Mod+Z", "Mod+KeyZ")).toBe(true);
    expect(keysOverlap("Mod+Z", "Mod+Shift+Z")).toBe(false);
  });
});
