import { geometryEquals } from "@labelbench/geometry";
import {
  type Annotation,
  type AnnotationPatchResult,
  type AnnotationSet,
  type Api,
  sameAttributeValues,
} from "@labelbench/schema";
import type { z } from "zod";

/**
 * Diffs between an image's saved content and the editor's, so an autosave sends what changed rather
 * than the whole set (12,000 shapes are ~3 MB of JSON; one dragged box is ~100 bytes).
 *
 * A diff is always taken between two whole states (what the server acknowledged, what the editor
 * shows now), never accumulated edit by edit: several edits of one shape coalesce into one upsert, and
 * a shape created then deleted between two saves does not appear at all, by construction.
 */

/** A shape as the editor holds and saves it: the stored annotation without its authors and times. */
export type SnapshotShape = Pick<Annotation, "id" | "labelId" | "geometry" | "predictionId" | "attributes">;

/**
 * The shape's saved fields, without the rest (authors, times): `predictionId` only when it has one,
 * its attributes only when it has some (as the server sends them).
 */
export const snapshotShape = (a: SnapshotShape): SnapshotShape => ({
  id: a.id,
  labelId: a.labelId,
  geometry: a.geometry,
  ...(a.predictionId === undefined ? {} : { predictionId: a.predictionId }),
  ...(a.attributes && Object.keys(a.attributes).length > 0 ? { attributes: a.attributes } : {}),
});

/** An image's whole content as the editor holds it. */
export type Snapshot = Pick<AnnotationSet, "tags"> & { annotations: SnapshotShape[] };

/** The patch endpoint's body as the contract takes it (before defaults are applied). */
export type PatchRequest = z.input<Api["patchAnnotations"]["body"]>;

/**
 * An upserted shape. A new one that is not on top names the stored shape it goes just below
 * (`before`), so an undone delete returns to its place in drawing order on the server too.
 */
export type UpsertShape = SnapshotShape & Pick<NonNullable<PatchRequest["upsert"]>[number], "before">;

export interface ShapeDiff {
  /** New or changed shapes, in document order. */
  upsert: UpsertShape[];
  /** Ids of shapes removed. */
  delete: string[];
  /** The new tags, or null when they did not change. */
  tags: number[] | null;
}

/** What an image still has to send: a diff on its base revision, or a whole set (full PUT). */
export type PendingChange = { kind: "diff"; diff: ShapeDiff } | { kind: "full"; snapshot: Snapshot };

/** Content indexed by id, in the server's order (a Map keeps insertion order; new ids go last). */
export interface Content {
  shapes: Map<string, SnapshotShape>;
  tags: number[];
}

export const contentOf = (s: { annotations: readonly SnapshotShape[]; tags: readonly number[] }): Content => {
  const shapes = new Map<string, SnapshotShape>();
  for (const a of s.annotations) shapes.set(a.id, snapshotShape(a));
  return { shapes, tags: [...s.tags] };
};

export const snapshotOfContent = (c: Content): Snapshot => ({
  annotations: [...c.shapes.values()],
  tags: [...c.tags],
});

export const snapshotOf = (set: Pick<AnnotationSet, "annotations" | "tags">): Snapshot => ({
  annotations: set.annotations.map(snapshotShape),
  tags: [...set.tags],
});

const sameShape = (a: SnapshotShape, b: SnapshotShape) =>
  a === b ||
  (a.labelId === b.labelId &&
    a.predictionId === b.predictionId &&
    geometryEquals(a.geometry, b.geometry) &&
    sameAttributeValues(a.attributes, b.attributes));

/** Tags compare as sets: the server keeps them in label order, without repeats. */
export const sameTags = (a: readonly number[], b: readonly number[]): boolean => {
  const x = [...new Set(a)].sort((p, q) => p - q);
  const y = [...new Set(b)].sort((p, q) => p - q);
  return x.length === y.length && x.every((t, i) => t === y[i]);
};

/**
 * What turns `base` into `next`. O(shapes) with a reference check first: the editor's document keeps
 * unchanged shapes (and their geometry) as the same objects, so a one-shape edit of a dense image
 * compares pointers, not coordinates.
 */
export const diffContent = (base: Content, next: Snapshot): ShapeDiff => {
  const upsert: UpsertShape[] = [];
  let kept = 0;
  // Walked from the top down: `above` is the nearest shape over this one that the server keeps.
  let above: string | undefined;
  for (let i = next.annotations.length - 1; i >= 0; i--) {
    const s = next.annotations[i] as SnapshotShape;
    const old = base.shapes.get(s.id);
    if (!old) upsert.push(above === undefined ? s : { ...s, before: above });
    else {
      kept++;
      above = s.id;
      if (!sameShape(old, s)) upsert.push(s);
    }
  }
  upsert.reverse();
  const del: string[] = [];
  // Every id of `next` is unique, so when all base shapes were seen none was deleted: skip the id set.
  if (kept < base.shapes.size) {
    const ids = new Set(next.annotations.map((s) => s.id));
    for (const id of base.shapes.keys()) if (!ids.has(id)) del.push(id);
  }
  return { upsert, delete: del, tags: sameTags(base.tags, next.tags) ? null : [...next.tags] };
};

export const isEmptyDiff = (d: ShapeDiff): boolean =>
  d.upsert.length === 0 && d.delete.length === 0 && d.tags === null;

/**
 * Applies a diff in place, the way the server does: upserts keep their place, new shapes go on top
 * or just below the shape they name.
 */
export const applyDiffInPlace = (c: Content, d: ShapeDiff): void => {
  for (const id of d.delete) c.shapes.delete(id);
  for (const u of d.upsert) {
    // The editor's own object when it can (the next diff then compares pointers).
    const s: SnapshotShape = u.before === undefined ? u : snapshotShape(u);
    if (u.before === undefined || c.shapes.has(s.id) || !c.shapes.has(u.before)) c.shapes.set(s.id, s);
    else c.shapes = placedBefore(c.shapes, s, u.before);
  }
  if (d.tags !== null) c.tags = [...d.tags];
};

/** `shapes` with `s` just below `before` (a Map keeps insertion order: rebuilt, as this is rare). */
const placedBefore = (
  shapes: Map<string, SnapshotShape>,
  s: SnapshotShape,
  before: string,
): Map<string, SnapshotShape> => {
  const out = new Map<string, SnapshotShape>();
  for (const [id, v] of shapes) {
    if (id === before) out.set(s.id, s);
    out.set(id, v);
  }
  return out;
};

/** The content a pending change leads to from `base` (deletes of ids `base` lacks are no-ops). */
export const applyChange = (base: Snapshot, change: PendingChange): Snapshot => {
  if (change.kind === "full") return change.snapshot;
  const c = contentOf(base);
  applyDiffInPlace(c, change.diff);
  return snapshotOfContent(c);
};

/** Whether `set` already holds everything the diff says (a save whose reply was lost). */
export const diffApplied = (
  set: { annotations: readonly SnapshotShape[]; tags: readonly number[] },
  d: ShapeDiff,
): boolean => {
  const byId = new Map<string, SnapshotShape>();
  for (const a of set.annotations) byId.set(a.id, a);
  return (
    d.upsert.every((s) => {
      const have = byId.get(s.id);
      return have !== undefined && sameShape(have, s);
    }) &&
    d.delete.every((id) => !byId.has(id)) &&
    (d.tags === null || sameTags(set.tags, d.tags))
  );
};

/**
 * The set after a patch acknowledged on `baseRevision`, built from the set at that revision and the
 * small reply; null when `set` is at another revision (it cannot be patched correctly).
 */
export const applyPatchResult = (
  set: AnnotationSet,
  baseRevision: number,
  result: AnnotationPatchResult,
): AnnotationSet | null => {
  if (set.imageId !== result.imageId || set.revision !== baseRevision) return null;
  const upserted = new Map(result.upserted.map((a) => [a.id, a]));
  const deleted = new Set(result.deleted);
  const annotations: AnnotationSet["annotations"] = [];
  for (const a of set.annotations) {
    if (deleted.has(a.id)) continue;
    const u = upserted.get(a.id);
    if (u) upserted.delete(a.id);
    annotations.push(u ?? a);
  }
  for (const a of upserted.values()) annotations.push(a);
  // New shapes placed below a stored one move there from the top, in the order the server placed them.
  for (const { id, before } of result.placed) {
    const from = annotations.findIndex((a) => a.id === id);
    const moved = annotations[from];
    if (from < 0 || !moved) return null;
    annotations.splice(from, 1);
    const to = annotations.findIndex((a) => a.id === before);
    if (to < 0) return null;
    annotations.splice(to, 0, moved);
  }
  if (annotations.length !== result.annotationCount) return null;
  return { imageId: set.imageId, revision: result.revision, annotations, tags: result.tags };
};
