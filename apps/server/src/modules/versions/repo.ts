import { assignSplits } from "@labelbench/formats";
import type { DatasetVersion, VersionLabel } from "@labelbench/schema";
import { type Selectable, sql } from "kysely";
import type { Dialect } from "../../db/connect.js";
import type { Executor } from "../../db/executor.js";
import type { Database } from "../../db/schema.js";

/**
 * Dataset versions' SQL (issue 17, migration 0018). A freeze copies the live rows with
 * `INSERT … SELECT` inside the database (100k images / 1M shapes in seconds, nothing row by row in
 * JS); the copies keep the live ids and the columns an export reads, so an export of the version
 * runs the same plan and encoders over the same values in the same order (exports/repo.ts).
 */

type VersionRow = Selectable<Database["dataset_versions"]>;

/** Ids per statement when the frozen split is written: well under either dialect's parameter limit. */
const SPLIT_UPDATE_BATCH = 500;

const toVersion = (
  r: VersionRow,
  labels: readonly Selectable<Database["version_labels"]>[],
): DatasetVersion => ({
  number: r.number,
  note: r.note,
  split: r.split,
  seed: r.seed,
  createdBy: r.created_by,
  createdAt: r.created_at,
  counts: {
    images: r.image_count,
    shapes: r.shape_count,
    perLabel: labels.map(
      (l): VersionLabel => ({ labelId: l.label_id, name: l.name, color: l.color, shapes: l.shape_count }),
    ),
  },
});

export interface FreezeInput {
  projectId: number;
  note: string;
  split: { train: number; val: number; test: number } | undefined;
  seed: string | undefined;
  createdBy: string | null;
  createdAt: string;
}

/** Thrown inside a freeze when a file it references is being deleted: the freeze runs again. */
export class FileBeingDeleted extends Error {}

export const versionsRepo = (db: Executor, dialect: Dialect) => {
  const labelsOf = (versionIds: readonly number[]) =>
    versionIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom("version_labels")
          .selectAll()
          .where("version_id", "in", versionIds)
          .orderBy("version_id")
          .orderBy("position")
          .orderBy("label_id")
          .execute();

  const withLabels = async (rows: VersionRow[]): Promise<DatasetVersion[]> => {
    const labels = await labelsOf(rows.map((r) => r.id));
    return rows.map((r) =>
      toVersion(
        r,
        labels.filter((l) => l.version_id === r.id),
      ),
    );
  };

  return {
    /** The version's row (its internal id for the export and the diff), or undefined. */
    row: (projectId: number, number: number): Promise<VersionRow | undefined> =>
      db
        .selectFrom("dataset_versions")
        .selectAll()
        .where("project_id", "=", projectId)
        .where("number", "=", number)
        .where("deleted_at", "is", null)
        .executeTakeFirst(),

    list: async (projectId: number): Promise<DatasetVersion[]> =>
      withLabels(
        await db
          .selectFrom("dataset_versions")
          .selectAll()
          .where("project_id", "=", projectId)
          .where("deleted_at", "is", null)
          .orderBy("number", "desc")
          .execute(),
      ),

    toVersion: async (row: VersionRow): Promise<DatasetVersion> => toVersion(row, await labelsOf([row.id])),

    setNote: async (id: number, note: string): Promise<void> => {
      await db.updateTable("dataset_versions").set({ note }).where("id", "=", id).execute();
    },

    /**
     * Deletes the version's rows, in the caller's transaction; its numbered row stays, marked
     * deleted, so the number is never given again. Answers the shas it referenced.
     */
    delete: async (id: number, at: string): Promise<string[]> => {
      const shas = await db
        .selectFrom("version_images")
        .select("sha256")
        .distinct()
        .where("version_id", "=", id)
        .execute();
      for (const table of [
        "version_annotations",
        "version_image_tags",
        "version_images",
        "version_labels",
      ] as const)
        await db.deleteFrom(table).where("version_id", "=", id).execute();
      await db
        .updateTable("dataset_versions")
        .set({ deleted_at: at, image_count: 0, shape_count: 0 })
        .where("id", "=", id)
        .execute();
      return shas.map((s) => s.sha256);
    },

    /**
     * Copies the project's labels, images, tags and annotations into the next version, inside the
     * caller's transaction (on PostgreSQL REPEATABLE READ: every statement reads one snapshot).
     * Then holds the stored files of its images under the reference rule: the `stored_files` row
     * of each sha is written (its lock, in sha order as every deletion takes them), so a deletion
     * deciding about that sha waits for this transaction and then sees the version's reference; a
     * sha already marked for deletion means an image was deleted under the freeze, which then runs
     * again (`FileBeingDeleted`).
     */
    freeze: async (input: FreezeInput): Promise<VersionRow> => {
      const { projectId } = input;
      const last = await db
        .selectFrom("dataset_versions")
        .select((eb) => eb.fn.max("number").as("n"))
        .where("project_id", "=", projectId)
        .executeTakeFirst();
      const number = Number(last?.n ?? 0) + 1;
      const { id } = await db
        .insertInto("dataset_versions")
        .values({
          project_id: projectId,
          number,
          note: input.note,
          split: input.split ? `${input.split.train},${input.split.val},${input.split.test}` : null,
          seed: input.split ? (input.seed ?? "labelbench") : null,
          created_by: input.createdBy,
          created_at: input.createdAt,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const v = sql.lit(id);

      await db
        .insertInto("version_labels")
        .columns(["version_id", "label_id", "name", "color", "position", "attributes", "scope"])
        .expression(
          db
            .selectFrom("labels")
            .select([v.as("version_id"), "id", "name", "color", "position", "attributes", "scope"])
            .where("project_id", "=", projectId),
        )
        .execute();
      await db
        .insertInto("version_images")
        .columns([
          "version_id",
          "image_id",
          "sha256",
          "file_name",
          "width",
          "height",
          "channels",
          "format",
          "byte_size",
          "annotation_count",
          "status",
          "review_state",
          "revision",
          "decided_revision",
        ])
        .expression(
          db
            .selectFrom("images")
            .select([
              v.as("version_id"),
              "id",
              "sha256",
              "file_name",
              "width",
              "height",
              "channels",
              "format",
              "byte_size",
              "annotation_count",
              "status",
              "review_state",
              "revision",
              "decided_revision",
            ])
            .where("project_id", "=", projectId),
        )
        .execute();
      await db
        .insertInto("version_image_tags")
        .columns(["version_id", "image_id", "label_id"])
        .expression(
          db
            .selectFrom("image_tags as t")
            .innerJoin("images as i", "i.id", "t.image_id")
            .select([v.as("version_id"), "t.image_id", "t.label_id"])
            .where("i.project_id", "=", projectId),
        )
        .execute();
      await db
        .insertInto("version_annotations")
        .columns(["version_id", "id", "image_id", "uid", "label_id", "geometry", "position", "attributes"])
        .expression(
          db
            .selectFrom("annotations as a")
            .innerJoin("images as i", "i.id", "a.image_id")
            .select([
              v.as("version_id"),
              "a.id",
              "a.image_id",
              "a.uid",
              "a.label_id",
              "a.geometry",
              "a.position",
              "a.attributes",
            ])
            .where("i.project_id", "=", projectId)
            // SQLite: in the clustered key's order (walking the annotations' (image_id, position)
            // index, no sort), so each row lands at the end of the B-tree, not in its middle.
            .$if(dialect === "sqlite", (q) => q.orderBy("a.image_id").orderBy("a.position").orderBy("a.id")),
        )
        .execute();

      // Counts, per label by one grouped pass over the version's shapes.
      const perLabel = await db
        .selectFrom("version_annotations")
        .select(["label_id", (eb) => eb.fn.countAll<number>().as("n")])
        .where("version_id", "=", id)
        .groupBy("label_id")
        .execute();
      let shapes = 0;
      for (const { label_id, n } of perLabel) {
        shapes += Number(n);
        await db
          .updateTable("version_labels")
          .set({ shape_count: Number(n) })
          .where("version_id", "=", id)
          .where("label_id", "=", label_id)
          .execute();
      }
      const images = await db
        .selectFrom("version_images")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("version_id", "=", id)
        .executeTakeFirstOrThrow();
      await db
        .updateTable("dataset_versions")
        .set({ image_count: Number(images.n), shape_count: shapes })
        .where("id", "=", id)
        .execute();

      if (input.split) await freezeSplit(db, id, input.split, input.seed ?? "labelbench");
      await holdFiles(db, dialect, id);
      return db.selectFrom("dataset_versions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    },
  };
};

/**
 * Each image's split, assigned as an export assigns it (seeded hash of its content over the whole
 * version) and kept: every export of the version, whatever its status filter, puts an image in the
 * same split. Only the val and test ids are written (train is the column's value for the rest).
 */
const freezeSplit = async (
  db: Executor,
  versionId: number,
  ratios: { train: number; val: number; test: number },
  seed: string,
) => {
  const rows = await db
    .selectFrom("version_images")
    .select(["image_id as id", "sha256"])
    .where("version_id", "=", versionId)
    .execute();
  const splits = assignSplits(rows, ratios, seed);
  await db
    .updateTable("version_images")
    .set({ split: "train" })
    .where("version_id", "=", versionId)
    .execute();
  for (const name of ["val", "test"] as const) {
    const ids = rows.filter((r) => splits.get(r.id) === name).map((r) => r.id);
    for (let i = 0; i < ids.length; i += SPLIT_UPDATE_BATCH)
      await db
        .updateTable("version_images")
        .set({ split: name })
        .where("version_id", "=", versionId)
        .where("image_id", "in", ids.slice(i, i + SPLIT_UPDATE_BATCH))
        .execute();
  }
};

/** The reference rule's side of a freeze (see `freeze`). */
const holdFiles = async (db: Executor, dialect: Dialect, versionId: number) => {
  // The no-op update takes each sha's row lock (PostgreSQL); `WHERE true` lets SQLite parse the
  // upsert after a SELECT.
  await sql`INSERT INTO stored_files (sha256)
    SELECT DISTINCT sha256 FROM version_images WHERE version_id = ${versionId} AND true ORDER BY sha256
    ON CONFLICT (sha256) DO UPDATE SET sha256 = excluded.sha256`.execute(db);
  const deleting = await db
    .selectFrom("stored_files as s")
    .select("s.sha256")
    .where("s.deleting_by", "is not", null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("version_images as vi")
          .select("vi.image_id")
          .where("vi.version_id", "=", versionId)
          .whereRef("vi.sha256", "=", "s.sha256"),
      ),
    )
    .limit(1)
    .execute();
  if (deleting.length > 0)
    throw new FileBeingDeleted(`${dialect}: the file ${deleting[0]?.sha256} is being deleted under a freeze`);
};
