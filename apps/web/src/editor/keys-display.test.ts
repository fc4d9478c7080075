import { afterEach, describe, expect, test } from "vitest";
import { setLayoutForTest } from "../keymap/keyboard-layout";
import { keyCaps, keySteps, keyText } from "./keys-display";

afterEach(() => setLayoutForTest(null));

describe("key caps", () => {
  test("US names and codes read the same; Shift+Slash reads ?", () => {
    expect(keyCaps("Mod+Shift+Z", false)).toEqual(["Ctrl", "Shift", "Z"]);
    expect(keyCaps("Mod+Shift+KeyZ", false)).toEqual(["Ctrl", "Shift", "Z"]);
    expect(keyCaps("Mod+Shift+KeyZ", true)).toEqual(["⌘", "⇧", "Z"]);
    expect(keyCaps("?", false)).toEqual(["?"]);
    expect(keyCaps("Shift+Slash", false)).toEqual(["?"]);
    expect(keyCaps("+", false)).toEqual(["+"]);
    expect(keyCaps("Shift+1", false)).toEqual(["Shift", "1"]);
    expect(keyCaps("ArrowLeft", false)).toEqual(["←"]);
    expect(keyCaps("BracketLeft", false)).toEqual(["["]);
  });

  test("a chord reads as its two steps", () => {
    expect(keySteps("g 3", false)).toEqual([["G"], ["3"]]);
    expect(keyText("KeyG Digit3", false)).toBe("G then 3");
  });

  test("with the browser's layout map, keys read as the user's keyboard labels them (AZERTY)", () => {
    setLayoutForTest(
      new Map([
        ["KeyZ", "w"],
        ["KeyQ", "a"],
        ["KeyA", "q"],
        ["Digit1", "&"],
        ["Slash", "!"],
        ["Equal", "="],
      ]),
    );
    expect(keyCaps("Mod+KeyZ", false)).toEqual(["Ctrl", "W"]);
    expect(keyCaps("a", false)).toEqual(["Q"]); // US "a" is the key AZERTY labels Q
    expect(keyCaps("Digit1", false)).toEqual(["&"]);
    // The layout's Slash key is not "/": its Shift character is unknown, so Shift shows.
    expect(keyCaps("?", false)).toEqual(["Shift", "!"]);
    // Where the layout agrees with US, the US Shift character stays.
    expect(keyCaps("+", false)).toEqual(["+"]);
  });
});
