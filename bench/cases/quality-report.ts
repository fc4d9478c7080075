import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { naturalSortKey } from "@labelbench/schema";
import { openDb } from "../../apps/server/src/db/connect.js";
import { migrate, openDatabase } from "../../apps/server/src/db/database.js";
import { annotationService } from "../../apps/server/src/modules/annotations/service.js";
import { scoreImage, scoreProject } from "../../apps/server/src/modules/quality/score.js";
import { qualityService } from "../../apps/server/src/modules/quality/service.js";
import { rng } from "../random.js";
import { percentile, type Row, row } from "../report.js";

const ANNOTATORS = 20;
const LABELS = 5;
const PER_IMAGE = 10;
const WEEKS = 12;
const FROM_SCRATCH_MAX_S = 30;
const UPDATE_MAX_MS = 50;

type Box = { type: "box"; x: number; y: number; width: number; height: number };

/**
 * A project of `images` gold images straight into SQLite, `PER_IMAGE` reference boxes each (1M
 * objects at 100k), each image with one annotator's submitted private copy (of 20 annotators,
 * over 12 weeks): every box nudged a pixel or two, 5 % dropped, 3 % relabelled, 3 % loosened
 * past the match threshold, an extra box on a tenth of the images. Beside them the workflow's
 * records a real project of that size has: a submission and a decision per image, editor time.
 */
export const generate = (images: number): { dir: string; projectId: number; managerId: number } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lb-bench-quality-"));
  const db = openDatabase(path.join(dir, "labelbench.sqlite"));
  migrate(db);
  db.pragma("synchronous = OFF");
  const r = rng(16);
  const now = "2026-01-01T00:00:00.000Z";
  const t0 = Date.parse("2026-01-05T00:00:00.000Z");
  let projectId = 0;
  let managerId = 0;
  db.transaction(() => {
    projectId = Number(
      db
        .prepare(
          "INSERT INTO projects (name, description, created_at, updated_at) VALUES ('quality-100k', '', ?, ?)",
        )
        .run(now, now).lastInsertRowid,
    );
    const labelIds: number[] = [];
    for (let i = 0; i < LABELS; i++)
      labelIds.push(
        Number(
          db
            .prepare(
              "INSERT INTO labels (project_id, name, name_key, color, hotkey, position, shape_types) VALUES (?, ?, ?, '#4e79a7', NULL, ?, 'box,polygon')",
            )
            .run(projectId, `label ${i}`, `label ${i}`, i).lastInsertRowid,
        ),
      );
    const user = (email: string, role: string) =>
      Number(
        db
          .prepare(
            "INSERT INTO users (email, name, role, password_hash, active, created_at, updated_at) VALUES (?, ?, ?, '!', 1, ?, ?)",
          )
          .run(email, email, role, now, now).lastInsertRowid,
      );
    managerId = user("manager@example.com", "manager");
    const annotators = Array.from({ length: ANNOTATORS }, (_, a) =>
      user(`annotator${a}@example.com`, "annotator"),
    );
    for (const id of annotators)
      db.prepare("INSERT INTO project_members (project_id, user_id, added_at) VALUES (?, ?, ?)").run(
        projectId,
        id,
        now,
      );
    const insImg = db.prepare(
      `INSERT INTO images (project_id, sha256, file_name, name_key, width, height, format, byte_size, status,
         annotation_count, revision, created_at, updated_at, gold)
       VALUES (?, ?, ?, ?, 1280, 720, 'jpeg', 100000, 'done', ?, 1, ?, ?, 'honeypot')`,
    );
    const insAnn = db.prepare(
      `INSERT INTO annotations (image_id, uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?)`,
    );
    const insCopy = db.prepare(
      `INSERT INTO image_copies (image_id, user_id, purpose, revision, shapes, tags, state, created_at, updated_at, submitted_at)
       VALUES (?, ?, 'gold', 1, ?, '[]', 'submitted', ?, ?, ?)`,
    );
    const insEvent = db.prepare(
      `INSERT INTO review_events (project_id, image_id, kind, actor_id, subject_id, attempt, revision, created_at)
       VALUES (?, ?, ?, ?, ?, 1, 1, ?)`,
    );
    const span = WEEKS * 7 * 86_400_000;
    for (let i = 0; i < images; i++) {
      const name = `img_${String(i).padStart(6, "0")}.jpg`;
      const imageId = Number(
        insImg.run(
          projectId,
          i.toString(16).padStart(64, "0"),
          name,
          naturalSortKey(name),
          PER_IMAGE,
          now,
          now,
        ).lastInsertRowid,
      );
      const checked: { uid: string; labelId: number; geometry: Box }[] = [];
      for (let k = 0; k < PER_IMAGE; k++) {
        const labelId = labelIds[Math.floor(r() * LABELS)]!;
        const g: Box = {
          type: "box",
          x: 20 + 120 * k,
          y: 20 + r() * 500,
          width: 40 + r() * 60,
          height: 40 + r() * 60,
        };
        insAnn.run(imageId, `r${k}`, labelId, JSON.stringify(g), k, now, now);
        const p = r();
        if (p < 0.05) continue;
        const wrong = p < 0.08 ? labelIds[(labelIds.indexOf(labelId) + 1) % LABELS]! : labelId;
        const scale = p < 0.11 && p >= 0.08 ? 1.8 : 1;
        checked.push({
          uid: `c${k}`,
          labelId: wrong,
          geometry: {
            type: "box",
            x: g.x + 1 + r() - (g.width * (scale - 1)) / 2,
            y: g.y + 1 + r() - (g.height * (scale - 1)) / 2,
            width: g.width * scale,
            height: g.height * scale,
          },
        });
      }
      if (r() < 0.1)
        checked.push({
          uid: "x",
          labelId: labelIds[0]!,
          geometry: { type: "box", x: 20, y: 650, width: 50, height: 50 },
        });
      const by = annotators[Math.floor(r() * ANNOTATORS)]!;
      const at = new Date(t0 + Math.floor(r() * span)).toISOString();
      insCopy.run(
        imageId,
        by,
        JSON.stringify(
          checked.map((c) => ({ ...c, createdBy: null, updatedBy: null, createdAt: at, updatedAt: at })),
        ),
        at,
        at,
        at,
      );
      insEvent.run(projectId, imageId, "submitted", by, by, at);
      insEvent.run(projectId, imageId, r() < 0.85 ? "accepted" : "rejected", managerId, by, at);
    }
    const insActivity = db.prepare(
      "INSERT INTO editor_activity (project_id, user_id, image_id, day, seconds) VALUES (?, ?, ?, ?, ?)",
    );
    for (const id of annotators)
      for (let d = 0; d < WEEKS * 7; d++)
        insActivity.run(
          projectId,
          id,
          1 + d,
          new Date(t0 + d * 86_400_000).toISOString().slice(0, 10),
          3600 + Math.floor(r() * 7200),
        );
  })();
  db.close();
  return { dir, projectId, managerId };
};

const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

/**
 * The QC report of a 100k-image / 1M-object project (issue 16), in-process over SQLite: scored
 * from scratch (every gold comparison recomputed with matchImage, then the report), and updated
 * after one save of a gold image's reference (scoreImage of that image, then the report). Wall time
 * and the process's CPU time: on a shared machine the first counts the waits for a core.
 */
export const qualityReport = async (quick: boolean): Promise<Row[]> => {
  const images = quick ? 10_000 : 100_000;
  const g0 = performance.now();
  const data = generate(images);
  process.stderr.write(
    `bench: quality-report data (${images} images) in ${((performance.now() - g0) / 1000).toFixed(1)} s\n`,
  );
  const conn = await openDb(path.join(data.dir, "labelbench.sqlite"));
  const CASE = `quality report: ${images / 1000}k images, ${(images * PER_IMAGE) / 1e6}M objects, gold`;
  try {
    let clock = Date.parse("2026-04-01T00:00:00.000Z");
    const tick = () => {
      clock += 1000;
      return new Date(clock).toISOString();
    };
    const deps = {
      sql: conn.kysely,
      dialect: conn.dialect,
      now: tick,
    };
    const quality = qualityService(deps);
    const manager = { userId: data.managerId, role: "manager" as const };
    const query = { kind: "gold" as const, format: "json" as const };

    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const scored = await scoreProject(deps, data.projectId);
    const tScored = performance.now();
    const report = await quality.report(data.projectId, query, manager);
    const scratchS = (performance.now() - t0) / 1000;
    const scratchCpu = cpuMs(process.cpuUsage(c0)) / 1000;
    if (scored.comparisons !== images || report.summary.counts.comparisons !== images)
      throw new Error(
        `scored ${scored.comparisons} comparisons, report ${report.summary.counts.comparisons}`,
      );
    if (report.annotators.length !== ANNOTATORS) throw new Error(`${report.annotators.length} annotators`);

    // One save of a gold image's reference (a box moved), then the report brought up to date.
    const annotations = annotationService(deps);
    const save: number[] = [];
    const update: number[] = [];
    const updateCpu: number[] = [];
    const runs = quick ? 10 : 30;
    for (let i = 0; i < runs + 3; i++) {
      const imageId = 1 + Math.floor((i * 7919) % images);
      const set = await annotations.get(imageId);
      const s0 = performance.now();
      await annotations.put(
        imageId,
        {
          baseRevision: set.revision,
          annotations: set.annotations.map((a, k) => ({
            id: a.id,
            labelId: a.labelId,
            geometry:
              k === 0 && a.geometry.type === "box" ? { ...a.geometry, x: a.geometry.x + 30 } : a.geometry,
          })),
          tags: set.tags,
        },
        "manager@example.com",
      );
      const u0 = performance.now();
      const uc = process.cpuUsage();
      await scoreImage(deps, imageId);
      const after = await quality.report(data.projectId, query, manager);
      const u = performance.now() - u0;
      if (after.summary.counts.comparisons !== images) throw new Error("the report lost comparisons");
      if (i >= 3) {
        save.push(u0 - s0);
        update.push(u);
        updateCpu.push(cpuMs(process.cpuUsage(uc)));
      }
    }
    return [
      row(CASE, "from scratch: score + report", scratchS, "s", { max: FROM_SCRATCH_MAX_S }),
      row(CASE, "from scratch: CPU", scratchCpu, "s"),
      row(CASE, "from scratch: of which scoring", (tScored - t0) / 1000, "s"),
      row(CASE, "after one save: score + report p50", percentile(update, 50), "ms", { max: UPDATE_MAX_MS }),
      row(CASE, "after one save: score + report p95", percentile(update, 95), "ms"),
      row(CASE, "after one save: CPU p50", percentile(updateCpu, 50), "ms"),
      row(CASE, "the save itself p50", percentile(save, 50), "ms"),
    ];
  } finally {
    await conn.close();
    fs.rmSync(data.dir, { recursive: true, force: true });
  }
};

export const qualityReportCases = (quick: boolean): { name: string; run: () => Promise<Row[]> }[] => [
  { name: "quality-report", run: () => qualityReport(quick) },
];
