/**
 * The export worker's own work, in this process, without HTTP: plan, read, encode and zip a
 * generated project's export from its SQLite file into a sink that drops the bytes, so a CPU
 * profile (`node --cpu-prof`) shows where the worker's time goes. Evidence for docs/benchmarks.md.
 *
 *   node --import tsx --expose-gc [--cpu-prof] bench/profile-export-worker.ts <sqlite file> [coco|yolo] [runs]
 */
import { exportInProcess } from "./export-in-process.js";

const [file, format = "coco", runs = "1"] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-export-worker.ts <sqlite file> [coco|yolo] [runs]");
for (let run = 0; run < Number(runs); run++) {
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await exportInProcess(file, format, (chunk) => {
    bytes += chunk.length;
  });
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${format} run ${run + 1}: ${((performance.now() - t0) / 1000).toFixed(2)} s wall, ` +
      `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU, ${(bytes / 1e6).toFixed(1)} MB`,
  );
}
