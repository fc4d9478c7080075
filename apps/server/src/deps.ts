import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import type { Dialect } from "./db/connect.js";
import type { Db } from "./db/database.js";
import type { Database } from "./db/schema.js";
import type { StoredFiles } from "./modules/images/stored-files.js";
import type { TileJobs } from "./modules/tiles/queue.js";
import type { Storage } from "./storage/storage.js";

/** Everything a module needs, injected by createApp so tests can hand in a temp database. */
export interface Deps {
  /** The better-sqlite3 handle: modules not yet on `sql` use it (SQLite only). */
  db: Db;
  /** The database through Kysely, one query for both dialects (db/connect.ts). */
  sql: Kysely<Database>;
  dialect: Dialect;
  /**
   * The PostgreSQL URL, password included, for workers that open their own connection (an export's
   * snapshot); undefined on SQLite. Never log it: `redactUrl` (db/connect.ts) gives a loggable form.
   */
  databaseUrl?: string;
  storage: Storage;
  config: Config;
  log: Logger;
  now: () => string;
  /** The background tile-pyramid worker (modules/tiles). */
  tiles: TileJobs;
  /** The reference rule for content-addressed files (modules/images/stored-files.ts). */
  files: StoredFiles;
}
