import { randomUUID } from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "../../config.js";
import type { Dialect } from "../../db/connect.js";
import type { Database } from "../../db/schema.js";
import type { Storage } from "../../storage/storage.js";
import { generatePyramid, WORK_DIR_PREFIX, workDirSha } from "./generate.js";
import { type LeasedJob, tileRepo } from "./repo.js";
import { deletePyramid, readManifest } from "./store.js";

/** What the rest of the server asks of the tile worker (through Deps; this module names its own needs so that deps.ts, which holds TileJobs, is not imported back). */
export interface TileJobs {
  /** Builds the pyramid for the images holding these bytes (rows in 'pending'), in the background. */
  generate(sha256: string): void;
  /**
   * Deletes the pyramid of bytes no image references any more, after the running job (which is
   * told to stop if it works on the same bytes). Skipped if the bytes are in use again by then.
   */
  remove(sha256: string): void;
}

export interface TileQueue extends TileJobs {
  /** This process's id in `tile_jobs.leased_by`. */
  readonly instance: string;
  /**
   * Removes a crash's leftover work dirs, queues every image still 'pending' without a job, and
   * from then on takes jobs (also other processes' and dead processes' ones) until stop()
   * (called by createApp).
   */
  start(): void;
  /** Resolves when this process has nothing queued or running that it can take now. */
  idle(): Promise<void>;
  /**
   * Takes no more jobs and resolves once the running one has stopped: at its next checkpoint, or
   * when libvips finishes the pass it is in (that pass cannot be interrupted). Its lease is given
   * back, so its images stay 'pending' and are resumed by the next process to look (this one's next
   * start, or another's). `{ keepLease: true }` stops as a killed process does: from now on no lease
   * is renewed or given back, so the job is free only once its lease runs out (tests of takeover).
   */
  stop(opts?: { keepLease?: boolean }): Promise<void>;
  /**
   * Starts no further job until release(): queued images stay 'pending' at 0% (a running job
   * finishes). Only the test-control route calls it (see test-control.ts), so an end-to-end test can
   * look at the 'pending' phase without racing the worker; idle() does not wait for held jobs.
   */
  hold(): void;
  /** Lets a held queue go on with its jobs. */
  release(): void;
  /** Whether hold() is in force. */
  readonly held: boolean;
}

/** A job this process holds, while it runs. */
interface Running {
  job: LeasedJob;
  /** Asked to stop: the bytes were removed, or the process is stopping. */
  cancelled: boolean;
  /** The lease ran out or was taken over: another process owns the job now. */
  lost: boolean;
  /** When the lease ends unless renewed (this process's clock). */
  leaseEnd: number;
}

/** Progress is written at most this often (it is for people watching a library page). */
const PROGRESS_EVERY_MS = 250;
/** Longest wait before an idle process looks for jobs queued by others or left by dead ones. */
const POLL_MAX_MS = 2000;

/**
 * The tile-pyramid worker of one process over the job table all processes share (`tile_jobs`).
 * One job at a time per process: a pyramid pass keeps one core busy for seconds (about 10 s for
 * 400 MP), and on a 2-core server the other core must stay free for editors' requests. A job is
 * taken under a lease that is renewed while it runs; when the process dies the lease runs out and
 * another process (polling while idle) takes the job over and builds the pyramid afresh.
 */
export const createTileQueue = (deps: {
  sql: Kysely<Database>;
  dialect: Dialect;
  storage: Storage;
  config: Config;
  log: Logger;
}): TileQueue => {
  const { storage, log } = deps;
  const repo = tileRepo(deps.sql, deps.dialect);
  const instance = randomUUID();
  const leaseMs = deps.config.tileLeaseMs;
  const renewMs = Math.max(10, Math.floor(leaseMs / 3));
  const pollMs = Math.min(POLL_MAX_MS, renewMs);
  /**
   * Deletions of bytes no image holds any more, ahead of new pyramids. Kept in memory: a process
   * that dies with some queued leaves files no row points at, which the next deletion of the same
   * bytes (or the stored-files sweep's call to remove()) clears; no image is affected.
   */
  const removals: string[] = [];
  /** Writes of queued jobs (and the start-up work), in call order so jobs keep upload order. */
  let queueing: Promise<void> = Promise.resolve();
  let current: Running | null = null;
  let pump: Promise<void> | null = null;
  let poller: NodeJS.Timeout | null = null;
  let started = false;
  let stopped = false;
  let held = false;
  /** stop({ keepLease }): nothing more is written about the lease this process holds. */
  let leaseKept = false;
  /** Something may be waiting that the running pump has not looked for yet. */
  let wanted = false;

  const schedule = () => {
    wanted = true;
    if (pump || !started || held || stopped) return;
    pump = drain()
      .catch((err) => {
        if (!stopped) log.error({ err }, "tile queue could not take a job; it tries again");
      })
      .finally(() => {
        pump = null;
        if (wanted) schedule();
      });
  };

  const drain = async () => {
    while (!stopped && !held) {
      const sha = removals.shift();
      if (sha !== undefined) {
        await runRemove(sha).catch((err) => log.warn({ err, sha }, "could not delete tiles"));
        continue;
      }
      wanted = false;
      const now = Date.now();
      const job = await repo.claim(instance, now, now + leaseMs);
      if (!job) return;
      await runJob({ job, cancelled: false, lost: false, leaseEnd: now + leaseMs });
    }
  };

  const runJob = async (run: Running) => {
    current = run;
    let renewing = false;
    const renewer = setInterval(() => {
      if (renewing || run.lost || leaseKept) return;
      renewing = true;
      const until = Date.now() + leaseMs;
      repo
        .renew(run.job, instance, until)
        .then((held) => {
          if (held) run.leaseEnd = until;
          else run.lost = true;
        })
        // Cannot reach the database: the job goes on while the lease it has lasts (see lostLease).
        .catch((err) => log.warn({ err, sha: run.job.sha256 }, "could not renew a tile job's lease"))
        .finally(() => {
          renewing = false;
        });
    }, renewMs);
    try {
      await runGenerate(run);
    } catch (err) {
      if (!stopped) log.error({ err, sha: run.job.sha256 }, "tile job failed unexpectedly");
    } finally {
      clearInterval(renewer);
      current = null;
    }
  };

  /** Past its lease's end, a job may be another process's already: this one must stop writing. */
  const lostLease = (run: Running) => {
    if (!run.lost && Date.now() >= run.leaseEnd) run.lost = true;
    return run.lost;
  };

  /** A job that stopped before the end: given back, or left to the process that took it over. */
  const interrupted = async (run: Running) => {
    const sha = run.job.sha256;
    if (lostLease(run)) {
      log.warn({ sha }, "tile job's lease ran out or was taken over; another process finishes it");
      // Its bytes were removed meanwhile: what this process wrote after the removal is nobody's.
      if (!(await repo.shaInUse(sha))) await deletePyramid(storage, sha);
      return;
    }
    if (!leaseKept) await repo.release(run.job, instance);
    if (stopped) log.info({ sha }, "tile pyramid interrupted; it resumes at the next start");
  };

  const runGenerate = async (run: Running) => {
    const { job } = run;
    const sha = job.sha256;
    const src = await repo.pendingSource(sha);
    if (!src) {
      await repo.drop(job, instance);
      return;
    }
    // A job taken over from a process that shared this temp folder: its work dir is a leftover.
    await removeWorkDirs((s) => s === sha);
    const existing = await readManifest(storage, sha).catch(() => null);
    if (existing?.complete && existing.width === src.width && existing.height === src.height) {
      // Same bytes already tiled for another project (or before a restart): nothing to compute.
      await repo.setReady(job, instance, existing.tileSize, existing.levels);
      return;
    }
    // An interrupted or foreign pyramid: clear it, so no key of an older layout outlives this one.
    await deletePyramid(storage, sha);
    // A resumed job starts over: progress from an interrupted run would only go backwards.
    await repo.setProgress(sha, 0);
    const t0 = Date.now();
    let lastWrite = 0;
    let lastFraction = 0;
    // One write at a time, in order, so progress never goes back on a pooled connection.
    let progressWrites: Promise<void> = Promise.resolve();
    const cancelled = () => run.cancelled || stopped || lostLease(run);
    try {
      const outcome = await generatePyramid(deps, src, {
        cancelled,
        progress: (fraction) => {
          const now = Date.now();
          if (cancelled() || fraction <= lastFraction || now - lastWrite < PROGRESS_EVERY_MS) return;
          lastWrite = now;
          lastFraction = fraction;
          const shown = Math.min(0.99, Math.round(fraction * 100) / 100);
          progressWrites = progressWrites
            .then(() => repo.setProgress(sha, shown))
            .catch((err) => log.warn({ err, sha }, "could not write tile progress"));
        },
      });
      await progressWrites;
      if (outcome.kind === "cancelled" || cancelled()) {
        await interrupted(run);
        return;
      }
      if (!(await repo.shaInUse(sha))) {
        await repo.dropSha(sha);
        await deletePyramid(storage, sha);
        return;
      }
      const { manifest } = outcome;
      const images = await repo.setReady(job, instance, manifest.tileSize, manifest.levels);
      if (images === null) {
        log.warn({ sha }, "tile pyramid built after its lease was taken over; the new holder marks it");
        return;
      }
      log.info(
        { sha, ms: Date.now() - t0, width: src.width, height: src.height, levels: manifest.levels, images },
        "tile pyramid ready",
      );
    } catch (err) {
      await progressWrites;
      // Stopping, or the images went away mid-pass (their original too): not a failure of the image.
      if (cancelled()) {
        await interrupted(run);
        return;
      }
      const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
      log.warn({ sha, reason }, "tile pyramid failed; the image keeps tile state 'failed'");
      await repo.setFailed(job, instance);
      await deletePyramid(storage, sha).catch(() => undefined);
    }
  };

  const runRemove = async (sha: string) => {
    if (await repo.shaInUse(sha)) return;
    // A process building it sees its lease gone at its next renewal and stops.
    await repo.dropSha(sha);
    await deletePyramid(storage, sha);
  };

  /** Removes the work dirs `which` picks (by the sha in their name; null for an old-layout name). */
  const removeWorkDirs = async (which: (sha: string | null) => boolean | Promise<boolean>) => {
    const names = await fsp.readdir(storage.tempDir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.startsWith(WORK_DIR_PREFIX) || !(await which(workDirSha(name)))) continue;
      await fsp.rm(path.join(storage.tempDir, name), { recursive: true, force: true });
    }
  };

  /** A crash's leftovers; not the work dir of a job another live process holds (a shared folder). */
  const removeStaleWorkDirs = async () => {
    const now = Date.now();
    await removeWorkDirs(async (sha) => sha === null || !(await repo.leasedAt(sha, now))).catch((err) =>
      log.warn({ err }, "could not clear leftover tile work dirs"),
    );
  };

  /** Runs a database write after the ones queued before it, then looks for work. */
  const queue = (write: () => Promise<void>, what: string) => {
    queueing = queueing
      .then(write)
      .then(schedule)
      .catch((err) => {
        // The images stay 'pending': the next start queues them again.
        if (!stopped) log.error({ err }, `could not ${what}`);
      });
  };

  return {
    instance,
    generate: (sha) => {
      if (stopped) return;
      queue(() => repo.enqueue(sha, Date.now()), "queue a tile pyramid");
    },
    remove: (sha) => {
      if (stopped) {
        // Stopping: do it now rather than leave files no row will ever point at again.
        void runRemove(sha).catch((err) => log.warn({ err, sha }, "could not delete tiles"));
        return;
      }
      if (current && current.job.sha256 === sha) current.cancelled = true;
      // Ahead of queued generation: a deletion should not wait behind a backlog of big uploads.
      removals.push(sha);
      schedule();
    },
    start: () => {
      if (started || stopped) return;
      started = true;
      queue(async () => {
        await removeStaleWorkDirs();
        await repo.enqueuePending(Date.now());
      }, "queue the images left pending");
      // Jobs other processes queue while this one is idle, and jobs whose process died.
      poller = setInterval(schedule, pollMs);
      poller.unref();
    },
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      schedule();
    },
    get held() {
      return held;
    },
    idle: async () => {
      for (;;) {
        await queueing;
        const p = pump;
        if (!p) return;
        await p;
      }
    },
    stop: async (opts = {}) => {
      stopped = true;
      leaseKept = opts.keepLease === true;
      if (poller) clearInterval(poller);
      if (current) current.cancelled = true;
      await queueing;
      while (pump) await pump;
      // Pending generation resumes from the database; pending deletions have no such record.
      for (const sha of removals.splice(0)) {
        await runRemove(sha).catch((err) => log.warn({ err, sha }, "could not delete tiles"));
      }
    },
  };
};
