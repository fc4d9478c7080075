import type { Editor } from "@labelbench/editor";
import { Link } from "react-router";
import { useStore } from "zustand";
import { useCan } from "../auth/useCan";
import { EdIcon } from "./icons";

const keepFocus = (e: React.MouseEvent) => e.preventDefault();

/**
 * The project's labels with colour and hotkey. Clicking one does what its hotkey does: relabel the
 * selection when there is one, and make it the label new shapes get.
 */
export function LabelPalette({ editor, projectHref }: { editor: Editor; projectHref: string }) {
  const all = useStore(editor.store, (s) => s.labels);
  // Tag-only labels live in the tags panel: they never label a shape.
  const labels = all.filter((l) => l.scope !== "tags");
  const active = useStore(editor.store, (s) => s.activeLabelId);
  const hidden = useStore(editor.store, (s) => s.hiddenLabels);
  const locked = useStore(editor.store, (s) => s.lockedLabels);
  const mayEditLabels = useCan()("manageProject");

  const choose = (id: number) => {
    const sel = [...editor.getState().selection];
    if (sel.length > 0) editor.relabel(sel, id);
    editor.setActiveLabel(id);
  };

  return (
    <section className="ed-panel ed-labels" aria-label="Labels">
      <h2 className="ed-panel__title">Labels</h2>
      {all.length === 0 ? (
        <p className="ed-empty">
          This project has no labels yet.{" "}
          {mayEditLabels ? (
            <>
              <Link to={`${projectHref}/labels`}>Add labels</Link> to start drawing.
            </>
          ) : (
            "A manager adds them."
          )}
        </p>
      ) : (
        <ul className="ed-labels__list">
          {labels.map((l) => {
            const isActive = l.id === active;
            const isHidden = hidden.has(l.id);
            const isLocked = locked.has(l.id);
            return (
              <li
                key={l.id}
                className={`ed-label${isActive ? " is-active" : ""}${isHidden ? " is-hidden" : ""}`}
                style={{ "--label": l.color } as React.CSSProperties}
              >
                <button
                  type="button"
                  className="ed-label__main"
                  onMouseDown={keepFocus}
                  onClick={() => choose(l.id)}
                  aria-pressed={isActive}
                  title={`${l.name}${l.hotkey ? ` (${l.hotkey.toUpperCase()})` : ""} — ${l.shapeTypes.join(", ")}`}
                  data-testid={`label-${l.name}`}
                  style={{ "--label": l.color } as React.CSSProperties}
                >
                  <span className="ed-swatch" />
                  <span className="ed-label__name">{l.name}</span>
                  {l.shapeTypes.length === 1 && (
                    <EdIcon
                      name={l.shapeTypes[0] === "box" ? "box" : "polygon"}
                      size={12}
                      className="ed-label__type"
                    />
                  )}
                  {l.hotkey && <kbd className="ed-kbd">{l.hotkey.toUpperCase()}</kbd>}
                </button>
                <button
                  type="button"
                  className={`ed-icon-btn${isHidden ? " is-on" : ""}`}
                  onMouseDown={keepFocus}
                  onClick={() => editor.toggleLabelHidden(l.id)}
                  title={isHidden ? `Show ${l.name} shapes` : `Hide ${l.name} shapes`}
                  aria-label={isHidden ? `Show ${l.name} shapes` : `Hide ${l.name} shapes`}
                >
                  <EdIcon name={isHidden ? "eyeOff" : "eye"} size={14} />
                </button>
                <button
                  type="button"
                  className={`ed-icon-btn${isLocked ? " is-on" : ""}`}
                  onMouseDown={keepFocus}
                  onClick={() => editor.toggleLabelLocked(l.id)}
                  title={isLocked ? `Unlock ${l.name} shapes` : `Lock ${l.name} shapes`}
                  aria-label={isLocked ? `Unlock ${l.name} shapes` : `Lock ${l.name} shapes`}
                >
                  <EdIcon name={isLocked ? "lock" : "unlock"} size={14} />
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** Image-level tags: labels that describe the whole image. */
export function TagsPanel({ editor }: { editor: Editor }) {
  const all = useStore(editor.store, (s) => s.labels);
  // Shape-only labels never tag an image.
  const labels = all.filter((l) => l.scope !== "shapes");
  const tags = useStore(editor.store, (s) => s.doc.tags);
  const on = new Set(tags);
  return (
    <section className="ed-panel ed-tags" aria-label="Image tags">
      <h2 className="ed-panel__title">
        Image tags <span className="ed-count">{tags.length}</span>
      </h2>
      <div className="ed-tags__list">
        {labels.map((l) => (
          <button
            key={l.id}
            type="button"
            className={`ed-chip${on.has(l.id) ? " is-on" : ""}`}
            aria-pressed={on.has(l.id)}
            onMouseDown={keepFocus}
            onClick={() => editor.toggleTag(l.id)}
            style={{ "--label": l.color } as React.CSSProperties}
            data-testid={`tag-${l.name}`}
          >
            {on.has(l.id) && <EdIcon name="check" size={12} />}
            {l.name}
            {l.scope === "tags" && l.hotkey && <kbd className="ed-kbd">{l.hotkey.toUpperCase()}</kbd>}
          </button>
        ))}
      </div>
    </section>
  );
}
