import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import express from "express";
import type { Kysely } from "kysely";
import type pg from "pg";
import { createApp, type LabelbenchApp } from "../app.js";
import { type Config, testConfig } from "../config.js";
import { type Dialect, openDb, sqliteKysely } from "../db/connect.js";
import { type Db, migrate, openDatabase } from "../db/database.js";
import type { Database } from "../db/schema.js";
import { authRepo } from "../modules/auth/repo.js";
import { digest, newSecret } from "../modules/auth/secrets.js";
import type { StoredFilesHooks } from "../modules/images/stored-files.js";
import { LocalStorage } from "../storage/local-storage.js";
import type { Storage } from "../storage/storage.js";
import { migratedTemplate, TEST_DATABASE_URL } from "./postgres.js";

/**
 * Which database the server suites run on: SQLite unless LABELBENCH_TEST_BACKEND=postgres (with
 * LABELBENCH_TEST_DATABASE_URL naming a server a role may create databases on), when every test app
 * gets a fresh database cloned from a migrated template.
 */
export const TEST_BACKEND: Dialect =
  process.env.LABELBENCH_TEST_BACKEND === "postgres" ? "postgres" : "sqlite";
if (TEST_BACKEND === "postgres" && !TEST_DATABASE_URL)
  throw new Error(
    "LABELBENCH_TEST_BACKEND=postgres needs LABELBENCH_TEST_DATABASE_URL (node scripts/test-services.mjs start)",
  );

/** The admin every test app has; requests without credentials of their own act as this admin. */
export const TEST_ADMIN_EMAIL = "test-admin@example.com";

export interface TestApp<S extends Storage = LocalStorage> {
  app: LabelbenchApp;
  dialect: Dialect;
  /** The better-sqlite3 handle: SQLite only (reading it on PostgreSQL throws; use `sql`). */
  db: Db;
  /** The database through Kysely, as modules see it (deps.sql): use it to inspect rows on both backends. */
  sql: Kysely<Database>;
  storage: S;
  config: Config;
  /** Temp directory holding the SQLite file (on SQLite) and the stored image files. */
  dir: string;
  /** Where LocalStorage keeps its files (`<dir>/files`; unused when `options.storage` is given). */
  filesDir: string;
  /** Stops the background tile worker, closes (on PostgreSQL: drops) the database and removes the temp directory. */
  cleanup: () => Promise<void>;
  /** What `options.sharing` needs to open a second app over the same database, storage and admin. */
  readonly shared: { target: string; token: string };
}

/**
 * A real app over a real SQLite file and a real file store in a fresh temp directory, the way
 * main.ts wires it, minus listening. `overrides` tightens limits (small maxFileBytes, maxPixels).
 * Accounts are always enforced: the app has an admin, and a request that brings no credentials of
 * its own gets that admin's write token, so the API tests read like a script using a token would.
 * `options.anonymous` leaves credential-less requests anonymous (to test 401s);
 * `options.storedFilesHooks` pauses the stored-file reference rule between its steps; `options.now`
 * replaces the clock; `options.storage` replaces the local file store (an S3Storage: test-support/s3.ts),
 * which the caller cleans up. `options.sharing` makes a second server process of another test app:
 * its own connection to the same database, the same storage and admin; its cleanup closes only its
 * own connection (the first app's cleanup removes the rest), so clean it up first.
 */
export const makeTestApp = async <S extends Storage = LocalStorage>(
  overrides: Partial<Config> = {},
  options: {
    anonymous?: boolean;
    storedFilesHooks?: StoredFilesHooks;
    now?: () => string;
    storage?: S;
    sharing?: TestApp<S>;
  } = {},
): Promise<TestApp<S>> => {
  const { sharing } = options;
  const dir = sharing?.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-test-"));
  const config = testConfig(dir, overrides);
  const database = sharing ? await reopenTestDatabase(sharing.shared.target) : await openTestDatabase(dir);
  const { sql, dialect } = database;
  const db = database.sqlite;
  const filesDir = path.join(dir, "files");
  // Without options.storage, S is its default, LocalStorage.
  const storage = options.storage ?? sharing?.storage ?? (new LocalStorage(filesDir) as Storage as S);
  const inner = createApp({
    db: db ?? sqliteOnly(),
    connection: { kysely: sql, dialect, ...(database.pool ? { pool: database.pool } : {}) },
    storage,
    config,
    webDist: null,
    ...(options.storedFilesHooks ? { storedFilesHooks: options.storedFilesHooks } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const token = sharing?.shared.token ?? insertAdmin(db ?? sqliteOnly());
  const outer = express();
  outer.disable("x-powered-by");
  outer.use((req, _res, next) => {
    if (!options.anonymous && !req.headers.authorization && !req.headers.cookie) {
      req.headers.authorization = `Bearer ${token}`;
    }
    next();
  });
  outer.use(inner);
  const app = Object.assign(outer, { tiles: inner.tiles, files: inner.files }) as LabelbenchApp;
  return {
    app,
    dialect,
    get db(): Db {
      return db ?? sqliteOnly();
    },
    sql,
    storage,
    config,
    dir,
    filesDir,
    cleanup: async () => {
      await app.tiles.stop();
      app.files.stop();
      await database.close();
      if (!sharing) fs.rmSync(dir, { recursive: true, force: true });
    },
    shared: { target: database.target, token },
  };
};

/** The admin every test app has, with a write token (returned). */
const insertAdmin = (db: Db): string => {
  const repo = authRepo(db);
  const now = new Date().toISOString();
  // Not a valid argon2 hash: this admin signs in only through its token.
  const adminId = repo.insertUser(
    { email: TEST_ADMIN_EMAIL, name: "Test admin", role: "admin", passwordHash: "!" },
    now,
  );
  const token = newSecret("lbt_");
  repo.insertToken(
    {
      userId: adminId,
      name: "tests",
      hash: digest(token),
      prefix: token.slice(0, 10),
      scope: "write",
      expiresAt: null,
    },
    now,
  );
  return token;
};

/** What a PostgreSQL test app answers where code still asks for the SQLite handle. */
const sqliteOnly = (): never => {
  throw new Error(
    "this code path still uses the SQLite handle (deps.db / t.db); on PostgreSQL use Kysely (deps.sql / t.sql)",
  );
};

interface TestDatabase {
  dialect: Dialect;
  sql: Kysely<Database>;
  sqlite: Db | undefined;
  /** The SQLite file or the PostgreSQL URL. */
  target: string;
  /** PostgreSQL: the pool under `sql`. */
  pool?: pg.Pool;
  close: () => Promise<void>;
}

/** A migrated, empty database of the suite's backend, private to one test app. */
const openTestDatabase = async (dir: string): Promise<TestDatabase> => {
  if (TEST_BACKEND === "sqlite") {
    const file = path.join(dir, "labelbench.sqlite");
    const db = openDatabase(file);
    migrate(db);
    const sql = sqliteKysely(db);
    return { dialect: "sqlite", sql, sqlite: db, target: file, close: () => sql.destroy() };
  }
  const scratch = await migratedTemplate().then((t) => t.clone());
  const conn = await openDb(scratch.url, { poolSize: 4 });
  return {
    dialect: "postgres",
    sql: conn.kysely,
    sqlite: undefined,
    target: scratch.url,
    ...(conn.dialect === "postgres" ? { pool: conn.pool } : {}),
    close: async () => {
      await conn.close();
      await scratch.drop();
    },
  };
};

/** A second connection to a test app's database, as another server process has. */
const reopenTestDatabase = async (target: string): Promise<TestDatabase> => {
  const conn = await openDb(target, { poolSize: 4 });
  return {
    dialect: conn.dialect,
    sql: conn.kysely,
    sqlite: conn.sqlite,
    target,
    ...(conn.dialect === "postgres" ? { pool: conn.pool } : {}),
    close: () => conn.close(),
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
