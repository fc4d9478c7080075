import type { AnnotationSet } from "@labelbench/schema";
import { useEffect, useRef, useState } from "react";
import { EdIcon } from "./icons";
import type { ChangeCounts, MergeSide, ShapeConflict, ThreeWayMerge } from "./save/save-merge";

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** "1 added, 2 changed", or null when nothing changed. */
const describeCounts = (c: ChangeCounts): string | null => {
  const parts = [
    c.added > 0 && `${c.added} added`,
    c.changed > 0 && `${c.changed} changed`,
    c.deleted > 0 && `${c.deleted} deleted`,
  ].filter((p): p is string => typeof p === "string");
  return parts.length === 0 ? null : parts.join(", ");
};

/** What each side did to a shape changed on both sides, in words. */
export const describeConflict = (c: ShapeConflict): { mine: string; theirs: string } => ({
  mine: c.mine === null ? "you deleted it" : c.base === null ? "you added it" : "you changed it",
  theirs: c.theirs === null ? "they deleted it" : c.base === null ? "they added it" : "they changed it",
});

/** The summary lines: exact counts of what merged on its own and what needs a choice. */
export const summarizeMerge = (m: ThreeWayMerge): string[] => {
  const theirs = describeCounts(m.theirs);
  const mine = describeCounts(m.mine);
  return [
    `Their changes merged: ${theirs ?? "none"}.`,
    `Your changes merged: ${mine ?? "none"}.`,
    `${count(m.conflicts.length, "shape")} changed on both sides: choose which version to keep.`,
  ];
};

/**
 * A revision conflict: someone saved this image after we loaded it, and some shapes were changed on
 * both sides. Everything else is already merged; for each of these shapes the user keeps their own
 * version or takes the other one. Nothing is saved until they choose.
 */
export function ConflictDialog({
  server,
  merge,
  labelName,
  onResolve,
  onViewBoth,
}: {
  server: AnnotationSet;
  merge: ThreeWayMerge;
  labelName: (labelId: number) => string;
  onResolve: (choices: ReadonlyMap<string, MergeSide>) => void;
  onViewBoth: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [choices, setChoices] = useState<ReadonlyMap<string, MergeSide>>(() => new Map());
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
    return () => d?.close();
  }, []);
  const choose = (id: string, side: MergeSide) => setChoices((c) => new Map(c).set(id, side));
  const all = (side: MergeSide) => new Map(merge.conflicts.map((c) => [c.id, side] as const));
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
      <ul className="ed-dialog__diff" data-testid="conflict-summary">
        {summarizeMerge(merge).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <ul className="ed-conflicts">
        {merge.conflicts.map((c, i) => {
          const shape = c.mine ?? c.theirs ?? c.base;
          const what = describeConflict(c);
          const side = choices.get(c.id) ?? "mine";
          return (
            <li key={c.id} className="ed-conflicts__row" data-testid="conflict-row" data-shape-id={c.id}>
              <span className="ed-conflicts__shape">
                {i + 1}. {shape ? `${shape.geometry.type} '${labelName(shape.labelId)}'` : c.id}: {what.mine},{" "}
                {what.theirs}
              </span>
              <label>
                <input
                  type="radio"
                  name={`conflict-${c.id}`}
                  checked={side === "mine"}
                  onChange={() => choose(c.id, "mine")}
                />{" "}
                Keep mine
              </label>
              <label>
                <input
                  type="radio"
                  name={`conflict-${c.id}`}
                  checked={side === "theirs"}
                  onChange={() => choose(c.id, "theirs")}
                />{" "}
                Take theirs
              </label>
            </li>
          );
        })}
      </ul>
      <div className="ed-dialog__actions">
        <button type="button" className="ed-btn" onClick={onViewBoth} data-testid="conflict-both">
          View both
        </button>
        <button
          type="button"
          className="ed-btn"
          onClick={() => onResolve(all("theirs"))}
          data-testid="conflict-theirs"
        >
          Take theirs for all
        </button>
        <button
          type="button"
          className="ed-btn ed-btn--primary"
          onClick={() => onResolve(choices)}
          data-testid="conflict-apply"
          autoFocus
        >
          Save with these choices
        </button>
      </div>
    </dialog>
  );
}

/** While comparing ("view both"): the server's shapes are drawn dashed; the choice stays one click away. */
export function ConflictBanner({
  server,
  conflicts,
  onBack,
}: {
  server: AnnotationSet;
  conflicts: number;
  onBack: () => void;
}) {
  return (
    <div className="ed-banner ed-banner--conflict" role="alert" data-testid="conflict-banner">
      <EdIcon name="alert" size={16} />
      <span>
        Comparing. The server's version (revision {server.revision},{" "}
        {count(server.annotations.length, "shape")}) is drawn <span className="ed-dashed">dashed pink</span>,
        yours as usual; {count(conflicts, "shape")} changed on both sides. Autosave is paused until you
        choose.
      </span>
      <button type="button" className="ed-btn ed-btn--small ed-btn--primary" onClick={onBack}>
        Choose…
      </button>
    </div>
  );
}
