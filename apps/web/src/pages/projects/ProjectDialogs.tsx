import type { Project, ProjectStats } from "@labelbench/schema";
import { useEffect, useId, useState } from "react";
import { call } from "../../api/client";
import { Dialog } from "../../ui/Dialog";
import { plural } from "../../ui/format";
import { Spinner } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";

function ProjectFields({
  name,
  description,
  onName,
  onDescription,
  error,
}: {
  name: string;
  description: string;
  onName: (v: string) => void;
  onDescription: (v: string) => void;
  error: string | null;
}) {
  const nameId = useId();
  const descId = useId();
  const errId = useId();
  return (
    <div className="form-stack">
      <div className="field">
        <label htmlFor={nameId} className="field__label">
          Name
        </label>
        <input
          id={nameId}
          className="input"
          value={name}
          maxLength={200}
          autoFocus
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errId : undefined}
          placeholder="e.g. Street scenes 2024"
          onChange={(e) => onName(e.target.value)}
        />
        {error && (
          <p id={errId} className="field__error">
            {error}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={descId} className="field__label">
          Description <span className="field__optional">optional</span>
        </label>
        <textarea
          id={descId}
          className="input textarea"
          rows={3}
          maxLength={5000}
          value={description}
          placeholder="What is annotated here, and by which rules?"
          onChange={(e) => onDescription(e.target.value)}
        />
      </div>
    </div>
  );
}

export function CreateProjectDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (p: Project) => void;
}) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setName("");
      setDescription("");
      setError(null);
    }
  }, [open]);

  const submit = async () => {
    if (!name.trim()) {
      setError("Give the project a name");
      return;
    }
    setBusy(true);
    try {
      const p = await call("createProject", { body: { name: name.trim(), description } });
      toastSuccess(`Created "${p.name}"`);
      onCreated(p);
    } catch (err) {
      setError(messageOf(err));
      toastError("Could not create the project", err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="New project"
      description="You will define its labels and upload images next."
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy && <Spinner label="Creating" />} Create project
          </button>
        </>
      }
    >
      <ProjectFields
        name={name}
        description={description}
        onName={(v) => {
          setName(v);
          setError(null);
        }}
        onDescription={setDescription}
        error={error}
      />
    </Dialog>
  );
}

export function RenameProjectDialog({
  project,
  onClose,
  onRenamed,
}: {
  project: Project;
  onClose: () => void;
  onRenamed: (p: Project) => void;
}) {
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (!name.trim()) {
      setError("A project needs a name");
      return;
    }
    setBusy(true);
    try {
      const p = await call("updateProject", {
        params: { projectId: project.id },
        body: { name: name.trim(), description },
      });
      toastSuccess("Project saved");
      onRenamed(p);
    } catch (err) {
      setError(messageOf(err));
      toastError("Could not save the project", err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title="Rename project"
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy && <Spinner label="Saving" />} Save
          </button>
        </>
      }
    >
      <ProjectFields
        name={name}
        description={description}
        onName={(v) => {
          setName(v);
          setError(null);
        }}
        onDescription={setDescription}
        error={error}
      />
    </Dialog>
  );
}

/** Names everything that goes with the project, counted by the server, before anything is deleted. */
export function DeleteProjectDialog({
  project,
  onClose,
  onDeleted,
}: {
  project: Project;
  onClose: () => void;
  onDeleted: (id: number) => void;
}) {
  const [stats, setStats] = useState<ProjectStats | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    call("projectStats", { params: { projectId: project.id }, signal: controller.signal })
      .then(setStats)
      .catch((err) => toastError("Could not count what the project holds", err));
    return () => controller.abort();
  }, [project.id]);

  const remove = async () => {
    setBusy(true);
    try {
      await call("deleteProject", { params: { projectId: project.id } });
      toastSuccess(`Deleted "${project.name}"`);
      onDeleted(project.id);
    } catch (err) {
      toastError("Could not delete the project", err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      size="sm"
      tone="danger"
      title={`Delete "${project.name}"?`}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} autoFocus>
            Keep project
          </button>
          <button type="button" className="button button--danger" disabled={busy || !stats} onClick={remove}>
            {busy && <Spinner label="Deleting" />} Delete project
          </button>
        </>
      }
    >
      <p>This permanently deletes the project and everything in it:</p>
      {stats ? (
        <ul className="loss-list" aria-label="What will be deleted">
          <li>{plural(project.imageCount, "image")} and their files</li>
          <li>{plural(stats.totalAnnotations, "annotation")}</li>
          <li>{plural(stats.labels.length, "label")} in the label set</li>
        </ul>
      ) : (
        <p className="muted">
          <Spinner label="Counting" /> Counting images and annotations…
        </p>
      )}
      <p className="muted">This cannot be undone. Export the annotations first if you may need them.</p>
    </Dialog>
  );
}
