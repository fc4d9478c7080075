import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDb } from "../db/connect.js";
import { migrateDb } from "../db/migrate.js";

/**
 * LABELBENCH_TEST_DATABASE_URL names a PostgreSQL server and a role that may create databases
 * (`node scripts/test-services.mjs start` provides one). Suites that need it skip without it.
 */
export const TEST_DATABASE_URL = process.env.LABELBENCH_TEST_DATABASE_URL || undefined;
export const SKIP_POSTGRES_REASON =
  "PostgreSQL tests skipped: LABELBENCH_TEST_DATABASE_URL is not set (node scripts/test-services.mjs start provides one)";

export interface ScratchDatabase {
  url: string;
  name: string;
  drop: () => Promise<void>;
}

const admin = async <T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

/** A fresh, empty database on the test server, so tests can run in parallel; drop() removes it. */
export const scratchDatabase = async (base = TEST_DATABASE_URL): Promise<ScratchDatabase> => {
  if (!base) throw new Error(SKIP_POSTGRES_REASON);
  const name = `lbtest_${randomBytes(6).toString("hex")}`;
  await admin(base, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(base, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
};

export interface MigratedTemplate {
  /** A fresh database holding the migrated, empty schema: a file copy of the template (~30 ms). */
  clone: () => Promise<ScratchDatabase>;
}

let template: Promise<{ name: string; base: string }> | null = null;

/**
 * One migrated template database per test file (created on first use, dropped after the file by
 * test-support/postgres-setup.ts): migrating takes a second or more, copying the result a few ms.
 */
export const migratedTemplate = async (base = TEST_DATABASE_URL): Promise<MigratedTemplate> => {
  if (!base) throw new Error(SKIP_POSTGRES_REASON);
  template ??= (async () => {
    const scratch = await scratchDatabase(base);
    const conn = await openDb(scratch.url, { poolSize: 1 });
    try {
      await migrateDb(conn);
    } finally {
      // CREATE DATABASE … TEMPLATE needs the template to have no sessions.
      await conn.close();
    }
    return { name: scratch.name, base };
  })();
  const t = await template;
  return {
    clone: async () => {
      const name = `lbtest_${randomBytes(6).toString("hex")}`;
      await admin(t.base, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${t.name} STRATEGY FILE_COPY`));
      const url = new URL(t.base);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        name,
        drop: () =>
          admin(t.base, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
      };
    },
  };
};

/** Drops this file's template, if one was made. */
export const dropMigratedTemplate = async (): Promise<void> => {
  if (!template) return;
  const t = await template.catch(() => null);
  template = null;
  if (t) await admin(t.base, (c) => c.query(`DROP DATABASE IF EXISTS ${t.name} WITH (FORCE)`));
};
