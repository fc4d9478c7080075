import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Kysely, PostgresDialect, type PostgresPool } from "kysely";
import type pg from "pg";
import type { Database as Schema } from "./schema.js";

/**
 * Bulk writes on PostgreSQL with `COPY … FROM STDIN` (the import's publishing, a prediction run's
 * rows): one stream of text lines instead of statements with thousands of parameters to build,
 * send and parse. COPY is a statement Kysely cannot say, so it runs on a pooled client of its own,
 * and the Kysely queries of the same transaction run on that client too (`onOneClient`).
 */

/** COPY's text format: backslash, tab, newline and carriage return escaped; NULL is \N. */
export const copyText = (v: string | number | null): string =>
  v === null
    ? "\\N"
    : typeof v === "number"
      ? String(v)
      : v.replace(/[\\\t\n\r]/g, (c) =>
          c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
        );

/** A Kysely whose every query runs on this one client: its transaction is the client's, COPY included. */
export const kyselyOnClient = (client: pg.PoolClient): Kysely<Schema> => {
  const pool = {
    connect: async () => ({ query: client.query.bind(client), release: () => {} }),
    end: async () => {},
  } as unknown as PostgresPool;
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
};

/** `work` with one client of the pool and a Kysely on it; the client goes back to the pool after. */
export const onOneClient = async <T>(
  pool: pg.Pool,
  work: (k: Kysely<Schema>, client: pg.PoolClient) => Promise<T>,
): Promise<T> => {
  const client = await pool.connect();
  const k = kyselyOnClient(client);
  try {
    return await work(k, client);
  } finally {
    client.release();
    await k.destroy();
  }
};

/**
 * Streams `chunks` (COPY text: lines of tab-separated `copyText` values, each ending in a newline,
 * several lines to a chunk) into `target` ("table (column, …)") on `client`, inside whatever
 * transaction the client is in. The chunks are pulled as the server takes them, so a generator
 * that checks and formats rows runs beside the database ingesting the ones before.
 */
export const copyInto = async (
  client: pg.PoolClient,
  target: string,
  chunks: Iterable<string> | AsyncIterable<string>,
): Promise<void> => {
  // Loaded on the first COPY, not with every server (SQLite ones never need it).
  const { from: copyFrom } = await import("pg-copy-streams");
  await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${target} FROM STDIN`)));
};

/** Bytes of COPY text per chunk handed to the stream: large enough that the per-chunk cost vanishes. */
export const COPY_CHUNK = 65_536;
