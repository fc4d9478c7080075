import { type RawBuilder, sql } from "kysely";
import type { Executor } from "../../db/executor.js";

/**
 * The reads of a diff between two sides, each a dataset version's frozen rows or the live project
 * (issue 17). Shapes are matched by their annotation id (uid) within their image; images by their
 * id and content (an SQLite id freed by a deletion may be given again, never with the same sha256
 * in one project). The comparison runs in the database: the grouped result holds a row per image,
 * label and kind of change, never the shapes.
 */

export type DiffSide = { kind: "version"; versionId: number } | { kind: "live"; projectId: number };

/** A side's shapes as a table expression: image_id, uid, label_id, geometry, attributes. */
const shapesOf = (s: DiffSide): RawBuilder<unknown> =>
  s.kind === "version"
    ? sql`(SELECT image_id, uid, label_id, geometry, attributes FROM version_annotations WHERE version_id = ${s.versionId})`
    : sql`(SELECT a.image_id, a.uid, a.label_id, a.geometry, a.attributes FROM annotations a
           JOIN images i ON i.id = a.image_id WHERE i.project_id = ${s.projectId})`;

/** Whether side `s` has the shape `x` (alias) names: a correlated EXISTS walking its unique index. */
const hasShape = (s: DiffSide, x: string): RawBuilder<unknown> =>
  s.kind === "version"
    ? sql`EXISTS (SELECT 1 FROM version_annotations m WHERE m.version_id = ${s.versionId}
           AND m.image_id = ${sql.ref(`${x}.image_id`)} AND m.uid = ${sql.ref(`${x}.uid`)})`
    : sql`EXISTS (SELECT 1 FROM annotations m JOIN images mi ON mi.id = m.image_id
           WHERE mi.project_id = ${s.projectId} AND m.image_id = ${sql.ref(`${x}.image_id`)} AND m.uid = ${sql.ref(`${x}.uid`)})`;

const tagsOf = (s: DiffSide): RawBuilder<unknown> =>
  s.kind === "version"
    ? sql`(SELECT image_id, label_id FROM version_image_tags WHERE version_id = ${s.versionId})`
    : sql`(SELECT t.image_id, t.label_id FROM image_tags t JOIN images i ON i.id = t.image_id
           WHERE i.project_id = ${s.projectId})`;

const hasTag = (s: DiffSide, x: string): RawBuilder<unknown> =>
  s.kind === "version"
    ? sql`EXISTS (SELECT 1 FROM version_image_tags m WHERE m.version_id = ${s.versionId}
           AND m.image_id = ${sql.ref(`${x}.image_id`)} AND m.label_id = ${sql.ref(`${x}.label_id`)})`
    : sql`EXISTS (SELECT 1 FROM image_tags m WHERE m.image_id = ${sql.ref(`${x}.image_id`)}
           AND m.label_id = ${sql.ref(`${x}.label_id`)})`;

export interface ShapeChangeRow {
  imageId: number;
  labelId: number;
  kind: "added" | "removed" | "changed";
  n: number;
  relabeled: number;
  /** Of the changed shapes, those whose attribute values changed. */
  attributesChanged: number;
}

export interface SideImage {
  id: number;
  sha256: string;
  fileName: string;
}

export interface SideLabel {
  id: number;
  name: string;
  color: string;
}

export const diffRepo = (db: Executor) => ({
  /**
   * Shape changes from `a` to `b`, grouped by image, label (b's; a's for removed) and kind. A shape
   * is changed when its label, geometry or attribute values differ; the values are compared as the
   * stored JSON, the rule a save uses to decide whether a shape changed (annotations/service.ts), a
   * shape without values (NULL) being unlike any with values.
   */
  shapeChanges: async (a: DiffSide, b: DiffSide): Promise<ShapeChangeRow[]> => {
    const r = await sql<{
      image_id: number;
      label_id: number;
      kind: string;
      n: number;
      relabeled: number;
      attrs: number;
    }>`
      SELECT image_id, label_id, kind, COUNT(*) AS n, SUM(relabeled) AS relabeled, SUM(attrs) AS attrs FROM (
        SELECT x.image_id, x.label_id, 'added' AS kind, 0 AS relabeled, 0 AS attrs FROM ${shapesOf(b)} x
          WHERE NOT ${hasShape(a, "x")}
        UNION ALL
        SELECT x.image_id, x.label_id, 'removed' AS kind, 0 AS relabeled, 0 AS attrs FROM ${shapesOf(a)} x
          WHERE NOT ${hasShape(b, "x")}
        UNION ALL
        SELECT y.image_id, y.label_id, 'changed' AS kind,
            CASE WHEN x.label_id <> y.label_id THEN 1 ELSE 0 END AS relabeled,
            CASE WHEN COALESCE(x.attributes, '') <> COALESCE(y.attributes, '') THEN 1 ELSE 0 END AS attrs
          FROM ${shapesOf(a)} x JOIN ${shapesOf(b)} y ON y.image_id = x.image_id AND y.uid = x.uid
          WHERE x.label_id <> y.label_id OR x.geometry <> y.geometry
            OR COALESCE(x.attributes, '') <> COALESCE(y.attributes, '')
      ) c GROUP BY image_id, label_id, kind`.execute(db);
    return r.rows.map((row) => ({
      imageId: Number(row.image_id),
      labelId: Number(row.label_id),
      kind: row.kind as ShapeChangeRow["kind"],
      n: Number(row.n),
      relabeled: Number(row.relabeled),
      attributesChanged: Number(row.attrs),
    }));
  },

  /** Images whose tags differ between the sides (either way). */
  tagChanges: async (a: DiffSide, b: DiffSide): Promise<Set<number>> => {
    const r = await sql<{ image_id: number }>`
      SELECT x.image_id FROM ${tagsOf(b)} x WHERE NOT ${hasTag(a, "x")}
      UNION
      SELECT x.image_id FROM ${tagsOf(a)} x WHERE NOT ${hasTag(b, "x")}`.execute(db);
    return new Set(r.rows.map((row) => Number(row.image_id)));
  },

  images: async (s: DiffSide): Promise<SideImage[]> =>
    s.kind === "version"
      ? db
          .selectFrom("version_images")
          .select(["image_id as id", "sha256", "file_name as fileName"])
          .where("version_id", "=", s.versionId)
          .orderBy("image_id")
          .execute()
      : db
          .selectFrom("images")
          .select(["id", "sha256", "file_name as fileName"])
          .where("project_id", "=", s.projectId)
          .orderBy("id")
          .execute(),

  labels: async (s: DiffSide): Promise<SideLabel[]> =>
    s.kind === "version"
      ? db
          .selectFrom("version_labels")
          .select(["label_id as id", "name", "color"])
          .where("version_id", "=", s.versionId)
          .orderBy("position")
          .orderBy("label_id")
          .execute()
      : db
          .selectFrom("labels")
          .select(["id", "name", "color"])
          .where("project_id", "=", s.projectId)
          .orderBy("position")
          .orderBy("id")
          .execute(),

  /** Which of `ids` (with their content) are in the live project now. */
  liveImages: async (projectId: number, images: readonly SideImage[]): Promise<Set<number>> => {
    if (images.length === 0) return new Set();
    const rows = await db
      .selectFrom("images")
      .select(["id", "sha256"])
      .where("project_id", "=", projectId)
      .where(
        "id",
        "in",
        images.map((i) => i.id),
      )
      .execute();
    const sha = new Map(images.map((i) => [i.id, i.sha256]));
    return new Set(rows.filter((r) => sha.get(r.id) === r.sha256).map((r) => r.id));
  },
});
