import { boundsIntersect } from "./rect.js";
import type { Bounds } from "./types.js";

/**
 * A uniform-grid spatial index: O(1) inserts/removes and queries proportional to the cells touched.
 * Chosen over an R-tree because shapes on one image are of similar size and the index is rebuilt
 * incrementally on every edit; a grid keeps both cheap and has no balancing to get wrong.
 */
export class GridIndex<K> {
  private readonly cells = new Map<number, Set<K>>();
  private readonly items = new Map<K, { bounds: Bounds; cells: number[] }>();

  constructor(private readonly cellSize: number) {
    if (!(cellSize > 0)) throw new RangeError("cellSize must be positive");
  }

  get size(): number {
    return this.items.size;
  }

  private cellKeys(b: Bounds): number[] {
    const keys: number[] = [];
    const x0 = Math.floor(b.minX / this.cellSize);
    const x1 = Math.floor(b.maxX / this.cellSize);
    const y0 = Math.floor(b.minY / this.cellSize);
    const y1 = Math.floor(b.maxY / this.cellSize);
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) keys.push(cx * 1_000_003 + cy);
    }
    return keys;
  }

  insert(key: K, bounds: Bounds): void {
    // Non-finite bounds would make cellKeys loop without end (or index nothing, for NaN).
    if (![bounds.minX, bounds.minY, bounds.maxX, bounds.maxY].every(Number.isFinite))
      throw new RangeError(
        `GridIndex bounds must be finite, got [${bounds.minX}, ${bounds.minY}, ${bounds.maxX}, ${bounds.maxY}]`,
      );
    this.remove(key);
    const cells = this.cellKeys(bounds);
    for (const c of cells) {
      let set = this.cells.get(c);
      if (!set) {
        set = new Set();
        this.cells.set(c, set);
      }
      set.add(key);
    }
    this.items.set(key, { bounds, cells });
  }

  remove(key: K): void {
    const item = this.items.get(key);
    if (!item) return;
    for (const c of item.cells) {
      const set = this.cells.get(c);
      set?.delete(key);
      if (set && set.size === 0) this.cells.delete(c);
    }
    this.items.delete(key);
  }

  clear(): void {
    this.cells.clear();
    this.items.clear();
  }

  bounds(key: K): Bounds | undefined {
    return this.items.get(key)?.bounds;
  }

  /** Keys whose bounds intersect the query bounds. */
  search(query: Bounds): K[] {
    const seen = new Set<K>();
    const out: K[] = [];
    const x0 = Math.floor(query.minX / this.cellSize);
    const x1 = Math.floor(query.maxX / this.cellSize);
    const y0 = Math.floor(query.minY / this.cellSize);
    const y1 = Math.floor(query.maxY / this.cellSize);
    // A huge query (whole scene in view) touches more cells than there are items: scan items.
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > this.items.size) {
      for (const [k, it] of this.items) if (boundsIntersect(it.bounds, query)) out.push(k);
      return out;
    }
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const set = this.cells.get(cx * 1_000_003 + cy);
        if (!set) continue;
        for (const k of set) {
          if (seen.has(k)) continue;
          seen.add(k);
          const it = this.items.get(k);
          if (it && boundsIntersect(it.bounds, query)) out.push(k);
        }
      }
    }
    return out;
  }
}
