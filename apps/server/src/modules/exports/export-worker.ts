import os from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { runExport } from "./export-job.js";
import { pgExportReader } from "./export-pg-bridge.js";
import {
  type ExportWorkerData,
  type FromWorker,
  MAX_IN_FLIGHT_BYTES,
  type ToWorker,
  TRANSFER_CHUNK,
} from "./export-protocol.js";
import { openSnapshotAt, sqliteExportReader } from "./repo.js";

/**
 * The export worker's entry: one export per worker, over its own read-only snapshot, so the
 * encoding and zipping (seconds of CPU at 100k images) never delay a request on the main thread.
 * worker-entry.ts starts it; export.ts drives it (export-protocol.ts).
 */

/**
 * Saves are what a user waits on; an export is background work. On Linux the nice value is per
 * thread, and `setPriority(0, …)` sets the calling thread's: this worker gives way to the main
 * thread when both want the CPU and runs at full speed when the main thread is idle. Measured with
 * back-to-back saves during a 100k-image COCO export (2 cores shared with other work, load 3.5-5),
 * save p99 / export time: nice 0 243 ms / 23 s, nice 5 149 ms / 13 s, nice 10 81 ms / 14 s; but
 * nice 10 also lost to every unrelated process (the same export alone: 10.7 s at nice 0, 17.3 s
 * at nice 10). Elsewhere the call would renice the whole process, so it is Linux only.
 */
const EXPORT_NICE = 5;
if (process.platform === "linux") {
  try {
    os.setPriority(0, Math.max(os.getPriority(0), EXPORT_NICE));
  } catch {
    // Not permitted here: the export merely competes as an equal.
  }
}

const port = parentPort;
if (!port) throw new Error("export-worker.ts runs as a worker thread (see worker-entry.ts)");
const job = workerData as ExportWorkerData;

const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

let inFlight = 0;
/** Transfer buffers back from the main thread, ready to be filled again. */
const pool: ArrayBuffer[] = [];
let creditWaiter: (() => void) | null = null;
let replyWaiter: ((m: ToWorker) => void) | null = null;
port.on("message", (m: ToWorker) => {
  if (m.type === "ack") {
    inFlight -= m.bytes;
    if (m.buffer.byteLength === TRANSFER_CHUNK && pool.length < MAX_IN_FLIGHT_BYTES / TRANSFER_CHUNK + 1)
      pool.push(m.buffer);
    if (creditWaiter && inFlight < MAX_IN_FLIGHT_BYTES) {
      const w = creditWaiter;
      creditWaiter = null;
      w();
    }
    return;
  }
  const w = replyWaiter;
  replyWaiter = null;
  w?.(m);
});

const reply = <T extends ToWorker["type"]>(type: T): Promise<Extract<ToWorker, { type: T }>> =>
  new Promise((resolve, reject) => {
    replyWaiter = (m) => {
      if (m.type === type) resolve(m as Extract<ToWorker, { type: T }>);
      else reject(new Error(`export worker expected "${type}", got "${m.type}"`));
    };
  });

/** The chunk's bytes in a buffer the worker can give away: a recycled one when it fits. */
const transferable = (chunk: Buffer): ArrayBuffer => {
  const data = chunk.byteLength <= TRANSFER_CHUNK ? (pool.pop() ?? new ArrayBuffer(TRANSFER_CHUNK)) : null;
  const target = data ?? new ArrayBuffer(chunk.byteLength);
  new Uint8Array(target).set(chunk);
  return target;
};

const statuses = job.options.status;
const reader =
  job.database.dialect === "postgres"
    ? pgExportReader(job.database)
    : sqliteExportReader(
        openSnapshotAt(job.database.file),
        job.projectId,
        statuses,
        job.options.review,
        job.scope,
      );
try {
  await runExport(reader, job, {
    async planned(info) {
      const go = reply("go");
      post({ type: "plan", info });
      const { missing } = await go;
      return { missing };
    },
    sink: {
      async write(chunk) {
        const data = transferable(chunk);
        inFlight += chunk.byteLength;
        post({ type: "chunk", data, length: chunk.byteLength }, [data]);
        if (inFlight >= MAX_IN_FLIGHT_BYTES)
          await new Promise<void>((r) => {
            creditWaiter = r;
          });
      },
      end: () => post({ type: "end" }),
    },
    async copyImage(image) {
      const copied = reply("copied");
      post({ type: "copy", image });
      const { crc, size } = await copied;
      return { crc, size };
    },
  });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ type: "error", message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
} finally {
  try {
    reader.close();
  } catch {
    // The outcome is posted already; a snapshot that fails to close ends with its connection.
  }
  // Nothing else to wait for: let the thread end once the last messages are out.
  port.unref();
}
