import { parentPort } from "node:worker_threads";
import { type BmpJob, type BmpJobResult, runBmpJob } from "./bmp-job.js";

/** Worker entry: one job per worker (bmp-thread.ts), so the decoded pixels go when it exits. */
parentPort?.once("message", (job: BmpJob) => {
  runBmpJob(job).then(
    (r) => parentPort?.postMessage(r, r.ok && r.thumbnail ? [r.thumbnail.buffer as ArrayBuffer] : []),
    (err: unknown) =>
      parentPort?.postMessage({
        ok: false,
        reason: err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err),
      } satisfies BmpJobResult),
  );
});
