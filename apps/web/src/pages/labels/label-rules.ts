import {
  HOTKEY_PATTERN,
  hotkeysClash,
  labelNameKey,
  MAX_BULK_LABELS,
  MAX_LABEL_NAME_LENGTH,
  RESERVED_HOTKEYS,
  type ShapeType,
} from "@labelbench/schema";

/**
 * The label editor's checks, run before anything is sent so the user sees why a value is refused
 * while typing. The server runs the same rules and stays the authority (another tab may have taken
 * the name or hotkey meanwhile); these only spare a round trip and give a friendlier message.
 */

export type Check<T> = { ok: true; value: T } | { ok: false; message: string };

export interface LabelLike {
  id: number;
  name: string;
  hotkey: string | null;
  color?: string;
}

export const MAX_LABEL_NAME = MAX_LABEL_NAME_LENGTH;
export { MAX_BULK_LABELS };

/** The server's name_key, so "Car" and "car" collide here exactly as there. */
export const nameKey = labelNameKey;

export const checkLabelName = (raw: string, labels: readonly LabelLike[], selfId?: number): Check<string> => {
  const name = raw.trim();
  if (name === "") return { ok: false, message: "Name must not be empty" };
  if (name.length > MAX_LABEL_NAME) {
    return { ok: false, message: `Name is ${name.length} characters long; the limit is ${MAX_LABEL_NAME}` };
  }
  const other = labels.find((l) => l.id !== selfId && nameKey(l.name) === nameKey(name));
  if (other) return { ok: false, message: `A label named "${other.name}" already exists` };
  return { ok: true, value: name };
};

/**
 * A hotkey is one key — 1-9 or a letter — or a two-key chord (a letter, then a digit or letter:
 * "g3"), not an editor shortcut (nor starting with one), not another label's key, and neither the
 * first key of another label's chord nor a chord starting with another label's key. "" clears it.
 */
export const checkHotkey = (
  raw: string,
  labels: readonly LabelLike[],
  selfId?: number,
): Check<string | null> => {
  const key = raw.trim();
  if (key === "") return { ok: true, value: null };
  const n = [...key].length;
  if (n > 2) return { ok: false, message: "A hotkey is one key (1-9 or a letter) or a chord of two (g3)" };
  if (key === "0") return { ok: false, message: "0 cannot be a hotkey; use 1-9 or a letter" };
  if (!HOTKEY_PATTERN.test(key)) {
    return n === 1
      ? { ok: false, message: `"${key}" cannot be a hotkey; use a digit 1-9 or a letter a-z` }
      : { ok: false, message: `"${key}" cannot be a chord: a letter, then a digit or a letter (g3)` };
  }
  const k = key.toLowerCase();
  const first = k.slice(0, 1);
  const reserved = RESERVED_HOTKEYS[first];
  if (reserved) {
    return n === 1
      ? { ok: false, message: `"${k}" is reserved for the editor's ${reserved}` }
      : { ok: false, message: `"${k}" starts with "${first}", the editor's ${reserved}` };
  }
  const other = labels.find((l) => l.id !== selfId && l.hotkey && hotkeysClash(l.hotkey, k));
  if (other) {
    return other.hotkey === k
      ? { ok: false, message: `"${k}" is already the hotkey of "${other.name}"` }
      : {
          ok: false,
          message: `"${k}" clashes with "${other.name}"'s "${other.hotkey}": a key cannot also start a chord`,
        };
  }
  return { ok: true, value: k };
};

export const checkShapeTypes = (types: readonly ShapeType[]): Check<ShapeType[]> => {
  const unique = [...new Set(types)].sort();
  if (unique.length === 0) return { ok: false, message: "A label must allow at least one shape type" };
  return { ok: true, value: unique };
};

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** Keys still free for a label, digits first (they sit under the left hand next to the editor keys). */
export const freeHotkeys = (labels: readonly LabelLike[], selfId?: number): string[] => {
  const taken = new Set(labels.filter((l) => l.id !== selfId && l.hotkey).map((l) => l.hotkey));
  return [..."123456789", ...LETTERS].filter((k) => !taken.has(k) && !RESERVED_HOTKEYS[k]);
};

/** The first unused digit, offered to a new label so the first nine labels get 1-9 without effort. */
export const nextFreeDigit = (labels: readonly LabelLike[]): string | null =>
  freeHotkeys(labels).find((k) => /^[1-9]$/.test(k)) ?? null;

export interface BulkParse {
  /** Names to create, trimmed, in pasted order. */
  names: string[];
  /** Lines left out, each with the reason shown to the user. */
  skipped: { name: string; reason: string }[];
}

/**
 * Splits a pasted list into names to create: one per line, and one per cell of a row pasted from a
 * spreadsheet (cells are tab-separated; a tab is never part of a name). Blank lines and cells are
 * ignored silently; repeats, names already in the set and over-long names are reported rather than
 * sent, so one bad line never refuses the whole paste (the server's bulk create is all-or-nothing).
 */
export const parseBulkNames = (text: string, labels: readonly LabelLike[]): BulkParse => {
  const existing = new Map(labels.map((l) => [nameKey(l.name), l.name]));
  const seen = new Set<string>();
  const names: string[] = [];
  const skipped: BulkParse["skipped"] = [];
  for (const cell of text.split(/\r\n|\r|\n|\t/)) {
    const name = cell.trim();
    if (name === "") continue;
    const key = nameKey(name);
    if (name.length > MAX_LABEL_NAME) {
      skipped.push({ name, reason: `longer than ${MAX_LABEL_NAME} characters` });
    } else if (existing.has(key)) {
      skipped.push({ name, reason: `already in the label set as "${existing.get(key)}"` });
    } else if (seen.has(key)) {
      skipped.push({ name, reason: "repeated in the list" });
    } else if (names.length >= MAX_BULK_LABELS) {
      skipped.push({ name, reason: `only ${MAX_BULK_LABELS} labels can be added at once` });
    } else {
      seen.add(key);
      names.push(name);
    }
  }
  return { names, skipped };
};

/** Moves one item; `to` is the index it will have afterwards (what PATCH position expects). */
export const moveItem = <T>(list: readonly T[], from: number, to: number): T[] => {
  if (from < 0 || from >= list.length) return [...list];
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(Math.max(0, Math.min(to, out.length)), 0, item as T);
  return out;
};

/**
 * The index a dragged row gets when dropped before or after row `over`, counted after the dragged
 * row is taken out (moveItem's `to`).
 */
export const dropTarget = (from: number, over: number, after: boolean, count: number): number => {
  let to = over + (after ? 1 : 0);
  if (to > from) to -= 1;
  return Math.max(0, Math.min(count - 1, to));
};

/** The first palette colour no label uses yet, so new labels stay distinguishable; cycles when all are used. */
export const nextFreeColor = (labels: readonly LabelLike[], palette: readonly string[]): string => {
  const used = new Set(labels.map((l) => l.color?.toLowerCase()));
  return (
    palette.find((c) => !used.has(c.toLowerCase())) ?? palette[labels.length % palette.length] ?? "#4e79a7"
  );
};

export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** Accepts "#abc", "abc", "#aabbcc" or "aabbcc" as typed in the hex field; answers "#aabbcc". */
export const normalizeHex = (raw: string): Check<string> => {
  const s = raw.trim().replace(/^#/, "");
  if (/^[0-9a-fA-F]{3}$/.test(s)) {
    return { ok: true, value: `#${[...s].map((c) => c + c).join("")}`.toLowerCase() };
  }
  if (/^[0-9a-fA-F]{6}$/.test(s)) return { ok: true, value: `#${s}`.toLowerCase() };
  return { ok: false, message: "Colour must be a hex value like #e15759" };
};
