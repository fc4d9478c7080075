import type { Vertex } from "@labelbench/geometry";
import { matchImage, type QualityShape } from "@labelbench/quality";
import { rng } from "../random.js";
import { percentile, type Row, row } from "../report.js";

const LABELS = 8;

/**
 * A dense image: `count` objects of 15-60 px scattered over a square of 60 px per object, so
 * neighbours often overlap; a share of them polygons of 8-16 vertices with ragged (often concave)
 * outlines, the rest boxes.
 */
export const referenceShapes = (count: number, seed: number, polygonShare = 0.2): QualityShape[] => {
  const r = rng(seed);
  const side = Math.sqrt(count) * 60;
  return Array.from({ length: count }, () => {
    const labelId = 1 + Math.floor(r() * LABELS);
    const cx = r() * side;
    const cy = r() * side;
    const size = 15 + r() * 45;
    if (r() >= polygonShare)
      return { labelId, geometry: { type: "box", x: cx, y: cy, width: size, height: size * (0.5 + r()) } };
    const n = 8 + Math.floor(r() * 9);
    const points: Vertex[] = Array.from({ length: n }, (_, i) => {
      const a = (2 * Math.PI * i) / n;
      const radius = (size / 2) * (0.5 + 0.5 * r());
      return [cx + radius * Math.cos(a), cy + radius * Math.sin(a)];
    });
    return { labelId, geometry: { type: "polygon", points: points.map(([x, y]) => [x, y]) } };
  });
};

/** An annotator's version: every shape nudged a few pixels, 3 % dropped, 3 % relabelled, 3 % added. */
export const checkedShapes = (
  reference: QualityShape[],
  seed: number,
  polygonShare = 0.2,
): QualityShape[] => {
  const r = rng(seed);
  const out: QualityShape[] = [];
  for (const s of reference) {
    const p = r();
    if (p < 0.03) continue;
    const labelId = p < 0.06 ? 1 + ((s.labelId + 1) % LABELS) : s.labelId;
    const dx = (r() - 0.5) * 4;
    const dy = (r() - 0.5) * 4;
    const g = s.geometry;
    out.push({
      labelId,
      geometry:
        g.type === "box"
          ? { ...g, x: g.x + dx, y: g.y + dy }
          : { type: "polygon", points: g.points.map(([x, y]) => [x + dx, y + dy]) },
    });
  }
  const extra = referenceShapes(Math.round(reference.length * 0.03), seed + 1, polygonShare);
  return [...out, ...extra];
};

const timeScene = (count: number, polygonShare: number, runs: number): Row[] => {
  const reference = referenceShapes(count, 16, polygonShare);
  const checked = checkedShapes(reference, 17, polygonShare);
  const times: number[] = [];
  const cpu: number[] = [];
  let matches = 0;
  for (let i = 0; i < runs + 3; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = matchImage({ shapes: reference, tags: [1] }, { shapes: checked, tags: [1] });
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (i >= 3) {
      times.push(ms);
      cpu.push((c.user + c.system) / 1000);
    }
    matches = r.matches.length;
  }
  if (matches < count * 0.9) throw new Error(`the quality bench matched only ${matches} of ${count}`);
  const shapes = polygonShare === 0 ? "boxes" : `shapes, ${polygonShare * 100} % polygons`;
  const name = `quality: match one image, ${count.toLocaleString("en-US")} x ${checked.length.toLocaleString("en-US")} ${shapes}`;
  return [
    row(name, "time p50", percentile(times, 50), "ms", { max: 200 }),
    row(name, "time p95", percentile(times, 95), "ms"),
    // CPU time of the process (GC threads included): on a shared machine the wall time above
    // counts the waits for a core, this does not.
    row(name, "CPU p50", percentile(cpu, 50), "ms"),
  ];
};

/**
 * One image with 10k reference and ~10k checked shapes matched (IoU, both passes, tags): all boxes,
 * and with a fifth of them polygons, whose every near pair costs an exact polygon clipping.
 */
export const qualityCases = (quick: boolean) => [
  {
    name: "quality",
    run: async (): Promise<Row[]> => {
      const runs = quick ? 5 : 20;
      return [...timeScene(10_000, 0, runs), ...timeScene(10_000, 0.2, runs)];
    },
  },
];
