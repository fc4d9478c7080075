import type { ProjectStats } from "@labelbench/schema";
import { Link } from "react-router";
import { call } from "../../api/client";
import { useCan } from "../../auth/useCan";
import { useProject } from "../../project/project-context";
import { formatCount, percent, plural, STATUS_LABEL } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading, StatusBar } from "../../ui/parts";
import { messageOf } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { BarChart } from "./BarChart";

export function OverviewPage() {
  const { project } = useProject();
  useTitle("Overview", project.name);
  const stats = useAsync(
    (signal) => call("projectStats", { params: { projectId: project.id }, signal }),
    [project.id],
    "Could not load the project's statistics",
  );

  return (
    <main id="main" className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Overview</h1>
          <p className="page-subtitle">
            {project.description || "Progress and class balance of this project."}
          </p>
        </div>
      </div>
      {stats.data ? (
        <OverviewBody stats={stats.data} projectId={project.id} />
      ) : stats.error ? (
        <ErrorState
          title="Could not load statistics"
          message={messageOf(stats.error)}
          onRetry={stats.reload}
        />
      ) : (
        <Loading what="statistics" />
      )}
    </main>
  );
}

function OverviewBody({ stats, projectId }: { stats: ProjectStats; projectId: number }) {
  const { counts, labels, totalAnnotations } = stats;
  const base = `/projects/${projectId}`;
  const nothing = counts.total === 0 && labels.length === 0;
  // Setting a project up (labels, uploads) is for managers and admins; annotators are told who does it.
  const mayManage = useCan()("manageProject");

  if (nothing && !mayManage) {
    return (
      <EmptyState icon="folder" title="This project is not set up yet">
        A manager defines its labels and uploads its images. They appear here as soon as that is done.
      </EmptyState>
    );
  }
  if (nothing) {
    return (
      <section className="card setup" aria-labelledby="setup-title">
        <h2 id="setup-title" className="card__title">
          Set up this project in two steps
        </h2>
        <ol className="setup__steps">
          <li className="setup__step">
            <span className="setup__num">1</span>
            <div>
              <strong>Define the label set</strong>
              <p>
                The classes annotators draw, each with a colour and a hotkey. Paste a list to add many at
                once.
              </p>
              <Link className="button button--primary" to={`${base}/labels`}>
                <Icon name="tag" size={16} /> Define labels
              </Link>
            </div>
          </li>
          <li className="setup__step">
            <span className="setup__num">2</span>
            <div>
              <strong>Upload images</strong>
              <p>
                Drop files or whole folders on the library. JPEG, PNG, WebP, TIFF, BMP and GIF are accepted.
              </p>
              <Link className="button" to={`${base}/images`}>
                <Icon name="upload" size={16} /> Upload images
              </Link>
            </div>
          </li>
        </ol>
      </section>
    );
  }

  const donePct = percent(counts.done, counts.total);
  const byAnnotations = [...labels].sort((a, b) => b.annotations - a.annotations);
  const byImages = [...labels].sort((a, b) => b.images - a.images);

  return (
    <div className="overview">
      <div className="kpis">
        <Kpi
          label="Images"
          value={formatCount(counts.total)}
          hint={`${formatCount(counts.new)} not started`}
          to={`${base}/images`}
        />
        <Kpi
          label="Done"
          value={`${donePct}%`}
          hint={`${formatCount(counts.done)} of ${formatCount(counts.total)}`}
          to={`${base}/images?status=done`}
        />
        <Kpi
          label="Annotations"
          value={formatCount(totalAnnotations)}
          hint={counts.total > 0 ? `${(totalAnnotations / counts.total).toFixed(1)} per image` : "none yet"}
        />
        <Kpi
          label="Labels"
          value={formatCount(labels.length)}
          hint={`${formatCount(labels.filter((l) => l.annotations + l.tagged > 0).length)} in use`}
          to={mayManage ? `${base}/labels` : undefined}
        />
      </div>

      <section className="card" aria-labelledby="progress-title">
        <div className="card__head">
          <h2 id="progress-title" className="card__title">
            Progress
          </h2>
          <span className="muted">{plural(counts.total, "image")}</span>
        </div>
        {counts.total === 0 ? (
          <p className="card__empty">
            No images yet.{" "}
            {mayManage ? (
              <>
                <Link to={`${base}/images`}>Upload images</Link> to start annotating.
              </>
            ) : (
              "A manager uploads them."
            )}
          </p>
        ) : (
          <>
            <StatusBar counts={counts} height={14} label="Images by status" />
            <ul className="status-legend">
              {(["done", "in_progress", "skipped", "new"] as const).map((s) => (
                <li key={s}>
                  <Link to={`${base}/images?status=${s}`} className="status-legend__item">
                    <span
                      className={`status-legend__swatch status-legend__swatch--${s}`}
                      aria-hidden="true"
                    />
                    <span className="status-legend__name">{STATUS_LABEL[s]}</span>
                    <span className="status-legend__count">{formatCount(counts[s])}</span>
                    <span className="status-legend__pct">{percent(counts[s], counts.total)}%</span>
                  </Link>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <div className="overview__charts">
        <section className="card" aria-labelledby="balance-title">
          <div className="card__head">
            <h2 id="balance-title" className="card__title">
              Annotations per label
            </h2>
            <span className="muted">class balance</span>
          </div>
          {labels.length === 0 ? (
            <NoLabels base={base} />
          ) : totalAnnotations === 0 ? (
            <p className="card__empty">
              No annotations yet. Open an image from the{" "}
              <Link to={`${base}/images?status=new`}>new images</Link> and draw the first boxes.
            </p>
          ) : (
            <BarChart
              label="Annotations per label"
              rows={byAnnotations.map((l) => ({
                key: l.labelId,
                name: l.name,
                color: l.color,
                value: l.annotations,
              }))}
              format={(v) => formatCount(v)}
              share
            />
          )}
        </section>
        <section className="card" aria-labelledby="images-title">
          <div className="card__head">
            <h2 id="images-title" className="card__title">
              Images per label
            </h2>
            <span className="muted">images holding the label</span>
          </div>
          {labels.length === 0 ? (
            <NoLabels base={base} />
          ) : byImages.every((l) => l.images === 0 && l.tagged === 0) ? (
            <p className="card__empty">No image carries a label yet.</p>
          ) : (
            <BarChart
              label="Images per label"
              rows={byImages.map((l) => ({
                key: l.labelId,
                name: l.name,
                color: l.color,
                value: l.images,
                note: l.tagged > 0 ? `${formatCount(l.tagged)} tagged` : undefined,
              }))}
              max={counts.total}
              format={(v) => `${formatCount(v)} / ${formatCount(counts.total)}`}
            />
          )}
        </section>
      </div>
    </div>
  );
}

function NoLabels({ base }: { base: string }) {
  const mayManage = useCan()("manageProject");
  return (
    <p className="card__empty">
      No labels defined.{" "}
      {mayManage ? (
        <>
          <Link to={`${base}/labels`}>Define the label set</Link> before annotating.
        </>
      ) : (
        "A manager defines the label set."
      )}
    </p>
  );
}

function Kpi({ label, value, hint, to }: { label: string; value: string; hint?: string; to?: string }) {
  const body = (
    <>
      <span className="kpi__label">{label}</span>
      <span className="kpi__value">{value}</span>
      {hint && <span className="kpi__hint">{hint}</span>}
    </>
  );
  return to ? (
    <Link to={to} className="kpi kpi--link">
      {body}
    </Link>
  ) : (
    <div className="kpi">{body}</div>
  );
}
