import { Link } from "react-router";
import { EdIcon } from "./icons";
import type { SaveQueueState } from "./save/save-queue";

/** Banners for other images whose unsaved changes need the user: a conflict, or a save refused for good. */
export function SaveProblems({
  saves,
  imageId,
  onDiscard,
}: {
  saves: SaveQueueState;
  /** The image shown: its own problems are the status bar's and the conflict dialog's. */
  imageId: number;
  onDiscard(imageId: number): void;
}) {
  const problems = [...saves.images.entries()].filter(
    ([id, v]) => id !== imageId && (v.status.kind === "conflict" || v.status.kind === "error"),
  );
  return problems.map(([id, v]) => (
    <div key={id} className="ed-banner" role="alert">
      <EdIcon name="alert" size={16} />
      <span>
        {v.status.kind === "conflict"
          ? `Unsaved changes to image ${id} conflict with a newer save on the server.`
          : `Changes to image ${id} were not saved: ${v.status.kind === "error" ? v.status.message : ""}`}
      </span>
      <Link className="ed-btn ed-btn--small" to={`/projects/${v.projectId}/images/${id}`}>
        Open it
      </Link>
      {v.status.kind === "error" && (
        <button
          type="button"
          className="ed-btn ed-btn--small"
          onClick={() => {
            if (window.confirm(`Discard the unsaved changes to image ${id}? This cannot be undone.`))
              onDiscard(id);
          }}
        >
          Discard them
        </button>
      )}
    </div>
  ));
}

/** The address names no image this account can see. */
export function MissingImage({
  imageParam,
  routeProjectId,
}: {
  imageParam: string | undefined;
  routeProjectId: number;
}) {
  const library = Number.isInteger(routeProjectId) ? `/projects/${routeProjectId}/images` : "/";
  return (
    <div className="ed-root" data-testid="editor">
      <div className="ed-missing" role="alert">
        <EdIcon name="alert" size={28} />
        <h1 className="ed-missing__title">Image {imageParam} does not exist</h1>
        <p className="ed-missing__text">
          It may have been deleted, or the address is mistyped. Nothing was opened or changed.
        </p>
        <Link className="ed-btn ed-btn--primary" to={library}>
          Back to the library
        </Link>
      </div>
    </div>
  );
}
