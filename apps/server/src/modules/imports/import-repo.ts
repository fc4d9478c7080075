import type { Db } from "../../db/database.js";
import { sqliteImportedChunk } from "../images/image-changes-repo.js";

/** A committed import (dataset_imports), publishing or waiting to. */
export interface ImportRow {
  id: number;
  project_id: number;
  stage_file: string;
  existing: "append" | "replace";
  actor: string | null;
  started_at: string;
  images: number;
  published_through: number;
}

/** A project image an import may match its files against (import-job.ts). */
export interface ExistingImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
  sha256: string;
}

/**
 * What decoding an import reads of the project, on the connection it runs on (a worker's own
 * read-only one, or the server's for in-memory databases).
 */
export const importReadRepo = (db: Db) => {
  const existing = db.prepare<[number], ExistingImage>(
    "SELECT id, file_name, width, height, sha256 FROM images WHERE project_id = ? ORDER BY id",
  );
  const bySha = db
    .prepare<[number, string], number>("SELECT id FROM images WHERE project_id = ? AND sha256 = ?")
    .pluck();
  const count = db.prepare<[number], number>("SELECT annotation_count FROM images WHERE id = ?").pluck();
  return {
    existingImages: (projectId: number): ExistingImage[] => existing.all(projectId),
    imageIdBySha: (projectId: number, sha: string): number | undefined => bySha.get(projectId, sha),
    storedCount: (imageId: number): number | undefined => count.get(imageId),
  };
};

/** The dataset_imports bookkeeping: what commitImport records and a publish or restart reads. */
export const importRepo = (db: Db) => {
  const presentLabels = db
    .prepare<[number, string], number>(
      "SELECT id FROM labels WHERE project_id = ? AND id IN (SELECT value FROM json_each(?))",
    )
    .pluck();
  const labelByKey = db
    .prepare<[number, string], number>("SELECT id FROM labels WHERE project_id = ? AND name_key = ?")
    .pluck();
  const nextPosition = db
    .prepare<[number], number>("SELECT coalesce(max(position), -1) + 1 FROM labels WHERE project_id = ?")
    .pluck();
  const insertLabel = db.prepare(
    "INSERT INTO labels (project_id, name, name_key, color, hotkey, position, shape_types) VALUES (?, ?, ?, ?, NULL, ?, 'box,polygon')",
  );
  const insert = db.prepare(
    "INSERT INTO dataset_imports (project_id, stage_file, existing, actor, started_at, images) VALUES (?, '', ?, ?, ?, ?)",
  );
  const mapLabel = db.prepare(
    "INSERT INTO dataset_import_labels (import_id, ref, label_id) VALUES (?, ?, ?)",
  );
  const setStage = db.prepare("UPDATE dataset_imports SET stage_file = ? WHERE id = ?");
  const one = db.prepare<[number], ImportRow>("SELECT * FROM dataset_imports WHERE id = ?");
  const all = db.prepare<[], Pick<ImportRow, "id" | "stage_file">>(
    "SELECT id, stage_file FROM dataset_imports ORDER BY id",
  );
  const remove = db.prepare("DELETE FROM dataset_imports WHERE id = ?");
  return {
    /** Which of these label ids the project still holds. */
    presentLabelIds: (projectId: number, ids: readonly number[]): Set<number> =>
      new Set(presentLabels.all(projectId, JSON.stringify(ids))),
    /** Whether the project has a label whose name_key is `key` (the formats' nameKey of a name). */
    hasLabelKey: (projectId: number, key: string): boolean => labelByKey.get(projectId, key) !== undefined,
    nextLabelPosition: (projectId: number): number => nextPosition.get(projectId) ?? 0,
    /** A label the import creates: boxes and polygons, no hotkey. Returns its id. */
    insertLabel: (
      projectId: number,
      l: { name: string; key: string; color: string; position: number },
    ): number => Number(insertLabel.run(projectId, l.name, l.key, l.color, l.position).lastInsertRowid),
    insert: (
      projectId: number,
      p: { existing: "append" | "replace"; actor: string | null; now: string; images: number },
    ): number => Number(insert.run(projectId, p.existing, p.actor, p.now, p.images).lastInsertRowid),
    mapLabel: (importId: number, ref: number, labelId: number) => mapLabel.run(importId, ref, labelId),
    setStageFile: (importId: number, file: string) => setStage.run(file, importId),
    get: (importId: number): ImportRow | undefined => one.get(importId),
    list: () => all.all(),
    delete: (importId: number) => remove.run(importId),
  };
};

/** SQLite page cache (KiB) while an import publishes: the annotation table's index pages stay in memory. */
const PUBLISH_CACHE_KIB = 64 * 1024;

/**
 * Publishing one import's staging file, attached to the server's connection as `stage_<id>` for
 * as long as this lives (`close` detaches it). Its statements name that schema, so they are
 * prepared once per publish, not once per connection.
 */
export const openPublish = (db: Db, imp: ImportRow) => {
  const schema = `stage_${imp.id}`;
  db.prepare(`ATTACH DATABASE ? AS ${schema}`).run(imp.stage_file);
  const autoCheckpoint = db.pragma("wal_autocheckpoint", { simple: true }) as number;
  const cacheSize = db.pragma("cache_size", { simple: true }) as number;
  const restore = () => {
    db.pragma(`wal_autocheckpoint = ${autoCheckpoint}`);
    db.pragma(`cache_size = ${cacheSize}`);
    db.exec(`DETACH DATABASE ${schema}`);
  };
  try {
    db.pragma(`cache_size = -${PUBLISH_CACHE_KIB}`);
    // The publish leaves ~150 MB in the WAL per million annotations: copied into the database file
    // by a worker afterwards (checkpointInBackground), not by whichever save commits next.
    db.pragma("wal_autocheckpoint = 0");
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
      progress: db.prepare("UPDATE main.dataset_imports SET published_through = @to WHERE id = @import"),
    };
    const importedChunk = sqliteImportedChunk(db);
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
      importedChunk(p.now);
      sql.progress.run(args);
    });
    return {
      /** Staged annotation rows of each image still to publish, in staging order. */
      rowsOf,
      /**
       * Publishes staged images `from`..`to` (seq) in one transaction: each image's annotations
       * replaced (or appended to), its tags, count, status and revision.
       */
      step: (from: number, to: number) => {
        // Every id a step writes is one it has just joined against in the same transaction:
        // SQLite's per-row parent lookups (image, label) would only repeat that, at ~20% of the
        // write cost. The pragma cannot change inside a transaction, and other requests run
        // between the steps with foreign keys on (their cascades need them), so it is switched
        // around each step.
        db.pragma("foreign_keys = OFF");
        try {
          inTransaction(from, to);
        } finally {
          db.pragma("foreign_keys = ON");
        }
      },
      close: restore,
    };
  } catch (err) {
    restore();
    throw err;
  }
};
