import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts a worker (export, import, checkpoint, BMP) in each of the three ways the server runs:
 * - the production bundle: scripts/build-server.mjs emits `<name>.js` as an entry next to
 *   `main.js`, and this code (bundled into main.js) finds it beside itself;
 * - `npm run dev` (tsx) and vitest run this file as TypeScript: a worker does not inherit the
 *   parent's loader hooks on Node 20 (`--import tsx` in `execArgv` is ignored for the worker's
 *   entry), so a two-line bootstrap registers tsx inside the worker and then imports the `.ts`.
 */
export const startWorker = (
  name: string,
  options: WorkerOptions,
  /** The folder of the worker's source, as a module URL beside it (the caller's `import.meta.url`). */
  from: string,
): Worker => {
  const self = import.meta.url;
  if (!self.endsWith(".ts")) return new Worker(new URL(`./${name}.js`, self), options);
  const entry = new URL(`./${name}.ts`, from).href;
  const tsx = tsxApiUrl(self);
  const bootstrap = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
};

/**
 * tsx's ESM `register` API, found through its package.json: `require.resolve` would pick the CJS
 * build, which fails to load its ESM half from a worker.
 */
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
