import type { Editor } from "@labelbench/editor";
import { EdIcon } from "../icons";
import { withShortcut } from "../keys-display";
import { RejectDialog } from "./RejectDialog";
import { REVIEW_COMMANDS } from "./review-commands";
import type { DecisionDraft, WorkflowState } from "./workflow-session";
import { describeWork, type NameOf, REASON_TEXT } from "./workflow-text";
import "./review.css";

/** Buttons never take focus from the canvas (as the toolbar's): keys keep working after a click. */
const keepFocus = (e: React.MouseEvent) => e.preventDefault();

/**
 * Review mode's bar under the toolbar: where the image stands, read-only or fixing, and the three
 * decisions with their keys. A refused decision is said here, precisely, with a reload.
 */
export function ReviewBar({
  editor,
  state,
  readOnly,
  nameOf,
  onAccept,
  onReject,
  onFix,
  onDraft,
  onConfirmReject,
  onCancel,
  onReload,
}: {
  editor: Editor;
  state: WorkflowState;
  readOnly: boolean;
  nameOf: NameOf;
  onAccept: () => void;
  onReject: () => void;
  onFix: () => void;
  onDraft: (d: DecisionDraft) => void;
  onConfirmReject: () => void;
  onCancel: () => void;
  onReload: () => void;
}) {
  const { work, phase } = state;
  const sending = phase.kind === "sending";
  return (
    <>
      <div className="ed-review" data-testid="review-bar" data-read-only={readOnly}>
        <span className="ed-review__badge">Review</span>
        <span className="ed-review__state" data-testid="review-state">
          {work ? describeWork(work, nameOf) : "Loading…"}
          {work &&
            work.unresolvedIssues > 0 &&
            ` · ${work.unresolvedIssues} unresolved issue${work.unresolvedIssues === 1 ? "" : "s"}`}
        </span>
        <span className={`ed-review__mode${readOnly ? "" : " is-fixing"}`} data-testid="review-mode">
          {readOnly ? "Read-only" : "Fixing: your edits are saved as yours"}
        </span>
        <span className="ed-spacer" />
        {readOnly && (
          <button
            type="button"
            className="ed-btn"
            title={withShortcut("Fix: make the image editable", editor, REVIEW_COMMANDS.fix)}
            onMouseDown={keepFocus}
            onClick={onFix}
            data-testid="review-fix"
          >
            Fix <kbd className="ed-kbd">E</kbd>
          </button>
        )}
        <button
          type="button"
          className="ed-btn ed-btn--bad"
          title={withShortcut("Reject", editor, REVIEW_COMMANDS.reject)}
          disabled={sending}
          onMouseDown={keepFocus}
          onClick={onReject}
          data-testid="review-reject"
        >
          Reject <kbd className="ed-kbd">X</kbd>
        </button>
        <button
          type="button"
          className="ed-done"
          title={withShortcut(readOnly ? "Accept" : "Accept with your fix", editor, REVIEW_COMMANDS.accept)}
          disabled={sending}
          onMouseDown={keepFocus}
          onClick={onAccept}
          data-testid="review-accept"
        >
          <EdIcon name="done" size={16} />
          {sending && phase.decision !== "rejected" ? "Accepting…" : readOnly ? "Accept" : "Fix & accept"}{" "}
          <kbd className="ed-kbd">Y</kbd>
        </button>
      </div>
      {(phase.kind === "refused" || phase.kind === "failed") && (
        <div className="ed-banner ed-banner--conflict" role="alert" data-testid="review-refused">
          <EdIcon name="alert" size={16} />
          <span>{phase.text}</span>
          {phase.kind === "refused" && (
            <button type="button" className="ed-btn" onClick={onReload} data-testid="review-reload">
              Reload
            </button>
          )}
          <button type="button" className="ed-btn" onClick={onCancel}>
            Dismiss
          </button>
        </div>
      )}
      {(phase.kind === "rejecting" || (sending && phase.decision === "rejected")) && (
        <RejectDialog
          draft={state.draft}
          problem={phase.kind === "rejecting" ? phase.problem : null}
          openIssues={work?.unresolvedIssues ?? 0}
          sending={sending}
          onChange={onDraft}
          onConfirm={onConfirmReject}
          onCancel={onCancel}
        />
      )}
    </>
  );
}

/**
 * The status area's part for the image's workflow: its review state and attempt, and for the
 * author of a rejected image the reviewer's reasons and comment.
 */
export function WorkStatus({ state, nameOf }: { state: WorkflowState; nameOf: NameOf }) {
  const { work, rejection } = state;
  if (!work || (work.reviewState === "none" && work.attempt === 0)) return null;
  const reasons = rejection
    ? [...rejection.reasons.map((r) => REASON_TEXT[r]), rejection.comment && `“${rejection.comment}”`]
        .filter(Boolean)
        .join(", ")
    : "";
  const text = rejection
    ? `Rework: rejected by ${rejection.by} (attempt ${rejection.attempt})${reasons ? ` — ${reasons}` : ""}`
    : describeWork(work, nameOf);
  return (
    <span
      className={`ed-status__item ed-work ed-work--${work.reviewState}`}
      title={text}
      data-testid="status-work"
      data-state={work.reviewState}
    >
      {text}
    </span>
  );
}
