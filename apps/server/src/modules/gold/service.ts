import {
  type GoldRequest,
  type GoldResult,
  type QualificationStatus,
  type QualitySettings,
  type ReviewSettings,
  type Role,
  reviewSampleHash,
} from "@labelbench/schema";
import type { z } from "zod";
import type { Executor } from "../../db/executor.js";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { ensureCopy, goldOf as goldOfImage } from "../copies/copy-repo.js";
import { scoreImage, scoreProject } from "../quality/score.js";
import { holderOf } from "../review/work.js";
import { memberRole, settingsOf, userName } from "../review/work-repo.js";
import {
  goldCount,
  goldTargets,
  handedOut,
  inOverlap,
  nextGoldFor,
  openCopyOf,
  qualificationTotals,
  resetQualification,
  setGold,
} from "./gold-repo.js";
import { qualificationStatus } from "./qualification.js";
import { qualitySettingsOf, saveQualitySettings } from "./settings-repo.js";

export interface GoldCaller {
  userId: number;
  role: Role;
}

/**
 * Whether the queue's n-th hand-out (from 0) to a person is a honeypot: every one of the first
 * `warmupImages`, then a reproducible draw at `honeypotPercent` — the review sample's hash over the
 * project's sample seed and the key `userId × 2^20 + n` (packages/schema review-sample.ts), so the
 * same person's n-th image is a honeypot on every server and every run.
 */
export const isHoneypotTurn = (
  s: Pick<QualitySettings, "honeypotPercent" | "warmupImages">,
  seed: number,
  userId: number,
  n: number,
): boolean =>
  n < s.warmupImages ||
  reviewSampleHash(seed, userId * 1_048_576 + n) % 10_000 < Math.round(s.honeypotPercent * 100);

/**
 * Gold images, honeypots and qualification (issue 16; docs/quality-workflow.md). Gold images are
 * labelled by annotators through copies (modules/copies); this decides which gold image a person is
 * handed next, and whether they may do real work yet.
 */
export const goldService = (deps: Pick<Deps, "sql" | "dialect" | "now">) => {
  const reviewSettingsOf = async (ex: Executor, projectId: number): Promise<ReviewSettings> => {
    const s = await settingsOf(ex, projectId);
    if (!s) throw notFound("project", projectId);
    return s;
  };
  const statusOf = async (ex: Executor, projectId: number, userId: number): Promise<QualificationStatus> => {
    const settings = await qualitySettingsOf(ex, projectId);
    if (settings.qualificationImages === 0) return qualificationStatus(settings, 0, 0, []);
    const available = await goldCount(ex, projectId, "qualification");
    const totals = await qualificationTotals(ex, projectId, userId);
    return qualificationStatus(settings, available, totals.submitted.length, totals.results);
  };
  const refusal = (s: QualificationStatus) =>
    new AppError(
      "QUALIFICATION_REQUIRED",
      s.state === "failed"
        ? `your qualification accuracy is ${Math.round((s.accuracy ?? 0) * 100)} %, under the ${Math.round(s.pass * 100)} % this project asks for: a manager can let you try again`
        : `label the ${s.required} qualification image(s) first (${s.submitted} submitted): real work starts once your accuracy on them reaches ${Math.round(s.pass * 100)} %`,
      s,
    );

  return {
    settings: async (projectId: number): Promise<QualitySettings> => {
      await reviewSettingsOf(deps.sql, projectId);
      return qualitySettingsOf(deps.sql, projectId);
    },

    /** Fields left out keep their value, so two managers changing different ones keep both. */
    updateSettings: async (projectId: number, patch: Partial<QualitySettings>): Promise<QualitySettings> => {
      const { before, next } = await deps.sql.transaction().execute(async (trx) => {
        await reviewSettingsOf(trx, projectId);
        const before = await qualitySettingsOf(trx, projectId);
        const next = { ...before, ...patch };
        await saveQualitySettings(trx, projectId, next, deps.now());
        return { before, next };
      });
      // Another preset moves every match: the project's results are computed again before the reply.
      if (before.matchPreset !== next.matchPreset) await scoreProject(deps, projectId);
      return next;
    },

    /**
     * Marks images gold (or unmarks them). Refused per image: one not in the project, one an
     * annotator holds now (their work would become the reference: unassign it first), one in blind
     * overlap. Copies already made stay their holders' (and keep being scored).
     */
    mark: async (projectId: number, body: z.output<typeof GoldRequest>): Promise<GoldResult> =>
      deps.sql.transaction().execute(async (trx) => {
        await reviewSettingsOf(trx, projectId);
        const now = deps.now();
        const ids = [...new Set(body.imageIds)];
        const rows = new Map((await goldTargets(trx, projectId, ids)).map((r) => [r.id, r]));
        const overlap = await inOverlap(trx, ids);
        const results: GoldResult["results"] = [];
        const changing: number[] = [];
        for (const id of ids) {
          const r = rows.get(id);
          const holder = r ? holderOf(r, now) : null;
          if (!r)
            results.push({
              imageId: id,
              status: "refused",
              reason: `no image ${id} in project ${projectId}`,
            });
          else if (body.gold !== null && holder !== null && r.review_state !== "accepted")
            results.push({
              imageId: id,
              status: "refused",
              reason: `${(await userName(trx, holder)) ?? `user ${holder}`} is annotating it: unassign it first`,
            });
          else if (body.gold !== null && overlap.has(id))
            results.push({
              imageId: id,
              status: "refused",
              reason: "it is labelled in blind overlap: its annotations will be the consensus",
            });
          else {
            results.push({ imageId: id, status: body.gold === null ? "unmarked" : "marked" });
            if (r.gold !== body.gold) changing.push(id);
          }
        }
        await setGold(trx, changing, body.gold);
        // Their copies are measured against the reference while (and only while) the image is gold.
        for (const id of changing) await scoreImage(deps, id, trx);
        return { results, updated: changing.length };
      }),

    /** Where a person stands in the project's qualification. */
    qualification: async (projectId: number, userId: number): Promise<QualificationStatus> => {
      await reviewSettingsOf(deps.sql, projectId);
      return statusOf(deps.sql, projectId, userId);
    },

    /** Every member's qualification (for managers). */
    qualificationOfMembers: async (ex: Executor, projectId: number, userIds: readonly number[]) => {
      const out = new Map<number, QualificationStatus>();
      for (const id of userIds) out.set(id, await statusOf(ex, projectId, id));
      return out;
    },

    /** A manager lets a person try the qualification again: their attempt is forgotten. */
    reset: async (projectId: number, userId: number): Promise<QualificationStatus> =>
      deps.sql.transaction().execute(async (trx) => {
        await reviewSettingsOf(trx, projectId);
        if ((await memberRole(trx, projectId, userId)) === undefined) throw notFound("member", userId);
        await resetQualification(trx, projectId, userId);
        return statusOf(trx, projectId, userId);
      }),

    /** After a save of the image's own annotations: a gold image's copies are scored against it again. */
    referenceSaved: async (imageId: number) => {
      const image = await goldOfImage(deps.sql, imageId);
      if (image && image.gold !== null) await scoreImage(deps, imageId);
    },

    /** requireQualified for the image's project (an unknown image is the caller's 404 to answer). */
    requireQualifiedOn: async (imageId: number, caller: GoldCaller | undefined) => {
      if (caller?.role !== "annotator") return;
      const image = await goldOfImage(deps.sql, imageId);
      if (!image) return;
      const s = await statusOf(deps.sql, image.project_id, caller.userId);
      if (s.state === "in_progress" || s.state === "failed") throw refusal(s);
    },

    /**
     * Refuses an annotator's real work (saves, submissions, the queue's real images) with 403
     * QUALIFICATION_REQUIRED until they pass; reviewers, managers and admins are not asked.
     */
    requireQualified: async (ex: Executor, projectId: number, caller: GoldCaller | undefined) => {
      if (caller?.role !== "annotator") return;
      const s = await statusOf(ex, projectId, caller.userId);
      if (s.state === "in_progress" || s.state === "failed") throw refusal(s);
    },

    /**
     * Before anything else the queue hands an annotator (inside next's transaction): their
     * qualification images until they qualify — the open one, else the next one, its copy created
     * here at hand-out. A failed attempt, or one whose images are all in but not all scored, refuses
     * real work. Undefined: no qualification stands in the way.
     */
    qualificationTurn: async (
      ex: Executor,
      projectId: number,
      caller: GoldCaller,
    ): Promise<number | undefined> => {
      if (caller.role !== "annotator") return undefined;
      const status = await statusOf(ex, projectId, caller.userId);
      if (status.state !== "in_progress" && status.state !== "failed") return undefined;
      const open = await openCopyOf(ex, projectId, caller.userId, ["qualification"]);
      if (open) return open.image_id;
      const next =
        status.state === "in_progress" && status.submitted < status.required
          ? await nextGoldFor(ex, projectId, caller.userId, "qualification")
          : undefined;
      if (!next) throw refusal(status);
      await ensureCopy(ex, {
        imageId: next.id,
        userId: caller.userId,
        purpose: "qualification",
        now: deps.now(),
      });
      return next.id;
    },

    /**
     * In the queue's turn (after the annotator's rework and assignments): their open honeypot, else
     * on a honeypot turn (isHoneypotTurn) the next honeypot they have not done, its copy created here
     * at hand-out. Undefined: a real image.
     */
    honeypotTurn: async (
      ex: Executor,
      projectId: number,
      caller: GoldCaller,
      review: ReviewSettings,
    ): Promise<number | undefined> => {
      if (caller.role !== "annotator") return undefined;
      const open = await openCopyOf(ex, projectId, caller.userId, ["gold"]);
      if (open) return open.image_id;
      const settings = await qualitySettingsOf(ex, projectId);
      if (settings.honeypotPercent === 0 && settings.warmupImages === 0) return undefined;
      const n = await handedOut(ex, projectId, caller.userId);
      if (!isHoneypotTurn(settings, review.sampleSeed, caller.userId, n)) return undefined;
      const next = await nextGoldFor(ex, projectId, caller.userId, "honeypot");
      if (!next) return undefined;
      await ensureCopy(ex, { imageId: next.id, userId: caller.userId, purpose: "gold", now: deps.now() });
      return next.id;
    },
  };
};
