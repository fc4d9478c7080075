import {
  type AttributeDefinition,
  type LabelScope,
  naturalSortKey,
  type ShapeType,
} from "@labelbench/schema";
import type { Dialect } from "../../db/connect.js";
import type { Db } from "../../db/database.js";
import type { Executor } from "../../db/executor.js";
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
  /** Shapes it holds (an append may not take it past the limit per image). */
  annotation_count: number;
}

/** A project label an import may use. */
export interface ProjectLabel {
  id: number;
  name: string;
  shapeTypes: ShapeType[];
  scope: LabelScope;
  attributes: AttributeDefinition[];
}

/**
 * What decoding an import reads of the project, read before the decoding starts and handed to
 * the worker as plain data: the worker then needs no connection of its own to either database.
 * What changes meanwhile is checked again when the import commits and publishes.
 */
export interface ProjectSnapshot {
  labels: ProjectLabel[];
  images: ExistingImage[];
}

export const projectSnapshot = async (ex: Executor, projectId: number): Promise<ProjectSnapshot> => {
  const labels = await ex
    .selectFrom("labels")
    .select(["id", "name", "shape_types", "scope", "attributes"])
    .where("project_id", "=", projectId)
    .orderBy("position")
    .orderBy("id")
    .execute();
  const images = await ex
    .selectFrom("images")
    .select(["id", "file_name", "width", "height", "sha256", "annotation_count"])
    .where("project_id", "=", projectId)
    .orderBy("id")
    .execute();
  return {
    labels: labels.map((l) => ({
      id: l.id,
      name: l.name,
      shapeTypes: l.shape_types.split(",") as ShapeType[],
      scope: l.scope as LabelScope,
      attributes: JSON.parse(l.attributes) as AttributeDefinition[],
    })),
    images,
  };
};

/**
 * The dataset_imports bookkeeping, on both dialects: what commitImport records and a publish or a
 * restart reads. Each function takes the executor it runs on (a transaction or the database).
 */
export const importRepo = {
  /** Which of these label ids the project still holds (on PostgreSQL: kept until the transaction ends). */
  presentLabelIds: async (
    ex: Executor,
    dialect: Dialect,
    projectId: number,
    ids: readonly number[],
  ): Promise<Set<number>> => {
    if (ids.length === 0) return new Set();
    const rows = await ex
      .selectFrom("labels")
      .select("id")
      .where("project_id", "=", projectId)
      .where("id", "in", [...ids])
      .$if(dialect === "postgres", (q) => q.forKeyShare())
      .execute();
    return new Set(rows.map((r) => r.id));
  },
  /** Whether the project exists (on PostgreSQL: kept from deletion until the transaction ends). */
  projectExists: async (ex: Executor, dialect: Dialect, projectId: number): Promise<boolean> =>
    (await ex
      .selectFrom("projects")
      .select("id")
      .where("id", "=", projectId)
      .$if(dialect === "postgres", (q) => q.forKeyShare())
      .executeTakeFirst()) !== undefined,
  nextLabelPosition: async (ex: Executor, projectId: number): Promise<number> => {
    const r = await ex
      .selectFrom("labels")
      .select((eb) => eb.fn.max("position").as("p"))
      .where("project_id", "=", projectId)
      .executeTakeFirst();
    return r?.p === null || r?.p === undefined ? 0 : Number(r.p) + 1;
  },
  /**
   * A label the import creates: boxes and polygons, no hotkey, scoped as the dataset used it. Returns
   * its id, or undefined when the project has a label of that name (one created since the import decoded).
   */
  insertLabel: async (
    ex: Executor,
    projectId: number,
    l: {
      name: string;
      scope: LabelScope;
      key: string;
      color: string;
      position: number;
      attributes: readonly AttributeDefinition[];
    },
  ): Promise<number | undefined> =>
    (
      await ex
        .insertInto("labels")
        .values({
          project_id: projectId,
          name: l.name,
          name_key: l.key,
          color: l.color,
          hotkey: null,
          position: l.position,
          shape_types: "box,polygon",
          scope: l.scope,
          attributes: JSON.stringify(l.attributes),
        })
        .onConflict((oc) => oc.columns(["project_id", "name_key"]).doNothing())
        .returning("id")
        .executeTakeFirst()
    )?.id,
  /** Adds the attribute definitions an import created for an existing label, after its own, unless it has one of that name. */
  extendAttributes: async (ex: Executor, labelId: number, added: readonly AttributeDefinition[]) => {
    const row = await ex
      .selectFrom("labels")
      .select("attributes")
      .where("id", "=", labelId)
      .executeTakeFirst();
    if (!row || added.length === 0) return;
    const defs = JSON.parse(row.attributes) as AttributeDefinition[];
    const names = new Set(defs.map((d) => d.name));
    const next = [...defs, ...added.filter((d) => !names.has(d.name))];
    await ex
      .updateTable("labels")
      .set({ attributes: JSON.stringify(next) })
      .where("id", "=", labelId)
      .execute();
  },
  insert: async (
    ex: Executor,
    projectId: number,
    p: { existing: "append" | "replace"; actor: string | null; now: string; images: number },
  ): Promise<number> =>
    (
      await ex
        .insertInto("dataset_imports")
        .values({
          project_id: projectId,
          stage_file: "",
          existing: p.existing,
          actor: p.actor,
          started_at: p.now,
          images: p.images,
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id,
  mapLabels: async (ex: Executor, importId: number, labelIds: ReadonlyMap<number, number>) => {
    if (labelIds.size === 0) return;
    await ex
      .insertInto("dataset_import_labels")
      .values([...labelIds].map(([ref, id]) => ({ import_id: importId, ref, label_id: id })))
      .execute();
  },
  /** The project labels the import's placeholder ids became. */
  labelMap: async (ex: Executor, importId: number): Promise<Map<number, number>> =>
    new Map(
      (
        await ex
          .selectFrom("dataset_import_labels")
          .select(["ref", "label_id"])
          .where("import_id", "=", importId)
          .execute()
      ).map((r) => [r.ref, r.label_id]),
    ),
  setStageFile: async (ex: Executor, importId: number, file: string) => {
    await ex.updateTable("dataset_imports").set({ stage_file: file }).where("id", "=", importId).execute();
  },
  get: async (ex: Executor, importId: number): Promise<ImportRow | undefined> =>
    (await ex.selectFrom("dataset_imports").selectAll().where("id", "=", importId).executeTakeFirst()) as
      | ImportRow
      | undefined,
  list: (ex: Executor): Promise<Pick<ImportRow, "id" | "stage_file">[]> =>
    ex.selectFrom("dataset_imports").select(["id", "stage_file"]).orderBy("id").execute(),
  /**
   * The import's progress, its row locked until the transaction ends (PostgreSQL: two processes
   * publishing the same import take turns and each continues where the other stopped); undefined
   * once the import is finished.
   */
  lockProgress: async (ex: Executor, importId: number, dialect: Dialect): Promise<number | undefined> =>
    (
      await ex
        .selectFrom("dataset_imports")
        .select("published_through")
        .where("id", "=", importId)
        .$if(dialect === "postgres", (q) => q.forUpdate())
        .executeTakeFirst()
    )?.published_through,
  setProgress: async (ex: Executor, importId: number, through: number) => {
    await ex
      .updateTable("dataset_imports")
      .set({ published_through: through })
      .where("id", "=", importId)
      .execute();
  },
  /** A finished import: its row goes and the project shows it changed. Returns whether it was still there. */
  finish: async (
    ex: Executor,
    imp: Pick<ImportRow, "id" | "project_id" | "started_at">,
  ): Promise<boolean> => {
    const gone = await ex.deleteFrom("dataset_imports").where("id", "=", imp.id).executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) return false;
    await ex
      .updateTable("projects")
      .set({ updated_at: imp.started_at })
      .where("id", "=", imp.project_id)
      .execute();
    return true;
  },
  delete: async (ex: Executor, importId: number) => {
    await ex.deleteFrom("dataset_imports").where("id", "=", importId).execute();
  },
};

/**
 * The bookkeeping SQLite's publishing reads and writes synchronously (openPublish's steps and the
 * restart, which must finish before anything else runs at start).
 */
export const sqliteImportRows = (db: Db) => {
  const one = db.prepare<[number], ImportRow>("SELECT * FROM dataset_imports WHERE id = ?");
  const all = db.prepare<[], Pick<ImportRow, "id" | "stage_file">>(
    "SELECT id, stage_file FROM dataset_imports ORDER BY id",
  );
  const remove = db.prepare("DELETE FROM dataset_imports WHERE id = ?");
  const touch = db.prepare("UPDATE projects SET updated_at = ? WHERE id = ?");
  return {
    get: (importId: number): ImportRow | undefined => one.get(importId),
    list: () => all.all(),
    delete: (importId: number) => remove.run(importId),
    /** A published import: its row goes and the project shows it changed, in one transaction. */
    finish: db.transaction((imp: Pick<ImportRow, "id" | "project_id" | "started_at">) => {
      touch.run(imp.started_at, imp.project_id);
      remove.run(imp.id);
    }),
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
    // The library's name order (images.name_key) for the images the import creates, as an upload
    // computes it; registering it again replaces the same function.
    db.function("natural_sort_key", { deterministic: true }, (name: unknown) => naturalSortKey(String(name)));
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
        `INSERT OR IGNORE INTO main.images (project_id, sha256, file_name, name_key, width, height, channels, format, byte_size, tile_state, created_at, updated_at)
         SELECT @project, sha256, file_name, natural_sort_key(file_name), width, height, channels, format, byte_size, tile_state, @now, @now
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
        `INSERT INTO main.annotations (image_id, uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at, attributes)
         SELECT c.image_id, r.uid, l.id, r.geometry, c.base + r.position, @actor, @actor, @now, @now, r.attributes
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
