import fs from "node:fs";
import path from "node:path";
import { nameKey } from "@labelbench/formats";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { paletteColor } from "../labels/palette.js";
import { projectRepo } from "../projects/repo.js";

/**
 * Publishing an import's staging file (import-stage.ts) into the project.
 *
 * `commitImport` is the point of no return, one short transaction: it checks that what the import
 * decoded against still holds (the project, the labels it uses, no new label with a name it
 * creates), creates its labels and records the import in `dataset_imports`. `publishImport` then
 * moves the staged images into the project a few thousand annotations per transaction (each a few
 * ms to tens of ms), handing the main thread back between them so saves and reads go on. Each
 * image changes in one transaction: its annotations replaced (or appended to), its tags, count,
 * status and revision. A restart finishes an import that was publishing (`resumeImports`); an
 * import that failed before its commit never wrote to the project at all.
 */

/** Staging files of committed imports, kept until they are published (outside the temp folder). */
const stageDir = (deps: Pick<Deps, "config">) => path.join(deps.config.dataDir, "import-stages");

/**
 * Annotations per publishing transaction at first; adjusted to take about TARGET_MS each. Smaller
 * steps cost more per annotation (ten statements each) and larger ones make a save wait longer.
 */
const FIRST_CHUNK_ROWS = 2_000;
const TARGET_MS = 40;
/** SQLite page cache (KiB) while an import publishes: the annotation table's index pages stay in memory. */
const PUBLISH_CACHE_KIB = 64 * 1024;

export interface CommitPlan {
  readonly projectId: number;
  /** The staging file, in the import's temp folder: moved beside the other staged imports. */
  readonly stageFile: string;
  readonly existing: "append" | "replace";
  readonly actor: string | null;
  readonly now: string;
  readonly images: number;
  /** Project labels the staged rows and tags use. */
  readonly usedLabelIds: readonly number[];
  /** Labels to create, by placeholder id, in the order the project is to list them. */
  readonly createdLabels: readonly { ref: number; name: string }[];
}

/** Records the import as committed and creates its labels. Returns the import id and the label ids by placeholder. */
export const commitImport = (
  deps: Deps,
  plan: CommitPlan,
): { importId: number; labelIds: Map<number, number> } => {
  const dir = stageDir(deps);
  fs.mkdirSync(dir, { recursive: true });
  const db = deps.db;
  const labelIds = new Map<number, number>();
  let importId = 0;
  let file = "";
  db.transaction(() => {
    if (!projectRepo(db).get(plan.projectId))
      throw new AppError("NOT_FOUND", `project ${plan.projectId} was deleted while the import ran`);
    const used = [...new Set(plan.usedLabelIds)];
    if (used.length > 0) {
      const present = new Set(
        db
          .prepare(`SELECT id FROM labels WHERE project_id = ? AND id IN (SELECT value FROM json_each(?))`)
          .pluck()
          .all(plan.projectId, JSON.stringify(used)) as number[],
      );
      const gone = used.filter((id) => !present.has(id));
      if (gone.length > 0)
        throw new AppError(
          "CONFLICT",
          `import refused, nothing was changed: label(s) ${gone.join(", ")} were deleted while the import ran; import again`,
        );
    }
    const byName = db.prepare("SELECT id FROM labels WHERE project_id = ? AND name_key = ?").pluck();
    const clash = plan.createdLabels.find((l) => byName.get(plan.projectId, nameKey(l.name)) !== undefined);
    if (clash)
      throw new AppError(
        "CONFLICT",
        `import refused, nothing was changed: a label "${clash.name}" was created while the import ran; import again`,
      );
    const first = db
      .prepare("SELECT coalesce(max(position), -1) + 1 FROM labels WHERE project_id = ?")
      .pluck()
      .get(plan.projectId) as number;
    const insertLabel = db.prepare(
      "INSERT INTO labels (project_id, name, name_key, color, hotkey, position, shape_types) VALUES (?, ?, ?, ?, NULL, ?, 'box,polygon')",
    );
    plan.createdLabels.forEach((l, i) => {
      const position = first + i;
      const id = Number(
        insertLabel.run(plan.projectId, l.name, nameKey(l.name), paletteColor(position), position)
          .lastInsertRowid,
      );
      labelIds.set(l.ref, id);
    });
    importId = Number(
      db
        .prepare(
          "INSERT INTO dataset_imports (project_id, stage_file, existing, actor, started_at, images) VALUES (?, '', ?, ?, ?, ?)",
        )
        .run(plan.projectId, plan.existing, plan.actor, plan.now, plan.images).lastInsertRowid,
    );
    const map = db.prepare("INSERT INTO dataset_import_labels (import_id, ref, label_id) VALUES (?, ?, ?)");
    for (const [ref, id] of labelIds) map.run(importId, ref, id);
    file = path.join(dir, `${importId}.sqlite`);
    // Moved inside the transaction: were the commit to fail, the file is left for removeStrayStages.
    fs.renameSync(plan.stageFile, file);
    db.prepare("UPDATE dataset_imports SET stage_file = ? WHERE id = ?").run(file, importId);
  })();
  return { importId, labelIds };
};

interface ImportRow {
  id: number;
  project_id: number;
  stage_file: string;
  existing: "append" | "replace";
  actor: string | null;
  started_at: string;
  images: number;
  published_through: number;
}

/**
 * The steps of publishing one import: each `next()` runs one transaction. The caller decides what
 * happens between them (the server yields to other requests; start-up just goes on).
 */
function* publishSteps(deps: Pick<Deps, "db">, importId: number): Generator<void, void, void> {
  const db = deps.db;
  const imp = db.prepare("SELECT * FROM dataset_imports WHERE id = ?").get(importId) as ImportRow | undefined;
  if (!imp) return;
  const schema = `stage_${imp.id}`;
  db.prepare(`ATTACH DATABASE ? AS ${schema}`).run(imp.stage_file);
  const autoCheckpoint = db.pragma("wal_autocheckpoint", { simple: true }) as number;
  const cacheSize = db.pragma("cache_size", { simple: true }) as number;
  db.pragma(`cache_size = -${PUBLISH_CACHE_KIB}`);
  // The publish leaves ~150 MB in the WAL per million annotations: copied into the database file
  // by a worker afterwards (checkpointInBackground), not by whichever save commits next.
  db.pragma("wal_autocheckpoint = 0");
  try {
    const rowsOf = db
      .prepare(`SELECT rows FROM ${schema}.images WHERE seq > ? ORDER BY seq`)
      .pluck()
      .all(imp.published_through) as number[];
    db.exec(
      "CREATE TEMP TABLE IF NOT EXISTS import_chunk (seq INTEGER PRIMARY KEY, image_id INTEGER, base INTEGER NOT NULL DEFAULT 0, tags TEXT, count INTEGER)",
    );
    const has = db
      .prepare(
        `SELECT count(*) FILTER (WHERE image_id IS NULL) AS newImages, count(*) FILTER (WHERE tags IS NOT NULL) AS tags FROM ${schema}.images`,
      )
      .get() as { newImages: number; tags: number };
    const p = { project: imp.project_id, import: imp.id, now: imp.started_at, actor: imp.actor };
    const label = (v: string) =>
      `iif(${v} > 0, ${v}, (SELECT label_id FROM main.dataset_import_labels WHERE import_id = @import AND ref = ${v}))`;
    const sql = {
      clear: db.prepare("DELETE FROM temp.import_chunk"),
      newImages: db.prepare(
        `INSERT OR IGNORE INTO main.images (project_id, sha256, file_name, width, height, channels, format, byte_size, tile_state, created_at, updated_at)
         SELECT @project, sha256, file_name, width, height, channels, format, byte_size, tile_state, @now, @now
         FROM ${schema}.images WHERE seq BETWEEN @from AND @to AND image_id IS NULL ORDER BY seq`,
      ),
      // Images deleted while the import ran are left out; new ones are found by their content.
      chunk: db.prepare(
        `INSERT INTO temp.import_chunk (seq, image_id, tags)
         SELECT s.seq, m.id, s.tags FROM ${schema}.images s
         JOIN main.images m ON m.project_id = @project
           AND m.id = coalesce(s.image_id, (SELECT id FROM main.images WHERE project_id = @project AND sha256 = s.sha256))
         WHERE s.seq BETWEEN @from AND @to`,
      ),
      appendAfter: db.prepare(
        `UPDATE temp.import_chunk SET base = coalesce((SELECT max(position) + 1 FROM main.annotations a WHERE a.image_id = import_chunk.image_id), 0)`,
      ),
      replace: db.prepare(
        "DELETE FROM main.annotations WHERE image_id IN (SELECT image_id FROM temp.import_chunk)",
      ),
      // A label deleted while the import published takes its shapes with it, as its deletion would have.
      // CROSS JOIN fixes the loop order (the chunk's images outside): the staging file has no
      // statistics, and the planner otherwise chose to scan every staged row for each chunk.
      rows: db.prepare(
        `INSERT INTO main.annotations (image_id, uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at)
         SELECT c.image_id, r.uid, l.id, r.geometry, c.base + r.position, @actor, @actor, @now, @now
         FROM temp.import_chunk c CROSS JOIN ${schema}.rows r CROSS JOIN main.labels l
         WHERE r.image_seq = c.seq AND l.id = ${label("r.label")} AND l.project_id = @project
         ORDER BY c.seq, r.position`,
      ),
      clearTags: db.prepare(
        "DELETE FROM main.image_tags WHERE image_id IN (SELECT image_id FROM temp.import_chunk)",
      ),
      tags: db.prepare(
        `INSERT OR IGNORE INTO main.image_tags (image_id, label_id)
         SELECT c.image_id, l.id FROM temp.import_chunk c, json_each(c.tags) j
         JOIN main.labels l ON l.id = ${label("j.value")} AND l.project_id = @project
         WHERE c.tags IS NOT NULL`,
      ),
      count: db.prepare(
        "UPDATE temp.import_chunk SET count = (SELECT count(*) FROM main.annotations a WHERE a.image_id = import_chunk.image_id)",
      ),
      bump: db.prepare(
        `UPDATE main.images SET revision = revision + 1, annotation_count = c.count, updated_at = @now,
           status = CASE WHEN status = 'new' AND (c.count > 0 OR EXISTS (SELECT 1 FROM main.image_tags t WHERE t.image_id = images.id))
             THEN 'in_progress' ELSE status END
         FROM temp.import_chunk c WHERE images.id = c.image_id`,
      ),
      progress: db.prepare("UPDATE main.dataset_imports SET published_through = @to WHERE id = @import"),
    };
    const append = imp.existing === "append";
    const inTransaction = db.transaction((from: number, to: number) => {
      const args = { ...p, from, to };
      sql.clear.run();
      if (has.newImages > 0) sql.newImages.run(args);
      sql.chunk.run(args);
      if (append) sql.appendAfter.run();
      else {
        sql.replace.run();
        sql.clearTags.run();
      }
      sql.rows.run(args);
      if (has.tags > 0) sql.tags.run(args);
      sql.count.run();
      sql.bump.run(args);
      sql.progress.run(args);
    });
    // Every id a step writes is one it has just joined against in the same transaction: SQLite's
    // per-row parent lookups (image, label) would only repeat that, at ~20% of the write cost. The
    // pragma cannot change inside a transaction, and other requests run between the steps with
    // foreign keys on (their cascades need them), so it is switched around each step.
    const step = (from: number, to: number) => {
      db.pragma("foreign_keys = OFF");
      try {
        inTransaction(from, to);
      } finally {
        db.pragma("foreign_keys = ON");
      }
    };
    let target = FIRST_CHUNK_ROWS;
    let i = 0;
    let seq = imp.published_through;
    while (i < rowsOf.length) {
      let rows = 0;
      const from = seq + 1;
      while (i < rowsOf.length && (rows === 0 || rows + (rowsOf[i] ?? 0) <= target)) {
        rows += Math.max(rowsOf[i] ?? 0, 1);
        i++;
        seq++;
      }
      const t0 = performance.now();
      step(from, seq);
      const ms = performance.now() - t0;
      // Aim each transaction at TARGET_MS whatever the machine: halve fast, grow slowly.
      if (ms > 2 * TARGET_MS) target = Math.max(100, Math.floor(target / 2));
      else if (ms < TARGET_MS / 2) target = Math.min(50_000, Math.floor(target * 1.5));
      yield;
    }
    db.transaction(() => {
      projectRepo(db).touch(imp.project_id, imp.started_at);
      db.prepare("DELETE FROM dataset_imports WHERE id = ?").run(imp.id);
    })();
  } finally {
    db.pragma(`wal_autocheckpoint = ${autoCheckpoint}`);
    db.pragma(`cache_size = ${cacheSize}`);
    db.exec(`DETACH DATABASE ${schema}`);
  }
  fs.rmSync(imp.stage_file, { force: true });
}

/** Publishes a committed import, handing the event loop back between its transactions. */
export const publishImport = async (deps: Pick<Deps, "db">, importId: number): Promise<void> => {
  for (const _ of publishSteps(deps, importId)) await new Promise((r) => setImmediate(r));
};

/**
 * At start, before any request: finishes the imports a stopped process was publishing (they had
 * passed their point of no return) and removes staging files no import refers to.
 */
export const resumeImports = (deps: Pick<Deps, "db" | "config" | "log">) => {
  const rows = deps.db.prepare("SELECT id, stage_file FROM dataset_imports ORDER BY id").all() as {
    id: number;
    stage_file: string;
  }[];
  for (const r of rows) {
    if (!fs.existsSync(r.stage_file)) {
      deps.log.warn({ importId: r.id, file: r.stage_file }, "an interrupted import lost its staging file");
      deps.db.prepare("DELETE FROM dataset_imports WHERE id = ?").run(r.id);
      continue;
    }
    deps.log.info({ importId: r.id }, "finishing an import interrupted while it was publishing");
    try {
      for (const _ of publishSteps(deps, r.id)) {
        // Nothing else runs yet: one transaction after the other.
      }
    } catch (err) {
      // The server still starts; the import stays recorded and is tried again at the next start.
      deps.log.error({ err, importId: r.id }, "could not finish an interrupted import");
    }
  }
  const dir = stageDir(deps);
  if (fs.existsSync(dir)) {
    const kept = new Set(rows.map((r) => path.resolve(r.stage_file)));
    for (const f of fs.readdirSync(dir))
      if (!kept.has(path.resolve(dir, f))) fs.rmSync(path.join(dir, f), { force: true });
  }
};
