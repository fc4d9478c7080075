import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import sharp from "sharp";
import type { Row } from "../report.js";
import { row } from "../report.js";
import { api, type RunningServer, startServer } from "../server.js";

/**
 * Four people open the same 7000 x 7000 TIFF at once (issue 12): the first views of its display
 * rendition (a PNG browsers can draw). Measured on the server process: peak resident memory above
 * what it held before the views, and the longest the event loop stalled (the slowest of /health
 * requests sent every 10 ms meanwhile from a thread of their own; they answer at once unless the
 * server's loop is blocked, or the machine has no core to spare), plus the
 * time until all four have their bytes and the time of a fifth, later view (served from the cache).
 * Tiling is switched off for the case (LABELBENCH_TILE_MEGAPIXELS) so no pyramid job runs beside it.
 */

const CASE = "renditions: 4 first views of a 7000x7000 TIFF";
const PORT = 3451;
const CACHE_DIR = path.join(os.tmpdir(), "labelbench-bench-cache");

/** An uncompressed RGB TIFF with noise in it (147 MB at 7000 x 7000), made once and kept. */
const bigTiff = async (side: number): Promise<string> => {
  const file = path.join(CACHE_DIR, `renditions-${side}.tif`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  await sharp({
    create: {
      width: side,
      height: side,
      channels: 3,
      background: "#468",
      noise: { type: "gaussian", mean: 128, sigma: 40 },
    },
  })
    .tiff({ compression: "none" })
    .toFile(`${file}.part`);
  fs.renameSync(`${file}.part`, file);
  return file;
};

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

/** Resets the process's peak RSS (VmHWM) to its current RSS; false where the kernel refuses. */
const resetPeak = (pid: number): boolean => {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
};

const uploadFile = async (s: RunningServer, projectId: number, file: string): Promise<number> => {
  const form = new FormData();
  form.append("files", new Blob([new Uint8Array(fs.readFileSync(file))], { type: "image/tiff" }), "big.tif");
  const res = await fetch(`${s.url}/api/v1/projects/${projectId}/images`, {
    method: "POST",
    body: form,
    headers: { authorization: `Bearer ${s.token}` },
  });
  const body = (await res.json()) as {
    results: { status: string; image?: { id: number }; reason?: string }[];
  };
  const r = body.results[0];
  if (r?.status !== "created" || !r.image) throw new Error(`upload failed: ${JSON.stringify(r)}`);
  return r.image.id;
};

/**
 * Sends /health every 10 ms from a worker thread and answers the slowest round trip when stopped:
 * the health route does no work, so its latency is how long the server's event loop was busy.
 */
const healthProber = (url: string) => {
  const worker = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     let max = 0, stop = false;
     parentPort.once("message", () => { stop = true; });
     (async () => {
       while (!stop) {
         const t0 = performance.now();
         await (await fetch(workerData)).text();
         max = Math.max(max, performance.now() - t0);
         await new Promise((r) => setTimeout(r, 10));
       }
       parentPort.postMessage(max);
     })();`,
    { eval: true, workerData: url },
  );
  return {
    stop: () =>
      new Promise<number>((resolve) => {
        worker.once("message", (max: number) => {
          void worker.terminate();
          resolve(max);
        });
        worker.postMessage("stop");
      }),
  };
};

const view = async (s: RunningServer, imageId: number): Promise<number> => {
  const res = await fetch(`${s.url}/api/v1/images/${imageId}/display`, {
    headers: { authorization: `Bearer ${s.token}` },
  });
  if (res.status !== 200) throw new Error(`display answered ${res.status}: ${await res.text()}`);
  return (await res.arrayBuffer()).byteLength;
};

export const fourFirstViews = async (quick: boolean): Promise<Row[]> => {
  const side = quick ? 3000 : 7000;
  const file = await bigTiff(side);
  const s = await startServer({ port: PORT, env: { LABELBENCH_TILE_MEGAPIXELS: "100000" } });
  try {
    const p = await api<{ id: number }>(s, "POST", "/projects", { name: "renditions" });
    const imageId = await uploadFile(s, p.json.id, file);
    // Let the upload's garbage go before the baseline is taken.
    await new Promise((r) => setTimeout(r, 2000));
    // The same probe on the idle server: what the machine's load alone costs a request.
    const idle = healthProber(`${s.url}/api/v1/health`);
    await new Promise((r) => setTimeout(r, 5000));
    const idleStall = await idle.stop();
    const before = rssMb(s.pid);
    const exactPeak = resetPeak(s.pid);
    let sampledPeak = before;
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, rssMb(s.pid));
    }, 10);
    // On a thread of its own: this thread is busy receiving four big PNGs, which would delay it.
    const prober = healthProber(`${s.url}/api/v1/health`);
    const t0 = performance.now();
    const sizes = await Promise.all(Array.from({ length: 4 }, () => view(s, imageId)));
    const allServed = performance.now() - t0;
    clearInterval(sampler);
    const maxStall = await prober.stop();
    if (new Set(sizes).size !== 1) throw new Error(`the four views got different bytes: ${sizes.join(", ")}`);
    const peak = exactPeak ? s.peakRssMb() : sampledPeak;
    const t1 = performance.now();
    await view(s, imageId);
    const cached = performance.now() - t1;
    const name = quick ? CASE.replace("7000x7000", `${side}x${side}`) : CASE;
    return [
      row(name, "peak RSS above the baseline", peak - before, "MB", { max: 400 }),
      row(name, "max event-loop stall (slowest /health)", maxStall, "ms", { max: 250 }),
      row(name, "slowest /health on the idle server (5 s)", idleStall, "ms"),
      row(name, "all four views served", allServed, "ms"),
      row(name, "a later view (cached rendition)", cached, "ms"),
      row(name, "baseline RSS before the views", before, "MB"),
    ];
  } finally {
    await s.stop();
  }
};

export const renditionCases = (quick: boolean): { name: string; run: () => Promise<Row[]> }[] => [
  { name: "renditions", run: () => fourFirstViews(quick) },
];
