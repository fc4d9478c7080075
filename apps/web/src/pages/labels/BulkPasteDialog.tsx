import type { Label } from "@labelbench/schema";
import { useId, useMemo, useState } from "react";
import { call } from "../../api/client";
import { Dialog } from "../../ui/Dialog";
import { plural } from "../../ui/format";
import { Spinner } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { parseBulkNames } from "./label-rules";

/** Many labels at once from a pasted list (a spreadsheet column, a classes.txt), previewed before sending. */
export function BulkPasteDialog({
  projectId,
  labels,
  onClose,
  onAdded,
}: {
  projectId: number;
  labels: readonly Label[];
  onClose: () => void;
  onAdded: (added: Label[]) => void;
}) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const textId = useId();
  const hintId = useId();
  const parsed = useMemo(() => parseBulkNames(text, labels), [text, labels]);

  const submit = async () => {
    if (parsed.names.length === 0) return;
    setBusy(true);
    try {
      const { items } = await call("bulkCreateLabels", {
        params: { projectId },
        body: { names: parsed.names },
      });
      toastSuccess(`Added ${plural(items.length, "label")}`);
      onAdded(items);
    } catch (err) {
      setError(messageOf(err));
      toastError("Could not add the labels", err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      size="lg"
      onClose={onClose}
      title="Paste a list of labels"
      description="One name per line (or per spreadsheet cell). Colours are assigned from the palette; set hotkeys afterwards."
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button--primary"
            disabled={busy || parsed.names.length === 0}
          >
            {busy && <Spinner label="Adding" />}
            {parsed.names.length > 0 ? `Add ${plural(parsed.names.length, "label")}` : "Add labels"}
          </button>
        </>
      }
    >
      <div className="bulk">
        <div className="field">
          <label htmlFor={textId} className="field__label">
            Label names, one per line
          </label>
          <textarea
            id={textId}
            className="input textarea textarea--mono"
            rows={10}
            value={text}
            autoFocus
            aria-describedby={hintId}
            placeholder={"car\npedestrian\ntraffic light"}
            onChange={(e) => {
              setText(e.target.value);
              setError(null);
            }}
          />
          <p id={hintId} className="field__hint">
            A spreadsheet row works too: each cell is a name. Blank lines are ignored; names already in the
            set are skipped.
          </p>
          {error && <p className="field__error">{error}</p>}
        </div>
        <div className="bulk__preview" aria-live="polite">
          <h3 className="bulk__heading">
            {parsed.names.length > 0 ? `${plural(parsed.names.length, "new label")}` : "Preview"}
          </h3>
          {parsed.names.length === 0 && parsed.skipped.length === 0 && (
            <p className="muted">Paste or type names to see them here.</p>
          )}
          <ul className="bulk__names">
            {parsed.names.slice(0, 200).map((n) => (
              <li key={n} className="name-chip">
                {n}
              </li>
            ))}
            {parsed.names.length > 200 && <li className="muted">and {parsed.names.length - 200} more</li>}
          </ul>
          {parsed.skipped.length > 0 && (
            <>
              <h3 className="bulk__heading bulk__heading--warn">
                {plural(parsed.skipped.length, "line")} skipped
              </h3>
              <ul className="bulk__skipped">
                {parsed.skipped.slice(0, 100).map((s, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the same name can be skipped twice
                  <li key={i}>
                    <strong>{s.name.length > 40 ? `${s.name.slice(0, 40)}…` : s.name}</strong>: {s.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      </div>
    </Dialog>
  );
}
