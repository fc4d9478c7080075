import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { type Backend, backends, onBackends, withServers } from "../backends.js";
import { percentile, type Row, row } from "../report.js";
import { api, type RunningServer } from "../server.js";
import {
  datasetRows,
  downloadExport,
  FOLDERS,
  generateDataset,
  naiveInMemoryCoco,
  readZip,
  tmpFile,
} from "./dataset.js";

/**
 * A generated project: images x annotations per image, written once per bench run on first use.
 * The SQLite cases share its folder (an import changes it for the cases after); when PostgreSQL
 * runs too, a copy of the database file as generated is what PostgreSQL's copies are loaded from.
 */
const lazyDataset = (images: number, perImage: number) => {
  const label = `${images / 1000}k images / ${(images * perImage) / 1e6}M annotations`;
  let dataDir: string | null = null;
  let pristine = "";
  const dir = () => {
    if (dataDir) return dataDir;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "lb-bench-data-"));
    process.stderr.write(`bench: generating ${label}…\n`);
    generateDataset(dataDir, images, perImage);
    if (backends.includes("postgres")) {
      pristine = `${dataDir}-generated.sqlite`;
      fs.copyFileSync(path.join(dataDir, "labelbench.sqlite"), pristine);
    }
    return dataDir;
  };
  return {
    images,
    perImage,
    label,
    dir,
    /** Where a case runs on this dataset, for withServers. */
    place: () => ({ dir: dir(), pristine }),
  };
};
type Dataset = ReturnType<typeof lazyDataset>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system, every thread) a process has used so far, from /proc; 0 once it is gone. */
const cpuSecondsOf = (pid: number): number => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
};

/**
 * The CPU of a server's work on PostgreSQL is mostly in the database's backends: those serving the
 * server's database (named in its environment), by pid, found by their process titles
 * (`postgres: user database host(port) state`). Empty on SQLite or for a database on another machine.
 */
const backendPidsOf = (serverPid: number): number[] => {
  const env = fs.readFileSync(`/proc/${serverPid}/environ`, "utf8").split("\0");
  const url = env
    .find((e) => e.startsWith("LABELBENCH_DATABASE_URL="))
    ?.slice("LABELBENCH_DATABASE_URL=".length);
  if (!url) return [];
  const database = new URL(url).pathname.slice(1);
  return fs.readdirSync("/proc").flatMap((d) => {
    if (!/^\d+$/.test(d)) return [];
    try {
      const title = fs.readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0")[0] ?? "";
      return title.startsWith("postgres: ") && title.split(" ")[2] === database ? [Number(d)] : [];
    } catch {
      return [];
    }
  });
};

/** CPU seconds used from now until the returned function is called: the server's and its database backends'. */
const cpuMeter = (serverPid: number) => {
  const server0 = cpuSecondsOf(serverPid);
  const backends0 = new Map(backendPidsOf(serverPid).map((p) => [p, cpuSecondsOf(p)]));
  return () => {
    let backends = 0;
    // Backends that started meanwhile count from 0; those that ended took their CPU with them.
    for (const p of backendPidsOf(serverPid)) backends += cpuSecondsOf(p) - (backends0.get(p) ?? 0);
    return { server: cpuSecondsOf(serverPid) - server0, backends };
  };
};

/**
 * 100k images / 1M annotations: streamed exports with bounded memory, validated by parsing back;
 * and the same million annotations on 1,000 dense images (1,000 shapes each), which is what a
 * batch bounded by images instead of annotations gets wrong.
 */
export const datasetCases = (quick: boolean) => {
  const wide = lazyDataset(quick ? 10_000 : 100_000, 10);
  const dense = lazyDataset(quick ? 100 : 1_000, 1_000);
  const { images, perImage, label } = wide;
  // A fresh server per export so its peak RSS belongs to this export alone.
  const exportCase = (format: "coco" | "yolo", port: number, data: Dataset) => (backend: Backend) =>
    withServers(backend, port, 1, ([s]) => exportOn(s as RunningServer, backend, format, data), data.place());
  const exportOn = async (
    s: RunningServer,
    backend: Backend,
    format: "coco" | "yolo",
    data: Dataset,
  ): Promise<Row[]> => {
    const { images, perImage, label } = data;
    const file = tmpFile(`${format}.zip`);
    const { seconds } = await downloadExport(s, 1, `format=${format}&images=exclude`, file);
    const rss = s.peakRssMb();
    let annotations = 0;
    let labelFiles = 0;
    await readZip(file, (name, text) => {
      if (format === "coco" && name.endsWith(".json") && name.includes("annotations")) {
        const doc = JSON.parse(text) as { images: unknown[]; annotations: unknown[] };
        if (doc.images.length !== images)
          throw new Error(`COCO export has ${doc.images.length} images, expected ${images}`);
        annotations += doc.annotations.length;
      }
      if (format === "yolo" && name.startsWith("labels/") && name.endsWith(".txt")) {
        labelFiles++;
        annotations += text.split("\n").filter((l) => l.trim()).length;
      }
    });
    if (annotations !== images * perImage)
      throw new Error(`${format} export holds ${annotations} annotations, expected ${images * perImage}`);
    if (format === "yolo" && labelFiles !== images)
      throw new Error(`YOLO export has ${labelFiles} label files, expected ${images}`);
    const rows = datasetRows(`${format.toUpperCase()} export, ${label}`, seconds, rss, {
      seconds: 10,
      rss: 256,
    });
    if (format === "coco" && data === wide && backend === "sqlite") {
      const naive = naiveInMemoryCoco(data.dir());
      rows.push(
        row(`naive in-memory COCO, ${label}`, "time", naive.seconds, "s"),
        row(`naive in-memory COCO, ${label}`, "peak RSS", naive.rssMb, "MB"),
        row("COCO: naive / streamed", "peak RSS ratio", naive.rssMb / rss, "x"),
      );
    }
    return rows;
  };
  /** The COCO export re-imported into the same project (images matched by file name, annotations replaced). */
  const importCase = (backend: Backend) =>
    withServers(
      backend,
      3413,
      1,
      async ([server]): Promise<Row[]> => {
        const s = server as RunningServer;
        const file = tmpFile("coco.zip");
        await downloadExport(s, 1, "format=coco&images=exclude", file);
        const cpu = cpuMeter(s.pid);
        const t0 = performance.now();
        const res = await fetch(`${s.url}/api/v1/projects/1/import?format=coco&existing=replace`, {
          method: "POST",
          headers: { authorization: `Bearer ${s.token}`, "content-type": "application/zip" },
          body: fs.readFileSync(file),
        });
        const seconds = (performance.now() - t0) / 1000;
        const used = cpu();
        const report = (await res.json()) as {
          applied?: boolean;
          annotations?: { total: number };
          error?: unknown;
        };
        if (!res.ok || !report.applied)
          throw new Error(`import failed: ${res.status} ${JSON.stringify(report).slice(0, 300)}`);
        if (report.annotations?.total !== images * perImage) {
          throw new Error(
            `import read ${report.annotations?.total} annotations, expected ${images * perImage}`,
          );
        }
        return [
          row(`COCO import, ${label}`, "time", seconds, "s", { max: 20 }),
          // On a shared machine the wall time counts the waits for a core; the CPU time is the work.
          row(`COCO import, ${label}`, "server CPU time", used.server, "s"),
          ...(backend === "postgres"
            ? [row(`COCO import, ${label}`, "database backends' CPU time", used.backends, "s")]
            : []),
          row(`COCO import, ${label}`, "server peak RSS", s.peakRssMb(), "MB"),
        ];
      },
      wide.place(),
    );

  /**
   * An editor's autosave, and the health check, while the COCO export is imported back (1M
   * annotations replaced): an import must not freeze the server. Saves go to an image the import
   * also replaces, so some answer 409 once it is published; that is an answer like any other.
   */
  const saveDuringImport = (backend: Backend) =>
    withServers(
      backend,
      3422,
      1,
      async ([server]): Promise<Row[]> => {
        const s = server as RunningServer;
        const file = tmpFile("coco.zip");
        await downloadExport(s, 1, "format=coco&images=exclude", file);
        const body = fs.readFileSync(file);
        const shapes = Array.from({ length: 100 }, (_, i) => ({
          id: `s${i}`,
          labelId: 1,
          geometry: { type: "box", x: (i % 10) * 100, y: Math.floor(i / 10) * 60, width: 50, height: 40 },
        }));
        const readRevision = async () =>
          (await api<{ revision: number }>(s, "GET", "/images/1/annotations")).json.revision;
        let revision = await readRevision();
        // A server frozen past its keep-alive timeout resets the idle connection the next request
        // goes out on: that request is sent again, and its latency counts from the first try.
        const retried = async <T>(fn: () => Promise<T>): Promise<T> => {
          for (let i = 0; ; i++) {
            try {
              return await fn();
            } catch (err) {
              if (i >= 3) throw err;
            }
          }
        };
        const save = async () => {
          const t0 = performance.now();
          const r = await retried(() =>
            api<{ revision: number }>(s, "PUT", "/images/1/annotations", {
              baseRevision: revision,
              annotations: shapes,
              tags: [],
            }),
          );
          const ms = performance.now() - t0;
          if (r.status === 200) revision = r.json.revision;
          else if (r.status === 409) revision = await readRevision();
          else throw new Error(`PUT answered ${r.status}`);
          return ms;
        };
        const health = async () => {
          const t0 = performance.now();
          const r = await retried(async () => {
            const res = await fetch(`${s.url}/api/v1/health`);
            await res.text();
            return res;
          });
          if (!r.ok) throw new Error(`health answered ${r.status}`);
          return performance.now() - t0;
        };
        const idle: number[] = [];
        for (let i = 0; i < 30; i++) idle.push(await save());
        const saves: number[] = [];
        const checks: number[] = [];
        let done = false;
        const t0 = performance.now();
        // node:http, not fetch: fetch gives up on an answer that takes more than 300 s, which an
        // import under a stream of saves on a loaded machine can.
        const importing = new Promise<number>((resolve, reject) => {
          const req = http.request(
            `${s.url}/api/v1/projects/1/import?format=coco&existing=replace`,
            {
              method: "POST",
              headers: {
                authorization: `Bearer ${s.token}`,
                "content-type": "application/zip",
                "content-length": body.length,
              },
            },
            (res) => {
              const parts: Buffer[] = [];
              res.on("data", (c: Buffer) => parts.push(c));
              res.on("end", () => {
                const report = JSON.parse(Buffer.concat(parts).toString("utf8")) as { applied?: boolean };
                if (res.statusCode !== 200 || !report.applied)
                  reject(new Error(`import failed: ${res.statusCode}`));
                else resolve((performance.now() - t0) / 1000);
              });
            },
          );
          req.on("error", reject);
          req.end(body);
        }).finally(() => {
          done = true;
        });
        // The upload itself takes a moment; measure from when the server has it.
        await new Promise((r) => setTimeout(r, 300));
        const saving = (async () => {
          while (!done) saves.push(await save());
        })();
        const checking = (async () => {
          while (!done) {
            checks.push(await health());
            await new Promise((r) => setTimeout(r, 50));
          }
        })();
        const seconds = await importing;
        await Promise.all([saving, checking]);
        const c = `PUT 100 shapes while a COCO import (${label}) runs`;
        return [
          // Saves come first: under a stream of them the import takes longer (its target is import-coco's).
          row(c, "import time", seconds, "s"),
          row(c, "save p50 idle", percentile(idle, 50), "ms"),
          row(c, "save p50 during import", percentile(saves, 50), "ms"),
          row(c, "save p99 during import", percentile(saves, 99), "ms", { max: 250 }),
          row(c, "saves during import", saves.length, ""),
          row(c, "health p99 during import", percentile(checks, 99), "ms"),
          row(c, "health max during import", Math.max(...checks), "ms"),
        ];
      },
      wide.place(),
    );

  /** An editor's autosave while a big export streams: the export must not block writers. */
  const putDuringExport = (backend: Backend) =>
    withServers(
      backend,
      3414,
      1,
      async ([server]): Promise<Row[]> => {
        const s = server as RunningServer;
        const shapes = Array.from({ length: 100 }, (_, i) => ({
          id: `p${i}`,
          labelId: 1,
          geometry: { type: "box", x: (i % 10) * 100, y: Math.floor(i / 10) * 60, width: 50, height: 40 },
        }));
        let revision = (await api<{ revision: number }>(s, "GET", "/images/1/annotations")).json.revision;
        const put = async () => {
          const t0 = performance.now();
          const r = await api<{ revision: number }>(s, "PUT", "/images/1/annotations", {
            baseRevision: revision,
            annotations: shapes,
            tags: [],
          });
          if (r.status !== 200) throw new Error(`PUT answered ${r.status}`);
          revision = r.json.revision;
          return performance.now() - t0;
        };
        const idle: number[] = [];
        for (let i = 0; i < 30; i++) idle.push(await put());
        const busy: number[] = [];
        let done = false;
        const exporting = downloadExport(s, 1, "format=coco&images=exclude", tmpFile("coco.zip")).finally(
          () => {
            done = true;
          },
        );
        await new Promise((r) => setTimeout(r, 300));
        while (!done) busy.push(await put());
        await exporting;
        const c = "PUT 100 shapes while a COCO export streams";
        return [
          row(c, "p50 idle", percentile(idle, 50), "ms"),
          row(c, "p50 during export", percentile(busy, 50), "ms"),
          row(c, "p99 during export", percentile(busy, 99), "ms", { max: 250 }),
          row(c, "saves during export", busy.length, ""),
        ];
      },
      wide.place(),
    );

  /**
   * The library at 100k images: what the virtualized grid asks while a user scrolls, jumps, filters
   * and searches. Each figure is the latency of one real page request (100 images with counts).
   */
  const libraryPaging = (backend: Backend) =>
    withServers(
      backend,
      3415,
      1,
      async ([server]): Promise<Row[]> => {
        const s = server as RunningServer;
        type Page = { items: { id: number; tags?: unknown[] }[]; nextCursor: string | null };
        const timed = async (p: string) => {
          const t0 = performance.now();
          const r = await api<Page>(s, "GET", `/projects/1/images${p}`);
          if (r.status !== 200) throw new Error(`GET images${p} answered ${r.status}`);
          if (r.json.items.length === 0) throw new Error(`GET images${p} returned no images`);
          return { ms: performance.now() - t0, page: r.json };
        };
        const repeat = async (n: number, p: (i: number) => string) => {
          const out: number[] = [];
          for (let i = 0; i < n; i++) out.push((await timed(p(i))).ms);
          return out;
        };
        await timed("?limit=100"); // warm the statement cache as a running server would be
        const first = await repeat(20, () => "?limit=100");
        // A jump to a random place in the grid (scrollbar dragged): offset seek.
        const jumps = await repeat(
          20,
          (i) => `?limit=100&offset=${Math.floor((((i * 7919) % 997) / 997) * (images - 100))}`,
        );
        // Scrolling on from there: cursor pages.
        const scroll: number[] = [];
        let cursor = (await timed(`?limit=100&offset=${Math.floor(images / 2)}`)).page.nextCursor;
        for (let i = 0; i < 20 && cursor; i++) {
          const t = await timed(`?limit=100&cursor=${encodeURIComponent(cursor)}`);
          scroll.push(t.ms);
          cursor = t.page.nextCursor;
        }
        // The status most images have (an import before this case may have moved them all).
        const counts = (await api<{ counts: Record<string, number> }>(s, "GET", "/projects/1/images?limit=1"))
          .json.counts;
        const status = (["new", "in_progress", "done", "skipped"] as const).reduce((a, b) =>
          (counts[b] ?? 0) > (counts[a] ?? 0) ? b : a,
        );
        const filtered = await repeat(10, (i) => `?limit=100&status=${status}&offset=${i * (images / 100)}`);
        // What a user types: part of a file name (a substring match over every name).
        const search = await repeat(
          10,
          (i) =>
            `?limit=100&q=${String((i * 4099) % images)
              .padStart(6, "0")
              .slice(0, 4)}`,
        );
        // The other orders of the library (the default above is natural name order): a jump, then
        // scrolling on from it with cursors, in each order and direction.
        const sorted: number[] = [];
        for (const sort of ["added", "status", "annotations", "edited"])
          for (const order of ["asc", "desc"]) {
            const base = `?limit=100&sort=${sort}&order=${order}`;
            const jump = await timed(`${base}&offset=${Math.floor(images * 0.7)}`);
            sorted.push(jump.ms);
            let next = jump.page.nextCursor;
            for (let i = 0; i < 5 && next; i++) {
              const t = await timed(`${base}&cursor=${encodeURIComponent(next)}`);
              sorted.push(t.ms);
              next = t.page.nextCursor;
            }
          }
        // A folder of the tree (issue 18), as the library filters by it: its first page, a jump into
        // it, scrolling on with cursors.
        const folder: number[] = [];
        for (let f = 0; f < FOLDERS; f += 3) {
          const base = `?limit=100&folder=cam_${f}/`;
          folder.push((await timed(base)).ms);
          const jump = await timed(`${base}&offset=${Math.floor(images / FOLDERS / 2)}`);
          folder.push(jump.ms);
          let next = jump.page.nextCursor;
          for (let i = 0; i < 5 && next; i++) {
            const t = await timed(`${base}&cursor=${encodeURIComponent(next)}`);
            folder.push(t.ms);
            next = t.page.nextCursor;
          }
        }
        // The grid classification view (?view=classify) pages the same list with each image's tags
        // (a third of the images carry one): pages spread over the project, checked to carry tags.
        const classify: number[] = [];
        for (let i = 0; i < 20; i++) {
          const t = await timed(
            `?limit=100&offset=${Math.floor((((i * 4099) % 997) / 997) * (images - 100))}`,
          );
          const tagged = t.page.items.filter((im) => (im.tags?.length ?? 0) > 0).length;
          if (tagged === 0)
            throw new Error("a library page carries no image tags: the tags join is not measured");
          classify.push(t.ms);
        }
        // The editor's previous/next/position around images spread over the project, in the default
        // order and filtered by the common status (the position is a count up to the image).
        const step: number[] = [];
        for (let i = 0; i < 20; i++) {
          const id = 1 + Math.floor((((i * 7919) % 997) / 997) * (images - 1));
          for (const q of ["", `?status=${status}`, "?sort=edited"]) {
            const t0 = performance.now();
            const r = await api<{ total: number }>(s, "GET", `/images/${id}/neighbours${q}`);
            if (r.status !== 200) throw new Error(`GET neighbours${q} answered ${r.status}`);
            step.push(performance.now() - t0);
          }
        }
        const c = `library page of 100, ${label}`;
        const target = { max: 100 };
        return [
          row(c, "first page p50", percentile(first, 50), "ms"),
          row(c, "first page p99", percentile(first, 99), "ms", target),
          row(c, "jump (offset) p99", percentile(jumps, 99), "ms", target),
          row(c, "scroll (cursor) p99", percentile(scroll, 99), "ms", target),
          row(c, "status filter p99", percentile(filtered, 99), "ms", target),
          row(c, "name search p99", percentile(search, 99), "ms", target),
          row(c, "other sorts, jump + scroll p99", percentile(sorted, 99), "ms", target),
          row(c, "editor previous/next p99", percentile(step, 99), "ms", target),
          row(c, "folder filter, first + jump + scroll p99", percentile(folder, 99), "ms", target),
          row(c, "grid classification view page (with tags) p99", percentile(classify, 99), "ms", target),
        ];
      },
      wide.place(),
    );

  return [
    { name: "export-coco", run: onBackends("export-coco", exportCase("coco", 3411, wide)) },
    { name: "export-yolo", run: onBackends("export-yolo", exportCase("yolo", 3412, wide)) },
    { name: "export-coco-dense", run: onBackends("export-coco-dense", exportCase("coco", 3416, dense)) },
    { name: "export-yolo-dense", run: onBackends("export-yolo-dense", exportCase("yolo", 3417, dense)) },
    { name: "import-coco", run: onBackends("import-coco", importCase) },
    { name: "put-during-export", run: onBackends("put-during-export", putDuringExport) },
    { name: "save-during-import", run: onBackends("save-during-import", saveDuringImport) },
    { name: "library-paging", run: onBackends("library-paging", libraryPaging) },
  ];
};
