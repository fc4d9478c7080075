import type { ModelEvaluation, ModelVersionMetrics } from "@labelbench/schema";
import { Link } from "react-router";
import { call } from "../../api/client";
import { useProject } from "../../project/project-context";
import { EmptyState, ErrorState, Loading } from "../../ui/parts";
import { messageOf } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { EstimateView } from "../quality/EstimateView";
import {
  type ChartBox,
  curveSentence,
  curveSeries,
  formatScore,
  formatSeconds,
  linePath,
  type Series,
  timeSaved,
  xOf,
  yOf,
} from "./models-model";
import "../quality/quality.css";
import "./models.css";

/**
 * "Does the model help?" (issue 17): one row per model version (a live prediction run), oldest
 * first, scored on the project's gold images and on what people did with its predictions, and the
 * learning curve across versions. docs/quality-metrics.md, "Model versions".
 */
export function ModelsPage() {
  const { project } = useProject();
  const projectId = project.id;
  useTitle("Models", project.name);
  const report = useAsync(
    (signal) => call("modelEvaluation", { params: { projectId }, signal }),
    [projectId],
    "Could not load the model versions",
  );
  const e = report.data;
  return (
    <main id="main" className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Models</h1>
          <p className="page-subtitle">
            Each model version (prediction run) scored on the gold images with COCO's mAP, and measured on the
            work: how many of its predictions people accepted, how much they edited them, and the active
            seconds per image with its pre-labels against images labelled from scratch. Every number shows its
            n.
          </p>
        </div>
      </div>
      {!e ? (
        report.error ? (
          <ErrorState
            title="Could not load the model versions"
            message={messageOf(report.error)}
            onRetry={report.reload}
          />
        ) : (
          <Loading what="the model versions" />
        )
      ) : e.versions.length === 0 ? (
        <EmptyState icon="layers" title="No model version yet">
          Import a model's predictions (COCO results, YOLO with confidences or Label Studio JSON) and each
          import appears here as a version.
        </EmptyState>
      ) : (
        <Versions evaluation={e} />
      )}
    </main>
  );
}

function Versions({ evaluation: e }: { evaluation: ModelEvaluation }) {
  return (
    <>
      <section className="card models-summary" aria-labelledby="curve-title">
        <div className="card__head">
          <h2 id="curve-title" className="card__title">
            Learning curve
          </h2>
        </div>
        <LearningCurve evaluation={e} />
        <p className="muted models-note">
          {e.goldImages === 0 ? (
            <>
              No gold images yet: mark some in the <Link to="../images">library</Link> and give them reference
              annotations to score versions.
            </>
          ) : (
            <>
              Scored on the gold images each version predicted on ({e.goldImages.toLocaleString("en-US")} gold
              images in the project). Without pre-labels: {formatSeconds(e.secondsWithoutPredictions)} per
              image.
            </>
          )}
        </p>
      </section>
      <div className="table-scroll">
        <table className="data-table models-table" aria-label="Model versions" data-testid="model-versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col" className="num" title="Gold images scored, and their reference shapes">
                Gold
              </th>
              <th scope="col" className="num" title="COCO AP averaged over IoU .50:.05:.95 (box evaluation)">
                mAP
              </th>
              <th scope="col" className="num" title="COCO AP at IoU .50 (box evaluation)">
                AP50
              </th>
              <th
                scope="col"
                className="num"
                title="(accepted + edited) / decided predictions, 95% Wilson interval"
              >
                Acceptance
              </th>
              <th
                scope="col"
                className="num"
                title="Mean of 1 − IoU between a prediction and the shape it became"
              >
                Mean edit
              </th>
              <th
                scope="col"
                className="num"
                title="Active editor seconds per submitted image worked with this version's predictions in view, those submitted with them all still pending (ignored) included"
              >
                Seconds / image
              </th>
            </tr>
          </thead>
          <tbody>
            {e.versions.map((v) => (
              <VersionRow key={v.runId} version={v} evaluation={e} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function VersionRow({
  version: v,
  evaluation: e,
}: {
  version: ModelVersionMetrics;
  evaluation: ModelEvaluation;
}) {
  const saved = timeSaved(v.secondsWithPredictions, e.secondsWithoutPredictions);
  return (
    <tr>
      <th scope="row">
        <span className="models-version">
          {v.modelName} <strong>{v.modelVersion}</strong>
        </span>
        <span className="muted models-meta">
          {new Date(v.createdAt).toLocaleDateString("en-GB", {
            day: "numeric",
            month: "short",
            year: "numeric",
          })}
          {v.trainedOnVersion !== null && ` · trained on dataset v${v.trainedOnVersion}`}
        </span>
      </th>
      <td className="num">
        {v.gold.images.toLocaleString("en-US")} img
        <span className="muted models-meta">{v.gold.referenceShapes.toLocaleString("en-US")} shapes</span>
      </td>
      <td className="num models-score">{formatScore(v.gold.bbox.map)}</td>
      <td className="num models-score">{formatScore(v.gold.bbox.ap50)}</td>
      <td className="num">
        <EstimateView estimate={v.acceptance} unit="decided predictions" />
      </td>
      <td className="num">
        <EstimateView estimate={v.meanEdit} kind="iou" unit="accepted predictions" />
      </td>
      <td className="num">
        {formatSeconds(v.secondsWithPredictions)}
        {v.ignoredImages > 0 && (
          <span className="muted models-meta">
            {v.ignoredImages.toLocaleString("en-US")} with every prediction ignored
          </span>
        )}
        {saved !== null && (
          <span className={`models-meta ${saved >= 0 ? "models-faster" : "models-slower"}`}>
            {saved >= 0 ? `${Math.round(saved * 100)}% faster` : `${Math.round(-saved * 100)}% slower`} than
            without
          </span>
        )}
      </td>
    </tr>
  );
}

const BOX: ChartBox = { width: 640, height: 220, left: 44, right: 24, top: 16, bottom: 36 };

function LearningCurve({ evaluation: e }: { evaluation: ModelEvaluation }) {
  const series = curveSeries(e.versions);
  const n = e.versions.length;
  return (
    <figure className="models-curve">
      <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-label={curveSentence(e)}>
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t}>
            <line
              className="models-grid"
              x1={BOX.left}
              x2={BOX.width - BOX.right}
              y1={yOf(t, BOX)}
              y2={yOf(t, BOX)}
            />
            <text className="models-axis" x={BOX.left - 8} y={yOf(t, BOX) + 4} textAnchor="end">
              {t.toFixed(2)}
            </text>
          </g>
        ))}
        {e.versions.map((v, i) => (
          <text
            key={v.runId}
            className="models-axis"
            x={xOf(i, n, BOX)}
            y={BOX.height - BOX.bottom + 20}
            textAnchor="middle"
          >
            {v.modelVersion}
          </text>
        ))}
        {series.map((s) => (
          <g key={s.key} className={`models-series models-series--${s.key}`}>
            <path d={linePath(s.values, BOX)} fill="none" />
          </g>
        ))}
        {/* Markers over every line, the largest first: where series meet, each stays in sight. */}
        {[...series].reverse().map((s) => (
          <g key={s.key} className={`models-series models-series--${s.key}`}>
            {s.values.map((v, i) =>
              v === null ? null : (
                <Marker
                  // biome-ignore lint/suspicious/noArrayIndexKey: one point per version, in order
                  key={i}
                  series={s.key}
                  x={xOf(i, n, BOX)}
                  y={yOf(v, BOX)}
                  title={`${s.label} ${e.versions[i]?.modelVersion ?? ""}: ${formatScore(v)}`}
                />
              ),
            )}
          </g>
        ))}
      </svg>
      <figcaption className="models-legend">
        {series.map((s) => (
          <span key={s.key} className={`models-legend__item models-series--${s.key}`}>
            <span className="models-legend__swatch" aria-hidden="true" />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/**
 * A point of a series, each series with a marker of its own (a dot, a ring round it, a diamond), so
 * that equal values of two series stay visible one over the other (models.css).
 */
function Marker({ series, x, y, title }: { series: Series["key"]; x: number; y: number; title: string }) {
  if (series === "acceptance")
    // Its tips reach past the ring, so it shows behind a dot and a ring at the same value.
    return (
      <polygon points={`${x},${y - 12} ${x + 12},${y} ${x},${y + 12} ${x - 12},${y}`}>
        <title>{title}</title>
      </polygon>
    );
  return (
    <circle cx={x} cy={y} r={series === "ap50" ? 6.5 : 4}>
      <title>{title}</title>
    </circle>
  );
}
