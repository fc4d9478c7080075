import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../../db/schema.js";
import { AppError } from "../../http/errors.js";
import { displayKey, originalKey, thumbnailKey } from "../../storage/keys.js";
import type { Storage } from "../../storage/storage.js";
import type { TileJobs } from "../tiles/queue.js";
import { storedFilesRepo } from "./stored-files-repo.js";

/**
 * Pauses between the steps of the reference rule, for tests that replay an interleaving step by
 * step. Production passes none.
 */
export interface StoredFilesHooks {
  /** After a claim is recorded, before the claimer looks at or puts the bytes. */
  afterClaim?: (sha: string, owner: string) => Promise<void>;
  /** After a sha is marked as being deleted, before its files are unlinked. */
  beforeUnlink?: (sha: string) => Promise<void>;
}

/**
 * The reference rule for content-addressed files. The bytes of a sha are referenced by image rows
 * and by claims (someone about to reference them: an upload between putting the bytes and
 * committing its row, a rendition being written). Files are unlinked only after one transaction
 * proved that neither exists and marked the sha as being deleted; a claim is refused while that
 * mark stands, so the claimer waits and then puts the bytes again. See migration 0007.
 */
export interface StoredFiles {
  /** This server process's id in `server_instances`. */
  readonly instance: string;
  /**
   * Claims `sha` for `owner` before its bytes are looked at or put into storage. Waits while a
   * deletion of the same sha is under way (after it, the files are gone: the caller puts them).
   */
  claim(sha: string, owner: string): Promise<void>;
  /** Drops the claims of `owners`, then deletes the files of those of `shas` nothing references. */
  release(owners: readonly string[], shas: readonly string[]): Promise<void>;
  /** Deletes the files of those `shas` no image row and no live claim references. */
  collect(shas: readonly string[]): Promise<void>;
  /** Drops dead instances' claims and deletes every unreferenced sha's files (crash leftovers). */
  sweep(): Promise<void>;
  /** Resolves when the sweep createApp starts has finished. */
  readonly ready: Promise<void>;
  /**
   * Stops the heartbeat and leaves `server_instances` (this instance's claims die with it); call it
   * before closing the database.
   */
  stop(): Promise<void>;
}

/** How often an instance beats, and how long without a beat makes it dead. */
export const HEARTBEAT_MS = 10_000;
export const DEAD_AFTER_MS = 60_000;
/** Besides the sweep at start: leftovers of an instance that died and came back within DEAD_AFTER_MS. */
const SWEEP_EVERY_MS = 60 * 60_000;
/** Shas marked for deletion per transaction (deleting a big project collects thousands). */
const COLLECT_BATCH = 256;
/** A claimer waits at most this long for another instance's deletion of the same sha. */
const CLAIM_WAIT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const createStoredFiles = (
  deps: {
    sql: Kysely<Database>;
    storage: Storage;
    log: Logger;
    tiles: TileJobs;
    /** Start work the first sweep must wait for (imports being resumed: their files have no rows yet). */
    sweepAfter?: Promise<unknown>;
  },
  hooks: StoredFilesHooks = {},
): StoredFiles => {
  const { storage, log } = deps;
  const repo = storedFilesRepo(deps.sql);
  const instance = randomUUID();
  /**
   * Deletions this process is running, so a claimer here waits for the promise, not by polling.
   * Only a shortcut: whether a sha is being deleted is its `stored_files` mark, which every process
   * reads under the row's lock; a claimer in another process polls that mark instead.
   */
  const deleting = new Map<string, Promise<void>>();
  const aliveSince = () => Date.now() - DEAD_AFTER_MS;
  /** Set by stop(): no new work reaches a database about to be closed. */
  let stopped = false;

  const beat = () =>
    repo.beat(instance, Date.now()).catch((err: unknown) => {
      if (!stopped) log.warn({ err }, "stored files: heartbeat failed");
    });
  // The first beat is in before any claim or sweep of this instance, so none counts it dead.
  const started = beat();
  const timer = setInterval(() => {
    if (!stopped) void beat();
  }, HEARTBEAT_MS);
  timer.unref();

  const unlink = async (sha: string) => {
    await hooks.beforeUnlink?.(sha);
    try {
      await storage.delete(originalKey(sha));
      await storage.delete(thumbnailKey(sha));
      await storage.delete(displayKey(sha));
      await repo.forget(sha, instance);
      // The pyramid goes in the background; the tile queue checks the rows again before deleting.
      deps.tiles.remove(sha);
    } catch (err) {
      log.warn({ err, sha }, "could not delete image files; the next sweep retries");
      if (!stopped)
        await repo
          .unmark(sha, instance)
          .catch((e: unknown) => log.warn({ err: e, sha }, "could not unmark; the next sweep retries"));
    }
  };

  /** Marks (one transaction per batch) and unlinks those of `shas` nothing references. */
  const collect = async (shas: readonly string[]) => {
    const unique = [...new Set(shas)];
    await started;
    for (let i = 0; i < unique.length && !stopped; i += COLLECT_BATCH) {
      const batch = unique.slice(i, i + COLLECT_BATCH);
      const running = batch.flatMap((sha) => deleting.get(sha) ?? []);
      const free = batch.filter((sha) => !deleting.has(sha));
      const marked =
        free.length > 0 ? await repo.markIfUnreferenced(free, instance, Date.now(), aliveSince()) : [];
      // Registered before any await, so a claimer in this process waits for the promise.
      const jobs = marked.map((sha) => {
        const job = unlink(sha).finally(() => deleting.delete(sha));
        deleting.set(sha, job);
        return job;
      });
      await Promise.all([...running, ...jobs]);
    }
  };

  const claim = async (sha: string, owner: string) => {
    await started;
    const deadline = Date.now() + CLAIM_WAIT_MS;
    for (;;) {
      const r = await repo.claim(sha, owner, instance, Date.now());
      if (r.ok) break;
      const local = deleting.get(sha);
      if (local) await local;
      else if (!(await repo.isAlive(r.by, aliveSince())))
        await collect([sha]); // a dead instance's: finish it
      else if (Date.now() > deadline)
        throw new AppError(
          "BUSY",
          `the stored files of ${sha} are being deleted by another server; try again`,
        );
      else await sleep(25);
    }
    await hooks.afterClaim?.(sha, owner);
  };

  const sweep = async () => {
    await started;
    if (stopped) return;
    await collect(await repo.sweep(aliveSince()));
  };

  const sweepLogged = () => sweep().catch((err: unknown) => log.warn({ err }, "stored-file sweep failed"));
  const ready = Promise.resolve(deps.sweepAfter).then(sweepLogged);
  const sweeper = setInterval(() => void sweepLogged(), SWEEP_EVERY_MS);
  sweeper.unref();

  return {
    instance,
    claim,
    release: async (owners, shas) => {
      if (stopped) return;
      await repo.dropClaims(owners);
      await collect(shas);
    },
    collect,
    sweep,
    ready,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      clearInterval(sweeper);
      await started;
      await repo.leave(instance).catch((err: unknown) => log.warn({ err }, "stored files: could not leave"));
    },
  };
};
