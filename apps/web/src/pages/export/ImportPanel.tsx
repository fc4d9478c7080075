import { DATASET_FORMATS, type ImportQuery, type ImportReport } from "@labelbench/schema";
import { useId, useRef, useState } from "react";
import { call, detailsOf } from "../../api/client";
import { formatCount, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { Spinner } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { FORMAT_INFO } from "./export-model";

type Options = Required<Omit<ImportQuery, "dryRun">>;
const DEFAULTS: Options = {
  format: "auto",
  unknownLabels: "create",
  existing: "append",
  invalidShapes: "error",
};

type State =
  | { kind: "idle" }
  | { kind: "busy"; dryRun: boolean }
  | { kind: "report"; report: ImportReport }
  | { kind: "failed"; message: string; report: ImportReport | null };

const ACCEPT = ".zip,.json,.txt,.xml,.yaml,.yml,.csv,.names,.data,image/*";

/**
 * Import of COCO, YOLO or Pascal VOC: a dry run first (what would be matched, created and
 * refused, with every problem's file and line), then the import itself, all or nothing.
 */
export function ImportPanel({ projectId, onImported }: { projectId: number; onImported: () => void }) {
  const id = useId();
  const [files, setFiles] = useState<File[]>([]);
  const [options, setOptions] = useState<Options>(DEFAULTS);
  const [state, setState] = useState<State>({ kind: "idle" });
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const choose = (list: FileList | null) => {
    setFiles(list ? [...list] : []);
    setState({ kind: "idle" });
  };
  const setOption = <K extends keyof Options>(k: K, v: Options[K]) => {
    setOptions((o) => ({ ...o, [k]: v }));
    setState({ kind: "idle" });
  };

  const run = async (dryRun: boolean) => {
    setState({ kind: "busy", dryRun });
    const body = new FormData();
    // Folder picks keep their relative paths: YOLO and VOC layouts depend on them.
    for (const f of files) body.append("files", f, f.webkitRelativePath || f.name);
    try {
      const report = await call("importDataset", {
        params: { projectId },
        query: { ...options, dryRun: dryRun ? "true" : "false" },
        body,
      });
      setState({ kind: "report", report });
      if (!dryRun) {
        toastSuccess(
          "Import finished",
          `${plural(report.annotations.total, "annotation")} on ${plural(report.images.total, "image")}`,
        );
        onImported();
      }
    } catch (err) {
      // A refused import sends its report as the details of its VALIDATION_ERROR.
      const details = detailsOf(err, "VALIDATION_ERROR");
      // (A predictions import's report shares the code; this panel only sends dataset imports.)
      const refused: ImportReport | null =
        details && !Array.isArray(details) && "detectedBy" in details ? details : null;
      setState({ kind: "failed", message: messageOf(err), report: refused });
      if (!refused) toastError("Import failed", err);
    }
  };

  const report = state.kind === "report" ? state.report : state.kind === "failed" ? state.report : null;
  const checked = state.kind === "report" && state.report.dryRun && state.report.errors === 0;
  const busy = state.kind === "busy";

  return (
    <section className="card export-import" aria-labelledby={`${id}-title`}>
      <div className="card__head">
        <h2 id={`${id}-title`} className="card__title">
          Import annotations
        </h2>
        <span className="muted">
          COCO, YOLO (detection, segmentation, Darknet), Pascal VOC, a classification CSV or ImageNet folders
        </span>
      </div>
      <p className="field__hint import-intro">
        Send a zip, or the annotation files alone: images in the upload are added like uploads; otherwise
        annotations go to the project's images with the same file name. Check first: nothing changes until you
        import, and an import with any error changes nothing.
      </p>

      <div className="import-pick">
        <input
          ref={fileInput}
          type="file"
          multiple
          accept={ACCEPT}
          className="visually-hidden"
          aria-label="Dataset files"
          onChange={(e) => choose(e.target.files)}
        />
        <input
          ref={folderInput}
          type="file"
          className="visually-hidden"
          aria-label="Dataset folder"
          onChange={(e) => choose(e.target.files)}
          {...{ webkitdirectory: "" }}
        />
        <button type="button" className="button" onClick={() => fileInput.current?.click()}>
          <Icon name="upload" size={16} /> Choose zip or files
        </button>
        <button type="button" className="button" onClick={() => folderInput.current?.click()}>
          <Icon name="folder" size={16} /> Choose a folder
        </button>
        <span className="muted import-files">
          {files.length === 0
            ? "Nothing chosen"
            : files.length === 1
              ? files[0]?.name
              : `${formatCount(files.length)} files`}
        </span>
      </div>

      <div className="import-options">
        <label className="field">
          <span className="field__label">Format</span>
          <select
            className="select"
            value={options.format}
            onChange={(e) => setOption("format", e.target.value as Options["format"])}
          >
            <option value="auto">Detect</option>
            {DATASET_FORMATS.map((f) => (
              <option key={f} value={f}>
                {FORMAT_INFO[f].title}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">Unknown class names</span>
          <select
            className="select"
            value={options.unknownLabels}
            onChange={(e) => setOption("unknownLabels", e.target.value as Options["unknownLabels"])}
          >
            <option value="create">Create the labels</option>
            <option value="refuse">Refuse the import</option>
          </select>
        </label>
        <label className="field">
          <span className="field__label">Images already annotated</span>
          <select
            className="select"
            value={options.existing}
            onChange={(e) => setOption("existing", e.target.value as Options["existing"])}
          >
            <option value="append">Keep theirs, add these</option>
            <option value="replace">Replace theirs</option>
          </select>
        </label>
        <label className="field">
          <span className="field__label">Unreadable shapes</span>
          <select
            className="select"
            value={options.invalidShapes}
            onChange={(e) => setOption("invalidShapes", e.target.value as Options["invalidShapes"])}
          >
            <option value="error">Refuse the import</option>
            <option value="skip">Skip them (warned)</option>
          </select>
        </label>
      </div>

      <div className="import-actions">
        <button
          type="button"
          className="button"
          disabled={files.length === 0 || busy}
          onClick={() => void run(true)}
        >
          {busy && state.dryRun ? <Spinner label="Checking" /> : <Icon name="search" size={16} />} Check (dry
          run)
        </button>
        <button
          type="button"
          className="button button--primary"
          disabled={!checked || busy}
          title={checked ? undefined : "Run a check without errors first"}
          onClick={() => void run(false)}
        >
          {busy && !state.dryRun ? <Spinner label="Importing" /> : <Icon name="check" size={16} />} Import
        </button>
      </div>

      {state.kind === "failed" && (
        <p className="field__error" role="alert">
          {state.message}
        </p>
      )}
      {report && <ImportSummary report={report} />}
    </section>
  );
}

function ImportSummary({ report }: { report: ImportReport }) {
  const shownProblems = report.problems.slice(0, 100);
  return (
    <div className="import-report" aria-live="polite">
      <p className={`import-verdict import-verdict--${report.errors > 0 ? "bad" : "ok"}`}>
        <Icon name={report.errors > 0 ? "alert" : "check"} size={16} />
        {report.applied
          ? "Imported."
          : report.errors > 0
            ? `${plural(report.errors, "problem")} to fix: nothing was changed.`
            : "Ready to import: nothing has changed yet."}{" "}
        <span className="muted">
          {FORMAT_INFO[report.format].title} ({report.detectedBy})
        </span>
      </p>
      <dl className="export-facts">
        <div>
          <dt>Images</dt>
          <dd>{formatCount(report.images.total)}</dd>
        </div>
        <div>
          <dt>Matched</dt>
          <dd>{formatCount(report.images.matched)}</dd>
        </div>
        <div>
          <dt>New</dt>
          <dd>{formatCount(report.images.created)}</dd>
        </div>
        <div>
          <dt>Annotations</dt>
          <dd>{formatCount(report.annotations.total)}</dd>
        </div>
      </dl>
      {report.annotations.perLabel.length > 0 && (
        <table className="import-labels">
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Annotations</th>
              <th scope="col">Label</th>
            </tr>
          </thead>
          <tbody>
            {report.annotations.perLabel.map((l) => (
              <tr key={l.name}>
                <td>{l.name}</td>
                <td>{formatCount(l.count)}</td>
                <td className={`import-state import-state--${l.state}`}>
                  {l.state === "existing"
                    ? "existing"
                    : l.state === "created"
                      ? report.applied
                        ? "created"
                        : "will be created"
                      : "refused"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shownProblems.length > 0 && (
        <ul className="import-problems">
          {shownProblems.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity beyond their position
            <li key={i} className={`import-problem import-problem--${p.severity}`}>
              <Icon name={p.severity === "error" ? "alert" : "info"} size={14} />
              <span>
                <code>
                  {p.file}
                  {p.where ? ` ${p.where}` : ""}
                </code>
                : {p.message}
              </span>
            </li>
          ))}
          {report.problems.length > shownProblems.length && (
            <li className="muted">{plural(report.problems.length - shownProblems.length, "more problem")}</li>
          )}
        </ul>
      )}
      {report.ignoredFiles.length > 0 && (
        <details className="import-ignored">
          <summary>{plural(report.ignoredFiles.length, "file")} not part of the dataset (ignored)</summary>
          <ul>
            {report.ignoredFiles.map((f) => (
              <li key={f}>
                <code>{f}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
