import type { RankedShape } from "./shape-map.js";
import type { HistoryEffect, Shape, ShapeId } from "./types.js";

/**
 * One undo entry: what a single gesture changed, as a diff rather than a snapshot (tldraw, CVAT), so an
 * entry for one moved box stays tiny in a scene of 12,000 shapes.
 */
export interface DocDiff {
  readonly added: readonly RankedShape[];
  readonly updated: readonly (readonly [before: Shape, after: Shape])[];
  readonly removed: readonly RankedShape[];
  readonly tags?: readonly [before: readonly number[], after: readonly number[]];
  /** A change outside the document made with this entry (applied after it, reverted with it). */
  readonly effect?: HistoryEffect;
}

export const invertEffect = (e: HistoryEffect): HistoryEffect => ({
  label: e.label,
  apply: () => e.revert(),
  revert: () => e.apply(),
});

export const invertDiff = (d: DocDiff): DocDiff => ({
  added: d.removed,
  removed: d.added,
  updated: d.updated.map(([before, after]) => [after, before] as const),
  ...(d.tags ? { tags: [d.tags[1], d.tags[0]] as const } : {}),
  ...(d.effect ? { effect: invertEffect(d.effect) } : {}),
});

/** No change of the document (an entry may still carry an effect). */
export const isEmptyDocDiff = (d: DocDiff): boolean =>
  d.added.length === 0 && d.updated.length === 0 && d.removed.length === 0 && !d.tags;

export const isEmptyDiff = (d: DocDiff): boolean => isEmptyDocDiff(d) && !d.effect;

/** Ids a diff touches that still exist once it is applied: the selection after undo/redo. */
export const survivingIds = (d: DocDiff): ShapeId[] => [
  ...d.added.map((e) => e.shape.id),
  ...d.updated.map(([, after]) => after.id),
];

export const touchedIds = (d: DocDiff): ShapeId[] => [
  ...survivingIds(d),
  ...d.removed.map((e) => e.shape.id),
];

export class History {
  private undoStack: DocDiff[] = [];
  private redoStack: DocDiff[] = [];

  constructor(private readonly limit = 1000) {}

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  get undoCount(): number {
    return this.undoStack.length;
  }

  get redoCount(): number {
    return this.redoStack.length;
  }

  record(d: DocDiff): void {
    if (isEmptyDiff(d)) return;
    this.undoStack.push(d);
    if (this.undoStack.length > this.limit) this.undoStack.shift();
    this.redoStack = [];
  }

  /** The diff that undoes the last entry (to apply), or null. */
  popUndo(): DocDiff | null {
    const d = this.undoStack.pop();
    if (!d) return null;
    this.redoStack.push(d);
    return invertDiff(d);
  }

  popRedo(): DocDiff | null {
    const d = this.redoStack.pop();
    if (!d) return null;
    this.undoStack.push(d);
    return d;
  }

  clear(): void {
    this.undoStack = [];
    this.redoStack = [];
  }
}
