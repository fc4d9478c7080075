import type { Image, ImageFormat, ImageStatus, StatusCounts } from "@labelbench/schema";
import type { Db } from "../../db/database.js";

export interface ImageRow {
  id: number;
  project_id: number;
  sha256: string;
  file_name: string;
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

export const statusCounts = (db: Db, projectId: number): StatusCounts => {
  const rows = db
    // Kept by triggers (migration 0005): O(1) however many images the project has.
    .prepare("SELECT status, n FROM image_status_counts WHERE project_id = ?")
    .all(projectId) as { status: ImageStatus; n: number }[];
  const counts: StatusCounts = { new: 0, in_progress: 0, done: 0, skipped: 0, total: 0 };
  for (const r of rows) {
    counts[r.status] = r.n;
    counts.total += r.n;
  }
  return counts;
};

/** Cursors are opaque to clients: base64url of the last id seen (keyset pagination). */
export const encodeCursor = (id: number) => Buffer.from(`i:${id}`).toString("base64url");
export const decodeCursor = (c: string): number | null => {
  const m = /^i:(\d+)$/.exec(Buffer.from(c, "base64url").toString());
  return m ? Number(m[1]) : null;
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
  const byId = db.prepare("SELECT * FROM images WHERE id = ?");
  const bySha = db.prepare("SELECT * FROM images WHERE project_id = ? AND sha256 = ?");
  const insert = db.prepare(
    `INSERT INTO images (project_id, sha256, file_name, width, height, channels, format, byte_size, tile_state, created_at, updated_at)
     VALUES (@projectId, @sha256, @fileName, @width, @height, @channels, @format, @byteSize, @tileState, @now, @now)`,
  );
  return {
    row: (id: number): ImageRow | null => (byId.get(id) as ImageRow | undefined) ?? null,
    bySha: (projectId: number, sha: string): ImageRow | null =>
      (bySha.get(projectId, sha) as ImageRow | undefined) ?? null,
    insert: (img: NewImage, now: string): number => Number(insert.run({ ...img, now }).lastInsertRowid),
    page: (
      projectId: number,
      opts: {
        status?: ImageStatus | undefined;
        q?: string | undefined;
        after: number;
        limit: number;
        offset?: number | undefined;
      },
    ) => {
      const where = ["project_id = ?", "id > ?"];
      const args: unknown[] = [projectId, opts.after];
      if (opts.status) where.push("status = ?") && args.push(opts.status);
      if (opts.q) {
        where.push("file_name LIKE ? ESCAPE '\\'");
        args.push(`%${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      }
      return db
        .prepare(`SELECT * FROM images WHERE ${where.join(" AND ")} ORDER BY id LIMIT ? OFFSET ?`)
        .all(...args, opts.limit + 1, opts.offset ?? 0) as ImageRow[];
    },
    update: (
      id: number,
      patch: { status?: ImageStatus | undefined; fileName?: string | undefined },
      now: string,
      actor: string | null = null,
    ) =>
      db
        .prepare(
          `UPDATE images SET status = coalesce(?, status), file_name = coalesce(?, file_name), updated_at = ?,
             status_updated_by = CASE WHEN ? IS NULL THEN status_updated_by ELSE ? END WHERE id = ?`,
        )
        .run(patch.status ?? null, patch.fileName ?? null, now, patch.status ?? null, actor, id),
    delete: (id: number) => db.prepare("DELETE FROM images WHERE id = ?").run(id),
    shaInUse: (sha: string): boolean =>
      db.prepare("SELECT 1 FROM images WHERE sha256 = ? LIMIT 1").get(sha) !== undefined,
    /**
     * Navigation around image `id`: previous/next/position/total walk the images of `status` when
     * given (the library's filter), all of the project's otherwise. The next still-new image wraps
     * around to the start of the project.
     */
    neighbours: (projectId: number, id: number, status?: ImageStatus) => {
      const scope = status ? "project_id = ? AND status = ?" : "project_id = ?";
      const scopeArgs: unknown[] = status ? [projectId, status] : [projectId];
      const one = (sql: string, ...a: unknown[]) =>
        (db.prepare(sql).get(...a) as { id: number | null } | undefined)?.id ?? null;
      const count = (sql: string, ...a: unknown[]) => (db.prepare(sql).get(...a) as { n: number }).n;
      return {
        previousId: one(`SELECT max(id) AS id FROM images WHERE ${scope} AND id < ?`, ...scopeArgs, id),
        nextId: one(`SELECT min(id) AS id FROM images WHERE ${scope} AND id > ?`, ...scopeArgs, id),
        nextNewId:
          one(
            "SELECT min(id) AS id FROM images WHERE project_id = ? AND status = 'new' AND id > ?",
            projectId,
            id,
          ) ??
          one(
            "SELECT min(id) AS id FROM images WHERE project_id = ? AND status = 'new' AND id != ?",
            projectId,
            id,
          ),
        position: count(`SELECT COUNT(*) AS n FROM images WHERE ${scope} AND id <= ?`, ...scopeArgs, id),
        total: count(`SELECT COUNT(*) AS n FROM images WHERE ${scope}`, ...scopeArgs),
      };
    },
  };
};
export type ImageRepo = ReturnType<typeof imageRepo>;
