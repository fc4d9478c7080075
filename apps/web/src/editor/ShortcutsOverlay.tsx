import type { Command, Editor, EditorMode } from "@labelbench/editor";
import { useMemo } from "react";
import { useStore } from "zustand";
import { APP_COMMANDS } from "./app-commands";
import { EdIcon } from "./icons";
import { Keys } from "./Keys";

const GROUP_ORDER = [
  "Review",
  "Predictions",
  "Tools",
  "Edit",
  "Labels",
  "Attributes",
  "View",
  "Navigation",
  "Help",
];

/**
 * Groups the registry in a stable order; groups nobody planned for still show, after the known ones.
 * Only the commands of `mode` (and those of every mode) are listed: they are the ones the keys run;
 * commands without keys only when asked (the keymap page lists them to give them one).
 */
export const groupCommands = (
  commands: Iterable<Command>,
  mode: EditorMode = "annotate",
  withoutKeys = false,
): [string, Command[]][] => {
  const groups = new Map<string, Command[]>();
  for (const c of commands) {
    if ((c.keys.length === 0 && !withoutKeys) || (c.mode !== undefined && c.mode !== mode)) continue;
    const list = groups.get(c.group) ?? [];
    list.push(c);
    groups.set(c.group, list);
  }
  const rank = (g: string) => {
    const i = GROUP_ORDER.indexOf(g);
    return i === -1 ? GROUP_ORDER.length : i;
  };
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
};

/**
 * The `?` overlay, generated from the editor's command registry (label hotkeys included, since they are
 * commands too), so it cannot drift from what the keys do: with the user's own keys (the registry
 * holds them), each shown as the keyboard's layout labels it. Pointer gestures are listed separately.
 */
export function ShortcutsOverlay({ editor, onClose }: { editor: Editor; onClose: () => void }) {
  const mode = useStore(editor.store, (s) => s.mode);
  const groups = useMemo(() => groupCommands(editor.commands.values(), mode), [editor, mode]);
  const helpKey = editor.commands.get(APP_COMMANDS.help)?.keys[0];
  return (
    <div className="ed-overlay">
      <div
        className="ed-help"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        data-testid="shortcuts"
      >
        <header className="ed-help__head">
          <h2>Keyboard shortcuts</h2>
          <button type="button" className="ed-icon-btn" aria-label="Close" onClick={onClose}>
            <EdIcon name="close" />
          </button>
        </header>
        <div className="ed-help__grid">
          {groups.map(([group, cmds]) => (
            <section key={group} className="ed-help__group">
              <h3>{group}</h3>
              <dl>
                {cmds.map((c) => (
                  <div key={c.id} className="ed-help__row">
                    <dt>{c.label}</dt>
                    <dd>
                      {c.keys.map((k, i) => (
                        <span key={k} className="ed-help__binding">
                          {i > 0 && <span className="ed-help__or">or</span>}
                          <Keys spec={k} />
                        </span>
                      ))}
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
          <section className="ed-help__group">
            <h3>Mouse</h3>
            <dl>
              {[
                ["Zoom at the cursor", "Wheel"],
                ["Pan", "Space + drag, middle button"],
                ["Add to selection", "Shift + click"],
                ["Select many", "Drag on empty space"],
                ["Insert a vertex", "Double-click an edge"],
                ["Delete a vertex", "Alt + click it"],
                ["Close a polygon", "Click the first vertex, double-click"],
                ["Pin an issue (issue tool)", "Click a shape or a point, drag a region"],
              ].map(([what, how]) => (
                <div key={what} className="ed-help__row">
                  <dt>{what}</dt>
                  <dd className="ed-help__mouse">{how}</dd>
                </div>
              ))}
            </dl>
          </section>
        </div>
        <p className="ed-help__foot">
          Press {helpKey && <Keys spec={helpKey} />} or <kbd className="ed-kbd">Esc</kbd> to close. Change
          your keys under your account menu, Keyboard shortcuts.
        </p>
      </div>
    </div>
  );
}
