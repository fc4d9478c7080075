/**
 * Layout arithmetic for the virtualized thumbnail grid: which rows exist, which are on screen, and
 * where keyboard navigation goes. Only the rows in view (plus a margin) are ever in the DOM, so the
 * cost of the grid does not depend on how many images the project holds.
 */

export interface GridSpec {
  /** Smallest tile width; columns are as many as fit, tiles stretch to fill the row. */
  minTileWidth: number;
  gap: number;
  /** Height of the caption under the thumbnail. */
  captionHeight: number;
  /** Thumbnail height as a fraction of its width. */
  aspect: number;
}

export interface GridMetrics {
  columns: number;
  tileWidth: number;
  tileHeight: number;
  /** Tile height plus the gap below it. */
  rowHeight: number;
  rows: number;
  totalHeight: number;
}

export const gridMetrics = (width: number, count: number, spec: GridSpec): GridMetrics => {
  const usable = Math.max(0, width);
  const columns = Math.max(1, Math.floor((usable + spec.gap) / (spec.minTileWidth + spec.gap)));
  const tileWidth = Math.max(1, (usable - spec.gap * (columns - 1)) / columns);
  const tileHeight = Math.round(tileWidth * spec.aspect + spec.captionHeight);
  const rowHeight = tileHeight + spec.gap;
  const rows = Math.ceil(Math.max(0, count) / columns);
  return {
    columns,
    tileWidth,
    tileHeight,
    rowHeight,
    rows,
    totalHeight: Math.max(0, rows * rowHeight - spec.gap),
  };
};

/** Rows to render for a viewport, with `overscan` rows above and below so fast scrolling shows no gaps. */
export const visibleRows = (
  scrollTop: number,
  viewportHeight: number,
  m: Pick<GridMetrics, "rowHeight" | "rows">,
  overscan = 2,
): { first: number; last: number } => {
  if (m.rows === 0 || m.rowHeight <= 0) return { first: 0, last: -1 };
  const first = Math.max(0, Math.floor(scrollTop / m.rowHeight) - overscan);
  const lastInView = Math.floor((scrollTop + Math.max(1, viewportHeight) - 1) / m.rowHeight);
  const last = Math.min(m.rows - 1, lastInView + overscan);
  return { first, last: Math.max(first - 1, last) };
};

export type GridKey =
  | "ArrowLeft"
  | "ArrowRight"
  | "ArrowUp"
  | "ArrowDown"
  | "Home"
  | "End"
  | "PageUp"
  | "PageDown";

/** Where focus moves from `index` on a key; stays put at the edges. `pageRows` rows per PageUp/Down. */
export const moveFocus = (
  index: number,
  key: GridKey,
  columns: number,
  count: number,
  pageRows = 1,
): number => {
  if (count <= 0) return 0;
  const clamp = (i: number) => Math.max(0, Math.min(count - 1, i));
  switch (key) {
    case "ArrowLeft":
      return clamp(index - 1);
    case "ArrowRight":
      return clamp(index + 1);
    case "ArrowUp":
      return index - columns >= 0 ? index - columns : index;
    case "ArrowDown":
      return index + columns < count ? index + columns : index;
    case "PageUp":
      return clamp(index - columns * Math.max(1, pageRows));
    case "PageDown":
      return clamp(index + columns * Math.max(1, pageRows));
    case "Home":
      return 0;
    case "End":
      return count - 1;
  }
};

/** The scrollTop that brings a row fully into view, or null when it already is. */
export const scrollToReveal = (
  row: number,
  scrollTop: number,
  viewportHeight: number,
  m: Pick<GridMetrics, "rowHeight" | "tileHeight">,
): number | null => {
  const top = row * m.rowHeight;
  const bottom = top + m.tileHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return null;
};
