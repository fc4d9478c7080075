import { type Editor, parseKeySequence, US_KEYS } from "@labelbench/editor";
import { layoutKey } from "../keymap/keyboard-layout";

const isMac = () => typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

/** Named keys: how their caps read. */
const NAMES: Record<string, string> = {
  ArrowUp: "↑",
  ArrowDown: "↓",
  ArrowLeft: "←",
  ArrowRight: "→",
  Escape: "Esc",
  Delete: "Del",
  Backspace: "⌫",
  Enter: "Enter",
  NumpadEnter: "Enter",
  Space: "Space",
  PageUp: "PgUp",
  PageDown: "PgDn",
};

/** The US characters of each code: what the key prints plain and with Shift. */
const US_OF_CODE: ReadonlyMap<string, { plain?: string; shifted?: string }> = (() => {
  const m = new Map<string, { plain?: string; shifted?: string }>();
  for (const [name, { code, shift }] of Object.entries(US_KEYS)) {
    const e = m.get(code) ?? {};
    if (shift) e.shifted = name;
    else e.plain = name;
    m.set(code, e);
  }
  return m;
})();

const isLetterOrDigit = (code: string) => /^(?:Key[A-Z]|Digit[0-9]|Numpad[0-9])$/.test(code);

/**
 * The cap of one physical key as the user's layout labels it (Chromium tells; elsewhere the US
 * name), and whether that cap already says Shift: on a US layout Shift+Slash reads "?", not Shift+/.
 */
const keyCap = (code: string, shift: boolean): { cap: string; shiftShown: boolean } => {
  const named = NAMES[code];
  if (named) return { cap: named, shiftShown: false };
  const us = US_OF_CODE.get(code);
  const local = layoutKey(code);
  if (shift && !isLetterOrDigit(code) && us?.shifted && (local === null || local === us.plain)) {
    return { cap: us.shifted, shiftShown: true };
  }
  const cap = local ?? us?.plain ?? code.replace(/^(?:Key|Digit|Numpad)/, "");
  return { cap: cap.length === 1 ? cap.toUpperCase() : cap, shiftShown: false };
};

/**
 * "Mod+Shift+Z" or "Mod+Shift+KeyZ" -> ["Ctrl", "Shift", "Z"] (⌘ and ⇧ on a Mac): the caps of one
 * combination, its key as the user's layout labels it.
 */
export const keyCaps = (spec: string, mac = isMac()): string[] => keySteps(spec, mac)[0] ?? [];

/** The caps of each step: one list for a combination, two for a chord ("g 3" -> [["G"], ["3"]]). */
export const keySteps = (spec: string, mac = isMac()): string[][] =>
  parseKeySequence(spec).map((b) => {
    const { cap, shiftShown } = keyCap(b.code, b.shift);
    const caps: string[] = [];
    if (b.mod) caps.push(mac ? "⌘" : "Ctrl");
    if (b.alt) caps.push(mac ? "⌥" : "Alt");
    if (b.shift && !shiftShown) caps.push(mac ? "⇧" : "Shift");
    caps.push(cap);
    return caps;
  });

/** "Ctrl+Z", "G then 3": one key as text, for tooltips and messages. */
export const keyText = (spec: string, mac = isMac()): string =>
  keySteps(spec, mac)
    .map((caps) => caps.join("+"))
    .join(" then ");

/** "B" or "Ctrl+Z": the first binding of a command, for tooltips. */
export const shortcutOf = (editor: Editor, commandId: string): string => {
  const keys = editor.commands.get(commandId)?.keys;
  const first = keys?.[0];
  return first ? keyText(first) : "";
};

export const withShortcut = (label: string, editor: Editor, commandId: string): string => {
  const k = shortcutOf(editor, commandId);
  return k ? `${label} (${k})` : label;
};
