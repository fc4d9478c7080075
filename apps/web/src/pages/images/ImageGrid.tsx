import type { GoldKind, Image, Label } from "@labelbench/schema";
import { type KeyboardEvent, memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { urlOf } from "../../api/client";
import { REVIEW_STATE_LABEL } from "../../review/review-text";
import { tileProgressText } from "../../tiles/image-tiles";
import { useLiveImage } from "../../tiles/use-live-image";
import { formatCount } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { StatusBadge } from "../../ui/parts";
import { GOLD_LABEL } from "./gold-action";
import {
  type GridKey,
  type GridSpec,
  gridMetrics,
  moveFocus,
  scrollToReveal,
  visibleRows,
} from "./grid-layout";
import type { FeedSnapshot, ImageFeed } from "./image-feed";
import "./gold.css";
import "./tile-progress.css";
import "./library-bulk.css";
import "../../review/review.css";

const SPEC: GridSpec = { minTileWidth: 184, gap: 16, captionHeight: 54, aspect: 0.72 };
/** Grid classification (issue 18): many small thumbnails, the name only. */
const DENSE_SPEC: GridSpec = { minTileWidth: 128, gap: 8, captionHeight: 24, aspect: 0.75 };
const OVERSCAN_ROWS = 3;
/** Tiles of big images still being cut are read again this often (only those rendered). */
const TILE_POLL_MS = 2000;
const GRID_KEYS = new Set<string>([
  "ArrowLeft",
  "ArrowRight",
  "ArrowUp",
  "ArrowDown",
  "Home",
  "End",
  "PageUp",
  "PageDown",
]);

/**
 * Selecting images to distribute them (managers): a checkbox on each tile; once anything is
 * selected, a click on a tile selects too (shift: the range from the last click) instead of opening it.
 */
export interface GridSelection {
  active: boolean;
  isSelected: (id: number) => boolean;
  onSelect: (index: number, id: number, shift: boolean) => void;
  /** Shift+arrow moved the focus from one index to another: select the range (issue 18). */
  onExtendTo?: (from: number, to: number) => void;
  /** Ctrl/Cmd+A. */
  onSelectAll?: () => void;
}

/**
 * The thumbnail grid. Only rows in view (plus a few) are in the DOM and re-rendered, and only when
 * the visible row range changes, not on every scroll event, so 100,000 images scroll like 100.
 * Keyboard: one tab stop; arrows, Home/End and PageUp/PageDown move focus; Enter opens the image.
 */
export function ImageGrid({
  feed,
  snap,
  hrefOf,
  label,
  selection,
  nameOf,
  showGold = false,
  dense = false,
  labels,
  onFocusIndex,
}: {
  feed: ImageFeed;
  snap: FeedSnapshot;
  hrefOf: (img: Image) => string;
  label: string;
  selection?: GridSelection | undefined;
  /** Names the assignee shown on each tile. */
  nameOf?: ((userId: number | null) => string | null) | undefined;
  /** Marks gold images (issue 16): for managers, who keep the references. */
  showGold?: boolean;
  /** Grid classification: small tiles, and a click always selects. */
  dense?: boolean;
  /** The project's labels, to show each image's tags on its tile. */
  labels?: ReadonlyMap<number, Pick<Label, "name" | "color">> | undefined;
  /** Told where the keyboard focus is (grid classification tags the focused image when none is selected). */
  onFocusIndex?: (index: number) => void;
}) {
  const scrollRef = useRef<HTMLElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [range, setRange] = useState({ first: 0, last: -1 });
  const [focusIndex, setFocusIndex] = useState(0);
  const pendingFocus = useRef<number | null>(null);
  const spec = dense ? DENSE_SPEC : SPEC;
  const m = gridMetrics(size.width, snap.length, spec);
  useEffect(() => onFocusIndex?.(focusIndex), [focusIndex, onFocusIndex]);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const measure = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `m` is rebuilt every render; only its row size and count matter here
  const updateRange = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const r = visibleRows(el.scrollTop, el.clientHeight, m, OVERSCAN_ROWS);
    setRange((prev) => (prev.first === r.first && prev.last === r.last ? prev : r));
  }, [m.rowHeight, m.rows]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new viewport height changes which rows are visible
  useLayoutEffect(() => updateRange(), [updateRange, size.height]);

  // Ask for what is shown plus one screen ahead, so scrolling on reveals loaded tiles.
  useEffect(() => {
    if (range.last < 0) {
      feed.ensure(0);
      return;
    }
    const rowsPerScreen = Math.ceil(size.height / Math.max(1, m.rowHeight));
    const last = Math.min(Math.max(0, snap.length - 1), (range.last + 1 + rowsPerScreen) * m.columns - 1);
    feed.ensure(range.first * m.columns, last);
  }, [feed, range.first, range.last, m.columns, m.rowHeight, size.height, snap.length]);

  useEffect(() => {
    if (focusIndex >= snap.length && snap.length > 0) setFocusIndex(snap.length - 1);
  }, [snap.length, focusIndex]);

  // After a keyboard move the target tile may only now have been rendered: focus it then.
  useEffect(() => {
    const i = pendingFocus.current;
    if (i === null) return;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${i}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      pendingFocus.current = null;
    }
  });

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "a" && selection?.onSelectAll) {
      e.preventDefault();
      selection.onSelectAll();
      return;
    }
    if (!GRID_KEYS.has(e.key) || e.altKey || e.ctrlKey || e.metaKey) return;
    const el = scrollRef.current;
    if (!el || snap.length === 0) return;
    e.preventDefault();
    const pageRows = Math.max(1, Math.floor(el.clientHeight / m.rowHeight));
    const next = moveFocus(focusIndex, e.key as GridKey, m.columns, snap.length, pageRows);
    if (e.shiftKey && selection?.onExtendTo) selection.onExtendTo(focusIndex, next);
    setFocusIndex(next);
    pendingFocus.current = next;
    const top = scrollToReveal(Math.floor(next / m.columns), el.scrollTop, el.clientHeight, m);
    if (top !== null) el.scrollTop = top;
  };

  const rows: number[] = [];
  for (let r = range.first; r <= range.last; r++) rows.push(r);
  const firstRendered = range.first * m.columns;
  const lastRendered = Math.min(snap.length - 1, (range.last + 1) * m.columns - 1);
  const tabStop = focusIndex >= firstRendered && focusIndex <= lastRendered ? focusIndex : firstRendered;

  return (
    <section
      ref={scrollRef}
      className={`grid-scroll${selection?.active || dense ? " is-selecting" : ""}${dense ? " is-dense" : ""}`}
      onScroll={updateRange}
      onKeyDown={onKeyDown}
      aria-label={label}
      aria-describedby="grid-keys-hint"
    >
      <p id="grid-keys-hint" className="visually-hidden">
        Use the arrow keys, Home, End, Page Up and Page Down to move between images; Enter opens one
        {selection
          ? "; Space or X selects it, Shift+Space or Shift+arrows select a range, Ctrl+A selects all, Escape clears"
          : ""}
        .
      </p>
      <div className="grid-canvas" style={{ height: m.totalHeight }}>
        {size.width > 0 &&
          rows.map((r) => (
            <div
              key={r}
              className="grid-row"
              style={{
                transform: `translateY(${r * m.rowHeight}px)`,
                gridTemplateColumns: `repeat(${m.columns}, minmax(0, 1fr))`,
                gap: spec.gap,
                height: m.tileHeight,
              }}
            >
              {Array.from({ length: m.columns }, (_, c) => {
                const i = r * m.columns + c;
                if (i >= snap.length) return null;
                const img = snap.at(i);
                return img ? (
                  <Tile
                    key={img.id}
                    image={img}
                    index={i}
                    href={hrefOf(img)}
                    tabbable={i === tabStop}
                    onFocus={setFocusIndex}
                    selectable={selection !== undefined}
                    selecting={(selection?.active ?? false) || dense}
                    labels={labels}
                    selected={selection?.isSelected(img.id) ?? false}
                    onSelect={selection?.onSelect}
                    gold={showGold ? (img.gold ?? null) : null}
                    assignee={
                      img.assigneeId != null ? (nameOf?.(img.assigneeId) ?? `user ${img.assigneeId}`) : null
                    }
                  />
                ) : (
                  <div key={`p${i}`} className="tile tile--placeholder" aria-hidden="true">
                    <div className="tile__thumb" />
                    <div className="tile__caption">
                      <span className="skeleton skeleton--line" />
                      <span className="skeleton skeleton--short" />
                    </div>
                  </div>
                );
              })}
            </div>
          ))}
      </div>
    </section>
  );
}

const Tile = memo(function Tile({
  image: listed,
  index,
  href,
  tabbable,
  onFocus,
  selectable,
  selecting,
  selected,
  onSelect,
  assignee,
  gold,
  labels,
}: {
  labels: ReadonlyMap<number, Pick<Label, "name" | "color">> | undefined;
  image: Image;
  index: number;
  href: string;
  tabbable: boolean;
  onFocus: (i: number) => void;
  selectable: boolean;
  selecting: boolean;
  selected: boolean;
  onSelect: GridSelection["onSelect"] | undefined;
  assignee: string | null;
  gold: GoldKind | null;
}) {
  const image = useLiveImage(listed, TILE_POLL_MS);
  const tiles = image.tiles;
  const review = image.reviewState && image.reviewState !== "none" ? image.reviewState : null;
  // The list carries the tags; a live re-read of a tile being cut does not.
  const tags = (listed.tags ?? []).flatMap((id) => {
    const l = labels?.get(id);
    return l ? [{ id, ...l }] : [];
  });
  return (
    <Link
      to={href}
      className={`tile${selected ? " is-selected" : ""}`}
      data-index={index}
      data-image-id={image.id}
      tabIndex={tabbable ? 0 : -1}
      onFocus={() => onFocus(index)}
      onClick={(e) => {
        if (!onSelect) return;
        // Ctrl/Cmd-click toggles one image, Shift-click selects the range, as in file managers.
        if (e.ctrlKey || e.metaKey) {
          e.preventDefault();
          onSelect(index, image.id, false);
          return;
        }
        if (!selecting && !e.shiftKey) return;
        e.preventDefault();
        onSelect(index, image.id, e.shiftKey);
      }}
      onKeyDown={(e) => {
        if ((e.key !== " " && e.key.toLowerCase() !== "x") || e.ctrlKey || e.metaKey || e.altKey || !onSelect)
          return;
        e.preventDefault();
        onSelect(index, image.id, e.shiftKey);
      }}
      aria-label={selectable && selected ? `${image.fileName}, selected` : undefined}
      title={`${image.fileName} · ${image.width}×${image.height}`}
    >
      <div className="tile__thumb">
        {selectable && (
          // The checkbox is the mouse's way in; the keyboard's is Space on the focused tile.
          <span
            className="tile__select"
            aria-hidden="true"
            data-testid="tile-select"
            onClick={(e) => {
              e.preventDefault();
              e.stopPropagation();
              onSelect?.(index, image.id, e.shiftKey);
            }}
          >
            {selected && <Icon name="check" size={14} />}
          </span>
        )}
        <img
          src={urlOf("imageThumbnail", { imageId: image.id })}
          alt=""
          loading="lazy"
          decoding="async"
          draggable={false}
        />
        <span className="tile__badge">
          <StatusBadge status={image.status} />
        </span>
        {tags.length > 0 && (
          <span className="tile__tags" data-testid="tile-tags">
            {tags.map((t) => (
              <span
                key={t.id}
                className="tile__tag"
                style={{ "--tag-color": t.color } as React.CSSProperties}
              >
                {t.name}
              </span>
            ))}
          </span>
        )}
        {gold && (
          <span
            className={`tile__gold tile__gold--${gold}`}
            data-testid="tile-gold"
            title={`Gold image (${GOLD_LABEL[gold].toLowerCase()}): its annotations are the reference; annotators label copies`}
          >
            <Icon name="star" size={12} /> {GOLD_LABEL[gold]}
          </span>
        )}
        {tiles.state === "pending" && (
          <span className="tile__tiling" data-testid="tile-progress">
            <span>Preparing tiles {tileProgressText(tiles.progress)}</span>
            <span
              className="tile__tiling-bar"
              role="progressbar"
              aria-label={`Tiles of ${image.fileName}`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.floor(tiles.progress * 100)}
            >
              <span style={{ width: tileProgressText(tiles.progress) }} />
            </span>
          </span>
        )}
        {tiles.state === "failed" && (
          <span className="tile__tiling tile__tiling--failed" data-testid="tile-failed">
            Tiles could not be built
          </span>
        )}
      </div>
      <div className="tile__caption">
        <TileName path={image.fileName} />
        <span className="tile__meta">
          <span className={`tile__count${image.annotationCount === 0 ? " is-zero" : ""}`}>
            {formatCount(image.annotationCount)} {image.annotationCount === 1 ? "annotation" : "annotations"}
          </span>
          {assignee !== null || review !== null ? (
            <span className="tile__work">
              {review && (
                <span className={`review-state review-state--${review}`}>{REVIEW_STATE_LABEL[review]}</span>
              )}
              {assignee !== null && (
                <span className="tile__assignee" title={`Assigned to ${assignee}`}>
                  {assignee}
                </span>
              )}
            </span>
          ) : (
            <span className="tile__dims">
              {image.width}×{image.height}
            </span>
          )}
        </span>
      </div>
    </Link>
  );
});

/** "cam_a/0001.jpg": the folder dimmed (and first to shrink), then the file's own name. */
function TileName({ path }: { path: string }) {
  const cut = path.lastIndexOf("/") + 1;
  return (
    <span className="tile__name">
      {cut > 0 && <span className="tile__folder">{path.slice(0, cut)}</span>}
      <span className="tile__file">{path.slice(cut)}</span>
    </span>
  );
}
