import { type Audit, AuditState, REJECT_REASONS, type RejectReason } from "@labelbench/schema";
import { useId, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { call } from "../../api/client";
import { useProject } from "../../project/project-context";
import { useProjectPeople } from "../../review/members";
import { ListFoot, QueueImageLink } from "../../review/queue-parts";
import { DEFAULT_QUEUE_SCOPE, reviewHref } from "../../review/queue-scope";
import { REASON_LABEL } from "../../review/review-text";
import { usePaged } from "../../review/use-paged";
import { Dialog } from "../../ui/Dialog";
import { formatRelative, plural } from "../../ui/format";
import { EmptyState, ErrorState, Loading, Spinner } from "../../ui/parts";
import { messageOf, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import "../../auth/accounts.css";
import "../../review/review.css";

const PAGE = 50;
const STATE_LABEL: Record<AuditState, string> = {
  open: "To audit",
  upheld: "Upheld",
  overturned: "Overturned",
};
const DECISION_LABEL: Record<Audit["decision"], string> = {
  accepted: "Accepted",
  fixed: "Fixed and accepted",
};
/** An accepted image opens in review mode among the accepted ones (read-only: nothing to decide). */
const ACCEPTED_SCOPE = { ...DEFAULT_QUEUE_SCOPE, state: "accepted" as const };

const pct = (x: number) => `${Math.round(x * 100)} %`;

/**
 * Reviewer audits (issue 16): accepted images sampled for a second look. An auditor upholds an
 * acceptance or overturns it (with reasons, like a rejection: the image returns to its author);
 * nobody sees their own decisions to audit. Below, each reviewer's precision with its interval.
 */
export function AuditsPage() {
  const { project } = useProject();
  const projectId = project.id;
  const [params] = useSearchParams();
  const parsed = AuditState.safeParse(params.get("state"));
  const state: AuditState = parsed.success ? parsed.data : "open";
  useTitle(`Audits: ${STATE_LABEL[state]}`, project.name);
  const people = useProjectPeople(projectId);
  const nameOf = (id: number | null) => people.nameOf(id) ?? (id === null ? "–" : `user ${id}`);
  const list = usePaged(
    (cursor, signal) =>
      call("listAudits", { params: { projectId }, query: { state, cursor, limit: PAGE }, signal }),
    [projectId, state],
    "Could not load the audits",
  );
  const precision = useAsync(
    (signal) => call("reviewerPrecision", { params: { projectId }, signal }).then((r) => r.items),
    [projectId, list.items?.length],
    "Could not load reviewer precision",
  );
  const [overturning, setOverturning] = useState<Audit | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const send = async (
    a: Audit,
    body: { verdict: "upheld" | "overturned"; reasons?: RejectReason[]; comment?: string },
  ) => {
    setBusy(a.imageId);
    setProblem(null);
    try {
      await call("auditImage", { params: { imageId: a.imageId }, body });
      toastSuccess(
        body.verdict === "upheld" ? "Acceptance upheld" : "Acceptance overturned",
        body.verdict === "upheld" ? a.fileName : `${a.fileName} goes back to its author`,
      );
      setOverturning(null);
      list.reload();
    } catch (err) {
      setProblem(messageOf(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <main id="main" className="page page--medium">
      <div className="page-header">
        <div>
          <h1 className="page-title">Audits</h1>
          <p className="page-subtitle">
            A sample of accepted images, for a second reviewer. Uphold an acceptance that is right; overturn
            one that is not, and the image goes back to its author.
          </p>
        </div>
        <div className="page-header__actions">
          <Link className="button" to={`/projects/${projectId}/review`}>
            Review queue
          </Link>
        </div>
      </div>

      <div className="toolbar">
        <nav className="filter-tabs" aria-label="Audit state">
          {AuditState.options.map((s) => (
            <Link
              key={s}
              to={{ search: `?state=${s}` }}
              className={`filter-tab${state === s ? " is-active" : ""}`}
              aria-current={state === s ? "page" : undefined}
            >
              {STATE_LABEL[s]}
            </Link>
          ))}
        </nav>
      </div>
      {problem && !overturning && (
        <p className="text-danger" role="alert">
          {problem}
        </p>
      )}

      <section className="card card--flush" aria-label="Audits">
        {list.items === undefined ? (
          list.error ? (
            <ErrorState title="Could not load the audits" message={list.error} onRetry={list.reload} />
          ) : (
            <Loading what="the audits" />
          )
        ) : list.items.length === 0 ? (
          <EmptyState icon="check" title={state === "open" ? "Nothing to audit" : "No verdict yet"}>
            {state === "open"
              ? "Accepted images the project samples for audit appear here, except your own decisions."
              : "Verdicts appear here once auditors give them."}
          </EmptyState>
        ) : (
          <>
            <table className="data-table queue-table">
              <thead>
                <tr>
                  <th scope="col">Image</th>
                  <th scope="col">Reviewer</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Decided</th>
                  <th scope="col">{state === "open" ? "Verdict" : "Auditor"}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((a) => (
                  <tr key={a.id} data-image-id={a.imageId}>
                    <td>
                      <QueueImageLink
                        imageId={a.imageId}
                        fileName={a.fileName}
                        to={reviewHref(projectId, a.imageId, ACCEPTED_SCOPE)}
                      />
                    </td>
                    <td>{nameOf(a.reviewerId)}</td>
                    <td>{DECISION_LABEL[a.decision]}</td>
                    <td className="muted" title={a.decidedAt}>
                      {formatRelative(a.decidedAt)}
                    </td>
                    <td>
                      {state === "open" ? (
                        <span className="audit-actions">
                          <button
                            type="button"
                            className="button button--small"
                            disabled={busy !== null}
                            onClick={() => send(a, { verdict: "upheld" })}
                          >
                            {busy === a.imageId && <Spinner label="Sending" />} Uphold
                          </button>
                          <button
                            type="button"
                            className="button button--small button--danger"
                            disabled={busy !== null}
                            onClick={() => {
                              setProblem(null);
                              setOverturning(a);
                            }}
                          >
                            Overturn…
                          </button>
                        </span>
                      ) : (
                        <span
                          title={[...a.reasons.map((r) => REASON_LABEL[r]), a.comment]
                            .filter(Boolean)
                            .join(" · ")}
                        >
                          {nameOf(a.auditorId)}
                          {a.reasons.length > 0 && (
                            <span className="muted">
                              {" "}
                              · {a.reasons.map((r) => REASON_LABEL[r]).join(", ")}
                            </span>
                          )}
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ListFoot
              shown={`${plural(list.items.length, "audit")} shown`}
              more={list.more}
              loading={list.loading}
              error={list.error}
              onMore={list.loadMore}
            />
          </>
        )}
      </section>

      <section className="card audit-precision" aria-labelledby="audit-precision">
        <h2 id="audit-precision" className="card__title">
          Reviewer precision
        </h2>
        <p className="muted">
          Upheld acceptances out of those audited, with the 95 % interval: a few audits say little.
        </p>
        {precision.data === undefined ? (
          <Loading what="reviewer precision" />
        ) : precision.data.length === 0 ? (
          <p className="muted">No acceptance has been sampled for audit yet.</p>
        ) : (
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Reviewer</th>
                <th scope="col">Audited</th>
                <th scope="col">Upheld</th>
                <th scope="col">Overturned</th>
                <th scope="col">Waiting</th>
                <th scope="col">Precision</th>
              </tr>
            </thead>
            <tbody>
              {precision.data.map((p) => (
                <tr key={p.reviewerId}>
                  <td>{p.name}</td>
                  <td>{p.audited}</td>
                  <td>{p.upheld}</td>
                  <td>{p.overturned}</td>
                  <td>{p.open}</td>
                  <td>
                    {p.precision.value === null ? (
                      <span className="muted">–</span>
                    ) : (
                      <>
                        {pct(p.precision.value)}{" "}
                        <span className="muted">
                          ({pct(p.precision.low)}–{pct(p.precision.high)}, n = {p.precision.n})
                        </span>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {overturning && (
        <OverturnDialog
          audit={overturning}
          sending={busy !== null}
          problem={problem}
          onCancel={() => setOverturning(null)}
          onConfirm={(reasons, comment) => send(overturning, { verdict: "overturned", reasons, comment })}
        />
      )}
    </main>
  );
}

function OverturnDialog({
  audit,
  sending,
  problem,
  onCancel,
  onConfirm,
}: {
  audit: Audit;
  sending: boolean;
  problem: string | null;
  onCancel: () => void;
  onConfirm: (reasons: RejectReason[], comment: string) => void;
}) {
  const id = useId();
  const [reasons, setReasons] = useState<RejectReason[]>([]);
  const [comment, setComment] = useState("");
  const toggle = (r: RejectReason) =>
    setReasons((rs) => (rs.includes(r) ? rs.filter((x) => x !== r) : [...rs, r]));
  return (
    <Dialog
      open
      onClose={onCancel}
      title={`Overturn the acceptance of ${audit.fileName}`}
      description="The image goes back to its author as rework, as a rejection does. Say why."
      tone="danger"
      onSubmit={() => onConfirm(reasons, comment)}
      footer={
        <>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button--danger" disabled={sending}>
            {sending && <Spinner label="Sending" />} Overturn
          </button>
        </>
      }
    >
      <fieldset className="plain-fieldset">
        <legend className="queue-filter__legend">Reasons</legend>
        <div className="chip-group">
          {REJECT_REASONS.map((r) => (
            <label key={r} className="chip">
              <input
                type="checkbox"
                className="chip__input"
                checked={reasons.includes(r)}
                onChange={() => toggle(r)}
              />
              {REASON_LABEL[r]}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="field" htmlFor={`${id}-c`}>
        <span className="field__label">Comment</span>
        <textarea
          id={`${id}-c`}
          className="input"
          rows={3}
          maxLength={4000}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
      </label>
      {problem && (
        <p className="text-danger" role="alert">
          {problem}
        </p>
      )}
    </Dialog>
  );
}
