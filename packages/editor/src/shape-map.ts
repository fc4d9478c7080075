import type { Shape, ShapeId } from "./types.js";

/** A shape with its z-rank: iteration order is ascending rank, so undoing a delete restores the list position. */
export interface RankedShape {
  readonly shape: Shape;
  readonly rank: number;
}

export interface ShapeMapChange {
  /** Inserted or replaced; a replaced shape keeps the given rank. */
  readonly put?: readonly RankedShape[];
  readonly remove?: readonly ShapeId[];
}

const EMPTY_BASE: ReadonlyMap<ShapeId, RankedShape> = new Map();

/**
 * A persistent (immutable) ordered map of shapes. Each version shares a frozen `base` map with its
 * predecessors and carries only a small `overlay` of changes, so a commit costs O(changes) instead of a
 * full O(n) Map copy; when the overlay grows past a bound it is folded into a fresh base (amortised).
 * Implements ReadonlyMap so the store can expose it directly.
 */
export class ShapeMap implements ReadonlyMap<ShapeId, Shape> {
  static readonly empty = new ShapeMap(EMPTY_BASE, new Map(), [], 0, 0);

  private constructor(
    private readonly base: ReadonlyMap<ShapeId, RankedShape>,
    /** id -> entry, or null when the id is deleted from base. */
    private readonly overlay: ReadonlyMap<ShapeId, RankedShape | null>,
    /** Overlay ids that are not in base, sorted by rank (merged into base order when iterating). */
    private readonly extra: readonly ShapeId[],
    readonly size: number,
    /** Highest rank ever used by this lineage; new shapes go on top. */
    readonly maxRank: number,
  ) {}

  static from(shapes: Iterable<Shape>): ShapeMap {
    const base = new Map<ShapeId, RankedShape>();
    let rank = 0;
    for (const shape of shapes) base.set(shape.id, { shape, rank: ++rank });
    return new ShapeMap(base, new Map(), [], base.size, rank);
  }

  private entry(id: ShapeId): RankedShape | undefined {
    const o = this.overlay.get(id);
    if (o !== undefined) return o ?? undefined;
    return this.base.get(id);
  }

  get(id: ShapeId): Shape | undefined {
    return this.entry(id)?.shape;
  }

  has(id: ShapeId): boolean {
    return this.entry(id) !== undefined;
  }

  rankOf(id: ShapeId): number | undefined {
    return this.entry(id)?.rank;
  }

  ranked(id: ShapeId): RankedShape | undefined {
    return this.entry(id);
  }

  /**
   * Ids whose shape differs between `older` and this version (added, removed or replaced), found from
   * the two change overlays alone when both versions share a base: O(changes), not O(n). Null when they
   * do not (another lineage, or a fold in between): the caller then compares everything.
   */
  changedSince(older: ReadonlyMap<ShapeId, Shape>): ShapeId[] | null {
    if (!(older instanceof ShapeMap) || older.base !== this.base) return null;
    const ids = new Set<ShapeId>(this.overlay.keys());
    for (const id of older.overlay.keys()) ids.add(id);
    return [...ids].filter((id) => older.get(id) !== this.get(id));
  }

  /** Returns a new version; `this` is unchanged. */
  apply(change: ShapeMapChange): ShapeMap {
    const overlay = new Map(this.overlay);
    let size = this.size;
    let maxRank = this.maxRank;
    for (const id of change.remove ?? []) {
      if (!this.hasIn(overlay, id)) continue;
      size--;
      if (this.base.has(id)) overlay.set(id, null);
      else overlay.delete(id);
    }
    for (const entry of change.put ?? []) {
      if (!this.hasIn(overlay, entry.shape.id)) size++;
      overlay.set(entry.shape.id, entry);
      if (entry.rank > maxRank) maxRank = entry.rank;
    }
    // Folding when the overlay outgrows ~sqrt(n) keeps both iteration and per-commit copies cheap.
    if (overlay.size > Math.max(64, Math.sqrt(this.base.size) * 4)) {
      return ShapeMap.fold(this.base, overlay, maxRank);
    }
    const extra = [...overlay]
      .filter(([id, e]) => e !== null && !this.base.has(id))
      .sort((a, b) => (a[1]?.rank ?? 0) - (b[1]?.rank ?? 0))
      .map(([id]) => id);
    return new ShapeMap(this.base, overlay, extra, size, maxRank);
  }

  private hasIn(overlay: ReadonlyMap<ShapeId, RankedShape | null>, id: ShapeId): boolean {
    const o = overlay.get(id);
    if (o !== undefined) return o !== null;
    return this.base.has(id);
  }

  private static fold(
    base: ReadonlyMap<ShapeId, RankedShape>,
    overlay: ReadonlyMap<ShapeId, RankedShape | null>,
    maxRank: number,
  ): ShapeMap {
    const all: RankedShape[] = [];
    for (const [id, e] of base) {
      const o = overlay.get(id);
      if (o === undefined) all.push(e);
      else if (o !== null) all.push(o);
    }
    for (const [id, o] of overlay) if (o !== null && !base.has(id)) all.push(o);
    all.sort((a, b) => a.rank - b.rank);
    const next = new Map<ShapeId, RankedShape>();
    for (const e of all) next.set(e.shape.id, e);
    return new ShapeMap(next, new Map(), [], next.size, maxRank);
  }

  /** Entries in rank order: base order (ranks ascending, since base is always built sorted) merged with extras. */
  *rankedEntries(): Generator<RankedShape, undefined, unknown> {
    let i = 0;
    const extra = this.extra;
    for (const [id, e] of this.base) {
      const o = this.overlay.get(id);
      const cur = o === undefined ? e : o;
      if (cur === null) continue;
      while (i < extra.length) {
        const x = this.overlay.get(extra[i] as ShapeId);
        if (!x || x.rank >= cur.rank) break;
        yield x;
        i++;
      }
      yield cur;
    }
    for (; i < extra.length; i++) {
      const x = this.overlay.get(extra[i] as ShapeId);
      if (x) yield x;
    }
    return undefined;
  }

  *entries(): MapIterator<[ShapeId, Shape]> {
    for (const e of this.rankedEntries()) yield [e.shape.id, e.shape];
    return undefined;
  }

  *keys(): MapIterator<ShapeId> {
    for (const e of this.rankedEntries()) yield e.shape.id;
    return undefined;
  }

  *values(): MapIterator<Shape> {
    for (const e of this.rankedEntries()) yield e.shape;
    return undefined;
  }

  [Symbol.iterator](): MapIterator<[ShapeId, Shape]> {
    return this.entries();
  }

  forEach(
    fn: (value: Shape, key: ShapeId, map: ReadonlyMap<ShapeId, Shape>) => void,
    thisArg?: unknown,
  ): void {
    for (const e of this.rankedEntries()) fn.call(thisArg, e.shape, e.shape.id, this);
  }
}
