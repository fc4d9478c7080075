import { keysOverlap } from "./keys.js";
import type { Command } from "./types.js";

/** A user's changes to the default keys: command id → its keys ([] leaves the command without keys). */
export type UserKeymap = Readonly<Record<string, readonly string[]>>;

/** Both commands can be active at once: a command without a mode is active in every mode. */
export const commandsMeet = (a: Pick<Command, "mode">, b: Pick<Command, "mode">): boolean =>
  a.mode === undefined || b.mode === undefined || a.mode === b.mode;

/** The two share keys on purpose (the arrows nudge a selection, else change image). */
const shareOnPurpose = (a: Command, b: Command): boolean =>
  a.fallbackFor?.includes(b.id) === true || b.fallbackFor?.includes(a.id) === true;

/**
 * The command other than `self` that already answers `spec` among `commands` (their current keys),
 * or null: what the keymap page names when it refuses a key ("Ctrl+Z is already Undo").
 */
export const keyHolder = (commands: Iterable<Command>, self: Command, spec: string): Command | null => {
  for (const other of commands) {
    if (other.id === self.id || !commandsMeet(self, other) || shareOnPurpose(self, other)) continue;
    if (other.keys.some((k) => keysOverlap(k, spec))) return other;
  }
  return null;
};

/**
 * The commands with the user's keys: a command the keymap names gets its keys from there; a command
 * it does not name keeps its defaults, except a default key the user gave to another command — the
 * user's choice wins, so one key never runs two commands. Order (dispatch order) is kept.
 */
export const applyKeymap = (commands: readonly Command[], keymap: UserKeymap): Command[] => {
  const chosen = commands.filter((c) => Object.hasOwn(keymap, c.id));
  return commands.map((c) => {
    const own = keymap[c.id];
    if (own !== undefined) return { ...c, keys: [...own] };
    const keys = c.keys.filter(
      (k) =>
        !chosen.some(
          (o) =>
            commandsMeet(c, o) &&
            !shareOnPurpose(c, o) &&
            (keymap[o.id] ?? []).some((ok) => keysOverlap(ok, k)),
        ),
    );
    return keys.length === c.keys.length ? c : { ...c, keys };
  });
};
