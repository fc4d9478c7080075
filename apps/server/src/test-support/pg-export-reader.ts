import { MessageChannel, type Worker } from "node:worker_threads";
import type { ImageStatus } from "@labelbench/schema";
import type { ReaderChannel } from "../modules/exports/export-pg-reader.js";
import { startWorker } from "../workers/worker-entry.js";

/**
 * The export's PostgreSQL reader (export-pg-reader.ts) served on a thread of its own, so a test can
 * read through the blocking `pgExportReader` on its own thread. The thread ends when the reader is
 * closed.
 */
export const startPgReaderThread = (
  url: string,
  projectId: number,
  statuses: readonly ImageStatus[],
): { channel: ReaderChannel; thread: Worker } => {
  const flag = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const thread = startWorker(
    "pg-export-reader-thread",
    {
      workerData: { data: { url, projectId, statuses, review: "any", flag }, port: port2 },
      transferList: [port2],
    },
    import.meta.url,
  );
  return { channel: { port: port1, flag }, thread };
};
