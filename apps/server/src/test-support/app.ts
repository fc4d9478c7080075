import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createApp, type LabelbenchApp } from "../app.js";
import { type Config, testConfig } from "../config.js";
import { type Db, migrate, openDatabase } from "../db/database.js";
import { LocalStorage } from "../storage/local-storage.js";

export interface TestApp {
  app: LabelbenchApp;
  db: Db;
  storage: LocalStorage;
  config: Config;
  /** Temp directory holding the SQLite file and the stored image files. */
  dir: string;
  /** Where LocalStorage keeps its files (`<dir>/files`). */
  filesDir: string;
  /** Stops the background tile worker, closes the database and removes the temp directory. */
  cleanup: () => Promise<void>;
}

/**
 * A real app over a real SQLite file and a real file store in a fresh temp directory, the way
 * main.ts wires it, minus listening. `overrides` tightens limits (small maxFileBytes, maxPixels).
 * Accounts are not enforced unless `options.enforceAuth` says so.
 */
export const makeTestApp = (
  overrides: Partial<Config> = {},
  options: { enforceAuth?: boolean } = {},
): TestApp => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-test-"));
  const config = testConfig(dir, overrides);
  const db = openDatabase(path.join(dir, "labelbench.sqlite"));
  migrate(db);
  const filesDir = path.join(dir, "files");
  const storage = new LocalStorage(filesDir);
  // The foundation's API tests run without accounts; the auth tests switch enforcement on.
  const app = createApp({ db, storage, config, webDist: null, enforceAuth: options.enforceAuth ?? false });
  return {
    app,
    db,
    storage,
    config,
    dir,
    filesDir,
    cleanup: async () => {
      await app.tiles.stop();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** Every regular file under `dir`, relative, sorted (to check what storage holds). */
export const listFiles = (dir: string): string[] => {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
};
