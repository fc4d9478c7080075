import type { AnnotationSet } from "@labelbench/schema";
import { useEffect, useRef } from "react";
import { EdIcon } from "./icons";
import type { Snapshot } from "./save-queue";

export type ConflictChoice = "theirs" | "mine" | "both";

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** What differs, in words a user can weigh: shapes only here, only there, and changed in both. */
export const summarizeConflict = (mine: Snapshot, server: AnnotationSet) => {
  const theirs = new Map(server.annotations.map((a) => [a.id, a]));
  const ours = new Map(mine.annotations.map((a) => [a.id, a]));
  let onlyMine = 0;
  let changed = 0;
  for (const a of mine.annotations) {
    const t = theirs.get(a.id);
    if (!t) onlyMine += 1;
    else if (t.labelId !== a.labelId || JSON.stringify(t.geometry) !== JSON.stringify(a.geometry))
      changed += 1;
  }
  let onlyTheirs = 0;
  for (const a of server.annotations) if (!ours.has(a.id)) onlyTheirs += 1;
  return { onlyMine, onlyTheirs, changed, mine: mine.annotations.length, theirs: server.annotations.length };
};

/**
 * A revision conflict: someone saved this image after we loaded it. Nothing is overwritten or dropped
 * until the user picks: their version, mine, or both drawn on top of each other to compare.
 */
export function ConflictDialog({
  mine,
  server,
  onChoose,
}: {
  mine: Snapshot;
  server: AnnotationSet;
  onChoose: (c: ConflictChoice) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
    return () => d?.close();
  }, []);
  const s = summarizeConflict(mine, server);
  return (
    <dialog
      ref={ref}
      className="ed-dialog"
      aria-labelledby="ed-conflict-title"
      data-testid="conflict-dialog"
      // Escape must not dismiss the choice silently: "view both" is the way to look around.
      onCancel={(e) => e.preventDefault()}
    >
      <h2 id="ed-conflict-title" className="ed-dialog__title">
        <EdIcon name="alert" size={20} /> Someone else saved this image
      </h2>
      <p className="ed-dialog__text">
        While you were editing, another save reached the server (revision {server.revision}). Your changes are
        kept on this device until you choose.
      </p>
      <ul className="ed-dialog__diff">
        <li>
          <strong>Your version:</strong> {count(s.mine, "shape")}
          {s.onlyMine > 0 && `, ${s.onlyMine} not on the server`}
        </li>
        <li>
          <strong>Server version:</strong> {count(s.theirs, "shape")}
          {s.onlyTheirs > 0 && `, ${s.onlyTheirs} you do not have`}
        </li>
        {s.changed > 0 && <li>{count(s.changed, "shape")} changed differently on both sides</li>}
      </ul>
      <div className="ed-dialog__actions">
        <button type="button" className="ed-btn" onClick={() => onChoose("both")} data-testid="conflict-both">
          View both
        </button>
        <button
          type="button"
          className="ed-btn"
          onClick={() => onChoose("theirs")}
          data-testid="conflict-theirs"
        >
          Take the server's version
        </button>
        <button
          type="button"
          className="ed-btn ed-btn--primary"
          onClick={() => onChoose("mine")}
          data-testid="conflict-mine"
          autoFocus
        >
          Keep mine and overwrite
        </button>
      </div>
    </dialog>
  );
}

/** While comparing ("view both"): the server's shapes are drawn dashed; the choice stays one click away. */
export function ConflictBanner({
  server,
  onChoose,
}: {
  server: AnnotationSet;
  onChoose: (c: ConflictChoice) => void;
}) {
  return (
    <div className="ed-banner ed-banner--conflict" role="alert" data-testid="conflict-banner">
      <EdIcon name="alert" size={16} />
      <span>
        Comparing. The server's version (revision {server.revision},{" "}
        {count(server.annotations.length, "shape")}) is drawn <span className="ed-dashed">dashed pink</span>,
        yours as usual. Autosave is paused until you choose.
      </span>
      <button type="button" className="ed-btn ed-btn--small" onClick={() => onChoose("theirs")}>
        Take the server's version
      </button>
      <button type="button" className="ed-btn ed-btn--small ed-btn--primary" onClick={() => onChoose("mine")}>
        Keep mine
      </button>
    </div>
  );
}
