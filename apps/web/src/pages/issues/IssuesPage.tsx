import type { IssueState } from "@labelbench/schema";
import { IssueState as IssueStateSchema } from "@labelbench/schema";
import { Link, useSearchParams } from "react-router";
import { call } from "../../api/client";
import { useCan } from "../../auth/useCan";
import { useProject } from "../../project/project-context";
import { useProjectPeople } from "../../review/members";
import { IdFilterSelect } from "../../review/queue-parts";
import { CATEGORY_LABEL, ISSUE_STATE_LABEL, SEVERITY_LABEL } from "../../review/review-text";
import { usePaged } from "../../review/use-paged";
import { formatRelative, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading, Spinner } from "../../ui/parts";
import { useTitle } from "../../ui/useTitle";
import { issueHref, issuesQuery, issuesSearch, parseIssuesScope, toggledStates } from "./issues-scope";
import "../../auth/accounts.css";
import "../../review/review.css";

/** Every issue pinned in the project, filtered by state and annotator; each opens the editor at it. */
export function IssuesPage() {
  const { project } = useProject();
  const projectId = project.id;
  useTitle("Issues", project.name);
  const [params, setParams] = useSearchParams();
  const scope = parseIssuesScope(params);
  const reviewer = useCan()("review", project);
  const people = useProjectPeople(projectId);
  const list = usePaged(
    (cursor, signal) =>
      call("listProjectIssues", { params: { projectId }, query: { ...issuesQuery(scope), cursor }, signal }),
    [projectId, issuesSearch(scope)],
    "Could not load the issues",
  );
  const go = (next: Partial<typeof scope>) => {
    const qs = issuesSearch({ ...scope, ...next });
    setParams(new URLSearchParams(qs.slice(1)));
  };
  const toggle = (s: IssueState) => go({ states: toggledStates(scope.states, s) });

  return (
    <main id="main" className="page page--medium">
      <div className="page-header">
        <div>
          <h1 className="page-title">Issues</h1>
          <p className="page-subtitle">
            Problems reviewers pinned on the images: open until the annotator fixes them, then resolved or
            reopened by a reviewer.
          </p>
        </div>
      </div>

      <fieldset className="queue-filters">
        <legend className="visually-hidden">Filters</legend>
        <fieldset className="queue-filter plain-fieldset">
          <legend className="queue-filter__legend">State</legend>
          <div className="chip-group">
            {IssueStateSchema.options.map((s) => (
              <label key={s} className="chip">
                <input
                  type="checkbox"
                  className="chip__input"
                  checked={scope.states.length === 0 || scope.states.includes(s)}
                  onChange={() => toggle(s)}
                />
                {ISSUE_STATE_LABEL[s]}
              </label>
            ))}
          </div>
        </fieldset>
        <IdFilterSelect
          title="Annotator"
          anyText="Anyone"
          value={scope.annotatorId}
          options={people.members.map((p) => ({ id: p.userId, name: p.name }))}
          onChange={(annotatorId) => go({ annotatorId })}
        />
        {scope.imageId !== undefined && (
          <span className="queue-filter">
            <span>Image</span>
            <button type="button" className="chip" onClick={() => go({ imageId: undefined })}>
              {list.items?.[0]?.fileName ?? `image ${scope.imageId}`} <Icon name="close" size={12} />
              <span className="visually-hidden">: show every image</span>
            </button>
          </span>
        )}
      </fieldset>

      <section className="card card--flush" aria-label="Issues">
        {list.items === undefined ? (
          list.error ? (
            <ErrorState title="Could not load the issues" message={list.error} onRetry={list.reload} />
          ) : (
            <Loading what="issues" />
          )
        ) : list.items.length === 0 ? (
          <EmptyState icon="check" title="No issues here">
            Issues appear when a reviewer pins one on an image.
          </EmptyState>
        ) : (
          <>
            <table className="data-table queue-table">
              <thead>
                <tr>
                  <th scope="col">Issue</th>
                  <th scope="col">Image</th>
                  <th scope="col">Annotator</th>
                  <th scope="col">State</th>
                  <th scope="col">Raised</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((it) => {
                  const first = it.comments[0];
                  return (
                    <tr key={it.id} data-issue-id={it.id}>
                      <td>
                        <Link to={issueHref(projectId, it.imageId, it.id, reviewer)} className="issue-link">
                          <span className={`severity severity--${it.severity}`}>
                            {SEVERITY_LABEL[it.severity]}
                          </span>{" "}
                          <strong>{CATEGORY_LABEL[it.category]}</strong>
                          {it.anchor.kind === "shape" && it.shapeGone && (
                            <span className="muted"> · shape deleted</span>
                          )}
                        </Link>
                        {first && <span className="issue-comment">“{first.body}”</span>}
                        {it.comments.length > 1 && (
                          <span className="muted"> {plural(it.comments.length - 1, "reply", "replies")}</span>
                        )}
                      </td>
                      <td className="queue-image__name" title={`Only the issues of ${it.fileName}`}>
                        <Link to={{ search: issuesSearch({ ...scope, imageId: it.imageId }) }}>
                          {it.fileName}
                        </Link>
                      </td>
                      <td>{people.nameOf(it.assigneeId) ?? "–"}</td>
                      <td>
                        <span className={`issue-state issue-state--${it.state}`}>
                          {ISSUE_STATE_LABEL[it.state]}
                        </span>
                      </td>
                      <td className="muted" title={it.createdAt}>
                        {formatRelative(it.createdAt)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {(list.more || list.error) && (
              <div className="list-foot">
                <span className="muted">{plural(list.items.length, "issue")} shown</span>
                {list.more && (
                  <button type="button" className="button" disabled={list.loading} onClick={list.loadMore}>
                    {list.loading && <Spinner label="Loading" />} Show more
                  </button>
                )}
                {list.error && <span className="text-danger">{list.error}</span>}
              </div>
            )}
          </>
        )}
      </section>
    </main>
  );
}
