import type { Geometry, PredictionState } from "@labelbench/schema";
import { writeImageScores } from "../modules/model-eval/active-learning-repo.js";
import type { TestApp } from "./app.js";

/**
 * A prediction run written straight into the tables, as a model's import leaves it, for the tests
 * of what reads runs (model evaluation, active learning): states, scores and edit IoUs chosen by
 * the test. The per-image scores are refreshed as every writer of predictions does.
 */
export interface SeedPrediction {
  imageId: number;
  labelId: number;
  score: number;
  geometry?: Geometry | null;
  state?: PredictionState;
  editIou?: number | null;
}

export const seedRun = async (
  t: Pick<TestApp, "sql">,
  projectId: number,
  run: { modelVersion: string; createdAt: string; predictions: SeedPrediction[]; trainedOnVersion?: number },
): Promise<number> => {
  const inserted = await t.sql
    .insertInto("prediction_runs")
    .values({
      project_id: projectId,
      model_name: "detector",
      model_version: run.modelVersion,
      source: "coco-results",
      label_map: "[]",
      params: "{}",
      trained_on_version: run.trainedOnVersion ?? null,
      created_by: "test",
      created_at: run.createdAt,
      image_count: new Set(run.predictions.map((p) => p.imageId)).size,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const runId = inserted.id;
  if (run.predictions.length > 0)
    await t.sql
      .insertInto("predictions")
      .values(
        run.predictions.map((p) => ({
          run_id: runId,
          image_id: p.imageId,
          label_id: p.labelId,
          geometry:
            p.geometry === null
              ? null
              : JSON.stringify(p.geometry ?? { type: "box", x: 10, y: 10, width: 20, height: 20 }),
          score: p.score,
          state: p.state ?? "pending",
          edit_iou: p.editIou ?? (p.state === "accepted" ? 1 : null),
          decided_by: p.state && p.state !== "pending" ? "test" : null,
          decided_at: p.state && p.state !== "pending" ? run.createdAt : null,
        })),
      )
      .execute();
  await writeImageScores(t.sql, runId, run.predictions);
  return runId;
};
