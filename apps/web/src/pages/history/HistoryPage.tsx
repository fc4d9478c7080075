import { Link, useParams } from "react-router";
import { call } from "../../api/client";
import { useProject } from "../../project/project-context";
import { useProjectPeople } from "../../review/members";
import { describeEvent, eventComment, eventTone, REVIEW_STATE_LABEL } from "../../review/review-text";
import { formatRelative } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading } from "../../ui/parts";
import { messageOf } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { attemptTitle, groupByAttempt, workSummary } from "./history-model";
import "../../auth/accounts.css";
import "../../review/review.css";

/**
 * One image's history: who annotated, submitted, reviewed, decided and commented, by attempt, with
 * revisions and times. Reached from the library and from the editor's status bar.
 */
export function HistoryPage() {
  const { project } = useProject();
  const raw = Number(useParams().imageId);
  const imageId = Number.isSafeInteger(raw) && raw > 0 ? raw : null;
  const people = useProjectPeople(project.id);
  const data = useAsync(
    async (signal) => {
      if (imageId === null) throw new Error("not an image address");
      const [image, history] = await Promise.all([
        call("getImage", { params: { imageId }, signal }),
        call("imageHistory", { params: { imageId }, signal }),
      ]);
      return { image, history };
    },
    [imageId],
    "Could not load the image's history",
  );
  const name = data.data?.image.fileName;
  useTitle(name ? `History of ${name}` : "History", project.name);

  return (
    <main id="main" className="page page--medium">
      <div className="page-header">
        <div>
          <Link to={`/projects/${project.id}/images`} className="back-link">
            <Icon name="arrowLeft" size={16} /> Images
          </Link>
          <h1 className="page-title">History{name ? ` of ${name}` : ""}</h1>
          {data.data && (
            <p className="page-subtitle">
              <span className={`review-state review-state--${data.data.history.work.reviewState}`}>
                {REVIEW_STATE_LABEL[data.data.history.work.reviewState]}
              </span>{" "}
              {workSummary(data.data.history.work, people.nameOf)}
            </p>
          )}
        </div>
        {imageId !== null && (
          <div className="page-header__actions">
            <Link className="button" to={`/projects/${project.id}/images/${imageId}`}>
              <Icon name="pencil" size={16} /> Open in the editor
            </Link>
          </div>
        )}
      </div>

      {!data.data ? (
        data.error ? (
          <ErrorState
            title="Could not load the history"
            message={messageOf(data.error)}
            onRetry={data.reload}
          />
        ) : (
          <Loading what="the history" />
        )
      ) : data.data.history.events.length === 0 ? (
        <EmptyState icon="info" title="Nothing has happened to this image yet">
          Assignments, submissions, reviews and issues appear here as they happen.
        </EmptyState>
      ) : (
        <div className="section-stack">
          {groupByAttempt(data.data.history.events).map((g) => (
            <section key={g.attempt} className="card card--flush" aria-label={attemptTitle(g.attempt)}>
              <div className="card__head card__head--padded">
                <h2 className="card__title">{attemptTitle(g.attempt)}</h2>
              </div>
              <ol className="timeline">
                {g.events.map((e) => {
                  const comment = eventComment(e);
                  return (
                    <li
                      key={e.id}
                      className={`timeline__item timeline__item--${eventTone(e.kind)}`}
                      data-kind={e.kind}
                    >
                      <span className="timeline__dot" aria-hidden="true" />
                      <div>
                        <div className="timeline__text">
                          {describeEvent(e, people.nameOf, { withAttempt: false })}
                        </div>
                        {comment && <div className="timeline__comment">{comment}</div>}
                      </div>
                      <time
                        className="timeline__time"
                        dateTime={e.createdAt}
                        title={new Date(e.createdAt).toLocaleString()}
                      >
                        {formatRelative(e.createdAt)}
                      </time>
                    </li>
                  );
                })}
              </ol>
            </section>
          ))}
        </div>
      )}
    </main>
  );
}
