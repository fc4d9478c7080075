/**
 * Where an export's memory peaks: exports of a generated project from the production bundle,
 * with the server's resident memory sampled every 20 ms from /proc (VmRSS; the bench case reports
 * only the peak), and the process's CPU time. Evidence for docs/benchmarks.md, not a bench case.
 *
 *   npx tsx bench/profile-export.ts     (BACKEND=sqlite|postgres, FORMAT=coco,yolo (a fresh server each),
 *                                        IMAGES=100000, PER_IMAGE=10, RUNS=1,
 *                                        DATA_DIR=dir to keep/reuse the generated dataset,
 *                                        BENCH_PREBUILT=1 and LABELBENCH_SERVER_DIST as the bench)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Backend, dropTemplates, withServers } from "./backends.js";
import { downloadExport, generateDataset, tmpFile } from "./cases/dataset.js";
import type { RunningServer } from "./server.js";

const backend = (process.env.BACKEND ?? "sqlite") as Backend;
const formats = (process.env.FORMAT ?? "coco").split(",");
const images = Number(process.env.IMAGES ?? 100_000);
const perImage = Number(process.env.PER_IMAGE ?? 10);
const runs = Number(process.env.RUNS ?? 1);

const dir = process.env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "lb-profile-export-"));
const sqliteFile = path.join(dir, "labelbench.sqlite");
const pristine = `${dir}-generated.sqlite`;
if (!fs.existsSync(pristine)) {
  fs.rmSync(dir, { recursive: true, force: true });
  generateDataset(dir, images, perImage);
  fs.copyFileSync(sqliteFile, pristine);
} else if (backend === "sqlite") fs.copyFileSync(pristine, sqliteFile);

const statusOf = (pid: number) => fs.readFileSync(`/proc/${pid}/status`, "utf8");
const kb = (status: string, key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
/** utime + stime of the process (all threads), in seconds (clock ticks of 10 ms on Linux). */
const cpuSeconds = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const profile = async (s: RunningServer, format: string) => {
  for (let run = 0; run < runs; run++) {
    const samples: { t: number; rss: number }[] = [];
    const idle = kb(statusOf(s.pid), "VmRSS") / 1024;
    const cpu0 = cpuSeconds(s.pid);
    const t0 = performance.now();
    const timer = setInterval(() => {
      samples.push({ t: performance.now() - t0, rss: kb(statusOf(s.pid), "VmRSS") / 1024 });
    }, 20);
    const { seconds, bytes } = await downloadExport(
      s,
      1,
      `format=${format}&images=exclude`,
      tmpFile("p.zip"),
    );
    clearInterval(timer);
    const cpu = cpuSeconds(s.pid) - cpu0;
    const peak = samples.reduce((a, b) => (b.rss > a.rss ? b : a), { t: 0, rss: 0 });
    console.log(
      `${backend} ${format} ${images}x${perImage} run ${run + 1}: ${seconds.toFixed(2)} s, ${(bytes / 1e6).toFixed(1)} MB zip, ` +
        `server CPU ${cpu.toFixed(2)} s, RSS idle ${idle.toFixed(0)} MB, peak ${peak.rss.toFixed(0)} MB at ${(peak.t / 1000).toFixed(2)} s, ` +
        `VmHWM ${(kb(statusOf(s.pid), "VmHWM") / 1024).toFixed(0)} MB (load ${os.loadavg()[0]?.toFixed(1)})`,
    );
    // The curve, one line per 0.25 s: where in the export the memory goes.
    const step = 250;
    const line: string[] = [];
    for (let t = 0; t <= (samples.at(-1)?.t ?? 0); t += step) {
      const inStep = samples.filter((x) => x.t >= t && x.t < t + step);
      if (inStep.length)
        line.push(`${(t / 1000).toFixed(2)}:${Math.max(...inStep.map((x) => x.rss)).toFixed(0)}`);
    }
    console.log(line.join(" "));
  }
  return [];
};

try {
  for (const format of formats)
    await withServers(backend, 3470, 1, ([s]) => profile(s as RunningServer, format), { dir, pristine });
} finally {
  await dropTemplates();
  if (!process.env.DATA_DIR) fs.rmSync(dir, { recursive: true, force: true });
}
