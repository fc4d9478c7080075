import { startWorker } from "../../workers/worker-entry.js";
import type { BmpJob, BmpJobResult } from "./bmp-job.js";
import { concurrency } from "./limit.js";

/** One big BMP decode at a time: each holds width x height x 4 bytes while it runs. */
const bmpLimit = concurrency(1);

/**
 * Runs a BMP job (bmp-job.ts) in a worker thread, so decoding never blocks the event loop. Started
 * like the export worker (workers/worker-entry.ts): the production bundle has `bmp-worker.js`
 * beside `main.js`; under tsx and vitest the source beside this file is loaded.
 */
export const runBmpJobOffThread = (job: BmpJob): Promise<BmpJobResult> =>
  bmpLimit(
    () =>
      new Promise<BmpJobResult>((resolve, reject) => {
        const worker = startWorker("bmp-worker", {}, import.meta.url);
        let settled = false;
        worker.once("message", (r: BmpJobResult) => {
          settled = true;
          resolve(r);
          void worker.terminate();
        });
        worker.once("error", (err) => {
          settled = true;
          reject(err);
        });
        worker.once("exit", (code) => {
          if (!settled) reject(new Error(`the BMP worker exited with code ${code}`));
        });
        worker.postMessage(job);
      }),
  );
