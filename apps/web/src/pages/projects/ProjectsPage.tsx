import type { Project } from "@labelbench/schema";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { call } from "../../api/client";
import { useCan } from "../../auth/useCan";
import { formatCount, formatRelative, percent, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading, ProgressBar } from "../../ui/parts";
import { messageOf } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { ProjectCover } from "./ProjectCover";
import { CreateProjectDialog, DeleteProjectDialog, RenameProjectDialog } from "./ProjectDialogs";

type Editing =
  | { kind: "create" }
  | { kind: "rename"; project: Project }
  | { kind: "delete"; project: Project }
  | null;

export function ProjectsPage() {
  useTitle("Projects");
  const navigate = useNavigate();
  const [editing, setEditing] = useState<Editing>(null);
  const projects = useAsync((signal) => call("listProjects", { signal }), [], "Could not load projects");
  const items = projects.data?.items ?? [];
  const close = () => setEditing(null);
  const can = useCan();
  const mayCreate = can("createProject");
  const mayManage = can("manageProject");

  return (
    <main id="main" className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Projects</h1>
          <p className="page-subtitle">
            {projects.data
              ? `${plural(items.length, "project")} on this server`
              : "Each project holds a set of images and the labels to draw on them."}
          </p>
        </div>
        {items.length > 0 && mayCreate && (
          <button
            type="button"
            className="button button--primary"
            onClick={() => setEditing({ kind: "create" })}
          >
            <Icon name="plus" size={16} /> New project
          </button>
        )}
      </div>

      {projects.data === undefined ? (
        projects.error ? (
          <ErrorState
            title="Could not load projects"
            message={messageOf(projects.error)}
            onRetry={projects.reload}
          />
        ) : (
          <Loading what="projects" />
        )
      ) : items.length === 0 && !mayCreate ? (
        <EmptyState icon="folder" title="No projects for you yet">
          You see the projects you are a member of. Ask a manager to add you to one.
        </EmptyState>
      ) : items.length === 0 ? (
        <EmptyState
          icon="folder"
          title="Create your first project"
          action={
            <button
              type="button"
              className="button button--primary button--large"
              onClick={() => setEditing({ kind: "create" })}
            >
              <Icon name="plus" size={18} /> New project
            </button>
          }
        >
          A project holds the images to annotate and the label set to annotate them with. Create one, define
          its labels, then drop a folder of images on it.
        </EmptyState>
      ) : (
        <ul className="project-grid" aria-label="Projects">
          {items.map((p) => (
            <ProjectCard
              key={p.id}
              project={p}
              manage={mayManage}
              onRename={() => setEditing({ kind: "rename", project: p })}
              onDelete={() => setEditing({ kind: "delete", project: p })}
            />
          ))}
        </ul>
      )}

      <CreateProjectDialog
        open={editing?.kind === "create"}
        onClose={close}
        onCreated={(p) => {
          close();
          navigate(`/projects/${p.id}`);
        }}
      />
      {editing?.kind === "rename" && (
        <RenameProjectDialog
          project={editing.project}
          onClose={close}
          onRenamed={(p) => {
            close();
            projects.setData((d) => d && { items: d.items.map((x) => (x.id === p.id ? p : x)) });
          }}
        />
      )}
      {editing?.kind === "delete" && (
        <DeleteProjectDialog
          project={editing.project}
          onClose={close}
          onDeleted={(id) => {
            close();
            projects.setData((d) => d && { items: d.items.filter((x) => x.id !== id) });
          }}
        />
      )}
    </main>
  );
}

function ProjectCard({
  project: p,
  manage,
  onRename,
  onDelete,
}: {
  project: Project;
  /** Rename, delete and the label-set link are for managers and admins only. */
  manage: boolean;
  onRename: () => void;
  onDelete: () => void;
}) {
  const done = percent(p.doneCount, p.imageCount);
  return (
    <li className="project-card">
      <ProjectCover projectId={p.id} imageCount={p.imageCount} />
      <div className="project-card__top">
        <h2 className="project-card__name">
          {/* Annotators and reviewers land on their own work; managers on the overview. */}
          <Link to={`/projects/${p.id}${manage ? "" : "/work"}`} className="project-card__link">
            {p.name}
          </Link>
        </h2>
        {manage && (
          <div className="project-card__actions">
            <button
              type="button"
              className="icon-button"
              aria-label={`Rename ${p.name}`}
              title="Rename"
              onClick={onRename}
            >
              <Icon name="pencil" size={16} />
            </button>
            <button
              type="button"
              className="icon-button icon-button--danger"
              aria-label={`Delete ${p.name}`}
              title="Delete"
              onClick={onDelete}
            >
              <Icon name="trash" size={16} />
            </button>
          </div>
        )}
      </div>
      <p className={`project-card__description${p.description ? "" : " is-empty"}`}>
        {p.description || "No description"}
      </p>
      <div className="project-card__progress">
        <div className="project-card__numbers">
          <span>
            <strong>{formatCount(p.imageCount)}</strong> {p.imageCount === 1 ? "image" : "images"}
          </span>
          <span>{p.imageCount > 0 ? `${done}% done` : "No images yet"}</span>
        </div>
        <ProgressBar
          value={p.doneCount}
          max={p.imageCount}
          label={`${p.name}: ${p.doneCount} of ${p.imageCount} images done`}
        />
      </div>
      <div className="project-card__footer">
        <span>Updated {formatRelative(p.updatedAt)}</span>
        <span className="project-card__quicklinks">
          {!manage && <Link to={`/projects/${p.id}/work`}>My work</Link>}
          <Link to={`/projects/${p.id}/images`}>Images</Link>
          {manage && <Link to={`/projects/${p.id}/labels`}>Labels</Link>}
        </span>
      </div>
    </li>
  );
}
