import type { Annotation, AnnotationSet, Geometry } from "@labelbench/schema";
import type { Db } from "../../db/database.js";

interface AnnotationRow {
  uid: string;
  position: number;
  label_id: number;
  geometry: string;
  created_by: string | null;
  updated_by: string | null;
  created_at: string;
  updated_at: string;
}

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

export const annotationRepo = (db: Db) => {
  const rows = db.prepare(
    "SELECT uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at FROM annotations WHERE image_id = ? ORDER BY position",
  );
  const tags = db.prepare(
    "SELECT t.label_id FROM image_tags t JOIN labels l ON l.id = t.label_id WHERE t.image_id = ? ORDER BY l.position, l.id",
  );
  const revision = db.prepare("SELECT revision FROM images WHERE id = ?");
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
  const bump = db.prepare(
    `UPDATE images SET revision = revision + 1, annotation_count = ?, updated_at = ?,
       status = CASE WHEN status = 'new' AND ? THEN 'in_progress' ELSE status END
     WHERE id = ?`,
  );
  return {
    revision: (imageId: number): number => (revision.get(imageId) as { revision: number }).revision,
    get: (imageId: number): AnnotationSet => ({
      imageId,
      revision: (revision.get(imageId) as { revision: number }).revision,
      annotations: (rows.all(imageId) as AnnotationRow[]).map(toAnnotation),
      tags: (tags.all(imageId) as { label_id: number }[]).map((t) => t.label_id),
    }),
    /** The rows as stored (geometry as JSON text), for replies spliced without parsing (set-json.ts). */
    raw: (imageId: number) => ({
      revision: (revision.get(imageId) as { revision: number }).revision,
      rows: rows.all(imageId) as AnnotationRow[],
      tags: (tags.all(imageId) as { label_id: number }[]).map((t) => t.label_id),
    }),
    /** Tag label ids in label-set order. */
    tags: (imageId: number): number[] => (tags.all(imageId) as { label_id: number }[]).map((t) => t.label_id),
    stored: (imageId: number): Map<string, StoredAnnotation> =>
      new Map(
        (rows.all(imageId) as AnnotationRow[]).map((r) => [
          r.uid,
          {
            uid: r.uid,
            position: r.position,
            labelId: r.label_id,
            geometryJson: r.geometry,
            createdBy: r.created_by,
            updatedBy: r.updated_by,
            createdAt: r.created_at,
            updatedAt: r.updated_at,
          },
        ]),
      ),
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
        if (!old) {
          insert.run(
            imageId,
            a.uid,
            a.labelId,
            a.geometryJson,
            i,
            a.createdBy,
            a.updatedBy,
            a.createdAt,
            a.updatedAt,
          );
        } else if (old.labelId !== a.labelId || old.geometryJson !== a.geometryJson || old.position !== i) {
          updateOne.run(a.labelId, a.geometryJson, i, a.updatedBy, a.updatedAt, imageId, a.uid);
        }
      });
      deleteTags.run(imageId);
      for (const t of tagIds) insertTag.run(imageId, t);
      bump.run(items.length, now, items.length + tagIds.length > 0 ? 1 : 0, imageId);
    },
  };
};
