import sharp from "sharp";
import { rng } from "../random.js";
import { percentile, type Row, row } from "../report.js";
import { api, type RunningServer } from "../server.js";

interface Created {
  id: number;
}
interface AnnSet {
  revision: number;
}

const boxes = (n: number, labelId: number, w: number, h: number, seed: number) => {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const bw = 10 + r() * 80;
    const bh = 10 + r() * 80;
    return {
      id: `b${i}`,
      labelId,
      geometry: { type: "box", x: r() * (w - bw), y: r() * (h - bh), width: bw, height: bh },
    };
  });
};

export const noiseJpeg = (width: number, height: number, seed: number, quality = 80) => {
  const r = rng(seed);
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = Math.floor(r() * 256);
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
};

export const upload = async (
  s: RunningServer,
  projectId: number,
  files: { name: string; bytes: Buffer }[],
) => {
  const form = new FormData();
  for (const f of files)
    form.append("files", new Blob([new Uint8Array(f.bytes)], { type: "image/jpeg" }), f.name);
  const headers: Record<string, string> = s.token ? { authorization: `Bearer ${s.token}` } : {};
  const res = await fetch(`${s.url}/api/v1/projects/${projectId}/images`, {
    method: "POST",
    body: form,
    headers,
  });
  if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { results: { status: string; image?: { id: number } }[] };
};

export const setupProject = async (s: RunningServer, name: string) => {
  const p = await api<Created>(s, "POST", "/projects", { name });
  const l = await api<Created>(s, "POST", `/projects/${p.json.id}/labels`, { name: "object" });
  return { projectId: p.json.id, labelId: l.json.id };
};

/** PUT of 1,000 shapes on one 4000x3000 image, sequentially: the autosave of a dense image. */
export const putLatency = async (s: RunningServer, quick: boolean): Promise<Row[]> => {
  const { projectId, labelId } = await setupProject(s, "bench-put");
  const up = await upload(s, projectId, [{ name: "big.jpg", bytes: await noiseJpeg(4000, 3000, 1, 30) }]);
  const imageId = up.results[0]?.image?.id;
  if (!imageId) throw new Error("upload for the PUT bench failed");
  const shapes = boxes(1000, labelId, 4000, 3000, 7);
  let revision = 0;
  const times: number[] = [];
  const n = quick ? 20 : 100;
  for (let i = 0; i < n; i++) {
    const first = shapes[0];
    if (first) first.geometry.x = (i * 3) % 3000;
    const t0 = performance.now();
    const r = await api<AnnSet>(s, "PUT", `/images/${imageId}/annotations`, {
      baseRevision: revision,
      annotations: shapes,
      tags: [],
    });
    times.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`PUT answered ${r.status}`);
    revision = r.json.revision;
  }
  return [
    row("server: PUT 1,000 shapes", "latency p50", percentile(times, 50), "ms"),
    row("server: PUT 1,000 shapes", "latency p99", percentile(times, 99), "ms"),
  ];
};

/**
 * 50 clients, each autosaving its own image in a loop (GET once, then PUT with the returned
 * revision). With several server processes (one database, one storage) a client's requests take
 * turns over them, as a round-robin proxy would send them.
 */
export const concurrentAutosave = async (
  servers: RunningServer | RunningServer[],
  quick: boolean,
): Promise<Row[]> => {
  const all = Array.isArray(servers) ? servers : [servers];
  const s = all[0];
  if (!s) throw new Error("no server");
  const clients = 50;
  const seconds = quick ? 5 : 30;
  const { projectId, labelId } = await setupProject(s, "bench-autosave");
  const files = await Promise.all(
    Array.from({ length: clients }, async (_, i) => ({
      name: `c${i}.jpg`,
      bytes: await noiseJpeg(640, 480, 100 + i),
    })),
  );
  const up = await upload(s, projectId, files);
  const ids = up.results.map((r) => r.image?.id).filter((x): x is number => typeof x === "number");
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    ids.map(async (imageId, c) => {
      const shapes = boxes(100, labelId, 640, 480, 1000 + c);
      let revision = (await api<AnnSet>(s, "GET", `/images/${imageId}/annotations`)).json.revision;
      let i = 0;
      while (Date.now() < end) {
        const first = shapes[0];
        if (first) first.geometry.x = (i * 7) % 500;
        const to = all[(c + i) % all.length] ?? s;
        i++;
        const t0 = performance.now();
        const r = await api<AnnSet>(to, "PUT", `/images/${imageId}/annotations`, {
          baseRevision: revision,
          annotations: shapes,
          tags: [],
        });
        latencies.push(performance.now() - t0);
        if (r.status === 200) revision = r.json.revision;
        else errors++;
      }
    }),
  );
  const name = `server: ${clients} autosaving clients, ${seconds} s${all.length > 1 ? `, ${all.length} processes` : ""}`;
  return [
    row(name, "requests/s", latencies.length / seconds, "req/s"),
    row(name, "latency p99", percentile(latencies, 99), "ms"),
    row(name, "errors", errors, "", { max: 0 }),
  ];
};

/** 1,000 small JPEGs uploaded in batches of 50, two requests in flight (what the web app does). */
export const uploadIngest = async (s: RunningServer, quick: boolean): Promise<Row[]> => {
  const n = quick ? 200 : 1000;
  const { projectId } = await setupProject(s, "bench-upload");
  const files = await Promise.all(
    Array.from({ length: n }, async (_, i) => ({
      name: `img_${i}.jpg`,
      bytes: await noiseJpeg(320, 240, 5000 + i, 85),
    })),
  );
  const bytes = files.reduce((a, f) => a + f.bytes.length, 0);
  const batches: (typeof files)[] = [];
  for (let i = 0; i < files.length; i += 50) batches.push(files.slice(i, i + 50));
  const t0 = performance.now();
  let created = 0;
  const worker = async () => {
    for (let b = batches.shift(); b; b = batches.shift()) {
      const r = await upload(s, projectId, b);
      created += r.results.filter((x) => x.status === "created").length;
    }
  };
  await Promise.all([worker(), worker()]);
  const secs = (performance.now() - t0) / 1000;
  if (created !== n) throw new Error(`upload bench created ${created} of ${n}`);
  return [
    row(`upload ingest: ${n} small JPEGs`, "images/s", n / secs, "img/s"),
    row(`upload ingest: ${n} small JPEGs`, "throughput", bytes / 1e6 / secs, "MB/s"),
  ];
};
