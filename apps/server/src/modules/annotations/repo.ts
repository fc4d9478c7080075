import type { Annotation, AnnotationSet, Geometry } from "@labelbench/schema";
import type { Db } from "../../db/database.js";
import { imageChangesRepo } from "../images/image-changes-repo.js";
import type { StoredRow } from "./set-json.js";

/** What set-json reads, plus the shape's place in the set. */
type AnnotationRow = StoredRow & { position: number };

export interface StoredAnnotation {
  uid: string;
  /** Index in the image's list when read back; ignored when writing (the array order decides). */
  position?: number;
  labelId: number;
  geometryJson: string;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
}

const toAnnotation = (r: AnnotationRow): Annotation => ({
  id: r.uid,
  labelId: r.label_id,
  geometry: JSON.parse(r.geometry) as Geometry,
  createdBy: r.created_by,
  updatedBy: r.updated_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toStored = (r: AnnotationRow): StoredAnnotation => ({
  uid: r.uid,
  position: r.position,
  labelId: r.label_id,
  geometryJson: r.geometry,
  createdBy: r.created_by,
  updatedBy: r.updated_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const annotationRepo = (db: Db) => {
  const rows = db.prepare(
    "SELECT uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at FROM annotations WHERE image_id = ? ORDER BY position",
  );
  const tags = db.prepare(
    "SELECT t.label_id FROM image_tags t JOIN labels l ON l.id = t.label_id WHERE t.image_id = ? ORDER BY l.position, l.id",
  );
  const deleteOne = db.prepare("DELETE FROM annotations WHERE image_id = ? AND uid = ?");
  const updateOne = db.prepare(
    "UPDATE annotations SET label_id = ?, geometry = ?, position = ?, updated_by = ?, updated_at = ? WHERE image_id = ? AND uid = ?",
  );
  const deleteTags = db.prepare("DELETE FROM image_tags WHERE image_id = ?");
  const insert = db.prepare(
    `INSERT INTO annotations (image_id, uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertTag = db.prepare("INSERT INTO image_tags (image_id, label_id) VALUES (?, ?)");
  const changes = imageChangesRepo(db);
  /** Callers check the image exists first (requireImage), so a revision is always there. */
  const revisionOf = (imageId: number): number => changes.revision(imageId) ?? 0;
  // The image row's count is kept exact by every write, so a patch never counts the image's shapes.
  const countOf = db.prepare("SELECT annotation_count FROM images WHERE id = ?");
  const oneRow = db.prepare(
    "SELECT uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at FROM annotations WHERE image_id = ? AND uid = ?",
  );
  // Walks the (image_id, position) index from its end: one step, whatever the image's shape count.
  const lastPosition = db.prepare(
    "SELECT position FROM annotations WHERE image_id = ? ORDER BY position DESC LIMIT 1",
  );
  const tagCount = db.prepare("SELECT COUNT(*) AS n FROM image_tags WHERE image_id = ?");
  const positionOf = db.prepare("SELECT position FROM annotations WHERE image_id = ? AND uid = ?").pluck();
  const makeRoomAt = db.prepare(
    "UPDATE annotations SET position = position + 1 WHERE image_id = ? AND position >= ?",
  );

  const insertRow = (imageId: number, a: StoredAnnotation, position: number) =>
    insert.run(
      imageId,
      a.uid,
      a.labelId,
      a.geometryJson,
      position,
      a.createdBy,
      a.updatedBy,
      a.createdAt,
      a.updatedAt,
    );
  const updateRow = (imageId: number, a: StoredAnnotation, position: number) =>
    updateOne.run(a.labelId, a.geometryJson, position, a.updatedBy, a.updatedAt, imageId, a.uid);
  const changed = (old: StoredAnnotation, a: StoredAnnotation, position: number) =>
    old.labelId !== a.labelId || old.geometryJson !== a.geometryJson || old.position !== position;
  const replaceTags = (imageId: number, tagIds: readonly number[]) => {
    deleteTags.run(imageId);
    for (const t of tagIds) insertTag.run(imageId, t);
  };
  /** New revision, count, time, and 'new' becomes 'in_progress' once the image holds anything. */
  const finish = (imageId: number, count: number, tagTotal: number, now: string) =>
    changes.saved(imageId, count, tagTotal, now);

  return {
    revision: revisionOf,
    get: (imageId: number): AnnotationSet => ({
      imageId,
      revision: revisionOf(imageId),
      annotations: (rows.all(imageId) as AnnotationRow[]).map(toAnnotation),
      tags: (tags.all(imageId) as { label_id: number }[]).map((t) => t.label_id),
    }),
    /** The rows as stored (geometry as JSON text), for replies spliced without parsing (set-json.ts). */
    raw: (imageId: number) => ({
      revision: revisionOf(imageId),
      rows: rows.all(imageId) as AnnotationRow[],
      tags: (tags.all(imageId) as { label_id: number }[]).map((t) => t.label_id),
    }),
    /** Tag label ids in label-set order. */
    tags: (imageId: number): number[] => (tags.all(imageId) as { label_id: number }[]).map((t) => t.label_id),
    stored: (imageId: number): Map<string, StoredAnnotation> =>
      new Map((rows.all(imageId) as AnnotationRow[]).map((r) => [r.uid, toStored(r)])),
    /**
     * Makes the stored set equal to `items` (in that order), touching only rows that changed: an
     * autosave of a dense image usually moves one shape, so this is one UPDATE, not 2,000 writes.
     * Callers run it inside a transaction with the revision check.
     */
    replace: (
      imageId: number,
      before: ReadonlyMap<string, StoredAnnotation>,
      items: StoredAnnotation[],
      tagIds: number[],
      now: string,
    ) => {
      const keep = new Set(items.map((a) => a.uid));
      for (const uid of before.keys()) if (!keep.has(uid)) deleteOne.run(imageId, uid);
      items.forEach((a, i) => {
        const old = before.get(a.uid);
        if (!old) insertRow(imageId, a, i);
        else if (changed(old, a, i)) updateRow(imageId, a, i);
      });
      replaceTags(imageId, tagIds);
      finish(imageId, items.length, tagIds.length, now);
    },

    /** Whether the image has a stored shape with this uid. */
    has: (imageId: number, uid: string): boolean => positionOf.get(imageId, uid) !== undefined,

    /** The stored rows of these uids only (missing ones are absent from the map). */
    storedOf: (imageId: number, uids: Iterable<string>): Map<string, StoredAnnotation> => {
      const out = new Map<string, StoredAnnotation>();
      for (const uid of uids) {
        const r = oneRow.get(imageId, uid) as AnnotationRow | undefined;
        if (r) out.set(uid, toStored(r));
      }
      return out;
    },

    /**
     * Applies a patch: deletes, then updates in place (positions kept), then inserts: on top, or
     * just below the stored shape `placeBefore` names (an undone delete returns to its place; the
     * shapes above it move up one). `before` holds the stored rows of every upserted and deleted uid.
     * Callers run it inside a transaction with the revision check. Returns the new shape count.
     */
    patch: (
      imageId: number,
      before: ReadonlyMap<string, StoredAnnotation>,
      upsert: readonly StoredAnnotation[],
      deletes: readonly string[],
      tagIds: readonly number[] | undefined,
      now: string,
      placeBefore: ReadonlyMap<string, string> = new Map(),
    ): number => {
      const { annotation_count: count } = countOf.get(imageId) as { annotation_count: number };
      for (const uid of deletes) deleteOne.run(imageId, uid);
      let next = ((lastPosition.get(imageId) as { position: number } | undefined)?.position ?? -1) + 1;
      let inserted = 0;
      for (const a of upsert) {
        const old = before.get(a.uid);
        const target = old ? undefined : placeBefore.get(a.uid);
        const at = target === undefined ? undefined : (positionOf.get(imageId, target) as number | undefined);
        if (!old && at !== undefined) {
          makeRoomAt.run(imageId, at);
          insertRow(imageId, a, at);
          next++;
          inserted++;
        } else if (!old) {
          insertRow(imageId, a, next++);
          inserted++;
        } else if (old.position !== undefined && changed(old, a, old.position)) {
          updateRow(imageId, a, old.position);
        }
      }
      if (tagIds) replaceTags(imageId, tagIds);
      const total = count + inserted - deletes.length;
      finish(imageId, total, tagIds ? tagIds.length : (tagCount.get(imageId) as { n: number }).n, now);
      return total;
    },
  };
};
