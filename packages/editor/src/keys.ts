import { formatCombo, isKeyCode, type KeyCombo } from "@labelbench/schema";
import type { EditorEvent } from "./types.js";

export type KeyDownEvent = Extract<EditorEvent, { type: "keyDown" }>;

/**
 * One key combination: modifiers and a physical key (`KeyboardEvent.code`). Matching by code, not by
 * the character the key produces, keeps bindings layout-independent: an AZERTY user's Digit1 key
 * produces "&" and their KeyQ key produces "a", yet Digit1 and KeyQ are where a US user's 1 and Q are.
 */
export type KeyBinding = KeyCombo;

const MODIFIERS = new Set(["mod", "ctrl", "cmd", "meta", "shift", "alt"]);

/**
 * The US layout, once: the key names the default bindings are written in ("?", "+", "[", "1", "Z")
 * → the physical key and whether Shift produces it. Everything else in the editor speaks codes.
 */
export const US_KEYS: Readonly<Record<string, { code: string; shift: boolean }>> = (() => {
  const map: Record<string, { code: string; shift: boolean }> = {};
  for (const c of "abcdefghijklmnopqrstuvwxyz") map[c] = { code: `Key${c.toUpperCase()}`, shift: false };
  const shiftedDigits = ")!@#$%^&*(";
  for (let d = 0; d <= 9; d++) {
    map[String(d)] = { code: `Digit${d}`, shift: false };
    map[shiftedDigits[d] as string] = { code: `Digit${d}`, shift: true };
  }
  const pairs: [code: string, plain: string, shifted: string][] = [
    ["Minus", "-", "_"],
    ["Equal", "=", "+"],
    ["BracketLeft", "[", "{"],
    ["BracketRight", "]", "}"],
    ["Backslash", "\\", "|"],
    ["Semicolon", ";", ":"],
    ["Quote", "'", '"'],
    ["Backquote", "`", "~"],
    ["Comma", ",", "<"],
    ["Period", ".", ">"],
    ["Slash", "/", "?"],
  ];
  for (const [code, plain, shifted] of pairs) {
    map[plain] = { code, shift: false };
    map[shifted] = { code, shift: true };
  }
  map[" "] = { code: "Space", shift: false };
  return map;
})();

/** Names some specs use for keys whose code is spelled otherwise. */
const ALIASES: Readonly<Record<string, string>> = { Esc: "Escape", Del: "Delete", space: "Space" };

/**
 * Parses one combination: canonical codes ("Mod+Shift+KeyZ", "Digit1") as the user's keymap stores
 * them, and the US key names the defaults are written in ("Mod+Shift+Z", "Shift+ArrowUp", "?", "+",
 * "Mod++"). A US symbol carries the Shift that types it: "?" is Shift+Slash.
 */
export const parseKeyBinding = (spec: string): KeyBinding => {
  const parts =
    spec === "+" ? ["+"] : spec.endsWith("++") ? [...spec.slice(0, -2).split("+"), "+"] : spec.split("+");
  const b: KeyBinding = { mod: false, shift: false, alt: false, code: "" };
  parts.forEach((raw, i) => {
    const p = raw.toLowerCase();
    if (MODIFIERS.has(p) && i !== parts.length - 1) {
      if (p === "shift") b.shift = true;
      else if (p === "alt") b.alt = true;
      else b.mod = true;
      return;
    }
    const name = ALIASES[raw] ?? raw;
    if (isKeyCode(name)) {
      b.code = name;
      return;
    }
    const us = US_KEYS[name.length === 1 ? name.toLowerCase() : name];
    if (!us)
      throw new Error(`key binding "${spec}" names no key ("${raw}" is neither a key code nor a US key)`);
    b.code = us.code;
    if (us.shift) b.shift = true;
  });
  if (b.code === "") throw new Error(`key binding "${spec}" names no key`);
  return b;
};

/**
 * A command's key: one combination, or a two-step chord written with a space ("KeyG Digit3", "g 3"):
 * the first step is pressed, released, then the second.
 */
export const parseKeySequence = (spec: string): KeyBinding[] =>
  spec.trim() === "" || spec === " "
    ? [parseKeyBinding("Space")]
    : spec.trim().split(/\s+/).map(parseKeyBinding);

/** The canonical form of a spec: "Mod+Z" → "Mod+KeyZ", "?" → "Shift+Slash", "g 3" → "KeyG Digit3". */
export const canonicalKeys = (spec: string): string => parseKeySequence(spec).map(formatCombo).join(" ");

/** Keys of the numeric keypad that stand for a main-block key (NumpadAdd types "+": Shift+Equal). */
const NUMPAD_AS: Readonly<Record<string, { code: string; shift: boolean }>> = {
  ...Object.fromEntries([..."0123456789"].map((d) => [`Numpad${d}`, { code: `Digit${d}`, shift: false }])),
  NumpadAdd: { code: "Equal", shift: true },
  NumpadSubtract: { code: "Minus", shift: false },
  NumpadEnter: { code: "Enter", shift: false },
};

export const isMod = (e: { ctrl: boolean; meta?: boolean | undefined }): boolean => e.ctrl || e.meta === true;

/**
 * The physical key of an event. Events without a code (some virtual keyboards, synthetic events)
 * fall back to the US key that types their character.
 */
const eventCode = (e: KeyDownEvent): { code: string; shift: boolean } => {
  if (e.code !== "" && e.code !== "Unidentified") {
    // A shifted US character on its own key ("?" on Slash) is Shift+that key even where the event
    // leaves shiftKey unset (synthetic input, some remote desktops).
    const us = US_KEYS[e.key];
    return { code: e.code, shift: e.shift || (us?.shift === true && us.code === e.code) };
  }
  const us = US_KEYS[e.key.length === 1 ? e.key.toLowerCase() : e.key];
  if (us) return { code: us.code, shift: e.shift || us.shift };
  return { code: ALIASES[e.key] ?? e.key, shift: e.shift };
};

/** The combination an event is, as a binding would be written (for capturing a new key). */
export const bindingOfEvent = (e: KeyDownEvent): KeyBinding => {
  const { code, shift } = eventCode(e);
  return { mod: isMod(e), alt: e.alt, shift, code };
};

export const matchesBinding = (b: KeyBinding, e: KeyDownEvent): boolean => {
  if (b.mod !== isMod(e) || b.alt !== e.alt) return false;
  const { code, shift } = eventCode(e);
  if (b.code === code && b.shift === shift) return true;
  // The keypad's digits, plus, minus and Enter do what the main block's do (a keypad key never needs Shift).
  const alias = NUMPAD_AS[code];
  return alias !== undefined && !shift && alias.code === b.code && alias.shift === b.shift;
};

/** Whether one key press could match both bindings. */
export const bindingsOverlap = (a: KeyBinding, b: KeyBinding): boolean =>
  a.code === b.code && a.mod === b.mod && a.alt === b.alt && a.shift === b.shift;

/** Whether two key specs (combinations or chords) clash: one press sequence would run both. */
export const keysOverlap = (a: string, b: string): boolean => {
  const sa = parseKeySequence(a);
  const sb = parseKeySequence(b);
  // A chord whose first step is another command's whole key can never be reached, and vice versa.
  const n = Math.min(sa.length, sb.length);
  for (let i = 0; i < n; i++) if (!bindingsOverlap(sa[i] as KeyBinding, sb[i] as KeyBinding)) return false;
  return true;
};

/** Single-step keys match a single press; chords match through the editor's pending first step. */
export const matchesKeys = (keys: readonly string[], e: KeyDownEvent): boolean =>
  keys.some((k) => {
    const seq = parseKeySequence(k);
    return seq.length === 1 && matchesBinding(seq[0] as KeyBinding, e);
  });
