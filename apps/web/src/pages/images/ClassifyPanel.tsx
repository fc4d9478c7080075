import type { Label } from "@labelbench/schema";
import { plural } from "../../ui/format";

/**
 * The labels grid classification offers: those that may tag a whole image (scope tags or both),
 * in label order.
 */
export const tagLabels = (labels: readonly Label[]): Label[] => labels.filter((l) => l.scope !== "shapes");

/** Beside the dense grid: the tag labels with their hotkeys; a key (or a click) toggles the tag. */
export function ClassifyPanel({
  labels,
  selected,
  onToggle,
}: {
  labels: Label[];
  selected: number;
  onToggle: (label: Label) => void;
}) {
  return (
    <aside className="classify-panel" aria-label="Classify">
      <h2 className="classify-panel__title">Tags</h2>
      <p className="classify-panel__hint">
        {selected > 0
          ? `Press a label's key to tag the ${plural(selected, "selected image")}; again to remove it.`
          : "Select images (click, Shift+arrows, Ctrl+A), or focus one, then press a label's key."}
      </p>
      {labels.length === 0 ? (
        <p className="classify-panel__hint">This project has no labels yet: add them under Labels.</p>
      ) : (
        <ul className="classify-panel__list">
          {labels.map((l) => (
            <li key={l.id}>
              <button
                type="button"
                className="classify-panel__label"
                aria-keyshortcuts={l.hotkey ?? undefined}
                onClick={() => onToggle(l)}
              >
                <span className="classify-panel__swatch" style={{ background: l.color }} aria-hidden="true" />
                <span className="classify-panel__name">{l.name}</span>
                {l.hotkey && <kbd>{l.hotkey.toUpperCase()}</kbd>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
