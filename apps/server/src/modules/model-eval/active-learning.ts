import type { ActiveLearningPatch, ActiveLearningSettings } from "@labelbench/schema";
import type { Executor } from "../../db/executor.js";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import {
  activeLearningOf,
  leastSureFree,
  liveRun,
  newestLiveRun,
  projectLabelIds,
  saveActiveLearning,
  saveRecentLabels,
} from "./active-learning-repo.js";
import { type Candidate, pickNext, rememberLabel, uncertaintyOf } from "./uncertainty.js";

/** A free image the queue may lease, as modules/review's findFree returns it, with its top label. */
export interface UncertainPick {
  id: number;
  assignee_id: number | null;
  attempt: number;
  lease_until: string | null;
  gold: string | null;
  labelId: number;
}

/**
 * Active learning (issue 17): the setting, and the queue's choice when the project orders by
 * uncertainty. The queue (modules/review/service.ts) asks `pickFree` before its upload-order
 * search, so images the run did not predict on come after every image it did, in upload order.
 */
export const activeLearningService = (deps: Pick<Deps, "sql" | "now">) => {
  const projectExists = async (ex: Executor, projectId: number) => {
    const p = await ex.selectFrom("projects").select("id").where("id", "=", projectId).executeTakeFirst();
    if (!p) throw notFound("project", projectId);
  };
  const publicOf = ({
    recentLabels: _,
    ...s
  }: Awaited<ReturnType<typeof activeLearningOf>>): ActiveLearningSettings => s;

  return {
    settings: async (projectId: number): Promise<ActiveLearningSettings> => {
      await projectExists(deps.sql, projectId);
      return publicOf(await activeLearningOf(deps.sql, projectId));
    },

    update: async (projectId: number, patch: ActiveLearningPatch): Promise<ActiveLearningSettings> =>
      deps.sql.transaction().execute(async (trx) => {
        await projectExists(trx, projectId);
        const current = await activeLearningOf(trx, projectId);
        const next = { ...current, ...patch };
        if (
          patch.runId !== undefined &&
          patch.runId !== null &&
          !(await liveRun(trx, projectId, patch.runId))
        )
          throw new AppError(
            "VALIDATION_ERROR",
            `runId ${patch.runId} is not a prediction run of project ${projectId} (or it was deleted); use null for the newest run`,
            [{ path: "body.runId", message: "no such live run in this project" }],
          );
        await saveActiveLearning(trx, projectId, next, deps.now());
        return publicOf(next);
      }),

    /**
     * The free image the uncertainty order hands out next, or undefined (upload order then, or no
     * run, or every image the run predicted on is taken). One index range scan per label: the least
     * sure free image of each, then the diversity rule (uncertainty.ts) between those.
     */
    pickFree: async (ex: Executor, projectId: number, now: string): Promise<UncertainPick | undefined> => {
      const s = await activeLearningOf(ex, projectId);
      if (s.order !== "uncertainty") return undefined;
      const chosen = s.runId !== null && (await liveRun(ex, projectId, s.runId)) ? s.runId : undefined;
      const runId = chosen ?? (await newestLiveRun(ex, projectId));
      if (runId === undefined) return undefined;
      const heads: (Candidate & { row: UncertainPick })[] = [];
      for (const labelId of await projectLabelIds(ex, projectId)) {
        const r = await leastSureFree(ex, runId, labelId, s.measure, now);
        if (!r) continue;
        heads.push({
          imageId: r.id,
          labelId,
          uncertainty: uncertaintyOf({ topScore: r.top_score, margin: r.margin }, s.measure),
          row: {
            id: r.id,
            assignee_id: r.assignee_id,
            attempt: r.attempt,
            lease_until: r.lease_until,
            gold: r.gold,
            labelId,
          },
        });
      }
      const next = pickNext(heads, s.recentLabels, s.diversity);
      return next && heads.find((h) => h.imageId === next.imageId)?.row;
    },

    /** Remembers the top label of an image the uncertainty order handed out (the diversity rule's memory). */
    handedOut: async (ex: Executor, projectId: number, labelId: number) => {
      const s = await activeLearningOf(ex, projectId);
      await saveRecentLabels(ex, projectId, rememberLabel(s.recentLabels, labelId, s.diversity));
    },
  };
};
