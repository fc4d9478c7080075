import { useStore } from "zustand";
import type { IssueSession } from "./issue-session";
import { DIFF_COLOUR } from "./marks-draw";

/**
 * The re-review overlay's legend, over the canvas while the overlay shows (`G`): what changed since
 * the last decision, counted as the server counted it.
 */
export function DiffLegend({ session, keys }: { session: IssueSession; keys: boolean }) {
  const diff = useStore(session.store, (s) => (s.showDiff ? s.diff : null));
  if (!diff || diff.baseRevision === null) return null;
  const items: [string, number, string, boolean][] = [
    ["added", diff.added.length, DIFF_COLOUR.added, false],
    ["changed", diff.changed.length, DIFF_COLOUR.changed, false],
    ["removed", diff.removed.length, DIFF_COLOUR.removed, true],
  ];
  const tags = diff.tagsAdded.length + diff.tagsRemoved.length;
  return (
    <div className="is-legend" data-testid="diff-legend" aria-live="polite">
      <span className="is-legend__title">
        Since the last review{" "}
        <span className="is-legend__rev">
          (revision {diff.baseRevision} → {diff.revision})
        </span>
      </span>
      {items.map(([name, count, colour, dashed]) => (
        <span key={name} className="is-legend__item" data-testid={`diff-${name}`}>
          <i
            className={dashed ? "is-legend__swatch is-legend__swatch--dashed" : "is-legend__swatch"}
            style={{ borderColor: colour }}
          />
          {count} {name}
        </span>
      ))}
      {tags > 0 && (
        <span className="is-legend__item">
          tags +{diff.tagsAdded.length} −{diff.tagsRemoved.length}
        </span>
      )}
      {diff.added.length + diff.changed.length + diff.removed.length + tags === 0 && (
        <span className="is-legend__item">nothing changed</span>
      )}
      {keys && (
        <span className="is-legend__hint">
          <kbd className="ed-kbd">G</kbd> hides
        </span>
      )}
    </div>
  );
}
