import type { Label } from "@labelbench/schema";
import { useId } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { call } from "../../api/client";
import { useProject } from "../../project/project-context";
import { useProjectPeople } from "../../review/members";
import { IdFilterSelect, ListFoot, QueueImageLink } from "../../review/queue-parts";
import {
  activeFilters,
  DEFAULT_QUEUE_SCOPE,
  dayStart,
  isDay,
  localDay,
  parseQueueScope,
  QUEUE_STATES,
  type QueueScope,
  queueQuery,
  reviewHref,
  withQueueScope,
} from "../../review/queue-scope";
import { QUEUE_STATE_LABEL } from "../../review/review-text";
import { usePaged } from "../../review/use-paged";
import { formatCount, formatRelative, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading } from "../../ui/parts";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import "../../auth/accounts.css";
import "../../review/review.css";

const PAGE = 50;

/**
 * The reviewer's queue: submitted images, oldest submission first, narrowed by the filters in the
 * URL. Each row opens the editor in review mode with the same filters, so its next/previous image
 * walk this list.
 */
export function ReviewQueuePage() {
  const { project } = useProject();
  const projectId = project.id;
  const [params, setParams] = useSearchParams();
  const scope = parseQueueScope(params);
  useTitle(`Review: ${QUEUE_STATE_LABEL[scope.state]}`, project.name);
  const navigate = useNavigate();
  const people = useProjectPeople(projectId);
  const labels = useAsync(
    (signal) => call("listLabels", { params: { projectId }, signal }).then((r) => r.items),
    [projectId],
    "Could not load the labels",
  );
  const key = JSON.stringify(scope);
  const list = usePaged(
    (cursor, signal) =>
      call("reviewQueue", {
        params: { projectId },
        query: { ...queueQuery(scope), cursor, limit: PAGE },
        signal,
      }),
    [projectId, key],
    "Could not load the review queue",
  );
  const set = (next: Partial<QueueScope>) => setParams(withQueueScope(params, { ...scope, ...next }));
  const first = list.items?.[0];

  return (
    <main id="main" className="page page--medium">
      <div className="page-header">
        <div>
          <h1 className="page-title">Review</h1>
          <p className="page-subtitle">
            Submitted images, oldest first. Open one to accept (Y), reject (X) or fix it (E); D and A step
            through this list.
          </p>
        </div>
        <div className="page-header__actions">
          <Link className="button" to={`/projects/${projectId}/review/audits`}>
            Audits
          </Link>
          <button
            type="button"
            className="button button--primary"
            disabled={!first}
            onClick={() => first && navigate(reviewHref(projectId, first.imageId, scope))}
          >
            <Icon name="check" size={16} /> Start reviewing
          </button>
        </div>
      </div>

      <div className="toolbar">
        <nav className="filter-tabs" aria-label="Review state">
          {QUEUE_STATES.map((s) => (
            <Link
              key={s}
              to={{ search: `?${withQueueScope(params, { ...scope, state: s }).toString()}` }}
              className={`filter-tab${scope.state === s ? " is-active" : ""}`}
              aria-current={scope.state === s ? "page" : undefined}
            >
              {QUEUE_STATE_LABEL[s]}
            </Link>
          ))}
        </nav>
      </div>

      <QueueFilters
        scope={scope}
        people={people.members}
        labels={labels.data ?? []}
        onChange={set}
        onClear={() => set({ ...DEFAULT_QUEUE_SCOPE, state: scope.state })}
      />

      <section className="card card--flush" aria-label="Review queue">
        {list.items === undefined ? (
          list.error ? (
            <ErrorState title="Could not load the review queue" message={list.error} onRetry={list.reload} />
          ) : (
            <Loading what="the review queue" />
          )
        ) : list.items.length === 0 ? (
          <EmptyState
            icon="check"
            title={activeFilters(scope) > 0 ? "Nothing matches these filters" : "Nothing to review"}
          >
            {activeFilters(scope) > 0
              ? "Clear a filter to see more of the queue."
              : scope.state === "pending"
                ? "Submitted images selected for review appear here as annotators submit them."
                : "No image is in this state."}
          </EmptyState>
        ) : (
          <>
            <table className="data-table queue-table">
              <thead>
                <tr>
                  <th scope="col">Image</th>
                  <th scope="col">Annotator</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Submitted</th>
                  <th scope="col">Open issues</th>
                  <th scope="col">Objects</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((it) => (
                  <tr key={it.imageId} data-image-id={it.imageId}>
                    <td>
                      <QueueImageLink
                        imageId={it.imageId}
                        fileName={it.fileName}
                        to={reviewHref(projectId, it.imageId, scope)}
                      />
                    </td>
                    <td>
                      {people.nameOf(it.submittedBy) ??
                        (it.submittedBy === null ? "–" : `user ${it.submittedBy}`)}
                    </td>
                    <td>
                      {it.attempt > 1 ? <span className="pill pill--warn">{it.attempt}</span> : it.attempt}
                    </td>
                    <td className="muted" title={it.submittedAt ?? undefined}>
                      {it.submittedAt ? formatRelative(it.submittedAt) : "–"}
                    </td>
                    <td>
                      {it.unresolvedIssues > 0 ? (
                        <span className="pill pill--warn">{formatCount(it.unresolvedIssues)}</span>
                      ) : (
                        <span className="muted">0</span>
                      )}
                    </td>
                    <td>{formatCount(it.annotationCount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ListFoot
              shown={
                <>
                  {plural(list.items.length, "image")} shown
                  {list.last &&
                    ` · ${formatCount(list.last.total)} ${QUEUE_STATE_LABEL[scope.state].toLowerCase()} in all`}
                </>
              }
              more={list.more}
              loading={list.loading}
              error={list.error}
              onMore={list.loadMore}
            />
          </>
        )}
      </section>
    </main>
  );
}

function QueueFilters({
  scope,
  people,
  labels,
  onChange,
  onClear,
}: {
  scope: QueueScope;
  people: { userId: number; name: string }[];
  labels: Label[];
  onChange: (next: Partial<QueueScope>) => void;
  onClear: () => void;
}) {
  const id = useId();
  const num = (v: string) => (v === "" ? undefined : Number(v));
  return (
    <fieldset className="queue-filters">
      <legend className="visually-hidden">Filters</legend>
      <IdFilterSelect
        title="Annotator"
        anyText="Anyone"
        value={scope.annotatorId}
        options={people.map((p) => ({ id: p.userId, name: p.name }))}
        onChange={(annotatorId) => onChange({ annotatorId })}
      />
      <IdFilterSelect
        title="Label"
        anyText="Any label"
        value={scope.labelId}
        options={labels}
        onChange={(labelId) => onChange({ labelId })}
      />
      <label className="queue-filter" htmlFor={`${id}-s`}>
        <span>Submitted since</span>
        <input
          id={`${id}-s`}
          type="date"
          className="input input--small"
          value={scope.since ? localDay(scope.since) : ""}
          onChange={(e) => onChange({ since: isDay(e.target.value) ? dayStart(e.target.value) : undefined })}
        />
      </label>
      <label className="queue-filter" htmlFor={`${id}-i`}>
        <span>Issues</span>
        <select
          id={`${id}-i`}
          className="input select select--compact"
          value={scope.openIssues === undefined ? "" : String(scope.openIssues)}
          onChange={(e) =>
            onChange({ openIssues: e.target.value === "" ? undefined : e.target.value === "true" })
          }
        >
          <option value="">Any</option>
          <option value="true">With open issues</option>
          <option value="false">Without open issues</option>
        </select>
      </label>
      <label className="queue-filter" htmlFor={`${id}-t`}>
        <span>Attempt</span>
        <select
          id={`${id}-t`}
          className="input select select--compact"
          value={scope.attempt ?? ""}
          onChange={(e) => onChange({ attempt: num(e.target.value) })}
        >
          <option value="">Any</option>
          <option value="1">First submission</option>
          <option value="2">2nd (first rework)</option>
          <option value="3">3rd</option>
          <option value="4">4th</option>
        </select>
      </label>
      {activeFilters(scope) > 0 && (
        <button type="button" className="link-button queue-filters__clear" onClick={onClear}>
          Clear filters
        </button>
      )}
    </fieldset>
  );
}
