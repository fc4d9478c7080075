import { REJECT_REASONS, type RejectReason } from "@labelbench/schema";
import { useEffect, useRef } from "react";
import { EdIcon } from "../icons";
import type { DecisionDraft } from "./workflow-session";
import { REASON_TEXT } from "./workflow-text";

/**
 * The reason picker of a rejection: reasons (1-7 toggle them), a comment, Enter confirms (Shift+Enter
 * is a new line in the comment), Escape goes back to the image with the draft kept.
 */
export function RejectDialog({
  draft,
  problem,
  openIssues,
  sending,
  onChange,
  onConfirm,
  onCancel,
}: {
  draft: DecisionDraft;
  problem: string | null;
  openIssues: number;
  sending: boolean;
  onChange: (d: DecisionDraft) => void;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
    d?.querySelector<HTMLInputElement>("input")?.focus();
    return () => d?.close();
  }, []);
  const toggle = (r: RejectReason) =>
    onChange({
      ...draft,
      reasons: draft.reasons.includes(r) ? draft.reasons.filter((x) => x !== r) : [...draft.reasons, r],
    });
  const onKeyDown = (e: React.KeyboardEvent) => {
    const inText = e.target instanceof HTMLTextAreaElement;
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      if (!sending) onConfirm();
      return;
    }
    if (!inText && /^[1-9]$/.test(e.key)) {
      const r = REJECT_REASONS[Number(e.key) - 1];
      if (r) {
        e.preventDefault();
        toggle(r);
      }
    }
  };
  return (
    <dialog
      ref={ref}
      className="ed-dialog ed-reject"
      aria-labelledby="ed-reject-title"
      data-testid="reject-dialog"
      onKeyDown={onKeyDown}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id="ed-reject-title" className="ed-dialog__title">
        <EdIcon name="alert" size={20} /> Reject: why?
      </h2>
      <p className="ed-dialog__text">
        The image goes back to its author as a new attempt, with these reasons
        {openIssues > 0 ? ` and the ${openIssues} issue${openIssues === 1 ? "" : "s"} pinned on it` : ""}.
      </p>
      <fieldset className="ed-reject__reasons">
        <legend className="ed-review__sr">Reasons</legend>
        {REJECT_REASONS.map((r, i) => (
          <label key={r} className="ed-reject__reason" data-testid={`reason-${r}`}>
            <input type="checkbox" checked={draft.reasons.includes(r)} onChange={() => toggle(r)} />
            <kbd className="ed-kbd">{i + 1}</kbd> {REASON_TEXT[r]}
          </label>
        ))}
      </fieldset>
      <label className="ed-reject__comment">
        Comment for the author
        <textarea
          value={draft.comment}
          maxLength={4000}
          rows={3}
          placeholder="What to fix (optional)"
          onChange={(e) => onChange({ ...draft, comment: e.target.value })}
          data-testid="reject-comment"
        />
      </label>
      {problem && (
        <p className="ed-reject__problem" role="alert">
          {problem}
        </p>
      )}
      <div className="ed-dialog__actions">
        <button type="button" className="ed-btn" onClick={onCancel}>
          Cancel <kbd className="ed-kbd">Esc</kbd>
        </button>
        <button
          type="button"
          className="ed-btn ed-btn--bad"
          disabled={sending}
          onClick={onConfirm}
          data-testid="reject-confirm"
        >
          {sending ? "Rejecting…" : "Reject"} <kbd className="ed-kbd">Enter</kbd>
        </button>
      </div>
    </dialog>
  );
}
