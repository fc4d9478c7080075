import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { call, urlOf } from "../../api/client";
import { useProject } from "../../project/project-context";
import { REVIEW_STATE_LABEL } from "../../review/review-text";
import { usePaged } from "../../review/use-paged";
import { formatCount, formatRelative, percent, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading, ProgressBar, Spinner } from "../../ui/parts";
import { toastError, toastSuccess } from "../../ui/toast-store";
import { useTitle } from "../../ui/useTitle";
import { qualificationNotice } from "./qualification-notice";
import {
  countOf,
  parseWorkList,
  progressOf,
  startLabel,
  WORK_LIST_LABEL,
  WORK_LISTS,
  type WorkList,
  workQueryState,
} from "./work-model";
import "../../auth/accounts.css";
import "../../review/review.css";
import "./qualification.css";
import { workEditorPath } from "../../editor/review/review-scope";

const EMPTY_TEXT: Record<WorkList, string> = {
  todo: "Nothing assigned to you right now. Start takes the next free image when the project's queue is on.",
  rework: "No image came back from review. Rejected images appear here with their issues.",
  submitted: "Images you submit wait here for review.",
  accepted: "Images a reviewer accepted appear here.",
};

/** An annotator's own work in a project: counts, progress, the Start/Next button and the lists. */
export function MyWorkPage() {
  const { project } = useProject();
  const projectId = project.id;
  useTitle("My work", project.name);
  const [params, setParams] = useSearchParams();
  const list = parseWorkList(params.get("list"));
  const navigate = useNavigate();
  const [starting, setStarting] = useState(false);
  const work = usePaged(
    (cursor, signal) =>
      call("myWork", { params: { projectId }, query: { state: workQueryState(list), cursor }, signal }),
    [projectId, list],
    "Could not load your work",
  );
  const counts = work.last?.counts;
  const progress = counts ? progressOf(counts) : null;
  const qualification = qualificationNotice(work.last?.qualification);

  const start = async () => {
    setStarting(true);
    try {
      const next = await call("nextWork", { params: { projectId } });
      if (next.image === null) {
        toastSuccess(
          "Nothing left for you",
          "Every image assigned to you is submitted. Ask a manager for more.",
        );
        work.reload();
        return;
      }
      navigate(workEditorPath(projectId, next.image.imageId));
    } catch (err) {
      toastError("Could not get the next image", err);
    } finally {
      setStarting(false);
    }
  };

  return (
    <main id="main" className="page page--medium">
      <div className="page-header">
        <div>
          <h1 className="page-title">My work</h1>
          <p className="page-subtitle">
            Your images in {project.name}: rework comes back here with the reviewer's issues. Submit an image
            in the editor with Ctrl+Enter.
          </p>
        </div>
      </div>

      {qualification && (
        <section
          className={`qualification-notice qualification-notice--${qualification.tone}`}
          aria-label="Qualification"
          data-testid="qualification"
        >
          <strong>{qualification.title}</strong>
          <span className="qualification-notice__text">{qualification.text}</span>
        </section>
      )}

      <section className="card work-hero" aria-label="Progress">
        <div>
          {progress ? (
            <div className="work-progress">
              <ProgressBar value={progress.done} max={progress.total} label="Your progress" />
              <span>
                {formatCount(progress.done)} of {plural(progress.total, "image")} submitted (
                {percent(progress.done, progress.total)}%)
                {counts && counts.rejected > 0 && ` · ${plural(counts.rejected, "rejection")} received`}
              </span>
            </div>
          ) : (
            <Loading what="your progress" />
          )}
          <fieldset className="work-counts plain-fieldset">
            <legend className="visually-hidden">Lists</legend>
            {WORK_LISTS.map((l) => (
              <button
                key={l}
                type="button"
                className={`work-count work-count--${l}${l === list ? " is-active" : ""}${counts && countOf(counts, l) === 0 ? " is-zero" : ""}`}
                aria-pressed={l === list}
                onClick={() => setParams(l === "todo" ? {} : { list: l })}
              >
                <span className="work-count__value" data-testid={`work-count-${l}`}>
                  {counts ? formatCount(countOf(counts, l)) : "…"}
                </span>
                <span className="work-count__name">{WORK_LIST_LABEL[l]}</span>
              </button>
            ))}
            <div className="work-count" title="Rejections received">
              <span className="work-count__value">{counts ? formatCount(counts.rejected) : "…"}</span>
              <span className="work-count__name">Rejections</span>
            </div>
          </fieldset>
        </div>
        <div className="work-next">
          <button
            type="button"
            className="button button--primary button--large"
            disabled={starting || !counts}
            onClick={() => void start()}
          >
            {starting ? <Spinner label="Finding the next image" /> : <Icon name="pencil" size={18} />}{" "}
            {counts ? startLabel(counts, (progress?.done ?? 0) > 0) : "Start"}
          </button>
          <span>Rework first, then your assignments, then the queue.</span>
        </div>
      </section>

      <section className="card card--flush" aria-label={WORK_LIST_LABEL[list]}>
        {work.items === undefined ? (
          work.error ? (
            <ErrorState title="Could not load your work" message={work.error} onRetry={work.reload} />
          ) : (
            <Loading what="your images" />
          )
        ) : work.items.length === 0 ? (
          <EmptyState icon="check" title={`No ${WORK_LIST_LABEL[list].toLowerCase()} images`}>
            {EMPTY_TEXT[list]}
          </EmptyState>
        ) : (
          <>
            <table className="data-table queue-table">
              <thead>
                <tr>
                  <th scope="col">Image</th>
                  <th scope="col">State</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Open issues</th>
                  <th scope="col">{list === "todo" ? "From" : "Submitted"}</th>
                </tr>
              </thead>
              <tbody>
                {work.items.map((it) => (
                  <tr key={it.imageId} data-image-id={it.imageId}>
                    <td>
                      <Link className="queue-image" to={workEditorPath(projectId, it.imageId)}>
                        <img
                          className="queue-image__thumb"
                          src={urlOf("imageThumbnail", { imageId: it.imageId })}
                          alt=""
                          loading="lazy"
                          decoding="async"
                        />
                        <span className="queue-image__name" title={it.fileName}>
                          {it.fileName}
                        </span>
                      </Link>
                    </td>
                    <td>
                      <span className={`review-state review-state--${it.reviewState}`}>
                        {REVIEW_STATE_LABEL[it.reviewState]}
                      </span>
                    </td>
                    <td>{it.attempt}</td>
                    <td>
                      {it.unresolvedIssues > 0 ? (
                        <span className="pill pill--warn">{formatCount(it.unresolvedIssues)}</span>
                      ) : (
                        <span className="muted">0</span>
                      )}
                    </td>
                    <td className="muted">
                      {list === "todo"
                        ? it.leaseUntil
                          ? `Queue, until ${new Date(it.leaseUntil).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`
                          : it.assignedVia === "rework"
                            ? "Review (rework)"
                            : "Assigned by a manager"
                        : it.submittedAt
                          ? formatRelative(it.submittedAt)
                          : "–"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {(work.more || work.error) && (
              <div className="list-foot">
                <span className="muted">{plural(work.items.length, "image")} shown</span>
                {work.more && (
                  <button type="button" className="button" disabled={work.loading} onClick={work.loadMore}>
                    {work.loading && <Spinner label="Loading" />} Show more
                  </button>
                )}
                {work.error && <span className="text-danger">{work.error}</span>}
              </div>
            )}
          </>
        )}
      </section>
    </main>
  );
}
