import {
  DATASET_FORMATS,
  type DatasetVersion,
  IMAGE_STATUSES,
  type ImageStatus,
  type ProjectStats,
} from "@labelbench/schema";
import { useEffect, useId, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { call } from "../../api/client";
import { useCan } from "../../auth/useCan";
import { useProject } from "../../project/project-context";
import { formatBytes, formatCount, plural, STATUS_LABEL } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { ErrorState, Loading, Spinner } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { copyText } from "../settings/clipboard";
import { type DownloadProgress, downloadExport } from "./download";
import {
  choiceError,
  curlCommand,
  DEFAULT_CHOICE,
  DEFAULT_SEED,
  defaultFileName,
  type ExportChoice,
  exportPath,
  FORMAT_INFO,
  progressFraction,
  REVIEW_FILTER_INFO,
  SPLIT_PRESETS,
  selectedCount,
  splitError,
} from "./export-model";
import { ImportPanel } from "./ImportPanel";
import "./export.css";

type Phase =
  | { kind: "idle" }
  | { kind: "running"; progress: DownloadProgress }
  | { kind: "done"; fileName: string; bytes: number | null }
  | { kind: "failed"; message: string };

export function ExportPage() {
  const { project } = useProject();
  useTitle("Export", project.name);
  const mayManage = useCan()("manageProject");
  const [choice, setChoice] = useState<ExportChoice>(DEFAULT_CHOICE);
  const stats = useAsync(
    (signal) => call("projectStats", { params: { projectId: project.id }, signal }),
    [project.id],
    "Could not load the project's numbers",
  );
  const update = (patch: Partial<ExportChoice>) => setChoice((c) => ({ ...c, ...patch }));
  // Dataset versions (issue 17): export one instead of the live project; `?version=N` preselects it.
  const versions = useAsync(
    (signal) => call("listVersions", { params: { projectId: project.id }, signal }),
    [project.id],
    "Could not load the versions",
  );
  const [search] = useSearchParams();
  const asked = Number(search.get("version"));
  useEffect(() => {
    const v = versions.data?.items.find((x) => x.number === asked);
    if (v) setChoice((c) => ({ ...c, version: { number: v.number, split: v.split, seed: v.seed } }));
  }, [versions.data, asked]);
  const version = versions.data?.items.find((v) => v.number === choice.version?.number) ?? null;

  return (
    <main id="main" className="page page--medium export-page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Export</h1>
          <p className="page-subtitle">
            Download this project as a training-ready dataset. The same options always give the same zip, byte
            for byte; its <code>manifest.json</code> lists what is inside and <code>export-report.json</code>{" "}
            everything the format could not hold.
          </p>
        </div>
      </div>

      {stats.error && !stats.data ? (
        <ErrorState
          title="Could not load the project"
          message={messageOf(stats.error)}
          onRetry={stats.reload}
        />
      ) : !stats.data ? (
        <Loading what="the project's numbers" />
      ) : (
        <div className="export-layout">
          <div className="section-stack">
            <VersionCard versions={versions.data?.items ?? []} choice={choice} onChange={update} />
            <FormatCard choice={choice} onChange={update} />
            <ImagesCard choice={choice} stats={stats.data} onChange={update} version={version} />
            <SplitCard choice={choice} onChange={update} />
          </div>
          <aside className="export-aside section-stack">
            <DownloadCard
              projectId={project.id}
              projectName={project.name}
              choice={choice}
              stats={stats.data}
              version={version}
            />
          </aside>
        </div>
      )}

      {mayManage && <ImportPanel projectId={project.id} onImported={stats.reload} />}
    </main>
  );
}

function VersionCard({
  versions,
  choice,
  onChange,
}: {
  versions: DatasetVersion[];
  choice: ExportChoice;
  onChange: (p: Partial<ExportChoice>) => void;
}) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="card__head">
        <h2 id={`${id}-title`} className="card__title">
          Source
        </h2>
        <Link to="../versions" relative="path" className="link-button">
          Versions
        </Link>
      </div>
      <label className="field">
        <span className="field__label">Export from</span>
        <select
          className="input select"
          value={choice.version?.number ?? ""}
          onChange={(e) => {
            const v = versions.find((x) => x.number === Number(e.target.value));
            onChange({ version: v ? { number: v.number, split: v.split, seed: v.seed } : null });
          }}
        >
          <option value="">The live project (as it is now)</option>
          {versions.map((v) => (
            <option key={v.number} value={v.number}>
              Version {v.number}
              {v.note ? ` · ${v.note.length > 50 ? `${v.note.slice(0, 49)}…` : v.note}` : ""} (
              {v.createdAt.slice(0, 10)})
            </option>
          ))}
        </select>
        <span className="field__hint">
          {choice.version
            ? `Version ${choice.version.number} as it was frozen: the same options give the same zip, byte for byte, whenever it is downloaded.`
            : versions.length === 0
              ? "Freeze a version on the Versions page to export exactly the same data again later."
              : "The annotations as they are right now."}
        </span>
      </label>
    </section>
  );
}

function FormatCard({
  choice,
  onChange,
}: {
  choice: ExportChoice;
  onChange: (p: Partial<ExportChoice>) => void;
}) {
  return (
    <section className="card" aria-labelledby="export-format-title">
      <div className="card__head">
        <h2 id="export-format-title" className="card__title">
          Format
        </h2>
      </div>
      <fieldset className="choice-group export-formats">
        <legend className="visually-hidden">Dataset format</legend>
        {DATASET_FORMATS.map((f) => {
          const info = FORMAT_INFO[f];
          return (
            <div key={f} className={`choice${choice.format === f ? " is-selected" : ""}`}>
              <label className="choice__main">
                <input
                  type="radio"
                  name="export-format"
                  value={f}
                  checked={choice.format === f}
                  onChange={() => onChange({ format: f })}
                />
                <span className="choice__body">
                  <strong>{info.title}</strong>
                  <span className="choice__text">{info.text}</span>
                  {info.loses && (
                    <span className="choice__text export-loses">
                      <Icon name="info" size={13} /> {info.loses} Listed in export-report.json.
                    </span>
                  )}
                </span>
              </label>
            </div>
          );
        })}
      </fieldset>
    </section>
  );
}

function ImagesCard({
  choice,
  stats,
  onChange,
  version,
}: {
  choice: ExportChoice;
  stats: ProjectStats;
  onChange: (p: Partial<ExportChoice>) => void;
  version: DatasetVersion | null;
}) {
  const toggle = (s: ImageStatus, on: boolean) =>
    onChange({ statuses: IMAGE_STATUSES.filter((x) => (x === s ? on : choice.statuses.includes(x))) });
  const unopened = choice.statuses.includes("new") ? stats.counts.new : 0;
  return (
    <section className="card" aria-labelledby="export-images-title">
      <div className="card__head">
        <h2 id="export-images-title" className="card__title">
          Images
        </h2>
        <span className="muted">
          {plural(selectedCount(stats.counts, choice.statuses), "image")} selected
        </span>
      </div>
      {version && (
        <p className="export-note">
          <Icon name="info" size={14} />
          <span>
            Version {version.number} holds {plural(version.counts.images, "image")}; these filters apply to
            the statuses and reviews they had when it was frozen. The counts beside them are the live
            project's.
          </span>
        </p>
      )}
      <fieldset className="chip-group export-statuses">
        <legend className="field__label">Statuses to export</legend>
        {IMAGE_STATUSES.map((s) => (
          <label key={s} className="chip">
            <input
              className="chip__input"
              type="checkbox"
              checked={choice.statuses.includes(s)}
              onChange={(e) => toggle(s, e.target.checked)}
            />
            <span className={`status-dot status-dot--${s}`} aria-hidden="true" />
            {STATUS_LABEL[s]} <span className="export-count">{formatCount(stats.counts[s])}</span>
          </label>
        ))}
      </fieldset>
      {unopened > 0 && (
        <p className="export-note">
          <Icon name="alert" size={14} />
          <span>
            {plural(unopened, "image")} nobody has opened yet {unopened === 1 ? "is" : "are"} included.
            Without shapes they are exported as background images (empty label files); untick <em>New</em> if
            they are simply not annotated yet.
          </span>
        </p>
      )}
      <div className="field export-files export-review">
        <span className="field__label" id="export-review-label">
          Review
        </span>
        <fieldset className="segmented" aria-labelledby="export-review-label">
          {(["any", "accepted", "done"] as const).map((v) => (
            <button
              key={v}
              type="button"
              aria-pressed={choice.review === v}
              className={`segmented__item${choice.review === v ? " is-active" : ""}`}
              onClick={() => onChange({ review: v })}
            >
              {REVIEW_FILTER_INFO[v].title}
            </button>
          ))}
        </fieldset>
        <span className="field__hint">
          {REVIEW_FILTER_INFO[choice.review].text} The manifest records this filter.
        </span>
      </div>
      <div className="field export-files">
        <span className="field__label" id="export-files-label">
          Image files
        </span>
        <fieldset className="segmented" aria-labelledby="export-files-label">
          {(["include", "exclude"] as const).map((v) => (
            <button
              key={v}
              type="button"
              aria-pressed={choice.images === v}
              className={`segmented__item${choice.images === v ? " is-active" : ""}`}
              onClick={() => onChange({ images: v })}
            >
              {v === "include" ? "Include images" : "Annotations only"}
            </button>
          ))}
        </fieldset>
        <span className="field__hint">
          {choice.images === "include"
            ? "The original files, byte for byte (EXIF kept; sizes in the annotations are as displayed)."
            : "Smaller and faster; the manifest still lists every image with its sha256."}
        </span>
      </div>
    </section>
  );
}

function SplitCard({
  choice,
  onChange,
}: {
  choice: ExportChoice;
  onChange: (p: Partial<ExportChoice>) => void;
}) {
  const id = useId();
  const error = splitError(choice.split);
  const set = (k: "train" | "val" | "test", v: string) =>
    onChange({ split: { ...choice.split, [k]: v === "" ? 0 : Number(v) } });
  const frozen = choice.version?.split ? choice.version : null;
  if (frozen)
    return (
      <section className="card" aria-labelledby={`${id}-title`}>
        <div className="card__head">
          <h2 id={`${id}-title`} className="card__title">
            Train / validation / test split
          </h2>
        </div>
        <p className="field__hint">
          Version {frozen.number} froze its split: <strong>{frozen.split?.split(",").join(" / ")}</strong>{" "}
          (seed <code>{frozen.seed}</code>). Every export of it keeps each image in its split.
        </p>
      </section>
    );
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="card__head">
        <h2 id={`${id}-title`} className="card__title">
          Train / validation / test split
        </h2>
      </div>
      <div className="export-presets">
        {SPLIT_PRESETS.map((p) => {
          const active =
            p.split.train === choice.split.train &&
            p.split.val === choice.split.val &&
            p.split.test === choice.split.test;
          return (
            <button
              key={p.label}
              type="button"
              className={`button button--small${active ? " is-active" : ""}`}
              aria-pressed={active}
              onClick={() => onChange({ split: p.split })}
            >
              {p.label}
            </button>
          );
        })}
      </div>
      <div className="export-split">
        {(
          [
            ["train", "Train %"],
            ["val", "Validation %"],
            ["test", "Test %"],
          ] as const
        ).map(([k, label]) => (
          <label key={k} className="field">
            <span className="field__label">{label}</span>
            <input
              className="input"
              type="number"
              min={0}
              max={100}
              step={1}
              inputMode="numeric"
              value={choice.split[k]}
              aria-invalid={error !== null}
              onChange={(e) => set(k, e.target.value)}
            />
          </label>
        ))}
        <label className="field">
          <span className="field__label">Seed</span>
          <input
            className="input"
            value={choice.seed}
            maxLength={100}
            placeholder={DEFAULT_SEED}
            onChange={(e) => onChange({ seed: e.target.value })}
          />
        </label>
      </div>
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : (
        <p className="field__hint">
          Each image's split comes from a hash of the seed and the image's content, so it never depends on
          upload order, and the same seed gives the same split every time (docs/formats.md shows the rule).
        </p>
      )}
    </section>
  );
}

function DownloadCard({
  projectId,
  projectName,
  choice,
  stats,
  version,
}: {
  projectId: number;
  projectName: string;
  choice: ExportChoice;
  stats: ProjectStats;
  /** The version exported, or null for the live project. */
  version: DatasetVersion | null;
}) {
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);
  const error = choiceError(choice);
  const path = exportPath(projectId, choice);
  const fileName = defaultFileName(projectName, choice.format, version?.number);
  // A version's per-status counts are not kept: its image count is a ceiling under a status filter.
  const allStatuses = IMAGE_STATUSES.every((s) => choice.statuses.includes(s));
  const images = version ? version.counts.images : selectedCount(stats.counts, choice.statuses);
  const exact = choice.review === "any" && (version === null || allStatuses);
  const labelMap = version
    ? version.counts.perLabel.map((l) => ({
        labelId: l.labelId,
        name: l.name,
        color: l.color,
        annotations: l.shapes,
      }))
    : stats.labels;
  const running = phase.kind === "running";

  const start = async () => {
    const controller = new AbortController();
    abort.current = controller;
    setPhase({ kind: "running", progress: { received: 0, estimate: null } });
    try {
      const r = await downloadExport(
        path,
        fileName,
        (progress) => setPhase({ kind: "running", progress }),
        controller.signal,
      );
      const bytes = r.kind === "saved" ? r.bytes : null;
      setPhase({ kind: "done", fileName: r.fileName, bytes });
      toastSuccess(
        r.kind === "saved" ? "Export downloaded" : "Export handed to your browser",
        r.kind === "saved"
          ? `${r.fileName}, ${formatBytes(r.bytes)}`
          : `${r.fileName} (about ${formatBytes(r.estimate)}): see your browser's downloads`,
      );
    } catch (err) {
      if (controller.signal.aborted) {
        setPhase({ kind: "idle" });
        return;
      }
      setPhase({ kind: "failed", message: messageOf(err) });
      toastError("Export failed", err);
    }
  };

  return (
    <>
      <section className="card export-summary" aria-labelledby="export-download-title">
        <div className="card__head">
          <h2 id="export-download-title" className="card__title">
            Download
          </h2>
        </div>
        <dl className="export-facts">
          <div>
            <dt>Source</dt>
            <dd>{version ? `Version ${version.number}` : "Live project"}</dd>
          </div>
          <div>
            <dt>Format</dt>
            <dd>{FORMAT_INFO[choice.format].title}</dd>
          </div>
          <div>
            <dt>Images</dt>
            {/* The status counts do not know review states: with a review filter they are a ceiling. */}
            <dd>{exact ? formatCount(images) : `up to ${formatCount(images)}`}</dd>
          </div>
          {choice.review !== "any" && (
            <div>
              <dt>Review</dt>
              <dd>{REVIEW_FILTER_INFO[choice.review].title} only</dd>
            </div>
          )}
          <div>
            <dt>Labels</dt>
            <dd>{formatCount(labelMap.length)}</dd>
          </div>
          <div>
            <dt>Split</dt>
            <dd>
              {choice.version?.split
                ? choice.version.split.split(",").join(" / ")
                : `${choice.split.train} / ${choice.split.val} / ${choice.split.test}`}
            </dd>
          </div>
        </dl>
        {labelMap.length > 0 && (
          <details className="export-labelmap">
            <summary>Class ids</summary>
            <ol start={choice.format === "coco" ? 1 : 0}>
              {labelMap.map((l) => (
                <li key={l.labelId}>
                  <span className="swatch swatch--small" style={{ background: l.color }} aria-hidden="true" />{" "}
                  {l.name} <span className="muted">({formatCount(l.annotations)})</span>
                </li>
              ))}
            </ol>
          </details>
        )}
        <button
          type="button"
          className="button button--primary button--large export-go"
          disabled={error !== null || running}
          onClick={() => void start()}
        >
          {running ? <Spinner label="Exporting" /> : <Icon name="download" size={18} />}
          {running ? "Exporting…" : "Download zip"}
        </button>
        {error && <p className="field__error">{error}</p>}
        {images === 0 && !error && (
          <p className="field__hint">No image has these statuses: the zip will hold no images.</p>
        )}
        {phase.kind === "running" && (
          <DownloadMeter progress={phase.progress} onCancel={() => abort.current?.abort()} />
        )}
        {phase.kind === "done" && (
          <p className="export-done" role="status">
            <Icon name="check" size={16} />
            <span>
              Saved <strong>{phase.fileName}</strong>
              {phase.bytes !== null && <> ({formatBytes(phase.bytes)})</>}
            </span>
          </p>
        )}
        {phase.kind === "failed" && (
          <p className="field__error" role="alert">
            {phase.message}
          </p>
        )}
      </section>
      <CurlCard projectId={projectId} choice={choice} fileName={fileName} />
    </>
  );
}

function DownloadMeter({ progress, onCancel }: { progress: DownloadProgress; onCancel: () => void }) {
  const f = progressFraction(progress.received, progress.estimate, false);
  return (
    <div className="export-meter">
      <div
        className={`progress${f === null ? " progress--indeterminate" : ""}`}
        role="progressbar"
        aria-label="Export download"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={f === null ? undefined : Math.round(f * 100)}
      >
        <span className="progress__fill" style={{ width: `${f === null ? 30 : f * 100}%` }} />
      </div>
      <div className="export-meter__row">
        <span aria-live="polite">
          {formatBytes(progress.received)}
          {progress.estimate ? ` of about ${formatBytes(progress.estimate)}` : ""}
        </span>
        <button type="button" className="link-button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function CurlCard({
  projectId,
  choice,
  fileName,
}: {
  projectId: number;
  choice: ExportChoice;
  fileName: string;
}) {
  const command = curlCommand(window.location.origin, projectId, choice, fileName);
  const copy = async () => {
    if (await copyText(command)) toastSuccess("Command copied");
    else toastError("Could not copy the command", new Error("select it and copy it by hand"));
  };
  return (
    <section className="card" aria-labelledby="export-curl-title">
      <div className="card__head">
        <h2 id="export-curl-title" className="card__title">
          From a script
        </h2>
        <button type="button" className="button button--small" onClick={() => void copy()}>
          <Icon name="copy" size={14} /> Copy
        </button>
      </div>
      <pre className="export-curl">
        <code>{command}</code>
      </pre>
      <p className="field__hint">
        Set <code>LABELBENCH_TOKEN</code> to an <Link to="/settings/tokens">API token</Link> (read scope is
        enough).
      </p>
    </section>
  );
}
