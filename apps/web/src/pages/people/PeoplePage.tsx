import { useState } from "react";
import { Link } from "react-router";
import { call } from "../../api/client";
import { ROLE_LABEL } from "../../auth/permissions";
import { useMe } from "../../auth/session-store";
import { useCan } from "../../auth/useCan";
import { useProject } from "../../project/project-context";
import { formatDuration, formatRate } from "../../review/review-text";
import { formatCount } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading } from "../../ui/parts";
import { messageOf } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import {
  defaultDescending,
  firstPassRate,
  type StatsColumn,
  type StatsSort,
  sortStats,
  totalsOf,
} from "./people-model";
import "../../auth/accounts.css";
import "../../review/review.css";

const COLUMNS: { key: StatsColumn; title: string; hint: string }[] = [
  { key: "name", title: "Annotator", hint: "" },
  { key: "assigned", title: "Assigned", hint: "Images assigned to them now" },
  { key: "submitted", title: "Submitted", hint: "Images they submitted at least once" },
  { key: "acceptedFirstPass", title: "Accepted 1st pass", hint: "Accepted on their first submission" },
  { key: "rejected", title: "Rejected", hint: "Rejections received" },
  { key: "reworkRate", title: "Rework rate", hint: "Rejections per review decision" },
  { key: "objects", title: "Objects", hint: "Shapes they drew that still exist" },
  { key: "activeSeconds", title: "Active time", hint: "Time with the editor focused, not wall-clock time" },
  { key: "openIssues", title: "Open issues", hint: "Issues on their work not resolved yet" },
];

/** Per annotator: output, quality and time in this project. Annotators see their own row. */
export function PeoplePage() {
  const { project } = useProject();
  const projectId = project.id;
  useTitle("People", project.name);
  const me = useMe();
  const seesEveryone = useCan()("review", project);
  const [sort, setSort] = useState<StatsSort>({ column: "submitted", descending: true });
  const stats = useAsync(
    (signal) => call("annotatorStats", { params: { projectId }, signal }).then((r) => r.items),
    [projectId],
    "Could not load the annotator statistics",
  );
  const rows = stats.data ? sortStats(stats.data, sort) : undefined;
  const totals = stats.data && stats.data.length > 1 ? totalsOf(stats.data) : null;

  const header = (c: (typeof COLUMNS)[number]) => {
    const active = sort.column === c.key;
    return (
      <th
        key={c.key}
        scope="col"
        title={c.hint || undefined}
        aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}
        className={c.key === "name" ? undefined : "num"}
      >
        <button
          type="button"
          className="sort-header"
          onClick={() =>
            setSort(
              active
                ? { column: c.key, descending: !sort.descending }
                : { column: c.key, descending: defaultDescending(c.key) },
            )
          }
        >
          {c.title}
          {active && <Icon name={sort.descending ? "sortDesc" : "sortAsc"} size={14} />}
        </button>
      </th>
    );
  };

  return (
    <main id="main" className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">People</h1>
          <p className="page-subtitle">
            {seesEveryone
              ? "What each member submitted, how much of it passed review the first time, and the focused time it took."
              : "Your own numbers in this project: what you submitted, what passed review, and your focused time."}
          </p>
        </div>
      </div>
      <section className="card card--flush" aria-label="Annotator statistics">
        {rows === undefined ? (
          stats.error ? (
            <ErrorState
              title="Could not load the annotator statistics"
              message={messageOf(stats.error)}
              onRetry={stats.reload}
            />
          ) : (
            <Loading what="the statistics" />
          )
        ) : rows.length === 0 ? (
          <EmptyState icon="users" title="No one has worked here yet">
            Numbers appear as members annotate and submit images.
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="data-table stats-table">
              <thead>
                <tr>{COLUMNS.map(header)}</tr>
              </thead>
              <tbody>
                {rows.map((r) => {
                  const fp = firstPassRate(r);
                  return (
                    <tr key={r.userId} data-user-id={r.userId}>
                      <td>
                        <span className="person__name">
                          {r.name}
                          {r.userId === me.user.id && <span className="you-tag">you</span>}
                        </span>
                        <span className="muted stats-table__role">
                          {r.role in ROLE_LABEL ? ROLE_LABEL[r.role as keyof typeof ROLE_LABEL] : r.role}
                        </span>
                      </td>
                      <td className="num">{formatCount(r.assigned)}</td>
                      <td className="num">{formatCount(r.submitted)}</td>
                      <td className="num">
                        {formatCount(r.acceptedFirstPass)}
                        {fp !== null && <span className="muted"> ({formatRate(fp)})</span>}
                      </td>
                      <td className="num">{formatCount(r.rejected)}</td>
                      <td className="num">{formatRate(r.reworkRate)}</td>
                      <td className="num">{formatCount(r.objects)}</td>
                      <td className="num">{formatDuration(r.activeSeconds)}</td>
                      <td className="num">
                        {r.openIssues > 0 ? (
                          <Link to={`/projects/${projectId}/issues?state=open&annotator=${r.userId}`}>
                            {formatCount(r.openIssues)}
                          </Link>
                        ) : (
                          <span className="muted">0</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
              {totals && (
                <tfoot>
                  <tr>
                    <th scope="row">All</th>
                    <td className="num">{formatCount(totals.assigned)}</td>
                    <td className="num">{formatCount(totals.submitted)}</td>
                    <td className="num">{formatCount(totals.acceptedFirstPass)}</td>
                    <td className="num">{formatCount(totals.rejected)}</td>
                    <td className="num">{formatRate(totals.reworkRate)}</td>
                    <td className="num">{formatCount(totals.objects)}</td>
                    <td className="num">{formatDuration(totals.activeSeconds)}</td>
                    <td className="num">{formatCount(totals.openIssues)}</td>
                  </tr>
                </tfoot>
              )}
            </table>
          </div>
        )}
      </section>
    </main>
  );
}
