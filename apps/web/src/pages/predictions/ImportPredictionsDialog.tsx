import {
  PREDICTION_FORMATS,
  type PredictionImportQuery,
  type PredictionImportReport,
} from "@labelbench/schema";
import { useId, useRef, useState } from "react";
import { call, detailsOf } from "../../api/client";
import { Dialog } from "../../ui/Dialog";
import { formatCount } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { Spinner } from "../../ui/parts";
import { messageOf, toastSuccess } from "../../ui/toast-store";
import { errorCount, problemPlace, reportSummary, SOURCE_LABEL } from "./predictions-model";

type Format = NonNullable<PredictionImportQuery["format"]>;
const FORMAT_CHOICES: { value: Format; label: string }[] = [
  { value: "auto", label: "Detect from the file" },
  ...PREDICTION_FORMATS.map((f) => ({ value: f, label: SOURCE_LABEL[f] })),
];

type State =
  | { kind: "idle" }
  | { kind: "busy"; dryRun: boolean }
  | { kind: "report"; report: PredictionImportReport }
  | { kind: "failed"; message: string; report: PredictionImportReport | null };

/**
 * Import of a model's predictions as a new run: a file (COCO results JSON, a zip of YOLO label files
 * with a confidence column, or Label Studio JSON), the model's name and version, a score floor and
 * class-wise NMS; a dry run first shows what would be read, dropped and imported, per label, with
 * every problem's place; the import itself is all or nothing.
 */
export function ImportPredictionsDialog({
  projectId,
  open,
  onClose,
  onImported,
}: {
  projectId: number;
  open: boolean;
  onClose: () => void;
  onImported: (report: PredictionImportReport) => void;
}) {
  const id = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<Format>("auto");
  const [modelName, setModelName] = useState("");
  const [modelVersion, setModelVersion] = useState("");
  const [minScore, setMinScore] = useState("0");
  const [nmsIou, setNmsIou] = useState("");
  const [state, setState] = useState<State>({ kind: "idle" });

  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setState({ kind: "idle" });
    };
  const score = Number(minScore);
  const iou = nmsIou.trim() === "" ? null : Number(nmsIou);
  const invalid = !file
    ? "Choose a file"
    : modelName.trim() === ""
      ? "Name the model"
      : modelVersion.trim() === ""
        ? "Give the model's version"
        : !(score >= 0 && score <= 1)
          ? "The score floor is a number from 0 to 1"
          : iou !== null && !(iou > 0 && iou <= 1)
            ? "The NMS IoU is a number above 0, up to 1 (or empty: no NMS)"
            : null;

  const run = async (dryRun: boolean) => {
    if (invalid || !file) return;
    setState({ kind: "busy", dryRun });
    const body = new FormData();
    body.append("files", file, file.name);
    try {
      const report = await call("importPredictions", {
        params: { projectId },
        query: {
          format,
          dryRun: dryRun ? "true" : "false",
          modelName: modelName.trim(),
          modelVersion: modelVersion.trim(),
          minScore: score,
          ...(iou !== null ? { nmsIou: iou } : {}),
        },
        body,
      });
      setState({ kind: "report", report });
      if (!dryRun) {
        toastSuccess("Predictions imported", reportSummary(report));
        onImported(report);
      }
    } catch (err) {
      // A refused import sends its report as the details of its VALIDATION_ERROR.
      const details = detailsOf(err, "VALIDATION_ERROR");
      const refused =
        details && !Array.isArray(details) && "detections" in (details as object)
          ? (details as unknown as PredictionImportReport)
          : null;
      setState({ kind: "failed", message: messageOf(err), report: refused });
    }
  };

  const report = state.kind === "report" ? state.report : state.kind === "failed" ? state.report : null;
  const checked = state.kind === "report" && state.report.dryRun && errorCount(state.report) === 0;
  const done = state.kind === "report" && !state.report.dryRun;
  const busy = state.kind === "busy";
  const close = () => {
    setState({ kind: "idle" });
    onClose();
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      size="lg"
      title="Import predictions"
      description="A model's output becomes a run of predictions to accept, reject or edit in the editor. Check first: nothing changes until you import, and an import with any error changes nothing."
      footer={
        done ? (
          <button type="button" className="button button--primary" onClick={close}>
            Done
          </button>
        ) : (
          <>
            <span className="muted pi-why">{invalid ?? ""}</span>
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
            <button
              type="button"
              className="button"
              disabled={busy || invalid !== null}
              onClick={() => void run(true)}
            >
              {busy && state.dryRun ? <Spinner label="Checking" /> : null} Check (dry run)
            </button>
            <button
              type="button"
              className="button button--primary"
              disabled={busy || invalid !== null || !checked}
              title={checked ? undefined : "Check first: the dry run must find no error"}
              onClick={() => void run(false)}
            >
              {busy && !state.dryRun ? <Spinner label="Importing" /> : null} Import
            </button>
          </>
        )
      }
    >
      <div className="pi-form">
        <div className="pi-file">
          <input
            ref={fileInput}
            type="file"
            accept=".json,.zip,.txt,application/json,application/zip"
            className="visually-hidden"
            aria-label="Predictions file"
            onChange={(e) => changed(setFile)(e.target.files?.[0] ?? null)}
          />
          <button type="button" className="button" onClick={() => fileInput.current?.click()}>
            <Icon name="upload" size={16} /> Choose a file (JSON or zip)
          </button>
          <span className="muted">
            {file ? `${file.name} (${formatCount(file.size)} bytes)` : "Nothing chosen"}
          </span>
        </div>
        <label className="field" htmlFor={`${id}-format`}>
          <span className="field__label">Format</span>
          <select
            id={`${id}-format`}
            className="input"
            value={format}
            onChange={(e) => changed(setFormat)(e.target.value as Format)}
          >
            {FORMAT_CHOICES.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field" htmlFor={`${id}-model`}>
          <span className="field__label">Model name</span>
          <input
            id={`${id}-model`}
            className="input"
            value={modelName}
            placeholder="e.g. yolov8n"
            onChange={(e) => changed(setModelName)(e.target.value)}
          />
        </label>
        <label className="field" htmlFor={`${id}-version`}>
          <span className="field__label">Model version</span>
          <input
            id={`${id}-version`}
            className="input"
            value={modelVersion}
            placeholder="e.g. 2026-12-07 or v3"
            onChange={(e) => changed(setModelVersion)(e.target.value)}
          />
        </label>
        <label className="field" htmlFor={`${id}-score`}>
          <span className="field__label">Score floor</span>
          <input
            id={`${id}-score`}
            className="input"
            inputMode="decimal"
            value={minScore}
            onChange={(e) => changed(setMinScore)(e.target.value)}
          />
          <span className="field__hint">Detections scoring below this are left out.</span>
        </label>
        <label className="field" htmlFor={`${id}-nms`}>
          <span className="field__label">NMS IoU</span>
          <input
            id={`${id}-nms`}
            className="input"
            inputMode="decimal"
            value={nmsIou}
            placeholder="none"
            onChange={(e) => changed(setNmsIou)(e.target.value)}
          />
          <span className="field__hint">
            Class-wise: of two same-label detections overlapping more, the lower score goes.
          </span>
        </label>
      </div>

      {state.kind === "failed" && (
        <p className="pi-error" role="alert">
          <Icon name="alert" size={16} /> {state.message}
        </p>
      )}
      {report && <ImportReportView report={report} />}
    </Dialog>
  );
}

function ImportReportView({ report }: { report: PredictionImportReport }) {
  const errors = errorCount(report);
  return (
    <section
      className="pi-report"
      aria-label={report.dryRun ? "Dry run report" : "Import report"}
      data-testid="prediction-import-report"
    >
      <p className={`pi-report__summary${errors > 0 ? " is-bad" : ""}`}>
        {errors > 0
          ? `${formatCount(errors)} ${errors === 1 ? "error" : "errors"}: nothing would be imported. `
          : ""}
        {reportSummary(report)} <span className="muted">({SOURCE_LABEL[report.format]})</span>
      </p>
      <dl className="pi-figures">
        <div>
          <dt>Read</dt>
          <dd data-testid="report-read">{formatCount(report.detections.read)}</dd>
        </div>
        <div>
          <dt>Below score</dt>
          <dd data-testid="report-below">{formatCount(report.detections.belowScore)}</dd>
        </div>
        <div>
          <dt>Suppressed</dt>
          <dd data-testid="report-suppressed">{formatCount(report.detections.suppressed)}</dd>
        </div>
        <div>
          <dt>{report.dryRun ? "To import" : "Imported"}</dt>
          <dd data-testid="report-imported">{formatCount(report.detections.imported)}</dd>
        </div>
        {report.detections.split.entries > 0 && (
          <div>
            <dt>Split</dt>
            <dd data-testid="report-split">
              {formatCount(report.detections.split.entries)} into{" "}
              {formatCount(report.detections.split.polygons)} polygons
            </dd>
          </div>
        )}
      </dl>
      {report.perLabel.length > 0 && (
        <table className="data-table pi-labels">
          <caption className="visually-hidden">Predictions per label</caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col" className="num">
                Predictions
              </th>
            </tr>
          </thead>
          <tbody>
            {report.perLabel.map((l) => (
              <tr key={l.labelId}>
                <td>{l.name}</td>
                <td className="num">{formatCount(l.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.problems.length > 0 && (
        <ul className="pi-problems" aria-label="Problems">
          {report.problems.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id and never reorder.
            <li key={i} className={`pi-problem pi-problem--${p.severity}`}>
              <span className="pi-problem__where">{problemPlace(p)}</span> {p.message}
            </li>
          ))}
          {report.problemsTruncated && <li className="muted">… and more (the first ones are shown)</li>}
        </ul>
      )}
    </section>
  );
}
