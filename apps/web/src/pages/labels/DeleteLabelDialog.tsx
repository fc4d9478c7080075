import type { Label } from "@labelbench/schema";
import { useId, useState } from "react";
import { ApiError, call } from "../../api/client";
import { Dialog } from "../../ui/Dialog";
import { plural } from "../../ui/format";
import { Spinner } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";

export interface Usage {
  annotations: number;
  tags: number;
}

/** Reads the usage the server reports with a 409 LABEL_IN_USE. */
export const usageFromError = (err: unknown): Usage | null => {
  if (!(err instanceof ApiError) || err.code !== "LABEL_IN_USE") return null;
  const d = err.details as Partial<Usage> | undefined;
  return { annotations: Number(d?.annotations ?? 0), tags: Number(d?.tags ?? 0) };
};

const usageText = (u: Usage) =>
  [
    u.annotations > 0 ? plural(u.annotations, "annotation") : "",
    u.tags > 0 ? plural(u.tags, "image tag") : "",
  ]
    .filter(Boolean)
    .join(" and ");

/**
 * Deleting a label. Unused: a plain confirmation. In use: the user chooses what happens to its
 * annotations (move them to another label, or delete them), seeing how many there are.
 */
export function DeleteLabelDialog({
  projectId,
  label,
  labels,
  initialUsage,
  onClose,
  onDeleted,
}: {
  projectId: number;
  label: Label;
  labels: readonly Label[];
  /** Known usage; null when the label looks unused (the server may still say otherwise). */
  initialUsage: Usage | null;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const others = labels.filter((l) => l.id !== label.id);
  const [usage, setUsage] = useState<Usage | null>(initialUsage);
  const [mode, setMode] = useState<"reassign" | "delete">(others.length > 0 ? "reassign" : "delete");
  const [target, setTarget] = useState<number | null>(others[0]?.id ?? null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const groupId = useId();
  const selectId = useId();
  const inUse = usage !== null && usage.annotations + usage.tags > 0;

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      const query = !inUse
        ? {}
        : mode === "reassign" && target !== null
          ? { reassignTo: target }
          : { deleteAnnotations: "true" as const };
      await call("deleteLabel", { params: { projectId, labelId: label.id }, query });
      const moved = inUse && mode === "reassign" ? others.find((o) => o.id === target) : undefined;
      toastSuccess(
        `Deleted "${label.name}"`,
        inUse && usage
          ? moved
            ? `${usageText(usage)} moved to "${moved.name}"`
            : `${usageText(usage)} deleted`
          : undefined,
      );
      onDeleted();
    } catch (err) {
      const found = usageFromError(err);
      if (found) {
        // Someone annotated with it meanwhile (or it only has image tags): ask properly now.
        setUsage(found);
      } else {
        setError(messageOf(err));
        toastError(`Could not delete "${label.name}"`, err);
      }
    } finally {
      setBusy(false);
    }
  };

  const confirmText = !inUse
    ? "Delete label"
    : mode === "reassign"
      ? "Move annotations and delete"
      : `Delete label and ${usage ? usageText(usage) : "annotations"}`;

  return (
    <Dialog
      open
      size="sm"
      tone="danger"
      onClose={onClose}
      title={`Delete "${label.name}"?`}
      description={
        inUse && usage
          ? `"${label.name}" is used by ${usageText(usage)}. Choose what happens to them.`
          : "No annotation uses this label. Deleting it cannot be undone."
      }
      onSubmit={remove}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button--danger"
            disabled={busy || (inUse && mode === "reassign" && target === null)}
          >
            {busy && <Spinner label="Deleting" />}
            {confirmText}
          </button>
        </>
      }
    >
      {inUse && (
        <fieldset className="choice-group" aria-describedby={groupId}>
          <legend id={groupId} className="visually-hidden">
            What happens to the annotations of {label.name}
          </legend>
          <div
            className={`choice${mode === "reassign" ? " is-selected" : ""}${others.length === 0 ? " is-disabled" : ""}`}
          >
            <label className="choice__main">
              <input
                type="radio"
                name="label-delete-mode"
                value="reassign"
                checked={mode === "reassign"}
                disabled={others.length === 0}
                onChange={() => setMode("reassign")}
              />
              <span className="choice__body">
                <strong>Move them to another label</strong>
                <span className="choice__text">
                  {others.length === 0
                    ? "There is no other label to move them to."
                    : "Geometry is kept; only the class changes."}
                </span>
              </span>
            </label>
            {others.length > 0 && (
              <div className="choice__control">
                <label htmlFor={selectId} className="visually-hidden">
                  Move annotations to
                </label>
                <select
                  id={selectId}
                  className="input select"
                  value={target ?? ""}
                  onFocus={() => setMode("reassign")}
                  onChange={(e) => {
                    setTarget(Number(e.target.value));
                    setMode("reassign");
                  }}
                >
                  {others.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.name}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </div>
          <div className={`choice choice--danger${mode === "delete" ? " is-selected" : ""}`}>
            <label className="choice__main">
              <input
                type="radio"
                name="label-delete-mode"
                value="delete"
                checked={mode === "delete"}
                onChange={() => setMode("delete")}
              />
              <span className="choice__body">
                <strong>Delete {usage ? usageText(usage) : "them"}</strong>
                <span className="choice__text">
                  They are removed from every image. This cannot be undone.
                </span>
              </span>
            </label>
          </div>
        </fieldset>
      )}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
