import type { MessagePort } from "node:worker_threads";
import { workerData } from "node:worker_threads";
import { openDb } from "../../db/connect.js";
import type { ReaderRequest, ReaderWorkerData } from "./export-pg-bridge.js";
import { pgExportRepo, type ShapeColumns } from "./export-pg-repo.js";

/**
 * The PostgreSQL side of an export's reads: a thread of its own (started by the export worker,
 * export-pg-bridge.ts) that holds the export's connection and its one REPEATABLE READ, read-only
 * transaction, and answers the export worker's requests. The encoders pull shapes synchronously;
 * this thread lets them: the export worker blocks on a shared flag while this one queries, and
 * fetches the next batch of the cursor while the encoder works through the current one.
 */

const { url, projectId, statuses, review, flag, port } = workerData as ReaderWorkerData & {
  port: MessagePort;
};
const signal = new Int32Array(flag);

const answer = (m: unknown) => {
  port.postMessage(m);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
};

const requests: ReaderRequest[] = [];
let wake: (() => void) | null = null;
port.on("message", (m: ReaderRequest) => {
  requests.push(m);
  const w = wake;
  wake = null;
  w?.();
});
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
    // Every request answers the failure (the message names the database without its password).
    for (;;) {
      const m = await next();
      answer({ error: (err as Error).message });
      if (m.type === "close") return;
    }
  }
  try {
    await conn.kysely
      .transaction()
      .setIsolationLevel("repeatable read")
      .setAccessMode("read only")
      .execute(async (trx) => {
        const repo = pgExportRepo(trx, projectId, statuses, review);
        /** The next batch of the open cursor, read ahead while the encoder works. */
        let ahead: Promise<ShapeColumns> | null = null;
        for (;;) {
          const m = await next();
          try {
            switch (m.type) {
              case "labels":
                answer({ value: await repo.labels() });
                break;
              case "images":
                answer({ value: { images: await repo.images(), tags: await repo.tags() } });
                break;
              case "declare":
                await repo.declareShapes(m.cursor, m.imageIds);
                ahead = repo.fetchShapes(m.cursor, m.rows);
                answer({ value: null });
                break;
              case "fetch": {
                const batch: ShapeColumns = await (ahead ?? repo.fetchShapes(m.cursor, m.rows));
                ahead = batch.ids.length > 0 ? repo.fetchShapes(m.cursor, m.rows) : null;
                // A read-ahead that fails is answered at the next fetch, not left unhandled.
                ahead?.catch(() => undefined);
                answer({ value: batch });
                break;
              }
              case "closeCursor":
                await ahead?.catch(() => undefined);
                ahead = null;
                await repo.closeShapes(m.cursor);
                answer({ value: null });
                break;
              case "uid":
                answer({ value: await repo.uid(m.id) });
                break;
              case "close":
                await ahead?.catch(() => undefined);
                return;
            }
          } catch (err) {
            answer({ error: (err as Error).message });
          }
        }
      });
    answer({ value: null });
  } catch (err) {
    answer({ error: (err as Error).message });
  } finally {
    await conn.close().catch(() => undefined);
    port.close();
  }
};

await serve();
