import type { Editor } from "@labelbench/editor";
import type { Issue } from "@labelbench/schema";
import { useEffect, useRef, useState } from "react";
import { useStore } from "zustand";
import { formatRelative } from "../../ui/format";
import { shortcutOf } from "../keys-display";
import { hasBaseline } from "./diff-model";
import { ISSUE_COMMANDS } from "./issue-commands";
import {
  anchorText,
  CATEGORY_LABEL,
  ISSUE_COLOUR,
  type IssueRights,
  isReworkAuthor,
  issueActions,
  type NumberedIssue,
  openIssues,
  SEVERITY_LABEL,
  STATE_LABEL,
  submitBlockedBy,
} from "./issue-model";
import type { IssueSession } from "./issue-session";
import { centreIssue } from "./issue-view";
import "./issues.css";

interface Props {
  editor: Editor;
  session: IssueSession;
  rights: IssueRights;
  /** Keys shown beside the buttons (review mode binds I and G). */
  keys: boolean;
}

/**
 * The image's issues beside the canvas, numbered as on the canvas, each with its thread: comment,
 * fix (the annotator, optionally answering), resolve and reopen (reviewers). Picking one centres it.
 * For the author of a rejected image the open issues are a checklist: marking each fixed ticks it,
 * and the image cannot be submitted while one is open (the server refuses too).
 */
export function IssuePanel({ editor, session, rights, keys }: Props) {
  const { issues, work, diff, showDiff, selectedId, loading, error, busy } = useStore(session.store);
  // Whether the issue tool is on, not which tool: a middle-button pan switches the tool to "pan" and
  // back, and re-rendering 200 rows at each end of a pan cost a frame of 11-13 ms (bench review-open).
  const pinning = useStore(editor.store, (s) => s.tool.id === "issue");
  // The user's own keys for the two review commands (the registry holds them).
  const toolKey = shortcutOf(editor, ISSUE_COMMANDS.tool);
  const diffKey = shortcutOf(editor, ISSUE_COMMANDS.diff);
  const checklist = isReworkAuthor(work, rights.userId);
  const open = openIssues(issues.map((n) => n.issue)).length;
  // An annotator sees the panel only when there is something for them (issues, or why they are missing).
  if (!rights.review && issues.length === 0 && !error) return null;

  const counts = { open, fixed: 0, resolved: 0 };
  for (const { issue } of issues) if (issue.state !== "open") counts[issue.state]++;
  const blocked = checklist ? submitBlockedBy(issues.map((n) => n.issue)) : null;

  const pick = (n: NumberedIssue) => {
    const same = selectedId === n.issue.id;
    session.select(same ? null : n.issue.id);
    if (!same) centreIssue(editor, n.issue);
  };

  return (
    <section className="ed-panel is-panel" aria-label="Issues" data-testid="issue-panel">
      <h2 className="ed-panel__title">
        {checklist ? "Rework checklist" : "Issues"} <span className="ed-count">{issues.length}</span>
        {issues.length > 0 && (
          <span className="is-tally" title="open · fixed · resolved">
            <i style={{ background: ISSUE_COLOUR.open }} />
            {counts.open}
            <i style={{ background: ISSUE_COLOUR.fixed }} />
            {counts.fixed}
            <i style={{ background: ISSUE_COLOUR.resolved }} />
            {counts.resolved}
          </span>
        )}
      </h2>
      <div className="is-panel__tools">
        {rights.review && (
          <button
            type="button"
            className={`ed-btn ed-btn--small${pinning ? " is-active" : ""}`}
            aria-pressed={pinning}
            data-testid="issue-tool"
            onClick={() => editor.setTool(pinning ? "select" : "issue")}
          >
            Pin an issue {keys && toolKey && <kbd className="ed-kbd">{toolKey}</kbd>}
          </button>
        )}
        {hasBaseline(diff) && (
          <button
            type="button"
            className={`ed-btn ed-btn--small${showDiff ? " is-active" : ""}`}
            aria-pressed={showDiff}
            data-testid="diff-toggle"
            onClick={() => session.toggleDiff()}
          >
            Changes {keys && diffKey && <kbd className="ed-kbd">{diffKey}</kbd>}
          </button>
        )}
      </div>
      {checklist && (
        <p className={`is-note${blocked ? " is-note--warn" : ""}`} data-testid="rework-note">
          {blocked
            ? `Sent back for rework. ${blocked}.`
            : "Every issue is marked fixed: the image can be submitted again."}
        </p>
      )}
      {pinning && (
        <p className="is-note">Click a shape or a point, or drag a region, to pin an issue there.</p>
      )}
      {error && (
        // A status, not an alert: when the server is out of reach the editor itself says so.
        <p className="is-note is-note--warn" role="status">
          {error}{" "}
          <button type="button" className="is-link" onClick={() => void session.reload()}>
            Try again
          </button>
        </p>
      )}
      {loading && issues.length === 0 && <p className="ed-empty">Loading issues…</p>}
      {!loading && !error && issues.length === 0 && <p className="ed-empty">No issues on this image.</p>}
      <ol className="is-list">
        {issues.map((n) => (
          <IssueRow
            key={n.issue.id}
            n={n}
            selected={selectedId === n.issue.id}
            busy={busy === n.issue.id}
            checklist={checklist}
            rights={rights}
            session={session}
            onPick={() => pick(n)}
          />
        ))}
      </ol>
    </section>
  );
}

function IssueRow({
  n,
  selected,
  busy,
  checklist,
  rights,
  session,
  onPick,
}: {
  n: NumberedIssue;
  selected: boolean;
  busy: boolean;
  checklist: boolean;
  rights: IssueRights;
  session: IssueSession;
  onPick: () => void;
}) {
  const { issue } = n;
  const can = issueActions(issue, rights);
  const first = issue.comments[0]?.body ?? "";
  const row = useRef<HTMLLIElement>(null);
  // A pick (here or a new pin) brings the row and its thread into the list's view.
  useEffect(() => {
    if (selected) row.current?.scrollIntoView?.({ block: "nearest" });
  }, [selected]);
  return (
    <li
      ref={row}
      className={`is-issue is-issue--${issue.state}${selected ? " is-selected" : ""}`}
      data-testid="issue-row"
      data-issue-state={issue.state}
    >
      <div className="is-issue__head">
        {checklist && (
          <input
            type="checkbox"
            className="is-check"
            aria-label={`Issue ${n.n} fixed`}
            checked={issue.state !== "open"}
            disabled={issue.state !== "open" || busy || !can.fix}
            onChange={() => void session.step(issue.id, "fix")}
          />
        )}
        <button type="button" className="is-issue__main" onClick={onPick} aria-expanded={selected}>
          <span className="is-badge" style={{ background: ISSUE_COLOUR[issue.state] }}>
            {n.n}
          </span>
          <span className="is-issue__text">
            <span className="is-issue__title">
              {CATEGORY_LABEL[issue.category]}
              <span className={`is-sev is-sev--${issue.severity}`}>{SEVERITY_LABEL[issue.severity]}</span>
            </span>
            <span className="is-issue__sub">
              {STATE_LABEL[issue.state]} · {anchorText(issue)}
              {first && !selected ? ` · ${first}` : ""}
            </span>
          </span>
        </button>
      </div>
      {selected && <IssueThread issue={issue} can={can} rights={rights} busy={busy} session={session} />}
    </li>
  );
}

function IssueThread({
  issue,
  can,
  rights,
  busy,
  session,
}: {
  issue: Issue;
  can: ReturnType<typeof issueActions>;
  rights: IssueRights;
  busy: boolean;
  session: IssueSession;
}) {
  const [text, setText] = useState("");
  const act = async (run: () => Promise<boolean>) => {
    if (await run()) setText("");
  };
  const trimmed = text.trim();
  return (
    <div className="is-thread">
      {issue.comments.length > 0 && (
        <ul className="is-comments">
          {issue.comments.map((c) => (
            <li key={c.id}>
              <span className="is-comments__who">
                {c.authorName ?? "someone"} ·{" "}
                <time dateTime={c.createdAt}>{formatRelative(c.createdAt)}</time>
              </span>
              <span className="is-comments__body">{c.body}</span>
            </li>
          ))}
        </ul>
      )}
      {rights.comment && (
        <textarea
          className="is-thread__text"
          rows={2}
          maxLength={4000}
          placeholder={can.fix && !rights.review ? "Answer (optional), then mark fixed" : "Comment"}
          value={text}
          aria-label="Comment"
          onChange={(e) => setText(e.target.value)}
        />
      )}
      <div className="is-thread__actions">
        {rights.comment && (
          <button
            type="button"
            className="ed-btn ed-btn--small"
            disabled={busy || trimmed === ""}
            onClick={() => void act(() => session.comment(issue.id, trimmed))}
          >
            Comment
          </button>
        )}
        {can.fix && (
          <button
            type="button"
            className="ed-btn ed-btn--small ed-btn--primary"
            disabled={busy}
            onClick={() => void act(() => session.step(issue.id, "fix", trimmed))}
          >
            Mark fixed
          </button>
        )}
        {can.resolve && (
          <button
            type="button"
            className="ed-btn ed-btn--small"
            disabled={busy}
            onClick={() => void act(() => session.step(issue.id, "resolve", trimmed))}
          >
            Resolve
          </button>
        )}
        {can.reopen && (
          <button
            type="button"
            className="ed-btn ed-btn--small"
            disabled={busy}
            onClick={() => void act(() => session.step(issue.id, "reopen", trimmed))}
          >
            Reopen
          </button>
        )}
      </div>
    </div>
  );
}
