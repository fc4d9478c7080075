import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { naturalSortKey } from "@labelbench/schema";
import Database from "better-sqlite3";

export type Db = Database.Database;

/** Each dialect has its own folder of migrations, numbered alike (migrations/sqlite, migrations/postgres). */
export const migrationsDir = (dialect: "sqlite" | "postgres"): string =>
  path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations", dialect);

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

export const loadMigrations = (dir = migrationsDir("sqlite")): Migration[] => {
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

/**
 * A database a newer Labelbench migrated has tables and meanings this code does not know: writing to
 * it could corrupt what the newer version relies on, so the start stops instead.
 */
export const refuseNewerSchema = (
  applied: { version: number; name: string }[],
  known: Migration[],
  where: string,
) => {
  const newest = known.reduce((max, m) => Math.max(max, m.version), 0);
  const unknown = applied.filter((a) => a.version > newest).sort((a, b) => a.version - b.version);
  const last = unknown[unknown.length - 1];
  if (last)
    throw new Error(
      `the database ${where} has schema version ${last.version} (${last.name}), newer than this Labelbench knows (up to ${newest}): run the Labelbench version that migrated it, or a newer one`,
    );
};

/**
 * Applies every pending numbered migration in one transaction: all of them or none. IMMEDIATE takes
 * the write lock before reading what is applied, so two processes starting at once migrate once.
 */
export const migrate = (db: Db, migrations = loadMigrations(), where = db.name): number[] => {
  registerMigrationFunctions(db);
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  // SQLite changes a constraint by rebuilding the table (0012 rebuilds `users`): with foreign keys
  // on, dropping the old table would cascade into every row that points at it. So migrations run
  // with them off, as SQLite's own procedure says, and are checked before the commit instead. The
  // pragma is a no-op inside a transaction, hence set around it.
  db.pragma("foreign_keys = OFF");
  try {
    return db
      .transaction(() => {
        const applied = db.prepare("SELECT version, name FROM schema_migrations").all() as {
          version: number;
          name: string;
        }[];
        refuseNewerSchema(applied, migrations, where);
        const done = new Set(applied.map((r) => r.version));
        const pending = migrations.filter((m) => !done.has(m.version));
        for (const m of pending) {
          db.exec(m.sql);
          db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
            m.version,
            m.name,
            new Date().toISOString(),
          );
        }
        const broken = db.pragma("foreign_key_check") as { table: string; parent: string }[];
        if (broken.length > 0) {
          const first = broken[0];
          throw new Error(
            `migrations left ${broken.length} row(s) pointing at missing rows (first: ${first?.table} -> ${first?.parent})`,
          );
        }
        return pending.map((m) => m.version);
      })
      .immediate();
  } finally {
    db.pragma("foreign_keys = ON");
  }
};
