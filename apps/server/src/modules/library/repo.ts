import type { ImageStatus } from "@labelbench/schema";
import { sql } from "kysely";
import type { Dialect } from "../../db/connect.js";
import type { Executor } from "../../db/executor.js";
import { filterTerms, type ImageFilter } from "../images/repo.js";

/**
 * Ids per statement: SQLite allows 32,766 parameters, PostgreSQL 65,535; 5,000 leaves room for the
 * other parameters of a statement and keeps each statement's plan a short IN list.
 */
export const CHUNK = 5_000;

export const chunks = <T>(items: readonly T[], size = CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** What a bulk action needs to know of each selected image. */
export interface Target {
  id: number;
  sha256: string;
  file_name: string;
  status: ImageStatus;
  annotation_count: number;
  revision: number;
}

const TARGET_COLUMNS = ["id", "sha256", "file_name", "status", "annotation_count", "revision"] as const;

/** The images of a bulk action's selection, and the queries that change them in sets. */
export const libraryRepo = (db: Executor, dialect: Dialect) => ({
  /**
   * The project's images among `ids` (in the order given; unknown or other projects' ids left out).
   * `lock`: PostgreSQL holds the rows until the transaction ends, so a save in the editor waits.
   */
  byIds: async (projectId: number, ids: readonly number[], lock = false): Promise<Target[]> => {
    const found = new Map<number, Target>();
    for (const part of chunks([...new Set(ids)]))
      for (const r of await db
        .selectFrom("images")
        .select(TARGET_COLUMNS)
        .where("project_id", "=", projectId)
        .where("id", "in", part)
        .$if(lock && dialect === "postgres", (q) => q.forUpdate())
        .execute())
        found.set(r.id, r as Target);
    return ids.flatMap((id) => found.get(id) ?? []);
  },

  /** Every image the library's filter matches, in name order. */
  byFilter: async (projectId: number, f: ImageFilter, lock = false): Promise<Target[]> =>
    (await db
      .selectFrom("images")
      .select(TARGET_COLUMNS)
      .where((eb) => eb.and([eb("project_id", "=", projectId), ...filterTerms(eb, f, dialect)]))
      .orderBy("name_key")
      .orderBy("id")
      .$if(lock && dialect === "postgres", (q) => q.forUpdate())
      .execute()) as Target[],

  /** Deletes the rows; their annotations, tags and review rows go by cascade, counters by triggers. */
  delete: async (projectId: number, ids: readonly number[]): Promise<number> => {
    let n = 0;
    for (const part of chunks(ids))
      n += Number(
        (
          await db
            .deleteFrom("images")
            .where("project_id", "=", projectId)
            .where("id", "in", part)
            .executeTakeFirst()
        ).numDeletedRows,
      );
    return n;
  },

  /** Sets the status of those of `ids` that differ; answers the ids changed. */
  setStatus: async (ids: readonly number[], status: ImageStatus, actor: string | null, now: string) => {
    const changed: number[] = [];
    for (const part of chunks(ids))
      for (const r of await db
        .updateTable("images")
        .set({ status, status_updated_by: actor, updated_at: now })
        .where("id", "in", part)
        .where("status", "!=", status)
        .returning("id")
        .execute())
        changed.push(r.id);
    return changed;
  },

  /** The tag rows of `ids`, all of them or only those of `labelIds`. */
  tags: async (ids: readonly number[], labelIds?: readonly number[]) => {
    const rows: { image_id: number; label_id: number }[] = [];
    for (const part of chunks(ids))
      rows.push(
        ...(await db
          .selectFrom("image_tags")
          .select(["image_id", "label_id"])
          .where("image_id", "in", part)
          .$if(labelIds !== undefined, (q) => q.where("label_id", "in", [...(labelIds ?? [])]))
          .orderBy("image_id")
          .orderBy("label_id")
          .execute()),
      );
    return rows;
  },

  addTags: async (rows: readonly { image_id: number; label_id: number }[]) => {
    for (const part of chunks(rows)) await db.insertInto("image_tags").values(part).execute();
  },

  removeTags: async (rows: readonly { image_id: number; label_id: number }[]) => {
    const byLabel = new Map<number, number[]>();
    for (const r of rows) byLabel.set(r.label_id, [...(byLabel.get(r.label_id) ?? []), r.image_id]);
    for (const [labelId, ids] of byLabel)
      for (const part of chunks(ids))
        await db
          .deleteFrom("image_tags")
          .where("label_id", "=", labelId)
          .where("image_id", "in", part)
          .execute();
  },

  /** Names of the project's images among `names`, with their ids. */
  named: async (projectId: number, names: readonly string[]) => {
    const rows: { id: number; file_name: string }[] = [];
    for (const part of chunks([...new Set(names)]))
      rows.push(
        ...(await db
          .selectFrom("images")
          .select(["id", "file_name"])
          .where("project_id", "=", projectId)
          .where("file_name", "in", part)
          .execute()),
      );
    return rows;
  },

  /** Renames images in sets: one UPDATE … FROM (VALUES …) per thousand on both dialects. */
  rename: async (renames: readonly { id: number; name: string; key: string }[], now: string) => {
    for (const part of chunks(renames, 1_000)) {
      const values = sql.join(part.map((r) => sql`(CAST(${r.id} AS bigint), ${r.name}, ${r.key})`));
      // A CTE names the VALUES columns on both (SQLite has no column list on a VALUES alias).
      await sql`WITH v(id, name, key) AS (VALUES ${values})
        UPDATE images SET file_name = v.name, name_key = v.key, updated_at = ${now}
        FROM v WHERE images.id = v.id`.execute(db);
    }
  },

  /** Images directly in each folder (`cam_a/`; "" for the root), from one grouped scan. */
  folders: async (projectId: number): Promise<{ dir: string; n: number }[]> => {
    // rtrim strips every trailing character that is not "/": what is left is the folder part.
    const dir = sql<string>`rtrim(file_name, replace(file_name, '/', ''))`;
    return (
      await db
        .selectFrom("images")
        .select([dir.as("dir"), (eb) => eb.fn.countAll<number>().as("n")])
        .where("project_id", "=", projectId)
        .groupBy(dir)
        .execute()
    ).map((r) => ({ dir: r.dir, n: Number(r.n) }));
  },
});
