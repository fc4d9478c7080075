import { applyKeymap, type Command, canonicalKeys, keyHolder } from "@labelbench/editor";
import { type KeymapBindings, MAX_KEYS_PER_COMMAND } from "@labelbench/schema";
import { keyText } from "../editor/keys-display";

/** A command's name without its parenthesised hint: "Previous image (in review: …)" → "Previous image". */
export const shortLabel = (c: Pick<Command, "label">): string => c.label.replace(/\s*\(.*$/, "").trim();

export type KeyChange = { ok: true; bindings: KeymapBindings } | { ok: false; message: string };

/**
 * The user's keymap after giving `spec` to a command — as its only key ("replace") or one more
 * ("add") — or why not: a key another command answers to is refused with that command's name
 * ("Ctrl+Z is already Undo"), as the editor would otherwise run one of the two.
 */
export const giveKey = (
  catalog: readonly Command[],
  bindings: KeymapBindings,
  commandId: string,
  spec: string,
  how: "replace" | "add",
): KeyChange => {
  const current = applyKeymap(catalog, bindings);
  const self = current.find((c) => c.id === commandId);
  if (!self) return { ok: false, message: `No command ${commandId}` };
  const key = canonicalKeys(spec);
  const holder = keyHolder(current, self, key);
  if (holder) return { ok: false, message: `${keyText(key)} is already ${shortLabel(holder)}` };
  const mine = self.keys.map(canonicalKeys);
  if (how === "add" && mine.includes(key)) {
    return { ok: false, message: `${keyText(key)} is already a key of ${shortLabel(self)}` };
  }
  if (how === "add" && mine.length >= MAX_KEYS_PER_COMMAND) {
    return {
      ok: false,
      message: `${shortLabel(self)} has ${MAX_KEYS_PER_COMMAND} keys already; remove one first`,
    };
  }
  const keys = how === "add" ? [...mine, key] : [key];
  return { ok: true, bindings: normalized(catalog, { ...bindings, [commandId]: keys }) };
};

/** Without one of the command's keys. */
export const dropKey = (
  catalog: readonly Command[],
  bindings: KeymapBindings,
  commandId: string,
  spec: string,
): KeymapBindings => {
  const self = applyKeymap(catalog, bindings).find((c) => c.id === commandId);
  if (!self) return bindings;
  const key = canonicalKeys(spec);
  return normalized(catalog, {
    ...bindings,
    [commandId]: self.keys.map(canonicalKeys).filter((k) => k !== key),
  });
};

/** Back to the command's default keys, unless another command has one of them now. */
export const resetKey = (
  catalog: readonly Command[],
  bindings: KeymapBindings,
  commandId: string,
): KeyChange => {
  const self = catalog.find((c) => c.id === commandId);
  if (!self) return { ok: false, message: `No command ${commandId}` };
  const { [commandId]: _, ...rest } = bindings;
  const others = applyKeymap(catalog, bindings);
  for (const key of self.keys) {
    const holder = keyHolder(others, self, canonicalKeys(key));
    if (holder) {
      return {
        ok: false,
        message: `${keyText(key)} is now ${shortLabel(holder)}: give ${shortLabel(holder)} another key first`,
      };
    }
  }
  return { ok: true, bindings: normalized(catalog, rest) };
};

/** Whether the user changed this command's keys. */
export const isChanged = (bindings: KeymapBindings, commandId: string): boolean =>
  Object.hasOwn(bindings, commandId);

/**
 * Only real changes are kept: a command whose keys equal its defaults again is dropped from the
 * map, so a later change of that default still reaches the user.
 */
const normalized = (catalog: readonly Command[], bindings: KeymapBindings): KeymapBindings => {
  const out: Record<string, string[]> = {};
  for (const c of catalog) {
    const own = bindings[c.id];
    if (own === undefined) continue;
    const defaults = c.keys.map(canonicalKeys);
    if (own.length === defaults.length && own.every((k, i) => k === defaults[i])) continue;
    out[c.id] = [...own];
  }
  return out;
};
