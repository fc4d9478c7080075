import type { Editor } from "@labelbench/editor";
import type { Label } from "@labelbench/schema";
import { type Ref, useMemo, useRef, useState } from "react";
import { Link } from "react-router";
import { useStore } from "zustand";
import { useCan } from "../auth/useCan";
import { conflictText, LabelKeyNote, useLabelKeyConflicts } from "../keymap/LabelKeyNote";
import type { LabelKeyConflict } from "../keymap/label-key-conflicts";
import { visibleRows } from "../pages/images/grid-layout";
import { useScrollView } from "../ui/useScrollView";
import { EdIcon } from "./icons";
import { Keys } from "./Keys";
import { filterLabels } from "./label-filter";

const keepFocus = (e: React.MouseEvent) => e.preventDefault();

/** Row height of the windowed list (.ed-label: a 32px button and a 2px gap). */
const ROW_PX = 34;
const OVERSCAN = 6;

/** "g3" → "g 3": a two-character hotkey is a chord. */
const hotkeySpec = (hotkey: string) => [...hotkey.toLowerCase()].join(" ");

/**
 * The project's labels with colour and hotkey. Clicking one does what its hotkey does: relabel the
 * selection when there is one, and make it the label new shapes get. The filter box (`/`) narrows
 * the list as the user types — names starting with the text first — and Enter picks the highlighted
 * label, so a label among hundreds is a few keys away. Windowed: only the rows in view exist.
 */
export function LabelPalette({
  editor,
  projectHref,
  filterRef,
}: {
  editor: Editor;
  projectHref: string;
  filterRef?: Ref<HTMLInputElement>;
}) {
  const all = useStore(editor.store, (s) => s.labels);
  // Tag-only labels live in the tags panel: they never label a shape.
  const labels = all.filter((l) => l.scope !== "tags");
  const active = useStore(editor.store, (s) => s.activeLabelId);
  const hidden = useStore(editor.store, (s) => s.hiddenLabels);
  const locked = useStore(editor.store, (s) => s.lockedLabels);
  const mayEditLabels = useCan()("manageProject");
  const conflicts = useLabelKeyConflicts(all);
  const [query, setQuery] = useState("");
  const [cursor, setCursor] = useState(0);
  const shown = useMemo(() => filterLabels(labels, query), [labels, query]);
  const highlighted = query.trim() === "" ? null : (shown[Math.min(cursor, shown.length - 1)] ?? null);

  const scroller = useRef<HTMLDivElement>(null);
  const { view, onScroll } = useScrollView(scroller, 400);
  const first = Math.max(0, Math.floor(view.top / ROW_PX) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((view.top + view.height) / ROW_PX) + OVERSCAN);

  const choose = (id: number) => {
    const sel = [...editor.getState().selection];
    if (sel.length > 0) editor.relabel(sel, id);
    editor.setActiveLabel(id);
  };

  /** Keeps the highlighted row in view as the arrows move it. */
  const moveTo = (i: number) => {
    const n = Math.max(0, Math.min(shown.length - 1, i));
    setCursor(n);
    const el = scroller.current;
    if (!el) return;
    if (n * ROW_PX < el.scrollTop) el.scrollTop = n * ROW_PX;
    else if ((n + 1) * ROW_PX > el.scrollTop + el.clientHeight)
      el.scrollTop = (n + 1) * ROW_PX - el.clientHeight;
  };

  const leave = (input: HTMLInputElement) => {
    setQuery("");
    setCursor(0);
    input.blur();
  };

  const onFilterKey = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      moveTo(cursor + (e.key === "ArrowDown" ? 1 : -1));
    } else if (e.key === "Enter") {
      e.preventDefault();
      const pick = highlighted ?? shown[0];
      if (!pick) return;
      choose(pick.id);
      leave(e.currentTarget);
    } else if (e.key === "Escape") {
      e.preventDefault();
      leave(e.currentTarget);
    }
  };

  return (
    <section className="ed-panel ed-labels" aria-label="Labels">
      <h2 className="ed-panel__title">
        Labels {labels.length > 9 && <span className="ed-count">{labels.length}</span>}
      </h2>
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
        <>
          <LabelKeyNote conflicts={conflicts} />
          <input
            ref={filterRef}
            type="search"
            className="ed-labels__filter"
            placeholder="Find a label  /"
            aria-label="Find a label"
            aria-controls="ed-label-list"
            aria-activedescendant={highlighted ? `ed-label-${highlighted.id}` : undefined}
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setCursor(0);
              if (scroller.current) scroller.current.scrollTop = 0;
            }}
            onKeyDown={onFilterKey}
          />
          <div className="ed-labels__scroll" ref={scroller} onScroll={onScroll}>
            {shown.length === 0 && <p className="ed-empty">No label matches "{query.trim()}".</p>}
            <ul
              id="ed-label-list"
              className="ed-labels__list"
              style={{ height: shown.length * ROW_PX }}
              data-testid="label-palette"
            >
              {shown.slice(first, last).map((l, k) => (
                <PaletteRow
                  key={l.id}
                  label={l}
                  top={(first + k) * ROW_PX}
                  active={l.id === active}
                  highlighted={l.id === highlighted?.id}
                  hidden={hidden.has(l.id)}
                  locked={locked.has(l.id)}
                  taken={conflicts.get(l.id)}
                  onChoose={() => choose(l.id)}
                  onToggleHidden={() => editor.toggleLabelHidden(l.id)}
                  onToggleLocked={() => editor.toggleLabelLocked(l.id)}
                />
              ))}
            </ul>
          </div>
        </>
      )}
    </section>
  );
}

function PaletteRow(props: {
  label: Label;
  top: number;
  active: boolean;
  highlighted: boolean;
  hidden: boolean;
  locked: boolean;
  /** The user's own key that takes this label's hotkey (their key wins). */
  taken?: LabelKeyConflict | undefined;
  onChoose(): void;
  onToggleHidden(): void;
  onToggleLocked(): void;
}) {
  const { label: l, active: isActive, hidden: isHidden, locked: isLocked } = props;
  const hotkey = l.hotkey ? hotkeySpec(l.hotkey) : null;
  return (
    <li
      id={`ed-label-${l.id}`}
      className={`ed-label${isActive ? " is-active" : ""}${isHidden ? " is-hidden" : ""}${props.highlighted ? " is-highlighted" : ""}`}
      style={{ "--label": l.color, top: props.top } as React.CSSProperties}
    >
      <button
        type="button"
        className="ed-label__main"
        onMouseDown={keepFocus}
        onClick={props.onChoose}
        aria-pressed={isActive}
        title={`${l.name}${l.hotkey ? ` (${[...l.hotkey.toUpperCase()].join(" then ")}${props.taken ? `: ${conflictText(props.taken)}, which wins` : ""})` : ""} — ${l.shapeTypes.join(", ")}`}
        data-testid={`label-${l.name}`}
        style={{ "--label": l.color } as React.CSSProperties}
      >
        <span className="ed-swatch" />
        <span className="ed-label__name">{l.name}</span>
        {l.shapeTypes.length === 1 && (
          <EdIcon name={l.shapeTypes[0] === "box" ? "box" : "polygon"} size={12} className="ed-label__type" />
        )}
        {hotkey &&
          (props.taken ? (
            <span className="ed-key-taken" data-testid={`key-taken-${l.name}`}>
              <Keys spec={hotkey} />
            </span>
          ) : (
            <Keys spec={hotkey} />
          ))}
      </button>
      <button
        type="button"
        className={`ed-icon-btn${isHidden ? " is-on" : ""}`}
        onMouseDown={keepFocus}
        onClick={props.onToggleHidden}
        title={isHidden ? `Show ${l.name} shapes` : `Hide ${l.name} shapes`}
        aria-label={isHidden ? `Show ${l.name} shapes` : `Hide ${l.name} shapes`}
      >
        <EdIcon name={isHidden ? "eyeOff" : "eye"} size={14} />
      </button>
      <button
        type="button"
        className={`ed-icon-btn${isLocked ? " is-on" : ""}`}
        onMouseDown={keepFocus}
        onClick={props.onToggleLocked}
        title={isLocked ? `Unlock ${l.name} shapes` : `Lock ${l.name} shapes`}
        aria-label={isLocked ? `Unlock ${l.name} shapes` : `Lock ${l.name} shapes`}
      >
        <EdIcon name={isLocked ? "lock" : "unlock"} size={14} />
      </button>
    </li>
  );
}

/** Tag rows of the windowed list (a 24px chip and a 4px gap); more labels than this fit, it filters. */
const TAG_ROW_PX = 28;
/** Up to this many tag labels show as wrapping chips; beyond, one per row, windowed, with a filter. */
const TAG_CHIPS_MAX = 40;

/**
 * Image-level tags: labels that describe the whole image. A large set (hundreds of tag labels) is
 * windowed with the library grid's row arithmetic (`visibleRows`): only the rows in view exist.
 */
export function TagsPanel({ editor }: { editor: Editor }) {
  const all = useStore(editor.store, (s) => s.labels);
  // Shape-only labels never tag an image.
  const labels = useMemo(() => all.filter((l) => l.scope !== "shapes"), [all]);
  const tags = useStore(editor.store, (s) => s.doc.tags);
  const conflicts = useLabelKeyConflicts(all);
  const on = new Set(tags);
  const [query, setQuery] = useState("");
  const shown = useMemo(() => filterLabels(labels, query), [labels, query]);
  const windowed = labels.length > TAG_CHIPS_MAX;
  const scroller = useRef<HTMLDivElement>(null);
  const { view, onScroll } = useScrollView(scroller, 240);
  const rows = visibleRows(view.top, view.height, { rowHeight: TAG_ROW_PX, rows: shown.length }, 6);
  const chip = (l: Label, top?: number) => {
    const taken = conflicts.get(l.id);
    return (
      <button
        key={l.id}
        type="button"
        className={`ed-chip${on.has(l.id) ? " is-on" : ""}${top === undefined ? "" : " ed-chip--row"}`}
        aria-pressed={on.has(l.id)}
        onMouseDown={keepFocus}
        onClick={() => editor.toggleTag(l.id)}
        title={taken ? `${l.name}: ${conflictText(taken)}, which wins` : undefined}
        style={{ "--label": l.color, ...(top === undefined ? {} : { top }) } as React.CSSProperties}
        data-testid={`tag-${l.name}`}
      >
        {on.has(l.id) && <EdIcon name="check" size={12} />}
        <span className="ed-chip__name">{l.name}</span>
        {l.scope === "tags" && l.hotkey && (
          <kbd className={`ed-kbd${taken ? " ed-key-taken" : ""}`}>{l.hotkey.toUpperCase()}</kbd>
        )}
      </button>
    );
  };
  return (
    <section className="ed-panel ed-tags" aria-label="Image tags">
      <h2 className="ed-panel__title">
        Image tags <span className="ed-count">{tags.length}</span>
        {windowed && <span className="ed-count">of {labels.length}</span>}
      </h2>
      {!windowed ? (
        <div className="ed-tags__list">{labels.map((l) => chip(l))}</div>
      ) : (
        <>
          <input
            type="search"
            className="ed-labels__filter"
            placeholder="Find a tag"
            aria-label="Find a tag"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              if (scroller.current) scroller.current.scrollTop = 0;
            }}
          />
          <div className="ed-tags__scroll" ref={scroller} data-testid="tag-scroll" onScroll={onScroll}>
            {shown.length === 0 && <p className="ed-empty">No tag matches "{query.trim()}".</p>}
            <div className="ed-tags__rows" style={{ height: shown.length * TAG_ROW_PX }}>
              {shown.slice(rows.first, rows.last + 1).map((l, k) => chip(l, (rows.first + k) * TAG_ROW_PX))}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
