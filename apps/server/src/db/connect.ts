import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
} from "kysely";
import type pg from "pg";
import { type Db, openDatabase } from "./database.js";
import type { Database } from "./schema.js";

export type Dialect = "sqlite" | "postgres";

interface Common {
  kysely: Kysely<Database>;
  /** Where the database is, safe to log: a PostgreSQL URL without its password, or the SQLite file. */
  label: string;
  /** Ends the pool (PostgreSQL) or closes the file (SQLite). */
  close(): Promise<void>;
}
export interface SqliteConnection extends Common {
  dialect: "sqlite";
  /** The better-sqlite3 handle Kysely runs on, for synchronous hot paths and the modules not yet ported. */
  sqlite: Db;
}
export interface PostgresConnection extends Common {
  dialect: "postgres";
  sqlite?: undefined;
  pool: pg.Pool;
}
export type DbConnection = SqliteConnection | PostgresConnection;

export interface OpenOptions {
  /** Most PostgreSQL connections this process holds (LABELBENCH_DATABASE_POOL); default 10. */
  poolSize?: number;
  /** How long a PostgreSQL connection attempt may take before the start fails; default 10 s. */
  connectTimeoutMs?: number;
}

/** A failure to reach or open the configured database: the message is for the operator as is. */
export class DatabaseStartError extends Error {
  override name = "DatabaseStartError";
}

export const isPostgresUrl = (target: string): boolean => /^postgres(ql)?:\/\//i.test(target);

/** The URL with its password replaced, for messages and logs. */
export const redactUrl = (url: string): string => {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
  }
};

/**
 * Kysely's SQLite driver holds the one connection behind a mutex, so its transactions never
 * interleave; they begin IMMEDIATE (taking the write lock at BEGIN) so that a transaction that reads
 * and then writes waits for another process's writer (busy_timeout) instead of failing with
 * SQLITE_BUSY at its first write, as a deferred BEGIN would.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #db: SqliteDatabase;
  constructor(db: Db) {
    const cached = withStatementCache(db);
    super({ database: cached });
    this.#db = cached;
  }
  override createDriver() {
    return new ImmediateSqliteDriver({ database: this.#db });
  }
}

/** Statements kept per handle: more than the distinct queries the app runs, bounded for SQL whose text varies. */
const STATEMENT_CACHE_SIZE = 500;
/**
 * Kysely's SQLite driver prepares every query it runs; preparing costs several times what running a
 * point lookup does, so statements are kept by SQL text (least recently used dropped first). Reusing
 * one is safe: the driver runs one query at a time on its one connection.
 */
const withStatementCache = (db: Db): SqliteDatabase => {
  const statements = new Map<string, ReturnType<Db["prepare"]>>();
  return {
    close: () => db.close(),
    prepare: (text) => {
      let stmt = statements.get(text);
      if (stmt) statements.delete(text);
      else stmt = db.prepare(text);
      statements.set(text, stmt);
      if (statements.size > STATEMENT_CACHE_SIZE) {
        const oldest = statements.keys().next();
        if (!oldest.done) statements.delete(oldest.value);
      }
      return stmt;
    },
  };
};

/** A Kysely instance over an open better-sqlite3 handle; destroying it closes the handle. */
export const sqliteKysely = (db: Db): Kysely<Database> =>
  new Kysely<Database>({ dialect: new ImmediateSqliteDialect(db) });

const INT8 = 20;
const NUMERIC = 1700;
/**
 * pg returns int8 as a string, since it may exceed 2^53. Our ids, counts and ms times never do; a
 * value that did is refused rather than rounded. numeric (what SUM over bigint and AVG return) is
 * read as a number too: no column is numeric, so it only carries such aggregates.
 */
const int8 = (text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n))
    throw new Error(`the database returned the integer ${text}, beyond what JavaScript represents exactly`);
  return n;
};
const pgTypes = (pg: typeof import("pg").default) => ({
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8
      ? int8
      : oid === NUMERIC
        ? Number
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
});

/** Turns a connection failure into one sentence naming the database (never its password). */
export const describeConnectError = (label: string, err: unknown): string => {
  const e = err as { code?: string; message?: string };
  const url = new URL(label);
  const user = decodeURIComponent(url.username) || "(default user)";
  const database = decodeURIComponent(url.pathname.slice(1)) || user;
  switch (e.code) {
    case "ECONNREFUSED":
      return `cannot connect to PostgreSQL at ${label}: nothing is listening at ${url.host} (is the server running, and is the port right?)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot connect to PostgreSQL at ${label}: the host name ${url.hostname} does not resolve`;
    case "28P01":
    case "28000":
      return `PostgreSQL at ${label} refused the credentials of user "${user}": ${e.message ?? ""} (check the user and password in LABELBENCH_DATABASE_URL)`;
    case "3D000":
      return `PostgreSQL at ${label} has no database "${database}": create it (createdb -O ${user} ${database}) or fix the URL`;
    default:
      return `cannot connect to PostgreSQL at ${label}: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ""}`;
  }
};

const openPostgres = async (url: string, opts: OpenOptions): Promise<PostgresConnection> => {
  const label = redactUrl(url);
  if (!URL.canParse(url))
    throw new DatabaseStartError(`LABELBENCH_DATABASE_URL is not a valid URL: "${label}"`);
  // pg is loaded here, not with the server: a server on SQLite need not hold its ~14 MB.
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    types: pgTypes(pg),
  });
  // An idle client losing its server (a restart) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  try {
    // Fails now, with the reason, rather than at the first request.
    await pool.query("SELECT 1");
  } catch (err) {
    await pool.end().catch(() => {});
    throw new DatabaseStartError(
      (err as Error).message.includes("timeout")
        ? `cannot connect to PostgreSQL at ${label}: no answer within ${(opts.connectTimeoutMs ?? 10_000) / 1000} s`
        : describeConnectError(label, err),
    );
  }
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { dialect: "postgres", kysely, pool, label, close: () => kysely.destroy() };
};

const openSqlite = (file: string): SqliteConnection => {
  let sqlite: Db;
  try {
    sqlite = openDatabase(file);
  } catch (err) {
    throw new DatabaseStartError(`cannot open the SQLite database ${file}: ${(err as Error).message}`);
  }
  const kysely = sqliteKysely(sqlite);
  return {
    dialect: "sqlite",
    kysely,
    sqlite,
    label: file,
    // Kysely's SQLite driver closes the handle it was given.
    close: () => kysely.destroy(),
  };
};

/** Opens PostgreSQL for a postgres:// URL, else the SQLite file at that path (created if missing). */
export const openDb = async (target: string, opts: OpenOptions = {}): Promise<DbConnection> =>
  isPostgresUrl(target) ? openPostgres(target, opts) : openSqlite(target);

/**
 * Where the server's database is: LABELBENCH_DATABASE_URL (postgres://…) when set, else the SQLite
 * file in the data folder; LABELBENCH_DATABASE_POOL bounds PostgreSQL connections per process.
 */
export const databaseFromEnv = (
  env: NodeJS.ProcessEnv,
  sqliteFile: string,
): { target: string; poolSize: number } => {
  const url = env.LABELBENCH_DATABASE_URL?.trim();
  if (url && !isPostgresUrl(url))
    throw new DatabaseStartError(
      `LABELBENCH_DATABASE_URL must be a postgres:// (or postgresql://) URL, got "${redactUrl(url)}"; leave it unset to use SQLite in the data folder`,
    );
  const pool = env.LABELBENCH_DATABASE_POOL?.trim();
  const poolSize = pool ? Number(pool) : 10;
  if (!Number.isInteger(poolSize) || poolSize < 1)
    throw new DatabaseStartError(`LABELBENCH_DATABASE_POOL must be a positive whole number, got "${pool}"`);
  return { target: url || sqliteFile, poolSize };
};
