import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { naturalSortKey } from "@labelbench/schema";
import yauzl from "yauzl";
import { migrate, openDatabase } from "../../apps/server/src/db/database.js";
import { rng } from "../random.js";
import { type Row, row } from "../report.js";
import type { RunningServer } from "../server.js";

export const LABELS = ["car", "person", "bicycle", "dog", "traffic light"];

/**
 * Writes a project of `images` images and `perImage` annotations each straight into SQLite (the
 * HTTP path is measured elsewhere): 4 boxes of 5 are boxes, every 5th a 12-vertex polygon.
 */
/** Folders the generated images are spread over (`cam_0/` … `cam_7/`). */
export const FOLDERS = 8;

export const generateDataset = (dataDir: string, images: number, perImage: number, seed = 42) => {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(path.join(dataDir, "labelbench.sqlite"));
  migrate(db);
  const r = rng(seed);
  const now = "2026-01-01T00:00:00.000Z";
  db.pragma("synchronous = OFF");
  const t0 = performance.now();
  db.transaction(() => {
    const pid = Number(
      db
        .prepare("INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, '', ?, ?)")
        .run("bench-100k", now, now).lastInsertRowid,
    );
    const labelIds = LABELS.map((name, i) =>
      Number(
        db
          .prepare(
            "INSERT INTO labels (project_id, name, name_key, color, hotkey, position, shape_types) VALUES (?, ?, ?, '#4e79a7', NULL, ?, 'box,polygon')",
          )
          .run(pid, name, name, i).lastInsertRowid,
      ),
    );
    const insImg = db.prepare(
      `INSERT INTO images (project_id, sha256, file_name, name_key, width, height, format, byte_size, status, annotation_count, revision, created_at, updated_at)
       VALUES (?, ?, ?, ?, 1280, 720, 'jpeg', 100000, ?, ?, 1, ?, ?)`,
    );
    const insAnn = db.prepare(
      `INSERT INTO annotations (image_id, uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?)`,
    );
    const insTag = db.prepare("INSERT INTO image_tags (image_id, label_id) VALUES (?, ?)");
    for (let i = 0; i < images; i++) {
      const sha = i.toString(16).padStart(64, "0");
      // Eight camera folders in contiguous blocks (the library's folder filter, issue 18), so the
      // natural name order is the id order as before.
      const name = `cam_${Math.floor((i * FOLDERS) / images)}/img_${String(i).padStart(6, "0")}.jpg`;
      const imageId = Number(
        insImg.run(pid, sha, name, naturalSortKey(name), i % 10 === 0 ? "new" : "done", perImage, now, now)
          .lastInsertRowid,
      );
      // A third of the images carry an image tag: what the grid classification view reads per page.
      if (i % 3 === 0) insTag.run(imageId, labelIds[i % labelIds.length] ?? labelIds[0]);
      for (let a = 0; a < perImage; a++) {
        const x = Math.round(r() * 1100 * 100) / 100;
        const y = Math.round(r() * 600 * 100) / 100;
        const w = Math.round((10 + r() * 150) * 100) / 100;
        const h = Math.round((10 + r() * 100) * 100) / 100;
        let geometry: string;
        if (a % 5 === 4) {
          const pts: [number, number][] = [];
          for (let k = 0; k < 12; k++) {
            const ang = (k / 12) * Math.PI * 2;
            pts.push([
              Math.round((x + w / 2 + (Math.cos(ang) * w) / 2) * 100) / 100,
              Math.round((y + h / 2 + (Math.sin(ang) * h) / 2) * 100) / 100,
            ]);
          }
          geometry = JSON.stringify({ type: "polygon", points: pts });
        } else {
          geometry = JSON.stringify({
            type: "box",
            x,
            y,
            width: Math.min(w, 1280 - x),
            height: Math.min(h, 720 - y),
          });
        }
        insAnn.run(
          imageId,
          `a${i}_${a}`,
          labelIds[Math.floor(r() * labelIds.length)] ?? labelIds[0],
          geometry,
          a,
          now,
          now,
        );
      }
    }
  })();
  db.close();
  return (performance.now() - t0) / 1000;
};

/** Downloads a streamed export to a file; returns seconds and bytes. */
export const downloadExport = async (s: RunningServer, projectId: number, query: string, file: string) => {
  const t0 = performance.now();
  const res = await fetch(`${s.url}/api/v1/projects/${projectId}/export?${query}`, {
    headers: s.token ? { authorization: `Bearer ${s.token}` } : {},
  });
  if (!res.ok || !res.body) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  await pipeline(
    Readable.fromWeb(res.body as import("node:stream/web").ReadableStream),
    fs.createWriteStream(file),
  );
  return { seconds: (performance.now() - t0) / 1000, bytes: fs.statSync(file).size };
};

/** Reads every entry of a zip as text, calling `onEntry`; proves the file is a complete zip. */
export const readZip = (file: string, onEntry: (name: string, text: string) => void) =>
  new Promise<number>((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error("no zip"));
      let n = 0;
      zip.on("entry", (e: yauzl.Entry) => {
        if (e.fileName.endsWith("/")) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return reject(err2 ?? new Error("no stream"));
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            n++;
            onEntry(e.fileName, Buffer.concat(chunks).toString("utf8"));
            zip.readEntry();
          });
          stream.on("error", reject);
        });
      });
      zip.on("end", () => resolve(n));
      zip.on("error", reject);
      zip.readEntry();
    });
  });

/** The naive baseline: the whole COCO document built in memory, then stringified (what tools that time out do). */
export const naiveInMemoryCoco = (dataDir: string) => {
  const script = `
    const Database = require("better-sqlite3");
    const t0 = performance.now();
    const db = new Database(${JSON.stringify(path.join(dataDir, "labelbench.sqlite"))}, { readonly: true });
    const images = db.prepare("SELECT id, file_name, width, height FROM images ORDER BY id").all();
    const anns = db.prepare("SELECT a.id, a.image_id, a.label_id, a.geometry FROM annotations a ORDER BY a.image_id, a.position").all()
      .map((a) => { const g = JSON.parse(a.geometry); const bbox = g.type === "box" ? [g.x, g.y, g.width, g.height] : [0,0,0,0];
        return { id: a.id, image_id: a.image_id, category_id: a.label_id, bbox, area: bbox[2]*bbox[3], segmentation: g.type === "polygon" ? [g.points.flat()] : [], iscrowd: 0 }; });
    const doc = { images, annotations: anns, categories: [] };
    const text = JSON.stringify(doc);
    console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, rssMb: process.resourceUsage().maxRSS / 1024, bytes: text.length }));
  `;
  const out = spawnSync(process.execPath, ["-e", script], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
    cwd: path.resolve(import.meta.dirname, "../.."),
  });
  if (out.status !== 0) throw new Error(`naive baseline failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim()) as { seconds: number; rssMb: number };
};

export const tmpFile = (name: string) =>
  path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lb-bench-dl-")), name);

export const datasetRows = (
  c: string,
  seconds: number,
  rssMb: number,
  targets: { seconds: number; rss: number },
): Row[] => [
  row(c, "time", seconds, "s", { max: targets.seconds }),
  row(c, "server peak RSS", rssMb, "MB", { max: targets.rss }),
];
