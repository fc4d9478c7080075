import type { Label } from "@labelbench/schema";
import { useMemo } from "react";
import { Link } from "react-router";
import { keyText } from "../editor/keys-display";
import { useKeymap } from "./keymap-store";
import { type LabelKeyConflict, userKeyConflicts } from "./label-key-conflicts";

/** The label hotkeys the signed-in user's own keys take, by label id. */
export const useLabelKeyConflicts = (labels: readonly Label[]): ReadonlyMap<number, LabelKeyConflict> => {
  const keymap = useKeymap((s) => s.bindings);
  return useMemo(
    () => new Map(userKeyConflicts(labels, keymap).map((c) => [c.label.id, c])),
    [labels, keymap],
  );
};

/** "3 (car) is your key for Box tool": one conflict in words. */
export const conflictText = (c: LabelKeyConflict): string =>
  `${keyText(c.labelKey)} (${c.label.name}) is your key for ${c.command.label}`;

/**
 * Says, in the editor, which label hotkeys the user's own keys take and which one wins: their key.
 * The label stays a click away (and `/` finds it by name).
 */
export function LabelKeyNote({ conflicts }: { conflicts: ReadonlyMap<number, LabelKeyConflict> }) {
  if (conflicts.size === 0) return null;
  const list = [...conflicts.values()];
  return (
    <p className="ed-keynote" role="note" data-testid="label-key-note">
      Your keys take {list.length === 1 ? "a label hotkey" : `${list.length} label hotkeys`}:{" "}
      {list.slice(0, 3).map(conflictText).join("; ")}
      {list.length > 3 ? `; and ${list.length - 3} more` : ""}. Your key wins: pick{" "}
      {list.length === 1 ? "that label" : "those labels"} here or with /.{" "}
      <Link to="/settings/keys">Your keys</Link>
    </p>
  );
}
