import { type MessagePort, workerData } from "node:worker_threads";
import { type ReaderData, servePgReader } from "../modules/exports/export-pg-reader.js";

/**
 * A test's PostgreSQL export reader, served on a thread of its own: a test drives the blocking
 * `pgExportReader` on its own thread, which must not be the one serving it (in the server, the
 * export worker blocks and the main thread serves). Started by `startPgReaderThread`.
 */
const { data, port } = workerData as { data: ReaderData; port: MessagePort };
await servePgReader(data, port).done;
