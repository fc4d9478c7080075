import { applyKeymap, bindingOfEvent, type Command } from "@labelbench/editor";
import { formatCombo, isKeyCode } from "@labelbench/schema";
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { ApiError } from "../api/client";
import { keyDownOf } from "../editor/dom-key";
import { Keys } from "../editor/Keys";
import { keyText } from "../editor/keys-display";
import { groupCommands } from "../editor/ShortcutsOverlay";
import { Icon } from "../ui/icons";
import { useTitle } from "../ui/useTitle";
import { catalogCommands } from "./command-catalog";
import { layoutVersion, onLayoutChange } from "./keyboard-layout";
import { dropKey, giveKey, isChanged, type KeyChange, resetKey, shortLabel } from "./keymap-model";
import { useKeymap } from "./keymap-store";
import "./keymap.css";

/** Keys that are only modifiers: capturing waits for the key they modify. */
const MODIFIER_CODES = /^(?:Shift|Control|Alt|Meta|OS)(?:Left|Right)?$|^(?:CapsLock|Fn|AltGraph)$/;

interface Capture {
  commandId: string;
  how: "replace" | "add";
}

/**
 * The user's own keys (user menu → Keyboard shortcuts): every command of the editor's registry by
 * group, with its keys; Change / Add captures the next key press (Escape cancels), refusing a key
 * another command has with its name; per-command reset and reset all. Saved on the server at once.
 */
export function KeymapPage() {
  useTitle("Keyboard shortcuts");
  const catalog = useMemo(() => catalogCommands(), []);
  const bindings = useKeymap((s) => s.bindings);
  const status = useKeymap((s) => s.status);
  const save = useKeymap((s) => s.save);
  // Caps follow the keyboard layout once the browser has told it.
  useSyncExternalStore(onLayoutChange, layoutVersion);
  const [capture, setCapture] = useState<Capture | null>(null);
  // An error about one command shows in its row (where the user is looking), the rest at the top.
  const [notice, setNotice] = useState<{ kind: "error" | "ok"; text: string; commandId?: string } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);

  const current = useMemo(() => applyKeymap(catalog, bindings), [catalog, bindings]);
  const groups = useMemo(
    () => [
      ...groupCommands(
        current.filter((c) => c.mode !== "review"),
        "annotate",
        true,
      ),
      ...groupCommands(
        current.filter((c) => c.mode === "review"),
        "review",
        true,
      ),
    ],
    [current],
  );

  const apply = async (change: KeyChange, done: string, commandId?: string) => {
    if (!change.ok) {
      setNotice({ kind: "error", text: change.message, ...(commandId ? { commandId } : {}) });
      return;
    }
    setBusy(true);
    try {
      await save(change.bindings);
      setNotice({ kind: "ok", text: done });
    } catch (err) {
      setNotice({ kind: "error", text: err instanceof ApiError ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (!capture) return;
    const onKey = (e: KeyboardEvent) => {
      // The page's own keys wait: this press is the new key.
      e.preventDefault();
      e.stopPropagation();
      if (MODIFIER_CODES.test(e.code) || e.repeat) return;
      if (e.code === "Escape" && !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey) {
        setCapture(null);
        setNotice(null);
        return;
      }
      if (!isKeyCode(e.code)) {
        setCapture(null);
        setNotice({
          kind: "error",
          text: `That key (${e.code || e.key}) cannot be a shortcut; choose another`,
          commandId: capture.commandId,
        });
        return;
      }
      const spec = formatCombo(bindingOfEvent(keyDownOf(e)));
      const cmd = catalog.find((c) => c.id === capture.commandId);
      setCapture(null);
      if (!cmd) return;
      void apply(
        giveKey(catalog, useKeymap.getState().bindings, cmd.id, spec, capture.how),
        `${shortLabel(cmd)}: ${keyText(spec)}`,
        cmd.id,
      );
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  });

  const changedCount = Object.keys(bindings).length;

  return (
    <main id="main" className="page page--medium keymap-page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Keyboard shortcuts</h1>
          <p className="page-subtitle">
            Your own keys for the editor, saved with your account. Keys are physical keys: they stay where
            they are whatever your keyboard layout, and show as your keyboard labels them. Label hotkeys
            belong to each project's label set; a key you choose here wins over a label's.
          </p>
        </div>
        <button
          type="button"
          className="button"
          disabled={changedCount === 0 || busy}
          onClick={() => void apply({ ok: true, bindings: {} }, "Every command has its default keys again")}
        >
          <Icon name="refresh" size={16} /> Reset all to defaults
        </button>
      </div>
      {status === "failed" && (
        <p className="form-alert" role="alert">
          Your keys could not be loaded; the defaults are shown. Reload the page to try again.
        </p>
      )}
      <p
        className={`keymap-notice${notice?.kind === "error" && !notice.commandId ? " is-error" : ""}`}
        role="status"
        aria-live="polite"
      >
        {capture
          ? "Press the new key combination… (Esc cancels)"
          : notice && !notice.commandId
            ? notice.text
            : notice?.kind === "ok"
              ? notice.text
              : changedCount > 0
                ? `${changedCount} ${changedCount === 1 ? "command has" : "commands have"} your keys`
                : "All keys are the defaults"}
      </p>
      <div className="keymap-groups">
        {groups.map(([group, cmds]) => (
          <section key={group} className="card card--flush keymap-group" aria-label={group}>
            <h2 className="card__title keymap-group__title">{group}</h2>
            <ul className="keymap-list">
              {cmds.map((c) => (
                <KeymapRow
                  key={c.id}
                  command={c}
                  changed={isChanged(bindings, c.id)}
                  capturing={capture?.commandId === c.id ? capture.how : null}
                  busy={busy}
                  onCapture={(how) => {
                    setNotice(null);
                    setCapture({ commandId: c.id, how });
                  }}
                  onRemove={(spec) =>
                    void apply(
                      { ok: true, bindings: dropKey(catalog, bindings, c.id, spec) },
                      `${shortLabel(c)}: ${keyText(spec)} removed`,
                    )
                  }
                  onReset={() =>
                    void apply(resetKey(catalog, bindings, c.id), `${shortLabel(c)}: default keys`, c.id)
                  }
                  error={notice?.kind === "error" && notice.commandId === c.id ? notice.text : null}
                />
              ))}
            </ul>
          </section>
        ))}
      </div>
    </main>
  );
}

function KeymapRow(props: {
  command: Command;
  changed: boolean;
  capturing: "replace" | "add" | null;
  busy: boolean;
  error: string | null;
  onCapture(how: "replace" | "add"): void;
  onRemove(spec: string): void;
  onReset(): void;
}) {
  const { command: c, changed, capturing, busy } = props;
  const name = shortLabel(c);
  return (
    <li className={`keymap-row${changed ? " is-changed" : ""}`} data-testid={`keymap-${c.id}`}>
      <span className="keymap-row__label" title={c.label}>
        {name}
        {changed && <span className="keymap-row__mark">changed</span>}
      </span>
      <span className="keymap-row__keys">
        {capturing ? (
          <span className="keymap-row__capture">Press keys…</span>
        ) : c.keys.length === 0 ? (
          <span className="muted">No key</span>
        ) : (
          c.keys.map((k) => (
            <span key={k} className="keymap-chip">
              <Keys spec={k} />
              <button
                type="button"
                className="keymap-chip__remove"
                aria-label={`Remove ${keyText(k)} from ${name}`}
                title={`Remove ${keyText(k)}`}
                disabled={busy}
                onClick={() => props.onRemove(k)}
              >
                <Icon name="close" size={12} />
              </button>
            </span>
          ))
        )}
      </span>
      <span className="keymap-row__actions">
        <button
          type="button"
          className="button button--small"
          aria-label={`Change ${name}`}
          disabled={busy}
          onClick={() => props.onCapture("replace")}
        >
          Change
        </button>
        <button
          type="button"
          className="button button--small"
          aria-label={`Add a key to ${name}`}
          disabled={busy}
          onClick={() => props.onCapture("add")}
        >
          Add
        </button>
        <button
          type="button"
          className="button button--small"
          aria-label={`Reset ${name}`}
          disabled={!changed || busy}
          onClick={props.onReset}
        >
          Reset
        </button>
      </span>
      {props.error && (
        <p className="keymap-row__error" role="alert">
          {props.error}
        </p>
      )}
    </li>
  );
}
