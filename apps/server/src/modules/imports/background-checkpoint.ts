import type { Worker } from "node:worker_threads";
import type { Deps } from "../../deps.js";
import { startWorker } from "../../workers/worker-entry.js";

/** Imports that write at least this many annotations have their WAL checkpointed off the main thread. */
export const BACKGROUND_CHECKPOINT_ROWS = 100_000;

/**
 * Copies the WAL into the database file from a worker thread with its own connection (a PASSIVE
 * checkpoint: it neither waits for nor blocks other connections), so the main thread does not do
 * it itself at the commit of a big import (~2.5 s for a million annotations). An in-memory
 * database has no WAL. Returns the worker (tests wait for it), or null when there is nothing to do.
 */
export const checkpointInBackground = (deps: Pick<Deps, "db" | "log">): Worker | null => {
  // PostgreSQL (no handle) checkpoints by itself; an in-memory SQLite database has no WAL.
  if (!deps.db || deps.db.memory) return null;
  const worker = startWorker("checkpoint-worker", { workerData: { dbFile: deps.db.name } }, import.meta.url);
  worker.on("error", (err) => deps.log.warn({ err }, "background WAL checkpoint failed; SQLite will retry"));
  worker.unref();
  return worker;
};
