import type { ImageStatus } from "@labelbench/schema";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../../db/schema.js";
import { type ExportLabelRow, type ExportReview, IMAGE_COLUMNS, reviewCondition } from "./repo.js";

/**
 * The export's reads on PostgreSQL, run by the export's reader (export-pg-reader.ts) inside its
 * one REPEATABLE READ, read-only transaction: every query sees the same snapshot. Images, tags and
 * annotations come through server-side cursors (DECLARE … CURSOR / FETCH), so the reader holds
 * one batch of rows at a time, never the project's.
 */

type Executor = Kysely<Database> | Transaction<Database>;

/** A batch of annotation rows as columns (cheap to hand between threads). */
export interface ShapeColumns {
  imageIds: number[];
  ids: number[];
  labelIds: number[];
  geometries: string[];
  attributes: (string | null)[];
}

export const pgExportRepo = (
  db: Executor,
  projectId: number,
  statuses: readonly ImageStatus[],
  review: ExportReview = "any",
) => ({
  labels: (): Promise<ExportLabelRow[]> =>
    db
      .selectFrom("labels")
      .select(["id", "name", "attributes", "scope"])
      .where("project_id", "=", projectId)
      .orderBy("position")
      .orderBy("id")
      .execute(),

  /**
   * A cursor over the image tags of the export's images (`imageId`, `labelId`), read in batches
   * (`fetchRows`) so no thread holds a project's worth of rows as objects at once.
   */
  declareTags: async (cursor: string): Promise<void> => {
    const query = db
      .selectFrom("image_tags as t")
      .innerJoin("images as i", "i.id", "t.image_id")
      .select(["t.image_id as imageId", "t.label_id as labelId"])
      .where("i.project_id", "=", projectId)
      .where("i.status", "in", statuses)
      .where(sql<boolean>`${sql.raw(reviewCondition(review, "i"))}`);
    await sql`DECLARE ${sql.id(cursor)} NO SCROLL CURSOR FOR ${query}`.execute(db);
  },

  /** A cursor over the export's image rows (`ImageRow`), in id order, read in batches (`fetchRows`). */
  declareImages: async (cursor: string): Promise<void> => {
    const query = db
      .selectFrom("images")
      .select(IMAGE_COLUMNS)
      .where("project_id", "=", projectId)
      .where("status", "in", statuses)
      .where(sql<boolean>`${sql.raw(reviewCondition(review, "images"))}`)
      .orderBy("id");
    await sql`DECLARE ${sql.id(cursor)} NO SCROLL CURSOR FOR ${query}`.execute(db);
  },

  /** The next `rows` rows of a cursor declared by `declareTags` or `declareImages`, as they come. */
  fetchRows: async (cursor: string, rows: number): Promise<unknown[]> =>
    (await sql`FETCH ${sql.raw(String(Math.trunc(rows)))} FROM ${sql.id(cursor)}`.execute(db)).rows,

  /**
   * Opens a cursor over the shapes of `imageIds`, in image id order, each image's in drawing order
   * (position), ties broken by the annotation's id: a total order both dialects give alike. The
   * btree on (image_id, position) serves `= ANY(…)` in index order, so nothing is sorted.
   */
  declareShapes: async (cursor: string, imageIds: readonly number[]): Promise<void> => {
    const query = db
      .selectFrom("annotations")
      .select(["image_id", "id", "label_id", "geometry", "attributes"])
      .where("image_id", "=", sql<number>`any(${sql.val(imageIds)}::bigint[])`)
      .orderBy("image_id")
      .orderBy("position")
      .orderBy("id");
    await sql`DECLARE ${sql.id(cursor)} NO SCROLL CURSOR FOR ${query}`.execute(db);
  },

  fetchShapes: async (cursor: string, rows: number): Promise<ShapeColumns> => {
    const r = await sql<{
      image_id: number;
      id: number;
      label_id: number;
      geometry: string;
      attributes: string | null;
    }>`FETCH ${sql.raw(String(Math.trunc(rows)))} FROM ${sql.id(cursor)}`.execute(db);
    const out: ShapeColumns = { imageIds: [], ids: [], labelIds: [], geometries: [], attributes: [] };
    for (const row of r.rows) {
      out.imageIds.push(row.image_id);
      out.ids.push(row.id);
      out.labelIds.push(row.label_id);
      out.geometries.push(row.geometry);
      out.attributes.push(row.attributes);
    }
    return out;
  },

  closeCursor: async (cursor: string): Promise<void> => {
    await sql`CLOSE ${sql.id(cursor)}`.execute(db);
  },

  uid: async (id: number): Promise<string> => {
    const row = await db.selectFrom("annotations").select("uid").where("id", "=", id).executeTakeFirst();
    return String(row?.uid);
  },
});

/**
 * The same reads over a dataset version's frozen rows (issue 17): the live ids, columns and order
 * the live reads give, so the plan and the encoders make the same bytes every time.
 */
export const pgVersionExportRepo = (
  db: Executor,
  versionId: number,
  statuses: readonly ImageStatus[],
  review: ExportReview = "any",
): ReturnType<typeof pgExportRepo> => {
  const live = pgExportRepo(db, 0, statuses, review);
  return {
    ...live,
    labels: () =>
      db
        .selectFrom("version_labels")
        .select(["label_id as id", "name", "attributes", "scope"])
        .where("version_id", "=", versionId)
        .orderBy("position")
        .orderBy("label_id")
        .execute(),

    declareTags: async (cursor: string): Promise<void> => {
      const query = db
        .selectFrom("version_image_tags as t")
        .innerJoin("version_images as i", (j) =>
          j.onRef("i.version_id", "=", "t.version_id").onRef("i.image_id", "=", "t.image_id"),
        )
        .select(["t.image_id as imageId", "t.label_id as labelId"])
        .where("i.version_id", "=", versionId)
        .where("i.status", "in", statuses)
        .where(sql<boolean>`${sql.raw(reviewCondition(review, "i"))}`);
      await sql`DECLARE ${sql.id(cursor)} NO SCROLL CURSOR FOR ${query}`.execute(db);
    },

    declareImages: async (cursor: string): Promise<void> => {
      const query = db
        .selectFrom("version_images as i")
        .select([
          "i.image_id as id",
          "i.file_name",
          "i.width",
          "i.height",
          "i.channels",
          "i.sha256",
          "i.format",
          "i.byte_size",
          "i.annotation_count",
          "i.split",
        ])
        .where("i.version_id", "=", versionId)
        .where("i.status", "in", statuses)
        .where(sql<boolean>`${sql.raw(reviewCondition(review, "i"))}`)
        .orderBy("i.image_id");
      await sql`DECLARE ${sql.id(cursor)} NO SCROLL CURSOR FOR ${query}`.execute(db);
    },

    declareShapes: async (cursor: string, imageIds: readonly number[]): Promise<void> => {
      const query = db
        .selectFrom("version_annotations")
        .select(["image_id", "id", "label_id", "geometry", "attributes"])
        .where("version_id", "=", versionId)
        .where("image_id", "=", sql<number>`any(${sql.val(imageIds)}::bigint[])`)
        .orderBy("image_id")
        .orderBy("position")
        .orderBy("id");
      await sql`DECLARE ${sql.id(cursor)} NO SCROLL CURSOR FOR ${query}`.execute(db);
    },

    uid: async (id: number): Promise<string> => {
      const row = await db
        .selectFrom("version_annotations")
        .select("uid")
        .where("version_id", "=", versionId)
        .where("id", "=", id)
        .executeTakeFirst();
      return String(row?.uid);
    },
  };
};
