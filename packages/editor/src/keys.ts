import type { EditorEvent } from "./types.js";

export type KeyDownEvent = Extract<EditorEvent, { type: "keyDown" }>;

export interface KeyBinding {
  mod: boolean;
  shift: boolean;
  alt: boolean;
  /** Lower-case for letters; named keys as in KeyboardEvent.key ("ArrowUp", "Delete", "Enter", " "). */
  key: string;
}

const MODIFIERS = new Set(["mod", "ctrl", "cmd", "meta", "shift", "alt"]);

/** Parses "Mod+Shift+Z", "Shift+ArrowUp", "?", "+" (a lone "+" is the plus key). */
export const parseKeyBinding = (spec: string): KeyBinding => {
  const parts =
    spec === "+" ? ["+"] : spec.endsWith("++") ? [...spec.slice(0, -2).split("+"), "+"] : spec.split("+");
  const b: KeyBinding = { mod: false, shift: false, alt: false, key: "" };
  for (const raw of parts) {
    const p = raw.toLowerCase();
    if (MODIFIERS.has(p) && raw !== parts[parts.length - 1]) {
      if (p === "shift") b.shift = true;
      else if (p === "alt") b.alt = true;
      else b.mod = true;
    } else {
      b.key = normalizeKeyName(raw);
    }
  }
  if (b.key === "") throw new Error(`key binding "${spec}" names no key`);
  return b;
};

const normalizeKeyName = (k: string): string => {
  if (k === "Space" || k === "space") return " ";
  if (k === "Esc") return "Escape";
  if (k === "Del") return "Delete";
  return k.length === 1 ? k.toLowerCase() : k;
};

/** Symbols whose key value already encodes Shift on common layouts ("?" is Shift+/), so Shift is not compared. */
const isSymbol = (k: string) => k.length === 1 && !/[a-z0-9 ]/.test(k);

/**
 * The names a key event can match: the produced key (lower-cased letter) and, for digit keys, the digit of
 * `code` — so "Shift+1" matches although the key value is "!" on a US layout.
 */
const eventKeyNames = (e: KeyDownEvent): string[] => {
  const names = [e.key.length === 1 ? e.key.toLowerCase() : e.key];
  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(e.code)?.[1];
  if (digit !== undefined && !names.includes(digit)) names.push(digit);
  const letter = /^Key([A-Z])$/.exec(e.code)?.[1]?.toLowerCase();
  // Non-Latin layouts produce other characters for letter keys; fall back to the physical key.
  if (letter !== undefined && !/^[a-z]$/.test(names[0] ?? "")) names.push(letter);
  return names;
};

export const isMod = (e: { ctrl: boolean; meta?: boolean | undefined }): boolean => e.ctrl || e.meta === true;

export const matchesBinding = (b: KeyBinding, e: KeyDownEvent): boolean => {
  if (b.mod !== isMod(e) || b.alt !== e.alt) return false;
  if (!isSymbol(b.key) && b.shift !== e.shift) return false;
  if (isSymbol(b.key) && b.shift && !e.shift) return false;
  return eventKeyNames(e).includes(b.key);
};

/** Whether one key press could match both bindings (Shift is not compared for symbols, as in matching). */
export const bindingsOverlap = (a: KeyBinding, b: KeyBinding): boolean =>
  a.key === b.key && a.mod === b.mod && a.alt === b.alt && (isSymbol(a.key) || a.shift === b.shift);

export const matchesKeys = (keys: readonly string[], e: KeyDownEvent): boolean =>
  keys.some((k) => matchesBinding(parseKeyBinding(k), e));

/** A plain key press (no Mod/Alt) with this single character, e.g. a label hotkey "1" or "c". */
export const plainKeyChar = (e: KeyDownEvent): string | null => {
  if (isMod(e) || e.alt || e.shift) return null;
  const names = eventKeyNames(e);
  return names.find((n) => n.length === 1) ?? null;
};
