import type { Editor } from "@labelbench/editor";
import { canonicalKeys } from "@labelbench/editor";
import { useStore } from "zustand";
import { shortLabel } from "../keymap/keymap-model";
import { Keys } from "./Keys";

/** How many completions the hint lists; a set of 80 labels would not fit. */
const MAX_SHOWN = 12;

/**
 * While a chord waits for its second key (G pressed, then 3 expected): what the first key was and
 * what each second key does. Gone on the second key, Escape or the timeout (the editor's state).
 */
export function ChordHint({ editor }: { editor: Editor }) {
  const pending = useStore(editor.store, (s) => s.pendingChord);
  const mode = useStore(editor.store, (s) => s.mode);
  if (pending === null) return null;
  const next: { key: string; what: string }[] = [];
  for (const c of editor.commands.values()) {
    if (c.mode !== undefined && c.mode !== mode) continue;
    for (const k of c.keys) {
      const [first, second] = canonicalKeys(k).split(" ");
      if (first === pending && second)
        next.push({ key: second, what: c.group === "Labels" ? labelName(c.label) : shortLabel(c) });
    }
  }
  return (
    <div className="ed-chord-hint" role="status" data-testid="chord-hint">
      <Keys spec={pending} /> … press the second key (Esc cancels)
      <ul>
        {next.slice(0, MAX_SHOWN).map((n) => (
          <li key={n.key}>
            <Keys spec={n.key} /> {n.what}
          </li>
        ))}
        {next.length > MAX_SHOWN && <li>and {next.length - MAX_SHOWN} more</li>}
      </ul>
    </div>
  );
}

/** `Label "car" (relabel …)` → car. */
const labelName = (label: string) => /"(.*)"/.exec(label)?.[1] ?? label;
