/**
 * Label rules the server enforces and the web's label editor checks while the user types: one
 * definition for both, so the editor cannot tell a user a name is free that the server refuses.
 */

/** How many labels one bulk create adds at most. */
export const MAX_BULK_LABELS = 1000;

/**
 * A label hotkey: one key — a digit 1-9 or a letter — or, for sets beyond what single keys reach, a
 * two-key chord: a letter, then a digit or a letter ("g3" is G, then 3). Case is folded.
 */
export const HOTKEY_PATTERN = /^(?:[1-9a-zA-Z]|[a-zA-Z][0-9a-zA-Z])$/;

/**
 * Two label hotkeys that cannot be in one set: the same keys, or one key that is the first step of the
 * other's chord ("g" and "g3": after G the editor could not know whether to wait for the 3).
 */
export const hotkeysClash = (a: string, b: string): boolean => {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || (x.length !== y.length && (x[0] === y || y[0] === x));
};

/** The key two label names collide on (the `name_key` column): "Car" and " car" are one name. */
export const labelNameKey = (name: string): string => name.trim().toLocaleLowerCase("en-US");

/**
 * The colours new labels get in turn (Tableau 10 + 2, distinguishable side by side), cycled by
 * position; the web's colour picker offers them first.
 */
export const DEFAULT_LABEL_PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
  "#17becf",
  "#bcbd22",
] as const;

export const defaultLabelColor = (position: number): string =>
  DEFAULT_LABEL_PALETTE[position % DEFAULT_LABEL_PALETTE.length] as string;
