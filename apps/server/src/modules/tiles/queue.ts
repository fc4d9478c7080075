import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { Config } from "../../config.js";
import type { Db } from "../../db/database.js";
import type { Storage } from "../../storage/storage.js";
import { generatePyramid, WORK_DIR_PREFIX } from "./generate.js";
import { tileRepo } from "./repo.js";
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
  /** Removes a crash's leftover work dirs and queues every image still 'pending' (called by createApp). */
  start(): void;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /**
   * Takes no more jobs and resolves once the running one has stopped: at its next checkpoint, or
   * when libvips finishes the pass it is in (that pass cannot be interrupted). Images it was working
   * on stay 'pending' and are resumed by the next start.
   */
  stop(): Promise<void>;
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

type Task = { kind: "generate" | "remove"; sha: string };

/** Progress is written at most this often (it is for people watching a library page). */
const PROGRESS_EVERY_MS = 250;

/**
 * One job at a time: a pyramid pass keeps one core busy for seconds (about 10 s for 400 MP), and on
 * a 2-core server the other core must stay free for editors' requests.
 */
export const createTileQueue = (deps: {
  db: Db;
  storage: Storage;
  config: Config;
  log: Logger;
}): TileQueue => {
  const { db, storage, log } = deps;
  const repo = tileRepo(db);
  const tasks: Task[] = [];
  let current: { task: Task; cancelled: boolean } | null = null;
  let pump: Promise<void> | null = null;
  let started = false;
  let stopped = false;
  let held = false;

  const halted = () => stopped || !db.open;

  const schedule = () => {
    if (pump || !started || held || halted() || tasks.length === 0) return;
    pump = drain().finally(() => {
      pump = null;
      schedule();
    });
  };

  const drain = async () => {
    while (!halted() && !held) {
      const task = tasks.shift();
      if (!task) return;
      const job = { task, cancelled: false };
      current = job;
      try {
        if (task.kind === "generate") await runGenerate(job);
        else await runRemove(task.sha);
      } catch (err) {
        if (!halted()) log.error({ err, sha: task.sha, task: task.kind }, "tile job failed unexpectedly");
      } finally {
        current = null;
      }
    }
  };

  const runGenerate = async (job: { task: Task; cancelled: boolean }) => {
    const sha = job.task.sha;
    const src = repo.pendingSource(sha);
    if (!src) return;
    const existing = await readManifest(storage, sha).catch(() => null);
    if (existing?.complete && existing.width === src.width && existing.height === src.height) {
      // Same bytes already tiled for another project (or before a restart): nothing to compute.
      repo.setReady(sha, existing.tileSize, existing.levels);
      return;
    }
    // An interrupted or foreign pyramid: clear it, so no key of an older layout outlives this one.
    await deletePyramid(storage, sha);
    // A resumed job starts over: progress from an interrupted run would only go backwards.
    repo.setProgress(sha, 0);
    const t0 = Date.now();
    let lastWrite = 0;
    let lastFraction = 0;
    const cancelled = () => job.cancelled || halted();
    try {
      const outcome = await generatePyramid(deps, src, {
        cancelled,
        progress: (fraction) => {
          const now = Date.now();
          if (cancelled() || fraction <= lastFraction || now - lastWrite < PROGRESS_EVERY_MS) return;
          lastWrite = now;
          lastFraction = fraction;
          repo.setProgress(sha, Math.min(0.99, Math.round(fraction * 100) / 100));
        },
      });
      if (outcome.kind === "cancelled" || halted()) {
        if (halted()) log.info({ sha }, "tile pyramid interrupted; it resumes at the next start");
        return;
      }
      if (!repo.shaInUse(sha)) {
        await deletePyramid(storage, sha);
        return;
      }
      const { manifest } = outcome;
      const images = repo.setReady(sha, manifest.tileSize, manifest.levels);
      log.info(
        { sha, ms: Date.now() - t0, width: src.width, height: src.height, levels: manifest.levels, images },
        "tile pyramid ready",
      );
    } catch (err) {
      // Stopping, or the images went away mid-pass (their original too): not a failure of the image.
      if (cancelled()) return;
      const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
      log.warn({ sha, reason }, "tile pyramid failed; the image keeps tile state 'failed'");
      repo.setFailed(sha);
      await deletePyramid(storage, sha).catch(() => undefined);
    }
  };

  const runRemove = async (sha: string) => {
    if (repo.shaInUse(sha)) return;
    await deletePyramid(storage, sha);
  };

  const removeStaleWorkDirs = () => {
    try {
      for (const name of fs.readdirSync(storage.tempDir)) {
        if (name.startsWith(WORK_DIR_PREFIX)) {
          fs.rmSync(path.join(storage.tempDir, name), { recursive: true, force: true });
        }
      }
    } catch (err) {
      log.warn({ err }, "could not clear leftover tile work dirs");
    }
  };

  return {
    generate: (sha) => {
      if (halted() || tasks.some((t) => t.kind === "generate" && t.sha === sha)) return;
      tasks.push({ kind: "generate", sha });
      schedule();
    },
    remove: (sha) => {
      if (halted()) {
        // Stopping: do it now rather than leave files no row will ever point at again.
        if (db.open) void runRemove(sha).catch((err) => log.warn({ err, sha }, "could not delete tiles"));
        return;
      }
      if (current?.task.kind === "generate" && current.task.sha === sha) current.cancelled = true;
      // Ahead of queued generation: a deletion should not wait behind a backlog of big uploads.
      tasks.unshift({ kind: "remove", sha });
      schedule();
    },
    start: () => {
      if (started || halted()) return;
      started = true;
      removeStaleWorkDirs();
      for (const sha of repo.pendingShas()) tasks.push({ kind: "generate", sha });
      schedule();
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
      while (pump) await pump;
    },
    stop: async () => {
      stopped = true;
      if (current) current.cancelled = true;
      while (pump) await pump;
      // Pending generation resumes from the database; pending deletions have no such record.
      const removals = tasks.filter((t) => t.kind === "remove");
      tasks.length = 0;
      for (const t of removals) {
        if (!db.open) break;
        await runRemove(t.sha).catch((err) => log.warn({ err, sha: t.sha }, "could not delete tiles"));
      }
    },
  };
};
