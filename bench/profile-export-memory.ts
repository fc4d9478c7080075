/**
 * The export worker's memory through one export, in this process, without HTTP: plan, read,
 * encode and zip a generated project's export from its SQLite file into a sink that drops the
 * bytes, printing `process.memoryUsage()` at every chunk out (RSS, heap, the buffers outside the
 * heap) and the highest RSS; with SNAPSHOT_AT=<MB written>, heap snapshots of the plan (at the
 * first chunk) and at that point (open them in Chrome's DevTools). Evidence for
 * docs/benchmarks.md ("Exports, fourth pass"), not a bench case; its RSS is this process's, a
 * worker's share of the server's without the main thread.
 *
 *   node --import tsx --expose-gc --max-semi-space-size=8 bench/profile-export-memory.ts <sqlite file> [coco|yolo]
 *   (the dataset: bench/profile-export.ts with DATA_DIR keeps one; 8 MiB semi-spaces are the
 *   export worker's 16 MB young generation)
 */
import v8 from "node:v8";
import { exportInProcess } from "./export-in-process.js";

const [file, format = "yolo"] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-export-memory.ts <sqlite file> [coco|yolo]");
const snapshotAt = process.env.SNAPSHOT_AT ? Number(process.env.SNAPSHOT_AT) * 1e6 : null;
const mb = (n: number) => Math.round(n / 1048576);
const samples: string[] = [];
let bytes = 0;
let maxRss = 0;
let planned = false;
let late = false;
const snapshot = (name: string) =>
  console.log(`heap snapshot: ${v8.writeHeapSnapshot(`export-${format}-${name}.heapsnapshot`)}`);
const t0 = performance.now();
await exportInProcess(file, format, (chunk) => {
  if (snapshotAt !== null && !planned) snapshot("plan");
  planned = true;
  bytes += chunk.length;
  if (snapshotAt !== null && !late && bytes > snapshotAt) {
    late = true;
    snapshot(`at-${mb(bytes)}MB`);
  }
  const m = process.memoryUsage();
  maxRss = Math.max(maxRss, m.rss);
  samples.push(
    `${((performance.now() - t0) / 1000).toFixed(2)} s, ${mb(bytes)} MB out: RSS ${mb(m.rss)} MB, ` +
      `heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB, array buffers ${mb(m.arrayBuffers)} MB`,
  );
});
// Every 10th chunk, and the last 30 (the manifest and the central directory: YOLO's end).
console.log(samples.filter((_, i) => i % 10 === 0 || i >= samples.length - 30).join("\n"));
const cpu = process.cpuUsage();
console.log(`${format}: highest RSS ${mb(maxRss)} MB, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`);
