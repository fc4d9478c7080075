import { randomBytes } from "node:crypto";
import pg from "pg";

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
