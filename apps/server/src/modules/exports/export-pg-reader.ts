import { MessageChannel, type MessagePort } from "node:worker_threads";
import type { ImageStatus } from "@labelbench/schema";
import { openDb } from "../../db/connect.js";
import { pgExportRepo, pgVersionExportRepo, type ShapeColumns } from "./export-pg-repo.js";
import { type ExportReview, type ExportScope, LIVE } from "./repo.js";

/**
 * The PostgreSQL side of an export's reads: it holds the export's connection and its one
 * REPEATABLE READ, read-only transaction, and answers the export worker's requests
 * (export-pg-bridge.ts), reading each cursor's next batch while the encoder works through the
 * current one. It runs on the main thread, whose event loop already drives the process's other
 * PostgreSQL connections: a reader thread of its own was a third V8 isolate per export (its heap
 * and young generation ~60-120 MB of the export's peak), for work that is only waiting on the
 * database and decoding rows, a few milliseconds per batch.
 */

/**
 * Batches read ahead outlive the main thread's young-generation collections, so the rows' garbage
 * lands in its old generation, which V8 let grow by ~80 MB before collecting (RSS climbing from
 * 226 to 309 MB during a 1M-annotation export). A full collection every 16 MB of rows read keeps
 * it near the live size, for ~10 collections of a few tens of ms per million annotations, while
 * the export worker encodes (the process runs with --expose-gc, as `npm start` does).
 */
const GC_EVERY_ROW_BYTES = 16 << 20;
/** What a row costs besides its geometry text: its object or column slots and short strings. */
const ROW_OVERHEAD_BYTES = 64;
/** An image or tag row, as a rough size for the collection's count. */
const PLAN_ROW_BYTES = 256;

const rowBytes = (batch: unknown[] | ShapeColumns): number =>
  Array.isArray(batch)
    ? batch.length * PLAN_ROW_BYTES
    : batch.geometries.reduce((n, g) => n + g.length + ROW_OVERHEAD_BYTES, 0);

let sinceGc = 0;
const collectGarbageEvery = (bytes: number) => {
  sinceGc += bytes;
  if (sinceGc < GC_EVERY_ROW_BYTES) return;
  sinceGc = 0;
  (globalThis as { gc?: () => void }).gc?.();
};

export interface ReaderData {
  /** The PostgreSQL URL, password included: it stays in memory, never in a log or a message. */
  url: string;
  projectId: number;
  statuses: readonly ImageStatus[];
  review: ExportReview;
  /** The live project (when absent), or a dataset version's frozen rows. */
  scope?: ExportScope;
  /** Int32 flag the reader sets (and notifies) once an answer is on the port. */
  flag: SharedArrayBuffer;
}

export type ReaderRequest =
  | { type: "labels" }
  | { type: "declareImages"; cursor: string }
  | { type: "declareTags"; cursor: string }
  | { type: "declare"; cursor: string; imageIds: number[] }
  | { type: "fetch"; cursor: string; rows: number }
  | { type: "closeCursor"; cursor: string }
  | { type: "uid"; id: number }
  | { type: "close" };

/** The export worker's end of the reader: where answers arrive, and the flag that says one has. */
export interface ReaderChannel {
  port: MessagePort;
  flag: SharedArrayBuffer;
}

/** A reader being served: `done` settles when it has closed its connection. */
export interface ServedReader {
  done: Promise<void>;
  /** Ends the reader however far the export got (a worker that died sends no "close"). */
  stop(): Promise<void>;
}

/**
 * Serves the requests arriving on `port` until a "close" (or `stop`). Every failure is answered
 * to the request that met it (the message names the database without its password), so the
 * export worker throws it as its own.
 */
export const servePgReader = (data: ReaderData, port: MessagePort): ServedReader => {
  const { url, projectId, statuses, review, scope = LIVE, flag } = data;
  const signal = new Int32Array(flag);
  const answer = (m: unknown) => {
    port.postMessage(m);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  };

  const requests: ReaderRequest[] = [];
  let wake: (() => void) | null = null;
  const push = (m: ReaderRequest) => {
    requests.push(m);
    const w = wake;
    wake = null;
    w?.();
  };
  port.on("message", push);
  const next = async (): Promise<ReaderRequest> => {
    for (;;) {
      const m = requests.shift();
      if (m) return m;
      await new Promise<void>((r) => {
        wake = r;
      });
    }
  };

  const serve = async () => {
    let conn: Awaited<ReturnType<typeof openDb>>;
    try {
      conn = await openDb(url, { poolSize: 1 });
    } catch (err) {
      for (;;) {
        const m = await next();
        if (m.type === "close") return;
        answer({ error: (err as Error).message });
      }
    }
    try {
      await conn.kysely
        .transaction()
        .setIsolationLevel("repeatable read")
        .setAccessMode("read only")
        .execute(async (trx) => {
          const repo =
            scope.kind === "live"
              ? pgExportRepo(trx, projectId, statuses, review)
              : pgVersionExportRepo(trx, scope.versionId, statuses, review);
          /** Each open cursor's fetch, and its next batch read ahead while the encoder works. */
          const cursors = new Map<string, { fetch: (rows: number) => Promise<unknown[] | ShapeColumns> }>();
          let ahead: { cursor: string; batch: Promise<unknown[] | ShapeColumns> } | null = null;
          const empty = (b: unknown[] | ShapeColumns) => (Array.isArray(b) ? b.length : b.ids.length) === 0;
          for (;;) {
            const m = await next();
            try {
              switch (m.type) {
                case "labels":
                  answer({ value: await repo.labels() });
                  break;
                case "declareImages":
                  await repo.declareImages(m.cursor);
                  cursors.set(m.cursor, { fetch: (rows) => repo.fetchRows(m.cursor, rows) });
                  answer({ value: null });
                  break;
                case "declareTags":
                  await repo.declareTags(m.cursor);
                  cursors.set(m.cursor, { fetch: (rows) => repo.fetchRows(m.cursor, rows) });
                  answer({ value: null });
                  break;
                case "declare":
                  await repo.declareShapes(m.cursor, m.imageIds);
                  cursors.set(m.cursor, { fetch: (rows) => repo.fetchShapes(m.cursor, rows) });
                  answer({ value: null });
                  break;
                case "fetch": {
                  const c = cursors.get(m.cursor);
                  if (!c) throw new Error(`no open cursor ${m.cursor}`);
                  const pending = ahead?.cursor === m.cursor ? ahead.batch : c.fetch(m.rows);
                  ahead = null;
                  const batch = await pending;
                  if (!empty(batch)) {
                    ahead = { cursor: m.cursor, batch: c.fetch(m.rows) };
                    // A read-ahead that fails is answered at the next fetch, not left unhandled.
                    ahead.batch.catch(() => undefined);
                  }
                  answer({ value: batch });
                  collectGarbageEvery(rowBytes(batch));
                  break;
                }
                case "closeCursor":
                  await ahead?.batch.catch(() => undefined);
                  ahead = null;
                  cursors.delete(m.cursor);
                  await repo.closeCursor(m.cursor);
                  answer({ value: null });
                  break;
                case "uid":
                  answer({ value: await repo.uid(m.id) });
                  break;
                case "close":
                  await ahead?.batch.catch(() => undefined);
                  return;
              }
            } catch (err) {
              answer({ error: (err as Error).message });
            }
          }
        });
    } finally {
      await conn.close().catch(() => undefined);
    }
  };

  const done = serve()
    .then(
      () => answer({ value: null }),
      (err: Error) => answer({ error: err.message }),
    )
    .finally(() => {
      port.off("message", push);
      port.close();
    });
  return {
    done,
    stop: () => {
      push({ type: "close" });
      return done;
    },
  };
};

/**
 * Starts serving an export's reads on this thread (the main thread); the returned channel goes to
 * the export worker (export-pg-bridge.ts `pgExportReader`). The caller stops the reader when the
 * export ends however it ends.
 */
export const startPgReader = (
  url: string,
  projectId: number,
  statuses: readonly ImageStatus[],
  review: ExportReview = "any",
  scope: ExportScope = LIVE,
): ServedReader & { channel: ReaderChannel } => {
  const flag = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const served = servePgReader({ url, projectId, statuses, review, scope, flag }, port2);
  return { ...served, channel: { port: port1, flag } };
};
