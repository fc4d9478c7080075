import type { Editor, Shape } from "@labelbench/editor";
import { useEffect, useMemo, useRef } from "react";
import { useStore } from "zustand";
import { useScrollView } from "../ui/useScrollView";
import { useAfterPaint } from "./after-paint";
import { attributeSummary } from "./attribute-summary";
import { EdIcon } from "./icons";
import { shortcutOf } from "./keys-display";
import { type AuthorMap, authorLine, authorTitle } from "./session/shape-authors";

const ROW_PX = 30;
const OVERSCAN = 8;
const keepFocus = (e: React.MouseEvent) => e.preventDefault();

const describe = (s: Shape): string => {
  const g = s.geometry;
  return g.type === "box" ? `${Math.round(g.width)} × ${Math.round(g.height)}` : `${g.points.length} pts`;
};

const NO_AUTHORS: AuthorMap = new Map();

/** "press B for a box or P for a polygon", with the user's own keys. */
const drawHint = (editor: Editor): string => {
  const box = shortcutOf(editor, "tool.box");
  const polygon = shortcutOf(editor, "tool.polygon");
  if (box && polygon) return `press ${box} for a box or ${polygon} for a polygon`;
  return "pick the box or polygon tool";
};

/**
 * The image's shapes in z-order. Windowed: only the rows in view exist in the DOM, so a dense scene
 * with thousands of shapes costs the same as a sparse one. `authors` (from the server's replies) adds
 * who created and last edited each saved shape under its name.
 */
export function ShapeList({ editor, authors = NO_AUTHORS }: { editor: Editor; authors?: AuthorMap }) {
  // The canvas answers a click or an edit first; the list follows a frame later (after-paint.ts).
  const shapesMap = useAfterPaint(editor.store, (s) => s.doc.shapes);
  const selection = useAfterPaint(editor.store, (s) => s.selection);
  const labels = useStore(editor.store, (s) => s.labels);
  useStore(editor.store, (s) => s.hiddenShapes);
  useStore(editor.store, (s) => s.lockedShapes);
  useStore(editor.store, (s) => s.hiddenLabels);
  useStore(editor.store, (s) => s.lockedLabels);
  const shapes = useMemo(() => [...shapesMap.values()], [shapesMap]);
  const labelOf = useMemo(() => new Map(labels.map((l) => [l.id, l])), [labels]);
  const indexOf = useMemo(() => new Map(shapes.map((s, i) => [s.id, i])), [shapes]);

  const scroller = useRef<HTMLDivElement>(null);
  const { view, onScroll } = useScrollView(scroller, 400);

  // Bring a single selected shape into view (e.g. after clicking it on the canvas).
  useEffect(() => {
    const el = scroller.current;
    if (!el || selection.size !== 1) return;
    const [id] = selection;
    const i = id === undefined ? undefined : indexOf.get(id);
    if (i === undefined) return;
    const top = i * ROW_PX;
    if (top < el.scrollTop || top + ROW_PX > el.scrollTop + el.clientHeight)
      el.scrollTop = top - el.clientHeight / 2 + ROW_PX / 2;
  }, [selection, indexOf]);

  const first = Math.max(0, Math.floor(view.top / ROW_PX) - OVERSCAN);
  const last = Math.min(shapes.length, Math.ceil((view.top + view.height) / ROW_PX) + OVERSCAN);

  const onRowClick = (e: React.MouseEvent, id: string) => {
    if (e.shiftKey || e.ctrlKey || e.metaKey) {
      const next = new Set(editor.getState().selection);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      editor.select([...next]);
    } else editor.select([id], { centre: true });
  };

  return (
    <section className="ed-panel ed-shapes" aria-label="Shapes">
      <h2 className="ed-panel__title">
        Shapes <span className="ed-count">{shapes.length}</span>
        {selection.size > 0 && <span className="ed-count ed-count--sel">{selection.size} selected</span>}
      </h2>
      <div className="ed-shapes__scroll" ref={scroller} onScroll={onScroll}>
        {shapes.length === 0 && (
          <p className="ed-empty">No shapes yet. Pick a label, {drawHint(editor)}, and draw.</p>
        )}
        <ul className="ed-shapes__list" style={{ height: shapes.length * ROW_PX }} data-testid="shape-list">
          {shapes.slice(first, last).map((s, k) => {
            const i = first + k;
            const label = labelOf.get(s.labelId);
            const hidden = editor.isShapeHidden(s.id);
            const locked = editor.isShapeLocked(s.id);
            const selected = selection.has(s.id);
            const author = authors.get(s.id);
            const who = authorLine(author);
            return (
              <li
                // Keyed by place in the window, not by shape: a scroll reuses the row elements in order
                // and changes their contents, instead of building a window's worth of new ones.
                key={i - first}
                className={`ed-shape${selected ? " is-selected" : ""}${hidden ? " is-hidden" : ""}`}
                style={{ top: i * ROW_PX, "--label": label?.color ?? "#9ca3af" } as React.CSSProperties}
                data-shape-id={s.id}
              >
                <button
                  type="button"
                  className="ed-shape__main"
                  onMouseDown={keepFocus}
                  onClick={(e) => onRowClick(e, s.id)}
                  aria-pressed={selected}
                  title={[authorTitle(author), "Select and centre (Shift: add to selection)"]
                    .filter(Boolean)
                    .join("\n")}
                >
                  <span className="ed-swatch" />
                  <EdIcon
                    name={s.geometry.type === "box" ? "box" : "polygon"}
                    size={12}
                    className="ed-shape__type"
                  />
                  <span className="ed-shape__text">
                    <span className="ed-shape__line">
                      <span className="ed-shape__name">{label?.name ?? `label ${s.labelId}`}</span>
                      {label && label.attributes.length > 0 && s.attributes && (
                        <span className="ed-shape__attrs" data-testid="shape-attributes">
                          {attributeSummary(s.attributes, label.attributes)}
                        </span>
                      )}
                      <span className="ed-shape__meta">{describe(s)}</span>
                    </span>
                    {who && (
                      <span className="ed-shape__who" data-testid="shape-author">
                        {who}
                      </span>
                    )}
                  </span>
                </button>
                <button
                  type="button"
                  className={`ed-icon-btn${hidden ? " is-on" : ""}`}
                  onMouseDown={keepFocus}
                  onClick={() => editor.toggleShapeHidden(s.id)}
                  aria-label={hidden ? "Show shape" : "Hide shape"}
                  title={hidden ? "Show shape" : "Hide shape"}
                >
                  <EdIcon name={hidden ? "eyeOff" : "eye"} size={14} />
                </button>
                <button
                  type="button"
                  className={`ed-icon-btn${locked ? " is-on" : ""}`}
                  onMouseDown={keepFocus}
                  onClick={() => editor.toggleShapeLocked(s.id)}
                  aria-label={locked ? "Unlock shape" : "Lock shape"}
                  title={locked ? "Unlock shape" : "Lock shape"}
                >
                  <EdIcon name={locked ? "lock" : "unlock"} size={14} />
                </button>
                <button
                  type="button"
                  className="ed-icon-btn ed-icon-btn--danger"
                  onMouseDown={keepFocus}
                  onClick={() => editor.deleteShapes([s.id])}
                  aria-label="Delete shape"
                  title="Delete shape"
                >
                  <EdIcon name="trash" size={14} />
                </button>
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}
