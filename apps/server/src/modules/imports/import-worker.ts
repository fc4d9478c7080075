import { parentPort } from "node:worker_threads";
import { AppError } from "../../http/errors.js";
import { type ImportJobData, runImportJob } from "./import-job.js";
import { remoteStage, type StageOp } from "./stage-repo.js";

/**
 * The import worker's entry: one import's decoding per worker (import-job.ts), over its own
 * read-only connection, so that seconds of parsing and checking never delay a request on the main
 * thread. It opens no connection to the server's database: the job brings what it needs of the
 * project. worker-entry.ts starts it; import.ts drives it.
 */

export type ImportWorkerData = ImportJobData;

export type FromImportWorker =
  | { type: "done"; result: ReturnType<typeof runImportJob> }
  /** A write to the job's staging file, which the main thread makes (stage-repo.ts, remoteStage); all come before "done". */
  | { type: "stage"; op: StageOp }
  | {
      type: "error";
      message: string;
      stack?: string;
      appError?: { code: AppError["code"]; details?: AppError["details"] };
    };

// Unlike the export worker, the import worker keeps the normal priority: at nice 5 a busy machine
// (load 15-20 on 2 cores) stretched a 100k-annotation import from ~12 s to ~40 s, and what saves
// wait on is the publishing steps on the main thread, not the decoding.
const port = parentPort;
if (!port) throw new Error("import-worker.ts runs as a worker thread (see worker-entry.ts)");
const post = (m: FromImportWorker) => port.postMessage(m);

// One import at a time; the worker stays for the next one (starting one costs ~0.1 s bundled,
// seconds under tsx); the main thread unrefs it while it waits.
port.on("message", (job: ImportWorkerData) => {
  try {
    const stage = job.stageFile ? remoteStage((op) => post({ type: "stage", op })) : undefined;
    post({ type: "done", result: runImportJob(job, stage) });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    post({
      type: "error",
      message: e.message,
      ...(e.stack ? { stack: e.stack } : {}),
      ...(e instanceof AppError ? { appError: { code: e.code, details: e.details } } : {}),
    });
  }
});
