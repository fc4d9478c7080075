import type { Kysely } from "kysely";
import type pg from "pg";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import type { Dialect } from "./db/connect.js";
import type { Db } from "./db/database.js";
import type { Database } from "./db/schema.js";
import type { StoredFiles } from "./modules/images/stored-files.js";
import type { BackendJobs } from "./modules/model-backends/backend-jobs.js";
import type { TileJobs } from "./modules/tiles/queue.js";
import type { Storage } from "./storage/storage.js";

/** Everything a module needs, injected by createApp so tests can hand in a temp database. */
export interface Deps {
  /**
   * SQLite only: the better-sqlite3 handle under `sql`, for the hot paths that stay synchronous on
   * SQLite behind a dialect switch (an export's snapshot file, an import's attached staging file,
   * the WAL checkpoint). Undefined on PostgreSQL; everything else uses `sql`.
   */
  db?: Db;
  /** The database through Kysely, one query for both dialects (db/connect.ts). */
  sql: Kysely<Database>;
  dialect: Dialect;
  /** PostgreSQL only: the pool under `sql`, for what Kysely cannot say (an import's COPY). */
  pgPool?: pg.Pool;
  storage: Storage;
  config: Config;
  log: Logger;
  now: () => string;
  /** The background tile-pyramid worker (modules/tiles). */
  tiles: TileJobs;
  /** The reference rule for content-addressed files (modules/images/stored-files.ts). */
  files: StoredFiles;
  /** The model-backend worker (modules/model-backends): prediction jobs and training webhooks. */
  backends: BackendJobs;
}

/** The SQLite handle, for a path that runs only on SQLite (behind a dialect check). */
export const sqliteHandle = (deps: Pick<Deps, "db">): Db => {
  if (!deps.db)
    throw new Error("an SQLite-only path ran without the SQLite handle (is the dialect check missing?)");
  return deps.db;
};
