import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PredictionImportQuery } from "@labelbench/schema";
import type { Browser } from "@playwright/test";
import type { Request } from "express";
import { openDb } from "../../apps/server/src/db/connect.js";
import { migrate, openDatabase } from "../../apps/server/src/db/database.js";
import type { Deps } from "../../apps/server/src/deps.js";
import { importPredictions } from "../../apps/server/src/modules/predictions/import.js";
import { type Backend, onBackends, placeFor } from "../backends.js";
import { launchBrowser, measureGesture, signedInContext, webDist } from "../browser.js";
import { rng } from "../random.js";
import { percentile, type Row, row } from "../report.js";
import { startServer } from "../server.js";
import { createScene, nextFrames, openEditor } from "./editor.js";
import { clickableBox, SCENE } from "./editor-scene.js";

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

const STEP_CASE = "editor: stepping through 3,000 predictions over 10k boxes + 2k polygons";
const STEP_PORT = 3436;
const STEP_PREDICTIONS = 3_000;
/** The target: a step (`]`) costs about one frame of work, whatever the layers hold. */
const STEP_MAX_MS = 50;

/** 3,000 boxes of 16-220 px over the dense scene's image, as a detector's COCO results for it. */
const stepResults = (labels: number) => {
  const r = rng(23);
  return Array.from({ length: STEP_PREDICTIONS }, () => {
    const w = 16 + r() * 204;
    const h = 16 + r() * 204;
    return {
      image_id: 1,
      category_id: 1 + Math.floor(r() * labels),
      bbox: [r() * (SCENE.width - w), r() * (SCENE.height - h), w, h].map((x) => Math.round(x * 100) / 100),
      score: 0.05 + Math.round(r() * 940) / 1000,
    };
  });
};

interface StepHook {
  render: { settled: boolean };
}

/**
 * Issue 17: `]` steps to the next pending prediction and moves the camera onto it. The work of each
 * step, from the key to the frames after it that bring every layer up to date (the image, the shapes,
 * the prediction layer, the panel), summed from the trace: what one step costs the main thread.
 */
export const predictionSteps = async (quick: boolean): Promise<Row[]> => {
  const web = webDist();
  const s = await startServer({ port: STEP_PORT, env: { LABELBENCH_WEB_DIST: web.dir } });
  let browser: Browser | null = null;
  try {
    process.stderr.write("bench: creating the dense scene and its predictions…\n");
    const scene = await createScene(s);
    const imported = await fetch(
      `${s.url}/api/v1/projects/${scene.projectId}/predictions/import?modelName=bench&modelVersion=1`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
        body: JSON.stringify(stepResults(scene.colours.size)),
      },
    );
    if (imported.status !== 200 && imported.status !== 201)
      throw new Error(`prediction import answered ${imported.status}: ${await imported.text()}`);
    const target = clickableBox(scene.shapes, 20, { x: SCENE.width / 2, y: SCENE.height / 2 });
    const probe = { count: scene.shapes.length, x: target.centre.x, y: target.centre.y, id: target.id };
    browser = await launchBrowser();
    const context = await signedInContext(browser, s, { width: 1440, height: 900 });
    const [warm] = await openEditor(context, scene, probe);
    await warm.close();
    const [page] = await openEditor(context, scene, probe);
    await page
      .getByTestId("predictions-visible")
      .filter({ hasText: String(STEP_PREDICTIONS) })
      .waitFor();
    const settled = () =>
      page.waitForFunction(
        () => (window as unknown as { __labelbench?: StepHook }).__labelbench?.render.settled === true,
        null,
        { timeout: 30_000, polling: 50 },
      );
    await settled();
    await nextFrames(page, 10);
    // The first step zooms from fit onto the first prediction; the measured ones move between them.
    await page.keyboard.press("]");
    // The layers see the key's camera in the next frame: until then `settled` still says the last.
    await nextFrames(page, 2);
    await settled();
    await nextFrames(page, 10);
    const steps: number[] = [];
    const frames: number[] = [];
    const walls: number[] = [];
    for (let i = 0; i < (quick ? 6 : 20); i++) {
      const g = await measureGesture(
        browser,
        page,
        async () => {
          await page.keyboard.press(i % 4 === 3 ? "[" : "]");
          await nextFrames(page, 2);
          await settled();
          // The prediction layer and the image prepare what lies ahead within later frames' budgets.
          await nextFrames(page, 10);
        },
        { name: `prediction-step-${i}` },
      );
      steps.push(g.work.reduce((a, b) => a + b, 0));
      walls.push(g.wallWork.reduce((a, b) => a + b, 0));
      frames.push(Math.max(0, ...g.work));
    }
    const focused = await page.getByTestId("prediction-focus").count();
    if (focused !== 1) throw new Error("no prediction is focused after the steps");
    await page.close();
    await context.close();
    return [
      row(
        STEP_CASE,
        `step (]/[): work of the step, CPU, median of ${steps.length}`,
        percentile(steps, 50),
        "ms",
      ),
      row(STEP_CASE, "step: work of the step, CPU, worst", Math.max(...steps), "ms", { max: STEP_MAX_MS }),
      row(STEP_CASE, "step: work of the step, wall, median", percentile(walls, 50), "ms"),
      row(STEP_CASE, "step: heaviest frame, CPU, worst", Math.max(...frames), "ms"),
    ];
  } finally {
    await browser?.close();
    await s.stop();
    web.cleanup();
  }
};

export const predictionCases = (quick: boolean): { name: string; run: () => Promise<Row[]> }[] => [
  { name: "predictions-import", run: onBackends("predictions-import", (b) => predictionsImport(quick, b)) },
  { name: "editor-predictions", run: () => predictionSteps(quick) },
];
