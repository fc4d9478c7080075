import type { Logger } from "pino";
import type { Config } from "./config.js";
import type { Db } from "./db/database.js";
import type { StoredFiles } from "./modules/images/stored-files.js";
import type { TileJobs } from "./modules/tiles/queue.js";
import type { Storage } from "./storage/storage.js";

/** Everything a module needs, injected by createApp so tests can hand in a temp database. */
export interface Deps {
  db: Db;
  storage: Storage;
  config: Config;
  log: Logger;
  now: () => string;
  /** The background tile-pyramid worker (modules/tiles). */
  tiles: TileJobs;
  /** The reference rule for content-addressed files (modules/images/stored-files.ts). */
  files: StoredFiles;
}
