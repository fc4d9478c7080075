import { sql } from "kysely";
import type { Executor } from "../../db/executor.js";

/** The SQL behind a model version's numbers (issue 17). Rules and formulas live in metrics.ts. */

/** The project's live runs, oldest first: the learning curve's order. */
export const liveRuns = async (ex: Executor, projectId: number) =>
  ex
    .selectFrom("prediction_runs")
    .select([
      "id",
      "model_name",
      "model_version",
      "trained_on_version",
      "created_at",
      "accepted_count",
      "edited_count",
      "rejected_count",
    ])
    .where("project_id", "=", projectId)
    .where("deleted_at", "is", null)
    .orderBy("created_at")
    .orderBy("id")
    .execute();

export const labelIdsOf = async (ex: Executor, projectId: number): Promise<number[]> =>
  (
    await ex.selectFrom("labels").select("id").where("project_id", "=", projectId).orderBy("id").execute()
  ).map((l) => l.id);

export const goldImageIds = async (ex: Executor, projectId: number): Promise<number[]> =>
  (
    await ex
      .selectFrom("images")
      .select("id")
      .where("project_id", "=", projectId)
      .where("gold", "is not", null)
      .orderBy("id")
      .execute()
  ).map((i) => i.id);

/** The gold images' own annotations: the reference (issue 16). */
export const goldReference = async (ex: Executor, projectId: number) =>
  ex
    .selectFrom("annotations as a")
    .innerJoin("images as i", "i.id", "a.image_id")
    .select(["a.image_id", "a.label_id", "a.geometry"])
    .where("i.project_id", "=", projectId)
    .where("i.gold", "is not", null)
    .orderBy("a.image_id")
    .orderBy("a.position")
    .execute();

/** The shape predictions of the project's live runs on its gold images, every state. */
export const goldPredictions = async (ex: Executor, projectId: number) =>
  ex
    .selectFrom("predictions as p")
    .innerJoin("prediction_runs as r", "r.id", "p.run_id")
    .innerJoin("images as i", "i.id", "p.image_id")
    .select(["p.run_id", "p.image_id", "p.label_id", "p.geometry", "p.score"])
    .where("r.project_id", "=", projectId)
    .where("r.deleted_at", "is", null)
    .where("i.gold", "is not", null)
    .where("p.geometry", "is not", null)
    .orderBy("p.run_id")
    .orderBy("p.id")
    .execute();

/** Per run: n, Σ and Σ² of 1 − edit_iou over its accepted and edited predictions. */
export const editSums = async (ex: Executor, projectId: number) =>
  ex
    .selectFrom("predictions as p")
    .innerJoin("prediction_runs as r", "r.id", "p.run_id")
    .select((eb) => [
      "p.run_id",
      eb.fn.countAll<number>().as("n"),
      sql<number>`SUM(1 - COALESCE(p.edit_iou, 1))`.as("sum"),
      sql<number>`SUM((1 - COALESCE(p.edit_iou, 1)) * (1 - COALESCE(p.edit_iou, 1)))`.as("squares"),
    ])
    .where("r.project_id", "=", projectId)
    .where("r.deleted_at", "is", null)
    .where("p.state", "in", ["accepted", "edited"])
    .groupBy("p.run_id")
    .execute();

/**
 * Active seconds per submitted, non-gold image the run's predictions were shown on, counted from the
 * run's creation day (editor_activity is kept per day): images where someone decided at least one
 * of them, and images submitted after the run came in with every one of them still pending (seen,
 * and ignored: the annotator worked with the pre-labels in view and chose to draw their own).
 * `ignored` is 1 for the latter. An image submitted before the run existed never saw it.
 */
export const secondsWithRun = async (
  ex: Executor,
  projectId: number,
  runId: number,
  runCreatedAt: string,
) => {
  const rows = await ex
    .selectFrom("editor_activity as a")
    .innerJoin("images as i", "i.id", "a.image_id")
    .select((eb) => [
      "a.image_id",
      eb.fn.sum<number>("a.seconds").as("seconds"),
      eb.fn.max("i.submitted_at").as("submitted_at"),
    ])
    .where("a.project_id", "=", projectId)
    .where("a.day", ">=", runCreatedAt.slice(0, 10))
    .where("i.submitted_at", "is not", null)
    .where("i.gold", "is", null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("predictions as p")
          .select("p.id")
          .whereRef("p.image_id", "=", "a.image_id")
          .where("p.run_id", "=", runId),
      ),
    )
    .groupBy("a.image_id")
    .execute();
  if (rows.length === 0) return [];
  const decided = new Set<number>();
  const ids = rows.map((r) => r.image_id);
  for (let i = 0; i < ids.length; i += 1000)
    for (const d of await ex
      .selectFrom("predictions")
      .select("image_id")
      .distinct()
      .where("run_id", "=", runId)
      .where("state", "<>", "pending")
      .where("image_id", "in", ids.slice(i, i + 1000))
      .execute())
      decided.add(d.image_id);
  return rows.flatMap((r) =>
    decided.has(r.image_id)
      ? [{ image_id: r.image_id, seconds: Number(r.seconds), ignored: 0 }]
      : String(r.submitted_at) >= runCreatedAt
        ? [{ image_id: r.image_id, seconds: Number(r.seconds), ignored: 1 }]
        : [],
  );
};

/** Active seconds per submitted, non-gold image that no run ever predicted on (the baseline). */
export const secondsWithoutPredictions = async (ex: Executor, projectId: number) =>
  ex
    .selectFrom("editor_activity as a")
    .innerJoin("images as i", "i.id", "a.image_id")
    .select((eb) => ["a.image_id", eb.fn.sum<number>("a.seconds").as("seconds")])
    .where("a.project_id", "=", projectId)
    .where("i.submitted_at", "is not", null)
    .where("i.gold", "is", null)
    .where((eb) =>
      eb.not(
        eb.exists(eb.selectFrom("predictions as p").select("p.id").whereRef("p.image_id", "=", "a.image_id")),
      ),
    )
    .groupBy("a.image_id")
    .execute();
