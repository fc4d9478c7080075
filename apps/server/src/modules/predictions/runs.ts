import { checkBox, checkPolygon, geometryJson } from "@labelbench/geometry";
import {
  type FieldIssue,
  type Geometry,
  MAX_POLYGON_VERTICES,
  type PredictionRun,
  type PredictionSource,
} from "@labelbench/schema";
import type { Executor } from "../../db/executor.js";
import { onOneClient } from "../../db/pg-copy.js";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { refreshImageScores, writeImageScores } from "../model-eval/active-learning-repo.js";
import {
  imagesWithPredictions,
  insertPredictions,
  liveRun,
  type PredictionInsert,
  type PredictionTarget,
  projectImageIds,
  toRun,
} from "./repo.js";

/**
 * Writing prediction runs: the one path every source takes (file imports, the model-backend
 * connection), so their predictions are checked and stored alike.
 */

/**
 * What writing predictions needs: `db` (SQLite) lets the rows go through one prepared statement,
 * `pgPool` (PostgreSQL) gives the transaction a client of its own for its COPY.
 */
export type PredictionWriteDeps = Pick<Deps, "sql" | "dialect" | "db" | "pgPool">;

/**
 * `work` in one transaction, handed where its rows go: on PostgreSQL the transaction runs on one
 * client taken from the pool, so the COPY of the rows is inside it (all or nothing).
 */
const writeTransaction = <T>(
  deps: PredictionWriteDeps,
  work: (trx: Executor, target: PredictionTarget) => Promise<T>,
): Promise<T> => {
  if (deps.dialect === "sqlite")
    return deps.sql.transaction().execute((trx) => work(trx, { dialect: "sqlite", db: deps.db }));
  if (!deps.pgPool) throw new Error("writing predictions on PostgreSQL needs the pool (deps.pgPool)");
  return onOneClient(deps.pgPool, (k, client) =>
    k.transaction().execute((trx) => work(trx, { dialect: "postgres", copy: client })),
  );
};

/** One prediction to store, in image pixels. `geometry` null: a whole-image tag prediction. */
export interface NewPrediction {
  imageId: number;
  labelId: number;
  geometry: Geometry | null;
  score: number;
}

export interface NewPredictionRun {
  projectId: number;
  modelName: string;
  modelVersion: string;
  source: PredictionSource;
  labelMap: PredictionRun["labelMap"];
  params: Record<string, unknown>;
  trainedOnVersion?: number | null;
  createdBy: string | null;
  predictions: readonly NewPrediction[];
}

/**
 * How far outside the image a predicted shape may reach and still be clamped: detectors regress box
 * sides past the border by a few pixels (a fraction of the object), which a person drawing would
 * not. 2% of the image's longer side, at least the editor's one pixel.
 */
export const predictionClampTolerance = (image: { width: number; height: number }): number =>
  Math.max(1, 0.02 * Math.max(image.width, image.height));

/**
 * A predicted shape checked against its image: clamped into it within the tolerance, or a reason
 * (degenerate, outside, crossing itself, too many vertices). Callers that report problems per
 * detection (the imports) check first; createPredictionRun refuses what fails.
 */
export const checkPredictionGeometry = (
  g: Geometry,
  image: { width: number; height: number },
): { ok: true; value: Geometry } | { ok: false; reason: string } => {
  const tolerance = predictionClampTolerance(image);
  if (g.type === "box") {
    const r = checkBox(g, image, tolerance);
    return r.ok ? { ok: true, value: { type: "box", ...r.value } } : r;
  }
  if (g.points.length > MAX_POLYGON_VERTICES)
    return {
      ok: false,
      reason: `polygon has ${g.points.length} vertices; at most ${MAX_POLYGON_VERTICES}`,
    };
  const r = checkPolygon(g.points, image, tolerance);
  return r.ok ? { ok: true, value: { type: "polygon", points: r.value.map(([x, y]) => [x, y]) } } : r;
};

/** Issues listed in a refusal: enough to fix the first problems, not a 100k-line body. */
const MAX_ISSUES = 100;

/**
 * Checks predictions against the project (images, labels, scores, geometry) and turns them into
 * rows. Throws a VALIDATION_ERROR naming each bad prediction (`predictions.<i>.…`).
 */
const checkedRows = async (
  ex: Executor,
  projectId: number,
  predictions: readonly NewPrediction[],
): Promise<{ rows: PredictionInsert[]; imageIds: number[] }> => {
  const imageIds = [...new Set(predictions.map((p) => p.imageId))];
  const found = await projectImageIds(ex, projectId, imageIds);
  const sizes = new Map<number, { width: number; height: number }>();
  for (let i = 0; i < imageIds.length; i += 10_000) {
    const rows = await ex
      .selectFrom("images")
      .select(["id", "width", "height"])
      .where("id", "in", imageIds.slice(i, i + 10_000))
      .execute();
    for (const r of rows) sizes.set(r.id, r);
  }
  const labels = new Set(
    (await ex.selectFrom("labels").select("id").where("project_id", "=", projectId).execute()).map(
      (l) => l.id,
    ),
  );
  const issues: FieldIssue[] = [];
  const issue = (i: number, field: string, message: string) => {
    if (issues.length < MAX_ISSUES) issues.push({ path: `predictions.${i}${field}`, message });
  };
  const rows: PredictionInsert[] = [];
  for (const [i, p] of predictions.entries()) {
    const size = sizes.get(p.imageId);
    if (!found.has(p.imageId) || !size) {
      issue(i, ".imageId", `image ${p.imageId} is not in project ${projectId}`);
      continue;
    }
    if (!labels.has(p.labelId)) {
      issue(i, ".labelId", `label ${p.labelId} is not in project ${projectId}'s label set`);
      continue;
    }
    if (!(Number.isFinite(p.score) && p.score >= 0 && p.score <= 1)) {
      issue(i, ".score", `score ${p.score} is not a number from 0 to 1`);
      continue;
    }
    let geometry: string | null = null;
    if (p.geometry) {
      const g = checkPredictionGeometry(p.geometry, size);
      if (!g.ok) {
        issue(i, ".geometry", g.reason);
        continue;
      }
      geometry = geometryJson(g.value);
    }
    rows.push({ imageId: p.imageId, labelId: p.labelId, geometry, score: p.score });
  }
  if (issues.length > 0)
    throw new AppError(
      "VALIDATION_ERROR",
      `${issues.length === MAX_ISSUES ? "at least " : ""}${issues.length} prediction(s) refused; the run was not written`,
      issues,
    );
  return { rows, imageIds };
};

/**
 * Writes a run and its predictions in one transaction (all or nothing) and returns the run with
 * its counts. 100k predictions: multi-row INSERTs on SQLite, one COPY on PostgreSQL.
 */
export const createPredictionRun = async (
  deps: PredictionWriteDeps & Pick<Deps, "now">,
  input: NewPredictionRun,
): Promise<PredictionRun> =>
  writeTransaction(deps, async (trx, target) => {
    const project = await trx
      .selectFrom("projects")
      .select("id")
      .where("id", "=", input.projectId)
      .executeTakeFirst();
    if (!project) throw notFound("project", input.projectId);
    const { rows, imageIds } = await checkedRows(trx, input.projectId, input.predictions);
    const { id } = await trx
      .insertInto("prediction_runs")
      .values({
        project_id: input.projectId,
        model_name: input.modelName,
        model_version: input.modelVersion,
        source: input.source,
        label_map: JSON.stringify(input.labelMap),
        params: JSON.stringify(input.params),
        trained_on_version: input.trainedOnVersion ?? null,
        created_by: input.createdBy,
        created_at: deps.now(),
        image_count: imageIds.length,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await insertPredictions(trx, target, id, rows);
    // Active learning's per-image uncertainty (modules/model-eval), kept with the predictions.
    await writeImageScores(trx, id, rows, target.copy);
    return toRun(
      await trx.selectFrom("prediction_runs").selectAll().where("id", "=", id).executeTakeFirstOrThrow(),
    );
  });

/**
 * Adds predictions to a live run (a model backend's batches arrive one by one), in one
 * transaction; the run's image count grows by the images it had no prediction on yet.
 */
export const appendPredictions = async (
  deps: PredictionWriteDeps,
  runId: number,
  predictions: readonly NewPrediction[],
): Promise<PredictionRun> =>
  writeTransaction(deps, async (trx, target) => {
    const run = await liveRun(trx, runId);
    if (!run) throw notFound("prediction run", runId);
    const { rows, imageIds } = await checkedRows(trx, run.project_id, predictions);
    const known = await imagesWithPredictions(trx, runId, imageIds);
    await insertPredictions(trx, target, runId, rows);
    await refreshImageScores(trx, runId, imageIds, target.copy);
    if (imageIds.length > known)
      await trx
        .updateTable("prediction_runs")
        .set((eb) => ({ image_count: eb("image_count", "+", imageIds.length - known) }))
        .where("id", "=", runId)
        .execute();
    return toRun(
      await trx.selectFrom("prediction_runs").selectAll().where("id", "=", runId).executeTakeFirstOrThrow(),
    );
  });

/** A live run of any project, or NOT_FOUND. */
export const getPredictionRun = async (deps: Pick<Deps, "sql">, runId: number): Promise<PredictionRun> => {
  const run = await liveRun(deps.sql, runId);
  if (!run) throw notFound("prediction run", runId);
  return toRun(run);
};
