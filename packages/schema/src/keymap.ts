import { z } from "zod";
import { endpoint } from "./endpoint.js";

/**
 * A user's own keys (issue 18). Bindings name physical keys — `KeyboardEvent.code` ("KeyZ", "Digit1",
 * "BracketLeft") — plus modifiers, so a user on AZERTY or QWERTZ presses the same physical keys as on
 * a US keyboard; the web shows each key as the user's layout labels it. One combination is written
 * canonically as `[Mod+][Alt+][Shift+]Code` ("Mod+Shift+KeyZ"); "Mod" is Ctrl, or ⌘ on a Mac.
 */

const LETTERS = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"].map((c) => `Key${c}`);
const DIGITS = [..."0123456789"].map((d) => `Digit${d}`);
const NUMPAD = [
  ...[..."0123456789"].map((d) => `Numpad${d}`),
  "NumpadAdd",
  "NumpadSubtract",
  "NumpadMultiply",
  "NumpadDivide",
  "NumpadDecimal",
  "NumpadEnter",
];
const FUNCTION_KEYS = Array.from({ length: 12 }, (_, i) => `F${i + 1}`);

/** Every physical key a binding may name (modifier keys alone are not bindings). */
export const KEY_CODES: readonly string[] = [
  ...LETTERS,
  ...DIGITS,
  "Minus",
  "Equal",
  "BracketLeft",
  "BracketRight",
  "Backslash",
  "Semicolon",
  "Quote",
  "Backquote",
  "Comma",
  "Period",
  "Slash",
  "IntlBackslash",
  "Space",
  "Enter",
  "Tab",
  "Escape",
  "Backspace",
  "Delete",
  "Insert",
  "Home",
  "End",
  "PageUp",
  "PageDown",
  "ArrowUp",
  "ArrowDown",
  "ArrowLeft",
  "ArrowRight",
  ...FUNCTION_KEYS,
  ...NUMPAD,
];
const CODE_SET: ReadonlySet<string> = new Set(KEY_CODES);
export const isKeyCode = (code: string): boolean => CODE_SET.has(code);

/** One key combination: modifiers and one physical key. */
export interface KeyCombo {
  mod: boolean;
  alt: boolean;
  shift: boolean;
  code: string;
}

/** "Mod+Shift+KeyZ" — the one way a combination is stored and compared. */
export const formatCombo = (c: KeyCombo): string =>
  `${c.mod ? "Mod+" : ""}${c.alt ? "Alt+" : ""}${c.shift ? "Shift+" : ""}${c.code}`;

/** Parses a canonical combination; null when it is not one (unknown code, modifiers out of order or repeated). */
export const parseCombo = (s: string): KeyCombo | null => {
  const parts = s.split("+");
  const code = parts.pop() ?? "";
  if (!isKeyCode(code)) return null;
  const c: KeyCombo = {
    mod: parts.includes("Mod"),
    alt: parts.includes("Alt"),
    shift: parts.includes("Shift"),
    code,
  };
  return formatCombo(c) === s ? c : null;
};

/**
 * Modes a command is active in, as the editor has them: commands of different modes may share a key
 * (a review key and an annotating key), commands of one mode may not.
 */
export type KeymapMode = "any" | "annotate" | "review";

/**
 * The commands a user may rebind, with the mode each runs in. The web's command catalog must list
 * exactly these (apps/web/src/keymap/command-catalog.test.ts): a new command is added here too.
 * Label hotkeys are not here — they belong to the project's label set (the labels page).
 */
export const KEYMAP_COMMANDS = {
  "tool.select": "any",
  "tool.box": "any",
  "tool.polygon": "any",
  "tool.pan": "any",
  "edit.undo": "any",
  "edit.redo": "any",
  "edit.delete": "any",
  "edit.copy": "any",
  "edit.paste": "any",
  "edit.selectAll": "any",
  "edit.deselect": "any",
  "edit.nudgeUp": "any",
  "edit.nudgeDown": "any",
  "edit.nudgeLeft": "any",
  "edit.nudgeRight": "any",
  "edit.nudgeUp10": "any",
  "edit.nudgeDown10": "any",
  "edit.nudgeLeft10": "any",
  "edit.nudgeRight10": "any",
  "edit.copyFromPrevious": "annotate",
  "file.save": "any",
  "view.nextObject": "any",
  "view.previousObject": "any",
  "view.fit": "any",
  "view.actualSize": "any",
  "view.zoomIn": "any",
  "view.zoomOut": "any",
  "view.findLabel": "any",
  "nav.previous": "any",
  "nav.next": "any",
  "nav.nextNew": "annotate",
  "image.done": "annotate",
  "image.skip": "annotate",
  "help.shortcuts": "any",
  "review.accept": "review",
  "review.reject": "review",
  "review.fix": "review",
  "review.issueTool": "review",
  "review.toggleDiff": "review",
  "predictions.next": "any",
  "predictions.previous": "any",
  "predictions.accept": "any",
  "predictions.reject": "any",
  "predictions.acceptAllVisible": "any",
  "attribute.1": "annotate",
  "attribute.2": "annotate",
  "attribute.3": "annotate",
  "attribute.4": "annotate",
  "attribute.5": "annotate",
  "attribute.6": "annotate",
  "attribute.7": "annotate",
  "attribute.8": "annotate",
  "attribute.9": "annotate",
} as const satisfies Record<string, KeymapMode>;
export type KeymapCommandId = keyof typeof KEYMAP_COMMANDS;
export const isKeymapCommand = (id: string): id is KeymapCommandId => Object.hasOwn(KEYMAP_COMMANDS, id);

/** Whether two commands can ever be active at once (and so may not share a key). */
export const modesMeet = (a: KeymapMode, b: KeymapMode): boolean => a === "any" || b === "any" || a === b;

/** Keys one command may have: a main key and a few alternatives. */
export const MAX_KEYS_PER_COMMAND = 4;

const ComboString = z.string().refine((s) => parseCombo(s) !== null, {
  error: (iss) =>
    `"${String(iss.input)}" is not a key combination: write Mod+, Alt+, Shift+ (in this order, each at most once) and then a key code such as KeyZ, Digit1 or BracketLeft`,
});

/**
 * The user's changes to the default keys: command id → its keys ([] unbinds it). Commands not listed
 * keep their defaults. Refused: unknown commands, invalid combinations, a combination twice, and one
 * combination on two commands that can be active at once — each with the path that says where.
 */
export const KeymapBindings = z
  .record(z.string(), z.array(ComboString).max(MAX_KEYS_PER_COMMAND))
  .superRefine((bindings, ctx) => {
    const seen = new Map<string, string[]>();
    for (const [id, combos] of Object.entries(bindings)) {
      if (!isKeymapCommand(id)) {
        ctx.addIssue({ code: "custom", path: [id], message: `"${id}" is not a command that has keys` });
        continue;
      }
      combos.forEach((combo, i) => {
        const holders = seen.get(combo) ?? [];
        if (holders.includes(id)) {
          ctx.addIssue({ code: "custom", path: [id, i], message: `${combo} is listed twice for ${id}` });
        }
        const other = holders.find(
          (h) => h !== id && modesMeet(KEYMAP_COMMANDS[id], KEYMAP_COMMANDS[h as KeymapCommandId]),
        );
        if (other !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [id, i],
            message: `${combo} is already the key of ${other}; one key runs one command`,
          });
        }
        seen.set(combo, [...holders, id]);
      });
    }
  });
export type KeymapBindings = z.infer<typeof KeymapBindings>;

export const Keymap = z.object({
  bindings: KeymapBindings,
  /** When the user last saved; null while they use the defaults. */
  updatedAt: z.string().nullable(),
});
export type Keymap = z.infer<typeof Keymap>;

export const KeymapPut = z.object({ bindings: KeymapBindings }).strict();
export type KeymapPut = z.input<typeof KeymapPut>;

export const keymapApi = {
  getKeymap: endpoint({
    method: "GET",
    path: "/me/keymap",
    summary: "The signed-in user's own keys (changes to the defaults; {} when none)",
    response: Keymap,
  }),
  putKeymap: endpoint({
    method: "PUT",
    path: "/me/keymap",
    summary: "Replace the signed-in user's own keys; {} goes back to the defaults",
    body: KeymapPut,
    response: Keymap,
  }),
};
