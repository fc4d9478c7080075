import type { PredictionRun, PredictionState } from "@labelbench/schema";
import { useId, useState } from "react";
import { useNavigate } from "react-router";
import { call } from "../../api/client";
import { useProject } from "../../project/project-context";
import { Dialog } from "../../ui/Dialog";
import { formatCount, formatRelative } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { ImportPredictionsDialog } from "./ImportPredictionsDialog";
import { acceptanceRate, deleteConsequence, runEditorPath, SOURCE_LABEL, totalOf } from "./predictions-model";
import "../../auth/accounts.css";
import "./predictions.css";

/** A run's count per state, one column each, toned as the editor tones the decisions. */
const COUNT_COLUMNS: { state: PredictionState; header: string; tone: string }[] = [
  { state: "pending", header: "Pending", tone: "" },
  { state: "accepted", header: "Accepted", tone: "pr-ok" },
  { state: "edited", header: "Edited", tone: "pr-warn" },
  { state: "rejected", header: "Rejected", tone: "pr-bad" },
];

/**
 * A project's prediction runs (issue 17), for the managers and ML engineers who bring them in: each
 * run's model, version, source, counts per state and images; rename, delete (naming what goes and
 * what stays), import a new run, and open the editor to decide on them.
 */
export function PredictionsPage() {
  const { project } = useProject();
  useTitle("Predictions", project.name);
  const projectId = project.id;
  const navigate = useNavigate();
  const runs = useAsync(
    (signal) => call("listPredictionRuns", { params: { projectId }, signal }).then((r) => r.items),
    [projectId],
    "Could not load the prediction runs",
  );
  const [importing, setImporting] = useState(false);
  const [editing, setEditing] = useState<PredictionRun | null>(null);
  const [deleting, setDeleting] = useState<PredictionRun | null>(null);

  const openEditor = async (r: PredictionRun) => {
    try {
      // The run's first image with pending predictions; A/D then step only through the run's work.
      const path = await runEditorPath(
        (query) => call("listImages", { params: { projectId }, query }),
        projectId,
        r.id,
      );
      if (path) navigate(path);
      else
        toastError(
          "Nothing to open",
          new Error(`${r.modelName} ${r.modelVersion} has no pending predictions left`),
        );
    } catch (err) {
      toastError("Could not open the editor", err);
    }
  };

  const list = runs.data;
  return (
    <main id="main" className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Predictions</h1>
          <p className="page-subtitle">
            A model's output, kept apart from the annotations: annotators accept, fix or reject each
            prediction in the editor, and every decision counts towards the model version's acceptance rate.
          </p>
        </div>
        <button type="button" className="button button--primary" onClick={() => setImporting(true)}>
          <Icon name="upload" size={16} /> Import predictions
        </button>
      </div>

      {runs.loading && !list && <Loading what="prediction runs" />}
      {runs.error && !list ? (
        <ErrorState
          title="Could not load the prediction runs"
          message={messageOf(runs.error)}
          onRetry={runs.reload}
        />
      ) : null}
      {list && list.length === 0 && (
        <EmptyState
          icon="layers"
          title="No predictions yet"
          action={
            <button type="button" className="button button--primary" onClick={() => setImporting(true)}>
              Import predictions
            </button>
          }
        >
          Import a model's COCO results, YOLO label files with confidences, or Label Studio predictions.
        </EmptyState>
      )}
      {list && list.length > 0 && (
        <section className="card card--flush pr-table-wrap" aria-label="Prediction runs">
          <table className="data-table pr-table">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Source</th>
                <th scope="col">Created</th>
                {COUNT_COLUMNS.map((c) => (
                  <th key={c.state} scope="col" className="num">
                    {c.header}
                  </th>
                ))}
                <th scope="col" className="num">
                  Acceptance
                </th>
                <th scope="col" className="num">
                  Images
                </th>
                <th scope="col">Trained on</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => {
                const rate = acceptanceRate(r);
                return (
                  <tr key={r.id} data-testid={`run-row-${r.id}`}>
                    <th scope="row">
                      <span className="pr-model">{r.modelName}</span>{" "}
                      <span className="muted">{r.modelVersion}</span>
                    </th>
                    <td>{SOURCE_LABEL[r.source]}</td>
                    <td title={r.createdAt}>
                      {formatRelative(r.createdAt)}
                      {r.createdBy ? <span className="muted"> by {r.createdBy}</span> : null}
                    </td>
                    {COUNT_COLUMNS.map((c) => (
                      <td key={c.state} className={`num ${c.tone}`.trim()} data-testid={`run-${c.state}`}>
                        {formatCount(r.counts[c.state])}
                      </td>
                    ))}
                    <td className="num" title={`${formatCount(totalOf(r))} predictions in all`}>
                      {rate === null ? "—" : `${Math.round(rate * 100)}%`}
                    </td>
                    <td className="num">{formatCount(r.imageCount)}</td>
                    <td>
                      {r.trainedOnVersion === null ? (
                        <span className="muted">—</span>
                      ) : (
                        `version ${r.trainedOnVersion}`
                      )}
                    </td>
                    <td className="data-table__actions">
                      <button
                        type="button"
                        className="button button--small"
                        onClick={() => void openEditor(r)}
                        disabled={r.counts.pending === 0}
                        title={
                          r.counts.pending === 0
                            ? "No pending predictions left"
                            : "The first image with pending predictions of this run; A and D step through the rest"
                        }
                        aria-label={`Open in the editor: ${r.modelName} ${r.modelVersion}`}
                      >
                        Open in the editor
                      </button>
                      <button
                        type="button"
                        className="icon-button"
                        aria-label={`Rename ${r.modelName} ${r.modelVersion}`}
                        onClick={() => setEditing(r)}
                      >
                        <Icon name="pencil" size={16} />
                      </button>
                      <button
                        type="button"
                        className="icon-button"
                        aria-label={`Delete ${r.modelName} ${r.modelVersion}`}
                        onClick={() => setDeleting(r)}
                      >
                        <Icon name="trash" size={16} />
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}

      <ImportPredictionsDialog
        projectId={projectId}
        open={importing}
        onClose={() => setImporting(false)}
        onImported={() => runs.reload()}
      />
      {editing && (
        <EditRunDialog
          run={editing}
          onClose={() => setEditing(null)}
          onSaved={(r) => {
            runs.setData((prev) => prev?.map((x) => (x.id === r.id ? r : x)));
            setEditing(null);
          }}
        />
      )}
      {deleting && (
        <Dialog
          open
          tone="danger"
          title={`Delete ${deleting.modelName} ${deleting.modelVersion}?`}
          description={deleteConsequence(deleting)}
          onClose={() => setDeleting(null)}
          footer={
            <>
              <button type="button" className="button" onClick={() => setDeleting(null)}>
                Cancel
              </button>
              <button
                type="button"
                className="button button--danger"
                onClick={async () => {
                  const r = deleting;
                  try {
                    await call("deletePredictionRun", { params: { runId: r.id } });
                    runs.setData((prev) => prev?.filter((x) => x.id !== r.id));
                    toastSuccess(`Deleted ${r.modelName} ${r.modelVersion}`, deleteConsequence(r));
                  } catch (err) {
                    toastError("Could not delete the run", err);
                  } finally {
                    setDeleting(null);
                  }
                }}
              >
                Delete run
              </button>
            </>
          }
        />
      )}
    </main>
  );
}

function EditRunDialog({
  run,
  onClose,
  onSaved,
}: {
  run: PredictionRun;
  onClose: () => void;
  onSaved: (r: PredictionRun) => void;
}) {
  const id = useId();
  const [modelName, setModelName] = useState(run.modelName);
  const [modelVersion, setModelVersion] = useState(run.modelVersion);
  const [trained, setTrained] = useState(run.trainedOnVersion === null ? "" : String(run.trainedOnVersion));
  const [busy, setBusy] = useState(false);
  const trainedOn = trained.trim() === "" ? null : Number(trained);
  const invalid =
    modelName.trim() === ""
      ? "Name the model"
      : modelVersion.trim() === ""
        ? "Give the version"
        : trainedOn !== null && !(Number.isInteger(trainedOn) && trainedOn > 0)
          ? "The dataset version is a whole number from 1 (or empty)"
          : null;
  const save = async () => {
    if (invalid) return;
    setBusy(true);
    try {
      const r = await call("updatePredictionRun", {
        params: { runId: run.id },
        body: { modelName: modelName.trim(), modelVersion: modelVersion.trim(), trainedOnVersion: trainedOn },
      });
      onSaved(r);
    } catch (err) {
      toastError("Could not save the run", err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      title="Edit the run"
      onClose={onClose}
      onSubmit={() => void save()}
      footer={
        <>
          <span className="muted">{invalid ?? ""}</span>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy || invalid !== null}>
            Save
          </button>
        </>
      }
    >
      <label className="field" htmlFor={`${id}-name`}>
        <span className="field__label">Model name</span>
        <input
          id={`${id}-name`}
          className="input"
          value={modelName}
          onChange={(e) => setModelName(e.target.value)}
        />
      </label>
      <label className="field" htmlFor={`${id}-version`}>
        <span className="field__label">Model version</span>
        <input
          id={`${id}-version`}
          className="input"
          value={modelVersion}
          onChange={(e) => setModelVersion(e.target.value)}
        />
      </label>
      <label className="field" htmlFor={`${id}-trained`}>
        <span className="field__label">Trained on dataset version</span>
        <input
          id={`${id}-trained`}
          className="input"
          inputMode="numeric"
          value={trained}
          placeholder="unknown"
          onChange={(e) => setTrained(e.target.value)}
        />
      </label>
    </Dialog>
  );
}
