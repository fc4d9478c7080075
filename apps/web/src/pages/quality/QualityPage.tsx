import type { QualityReport } from "@labelbench/schema";
import { useId } from "react";
import { Link, useSearchParams } from "react-router";
import { call } from "../../api/client";
import { useMe } from "../../auth/session-store";
import { useCan } from "../../auth/useCan";
import { useProject } from "../../project/project-context";
import { formatDuration } from "../../review/review-text";
import { plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading } from "../../ui/parts";
import { messageOf } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { EstimateView } from "./EstimateView";
import { AgreementMatrixView, ConfusionMatrixView } from "./Matrices";
import {
  type DashboardScope,
  type DashboardView,
  dashboardSearch,
  type ImagesFilter,
  imagesHref,
  parseDashboardScope,
  reportCsvUrl,
  reportQuery,
  TABLE_OF,
  VIEWS,
} from "./quality-scope";
import { OutcomeCounts, ScoreKpis } from "./ReportSummary";
import { AnnotatorTable, ConfusionList, LabelTable, ReviewerTable, WeekTable } from "./ReportTables";
import { formatThroughput } from "./report-model";
import "../../auth/accounts.css";
import "../../review/review.css";
import "./quality.css";

const VIEW_LABEL: Record<DashboardView, string> = {
  annotators: "Annotators",
  labels: "Labels",
  weeks: "Weeks",
  confusion: "Confusion",
  agreement: "Agreement",
  reviewers: "Reviewers",
};

/**
 * The QC dashboard. Reviewers and managers see everyone's numbers, per annotator, label and week,
 * the matrices and reviewer precision; `?annotatorId=` narrows it to one person's page. An
 * annotator always sees their own page ("My quality"): the server answers them with their rows only.
 */
export function QualityPage() {
  const { project } = useProject();
  const projectId = project.id;
  const me = useMe();
  const seesEveryone = useCan()("review", project);
  const [params, setParams] = useSearchParams();
  const parsed = parseDashboardScope(params);
  const scope: DashboardScope = seesEveryone ? parsed : { ...parsed, annotatorId: me.user.id };
  const own = scope.annotatorId !== undefined;
  useTitle(
    seesEveryone && !(own && scope.annotatorId === me.user.id) ? "Quality" : "My quality",
    project.name,
  );
  const key = JSON.stringify(reportQuery(scope));
  const report = useAsync(
    (signal) => call("qualityReport", { params: { projectId }, query: reportQuery(scope), signal }),
    [projectId, key],
    "Could not load the quality report",
  );
  const set = (next: Partial<DashboardScope>) => setParams(dashboardSearch({ ...scope, ...next }).slice(1));
  const filter: ImagesFilter = {
    kind: scope.kind,
    from: scope.from,
    to: scope.to,
    annotatorId: scope.annotatorId,
  };
  const r = report.data;
  const person = own ? r?.annotators.find((a) => a.userId === scope.annotatorId) : undefined;
  const title = !own
    ? "Quality"
    : scope.annotatorId === me.user.id
      ? "My quality"
      : `${person?.name ?? "Annotator"}: quality`;

  return (
    <main id="main" className="page">
      <div className="page-header">
        <div>
          {own && seesEveryone && (
            <Link to={dashboardSearch({ ...scope, annotatorId: undefined }) || "?"} className="back-link">
              <Icon name="arrowLeft" size={14} /> Everyone
            </Link>
          )}
          <h1 className="page-title">{title}</h1>
          <p className="page-subtitle">
            {scope.kind === "audit"
              ? "Accepted work checked again by an auditor. "
              : seesEveryone
                ? "Work checked against gold images, blind. "
                : "Your submitted work checked against reference annotations. "}
            Every number shows its sample size n and a 95% interval (±, and the bar from 0 to 100%);{" "}
            {seesEveryone
              ? "click a count to see the images behind it."
              : "a count opens your qualification images behind it (the others stay unnamed)."}
          </p>
        </div>
      </div>

      <Filters scope={scope} onChange={set} seesEveryone={seesEveryone} />

      {!r ? (
        report.error ? (
          <ErrorState
            title="Could not load the quality report"
            message={messageOf(report.error)}
            onRetry={report.reload}
          />
        ) : (
          <Loading what="the quality report" />
        )
      ) : r.summary.counts.comparisons === 0 ? (
        <NothingMeasured
          projectId={projectId}
          scope={scope}
          seesEveryone={seesEveryone}
          self={scope.annotatorId === me.user.id}
        />
      ) : own ? (
        <PersonReport projectId={projectId} report={r} scope={scope} filter={filter} />
      ) : (
        <TeamReport projectId={projectId} report={r} scope={scope} filter={filter} />
      )}
    </main>
  );
}

function Filters({
  scope,
  onChange,
  seesEveryone,
}: {
  scope: DashboardScope;
  onChange: (next: Partial<DashboardScope>) => void;
  /** Annotators never read which images are gold: their word is "reference". */
  seesEveryone: boolean;
}) {
  const id = useId();
  return (
    <fieldset className="queue-filters">
      <legend className="visually-hidden">Filters</legend>
      <label className="queue-filter" htmlFor={`${id}-k`}>
        <span>Measured against</span>
        <select
          id={`${id}-k`}
          className="input select select--compact"
          value={scope.kind}
          onChange={(e) => onChange({ kind: e.target.value === "audit" ? "audit" : "gold" })}
        >
          <option value="gold">{seesEveryone ? "Gold images" : "Reference annotations"}</option>
          <option value="audit">Audits of accepted work</option>
        </select>
      </label>
      <label className="queue-filter" htmlFor={`${id}-f`}>
        <span>From the week of</span>
        <input
          id={`${id}-f`}
          type="date"
          className="input input--small"
          value={scope.from ?? ""}
          onChange={(e) => onChange({ from: e.target.value || undefined })}
        />
      </label>
      <label className="queue-filter" htmlFor={`${id}-t`}>
        <span>To the week of</span>
        <input
          id={`${id}-t`}
          type="date"
          className="input input--small"
          value={scope.to ?? ""}
          onChange={(e) => onChange({ to: e.target.value || undefined })}
        />
      </label>
      {(scope.from || scope.to) && (
        <button
          type="button"
          className="link-button queue-filters__clear"
          onClick={() => onChange({ from: undefined, to: undefined })}
        >
          All weeks
        </button>
      )}
    </fieldset>
  );
}

/** What to do when there is nothing to show yet: the step that makes numbers appear. */
function NothingMeasured({
  projectId,
  scope,
  seesEveryone,
  self,
}: {
  projectId: number;
  scope: DashboardScope;
  seesEveryone: boolean;
  self: boolean;
}) {
  if (scope.from || scope.to)
    return (
      <EmptyState icon="chart" title="Nothing was measured in these weeks">
        Choose other weeks, or all weeks.
      </EmptyState>
    );
  if (!seesEveryone || (self && scope.annotatorId !== undefined))
    return (
      <EmptyState icon="chart" title="No measured work yet">
        Some images in your queue are checked against a reference. Your accuracy appears here once you have
        submitted some of them: keep labelling as you always do.
      </EmptyState>
    );
  if (scope.kind === "audit")
    return (
      <EmptyState
        icon="chart"
        title="No audits yet"
        action={
          <Link className="button button--primary" to={`/projects/${projectId}/settings`}>
            Open the quality settings
          </Link>
        }
      >
        Set an audit share in the project's quality settings: a sample of accepted images is then checked
        again by another reviewer.
      </EmptyState>
    );
  return (
    <EmptyState
      icon="chart"
      title={scope.annotatorId === undefined ? "Nothing measured yet" : "Nothing of theirs measured yet"}
      action={
        <>
          <Link className="button button--primary" to={`/projects/${projectId}/images`}>
            Go to the images
          </Link>{" "}
          <Link className="button" to={`/projects/${projectId}/settings`}>
            Open the quality settings
          </Link>
        </>
      }
    >
      Mark images as gold to measure accuracy: in the library, select images and choose Gold → Honeypot, check
      their annotations (they are the reference), and set a honeypot share or a warm-up in the project's
      quality settings. Annotators meet them blind in their queue; their scores appear here as they submit.
    </EmptyState>
  );
}

/** A label's name and colour as the report's confusion matrix knows them (a deleted label keeps its number). */
const labelLookup = (report: QualityReport) => {
  const labels = new Map(report.confusion.labels.map((l) => [l.id, l]));
  return {
    nameOfLabel: (id: number): string => labels.get(id)?.name ?? `label #${id}`,
    colourOf: (id: number): string | null => labels.get(id)?.color ?? null,
  };
};

/** What every view of the report receives. */
interface ReportViewProps {
  projectId: number;
  report: QualityReport;
  scope: DashboardScope;
  filter: ImagesFilter;
}

function TeamReport({ projectId, report, scope, filter }: ReportViewProps) {
  const { nameOfLabel, colourOf } = labelLookup(report);
  const view = scope.view;
  const table = (() => {
    switch (view) {
      case "annotators":
        return report.annotators.length === 0 ? null : (
          <AnnotatorTable
            projectId={projectId}
            rows={report.annotators}
            filter={filter}
            nameOfLabel={nameOfLabel}
            annotatorHref={(userId) => dashboardSearch({ ...scope, view: "annotators", annotatorId: userId })}
          />
        );
      case "labels":
        return report.labels.length === 0 ? null : (
          <LabelTable
            projectId={projectId}
            rows={report.labels}
            filter={filter}
            colourOf={colourOf}
            confusion={report.confusion.cells}
            confusionHref={dashboardSearch({ ...scope, view: "confusion" })}
          />
        );
      case "weeks":
        return report.weeks.length === 0 ? null : (
          <WeekTable projectId={projectId} rows={report.weeks} filter={filter} />
        );
      case "confusion":
        return report.confusion.cells.length === 0 ? null : (
          <ConfusionMatrixView projectId={projectId} matrix={report.confusion} filter={filter} />
        );
      case "agreement":
        return !report.agreement || report.agreement.cells.length === 0 ? null : (
          <AgreementMatrixView projectId={projectId} matrix={report.agreement} filter={filter} />
        );
      case "reviewers":
        return !report.reviewers || report.reviewers.length === 0 ? null : (
          <ReviewerTable rows={report.reviewers} />
        );
    }
  })();
  return (
    <>
      <ScoreKpis scores={report.summary.scores} />
      <OutcomeCounts projectId={projectId} counts={report.summary.counts} filter={filter} />
      <section className="card card--flush quality-section" aria-label={VIEW_LABEL[view]}>
        <div className="card-head">
          <nav className="filter-tabs" aria-label="Tables">
            {VIEWS.map((v) => (
              <Link
                key={v}
                to={dashboardSearch({ ...scope, view: v }) || "?"}
                className={`filter-tab${view === v ? " is-active" : ""}`}
                aria-current={view === v ? "page" : undefined}
              >
                {VIEW_LABEL[v]}
              </Link>
            ))}
          </nav>
          {table && (
            <a
              className="button button--small"
              href={reportCsvUrl(projectId, scope, TABLE_OF[view])}
              download
            >
              <Icon name="download" size={14} /> CSV
            </a>
          )}
        </div>
        {table ?? <EmptyTable projectId={projectId} view={view} />}
      </section>
      <p className="muted quality-footnote">
        Matched when IoU ≥ {report.match.matchThreshold}; low overlap under {report.match.lowOverlapThreshold}{" "}
        ({report.match.preset === "cvat" ? "CVAT's defaults" : "Labelbench's defaults"}). M: shapes found with
        the wrong label.
      </p>
    </>
  );
}

function EmptyTable({ projectId, view }: { projectId: number; view: DashboardView }) {
  const settings = (
    <Link className="button" to={`/projects/${projectId}/settings`}>
      Open the quality settings
    </Link>
  );
  switch (view) {
    case "agreement":
      return (
        <EmptyState icon="users" title="No blind overlap yet" action={settings}>
          Set more than one annotator per image in the quality settings: several annotators then label the
          same images without seeing each other's work, and their agreement shows here.
        </EmptyState>
      );
    case "reviewers":
      return (
        <EmptyState icon="check" title="No audited reviews yet" action={settings}>
          Set an audit share in the quality settings: a sample of accepted images is checked again by another
          reviewer, and each reviewer's precision shows here.
        </EmptyState>
      );
    default:
      return (
        <EmptyState icon="chart" title="Nothing in this table yet">
          It fills as annotators submit measured work.
        </EmptyState>
      );
  }
}

/** One annotator's page: their scores, their most frequent errors, their weeks and labels, their images. */
function PersonReport({ projectId, report, scope, filter }: ReportViewProps) {
  const { nameOfLabel, colourOf } = labelLookup(report);
  const row = report.annotators.find((a) => a.userId === scope.annotatorId);
  return (
    <>
      <ScoreKpis scores={report.summary.scores} />
      <OutcomeCounts projectId={projectId} counts={report.summary.counts} filter={filter} />
      {row && (
        <section className="quality-kpis person-kpis" aria-label="Pace and review">
          <div className="quality-kpi" title="Images submitted per hour of focused editor time">
            <span className="quality-kpi__label">Speed</span>
            <span className="quality-kpi__text">{formatThroughput(row.throughput.imagesPerActiveHour)}</span>
            <span className="muted">
              {plural(row.throughput.imagesSubmitted, "image")} in{" "}
              {formatDuration(row.throughput.activeSeconds)}
            </span>
          </div>
          <div className="quality-kpi" title="First review decisions that accepted">
            <span className="quality-kpi__label">First-pass yield</span>
            <EstimateView estimate={row.firstPassYield} unit="decisions" size="large" />
          </div>
          <div className="quality-kpi" title="Rejections per review decision">
            <span className="quality-kpi__label">Rework</span>
            <EstimateView estimate={row.rework} unit="decisions" size="large" />
          </div>
        </section>
      )}
      {row && row.topConfusions.length > 0 && (
        <section className="card quality-section quality-confusions" aria-label="Most frequent errors">
          <h2 className="card-head__title">Most frequent errors</h2>
          <ConfusionList
            projectId={projectId}
            filter={filter}
            cells={row.topConfusions}
            nameOf={nameOfLabel}
          />
        </section>
      )}
      <section className="card card--flush quality-section" aria-label="Per week">
        <div className="card-head">
          <h2 className="card-head__title">Week by week</h2>
          <a className="button button--small" href={reportCsvUrl(projectId, scope, "week")} download>
            <Icon name="download" size={14} /> CSV
          </a>
        </div>
        <WeekTable projectId={projectId} rows={report.weeks} filter={filter} />
      </section>
      <section className="card card--flush quality-section" aria-label="Per label">
        <div className="card-head">
          <h2 className="card-head__title">Per label</h2>
          <a className="button button--small" href={reportCsvUrl(projectId, scope, "label")} download>
            <Icon name="download" size={14} /> CSV
          </a>
        </div>
        <LabelTable
          projectId={projectId}
          rows={report.labels}
          filter={filter}
          colourOf={colourOf}
          confusion={report.confusion.cells}
          confusionHref="#confusion"
        />
      </section>
      {report.confusion.cells.length > 0 && (
        <section className="card card--flush quality-section" aria-label="Confusion matrix" id="confusion">
          <div className="card-head">
            <h2 className="card-head__title">Confusion matrix</h2>
            <a className="button button--small" href={reportCsvUrl(projectId, scope, "confusion")} download>
              <Icon name="download" size={14} /> CSV
            </a>
          </div>
          <ConfusionMatrixView projectId={projectId} matrix={report.confusion} filter={filter} />
        </section>
      )}
      <p>
        <Link className="button" to={imagesHref(projectId, { ...filter, order: "recent" })}>
          <Icon name="image" size={16} /> Every measured image, latest first
        </Link>
      </p>
    </>
  );
}
