import {
  type Image,
  type ImageFormat,
  type ImageStatus,
  naturalSortKey,
  type StatusCounts,
} from "@labelbench/schema";
import type Database from "better-sqlite3";
import type { Db } from "../../db/database.js";
import { type ImageOrder, type KeyValue, keyOf, orderSql, STATUS_RANK } from "./order.js";

export interface ImageRow {
  id: number;
  project_id: number;
  sha256: string;
  file_name: string;
  /** naturalSortKey(file_name): the natural name order, compared byte by byte. */
  name_key: string;
  /** Generated from status: new 0, in_progress 1, done 2, skipped 3. */
  status_rank: number;
  width: number;
  height: number;
  format: ImageFormat;
  byte_size: number;
  status: ImageStatus;
  annotation_count: number;
  revision: number;
  tile_state: "none" | "pending" | "ready" | "failed";
  tile_progress: number;
  tile_size: number | null;
  tile_levels: number | null;
  created_at: string;
  updated_at: string;
}

export const toImage = (r: ImageRow): Image => ({
  id: r.id,
  projectId: r.project_id,
  fileName: r.file_name,
  sha256: r.sha256,
  width: r.width,
  height: r.height,
  format: r.format,
  byteSize: r.byte_size,
  status: r.status,
  annotationCount: r.annotation_count,
  tiles: { state: r.tile_state, progress: r.tile_progress, tileSize: r.tile_size, levels: r.tile_levels },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toStatusCounts = (rows: { status: ImageStatus; n: number }[]): StatusCounts => {
  const counts: StatusCounts = { new: 0, in_progress: 0, done: 0, skipped: 0, total: 0 };
  for (const r of rows) {
    counts[r.status] = r.n;
    counts.total += r.n;
  }
  return counts;
};

/** Which images a list or a walk covers: the library's filter. */
export interface ImageFilter {
  status?: ImageStatus | undefined;
  /** A substring of the file name (its path: a folder's name finds the folder's images). */
  q?: string | undefined;
}

/**
 * The WHERE terms and ORDER BY of a filter walked in an order from `key` (null: from the start),
 * chosen so that each pair is a range scan of one index (migration 0010) however deep the page.
 */
const walkSql = (projectId: number, f: ImageFilter, order: ImageOrder, key: KeyValue[] | null) => {
  const where = ["project_id = ?"];
  const args: unknown[] = [projectId];
  // Within one status the status order is the name order: seek the status+name index by name
  // (SQLite seeks a row value only on columns that follow the equalities).
  const oneStatus =
    f.status !== undefined && order.sort === "status" && (key === null || key[0] === STATUS_RANK[f.status]);
  const o = orderSql(oneStatus ? { sort: "name", order: order.order } : order);
  if (f.status) {
    // Added order walks (project_id, status, id); every other order the generated rank's index.
    if (order.sort === "added") where.push("status = ?") && args.push(f.status);
    else where.push("status_rank = ?") && args.push(STATUS_RANK[f.status]);
  }
  if (f.q) {
    where.push("file_name LIKE ? ESCAPE '\\'");
    args.push(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  return { where, args, o, key: key && oneStatus ? key.slice(1) : key };
};

export interface PageOptions extends ImageFilter {
  order: ImageOrder;
  /** The key of the last image of the previous page (from a cursor). */
  after: KeyValue[] | null;
  limit: number;
  offset?: number | undefined;
}

/** One page of a filter in an order (one row more than `limit`, to tell whether more follow). */
export const pageSql = (projectId: number, opts: PageOptions) => {
  const { where, args, o, key } = walkSql(projectId, opts, opts.order, opts.after);
  if (key) where.push(o.beyond()) && args.push(...key);
  return {
    sql: `SELECT * FROM images WHERE ${where.join(" AND ")} ORDER BY ${o.orderBy()} LIMIT ? OFFSET ?`,
    args: [...args, opts.limit + 1, opts.offset ?? 0],
  };
};

export interface NewImage {
  projectId: number;
  sha256: string;
  fileName: string;
  width: number;
  height: number;
  channels: number | null;
  format: ImageFormat;
  byteSize: number;
  tileState: ImageRow["tile_state"];
}

export const imageRepo = (db: Db) => {
  // Kept by triggers (migration 0005): O(1) however many images the project has.
  const statusCountRows = db.prepare<[number], { status: ImageStatus; n: number }>(
    "SELECT status, n FROM image_status_counts WHERE project_id = ?",
  );
  const updateOne = db.prepare(
    `UPDATE images SET status = coalesce(?, status), file_name = coalesce(?, file_name),
       name_key = coalesce(?, name_key), updated_at = ?,
       status_updated_by = CASE WHEN ? IS NULL THEN status_updated_by ELSE ? END WHERE id = ?`,
  );
  const deleteOne = db.prepare("DELETE FROM images WHERE id = ?");
  const shaInUse = db.prepare("SELECT 1 FROM images WHERE sha256 = ? LIMIT 1");
  const byId = db.prepare("SELECT * FROM images WHERE id = ?");
  const bySha = db.prepare("SELECT * FROM images WHERE project_id = ? AND sha256 = ?");
  const insert = db.prepare(
    `INSERT INTO images (project_id, sha256, file_name, name_key, width, height, channels, format, byte_size, tile_state, created_at, updated_at)
     VALUES (@projectId, @sha256, @fileName, @nameKey, @width, @height, @channels, @format, @byteSize, @tileState, @now, @now)`,
  );
  const statements = new Map<string, Database.Statement>();
  /** Lists and walks build their SQL from a few choices: each distinct text is prepared once. */
  const prepared = (sql: string) => {
    let st = statements.get(sql);
    if (!st) {
      st = db.prepare(sql);
      statements.set(sql, st);
    }
    return st;
  };
  return {
    row: (id: number): ImageRow | null => (byId.get(id) as ImageRow | undefined) ?? null,
    bySha: (projectId: number, sha: string): ImageRow | null =>
      (bySha.get(projectId, sha) as ImageRow | undefined) ?? null,
    insert: (img: NewImage, now: string): number =>
      Number(insert.run({ ...img, nameKey: naturalSortKey(img.fileName), now }).lastInsertRowid),
    /** One page of the filter in `order`, after the key `after` (a cursor) or skipping `offset` images. */
    /** One page of the filter in `order`, after the key `after` (a cursor) or skipping `offset` images. */
    page: (projectId: number, opts: PageOptions) => {
      const q = pageSql(projectId, opts);
      return prepared(q.sql).all(...q.args) as ImageRow[];
    },
    update: (
      id: number,
      patch: { status?: ImageStatus | undefined; fileName?: string | undefined },
      now: string,
      actor: string | null = null,
    ) =>
      updateOne.run(
        patch.status ?? null,
        patch.fileName ?? null,
        patch.fileName === undefined ? null : naturalSortKey(patch.fileName),
        now,
        patch.status ?? null,
        actor,
        id,
      ),
    delete: (id: number) => deleteOne.run(id),
    shaInUse: (sha: string): boolean => shaInUse.get(sha) !== undefined,
    /** Images per status in the project, and their total. */
    statusCounts: (projectId: number): StatusCounts => toStatusCounts(statusCountRows.all(projectId)),
    /**
     * Navigation around an image in the library's order and filter: previous/next/position/total
     * walk the images the library shows, so the editor steps through them as the grid lists them.
     * The next still-new image (within the search, whatever the status filter) follows the same
     * order and wraps around to the start.
     */
    neighbours: (row: ImageRow, filter: ImageFilter, order: ImageOrder) => {
      const rowKey = keyOf(order, row);
      const id = (f: ImageFilter, forward: boolean, from: "key" | "start") => {
        const w = walkSql(row.project_id, f, order, from === "key" ? rowKey : null);
        if (w.key) w.where.push(w.o.beyond(forward)) && w.args.push(...w.key);
        else w.where.push("id != ?") && w.args.push(row.id);
        const sql = `SELECT id FROM images WHERE ${w.where.join(" AND ")} ORDER BY ${w.o.orderBy(forward)} LIMIT 1`;
        return (prepared(sql).get(...w.args) as { id: number } | undefined)?.id ?? null;
      };
      const count = (upToRow: boolean) => {
        const w = walkSql(row.project_id, filter, order, upToRow ? rowKey : null);
        if (w.key) w.where.push(w.o.upTo()) && w.args.push(...w.key);
        const sql = `SELECT COUNT(*) AS n FROM images WHERE ${w.where.join(" AND ")}`;
        return (prepared(sql).get(...w.args) as { n: number }).n;
      };
      const newOnes: ImageFilter = { q: filter.q, status: "new" };
      // Without a search the total is in the trigger-kept counts: one lookup instead of a count.
      const counts = filter.q ? null : toStatusCounts(statusCountRows.all(row.project_id));
      return {
        previousId: id(filter, false, "key"),
        nextId: id(filter, true, "key"),
        nextNewId: id(newOnes, true, "key") ?? id(newOnes, true, "start"),
        position: count(true),
        total: counts ? (filter.status ? counts[filter.status] : counts.total) : count(false),
      };
    },
  };
};
export type ImageRepo = ReturnType<typeof imageRepo>;
