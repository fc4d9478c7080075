import {
  type ActiveLearningSettings,
  DEFAULT_ACTIVE_LEARNING,
  MAX_DIVERSITY,
  type QueueOrder,
  type UncertaintyMeasure,
} from "@labelbench/schema";
import type { ExpressionBuilder } from "kysely";
import type pg from "pg";
import type { Executor } from "../../db/executor.js";
import { copyInto } from "../../db/pg-copy.js";
import type { Database } from "../../db/schema.js";
import { imageScoresOf } from "./uncertainty.js";

/**
 * The SQL of active learning (issue 17): the project's setting (table active_learning), the
 * per-image scores a run's predictions leave (prediction_image_scores), and the least sure free
 * image of one label. Rules live in uncertainty.ts and active-learning.ts.
 */

export interface StoredActiveLearning extends ActiveLearningSettings {
  /** Top labels of the latest uncertainty hand-outs, newest first. */
  recentLabels: number[];
}

const parseLabels = (text: string): number[] => {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x)) : [];
  } catch {
    return [];
  }
};

export const activeLearningOf = async (ex: Executor, projectId: number): Promise<StoredActiveLearning> => {
  const r = await ex
    .selectFrom("active_learning")
    .selectAll()
    .where("project_id", "=", projectId)
    .executeTakeFirst();
  return r
    ? {
        order: r.queue_order as QueueOrder,
        measure: r.measure as UncertaintyMeasure,
        runId: r.run_id,
        diversity: r.diversity,
        recentLabels: parseLabels(r.recent_labels),
      }
    : { ...DEFAULT_ACTIVE_LEARNING, recentLabels: [] };
};

export const saveActiveLearning = async (
  ex: Executor,
  projectId: number,
  s: StoredActiveLearning,
  now: string,
) => {
  const row = {
    queue_order: s.order,
    measure: s.measure,
    run_id: s.runId,
    diversity: s.diversity,
    recent_labels: JSON.stringify(s.recentLabels.slice(0, MAX_DIVERSITY)),
    updated_at: now,
  };
  await ex
    .insertInto("active_learning")
    .values({ project_id: projectId, ...row })
    .onConflict((oc) => oc.column("project_id").doUpdateSet(row))
    .execute();
};

export const saveRecentLabels = async (ex: Executor, projectId: number, labels: readonly number[]) => {
  await ex
    .updateTable("active_learning")
    .set({ recent_labels: JSON.stringify(labels.slice(0, MAX_DIVERSITY)) })
    .where("project_id", "=", projectId)
    .execute();
};

/** A run of the project that is not deleted, or undefined. */
export const liveRun = async (ex: Executor, projectId: number, runId: number) =>
  ex
    .selectFrom("prediction_runs")
    .select("id")
    .where("id", "=", runId)
    .where("project_id", "=", projectId)
    .where("deleted_at", "is", null)
    .executeTakeFirst();

export const newestLiveRun = async (ex: Executor, projectId: number): Promise<number | undefined> =>
  (
    await ex
      .selectFrom("prediction_runs")
      .select("id")
      .where("project_id", "=", projectId)
      .where("deleted_at", "is", null)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst()
  )?.id;

/**
 * Writes the per-image scores of a run from predictions in hand (every prediction of the run on
 * each image named, in insertion order: ties keep the first as the top): one row per image,
 * computed by uncertainty.ts's imageScoresOf, replacing what the images had. Every writer of a
 * run's predictions calls it in the same transaction (modules/predictions/runs.ts). Computed here
 * rather than by a window query, which cost SQLite ~5 s over 100k predictions against ~0.1 s.
 * `copy` (PostgreSQL: the client `ex`'s transaction runs on) writes the rows with one COPY.
 */
export const writeImageScores = async (
  ex: Executor,
  runId: number,
  predictions: readonly { readonly imageId: number; readonly labelId: number; readonly score: number }[],
  copy?: pg.PoolClient,
) => {
  const byImage = new Map<number, { labelId: number; score: number }[]>();
  for (const p of predictions) {
    const list = byImage.get(p.imageId);
    if (list) list.push(p);
    else byImage.set(p.imageId, [p]);
  }
  const rows = [...byImage].flatMap(([imageId, list]) => {
    const s = imageScoresOf(list);
    return s
      ? [
          {
            run_id: runId,
            image_id: imageId,
            top_label_id: s.topLabelId,
            top_score: s.topScore,
            margin: s.margin,
          },
        ]
      : [];
  });
  const ids = [...byImage.keys()];
  // Bound the parameters of one statement (SQLite allows 32 766, PostgreSQL 65 535).
  for (let i = 0; i < ids.length; i += 1000)
    await ex
      .deleteFrom("prediction_image_scores")
      .where("run_id", "=", runId)
      .where("image_id", "in", ids.slice(i, i + 1000))
      .execute();
  if (copy) {
    if (rows.length > 0)
      await copyInto(copy, "prediction_image_scores (run_id, image_id, top_label_id, top_score, margin)", [
        rows
          .map((r) => `${r.run_id}\t${r.image_id}\t${r.top_label_id}\t${r.top_score}\t${r.margin}\n`)
          .join(""),
      ]);
    return;
  }
  for (let i = 0; i < rows.length; i += 1000)
    await ex
      .insertInto("prediction_image_scores")
      .values(rows.slice(i, i + 1000))
      .execute();
};

/** Rewrites the scores of some images of a run from its stored predictions (a batch appended to a run). */
export const refreshImageScores = async (
  ex: Executor,
  runId: number,
  imageIds: readonly number[],
  copy?: pg.PoolClient,
) => {
  const predictions: { imageId: number; labelId: number; score: number }[] = [];
  for (let i = 0; i < imageIds.length; i += 1000)
    predictions.push(
      ...(await ex
        .selectFrom("predictions")
        .select(["image_id as imageId", "label_id as labelId", "score"])
        .where("run_id", "=", runId)
        .where("image_id", "in", imageIds.slice(i, i + 1000))
        .orderBy("id")
        .execute()),
    );
  await writeImageScores(ex, runId, predictions, copy);
};

/** The project's label ids: the top labels the queue looks for (a few, where a run's images are many). */
export const projectLabelIds = async (ex: Executor, projectId: number): Promise<number[]> =>
  (
    await ex.selectFrom("labels").select("id").where("project_id", "=", projectId).orderBy("id").execute()
  ).map((l) => l.id);

type ScoredImages = ExpressionBuilder<
  Database & { s: Database["prediction_image_scores"]; i: Database["images"] },
  "s" | "i"
>;

/**
 * The least sure free image of one top label (the queue's conditions on images: never submitted,
 * new or in progress, not gold, nobody's or its lease ran out, not in blind overlap), by an index
 * range scan of (run, label, measure).
 */
export const leastSureFree = async (
  ex: Executor,
  runId: number,
  labelId: number,
  measure: UncertaintyMeasure,
  now: string,
) =>
  ex
    .selectFrom("prediction_image_scores as s")
    .innerJoin("images as i", "i.id", "s.image_id")
    .select(["i.id", "i.assignee_id", "i.attempt", "i.lease_until", "i.gold", "s.top_score", "s.margin"])
    .where("s.run_id", "=", runId)
    .where("s.top_label_id", "=", labelId)
    .where("i.review_state", "=", "none")
    .where("i.status", "in", ["new", "in_progress"])
    .where("i.gold", "is", null)
    .where((eb: ScoredImages) =>
      eb.or([
        eb("i.assignee_id", "is", null),
        eb.and([
          eb("i.assigned_via", "=", "queue"),
          eb("i.lease_until", "is not", null),
          eb("i.lease_until", "<=", now),
        ]),
      ]),
    )
    .where((eb: ScoredImages) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("image_copies as c")
            .select("c.id")
            .whereRef("c.image_id", "=", "i.id")
            .where("c.purpose", "=", "overlap"),
        ),
      ),
    )
    .orderBy(measure === "least-confidence" ? "s.top_score" : "s.margin")
    .orderBy("s.image_id")
    .limit(1)
    .executeTakeFirst();
