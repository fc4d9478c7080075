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
 * Active seconds per submitted, non-gold image where someone decided at least one of the run's
 * predictions, counted from the run's creation day (editor_activity is kept per day).
 */
export const secondsWithRun = async (ex: Executor, projectId: number, runId: number, fromDay: string) =>
  ex
    .selectFrom("editor_activity as a")
    .innerJoin("images as i", "i.id", "a.image_id")
    .select((eb) => ["a.image_id", eb.fn.sum<number>("a.seconds").as("seconds")])
    .where("a.project_id", "=", projectId)
    .where("a.day", ">=", fromDay)
    .where("i.submitted_at", "is not", null)
    .where("i.gold", "is", null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("predictions as p")
          .select("p.id")
          .whereRef("p.image_id", "=", "a.image_id")
          .where("p.run_id", "=", runId)
          .where("p.state", "<>", "pending"),
      ),
    )
    .groupBy("a.image_id")
    .execute();

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
