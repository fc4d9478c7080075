import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type DbConnection, type Dialect, openDb } from "../db/connect.js";
import type { Migration } from "../db/database.js";
import { migrateDb } from "../db/migrate.js";
import { scratchDatabase } from "./postgres.js";

/**
 * A fresh database of the dialect (a scratch database on the test PostgreSQL server, or a SQLite
 * file in a temp folder), migrated with `migrations` (default: the dialect's own). Each step that
 * undoes it goes to `cleanups`, to be run in reverse after the test.
 */
export const migratedDb = async (
  dialect: Dialect,
  cleanups: (() => Promise<void>)[],
  migrations?: Migration[],
): Promise<{ conn: DbConnection; target: string }> => {
  let target: string;
  if (dialect === "postgres") {
    const scratch = await scratchDatabase();
    cleanups.push(scratch.drop);
    target = scratch.url;
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-db-"));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    target = path.join(dir, "db.sqlite");
  }
  const conn = await openDb(target, { poolSize: 2 });
  cleanups.push(conn.close);
  await migrateDb(conn, migrations);
  return { conn, target };
};
