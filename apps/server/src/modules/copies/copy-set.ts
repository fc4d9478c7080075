import type { Annotation, AttributeValues, FieldIssue, Geometry } from "@labelbench/schema";
import type { ValidatedAnnotation } from "../annotations/validate.js";

/**
 * A private copy's annotation set as its row stores it (issue 16): the shapes as the annotation rows
 * hold them, one JSON array, in drawing order. These pure steps give a copy the same PUT and PATCH
 * meaning as the image's own set (annotations/service.ts): unchanged shapes keep their authors and
 * times, a patch's new shape goes on top or just below the stored shape it names.
 */
export interface CopyShape {
  uid: string;
  labelId: number;
  geometry: Geometry;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
  /** Absent when the shape has none (copies stored before attributes existed too). */
  attributes?: AttributeValues;
}

export const toAnnotation = (s: CopyShape): Annotation => ({
  id: s.uid,
  labelId: s.labelId,
  geometry: s.geometry,
  createdBy: s.createdBy,
  updatedBy: s.updatedBy,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
  ...(s.attributes ? { attributes: s.attributes } : {}),
});

const sameGeometry = (a: Geometry, b: Geometry) => JSON.stringify(a) === JSON.stringify(b);

/** The stored shape for a checked one: the old one itself when nothing changed. */
const written = (
  uid: string,
  a: ValidatedAnnotation,
  old: CopyShape | undefined,
  actor: string | null,
  now: string,
): CopyShape => {
  if (
    old &&
    old.labelId === a.labelId &&
    sameGeometry(old.geometry, a.geometry) &&
    JSON.stringify(old.attributes ?? null) === JSON.stringify(a.attributes ?? null)
  )
    return old;
  return {
    uid,
    labelId: a.labelId,
    geometry: a.geometry,
    ...(a.attributes ? { attributes: a.attributes } : {}),
    createdBy: old ? old.createdBy : actor,
    createdAt: old ? old.createdAt : now,
    updatedBy: actor,
    updatedAt: now,
  };
};

/** A PUT: the set becomes `items`, in that order. */
export const replaceShapes = (
  before: readonly CopyShape[],
  items: readonly ValidatedAnnotation[],
  newUid: () => string,
  actor: string | null,
  now: string,
): CopyShape[] => {
  const old = new Map(before.map((s) => [s.uid, s]));
  return items.map((a) => {
    const uid = a.id ?? newUid();
    return written(uid, a, old.get(uid), actor, now);
  });
};

export interface CopyPatch {
  upsert: readonly (ValidatedAnnotation & { id: string })[];
  /** The `before` of each upserted shape, by index in `upsert` (new shapes only look at it). */
  before: readonly (string | undefined)[];
  delete: readonly string[];
}

export type PatchOutcome =
  | { ok: true; shapes: CopyShape[]; upserted: CopyShape[]; placed: { id: string; before: string }[] }
  | { ok: false; issues: FieldIssue[] };

/**
 * A PATCH, with the image set's rules: deleting a shape the set lacks, or placing a new shape below
 * one that is not kept, is refused with the field's path (nothing changes).
 */
export const patchShapes = (
  imageId: number,
  before: readonly CopyShape[],
  patch: CopyPatch,
  actor: string | null,
  now: string,
): PatchOutcome => {
  const stored = new Map(before.map((s) => [s.uid, s]));
  const deleting = new Set(patch.delete);
  const issues: FieldIssue[] = patch.delete.flatMap((uid, i) =>
    stored.has(uid)
      ? []
      : [{ path: `delete.${i}`, message: `image ${imageId} has no annotation "${uid}" to delete` }],
  );
  let shapes = before.filter((s) => !deleting.has(s.uid));
  const placed: { id: string; before: string }[] = [];
  const upserted: CopyShape[] = [];
  patch.upsert.forEach((a, i) => {
    const old = stored.get(a.id);
    const shape = written(a.id, a, old, actor, now);
    upserted.push(shape);
    if (old) {
      shapes = shapes.map((s) => (s.uid === a.id ? shape : s));
      return;
    }
    const target = patch.before[i];
    if (target === undefined) {
      shapes.push(shape);
      return;
    }
    const at = stored.has(target) && !deleting.has(target) ? shapes.findIndex((s) => s.uid === target) : -1;
    if (at < 0) {
      issues.push({
        path: `upsert.${i}.before`,
        message: `image ${imageId} keeps no annotation "${target}" to place "${a.id}" before`,
      });
      return;
    }
    shapes.splice(at, 0, shape);
    placed.push({ id: a.id, before: target });
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, shapes, upserted, placed };
};
