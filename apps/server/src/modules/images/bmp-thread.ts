import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { BmpJob, BmpJobResult } from "./bmp-job.js";
import { concurrency } from "./limit.js";

/** One big BMP decode at a time: each holds width x height x 4 bytes while it runs. */
const bmpLimit = concurrency(1);

/**
 * Runs a BMP job (bmp-job.ts) in a worker thread, so decoding never blocks the event loop. Started
 * the way the export worker is (datasets/worker-entry.ts): the production bundle has
 * `bmp-worker.js` beside `main.js`; under tsx and vitest a bootstrap registers tsx in the worker.
 */
export const runBmpJobOffThread = (job: BmpJob): Promise<BmpJobResult> =>
  bmpLimit(
    () =>
      new Promise<BmpJobResult>((resolve, reject) => {
        const worker = startBmpWorker();
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

const startBmpWorker = (): Worker => {
  const self = import.meta.url;
  if (!self.endsWith(".ts")) return new Worker(new URL("./bmp-worker.js", self));
  const entry = new URL("./bmp-worker.ts", self).href;
  const bootstrap = `import(${JSON.stringify(tsxApiUrl(self))}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
};

/** tsx's ESM `register` API (its CJS build fails to load its ESM half from a worker). */
const tsxApiUrl = (from: string): string => {
  const pkgFile = createRequire(from).resolve("tsx/package.json");
  const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8")) as {
    exports?: Record<string, { import?: { default?: string } } | string>;
  };
  const entry = pkg.exports?.["./esm/api"];
  const file = typeof entry === "object" ? entry.import?.default : undefined;
  if (!file) throw new Error(`tsx at ${pkgFile} has no "./esm/api" import entry`);
  return pathToFileURL(path.join(path.dirname(pkgFile), file)).href;
};
