import { findSelfCrossing, type Vertex } from "@labelbench/geometry";
import { MAX_POLYGON_VERTICES } from "@labelbench/schema";
import { rng } from "../random.js";
import { percentile, type Row, row } from "../report.js";
import { api, type RunningServer } from "../server.js";
import { noiseJpeg, setupProject, upload } from "./server.js";

/**
 * A simple polygon of `n` vertices with a ragged outline (a traced mask's), around the centre of a
 * 4000x3000 image: every angle once, each at its own radius, so the outline never crosses itself.
 */
const raggedRing = (n: number, seed: number): Vertex[] => {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / n;
    const radius = 900 + r() * 400;
    return [2000 + radius * Math.cos(a), 1500 + radius * Math.sin(a)];
  });
};

/** The self-crossing check alone, at the vertex limit: it runs on every polygon saved or imported. */
export const selfCrossingCheck = (quick: boolean): Row[] => {
  const ring = raggedRing(MAX_POLYGON_VERTICES, 3);
  const times: number[] = [];
  const cpu: number[] = [];
  const runs = quick ? 10 : 50;
  for (let i = 0; i < runs + 5; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    if (findSelfCrossing(ring) !== null) throw new Error("the bench polygon crosses itself");
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (i >= 5) {
      times.push(ms);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  const name = `geometry: self-crossing check, ${MAX_POLYGON_VERTICES.toLocaleString("en-US")} vertices`;
  return [
    row(name, "time p50", percentile(times, 50), "ms", { max: 50 }),
    // CPU time of the process: on a shared machine the wall time above also counts the waits for a core.
    row(name, "CPU p50", percentile(cpu, 50), "ms"),
  ];
};

/**
 * A save of one polygon at the vertex limit, and the refusal of one far over it (170,000 vertices,
 * ~7 MB: the request that used to be stored and then broke the image's GET).
 */
export const polygonLimits = async (s: RunningServer, quick: boolean): Promise<Row[]> => {
  const { projectId, labelId } = await setupProject(s, "bench-geometry");
  const up = await upload(s, projectId, [{ name: "big.jpg", bytes: await noiseJpeg(4000, 3000, 1, 30) }]);
  const imageId = up.results[0]?.image?.id;
  if (!imageId) throw new Error("upload for the geometry bench failed");
  const runs = quick ? 5 : 20;
  const put = (points: Vertex[], baseRevision: number) =>
    api<{ revision: number }>(s, "PUT", `/images/${imageId}/annotations`, {
      baseRevision,
      annotations: [{ labelId, geometry: { type: "polygon", points } }],
    });

  const atLimit = raggedRing(MAX_POLYGON_VERTICES, 5);
  const saves: number[] = [];
  let revision = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await put(atLimit, revision);
    saves.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`PUT at the vertex limit answered ${r.status}`);
    revision = r.json.revision;
  }
  const over = raggedRing(170_000, 7);
  const refusals: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await put(over, revision);
    refusals.push(performance.now() - t0);
    if (r.status !== 400) throw new Error(`PUT over the vertex limit answered ${r.status}`);
  }
  return [
    row("server: PUT a polygon at the vertex limit", "latency p50", percentile(saves, 50), "ms", {
      max: 300,
    }),
    row("server: PUT 170,000 vertices (7 MB), refused", "latency p50", percentile(refusals, 50), "ms", {
      max: 300,
    }),
  ];
};
