import type { Db } from "../../db/database.js";

/**
 * The SQL of the reference rule (migration 0007). Every decision is one IMMEDIATE transaction that
 * writes the sha's `stored_files` row first: SQLite has one writer at a time, and a PostgreSQL port
 * gets the same serialisation from the row lock that write takes (`INSERT ... ON CONFLICT DO
 * UPDATE`), so a claim and a deletion of the same sha can never both succeed.
 */
export const storedFilesRepo = (db: Db) => {
  const touch = db.prepare(
    "INSERT INTO stored_files (sha256) VALUES (?) ON CONFLICT (sha256) DO UPDATE SET sha256 = excluded.sha256 RETURNING deleting_by",
  );
  const insertClaim = db.prepare(
    "INSERT INTO file_claims (sha256, owner, instance, created_at) VALUES (?, ?, ?, ?)",
  );
  const dropClaims = db.prepare("DELETE FROM file_claims WHERE owner = ?");
  const referenced = db.prepare("SELECT 1 FROM images WHERE sha256 = ? LIMIT 1");
  const liveClaim = db.prepare(
    `SELECT 1 FROM file_claims c JOIN server_instances i ON i.id = c.instance
     WHERE c.sha256 = ? AND i.seen_at >= ? LIMIT 1`,
  );
  const markDeleting = db.prepare(
    "UPDATE stored_files SET deleting_by = ?, deleting_since = ? WHERE sha256 = ?",
  );
  const forget = db.prepare("DELETE FROM stored_files WHERE sha256 = ? AND deleting_by = ?");
  const unmark = db.prepare(
    "UPDATE stored_files SET deleting_by = NULL, deleting_since = NULL WHERE sha256 = ? AND deleting_by = ?",
  );
  const beat = db.prepare(
    "INSERT INTO server_instances (id, seen_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
  );
  const seenAt = db.prepare("SELECT seen_at FROM server_instances WHERE id = ?");
  const dropDeadClaims = db.prepare(
    "DELETE FROM file_claims WHERE instance IN (SELECT id FROM server_instances WHERE seen_at < ?) OR instance NOT IN (SELECT id FROM server_instances)",
  );
  const dropDeadInstances = db.prepare("DELETE FROM server_instances WHERE seen_at < ?");
  const unreferenced = db
    .prepare<[], string>(
      `SELECT sha256 FROM stored_files s
       WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.sha256 = s.sha256)
         AND NOT EXISTS (SELECT 1 FROM file_claims c WHERE c.sha256 = s.sha256)
         AND (s.deleting_by IS NULL OR s.deleting_by NOT IN (SELECT id FROM server_instances))
       ORDER BY sha256`,
    )
    .pluck();
  const leave = db.prepare("DELETE FROM server_instances WHERE id = ?");

  /** `deleting_by` of the sha's row (created when missing) and the write lock on it. */
  const lock = (sha: string) => (touch.get(sha) as { deleting_by: string | null }).deleting_by;

  return {
    /**
     * Records a claim unless the sha's files are being deleted; then answers who deletes them.
     */
    claim: db.transaction(
      (
        sha: string,
        owner: string,
        instance: string,
        now: number,
      ): { ok: true } | { ok: false; by: string } => {
        const by = lock(sha);
        if (by !== null) return { ok: false, by };
        insertClaim.run(sha, owner, instance, now);
        return { ok: true };
      },
    ),
    dropClaims: db.transaction((owners: readonly string[]) => {
      for (const o of owners) dropClaims.run(o);
    }),
    /**
     * Marks each sha as being deleted by `instance` when no image row and no live claim (one whose
     * instance beat since `aliveSince`) references it and nobody else is deleting it; answers the
     * marked ones. A deletion left by a dead instance is taken over (its files may be half gone:
     * finishing is the only way).
     */
    markIfUnreferenced: db.transaction(
      (shas: readonly string[], instance: string, now: number, aliveSince: number): string[] =>
        shas.filter((sha) => {
          const by = lock(sha);
          if (by !== null && by !== instance && isAlive(by, aliveSince)) return false;
          if (referenced.get(sha) !== undefined || liveClaim.get(sha, aliveSince) !== undefined) {
            if (by !== null) unmark.run(sha, by);
            return false;
          }
          markDeleting.run(instance, now, sha);
          return true;
        }),
    ),
    /** The files are gone: the sha is forgotten (only by the instance that marked it). */
    forget: (sha: string, instance: string) => forget.run(sha, instance),
    /** Deletion failed: the sha stays known (not deleting), so a later pass retries it. */
    unmark: (sha: string, instance: string) => unmark.run(sha, instance),
    beat: (instance: string, now: number) => beat.run(instance, now),
    isAlive: (instance: string, aliveSince: number) => isAlive(instance, aliveSince),
    /**
     * Start and periodic sweep: drops claims and heartbeats of dead instances and lists the shas
     * nothing references (left by a crash between putting bytes and committing a row, or a
     * deletion that failed or died half-way).
     */
    sweep: db.transaction((aliveSince: number): string[] => {
      dropDeadClaims.run(aliveSince);
      dropDeadInstances.run(aliveSince);
      return unreferenced.all();
    }),
    leave: (instance: string) => leave.run(instance),
  };

  function isAlive(instance: string, aliveSince: number): boolean {
    const r = seenAt.get(instance) as { seen_at: number } | undefined;
    return r !== undefined && r.seen_at >= aliveSince;
  }
};
export type StoredFilesRepo = ReturnType<typeof storedFilesRepo>;
