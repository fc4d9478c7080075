import { wilsonInterval } from "@labelbench/quality";
import { Geometry, type ModelEvaluation, type ModelVersionMetrics } from "@labelbench/schema";
import type { Deps } from "../../deps.js";
import { notFound } from "../../http/errors.js";
import { goldScores, meanFromSums, type ScoredShape, type ShapeOnImage, secondsSummary } from "./metrics.js";
import * as repo from "./repo.js";

const parseGeometry = (text: string): Geometry => Geometry.parse(JSON.parse(text));

/**
 * "Does the model help?" (issue 17): one row per live prediction run (a model version), oldest
 * first. docs/quality-metrics.md, "Model versions", defines each number.
 */
export const modelEvalService = (deps: Pick<Deps, "sql">) => ({
  evaluate: async (projectId: number): Promise<ModelEvaluation> => {
    const ex = deps.sql;
    const project = await ex
      .selectFrom("projects")
      .select("id")
      .where("id", "=", projectId)
      .executeTakeFirst();
    if (!project) throw notFound("project", projectId);
    const [runs, labelIds, goldIds, referenceRows, predictionRows, edits, without] = await Promise.all([
      repo.liveRuns(ex, projectId),
      repo.labelIdsOf(ex, projectId),
      repo.goldImageIds(ex, projectId),
      repo.goldReference(ex, projectId),
      repo.goldPredictions(ex, projectId),
      repo.editSums(ex, projectId),
      repo.secondsWithoutPredictions(ex, projectId),
    ]);
    const reference: ShapeOnImage[] = referenceRows.map((r) => ({
      imageId: r.image_id,
      labelId: r.label_id,
      geometry: parseGeometry(r.geometry),
    }));
    const predictionsByRun = new Map<number, ScoredShape[]>();
    for (const p of predictionRows) {
      if (p.geometry === null) continue;
      const shape = {
        imageId: p.image_id,
        labelId: p.label_id,
        geometry: parseGeometry(p.geometry),
        score: p.score,
      };
      const list = predictionsByRun.get(p.run_id);
      if (list) list.push(shape);
      else predictionsByRun.set(p.run_id, [shape]);
    }
    const editsByRun = new Map(edits.map((e) => [e.run_id, e]));

    const versions: ModelVersionMetrics[] = [];
    for (const run of runs) {
      const predictions = predictionsByRun.get(run.id) ?? [];
      // The gold images the run predicted on are the ones scored (the import cannot tell an image
      // the model saw and found nothing on from one it never saw).
      const scored = new Set(predictions.map((p) => p.imageId));
      const imageIds = goldIds.filter((id) => scored.has(id));
      const onScored = reference.filter((r) => scored.has(r.imageId));
      const decided = run.accepted_count + run.edited_count + run.rejected_count;
      const e = editsByRun.get(run.id);
      const withRun = await repo.secondsWithRun(ex, projectId, run.id, run.created_at);
      versions.push({
        runId: run.id,
        modelName: run.model_name,
        modelVersion: run.model_version,
        trainedOnVersion: run.trained_on_version,
        createdAt: run.created_at,
        gold: {
          images: imageIds.length,
          referenceShapes: onScored.length,
          predictions: predictions.length,
          ...goldScores(imageIds, labelIds, onScored, predictions),
        },
        acceptance: wilsonInterval(run.accepted_count + run.edited_count, decided),
        meanEdit: meanFromSums(Number(e?.n ?? 0), Number(e?.sum ?? 0), Number(e?.squares ?? 0)),
        secondsWithPredictions: secondsSummary(withRun.map((r) => r.seconds)),
        ignoredImages: withRun.filter((r) => r.ignored === 1).length,
      });
    }
    return {
      projectId,
      goldImages: goldIds.length,
      secondsWithoutPredictions: secondsSummary(without.map((r) => Number(r.seconds))),
      versions,
    };
  },
});
