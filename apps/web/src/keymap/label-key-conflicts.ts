import { applyKeymap, type Command, commandsMeet, keysOverlap, type UserKeymap } from "@labelbench/editor";
import type { Label } from "@labelbench/schema";
import { catalogCommands } from "./command-catalog";

/** A label hotkey that a command's key takes in the editor: the command runs, the label's key does not. */
export interface LabelKeyConflict {
  readonly label: Pick<Label, "id" | "name" | "hotkey">;
  /** The label's hotkey as the editor binds it ("g 3" for the chord g3). */
  readonly labelKey: string;
  readonly command: Pick<Command, "id" | "label">;
  /** The command's key that takes it (the same key, or a chord's first key). */
  readonly commandKey: string;
}

/** "g3" → "g 3": a two-character hotkey is a chord (as packages/editor labelCommands binds it). */
export const labelKeySpec = (hotkey: string): string => [...hotkey.toLowerCase()].join(" ");

/** Label hotkeys are active while annotating: only commands of that mode (or of every mode) meet them. */
const ANNOTATE = { mode: "annotate" as const };

/**
 * Which label hotkeys collide with a command's keys among `commands` (the keys in effect). The
 * rule, the same in the editor (packages/editor applyKeymap, `labelKeyWinner` below): **the command
 * wins**. A user's own key is a choice they made for every project, a label's hotkey one project's
 * default; the label stays a click away in the palette or the tag panel, and `/` finds it by name.
 */
export const labelKeyConflicts = (
  labels: readonly Pick<Label, "id" | "name" | "hotkey">[],
  commands: readonly Command[],
): LabelKeyConflict[] => {
  const active = commands.filter((c) => commandsMeet(c, ANNOTATE));
  return labels.flatMap((label) => {
    if (!label.hotkey) return [];
    const labelKey = labelKeySpec(label.hotkey);
    for (const c of active)
      for (const k of c.keys)
        if (keysOverlap(k, labelKey))
          return [{ label, labelKey, command: { id: c.id, label: c.label }, commandKey: k }];
    return [];
  });
};

/** Against the default keys: what the labels page tells a manager, for every annotator. */
export const defaultKeyConflicts = (labels: readonly Pick<Label, "id" | "name" | "hotkey">[]) =>
  labelKeyConflicts(labels, catalogCommands());

/** Against one user's keys (their keymap over the defaults): what the editor tells that annotator. */
export const userKeyConflicts = (
  labels: readonly Pick<Label, "id" | "name" | "hotkey">[],
  keymap: UserKeymap,
) => labelKeyConflicts(labels, applyKeymap(catalogCommands(), keymap));
