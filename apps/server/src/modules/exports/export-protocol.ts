import type { ExportJob, ExportPlanInfo, ImageCopy } from "./export-job.js";
import type { ReaderChannel } from "./export-pg-reader.js";

/**
 * Messages between the main thread and an export worker. The worker owns the snapshot and the
 * zip; the main thread owns the response and the image storage. Bytes flow on credit: the worker
 * stops posting once `MAX_IN_FLIGHT_BYTES` are unacknowledged, and the main thread acknowledges a
 * chunk only once the socket has taken it (the `write` callback), so a slow client holds at most
 * that much between the two threads. The acknowledgement carries the chunk's buffer back: the
 * worker copies its output into a few recycled buffers instead of leaving a 256 KiB buffer of
 * garbage on each thread per chunk (measured: ~25 MB more peak RSS at 100k images).
 */

// 4 MiB, not 1: with 1 MiB the worker waited on acknowledgements for ~2 s of a 100k-image COCO
// export (alternating runs: 13.2 / 14.5 s against 11.5 / 11.4 s), for ~6 MB more peak RSS.
export const MAX_IN_FLIGHT_BYTES = 4 << 20;
/** Size of the recycled transfer buffers (the zip writer's output chunk). */
export const TRANSFER_CHUNK = 256 * 1024;

/**
 * Where the worker reads its snapshot: the SQLite file (it opens it read-only), or on PostgreSQL
 * the channel to the export's reader on the main thread, which holds the connection
 * (export-pg-reader.ts).
 */
export type ExportDatabase = { dialect: "sqlite"; file: string } | ({ dialect: "postgres" } & ReaderChannel);

export interface ExportWorkerData extends ExportJob {
  database: ExportDatabase;
}

export type FromWorker =
  | { type: "plan"; info: ExportPlanInfo }
  /** Zip bytes: the first `length` bytes of `data`, transferred (the worker keeps no view on it). */
  | { type: "chunk"; data: ArrayBuffer; length: number }
  /** Copy (or convert) this image's stored file into the response next, then answer `copied`. */
  | { type: "copy"; image: ImageCopy }
  | { type: "end" }
  | { type: "error"; message: string; stack?: string };

export type ToWorker =
  /** Headers are set (files checked; `missing` are the images whose file is gone): stream. */
  | { type: "go"; missing: number[] }
  /** `bytes` left the process; `buffer` is the chunk's buffer, handed back for reuse. */
  | { type: "ack"; bytes: number; buffer: ArrayBuffer }
  | { type: "copied"; crc: number; size: number };
