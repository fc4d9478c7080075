import {
  DATASET_FORMATS,
  type DatasetFormat,
  type DatasetVersion,
  type VersionDiff,
} from "@labelbench/schema";
import { useId, useState } from "react";
import { Link } from "react-router";
import { call } from "../../api/client";
import { useCan } from "../../auth/useCan";
import { useProject } from "../../project/project-context";
import { Dialog } from "../../ui/Dialog";
import { formatCount, formatRelative, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading, Spinner } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { downloadExport } from "../export/download";
import { DEFAULT_CHOICE, defaultFileName, exportPath, FORMAT_INFO } from "../export/export-model";
import {
  type CompareTarget,
  changedShapeNotes,
  compareTargets,
  FREEZE_SPLITS,
  parseTarget,
  shapeChangeText,
} from "./versions-model";
import "./versions.css";

/** Changed images per page of a comparison. */
const DIFF_PAGE = 50;

/**
 * Dataset versions (issue 17): freeze the annotations (and a split) into a numbered, immutable
 * version; download any version again, byte for byte; compare two versions, or a version with the
 * project as it is now.
 */
export function VersionsPage() {
  const { project } = useProject();
  useTitle("Versions", project.name);
  const mayManage = useCan()("manageProject");
  const mayExport = useCan()("export");
  const versions = useAsync(
    (signal) => call("listVersions", { params: { projectId: project.id }, signal }),
    [project.id],
    "Could not load the versions",
  );
  const [comparing, setComparing] = useState<number | null>(null);
  const items = versions.data?.items ?? [];

  return (
    <main id="main" className="page page--medium versions-page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Versions</h1>
          <p className="page-subtitle">
            A version freezes the annotations, labels and split as they are now. It never changes: every
            export of it is the same zip, byte for byte, however the project moves on, and prediction runs can
            name the version their model was trained on.
          </p>
        </div>
      </div>
      <div className="section-stack">
        {mayManage && <FreezeCard projectId={project.id} onFrozen={versions.reload} />}
        {versions.error && !versions.data ? (
          <ErrorState
            title="Could not load the versions"
            message={messageOf(versions.error)}
            onRetry={versions.reload}
          />
        ) : !versions.data ? (
          <Loading what="versions" />
        ) : items.length === 0 ? (
          <EmptyState icon="layers" title="No version yet">
            {mayManage
              ? "Freeze the first one above when the annotations are ready to train on."
              : "A manager freezes versions when the annotations are ready to train on."}
          </EmptyState>
        ) : (
          <section className="card card--flush" aria-labelledby="versions-list-title">
            <div className="card__head card__head--padded">
              <h2 id="versions-list-title" className="card__title">
                {plural(items.length, "version")}
              </h2>
            </div>
            <ul className="version-list" aria-label="Versions">
              {items.map((v) => (
                <VersionRow
                  key={v.number}
                  projectId={project.id}
                  projectName={project.name}
                  version={v}
                  mayManage={mayManage}
                  mayExport={mayExport}
                  onCompare={() => setComparing(comparing === v.number ? null : v.number)}
                  comparing={comparing === v.number}
                  onChanged={versions.reload}
                />
              ))}
            </ul>
          </section>
        )}
        {comparing !== null && items.some((v) => v.number === comparing) && (
          <ComparePanel
            key={comparing}
            projectId={project.id}
            versions={items}
            from={comparing}
            onClose={() => setComparing(null)}
          />
        )}
      </div>
    </main>
  );
}

function FreezeCard({ projectId, onFrozen }: { projectId: number; onFrozen: () => void }) {
  const id = useId();
  const [note, setNote] = useState("");
  const [split, setSplit] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const freeze = async () => {
    setBusy(true);
    try {
      const v = await call("createVersion", {
        params: { projectId },
        body: { note, ...(split ? { split } : {}) },
      });
      toastSuccess(
        `Version ${v.number} frozen`,
        `${plural(v.counts.images, "image")}, ${plural(v.counts.shapes, "shape")}`,
      );
      setNote("");
      onFrozen();
    } catch (err) {
      toastError("Could not freeze a version", err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="card__head">
        <h2 id={`${id}-title`} className="card__title">
          Freeze a version
        </h2>
      </div>
      <form
        className="freeze-form"
        onSubmit={(e) => {
          e.preventDefault();
          void freeze();
        }}
      >
        <label className="field freeze-form__note">
          <span className="field__label">Note</span>
          <input
            className="input"
            value={note}
            maxLength={2000}
            placeholder="What this version is, e.g. “batch 3 reviewed, new sign classes”"
            onChange={(e) => setNote(e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">Split</span>
          <select
            className="input select"
            value={split ?? ""}
            onChange={(e) => setSplit(e.target.value === "" ? null : e.target.value)}
          >
            {FREEZE_SPLITS.map((s) => (
              <option key={s.label} value={s.split ?? ""}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button button--primary freeze-form__go" disabled={busy}>
          {busy ? <Spinner label="Freezing" /> : <Icon name="layers" size={16} />}
          Freeze version
        </button>
      </form>
      <p className="field__hint">
        {split
          ? "Each image's train / validation / test split is decided now (seeded hash of its content) and kept with the version."
          : "Without a frozen split, each export of the version chooses its split, as an export of the project does."}
      </p>
    </section>
  );
}

function VersionRow({
  projectId,
  projectName,
  version: v,
  mayManage,
  mayExport,
  comparing,
  onCompare,
  onChanged,
}: {
  projectId: number;
  projectName: string;
  version: DatasetVersion;
  mayManage: boolean;
  mayExport: boolean;
  comparing: boolean;
  onCompare: () => void;
  onChanged: () => void;
}) {
  const [downloading, setDownloading] = useState<DatasetFormat | null>(null);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const download = async (format: DatasetFormat) => {
    setDownloading(format);
    try {
      const choice = {
        ...DEFAULT_CHOICE,
        format,
        version: { number: v.number, split: v.split, seed: v.seed },
      };
      const r = await downloadExport(
        exportPath(projectId, choice),
        defaultFileName(projectName, format, v.number),
        () => undefined,
        new AbortController().signal,
      );
      toastSuccess("Export downloaded", r.fileName);
    } catch (err) {
      toastError(`Could not export version ${v.number}`, err);
    } finally {
      setDownloading(null);
    }
  };
  const titleId = `version-${v.number}-title`;
  return (
    <li className="version-row" aria-labelledby={titleId}>
      <div className="version-row__main">
        <div className="version-row__title">
          <h3 id={titleId} className="version-row__number">
            Version {v.number}
          </h3>
          <span className="version-row__note">{v.note || <span className="muted">No note</span>}</span>
        </div>
        <p className="version-row__meta muted">
          Frozen {formatRelative(v.createdAt)}
          {v.createdBy ? ` by ${v.createdBy}` : ""} ·{" "}
          <time dateTime={v.createdAt}>{v.createdAt.slice(0, 16).replace("T", " ")} UTC</time>
          {v.split ? ` · split ${v.split.replaceAll(",", " / ")} (seed ${v.seed})` : ""}
        </p>
        <p className="version-row__counts">
          <strong>{formatCount(v.counts.images)}</strong> {v.counts.images === 1 ? "image" : "images"} ·{" "}
          <strong>{formatCount(v.counts.shapes)}</strong> {v.counts.shapes === 1 ? "shape" : "shapes"}
        </p>
        {v.counts.perLabel.length > 0 && (
          <ul className="version-row__labels" aria-label={`Shapes per label in version ${v.number}`}>
            {v.counts.perLabel.map((l) => (
              <li key={l.labelId}>
                <span className="swatch swatch--small" style={{ background: l.color }} aria-hidden="true" />
                {l.name} <span className="muted">{formatCount(l.shapes)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="version-row__actions">
        {mayExport && (
          <fieldset className="version-row__downloads">
            <legend className="muted">Download</legend>
            {DATASET_FORMATS.map((f) => (
              <button
                key={f}
                type="button"
                className="button button--small"
                aria-label={`Download version ${v.number} as ${FORMAT_INFO[f].title}`}
                disabled={downloading !== null}
                onClick={() => void download(f)}
              >
                {downloading === f ? <Spinner label="Exporting" /> : <Icon name="download" size={14} />}
                {FORMAT_INFO[f].title}
              </button>
            ))}
          </fieldset>
        )}
        <div className="version-row__buttons">
          <button
            type="button"
            className={`button button--small${comparing ? " is-active" : ""}`}
            aria-pressed={comparing}
            onClick={onCompare}
          >
            Compare with…
          </button>
          {mayManage && (
            <>
              <button
                type="button"
                className="button button--small"
                aria-label={`Edit the note of version ${v.number}`}
                onClick={() => setEditing(true)}
              >
                <Icon name="pencil" size={14} /> Note
              </button>
              <button
                type="button"
                className="button button--small"
                aria-label={`Delete version ${v.number}`}
                onClick={() => setDeleting(true)}
              >
                <Icon name="trash" size={14} />
              </button>
            </>
          )}
        </div>
      </div>
      {editing && (
        <NoteDialog projectId={projectId} version={v} onClose={() => setEditing(false)} onSaved={onChanged} />
      )}
      {deleting && (
        <DeleteDialog
          projectId={projectId}
          version={v}
          onClose={() => setDeleting(false)}
          onDeleted={onChanged}
        />
      )}
    </li>
  );
}

function NoteDialog({
  projectId,
  version,
  onClose,
  onSaved,
}: {
  projectId: number;
  version: DatasetVersion;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [note, setNote] = useState(version.note);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      await call("updateVersion", { params: { projectId, version: version.number }, body: { note } });
      onSaved();
      onClose();
    } catch (err) {
      toastError("Could not save the note", err);
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Note of version ${version.number}`}
      description="Only the note of a version can change; what it froze never does."
      onSubmit={() => void save()}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            Save note
          </button>
        </>
      }
    >
      <label className="field">
        <span className="field__label">Note</span>
        <textarea
          className="textarea"
          rows={3}
          maxLength={2000}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
    </Dialog>
  );
}

function DeleteDialog({
  projectId,
  version,
  onClose,
  onDeleted,
}: {
  projectId: number;
  version: DatasetVersion;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    setBusy(true);
    try {
      await call("deleteVersion", { params: { projectId, version: version.number } });
      toastSuccess(`Version ${version.number} deleted`);
      onDeleted();
      onClose();
    } catch (err) {
      toastError("Could not delete the version", err);
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      tone="danger"
      size="sm"
      onClose={onClose}
      title={`Delete version ${version.number}?`}
      description="Its exports can no longer be downloaded, and its number is never given again. The project's annotations are not touched."
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Keep it
          </button>
          <button
            type="button"
            className="button button--danger"
            disabled={busy}
            onClick={() => void remove()}
          >
            Delete version {version.number}
          </button>
        </>
      }
    />
  );
}

function ComparePanel({
  projectId,
  versions,
  from,
  onClose,
}: {
  projectId: number;
  versions: DatasetVersion[];
  from: number;
  onClose: () => void;
}) {
  const id = useId();
  const [to, setTo] = useState<CompareTarget>("live");
  const [offset, setOffset] = useState(0);
  const diff = useAsync(
    (signal) =>
      call("diffVersions", {
        params: { projectId, a: from, b: to },
        query: { offset, limit: DIFF_PAGE },
        signal,
      }),
    [projectId, from, to, offset],
    "Could not compare the versions",
  );
  const d = diff.data;
  return (
    <section className="card compare-panel" aria-labelledby={`${id}-title`}>
      <div className="card__head">
        <h2 id={`${id}-title`} className="card__title">
          Changes from version {from}
        </h2>
        <button type="button" className="icon-button" aria-label="Close the comparison" onClick={onClose}>
          <Icon name="close" />
        </button>
      </div>
      <label className="inline-select compare-panel__target">
        <span>to</span>
        <select
          className="input select select--compact"
          aria-label="Compare with"
          value={String(to)}
          onChange={(e) => {
            const t = parseTarget(e.target.value);
            if (t !== null) {
              setTo(t);
              setOffset(0);
            }
          }}
        >
          {compareTargets(versions, from).map((t) => (
            <option key={String(t.value)} value={String(t.value)}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      {diff.error && !d ? (
        <ErrorState title="Could not compare" message={messageOf(diff.error)} onRetry={diff.reload} />
      ) : !d ? (
        <Loading what="the comparison" />
      ) : (
        <DiffView diff={d} projectId={projectId} offset={offset} onPage={setOffset} />
      )}
    </section>
  );
}

function DiffView({
  diff: d,
  projectId,
  offset,
  onPage,
}: {
  diff: VersionDiff;
  projectId: number;
  offset: number;
  onPage: (offset: number) => void;
}) {
  const { items, total, limit } = d.changedImages;
  const labels = d.perLabel.filter((l) => l.added + l.removed + l.changed > 0);
  return (
    <div className="diff-view" data-testid="version-diff">
      <dl className="diff-totals">
        <div>
          <dt>Images</dt>
          <dd>
            <span className="diff-added">+{formatCount(d.images.added)}</span>{" "}
            <span className="diff-removed">−{formatCount(d.images.removed)}</span>{" "}
            <span className="diff-changed">~{formatCount(d.images.changed)}</span>
            <span className="muted"> · {formatCount(d.images.unchanged)} unchanged</span>
          </dd>
        </div>
        <div>
          <dt>Shapes</dt>
          <dd>
            <span className="diff-added">+{formatCount(d.shapes.added)}</span>{" "}
            <span className="diff-removed">−{formatCount(d.shapes.removed)}</span>{" "}
            <span className="diff-changed">~{formatCount(d.shapes.changed)}</span>
            {changedShapeNotes(d.shapes).map((note) => (
              <span key={note} className="muted">
                {" "}
                · {note}
              </span>
            ))}
          </dd>
        </div>
      </dl>
      {labels.length === 0 && total === 0 ? (
        <p className="muted diff-none">No difference: the same images, shapes and tags.</p>
      ) : (
        <>
          {labels.length > 0 && (
            <div className="table-scroll">
              <table className="data-table diff-labels" aria-label="Shape changes per label">
                <thead>
                  <tr>
                    <th scope="col">Label</th>
                    <th scope="col">Added</th>
                    <th scope="col">Removed</th>
                    <th scope="col">Changed</th>
                    <th scope="col" title="changed shapes whose attribute values changed">
                      Attributes changed
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {labels.map((l) => (
                    <tr key={l.labelId}>
                      <th scope="row">
                        <span
                          className="swatch swatch--small"
                          style={{ background: l.color }}
                          aria-hidden="true"
                        />{" "}
                        {l.name}
                      </th>
                      <td>{formatCount(l.added)}</td>
                      <td>{formatCount(l.removed)}</td>
                      <td>{formatCount(l.changed)}</td>
                      <td>{formatCount(l.attributesChanged)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3 className="diff-images__title">{plural(total, "changed image")}</h3>
          <ul className="diff-images" aria-label="Changed images">
            {items.map((i) => (
              <li key={`${i.imageId}-${i.change}`} className={`diff-image diff-image--${i.change}`}>
                <span className={`diff-badge diff-badge--${i.change}`}>{i.change}</span>
                {i.live ? (
                  <Link to={`/projects/${projectId}/images/${i.imageId}`}>{i.fileName}</Link>
                ) : (
                  <span>
                    {i.fileName} <span className="muted">(no longer in the project)</span>
                  </span>
                )}
                <span className="diff-image__counts" title="shapes added (+), removed (−), changed (~)">
                  {shapeChangeText(i)}
                </span>
              </li>
            ))}
          </ul>
          {total > limit && (
            <div className="diff-pager">
              <button
                type="button"
                className="button button--small"
                disabled={offset === 0}
                onClick={() => onPage(Math.max(0, offset - limit))}
              >
                Previous
              </button>
              <span className="muted">
                {formatCount(offset + 1)}–{formatCount(Math.min(offset + limit, total))} of{" "}
                {formatCount(total)}
              </span>
              <button
                type="button"
                className="button button--small"
                disabled={offset + limit >= total}
                onClick={() => onPage(offset + limit)}
              >
                Next
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
