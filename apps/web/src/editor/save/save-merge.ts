import { geometryEquals } from "@labelbench/geometry";
import { sameAttributeValues } from "@labelbench/schema";
import {
  applyDiffInPlace,
  type Content,
  contentOf,
  diffContent,
  type ShapeDiff,
  type Snapshot,
  type SnapshotShape,
  snapshotOfContent,
} from "./save-diff";

/**
 * The three-way merge behind a revision conflict: my edits and someone else's save both started from
 * the same acknowledged set (`base`). Edits of different shapes never conflict; a shape changed on
 * both sides (and not to the same thing) is a conflict the user settles shape by shape. Tags merge
 * tag by tag: a tag one side turned on or off stays that way.
 *
 * The merged set is `theirs` with my changes applied the way the server applies a patch (new shapes go
 * on top or just below the shape they were drawn over), so it is exactly what saving my diff on their
 * revision produces.
 */

export type MergeSide = "mine" | "theirs";

/** A shape changed differently on both sides; null means that side deleted it (or, for base, it was new). */
export interface ShapeConflict {
  id: string;
  base: SnapshotShape | null;
  mine: SnapshotShape | null;
  theirs: SnapshotShape | null;
}

export interface ChangeCounts {
  added: number;
  changed: number;
  deleted: number;
}

export interface ThreeWayMerge {
  /** The merged content; each conflict takes the side `choices` names (mine when it names none). */
  merged: Snapshot;
  conflicts: ShapeConflict[];
  /** Their changes merged in without a question (conflicts not counted). */
  theirs: ChangeCounts;
  /** My changes merged without a question (conflicts not counted). */
  mine: ChangeCounts;
}

const same = (a: SnapshotShape, b: SnapshotShape) =>
  a === b ||
  (a.labelId === b.labelId &&
    geometryEquals(a.geometry, b.geometry) &&
    sameAttributeValues(a.attributes, b.attributes));

const sameOrBoth = (a: SnapshotShape | undefined, b: SnapshotShape | undefined) =>
  a === undefined || b === undefined ? a === b : same(a, b);

/** Per tag: a side that changed it wins; both sides can only have changed it the same way. */
const mergeTags = (base: readonly number[], mine: readonly number[], theirs: readonly number[]): number[] => {
  const b = new Set(base);
  const m = new Set(mine);
  const t = new Set(theirs);
  const out: number[] = [];
  for (const tag of new Set([...theirs, ...mine, ...base])) {
    const keep = m.has(tag) !== b.has(tag) ? m.has(tag) : t.has(tag);
    if (keep) out.push(tag);
  }
  return out;
};

export const mergeThreeWay = (
  base: Content,
  mine: Snapshot,
  theirs: Snapshot,
  choices: ReadonlyMap<string, MergeSide> = new Map(),
): ThreeWayMerge => {
  const theirsById = new Map<string, SnapshotShape>();
  for (const s of theirs.annotations) theirsById.set(s.id, s);
  const mineDiff = diffContent(base, mine);
  const conflicts: ShapeConflict[] = [];
  const conflicted = new Set<string>();
  const mineCounts: ChangeCounts = { added: 0, changed: 0, deleted: 0 };
  /** Whether their save left the shape as it was in `base`. */
  const theyKept = (id: string) => sameOrBoth(base.shapes.get(id), theirsById.get(id));

  const upsert: ShapeDiff["upsert"] = [];
  for (const u of mineDiff.upsert) {
    const t = theirsById.get(u.id);
    if (!theyKept(u.id) && !(t && same(t, u))) {
      conflicts.push({ id: u.id, base: base.shapes.get(u.id) ?? null, mine: u, theirs: t ?? null });
      conflicted.add(u.id);
      if (choices.get(u.id) === "theirs") continue;
    } else if (base.shapes.has(u.id)) mineCounts.changed += 1;
    else mineCounts.added += 1;
    upsert.push(u);
  }
  const del: string[] = [];
  for (const id of mineDiff.delete) {
    const t = theirsById.get(id);
    if (t && !theyKept(id)) {
      conflicts.push({ id, base: base.shapes.get(id) ?? null, mine: null, theirs: t });
      conflicted.add(id);
      if (choices.get(id) === "theirs") continue;
    } else mineCounts.deleted += 1;
    del.push(id);
  }
  const tags = mineDiff.tags === null ? null : mergeTags(base.tags, mine.tags, theirs.tags);

  const theirsCounts: ChangeCounts = { added: 0, changed: 0, deleted: 0 };
  for (const t of theirs.annotations) {
    if (conflicted.has(t.id)) continue;
    const b = base.shapes.get(t.id);
    if (!b) theirsCounts.added += 1;
    else if (!same(b, t)) theirsCounts.changed += 1;
  }
  for (const id of base.shapes.keys())
    if (!theirsById.has(id) && !conflicted.has(id)) theirsCounts.deleted += 1;

  const merged = contentOf(theirs);
  applyDiffInPlace(merged, { upsert, delete: del, tags });
  return { merged: snapshotOfContent(merged), conflicts, theirs: theirsCounts, mine: mineCounts };
};

/**
 * What a stored change needs to be merged later: the base's version of every shape it touches (null
 * for shapes it adds) and the base's tags. A few shapes, where the whole base would be megabytes.
 */
export interface Ancestors {
  shapes: SnapshotShape[];
  tags: number[];
}

export const ancestorsOf = (base: Content, diff: ShapeDiff): Ancestors => {
  const shapes: SnapshotShape[] = [];
  for (const u of diff.upsert) {
    const b = base.shapes.get(u.id);
    if (b) shapes.push(b);
  }
  for (const id of diff.delete) {
    const b = base.shapes.get(id);
    if (b) shapes.push(b);
  }
  return { shapes, tags: [...base.tags] };
};

/**
 * The base a stored diff was made on, rebuilt from the server's newer set: the shapes the diff touches
 * as they were (from `ancestors`), every other shape as the server has it now — for the merge those are
 * the same, since only shapes I touched can conflict. Without ancestors (copies kept by older versions)
 * a touched shape's base is unknown: it counts as changed by them whenever they differ from mine, so
 * the user is asked rather than their save overwritten.
 */
export const rebuildBase = (theirs: Snapshot, diff: ShapeDiff, ancestors: Ancestors | null): Content => {
  const base = contentOf(theirs);
  const known = new Map((ancestors?.shapes ?? []).map((s) => [s.id, s]));
  const touched = [...diff.upsert.map((u) => u.id), ...diff.delete];
  for (const id of touched) {
    const was = known.get(id);
    if (was) base.shapes.set(id, was);
    else if (ancestors) base.shapes.delete(id);
    else if (base.shapes.has(id)) base.shapes.set(id, { id, labelId: -1, geometry: UNKNOWN_GEOMETRY });
  }
  base.tags = ancestors ? [...ancestors.tags] : [...theirs.tags];
  return base;
};

/** Matches no real shape: a base nobody knows. */
const UNKNOWN_GEOMETRY = { type: "box", x: -1, y: -1, width: 0, height: 0 } as const;
