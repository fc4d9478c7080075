import type { Editor } from "@labelbench/editor";
import type { Prediction, PredictionRun } from "@labelbench/schema";
import { useStore } from "zustand";
import { withShortcut } from "../keys-display";
import { CalibrationChart } from "./CalibrationChart";
import { PREDICTION_COMMANDS } from "./prediction-commands";
import {
  DEFAULT_MIN_SCORE,
  formatScore,
  imageCounts,
  labelKey,
  runLabels,
  thresholdOf,
} from "./prediction-model";
import type { PredictionApi, PredictionSession } from "./prediction-session";
import "./predictions.css";

const keepFocus = (e: React.MouseEvent) => e.preventDefault();

const n = (x: number) => x.toLocaleString("en");

/**
 * The editor's run panel (issue 17): the image's prediction runs with their counts (project-wide,
 * read again after decisions; this image's below), a visibility toggle and a score slider per run,
 * sliders per label, the focused prediction's actions, and the run's calibration chart.
 */
export function PredictionPanel({
  editor,
  session,
  api,
  walk,
}: {
  editor: Editor;
  session: PredictionSession;
  api: Pick<PredictionApi, "calibration">;
  /**
   * Previous/next through one run's pending work (the library filter `predictionRun`): the run
   * walked now, and the switch. Absent where the editor walks a queue of its own (review, My work).
   */
  walk?: { runId: number | undefined; toggle: (runId: number) => void };
}) {
  const data = useStore(session.store, (s) => s.data);
  const filter = useStore(session.store, (s) => s.filter);
  // A decision made here changes what the panel counts.
  useStore(session.store, (s) => s.local);
  const runs = useStore(session.store, (s) => s.runs);
  const error = useStore(session.store, (s) => s.error);
  // The focused prediction's actions follow the focus.
  useStore(session.store, (s) => s.focusId);
  const labels = useStore(editor.store, (s) => s.labels);
  const imageId = useStore(editor.store, (s) => s.image?.id ?? null);
  // The panel follows the document (an accepted prediction leaves the layer).
  useStore(editor.store, (s) => s.doc.shapes);
  useStore(editor.store, (s) => s.hiddenLabels);
  if (error) {
    return (
      <section className="ed-panel pr-panel" aria-label="Predictions">
        <h2 className="ed-panel__title">Predictions</h2>
        {/* A status, not an alert: when the server is out of reach the canvas already says so. */}
        <p className="ed-empty" role="status">
          {error}
        </p>
      </section>
    );
  }
  if (!data || data.imageId !== imageId || data.runs.length === 0) return null;
  const visible = session.visible();
  const focused = session.focused();
  const ctx = session.context(editor.getState());
  const labelOf = (id: number) => labels.find((l) => l.id === id);
  return (
    <section className="ed-panel pr-panel" aria-label="Predictions" data-testid="prediction-panel">
      <h2 className="ed-panel__title">
        Predictions{" "}
        <span className="ed-count" data-testid="predictions-visible">
          {visible.length}
        </span>
      </h2>
      {focused && (
        <div className="pr-focus" data-testid="prediction-focus">
          <span
            className="ed-swatch"
            style={{ "--label": labelOf(focused.labelId)?.color } as React.CSSProperties}
          />
          <span className="pr-focus__name">
            {labelOf(focused.labelId)?.name ?? `label ${focused.labelId}`} {formatScore(focused.score)}
          </span>
          <button
            type="button"
            className="ed-btn pr-btn-sm"
            onMouseDown={keepFocus}
            onClick={() => session.accept()}
            title={withShortcut("Accept", editor, PREDICTION_COMMANDS.accept)}
          >
            Accept
          </button>
          <button
            type="button"
            className="ed-btn pr-btn-sm"
            onMouseDown={keepFocus}
            onClick={() => void session.reject()}
            title={withShortcut("Reject", editor, PREDICTION_COMMANDS.reject)}
          >
            Reject
          </button>
          <label className="pr-focus__relabel">
            <span>Accept as</span>
            <select
              aria-label="Accept the focused prediction with the label"
              value=""
              onChange={(e) => {
                if (e.target.value) session.accept(focused.id, Number(e.target.value));
              }}
            >
              <option value="">another label…</option>
              {labels
                .filter((l) => l.id !== focused.labelId && l.shapeTypes.includes(focused.geometry.type))
                .map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.name}
                  </option>
                ))}
            </select>
          </label>
        </div>
      )}
      <button
        type="button"
        className="ed-btn pr-accept-all"
        disabled={visible.length === 0}
        onMouseDown={keepFocus}
        onClick={() => session.acceptAllVisible()}
        title={withShortcut("Accept all visible predictions", editor, PREDICTION_COMMANDS.acceptAll)}
      >
        {visible.length === 0 ? "None left above the sliders" : `Accept all ${visible.length} visible`}
      </button>
      <ul className="pr-runs">
        {data.runs.map((run) => {
          const fresh: PredictionRun = runs.get(run.id) ?? run;
          const shown = !filter.hiddenRuns.has(run.id);
          const min = filter.runMin.get(run.id) ?? DEFAULT_MIN_SCORE;
          const here = imageCounts(data.predictions, run.id, ctx);
          const name = `${fresh.modelName} ${fresh.modelVersion}`;
          return (
            <li
              key={run.id}
              className={`pr-run${shown ? "" : " is-off"}`}
              data-testid={`prediction-run-${run.id}`}
            >
              <div className="pr-run__head">
                <button
                  type="button"
                  className={`ed-icon-btn${shown ? " is-on" : ""}`}
                  aria-pressed={shown}
                  aria-label={`Show predictions of ${name}`}
                  onMouseDown={keepFocus}
                  onClick={() => session.toggleRun(run.id)}
                >
                  {shown ? "◉" : "○"}
                </button>
                <span className="pr-run__name" title={name}>
                  {fresh.modelName} <span className="pr-run__version">{fresh.modelVersion}</span>
                </span>
                {walk && (
                  <button
                    type="button"
                    className={`ed-icon-btn pr-run__walk${walk.runId === run.id ? " is-on" : ""}`}
                    aria-pressed={walk.runId === run.id}
                    aria-label={`Step only through images with pending predictions of ${name}`}
                    title={
                      walk.runId === run.id
                        ? "A and D step only through this run's pending images: press to walk every image again"
                        : "A and D step only through the images with pending predictions of this run"
                    }
                    onMouseDown={keepFocus}
                    onClick={() => walk.toggle(run.id)}
                  >
                    ⇥
                  </button>
                )}
              </div>
              <dl className="pr-counts" aria-label={`Counts of ${name} in the project`}>
                <Count name="pending" value={fresh.counts.pending} here={here.pending} />
                <Count name="accepted" value={fresh.counts.accepted} here={here.accepted} />
                <Count name="edited" value={fresh.counts.edited} here={here.edited} />
                <Count name="rejected" value={fresh.counts.rejected} here={here.rejected} />
              </dl>
              <label className="pr-slider">
                <span>Score ≥</span>
                <input
                  type="range"
                  min={0}
                  max={1}
                  step={0.01}
                  value={min}
                  disabled={!shown}
                  aria-label={`Minimum score for ${name}`}
                  onChange={(e) => session.setRunMin(run.id, Number(e.target.value))}
                />
                <output>{min.toFixed(2)}</output>
              </label>
              <details className="pr-details">
                <summary>Per label</summary>
                {runLabels(data.predictions, run.id).map((labelId) => {
                  const own = filter.labelMin.get(labelKey(run.id, labelId));
                  const value = thresholdOf(filter, run.id, labelId);
                  const lname = labelOf(labelId)?.name ?? `label ${labelId}`;
                  return (
                    <label key={labelId} className="pr-slider pr-slider--label">
                      <span
                        className="ed-swatch"
                        style={{ "--label": labelOf(labelId)?.color } as React.CSSProperties}
                      />
                      <span className="pr-slider__name">{lname}</span>
                      <input
                        type="range"
                        min={0}
                        max={1}
                        step={0.01}
                        value={value}
                        disabled={!shown}
                        aria-label={`Minimum score for ${lname} in ${name}`}
                        onChange={(e) => session.setLabelMin(run.id, labelId, Number(e.target.value))}
                      />
                      <output className={own === undefined ? "is-inherited" : ""}>{value.toFixed(2)}</output>
                      {own !== undefined && (
                        <button
                          type="button"
                          className="ed-icon-btn"
                          aria-label={`Use the run's slider for ${lname}`}
                          title="Use the run's slider"
                          onClick={() => session.setLabelMin(run.id, labelId, null)}
                        >
                          ↺
                        </button>
                      )}
                    </label>
                  );
                })}
              </details>
              <details className="pr-details">
                <summary>Calibration</summary>
                <CalibrationChart
                  runId={run.id}
                  load={api.calibration}
                  version={fresh.counts}
                  onUseThreshold={(score) => session.setRunMin(run.id, score)}
                />
              </details>
            </li>
          );
        })}
      </ul>
      <p className="pr-keys">
        <kbd className="ed-kbd">[</kbd> <kbd className="ed-kbd">]</kbd> step by score ·{" "}
        <kbd className="ed-kbd">Enter</kbd> accept · <kbd className="ed-kbd">Del</kbd> reject ·{" "}
        <kbd className="ed-kbd">Shift</kbd>+<kbd className="ed-kbd">Enter</kbd> accept all · drag to edit
      </p>
    </section>
  );
}

function Count({ name, value, here }: { name: string; value: number; here: number }) {
  return (
    <div className={`pr-count pr-count--${name}`} title={`${n(here)} on this image`}>
      <dt>{name}</dt>
      <dd data-testid={`count-${name}`}>{n(value)}</dd>
    </div>
  );
}

/** Whole-image tag predictions as suggested tags with their score: accept adds the tag, reject refuses it. */
export function SuggestedTags({ editor, session }: { editor: Editor; session: PredictionSession }) {
  useStore(session.store, (s) => s.data);
  useStore(session.store, (s) => s.local);
  useStore(session.store, (s) => s.filter);
  useStore(editor.store, (s) => s.doc.tags);
  const labels = useStore(editor.store, (s) => s.labels);
  const tags: Prediction[] = session.suggestedTags();
  if (tags.length === 0) return null;
  return (
    <section className="ed-panel pr-tags" aria-label="Suggested tags">
      <h2 className="ed-panel__title">
        Suggested tags <span className="ed-count">{tags.length}</span>
      </h2>
      <ul className="pr-tags__list">
        {tags.map((p) => {
          const l = labels.find((x) => x.id === p.labelId);
          const name = l?.name ?? `label ${p.labelId}`;
          return (
            <li key={p.id} className="pr-tag" style={{ "--label": l?.color } as React.CSSProperties}>
              <span className="ed-swatch" />
              <span className="pr-tag__name">{name}</span>
              <span className="pr-tag__score">{formatScore(p.score)}</span>
              <button
                type="button"
                className="ed-icon-btn"
                aria-label={`Accept suggested tag ${name}`}
                onMouseDown={keepFocus}
                onClick={() => void session.acceptTag(p.id)}
              >
                ✓
              </button>
              <button
                type="button"
                className="ed-icon-btn"
                aria-label={`Reject suggested tag ${name}`}
                onMouseDown={keepFocus}
                onClick={() => void session.reject(p.id)}
              >
                ✕
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
