import type {
  Geometry,
  Prediction,
  PredictionRun,
  PredictionSource,
  PredictionState,
} from "@labelbench/schema";
import type { Statement } from "better-sqlite3";
import type { Selectable } from "kysely";
import type pg from "pg";
import type { Db } from "../../db/database.js";
import type { Executor } from "../../db/executor.js";
import { COPY_CHUNK, copyInto, copyText } from "../../db/pg-copy.js";
import type { Database } from "../../db/schema.js";

/** The SQL of prediction runs and predictions (issue 17; migrations 0017). */

export type RunRow = Selectable<Database["prediction_runs"]>;
export type PredictionRow = Selectable<Database["predictions"]>;

export const toRun = (r: RunRow): PredictionRun => ({
  id: r.id,
  projectId: r.project_id,
  modelName: r.model_name,
  modelVersion: r.model_version,
  source: r.source as PredictionSource,
  labelMap: JSON.parse(r.label_map) as PredictionRun["labelMap"],
  params: JSON.parse(r.params) as Record<string, unknown>,
  trainedOnVersion: r.trained_on_version,
  createdBy: r.created_by,
  createdAt: r.created_at,
  counts: {
    pending: r.pending_count,
    accepted: r.accepted_count,
    edited: r.edited_count,
    rejected: r.rejected_count,
  },
  imageCount: r.image_count,
});

export const toPrediction = (r: PredictionRow): Prediction => ({
  id: r.id,
  runId: r.run_id,
  imageId: r.image_id,
  labelId: r.label_id,
  geometry: r.geometry === null ? null : (JSON.parse(r.geometry) as Geometry),
  score: r.score,
  state: r.state as PredictionState,
  annotationId: r.annotation_id,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
});

/** A live (not deleted) run, or undefined. */
export const liveRun = (ex: Executor, runId: number): Promise<RunRow | undefined> =>
  ex
    .selectFrom("prediction_runs")
    .selectAll()
    .where("id", "=", runId)
    .where("deleted_at", "is", null)
    .executeTakeFirst();

/** The project's live runs, newest first: the counts are columns the triggers keep (0017). */
export const liveRunsOf = (ex: Executor, projectId: number): Promise<RunRow[]> =>
  ex
    .selectFrom("prediction_runs")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("deleted_at", "is", null)
    .orderBy("id", "desc")
    .execute();

/** One prediction as the database holds it (geometry as stored JSON text). */
export interface PredictionInsert {
  imageId: number;
  labelId: number;
  /** Stored JSON (`geometryJson`), or null for a whole-image tag prediction. */
  geometry: string | null;
  score: number;
}

/** Rows per multi-row INSERT on SQLite (5 parameters a row, under its 32,766 bound parameters). */
const SQLITE_BATCH = 500;

/** Kept per handle: preparing the 500-row statement costs more than running it once. */
const preparedInserts = new WeakMap<Db, Statement>();
const sqliteInsert = (db: Db): Statement => {
  let st = preparedInserts.get(db);
  if (!st) {
    st = db.prepare(
      `INSERT INTO predictions (run_id, image_id, label_id, geometry, score) VALUES ${Array(SQLITE_BATCH).fill("(?, ?, ?, ?, ?)").join(", ")}`,
    );
    preparedInserts.set(db, st);
  }
  return st;
};

/** COPY text of a run's rows, a chunk at a time (pulled as PostgreSQL takes them). */
function* predictionLines(runId: number, rows: Iterable<PredictionInsert>): Generator<string> {
  const head = `${runId}\t`;
  let buf = "";
  for (const r of rows) {
    buf += `${head}${r.imageId}\t${r.labelId}\t${copyText(r.geometry)}\t${r.score}\n`;
    if (buf.length >= COPY_CHUNK) {
      yield buf;
      buf = "";
    }
  }
  if (buf) yield buf;
}

/**
 * Where a run's rows are written: the dialect, and on SQLite the better-sqlite3 handle under the
 * transaction, on PostgreSQL the pooled client the transaction runs on (for its COPY).
 */
export interface PredictionTarget {
  dialect: "sqlite" | "postgres";
  db?: Db | undefined;
  copy?: pg.PoolClient | undefined;
}

/**
 * Inserts a run's predictions inside the caller's transaction. On PostgreSQL one COPY on the
 * transaction's client (an INSERT of 20k-element arrays spent its time building, sending and
 * unnesting them). On SQLite with its handle at hand (`db`, the connection under `ex`, so inside
 * the same transaction), full 500-row slices go through one prepared statement: 100k rows in
 * ~0.8 s instead of ~1.4 s compiled by Kysely.
 */
export const insertPredictions = async (
  ex: Executor,
  target: PredictionTarget,
  runId: number,
  rows: readonly PredictionInsert[],
): Promise<void> => {
  if (target.dialect === "postgres") {
    if (!target.copy) throw new Error("writing predictions on PostgreSQL needs the transaction's client");
    await copyInto(
      target.copy,
      "predictions (run_id, image_id, label_id, geometry, score)",
      predictionLines(runId, rows),
    );
    return;
  }
  let i = 0;
  if (target.db) {
    const st = sqliteInsert(target.db);
    const args: (string | number | null)[] = new Array(SQLITE_BATCH * 5);
    for (; i + SQLITE_BATCH <= rows.length; i += SQLITE_BATCH) {
      for (let k = 0; k < SQLITE_BATCH; k++) {
        const r = rows[i + k] as PredictionInsert;
        args[k * 5] = runId;
        args[k * 5 + 1] = r.imageId;
        args[k * 5 + 2] = r.labelId;
        args[k * 5 + 3] = r.geometry;
        args[k * 5 + 4] = r.score;
      }
      st.run(args);
    }
  }
  for (; i < rows.length; i += SQLITE_BATCH) {
    const slice = rows.slice(i, i + SQLITE_BATCH);
    await ex
      .insertInto("predictions")
      .values(
        slice.map((r) => ({
          run_id: runId,
          image_id: r.imageId,
          label_id: r.labelId,
          geometry: r.geometry,
          score: r.score,
        })),
      )
      .execute();
  }
};

/** Ids of `ids` that are images of the project (one query per 10k ids). */
export const projectImageIds = async (
  ex: Executor,
  projectId: number,
  ids: readonly number[],
): Promise<Set<number>> => {
  const found = new Set<number>();
  for (let i = 0; i < ids.length; i += 10_000) {
    const rows = await ex
      .selectFrom("images")
      .select("id")
      .where("project_id", "=", projectId)
      .where("id", "in", ids.slice(i, i + 10_000))
      .execute();
    for (const r of rows) found.add(r.id);
  }
  return found;
};

/** How many distinct images of the run already hold predictions, among `imageIds`. */
export const imagesWithPredictions = async (
  ex: Executor,
  runId: number,
  imageIds: readonly number[],
): Promise<number> => {
  let n = 0;
  for (let i = 0; i < imageIds.length; i += 10_000) {
    const row = await ex
      .selectFrom("predictions")
      .select((eb) => eb.fn.count<number>("image_id").distinct().as("n"))
      .where("run_id", "=", runId)
      .where("image_id", "in", imageIds.slice(i, i + 10_000))
      .executeTakeFirstOrThrow();
    n += Number(row.n);
  }
  return n;
};

export const predictionsOfImage = (ex: Executor, imageId: number, runIds: readonly number[]) =>
  runIds.length === 0
    ? Promise.resolve([] as PredictionRow[])
    : ex
        .selectFrom("predictions")
        .selectAll()
        .where("image_id", "=", imageId)
        .where("run_id", "in", runIds)
        .orderBy("run_id")
        .orderBy("score", "desc")
        .orderBy("id")
        .execute();
