import type { ImageFormat, TileInfo } from "@labelbench/schema";
import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../db/connect.js";
import type { Database } from "../../db/schema.js";

export interface PendingSource {
  sha256: string;
  format: ImageFormat;
  /** As displayed (EXIF orientation applied): the pyramid's level 0. */
  width: number;
  height: number;
}

/** A tile job this process holds the lease of. */
export interface LeasedJob {
  id: number;
  sha256: string;
}

/** What the tile routes read of an image. */
export type TiledImageRow = Pick<
  Selectable<Database["images"]>,
  "id" | "sha256" | "width" | "height" | "tile_progress"
> & { tile_state: TileInfo["state"] };

/**
 * The tile columns of `images` and the shared job table `tile_jobs` (migration 0011). Every row
 * holding the same bytes shares one pyramid, so state changes go by sha256 and only touch rows
 * still waiting ('pending'); a job is one sha, taken under a lease so that several server processes
 * share the queue and a dead one's job is taken over when its lease runs out.
 */
export const tileRepo = (db: Kysely<Database>, dialect: Dialect) => {
  /** Deletes the job if this instance still holds it; true when it did. */
  const dropHeld = async (trx: Kysely<Database>, job: LeasedJob, instance: string) => {
    const r = await trx
      .deleteFrom("tile_jobs")
      .where("id", "=", job.id)
      .where("leased_by", "=", instance)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  };

  /** Sets the pending rows of a held job's sha to `state`, and ends the job, in one transaction. */
  const finish = (
    job: LeasedJob,
    instance: string,
    values: {
      tile_state: "ready" | "failed";
      tile_progress: number;
      tile_size?: number;
      tile_levels?: number;
    },
  ): Promise<number | null> =>
    db.transaction().execute(async (trx) => {
      // A job whose lease another process took over is that process's to finish.
      if (!(await dropHeld(trx, job, instance))) return null;
      const r = await trx
        .updateTable("images")
        .set(values)
        .where("sha256", "=", job.sha256)
        .where("tile_state", "=", "pending")
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    });

  return {
    /** Queues a pyramid for these bytes (nothing if one is queued or running already). */
    enqueue: async (sha: string, now: number): Promise<void> => {
      await db
        .insertInto("tile_jobs")
        .values({ sha256: sha, created_at: now })
        .onConflict((oc) => oc.column("sha256").doNothing())
        .execute();
    },

    /**
     * Queues every sha with images still 'pending' and no job, oldest upload first: images whose
     * process stopped between writing the rows and queueing the job (called at start).
     */
    enqueuePending: async (now: number): Promise<void> => {
      await db
        .insertInto("tile_jobs")
        .columns(["sha256", "created_at"])
        .expression((eb) =>
          eb
            .selectFrom("images")
            .select((s) => ["sha256", s.val(now).as("created_at")])
            .where("tile_state", "=", "pending")
            .groupBy("sha256")
            .orderBy((s) => s.fn.min("id")),
        )
        .onConflict((oc) => oc.column("sha256").doNothing())
        .execute();
    },

    /**
     * Takes the oldest job nobody holds a live lease on, leased to `instance` until `until`, in one
     * statement. On PostgreSQL, FOR UPDATE SKIP LOCKED makes concurrent takers pass over a row
     * another is taking instead of waiting for it (and re-checks the lease on the row's newest
     * version, so no two take the same job); on SQLite the statement runs under the write lock.
     */
    claim: async (instance: string, now: number, until: number): Promise<LeasedJob | null> => {
      const row = await db
        .updateTable("tile_jobs")
        .set({ leased_by: instance, lease_until: until })
        .where("id", "=", (eb) =>
          eb
            .selectFrom("tile_jobs")
            .select("id")
            .where((w) => w.or([w("lease_until", "is", null), w("lease_until", "<", now)]))
            .orderBy("id")
            .limit(1)
            .$if(dialect === "postgres", (q) => q.forUpdate().skipLocked()),
        )
        .returning(["id", "sha256"])
        .executeTakeFirst();
      return row ?? null;
    },

    /** Extends a held lease; false when this instance no longer holds it (taken over, or removed). */
    renew: async (job: LeasedJob, instance: string, until: number): Promise<boolean> => {
      const r = await db
        .updateTable("tile_jobs")
        .set({ lease_until: until })
        .where("id", "=", job.id)
        .where("leased_by", "=", instance)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Gives a held job back unfinished (a stopping process), for any process to take at once. */
    release: async (job: LeasedJob, instance: string): Promise<void> => {
      await db
        .updateTable("tile_jobs")
        .set({ leased_by: null, lease_until: null })
        .where("id", "=", job.id)
        .where("leased_by", "=", instance)
        .execute();
    },

    /** Ends a held job that has nothing left to do (no image of its bytes is pending any more). */
    drop: async (job: LeasedJob, instance: string): Promise<void> => {
      await dropHeld(db, job, instance);
    },

    /** Ends the job of bytes no image holds any more, whoever holds it (its holder then stops). */
    dropSha: async (sha: string): Promise<void> => {
      await db.deleteFrom("tile_jobs").where("sha256", "=", sha).execute();
    },

    pendingSource: async (sha: string): Promise<PendingSource | null> => {
      const row = await db
        .selectFrom("images")
        .select(["sha256", "format", "width", "height"])
        .where("sha256", "=", sha)
        .where("tile_state", "=", "pending")
        .limit(1)
        .executeTakeFirst();
      return row ? { ...row, format: row.format as ImageFormat } : null;
    },

    setProgress: async (sha: string, fraction: number): Promise<void> => {
      await db
        .updateTable("images")
        .set({ tile_progress: fraction })
        .where("sha256", "=", sha)
        .where("tile_state", "=", "pending")
        .execute();
    },

    /** Marks the job's images ready; the number of images, or null if the lease was lost. */
    setReady: (job: LeasedJob, instance: string, tileSize: number, levels: number) =>
      finish(job, instance, {
        tile_state: "ready",
        tile_progress: 1,
        tile_size: tileSize,
        tile_levels: levels,
      }),

    /** Marks the job's images failed; null if the lease was lost. */
    setFailed: (job: LeasedJob, instance: string) =>
      finish(job, instance, { tile_state: "failed", tile_progress: 0 }),

    shaInUse: async (sha: string): Promise<boolean> =>
      (await db.selectFrom("images").select("id").where("sha256", "=", sha).limit(1).executeTakeFirst()) !==
      undefined,

    /** Whether some process holds a lease on these bytes' job that has not run out at `now`. */
    leasedAt: async (sha: string, now: number): Promise<boolean> =>
      (await db
        .selectFrom("tile_jobs")
        .select("id")
        .where("sha256", "=", sha)
        .where("lease_until", ">=", now)
        .executeTakeFirst()) !== undefined,

    tiledImage: async (id: number): Promise<TiledImageRow | null> => {
      const row = await db
        .selectFrom("images")
        .select(["id", "sha256", "width", "height", "tile_state", "tile_progress"])
        .where("id", "=", id)
        .executeTakeFirst();
      // The column holds only these four (every write of it names one of them).
      return row ? { ...row, tile_state: row.tile_state as TileInfo["state"] } : null;
    },
  };
};
export type TileRepo = ReturnType<typeof tileRepo>;
