import { memo, useEffect, useState } from "react";
import { Link, useMatch } from "react-router";
import { formatBytes, formatCount, plural } from "../../ui/format";
import { Icon, type IconName } from "../../ui/icons";
import { ProgressBar } from "../../ui/parts";
import type { FileResult } from "../../upload/upload-queue";
import { type UploadSession, useUploads } from "../../upload/upload-store";

type Tab = "problems" | "created" | "duplicate" | "all";

const OUTCOME: Record<FileResult["outcome"]["kind"], { label: string; icon: IconName }> = {
  created: { label: "Added", icon: "check" },
  duplicate: { label: "Duplicate", icon: "copy" },
  rejected: { label: "Rejected", icon: "alert" },
  failed: { label: "Failed", icon: "alert" },
  cancelled: { label: "Cancelled", icon: "close" },
};

/**
 * The running upload, docked at the corner of every project page: progress while it runs, then what
 * happened to each file (added, duplicate, or refused with the server's reason).
 */
export function UploadDock() {
  const session = useUploads((s) => s.session);
  if (!session) return null;
  return <Dock session={session} />;
}

function Dock({ session }: { session: UploadSession }) {
  const { cancel, dismiss, retryFailed } = useUploads.getState();
  const p = session.progress;
  const running = p.state === "running";
  const problems = p.rejected + p.failed + p.cancelled + session.skipped.length;
  // The per-file list opens by itself only when something needs attention; counts tell the rest.
  const [expanded, setExpanded] = useState(false);
  const [tab, setTab] = useState<Tab>("all");
  const onImages = useMatch("/projects/:projectId/images");

  // When the upload ends, open straight onto what needs attention.
  useEffect(() => {
    if (!running && problems > 0) {
      setTab("problems");
      setExpanded(true);
    }
  }, [running, problems]);

  const title = running
    ? `Uploading ${formatCount(p.finishedFiles)} of ${plural(p.totalFiles, "file")}`
    : p.state === "cancelled"
      ? "Upload cancelled"
      : "Upload finished";

  const shown = session.results.filter((r) => {
    const k = r.outcome.kind;
    if (tab === "all") return true;
    if (tab === "problems") return k === "rejected" || k === "failed" || k === "cancelled";
    return k === tab;
  });

  return (
    <section
      className={`upload-dock${expanded ? "" : " is-collapsed"}`}
      aria-label="Upload"
      aria-busy={running}
    >
      <header className="upload-dock__head">
        <div className="upload-dock__title">
          <strong>{title}</strong>
          <span className="muted">to {session.projectName}</span>
        </div>
        <button
          type="button"
          className="icon-button icon-button--small"
          aria-label={expanded ? "Collapse upload details" : "Expand upload details"}
          aria-expanded={expanded}
          onClick={() => setExpanded((x) => !x)}
        >
          <Icon name="chevronDown" size={16} style={{ transform: expanded ? "none" : "rotate(180deg)" }} />
        </button>
        {!running && (
          <button
            type="button"
            className="icon-button icon-button--small"
            aria-label="Close upload panel"
            onClick={dismiss}
          >
            <Icon name="close" size={16} />
          </button>
        )}
      </header>

      <div className="upload-dock__progress">
        <ProgressBar value={p.sentBytes} max={p.totalBytes} label="Upload progress" />
        <div className="upload-dock__numbers">
          <span>
            {formatBytes(Math.round(p.sentBytes))} of {formatBytes(p.totalBytes)}
          </span>
          <span>
            {formatCount(p.finishedFiles)} / {formatCount(p.totalFiles)} files
          </span>
        </div>
        {running && p.processingFiles > 0 && (
          <p className="upload-dock__note">Checking {plural(p.processingFiles, "file")} on the server…</p>
        )}
      </div>

      <ul className="upload-dock__summary" aria-label="Results so far">
        <li className="outcome outcome--created">
          <Icon name="check" size={14} /> {formatCount(p.created)} added
        </li>
        {p.duplicate > 0 && (
          <li className="outcome outcome--duplicate">
            <Icon name="copy" size={14} /> {formatCount(p.duplicate)} duplicate
          </li>
        )}
        {p.rejected > 0 && (
          <li className="outcome outcome--rejected">
            <Icon name="alert" size={14} /> {formatCount(p.rejected)} rejected
          </li>
        )}
        {p.failed > 0 && (
          <li className="outcome outcome--failed">
            <Icon name="alert" size={14} /> {formatCount(p.failed)} failed
          </li>
        )}
        {p.cancelled > 0 && (
          <li className="outcome outcome--cancelled">{formatCount(p.cancelled)} cancelled</li>
        )}
      </ul>

      {expanded && (
        <div className="upload-dock__details">
          <fieldset className="segmented">
            <legend className="visually-hidden">Show files</legend>
            {(
              [
                ["all", `All ${formatCount(session.results.length)}`],
                ["problems", `Problems ${formatCount(p.rejected + p.failed + p.cancelled)}`],
                ["created", `Added ${formatCount(p.created)}`],
                ["duplicate", `Duplicates ${formatCount(p.duplicate)}`],
              ] as const
            ).map(([t, text]) => (
              <button
                key={t}
                type="button"
                className={`segmented__item${tab === t ? " is-active" : ""}`}
                aria-pressed={tab === t}
                onClick={() => setTab(t)}
              >
                {text}
              </button>
            ))}
          </fieldset>
          <ul className="upload-results" aria-label="Files">
            {shown.slice(0, 500).map((r) => (
              <ResultRow key={r.index} result={r} />
            ))}
            {shown.length > 500 && (
              <li className="upload-results__more muted">and {formatCount(shown.length - 500)} more</li>
            )}
            {shown.length === 0 && (
              <li className="upload-results__more muted">
                {running ? "Results appear as batches finish." : "Nothing here."}
              </li>
            )}
          </ul>
          {tab === "problems" && session.skipped.length > 0 && (
            <details className="upload-skipped">
              <summary>{plural(session.skipped.length, "file")} left out before upload</summary>
              <ul>
                {session.skipped.slice(0, 200).map((s) => (
                  <li key={s.path}>
                    {s.path}: {s.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}

      <footer className="upload-dock__actions">
        {running ? (
          <button type="button" className="button button--small" onClick={cancel}>
            Cancel upload
          </button>
        ) : (
          <>
            {p.failed + p.cancelled > 0 && (
              <button type="button" className="button button--small" onClick={retryFailed}>
                <Icon name="refresh" size={14} /> Retry {plural(p.failed + p.cancelled, "file")}
              </button>
            )}
            {!onImages && (
              <Link className="button button--small" to={`/projects/${session.projectId}/images`}>
                Open library
              </Link>
            )}
            <button type="button" className="button button--small button--primary" onClick={dismiss}>
              Done
            </button>
          </>
        )}
      </footer>
    </section>
  );
}

const ResultRow = memo(function ResultRow({ result: r }: { result: FileResult }) {
  const o = OUTCOME[r.outcome.kind];
  const reason = r.outcome.kind === "rejected" || r.outcome.kind === "failed" ? r.outcome.reason : null;
  return (
    <li className={`upload-result outcome--${r.outcome.kind}`}>
      <Icon name={o.icon} size={14} />
      <span className="upload-result__text">
        <span className="upload-result__name" title={r.path}>
          {r.path}
        </span>
        {reason && <span className="upload-result__reason">{reason}</span>}
      </span>
      <span className="upload-result__kind">{o.label}</span>
    </li>
  );
});
