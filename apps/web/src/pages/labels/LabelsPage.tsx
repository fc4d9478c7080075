import { type Label, type LabelPatch, RESERVED_HOTKEYS } from "@labelbench/schema";
import { type DragEvent, useId, useMemo, useRef, useState } from "react";
import { call } from "../../api/client";
import { keyText } from "../../editor/keys-display";
import { filterLabels } from "../../editor/label-filter";
import { defaultKeyConflicts } from "../../keymap/label-key-conflicts";
import { useProject } from "../../project/project-context";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading, Spinner } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { BulkPasteDialog } from "./BulkPasteDialog";
import { DeleteLabelDialog, type Usage } from "./DeleteLabelDialog";
import { LabelRow } from "./LabelRow";
import { checkLabelName, dropTarget, freeHotkeys, moveItem, nextFreeColor } from "./label-rules";
import { LABEL_PALETTE } from "./palette";

/** Rows listed before "Show all": enough for most sets, cheap for a set of 1,000. */
const LIST_FIRST = 100;

type Modal = { kind: "bulk" } | { kind: "delete"; label: Label; usage: Usage | null } | null;

export function LabelsPage() {
  const { project } = useProject();
  useTitle("Labels", project.name);
  const projectId = project.id;
  const list = useAsync(
    (signal) => call("listLabels", { params: { projectId }, signal }).then((r) => r.items),
    [projectId],
    "Could not load the label set",
  );
  const labels = list.data ?? [];
  const [modal, setModal] = useState<Modal>(null);
  const [announce, setAnnounce] = useState("");
  // A set of hundreds is searched, not scrolled: the rows keep their place in the set for moves.
  const [query, setQuery] = useState("");
  const matching = useMemo(() => filterLabels(labels, query), [labels, query]);
  const keyConflicts = useMemo(() => defaultKeyConflicts(labels), [labels]);
  // Hundreds of editable rows take seconds to build: the first ones, the rest on request or by search.
  const [limit, setLimit] = useState(LIST_FIRST);
  // Labels added here stay in sight at the end, listed or not.
  const [added, setAdded] = useState<ReadonlySet<number>>(new Set());
  const shown = query.trim() === "" ? matching.filter((l, i) => i < limit || added.has(l.id)) : matching;
  const indexOf = useMemo(() => new Map(labels.map((l, i) => [l.id, i])), [labels]);

  const replace = (updated: Label) =>
    list.setData((prev) => prev?.map((l) => (l.id === updated.id ? updated : l)));

  const save = async (label: Label, patch: LabelPatch): Promise<string | null> => {
    try {
      replace(await call("updateLabel", { params: { projectId, labelId: label.id }, body: patch }));
      return null;
    } catch (err) {
      toastError(`Could not update "${label.name}"`, err);
      return messageOf(err);
    }
  };

  const move = async (from: number, to: number) => {
    const before = labels;
    const moved = before[from];
    if (!moved || from === to) return;
    // Optimistic: the row moves under the pointer now; a refusal puts it back.
    list.setData(() => moveItem(before, from, to).map((l, i) => ({ ...l, position: i })));
    setAnnounce(`${moved.name} moved to position ${to + 1} of ${before.length}`);
    try {
      await call("updateLabel", { params: { projectId, labelId: moved.id }, body: { position: to } });
    } catch (err) {
      list.setData(() => before);
      toastError(`Could not move "${moved.name}"`, err);
    }
  };

  const assignHotkeys = async () => {
    const free = freeHotkeys(labels).filter((k) => /^[1-9]$/.test(k));
    const targets = labels.filter((l) => !l.hotkey).slice(0, free.length);
    for (const [i, l] of targets.entries()) {
      const err = await save(l, { hotkey: free[i] ?? null });
      if (err) return;
    }
    if (targets.length > 0)
      toastSuccess(`Gave ${targets.length} label${targets.length === 1 ? "" : "s"} a hotkey`);
  };

  const drag = useDragReorder(labels.length, (from, to) => void move(from, to));
  const canAssign = labels.some((l) => !l.hotkey) && freeHotkeys(labels).some((k) => /^[1-9]$/.test(k));

  return (
    <main id="main" className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Labels</h1>
          <p className="page-subtitle">
            The classes annotators draw. Order, colours and hotkeys here are what the editor shows.
          </p>
        </div>
        {labels.length > 0 && (
          <div className="page-header__actions">
            {canAssign && (
              <button type="button" className="button" onClick={() => void assignHotkeys()}>
                <Icon name="keyboard" size={16} /> Assign hotkeys 1–9
              </button>
            )}
            <button type="button" className="button" onClick={() => setModal({ kind: "bulk" })}>
              <Icon name="copy" size={16} /> Paste list
            </button>
          </div>
        )}
      </div>

      {list.data === undefined ? (
        list.error ? (
          <ErrorState
            title="Could not load the label set"
            message={messageOf(list.error)}
            onRetry={list.reload}
          />
        ) : (
          <Loading what="labels" />
        )
      ) : (
        <div className="labels-layout">
          <section className="card card--flush" aria-labelledby="labelset-title">
            <h2 id="labelset-title" className="visually-hidden">
              Label set
            </h2>
            <AddLabel
              projectId={projectId}
              labels={labels}
              onAdded={(l) => {
                setAdded((prev) => new Set(prev).add(l.id));
                list.setData((prev) => [...(prev ?? []), l]);
              }}
            />
            {labels.length === 0 ? (
              <EmptyState
                icon="tag"
                title="No labels yet"
                action={
                  <button
                    type="button"
                    className="button button--primary"
                    onClick={() => setModal({ kind: "bulk" })}
                  >
                    <Icon name="copy" size={16} /> Paste a list of names
                  </button>
                }
              >
                Add labels one by one above, or paste a whole list (one name per line) from a spreadsheet or a
                classes.txt.
              </EmptyState>
            ) : (
              <>
                {labels.length > 9 && (
                  <div className="label-list__filter">
                    <input
                      type="search"
                      className="input"
                      placeholder={`Find among ${labels.length} labels`}
                      aria-label="Find a label"
                      value={query}
                      onChange={(e) => setQuery(e.target.value)}
                    />
                    {query.trim() !== "" && (
                      <span className="muted" role="status">
                        {matching.length} of {labels.length}
                      </span>
                    )}
                  </div>
                )}
                <div className="label-list__head" aria-hidden="true">
                  <span />
                  <span>Colour</span>
                  <span>Name</span>
                  <span>Hotkey</span>
                  <span>Shapes</span>
                  <span>Applies to</span>
                  <span />
                  <span>Used by</span>
                  <span />
                </div>
                <ol className="label-list" aria-label="Label set" onDragLeave={drag.onLeave}>
                  {shown.map((l) => {
                    const i = indexOf.get(l.id) ?? 0;
                    return (
                      <LabelRow
                        key={l.id}
                        label={l}
                        index={i}
                        count={labels.length}
                        labels={labels}
                        onSave={(patch) => save(l, patch)}
                        onMove={(to) => void move(i, to)}
                        onDelete={() =>
                          setModal({
                            kind: "delete",
                            label: l,
                            usage: l.annotationCount > 0 ? { annotations: l.annotationCount, tags: 0 } : null,
                          })
                        }
                        drag={drag.rowProps(i)}
                      />
                    );
                  })}
                </ol>
                {shown.length < matching.length && (
                  <div className="label-list__more">
                    <span className="muted">
                      {shown.length} of {matching.length} labels listed; find one above, or
                    </span>
                    <button type="button" className="button button--small" onClick={() => setLimit(Infinity)}>
                      Show all {matching.length}
                    </button>
                  </div>
                )}
              </>
            )}
          </section>
          <aside className="card labels-aside" aria-labelledby="reserved-title">
            <h2 id="reserved-title" className="card__title">
              Hotkeys
            </h2>
            <p className="muted">
              A label's hotkey picks it in the editor. Use 1–9 or a letter; for a large set, a chord of two
              keys — a letter, then a digit or letter: <kbd>G</kbd> <kbd>3</kbd> is G, then 3. In the editor,{" "}
              <kbd>/</kbd> finds a label by name. These letters belong to editor commands:
            </p>
            <ul className="reserved-keys">
              {Object.entries(RESERVED_HOTKEYS).map(([k, v]) => (
                <li key={k}>
                  <kbd>{k.toUpperCase()}</kbd> {v}
                </li>
              ))}
            </ul>
            {keyConflicts.length > 0 && (
              <div className="label-key-conflicts" role="alert" data-testid="label-key-conflicts">
                <p>
                  {keyConflicts.length === 1 ? "This hotkey is" : "These hotkeys are"} also an editor
                  shortcut; in the editor the shortcut wins, so give the label another key:
                </p>
                <ul>
                  {keyConflicts.map((c) => (
                    <li key={c.label.id}>
                      <kbd>{keyText(c.labelKey)}</kbd> {c.label.name} — {c.command.label} (
                      <kbd>{keyText(c.commandKey)}</kbd>)
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <p className="muted">
              Annotators can change their own keys (account menu → Keyboard shortcuts). Where a key of theirs
              takes a label's hotkey, their key wins, and the editor tells them which labels to pick by click
              or with <kbd>/</kbd> instead.
            </p>
          </aside>
        </div>
      )}

      <p className="visually-hidden" aria-live="polite">
        {announce}
      </p>

      {modal?.kind === "bulk" && (
        <BulkPasteDialog
          projectId={projectId}
          labels={labels}
          onClose={() => setModal(null)}
          onAdded={(added) => {
            setModal(null);
            list.setData((prev) => [...(prev ?? []), ...added]);
          }}
        />
      )}
      {modal?.kind === "delete" && (
        <DeleteLabelDialog
          projectId={projectId}
          label={modal.label}
          labels={labels}
          initialUsage={modal.usage}
          onClose={() => setModal(null)}
          onDeleted={() => {
            setModal(null);
            // Counts of the label that received the annotations changed: reload rather than guess.
            list.reload();
          }}
        />
      )}
    </main>
  );
}

function AddLabel({
  projectId,
  labels,
  onAdded,
}: {
  projectId: number;
  labels: readonly Label[];
  onAdded: (l: Label) => void;
}) {
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const errId = useId();
  const color = nextFreeColor(labels, LABEL_PALETTE);

  const add = async () => {
    const r = checkLabelName(name, labels);
    if (!r.ok) {
      setError(name.trim() === "" ? "Type a name for the new label" : r.message);
      return;
    }
    setBusy(true);
    try {
      const l = await call("createLabel", { params: { projectId }, body: { name: r.value, color } });
      onAdded(l);
      setName("");
      setError(null);
      inputRef.current?.focus();
    } catch (err) {
      setError(messageOf(err));
      toastError("Could not add the label", err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="add-label"
      onSubmit={(e) => {
        e.preventDefault();
        void add();
      }}
    >
      <span className="swatch add-label__swatch" style={{ background: color }} aria-hidden="true" />
      <div className="field field--inline add-label__field">
        <label htmlFor={inputId} className="visually-hidden">
          New label name
        </label>
        <input
          ref={inputRef}
          id={inputId}
          className={`input${error ? " is-invalid" : ""}`}
          value={name}
          placeholder="Add a label, e.g. pedestrian"
          maxLength={120}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errId : undefined}
          onChange={(e) => {
            setName(e.target.value);
            setError(null);
          }}
        />
        {error && (
          <p id={errId} className="field__error" role="alert">
            {error}
          </p>
        )}
      </div>
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? <Spinner label="Adding" /> : <Icon name="plus" size={16} />} Add label
      </button>
    </form>
  );
}

/** HTML5 drag-and-drop over rows: the drop line shows above or below the row under the pointer. */
function useDragReorder(count: number, onMove: (from: number, to: number) => void) {
  const [from, setFrom] = useState<number | null>(null);
  const [over, setOver] = useState<{ index: number; after: boolean } | null>(null);

  const end = () => {
    setFrom(null);
    setOver(null);
  };

  return {
    onLeave: (e: DragEvent) => {
      if (!(e.currentTarget as Element).contains(e.relatedTarget as Node | null)) setOver(null);
    },
    rowProps: (index: number) => ({
      dragging: from === index,
      indicator:
        over?.index === index && from !== null
          ? over.after
            ? ("after" as const)
            : ("before" as const)
          : null,
      onDragStart: (e: DragEvent, i: number) => {
        setFrom(i);
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", String(i));
        const row = (e.currentTarget as HTMLElement).closest("li");
        if (row) e.dataTransfer.setDragImage(row, 20, 20);
      },
      onDragOver: (e: DragEvent, i: number) => {
        if (from === null) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "move";
        const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
        const after = e.clientY > rect.top + rect.height / 2;
        if (over?.index !== i || over.after !== after) setOver({ index: i, after });
      },
      onDrop: (e: DragEvent) => {
        e.preventDefault();
        if (from !== null && over) {
          onMove(from, dropTarget(from, over.index, over.after, count));
        }
        end();
      },
      onDragEnd: end,
    }),
  };
}
