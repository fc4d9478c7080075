/**
 * `npm run bench`: generates its own data (fixed seeds), runs every case against the real server
 * (and, for the editor cases, real headless Chromium), prints one table and writes
 * docs/benchmarks.md. BENCH_QUICK=1 runs smaller versions; BENCH_ONLY=name,name picks cases.
 * The server cases run on SQLite and on PostgreSQL + S3 side by side (bench/backends.ts,
 * BENCH_BACKENDS).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  BACKEND_LABEL,
  backends,
  dropTemplates,
  onBackends,
  postgresSkipped,
  withServers,
} from "./backends.js";
import { datasetCases } from "./cases/dataset-cases.js";
import { polygonLimits, selfCrossingCheck } from "./cases/geometry.js";
import { predictionCases } from "./cases/predictions.js";
import { qualityCases } from "./cases/quality.js";
import { qualityReportCases } from "./cases/quality-report.js";
import { concurrentAutosave, putLatency, uploadIngest } from "./cases/server.js";
import { machine, type Row, renderTable } from "./report.js";
import { type RunningServer, startServer } from "./server.js";

const quick = process.env.BENCH_QUICK === "1";
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());

type Case = { name: string; run: () => Promise<Row[]> };

const withServer = async (port: number, fn: (s: RunningServer) => Promise<Row[]>) => {
  const s = await startServer({ port });
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
};

const optionalCases = async (file: string, exportName: string): Promise<Case[]> => {
  const full = path.join(import.meta.dirname, "cases", file);
  if (!fs.existsSync(full)) return [];
  const mod = (await import(pathToFileURL(full).href)) as Record<string, (quick: boolean) => Case[]>;
  return mod[exportName]?.(quick) ?? [];
};

const cases: Case[] = [
  {
    name: "put",
    run: onBackends("put", (b) => withServers(b, 3401, 1, ([s]) => putLatency(s as RunningServer, quick))),
  },
  {
    name: "autosave",
    run: onBackends("autosave", (b) => withServers(b, 3402, 1, (s) => concurrentAutosave(s, quick))),
  },
  {
    name: "autosave-2",
    run: onBackends("autosave-2", (b) => withServers(b, 3405, 2, (s) => concurrentAutosave(s, quick))),
  },
  { name: "upload", run: () => withServer(3403, (s) => uploadIngest(s, quick)) },
  { name: "self-crossing", run: async () => selfCrossingCheck(quick) },
  { name: "polygon-limits", run: () => withServer(3404, (s) => polygonLimits(s, quick)) },
  ...qualityCases(quick),
  ...qualityReportCases(quick),
  ...datasetCases(quick),
  ...predictionCases(quick),
  ...(await optionalCases("editor.ts", "editorCases")),
  ...(await optionalCases("editor-gesture.ts", "editorGestureCases")),
  ...(await optionalCases("review-open.ts", "reviewOpenCases")),
  ...(await optionalCases("gigapixel.ts", "gigapixelCases")),
  ...(await optionalCases("renditions.ts", "renditionCases")),
  ...(await optionalCases("import-publish.ts", "importPublishCases")),
  ...(await optionalCases("review-queue.ts", "reviewQueueCases")),
  ...(await optionalCases("library-bulk.ts", "libraryBulkCases")),
  ...(await optionalCases("label-palette.ts", "labelPaletteCases")),
];

const rows: Row[] = [];
if (postgresSkipped) process.stderr.write(`bench: PostgreSQL column skipped: ${postgresSkipped}\n`);
for (const c of cases) {
  if (only && !only.includes(c.name)) continue;
  process.stderr.write(`bench: ${c.name}…\n`);
  try {
    const done = await c.run();
    rows.push(...done);
    // Each case's figures as soon as it ends, with the load it ran under: a long run cut short
    // keeps what it measured.
    process.stderr.write(
      `bench: ${c.name} done (load ${os.loadavg()[0]?.toFixed(1)}):\n${renderTable(done)}\n`,
    );
  } catch (err) {
    process.stderr.write(`bench: ${c.name} FAILED: ${(err as Error).stack ?? err}\n`);
    rows.push({
      case: c.name,
      figure: "FAILED",
      value: Number.NaN,
      unit: "",
      target: (err as Error).message.slice(0, 60),
      pass: false,
    });
  }
}

await dropTemplates();
const table = renderTable(rows);
const databases = postgresSkipped
  ? `SQLite only (PostgreSQL column skipped: ${postgresSkipped})`
  : backends.map((b) => BACKEND_LABEL[b]).join(" and ");
console.log(
  `\nMachine: ${machine()}${quick ? " (quick mode)" : ""}; load average at the end ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(", ")}; databases: ${databases}\n`,
);
console.log(table);
if (!only && !quick) {
  const doc = path.resolve(import.meta.dirname, "../docs/benchmarks.md");
  const head = fs.existsSync(doc)
    ? fs.readFileSync(doc, "utf8").split("<!-- results -->")[0]
    : "# Benchmarks\n\n";
  fs.writeFileSync(
    doc,
    `${head}<!-- results -->\nLast full run: ${new Date().toISOString().slice(0, 10)} on ${machine()}; databases: ${databases}.\n\n${table}\n`,
  );
}
process.exitCode = rows.some((r) => r.pass === false) ? 1 : 0;
