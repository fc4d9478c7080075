import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { naturalSortKey } from "@labelbench/schema";
import Database from "better-sqlite3";

export type Db = Database.Database;

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** Opens (creating if needed) the SQLite file with the pragmas every connection needs. */
export const openDatabase = (file: string): Db => {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  db.pragma("synchronous = NORMAL");
  return db;
};

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const loadMigrations = (dir = MIGRATIONS_DIR): Migration[] => {
  const migrations = fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}-.+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number(f.slice(0, 4)),
      name: f,
      sql: fs.readFileSync(path.join(dir, f), "utf8"),
    }));
  // Two branches picking the same number would otherwise make one of them silently never run.
  migrations.forEach((m, i) => {
    const prev = migrations[i - 1];
    if (prev && prev.version === m.version)
      throw new Error(`migrations ${prev.name} and ${m.name} share version ${m.version}; renumber one`);
  });
  return migrations;
};

/**
 * Functions migrations may call to backfill columns the application computes (SQL alone cannot):
 * registered on the migrating connection only, so no table, trigger or index depends on them.
 */
const registerMigrationFunctions = (db: Db) => {
  db.function("natural_sort_key", { deterministic: true }, (name: unknown) => naturalSortKey(String(name)));
};

/** Applies every pending numbered migration in one transaction: all of them or none. */
export const migrate = (db: Db, migrations = loadMigrations()): number[] => {
  registerMigrationFunctions(db);
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  const applied = new Set(
    db
      .prepare("SELECT version FROM schema_migrations")
      .all()
      .map((r) => (r as { version: number }).version),
  );
  const pending = migrations.filter((m) => !applied.has(m.version));
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    }
  })();
  return pending.map((m) => m.version);
};
