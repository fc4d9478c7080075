import { workerData } from "node:worker_threads";
import Database from "better-sqlite3";

/**
 * Copies a big commit's pages from the WAL into the database file on a connection of its own, off
 * the main thread (see `checkpointInBackground` in import.ts). PASSIVE: never waits for, nor
 * blocks, the readers and writers of the other connections.
 */
const { dbFile } = workerData as { dbFile: string };
const db = new Database(dbFile, { fileMustExist: true });
try {
  db.pragma("busy_timeout = 5000");
  db.pragma("wal_checkpoint(PASSIVE)");
} finally {
  db.close();
}
