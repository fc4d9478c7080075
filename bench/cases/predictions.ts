import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PredictionImportQuery } from "@labelbench/schema";
import type { Request } from "express";
import { openDb } from "../../apps/server/src/db/connect.js";
import { migrate, openDatabase } from "../../apps/server/src/db/database.js";
import type { Deps } from "../../apps/server/src/deps.js";
import { importPredictions } from "../../apps/server/src/modules/predictions/import.js";
import { type Backend, onBackends, placeFor } from "../backends.js";
import { rng } from "../random.js";
import { type Row, row } from "../report.js";

const IMPORT_MAX_S = 5;
const LABELS = 80;

/**
 * A project of `images` 640x480 images and 80 labels straight into SQLite, and a COCO results
 * file of `detections` boxes against its export's ids (as a detector evaluated on that export
 * writes it): the "100k detections import in ≤ 5 s".
 */
const generate = (images: number, detections: number) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lb-bench-predictions-"));
  const db = openDatabase(path.join(dir, "labelbench.sqlite"));
  migrate(db);
  const now = "2026-01-01T00:00:00.000Z";
  let projectId = 0;
  db.transaction(() => {
    projectId = Number(
      db
        .prepare(
          "INSERT INTO projects (name, description, created_at, updated_at) VALUES ('predictions', '', ?, ?)",
        )
        .run(now, now).lastInsertRowid,
    );
    for (let i = 0; i < LABELS; i++)
      db.prepare(
        "INSERT INTO labels (project_id, name, name_key, color, hotkey, position, shape_types) VALUES (?, ?, ?, '#4e79a7', NULL, ?, 'box,polygon')",
      ).run(projectId, `class ${i}`, `class ${i}`, i);
    const ins = db.prepare(
      `INSERT INTO images (project_id, sha256, file_name, name_key, width, height, format, byte_size, created_at, updated_at)
       VALUES (?, ?, ?, ?, 640, 480, 'jpeg', 100000, ?, ?)`,
    );
    for (let i = 0; i < images; i++) {
      const name = `img_${String(i).padStart(6, "0")}.jpg`;
      ins.run(projectId, i.toString(16).padStart(64, "0"), name, name, now, now);
    }
  })();
  db.close();
  const r = rng(17);
  const results = Array.from({ length: detections }, () => {
    const w = 10 + r() * 200;
    const h = 10 + r() * 200;
    return {
      image_id: 1 + Math.floor(r() * images),
      category_id: 1 + Math.floor(r() * LABELS),
      bbox: [
        Math.round(r() * (640 - w) * 100) / 100,
        Math.round(r() * (480 - h) * 100) / 100,
        Math.round(w * 100) / 100,
        Math.round(h * 100) / 100,
      ],
      score: Math.round(r() * 1000) / 1000,
    };
  });
  return { dir, projectId, text: JSON.stringify(results) };
};

/** CPU seconds of this database's server processes so far (PostgreSQL's backends), from /proc. */
const backendCpu = async (conn: Awaited<ReturnType<typeof openDb>>): Promise<number> => {
  if (conn.dialect !== "postgres") return 0;
  const { rows } = await conn.pool.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()",
  );
  const tick = 100; // USER_HZ on Linux
  let s = 0;
  for (const { pid } of rows) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      s += (Number(f[11]) + Number(f[12])) / tick;
    } catch {
      // A backend that ended, or a server on another machine: its CPU is not counted.
    }
  }
  return s;
};

export const predictionsImport = async (quick: boolean, backend: Backend): Promise<Row[]> => {
  const detections = quick ? 10_000 : 100_000;
  const images = quick ? 1_000 : 5_000;
  const data = generate(images, detections);
  const file = path.join(data.dir, "labelbench.sqlite");
  // On PostgreSQL a copy of the same rows (ids kept), as the dataset cases load theirs.
  const place = backend === "postgres" ? await placeFor(backend, { dir: data.dir, pristine: file }) : null;
  const conn = await openDb(place?.env.LABELBENCH_DATABASE_URL ?? file);
  const CASE = `predictions import: ${detections / 1000}k COCO results detections, ${images / 1000}k images`;
  try {
    const deps = {
      sql: conn.kysely,
      dialect: conn.dialect,
      ...(conn.sqlite ? { db: conn.sqlite } : { pgPool: conn.pool }),
      now: () => new Date().toISOString(),
    } as unknown as Deps;
    // The pool's connections open before the clock starts, so their backends are counted.
    const b0 = await backendCpu(conn);
    const query = PredictionImportQuery.parse({ modelName: "bench", modelVersion: "1" });
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    // What the request does: parse the body (express.json), then the import.
    const body: unknown = JSON.parse(data.text);
    const req = { headers: { "content-type": "application/json" }, body } as unknown as Request;
    const report = await importPredictions(deps, data.projectId, query, req, "bench@example.com");
    const seconds = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(c0);
    const cpuSeconds = (used.user + used.system) / 1e6;
    const dbCpuSeconds = (await backendCpu(conn)) - b0;
    if (report.detections.imported !== detections) throw new Error(`imported ${report.detections.imported}`);
    const t1 = performance.now();
    const dry = await importPredictions(
      deps,
      data.projectId,
      PredictionImportQuery.parse({ modelName: "bench", modelVersion: "1", dryRun: "true", nmsIou: "0.5" }),
      { headers: { "content-type": "application/json" }, body: JSON.parse(data.text) } as unknown as Request,
      null,
    );
    const drySeconds = (performance.now() - t1) / 1000;
    return [
      row(CASE, "import (parse, map, write the run)", seconds, "s", { max: IMPORT_MAX_S }),
      // On a shared machine the wall time counts the waits for a core; the CPU time is the work.
      row(CASE, "import: CPU time", cpuSeconds, "s"),
      ...(backend === "postgres"
        ? [row(CASE, "import: database backends' CPU time", dbCpuSeconds, "s")]
        : []),
      row(
        CASE,
        `dry run with class-wise NMS at 0.5 (${dry.detections.suppressed} suppressed)`,
        drySeconds,
        "s",
      ),
    ];
  } finally {
    await conn.close();
    await place?.remove();
    fs.rmSync(data.dir, { recursive: true, force: true });
  }
};

export const predictionCases = (quick: boolean): { name: string; run: () => Promise<Row[]> }[] => [
  { name: "predictions-import", run: onBackends("predictions-import", (b) => predictionsImport(quick, b)) },
];
