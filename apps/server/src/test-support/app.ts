import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Role } from "@labelbench/schema";
import express from "express";
import { AliasNode, type Kysely, type RootOperationNode, TableNode } from "kysely";
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
  /**
   * Runs `work` (requests to the app) and counts the queries it caused, transaction BEGIN/COMMIT
   * not counted. Only work started inside `work` counts: the app's background workers (heartbeat,
   * tile poller, start-up sweep), which run on their own schedule and take longer on PostgreSQL,
   * are not the request's cost.
   */
  countQueries: <T>(work: () => Promise<T>) => Promise<{ result: T; queries: number }>;
  /** PostgreSQL: the pool under `sql` (as deps.pgPool); undefined on SQLite. */
  pool: pg.Pool | undefined;
  /**
   * Another app over the same database and storage, as a second server process behind the same
   * load balancer would be: its own connection (a second SQLite handle on the file, a second
   * PostgreSQL pool), its own memory. `options` as makeTestApp's (the default token is shared).
   */
  sibling: (overrides?: Partial<Config>, options?: SiblingOptions) => Promise<LabelbenchApp>;
  storage: S;
  config: Config;
  /** Temp directory holding the SQLite file (on SQLite) and the stored image files. */
  dir: string;
  /** Where LocalStorage keeps its files (`<dir>/files`; unused when `options.storage` is given). */
  filesDir: string;
  /** Stops the background tile worker, closes (on PostgreSQL: drops) the database and removes the temp directory. */
  cleanup: () => Promise<void>;
}

interface SiblingOptions {
  anonymous?: boolean;
  now?: () => string;
  /** The code setup from another machine must bring (createApp's setupCode). */
  setupCode?: string;
}
/** What `afterQuery` is told of a query: its kind and the table it reads or writes first. */
export interface QuerySeen {
  kind: RootOperationNode["kind"];
  table: string | null;
}

export interface TestAppOptions<S extends Storage> extends SiblingOptions {
  /** false: no test admin and no default token, a fresh install whose setup page is open. */
  admin?: boolean;
  storedFilesHooks?: StoredFilesHooks;
  storage?: S;
  /**
   * A pause point after each query of the app (and of `sql`), before its caller sees the result:
   * to change the database, through a sibling, between two queries of one request.
   */
  afterQuery?: (query: QuerySeen) => Promise<void>;
}

/**
 * A real app over a real SQLite file and a real file store in a fresh temp directory, the way
 * main.ts wires it, minus listening. `overrides` tightens limits (small maxFileBytes, maxPixels).
 * Accounts are always enforced: the app has an admin, and a request that brings no credentials of
 * its own gets that admin's write token, so the API tests read like a script using a token would.
 * `options.anonymous` leaves credential-less requests anonymous (to test 401s); `options.admin`
 * false leaves the install without any account (and anonymous); `options.storedFilesHooks` pauses
 * the stored-file reference rule between its steps; `options.now` replaces the clock;
 * `options.storage` replaces the local file store (an S3Storage: test-support/s3.ts), which the
 * caller cleans up.
 */
export const makeTestApp = async <S extends Storage = LocalStorage>(
  overrides: Partial<Config> = {},
  options: TestAppOptions<S> = {},
): Promise<TestApp<S>> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-test-"));
  const database = await openTestDatabase(dir);
  const { dialect } = database;
  const db = database.sqlite;
  const counting = new AsyncLocalStorage<{ queries: number }>();
  const seen = new Map<unknown, QuerySeen>();
  const { afterQuery } = options;
  const sql = database.sql.withPlugin({
    transformQuery: (args) => {
      if (afterQuery) seen.set(args.queryId, { kind: args.node.kind, table: tableOf(args.node) });
      return args.node;
    },
    transformResult: async (args) => {
      const count = counting.getStore();
      if (count) count.queries++;
      const query = seen.get(args.queryId);
      seen.delete(args.queryId);
      if (afterQuery && query) await afterQuery(query);
      return args.result;
    },
  });
  const filesDir = path.join(dir, "files");
  // Without options.storage, S is its default, LocalStorage.
  const storage = options.storage ?? (new LocalStorage(filesDir) as Storage as S);
  const token =
    options.admin === false
      ? null
      : (await insertUserWithToken(sql, { email: TEST_ADMIN_EMAIL, name: "Test admin", role: "admin" }))
          .token;

  const build = (
    conn: { sqlite: Db | undefined; sql: Kysely<Database>; pool?: pg.Pool | undefined },
    config: Config,
    opts: SiblingOptions & { storedFilesHooks?: StoredFilesHooks | undefined },
  ): LabelbenchApp => {
    const inner = createApp({
      ...(conn.sqlite ? { db: conn.sqlite } : {}),
      connection: { kysely: conn.sql, dialect, ...(conn.pool ? { pool: conn.pool } : {}) },
      storage,
      config,
      webDist: null,
      ...(opts.storedFilesHooks ? { storedFilesHooks: opts.storedFilesHooks } : {}),
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.setupCode ? { setupCode: opts.setupCode } : {}),
    });
    const outer = express();
    outer.disable("x-powered-by");
    outer.use((req, _res, next) => {
      if (token && !opts.anonymous && !req.headers.authorization && !req.headers.cookie) {
        req.headers.authorization = `Bearer ${token}`;
      }
      next();
    });
    outer.use(inner);
    return Object.assign(outer, {
      tiles: inner.tiles,
      files: inner.files,
      backends: inner.backends,
    }) as LabelbenchApp;
  };

  const config = testConfig(dir, overrides);
  const app = build({ sqlite: db, sql, pool: database.pool }, config, options);
  const siblings: { app: LabelbenchApp; close: () => Promise<void> }[] = [];
  return {
    app,
    dialect,
    get db(): Db {
      return db ?? sqliteOnly();
    },
    sql,
    countQueries: async (work) => {
      // The store reaches what `work` starts: supertest's server listens inside it (when the
      // request is awaited, hence awaited in here), so every request it serves (and what those
      // requests start) runs in the store's context.
      const count = { queries: 0 };
      const result = await counting.run(count, async () => await work());
      return { result, queries: count.queries };
    },
    pool: database.pool,
    sibling: async (siblingOverrides = {}, siblingOptions = {}) => {
      const conn = await database.reopen();
      const other = build(conn, testConfig(dir, { ...overrides, ...siblingOverrides }), siblingOptions);
      siblings.push({ app: other, close: conn.close });
      return other;
    },
    storage,
    config,
    dir,
    filesDir,
    cleanup: async () => {
      for (const s of siblings) {
        await s.app.tiles.stop();
        await s.app.backends.stop();
        s.app.files.stop();
        await s.close();
      }
      await app.tiles.stop();
      await app.backends.stop();
      await app.files.stop();
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** The table a query names first (FROM, INTO, UPDATE, DELETE FROM), or null. */
const tableOf = (node: RootOperationNode): string | null => {
  const first =
    node.kind === "SelectQueryNode"
      ? node.from?.froms[0]
      : node.kind === "InsertQueryNode"
        ? node.into
        : node.kind === "UpdateQueryNode"
          ? node.table
          : node.kind === "DeleteQueryNode"
            ? node.from.froms[0]
            : undefined;
  const inner = first && AliasNode.is(first) ? first.node : first;
  return inner && TableNode.is(inner) ? inner.table.identifier.name : null;
};

/** What a PostgreSQL test app answers where code still asks for the SQLite handle. */
const sqliteOnly = (): never => {
  throw new Error(
    "this code path still uses the SQLite handle (deps.db / t.db); on PostgreSQL use Kysely (deps.sql / t.sql)",
  );
};

/**
 * A user with an API token, inserted the way the auth module does (its repo): `passwordHash` "!"
 * is no valid argon2 hash, so such a user signs in only through the token.
 */
export const insertUserWithToken = async (
  sql: Kysely<Database>,
  user: { email: string; name: string; role: Role; passwordHash?: string },
  scope: "read" | "write" = "write",
): Promise<{ userId: number; token: string }> => {
  const repo = authRepo(sql);
  const now = new Date().toISOString();
  const userId = await repo.insertUser({ passwordHash: "!", ...user }, now);
  const token = newSecret("lbt_");
  await repo.insertToken(
    { userId, name: "tests", hash: digest(token), prefix: token.slice(0, 10), scope, expiresAt: null },
    now,
  );
  return { userId, token };
};

export interface TestDatabase {
  dialect: Dialect;
  sql: Kysely<Database>;
  sqlite: Db | undefined;
  /** PostgreSQL: the pool under `sql` (COPY and other work that needs a client of its own). */
  pool?: pg.Pool | undefined;
  /** A second connection to the same database (another handle on the file, another pool). */
  reopen: () => Promise<{
    sql: Kysely<Database>;
    sqlite: Db | undefined;
    pool?: pg.Pool | undefined;
    close: () => Promise<void>;
  }>;
  close: () => Promise<void>;
}

/**
 * A migrated, empty database of the suite's backend, private to one test (app). `poolSize`: each
 * PostgreSQL pool's connections (this one's and those `reopen` makes).
 */
export const openTestDatabase = async (
  dir: string,
  opts: { poolSize?: number } = {},
): Promise<TestDatabase> => {
  if (TEST_BACKEND === "sqlite") {
    const file = path.join(dir, "labelbench.sqlite");
    const db = openDatabase(file);
    migrate(db);
    const sql = sqliteKysely(db);
    return {
      dialect: "sqlite",
      sql,
      sqlite: db,
      reopen: async () => {
        const other = openDatabase(file);
        const otherSql = sqliteKysely(other);
        return { sql: otherSql, sqlite: other, close: () => otherSql.destroy() };
      },
      close: () => sql.destroy(),
    };
  }
  const poolSize = opts.poolSize ?? 4;
  const scratch = await migratedTemplate().then((t) => t.clone());
  const conn = await openDb(scratch.url, { poolSize });
  return {
    dialect: "postgres",
    sql: conn.kysely,
    sqlite: undefined,
    pool: conn.dialect === "postgres" ? conn.pool : undefined,
    reopen: async () => {
      const other = await openDb(scratch.url, { poolSize });
      return {
        sql: other.kysely,
        sqlite: undefined,
        pool: other.dialect === "postgres" ? other.pool : undefined,
        close: other.close,
      };
    },
    close: async () => {
      await conn.close();
      await scratch.drop();
    },
  };
};

export interface ProcessesDatabase {
  dialect: Dialect;
  /** The first process's connection. */
  sql: Kysely<Database>;
  /** Another process's connection: a pool of its own on PostgreSQL, `sql` itself on SQLite. */
  connection: () => Promise<Kysely<Database>>;
  /** Closes every connection, drops the database (PostgreSQL) and removes its temp folder. */
  close: () => Promise<void>;
}

/**
 * A fresh database of the suite's backend as several server processes reach it, below the HTTP
 * layer. On PostgreSQL each `connection()` is a pool of its own, so the processes' transactions
 * really run at once and meet on row locks. On SQLite it is the one connection again: two
 * better-sqlite3 handles in one thread would block it (a write waits, synchronously, on the other
 * handle's open transaction, which cannot finish meanwhile), where two processes' writers take
 * turns, as one connection makes them do.
 */
export const openProcessesDatabase = async (opts: { poolSize?: number } = {}): Promise<ProcessesDatabase> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-processes-"));
  const database = await openTestDatabase(dir, opts);
  const others: (() => Promise<void>)[] = [];
  return {
    dialect: database.dialect,
    sql: database.sql,
    connection: async () => {
      if (database.dialect === "sqlite") return database.sql;
      const other = await database.reopen();
      others.push(other.close);
      return other.sql;
    },
    close: async () => {
      for (const close of others.splice(0)) await close();
      await database.close();
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
