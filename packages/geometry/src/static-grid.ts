import type { Bounds } from "./types.js";

/**
 * A uniform grid over a fixed list of bounds, built once for many queries (GridIndex is the one
 * that takes inserts and removes as an editor's shapes change). The cells are one typed array of
 * item indices (counting sort), and a query reports each item once without a set of seen items:
 * an item is reported only from the first cell where it and the query both lie. Matching 10,000
 * shapes against 10,000 makes 10,000 queries, for which GridIndex's per-query sets and per-cell
 * maps cost more than all the comparisons they find.
 */
export class StaticGridIndex {
  private readonly minX: number;
  private readonly minY: number;
  private readonly cellSize: number;
  private readonly columns: number;
  private readonly rows: number;
  /** Items of cell c at cellItems[cellStart[c] .. cellStart[c + 1]). */
  private readonly cellStart: Int32Array;
  private readonly cellItems: Int32Array;
  /** Each item's bounds (minX, minY, maxX, maxY) and its first cell column and row. */
  private readonly box: Float64Array;
  private readonly firstCell: Int32Array;

  /**
   * `cellSize`: about twice a typical item's size keeps most items in one to four cells; by
   * default twice the mean of the items' larger sides. The grid never has more than about four
   * cells per item (larger cells where the items are spread thin).
   */
  constructor(items: readonly Bounds[], cellSize?: number) {
    const n = items.length;
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    let sizeSum = 0;
    this.box = new Float64Array(4 * n);
    for (let i = 0; i < n; i++) {
      const b = items[i] as Bounds;
      if (![b.minX, b.minY, b.maxX, b.maxY].every(Number.isFinite))
        throw new RangeError(
          `StaticGridIndex bounds must be finite, got [${b.minX}, ${b.minY}, ${b.maxX}, ${b.maxY}] at ${i}`,
        );
      this.box[4 * i] = b.minX;
      this.box[4 * i + 1] = b.minY;
      this.box[4 * i + 2] = b.maxX;
      this.box[4 * i + 3] = b.maxY;
      if (b.minX < minX) minX = b.minX;
      if (b.minY < minY) minY = b.minY;
      if (b.maxX > maxX) maxX = b.maxX;
      if (b.maxY > maxY) maxY = b.maxY;
      sizeSum += Math.max(b.maxX - b.minX, b.maxY - b.minY);
    }
    if (cellSize !== undefined && !(cellSize > 0)) throw new RangeError("cellSize must be positive");
    if (n === 0) {
      minX = minY = maxX = maxY = 0;
    }
    const spanX = maxX - minX;
    const spanY = maxY - minY;
    let size = cellSize ?? (n > 0 && sizeSum > 0 ? (2 * sizeSum) / n : Math.max(spanX, spanY, 1));
    // At most ~4 cells per item: an image of tiny shapes far apart would otherwise be mostly empty cells.
    const minSize = Math.sqrt((spanX * spanY) / Math.max(1, 4 * n));
    if (size < minSize) size = minSize;
    if (!(size > 0)) size = 1;
    this.minX = minX;
    this.minY = minY;
    this.cellSize = size;
    this.columns = Math.floor(spanX / size) + 1;
    this.rows = Math.floor(spanY / size) + 1;
    const cells = this.columns * this.rows;
    this.firstCell = new Int32Array(2 * n);
    const counts = new Int32Array(cells + 1);
    for (let i = 0; i < n; i++) {
      const x0 = this.column(this.box[4 * i] as number);
      const y0 = this.row(this.box[4 * i + 1] as number);
      const x1 = this.column(this.box[4 * i + 2] as number);
      const y1 = this.row(this.box[4 * i + 3] as number);
      this.firstCell[2 * i] = x0;
      this.firstCell[2 * i + 1] = y0;
      for (let cy = y0; cy <= y1; cy++)
        for (let cx = x0; cx <= x1; cx++) (counts[cy * this.columns + cx + 1] as number)++;
    }
    for (let c = 0; c < cells; c++) (counts[c + 1] as number) += counts[c] as number;
    this.cellStart = counts;
    this.cellItems = new Int32Array(counts[cells] as number);
    const fill = counts.slice(0, cells);
    for (let i = 0; i < n; i++) {
      const x0 = this.firstCell[2 * i] as number;
      const y0 = this.firstCell[2 * i + 1] as number;
      const x1 = this.column(this.box[4 * i + 2] as number);
      const y1 = this.row(this.box[4 * i + 3] as number);
      for (let cy = y0; cy <= y1; cy++)
        for (let cx = x0; cx <= x1; cx++) this.cellItems[(fill[cy * this.columns + cx] as number)++] = i;
    }
  }

  private column(x: number): number {
    const c = Math.floor((x - this.minX) / this.cellSize);
    return c < 0 ? 0 : c >= this.columns ? this.columns - 1 : c;
  }

  private row(y: number): number {
    const r = Math.floor((y - this.minY) / this.cellSize);
    return r < 0 ? 0 : r >= this.rows ? this.rows - 1 : r;
  }

  /** Calls `visit` once with the index of every item whose bounds meet the query's (edges touching count). */
  forEachIntersecting(query: Bounds, visit: (index: number) => void): void {
    const { minX, minY, maxX, maxY } = query;
    if (this.cellItems.length === 0 || !(minX <= maxX && minY <= maxY)) return;
    const x0 = this.column(minX);
    const y0 = this.row(minY);
    const x1 = this.column(maxX);
    const y1 = this.row(maxY);
    const box = this.box;
    const first = this.firstCell;
    for (let cy = y0; cy <= y1; cy++) {
      for (let cx = x0; cx <= x1; cx++) {
        const c = cy * this.columns + cx;
        const end = this.cellStart[c + 1] as number;
        for (let k = this.cellStart[c] as number; k < end; k++) {
          const i = this.cellItems[k] as number;
          // Reported from the first cell the item and the query share, so once only.
          const fx = first[2 * i] as number;
          const fy = first[2 * i + 1] as number;
          if ((fx > x0 ? fx : x0) !== cx || (fy > y0 ? fy : y0) !== cy) continue;
          if (
            (box[4 * i] as number) <= maxX &&
            (box[4 * i + 2] as number) >= minX &&
            (box[4 * i + 1] as number) <= maxY &&
            (box[4 * i + 3] as number) >= minY
          )
            visit(i);
        }
      }
    }
  }

  /** Indices of the items whose bounds meet the query's, in no particular order. */
  search(query: Bounds): number[] {
    const out: number[] = [];
    this.forEachIntersecting(query, (i) => {
      out.push(i);
    });
    return out;
  }
}
