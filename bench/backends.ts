/**
 * The two database backends the server cases run on, side by side in one bench run.
 *
 * BENCH_BACKENDS=sqlite,postgres (the default) runs each such case on SQLite + the local folder,
 * then on PostgreSQL + an S3 bucket. PostgreSQL is the server the test suites use
 * (LABELBENCH_TEST_DATABASE_URL and LABELBENCH_TEST_STORAGE_URL, from the environment or from the
 * `.test-services/env` file `node scripts/test-services.mjs start` writes; BENCH_DATABASE_URL
 * overrides the database): every case gets a scratch database of its own (a copy of a loaded
 * template for the dataset cases) and a bucket of its own, both removed after it. Without a
 * PostgreSQL server the PostgreSQL column is skipped, and the table says so.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import Database from "better-sqlite3";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { openDb } from "../apps/server/src/db/connect.js";
import { migrateDb } from "../apps/server/src/db/migrate.js";
import { makeTestBucket, testS3 } from "../apps/server/src/test-support/s3.js";
import type { Row } from "./report.js";
import { type RunningServer, startServer } from "./server.js";

export type Backend = "sqlite" | "postgres";
export const BACKEND_LABEL: Record<Backend, string> = { sqlite: "SQLite", postgres: "PostgreSQL" };

const root = path.resolve(import.meta.dirname, "..");

/** `KEY='value'` lines, as scripts/test-services.mjs writes them; variables already set win. */
const loadServicesEnv = () => {
  const file = path.join(root, ".test-services/env");
  if (!fs.existsSync(file)) return;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(?:'([^']*)'|(.*))$/.exec(line.trim());
    if (m?.[1] && !process.env[m[1]]) process.env[m[1]] = m[2] ?? m[3] ?? "";
  }
};
loadServicesEnv();

/** The PostgreSQL server (a role that may create databases) the bench may use, if any. */
export const benchDatabaseUrl = (): string | undefined =>
  process.env.BENCH_DATABASE_URL || process.env.LABELBENCH_TEST_DATABASE_URL || undefined;

const requested = (process.env.BENCH_BACKENDS ?? "sqlite,postgres")
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
for (const b of requested)
  if (b !== "sqlite" && b !== "postgres")
    throw new Error(`BENCH_BACKENDS: "${b}" is not a backend (sqlite, postgres)`);

const s3 = testS3(process.env);
/** Why the PostgreSQL column is missing from this run, or null when it runs. */
export const postgresSkipped: string | null = !requested.includes("postgres")
  ? "not requested (BENCH_BACKENDS)"
  : !benchDatabaseUrl()
    ? "no PostgreSQL server: set LABELBENCH_TEST_DATABASE_URL (or run `node scripts/test-services.mjs start`)"
    : !s3
      ? "no S3 server: set LABELBENCH_TEST_STORAGE_URL and AWS_* (or run `node scripts/test-services.mjs start`)"
      : null;
if (postgresSkipped && process.env.BENCH_BACKENDS?.includes("postgres"))
  throw new Error(`BENCH_BACKENDS asks for PostgreSQL, but ${postgresSkipped}`);

export const backends: Backend[] = requested.filter(
  (b): b is Backend => b === "sqlite" || (b === "postgres" && !postgresSkipped),
);

const admin = async <T>(work: (c: pg.Client) => Promise<T>): Promise<T> => {
  const c = new pg.Client({ connectionString: benchDatabaseUrl() });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
};

let seq = 0;
const scratchName = (kind: string) => `lbbench_${kind}_${process.pid}_${++seq}`;
export const urlOf = (name: string) => {
  const u = new URL(benchDatabaseUrl() ?? "");
  u.pathname = `/${name}`;
  return u.toString();
};
const dropDatabase = (name: string) => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

const templates = new Map<string, Promise<string>>();
/** Dropped at the end of the run (run.ts calls dropTemplates). */
export const dropTemplates = async () => {
  for (const t of templates.values()) await dropDatabase(await t.catch(() => "")).catch(() => {});
  templates.clear();
};

/** COPY's text format: backslash, tab and line breaks escaped, NULL as \N. */
const copyText = (v: unknown): string => {
  if (v === null || v === undefined) return "\\N";
  const s = String(v);
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
    : s;
};

/** The tables a generated dataset fills (and the status counts, computed after). */
const DATASET_TABLES = ["projects", "labels", "images", "annotations", "image_tags"];
/** Tables keyed by (image, label): no id sequence to move past the loaded rows. */
const WITHOUT_ID = new Set(["image_tags"]);

/**
 * A PostgreSQL database holding the same rows as a generated SQLite dataset (ids included),
 * migrated by the server's own migrations, loaded with COPY, then vacuumed and analyzed as
 * autovacuum would have left a database that has run a while. Made once per dataset; every case
 * runs on a copy (CREATE DATABASE … TEMPLATE).
 */
export const loadTemplate = (sqliteFile: string): Promise<string> => {
  const known = templates.get(sqliteFile);
  if (known) return known;
  const made = (async () => {
    const name = scratchName("tpl");
    await admin((c) => c.query(`CREATE DATABASE ${name}`));
    const t0 = performance.now();
    const conn = await openDb(urlOf(name), { poolSize: 1 });
    try {
      await migrateDb(conn);
    } finally {
      await conn.close();
    }
    const src = new Database(sqliteFile, { readonly: true });
    const client = new pg.Client({ connectionString: urlOf(name) });
    await client.connect();
    try {
      // The status counts' row trigger upserts one row per image: 100,000 versions of the same
      // row in one transaction, each found by walking the ones before it (minutes, quadratic).
      // The counts are made once after the load instead.
      await client.query("ALTER TABLE images DISABLE TRIGGER USER");
      for (const table of DATASET_TABLES) {
        const cols = (
          await client.query<{ column_name: string }>(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position",
            [table],
          )
        ).rows.map((r) => r.column_name);
        const stmt = src.prepare(`SELECT ${cols.map((c) => `"${c}"`).join(", ")} FROM ${table}`).raw(true);
        const lines = function* () {
          let chunk = "";
          for (const r of stmt.iterate() as Iterable<unknown[]>) {
            chunk += `${r.map(copyText).join("\t")}\n`;
            if (chunk.length > 1 << 20) {
              yield chunk;
              chunk = "";
            }
          }
          if (chunk) yield chunk;
        };
        await pipeline(
          Readable.from(lines()),
          client.query(copyFrom(`COPY ${table} (${cols.map((c) => `"${c}"`).join(", ")}) FROM STDIN`)),
        );
        if (!WITHOUT_ID.has(table))
          await client.query(
            `SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM ${table}), false)`,
          );
      }
      await client.query("ALTER TABLE images ENABLE TRIGGER USER");
      await client.query(
        "INSERT INTO image_status_counts (project_id, status, n) SELECT project_id, status, COUNT(*) FROM images GROUP BY project_id, status",
      );
      await client.query("VACUUM (FREEZE, ANALYZE)");
    } finally {
      src.close();
      await client.end();
    }
    // A copy needs the template without sessions: none may connect to it any more (autovacuum
    // included, which has nothing to do on a frozen, analyzed database anyway).
    await admin((c) => c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`));
    process.stderr.write(
      `bench: loaded ${path.basename(sqliteFile)} into PostgreSQL in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    return name;
  })();
  templates.set(sqliteFile, made);
  return made;
};

/** Where a server of one case runs: its data folder and the variables that pick its backend. */
export interface Place {
  backend: Backend;
  dataDir: string;
  /** Variables for startServer (database and storage; empty on SQLite). */
  env: Record<string, string>;
  /** A data folder for one more process on the same database and storage. */
  anotherDataDir(): string;
  remove(): Promise<void>;
}

/**
 * A place for one case on `backend`. With `dataset` (a generated SQLite data folder and a pristine
 * copy of its database file), SQLite runs in that folder and PostgreSQL on a copy of the dataset.
 */
export const placeFor = async (
  backend: Backend,
  dataset?: { dir: string; pristine: string },
): Promise<Place> => {
  if (backend === "sqlite") {
    const dataDir = dataset?.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "lb-bench-"));
    return { backend, dataDir, env: {}, anotherDataDir: () => dataDir, remove: async () => {} };
  }
  if (!s3) throw new Error("no S3 server for the PostgreSQL column");
  const name = scratchName("case");
  const template = dataset ? await loadTemplate(dataset.pristine) : null;
  await admin((c) =>
    c.query(
      template
        ? `CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`
        : `CREATE DATABASE ${name}`,
    ),
  );
  const bucket = await makeTestBucket(s3);
  const dirs: string[] = [];
  const anotherDataDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "lb-bench-pg-"));
    dirs.push(d);
    return d;
  };
  const endpoint = s3.endpoint ? `&endpoint=${s3.endpoint}` : "";
  return {
    backend,
    dataDir: anotherDataDir(),
    env: {
      LABELBENCH_DATABASE_URL: urlOf(name),
      LABELBENCH_STORAGE_URL: `s3://${bucket.name}?${endpoint.slice(1)}`,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "",
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "",
      AWS_REGION: process.env.AWS_REGION ?? "us-east-1",
    },
    anotherDataDir,
    remove: async () => {
      await dropDatabase(name);
      await bucket.remove();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    },
  };
};

/**
 * One case on every backend of this run, SQLite first: the rows are tagged with their backend so
 * the table puts them side by side. A failure on one backend is that backend's FAILED row only.
 */
export const onBackends =
  (caseName: string, run: (backend: Backend) => Promise<Row[]>) => async (): Promise<Row[]> => {
    const rows: Row[] = [];
    for (const backend of backends) {
      if (backends.length > 1) process.stderr.write(`bench: ${caseName} on ${BACKEND_LABEL[backend]}…\n`);
      try {
        rows.push(...(await run(backend)).map((r) => ({ ...r, backend })));
      } catch (err) {
        process.stderr.write(
          `bench: ${caseName} on ${BACKEND_LABEL[backend]} FAILED: ${(err as Error).stack}\n`,
        );
        rows.push({
          case: caseName,
          figure: "FAILED",
          value: Number.NaN,
          unit: "",
          target: (err as Error).message.slice(0, 60),
          pass: false,
          backend,
        });
      }
    }
    return rows;
  };

/** PostgreSQL's servers listen 100 ports above SQLite's, a second process 200 above. */
export const backendPort = (port: number, backend: Backend, index = 0) =>
  port + (backend === "postgres" ? 100 : 0) + index * 200;

/**
 * `processes` servers of one case on one backend: one database, one storage, a data folder each
 * (on SQLite one folder, which holds the database). With `dataset`, on that dataset.
 */
export const withServers = async (
  backend: Backend,
  port: number,
  processes: number,
  fn: (s: RunningServer[]) => Promise<Row[]>,
  dataset?: { dir: string; pristine: string },
) => {
  const place = await placeFor(backend, dataset);
  const servers: RunningServer[] = [];
  try {
    for (let i = 0; i < processes; i++)
      servers.push(
        await startServer({
          port: backendPort(port, backend, i),
          dataDir: i === 0 ? place.dataDir : place.anotherDataDir(),
          env: place.env,
        }),
      );
    return await fn(servers);
  } finally {
    for (const s of servers) await s.stop();
    await place.remove();
  }
};
