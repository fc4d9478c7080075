import type { ImageFormat } from "@labelbench/schema";
import type { Db } from "../../db/database.js";

export interface PendingSource {
  sha256: string;
  format: ImageFormat;
  /** As displayed (EXIF orientation applied): the pyramid's level 0. */
  width: number;
  height: number;
}

/**
 * The tile columns of `images`. Every row holding the same bytes shares one pyramid, so state
 * changes go by sha256 and only touch rows still waiting ('pending').
 */
export const tileRepo = (db: Db) => {
  const pendingShas = db.prepare(
    "SELECT sha256 FROM images WHERE tile_state = 'pending' GROUP BY sha256 ORDER BY min(id)",
  );
  const source = db.prepare(
    "SELECT sha256, format, width, height FROM images WHERE sha256 = ? AND tile_state = 'pending' LIMIT 1",
  );
  const progress = db.prepare(
    "UPDATE images SET tile_progress = ? WHERE sha256 = ? AND tile_state = 'pending'",
  );
  const ready = db.prepare(
    `UPDATE images SET tile_state = 'ready', tile_progress = 1, tile_size = ?, tile_levels = ?
     WHERE sha256 = ? AND tile_state = 'pending'`,
  );
  const failed = db.prepare(
    "UPDATE images SET tile_state = 'failed', tile_progress = 0 WHERE sha256 = ? AND tile_state = 'pending'",
  );
  const inUse = db.prepare("SELECT 1 FROM images WHERE sha256 = ? LIMIT 1");
  return {
    /** Shas with images waiting for a pyramid, oldest upload first (resumed at start). */
    pendingShas: (): string[] => (pendingShas.all() as { sha256: string }[]).map((r) => r.sha256),
    pendingSource: (sha: string): PendingSource | null =>
      (source.get(sha) as PendingSource | undefined) ?? null,
    setProgress: (sha: string, fraction: number) => progress.run(fraction, sha),
    setReady: (sha: string, tileSize: number, levels: number) => ready.run(tileSize, levels, sha).changes,
    setFailed: (sha: string) => failed.run(sha).changes,
    shaInUse: (sha: string): boolean => inUse.get(sha) !== undefined,
  };
};
export type TileRepo = ReturnType<typeof tileRepo>;
