import type { Kysely } from "kysely";
import type { Executor } from "../../db/executor.js";
import type { Database } from "../../db/schema.js";

/**
 * The SQL of the reference rule (migration 0007): a sha is referenced by an image row, a dataset
 * version's image row (migration 0018) or a live claim. Every decision is one transaction that writes
 * the sha's `stored_files` row first (`INSERT … ON CONFLICT DO UPDATE`): on SQLite the transaction
 * is IMMEDIATE, so one writer decides at a time; on PostgreSQL that write takes the row's lock,
 * held until the commit, so a claim and a deletion of the same sha wait for each other and can
 * never both succeed. Several shas are locked in sorted order, so two processes marking
 * overlapping batches cannot deadlock.
 */
export const storedFilesRepo = (db: Kysely<Database>) => {
  /** `deleting_by` of the sha's row (created when missing), and the write lock on it. */
  const lock = async (trx: Executor, sha: string): Promise<string | null> =>
    (
      await trx
        .insertInto("stored_files")
        .values({ sha256: sha })
        .onConflict((oc) => oc.column("sha256").doUpdateSet((eb) => ({ sha256: eb.ref("excluded.sha256") })))
        .returning("deleting_by")
        .executeTakeFirstOrThrow()
    ).deleting_by;

  const isAlive = async (trx: Executor, instance: string, aliveSince: number): Promise<boolean> => {
    const r = await trx
      .selectFrom("server_instances")
      .select("seen_at")
      .where("id", "=", instance)
      .executeTakeFirst();
    return r !== undefined && r.seen_at >= aliveSince;
  };

  /**
   * Whether an image row or a live claim references the sha, read in one statement (one snapshot
   * on PostgreSQL): an upload commits its row before it drops its claim, so a snapshot that misses
   * the claim sees the row. Read separately, a row committed after the first read and a claim
   * dropped before the second would both be missed.
   */
  const referenced = async (trx: Executor, sha: string, aliveSince: number): Promise<boolean> => {
    const r = await trx
      .selectNoFrom((eb) => [
        eb
          .case()
          .when(
            eb.or([
              eb.exists(eb.selectFrom("images").select("id").where("sha256", "=", sha)),
              // A dataset version keeps its images' files for its exports (issue 17).
              eb.exists(eb.selectFrom("version_images").select("version_id").where("sha256", "=", sha)),
              eb.exists(
                eb
                  .selectFrom("file_claims as c")
                  .innerJoin("server_instances as i", "i.id", "c.instance")
                  .select("c.id")
                  .where("c.sha256", "=", sha)
                  .where("i.seen_at", ">=", aliveSince),
              ),
            ]),
          )
          .then(1)
          .else(0)
          .end()
          .as("used"),
      ])
      .executeTakeFirstOrThrow();
    return Number(r.used) === 1;
  };

  const unmark = async (trx: Executor, sha: string, instance: string) => {
    await trx
      .updateTable("stored_files")
      .set({ deleting_by: null, deleting_since: null })
      .where("sha256", "=", sha)
      .where("deleting_by", "=", instance)
      .execute();
  };

  return {
    /**
     * Records a claim unless the sha's files are being deleted; then answers who deletes them.
     */
    claim: (
      sha: string,
      owner: string,
      instance: string,
      now: number,
    ): Promise<{ ok: true } | { ok: false; by: string }> =>
      db.transaction().execute(async (trx) => {
        const by = await lock(trx, sha);
        if (by !== null) return { ok: false, by };
        await trx
          .insertInto("file_claims")
          .values({ sha256: sha, owner, instance, created_at: now })
          .execute();
        return { ok: true };
      }),
    dropClaims: async (owners: readonly string[]): Promise<void> => {
      // In slices: an upload or import may hold thousands, past a statement's parameter limit.
      for (let i = 0; i < owners.length; i += 500)
        await db
          .deleteFrom("file_claims")
          .where("owner", "in", owners.slice(i, i + 500))
          .execute();
    },
    /**
     * Marks each sha as being deleted by `instance` when no image row and no live claim (one whose
     * instance beat since `aliveSince`) references it and nobody else is deleting it; answers the
     * marked ones. A deletion left by a dead instance is taken over (its files may be half gone:
     * finishing is the only way).
     */
    markIfUnreferenced: (
      shas: readonly string[],
      instance: string,
      now: number,
      aliveSince: number,
    ): Promise<string[]> =>
      db.transaction().execute(async (trx) => {
        const marked: string[] = [];
        for (const sha of [...shas].sort()) {
          const by = await lock(trx, sha);
          if (by !== null && by !== instance && (await isAlive(trx, by, aliveSince))) continue;
          if (await referenced(trx, sha, aliveSince)) {
            if (by !== null) await unmark(trx, sha, by);
            continue;
          }
          await trx
            .updateTable("stored_files")
            .set({ deleting_by: instance, deleting_since: now })
            .where("sha256", "=", sha)
            .execute();
          marked.push(sha);
        }
        return marked;
      }),
    /** The files are gone: the sha is forgotten (only by the instance that marked it). */
    forget: async (sha: string, instance: string): Promise<void> => {
      await db
        .deleteFrom("stored_files")
        .where("sha256", "=", sha)
        .where("deleting_by", "=", instance)
        .execute();
    },
    /** Deletion failed: the sha stays known (not deleting), so a later pass retries it. */
    unmark: (sha: string, instance: string) => unmark(db, sha, instance),
    beat: async (instance: string, now: number): Promise<void> => {
      await db
        .insertInto("server_instances")
        .values({ id: instance, seen_at: now })
        .onConflict((oc) => oc.column("id").doUpdateSet((eb) => ({ seen_at: eb.ref("excluded.seen_at") })))
        .execute();
    },
    isAlive: (instance: string, aliveSince: number) => isAlive(db, instance, aliveSince),
    /**
     * Start and periodic sweep: drops claims and heartbeats of dead instances and lists the shas
     * nothing references (left by a crash between putting bytes and committing a row, or a
     * deletion that failed or died half-way). The list is only a list of candidates: each is
     * checked again under its lock when marked.
     */
    sweep: (aliveSince: number): Promise<string[]> =>
      db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom("file_claims")
          .where((eb) =>
            eb.or([
              eb(
                "instance",
                "in",
                eb
                  .selectFrom("server_instances")
                  .select("server_instances.id")
                  .where("seen_at", "<", aliveSince),
              ),
              eb("instance", "not in", eb.selectFrom("server_instances").select("server_instances.id")),
            ]),
          )
          .execute();
        await trx.deleteFrom("server_instances").where("seen_at", "<", aliveSince).execute();
        const rows = await trx
          .selectFrom("stored_files as s")
          .select("s.sha256")
          .where((eb) =>
            eb.and([
              eb.not(
                eb.exists(eb.selectFrom("images as i").select("i.id").whereRef("i.sha256", "=", "s.sha256")),
              ),
              eb.not(
                eb.exists(
                  eb
                    .selectFrom("version_images as v")
                    .select("v.version_id")
                    .whereRef("v.sha256", "=", "s.sha256"),
                ),
              ),
              eb.not(
                eb.exists(
                  eb.selectFrom("file_claims as c").select("c.id").whereRef("c.sha256", "=", "s.sha256"),
                ),
              ),
              eb.or([
                eb("s.deleting_by", "is", null),
                eb(
                  "s.deleting_by",
                  "not in",
                  eb.selectFrom("server_instances").select("server_instances.id"),
                ),
              ]),
            ]),
          )
          .orderBy("s.sha256")
          .execute();
        return rows.map((r) => r.sha256);
      }),
    leave: async (instance: string): Promise<void> => {
      await db.deleteFrom("server_instances").where("id", "=", instance).execute();
    },
  };
};
export type StoredFilesRepo = ReturnType<typeof storedFilesRepo>;
