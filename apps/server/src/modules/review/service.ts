import type {
  AnnotatorStats,
  AssignRequest,
  AssignResult,
  DecisionRequest,
  ImageHistory,
  ImageWork,
  MyWork,
  MyWorkQuery,
  NextWork,
  ReviewDiff,
  ReviewQueuePage,
  ReviewQueueQuery,
  ReviewSettings,
  ReviewSettingsPatch,
  Role,
} from "@labelbench/schema";
import type { z } from "zod";
import type { Executor } from "../../db/executor.js";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { copyCounts } from "../copies/copy-repo.js";
import { copyService } from "../copies/service.js";
import { goldService } from "../gold/service.js";
import { activeLearningService } from "../model-eval/active-learning.js";
import { overlapNext, startOverlap } from "../overlap/overlap.js";
import { auditAfterDecision } from "../review-audits/audit-sample.js";
import { decodeWorkCursor, encodeWorkCursor } from "./cursor.js";
import { type DiffShape, reviewDiff } from "./diff.js";
import { eventsOfImage, type NewEvent, recordEvent, recordEvents } from "./events-repo.js";
import { decidable, holderOf, isStale, leaseEnd, submittedState, toImageWork, type WorkRow } from "./work.js";
import * as repo from "./work-repo.js";

/** The signed-in caller of a workflow endpoint. */
export interface Caller {
  userId: number;
  role: Role;
  email: string;
}

type AssignBody = z.output<typeof AssignRequest>;
type DecisionBody = z.output<typeof DecisionRequest>;
type QueueQuery = z.output<typeof ReviewQueueQuery>;
type MineQuery = z.output<typeof MyWorkQuery>;

const mayReview = (role: Role) => role !== "annotator";

/**
 * The workflow's rules (issue 15; docs/quality-workflow.md): distribution, the lease queue,
 * submission, decisions, the review queue, history and numbers. Each transition is one transaction
 * whose UPDATE names the state it leaves (work-repo.ts), so a racing caller's step changes nothing
 * and is answered 409 with the image's work as it is now.
 */
export const reviewService = (deps: Pick<Deps, "sql" | "dialect" | "now">) => {
  // Gold images and copies (issue 16): the queue hands out honeypots and qualification images.
  const gold = goldService(deps);
  const copies = copyService(deps);
  // Active learning (issue 17): the model's least sure images first, when the project says so.
  const activeLearning = activeLearningService(deps);
  /** The NextWork of an image handed out as a copy (gold, overlap): it reads like any queue image. */
  const handedCopy = async (ex: Executor, imageId: number, caller: Caller): Promise<NextWork> => {
    const image = await copies.work(imageId, caller, ex);
    if (!image) throw notFound("image", imageId);
    return { image, source: "queue" };
  };
  const settingsOrThrow = async (ex: Executor, projectId: number): Promise<ReviewSettings> => {
    const s = await repo.settingsOf(ex, projectId);
    if (!s) throw notFound("project", projectId);
    return s;
  };
  const rowOrThrow = async (ex: Executor, imageId: number): Promise<WorkRow> => {
    const row = await repo.workRow(ex, imageId);
    if (!row) throw notFound("image", imageId);
    return row;
  };
  const workOf = async (ex: Executor, imageId: number, now: string): Promise<ImageWork> => {
    const row = await rowOrThrow(ex, imageId);
    return toImageWork(row, await settingsOrThrow(ex, row.project_id), now);
  };
  const nameOf = async (ex: Executor, userId: number | null) =>
    userId === null ? "nobody" : ((await repo.userName(ex, userId)) ?? `user ${userId}`);
  /** 409 WORKFLOW_CONFLICT carrying the image's work as it is now. */
  const conflict = async (ex: Executor, imageId: number, now: string, message: string) =>
    new AppError("WORKFLOW_CONFLICT", message, await workOf(ex, imageId, now));
  const stale = async (ex: Executor, imageId: number, now: string, revision: number, current: number) =>
    new AppError(
      "STALE_REVISION",
      `image ${imageId} is at revision ${current}, not ${revision}: the annotations changed since you looked`,
      await workOf(ex, imageId, now),
    );
  /** Why a reviewer cannot decide the image now. */
  const notDecidable = async (ex: Executor, row: WorkRow, now: string) => {
    const why =
      row.review_state === "accepted"
        ? `was already ${row.decision === "fixed" ? "fixed and accepted" : "accepted"} by ${await nameOf(ex, row.decided_by)} at revision ${row.decided_revision}`
        : row.review_state === "rejected"
          ? `was rejected by ${await nameOf(ex, row.decided_by)} and is back with its author`
          : "has not been submitted";
    return conflict(ex, row.id, now, `image ${row.id} ${why}: nothing to decide`);
  };

  return {
    settings: async (projectId: number) => settingsOrThrow(deps.sql, projectId),

    updateSettings: async (projectId: number, patch: ReviewSettingsPatch): Promise<ReviewSettings> =>
      deps.sql.transaction().execute(async (trx) => {
        const next = { ...(await settingsOrThrow(trx, projectId)), ...patch };
        await repo.saveSettings(trx, projectId, next, deps.now());
        return next;
      }),

    work: async (imageId: number) => workOf(deps.sql, imageId, deps.now()),

    assign: async (projectId: number, body: AssignBody, caller: Caller): Promise<AssignResult> => {
      const now = deps.now();
      const assigneeId = body.assigneeId;
      await settingsOrThrow(deps.sql, projectId);
      if (assigneeId !== null && (await repo.memberRole(deps.sql, projectId, assigneeId)) === undefined)
        throw new AppError("VALIDATION_ERROR", `user ${assigneeId} is no member of project ${projectId}`, [
          {
            path: "body.assigneeId",
            message: `user ${assigneeId} is no member of this project: add them first`,
          },
        ]);
      return deps.sql.transaction().execute(async (trx) => {
        const rows = body.imageIds
          ? await repo.assignTargets(trx, projectId, body.imageIds)
          : await repo.filterTargets(
              trx,
              deps.dialect,
              projectId,
              { ...body.filter, unassignedOnly: body.filter?.unassignedOnly ?? true },
              body.count ?? 10_000,
              now,
            );
        const byId = new Map(rows.map((r) => [r.id, r]));
        const order = body.imageIds ?? rows.map((r) => r.id);
        const results: AssignResult["results"] = [];
        const eligible: WorkRow[] = [];
        for (const id of order) {
          const r = byId.get(id);
          if (!r)
            results.push({
              imageId: id,
              status: "refused",
              reason: `no image ${id} in project ${projectId}`,
            });
          else if (r.gold !== null)
            results.push({
              imageId: id,
              status: "refused",
              reason: "a gold image: annotators label it through their own copies, handed out by the queue",
            });
          else if (r.review_state === "pending" || r.review_state === "accepted")
            results.push({
              imageId: id,
              status: "refused",
              reason:
                r.review_state === "pending"
                  ? "submitted and waiting for review"
                  : "accepted by a reviewer; a new edit sends it back first",
            });
          else {
            results.push({ imageId: id, status: assigneeId === null ? "unassigned" : "assigned" });
            eligible.push(r);
          }
        }
        await repo.setAssignee(
          trx,
          eligible.map((r) => r.id),
          assigneeId,
        );
        await recordEvents(
          trx,
          eligible.map(
            (r): NewEvent => ({
              projectId,
              imageId: r.id,
              kind: assigneeId === null ? "unassigned" : "assigned",
              actorId: caller.userId,
              subjectId: assigneeId ?? r.assignee_id,
              attempt: r.attempt,
              at: now,
            }),
          ),
        );
        return { results, assigned: assigneeId === null ? 0 : eligible.length };
      });
    },

    next: async (projectId: number, caller: Caller): Promise<NextWork> =>
      deps.sql.transaction().execute(async (trx) => {
        const now = deps.now();
        const s = await settingsOrThrow(trx, projectId);
        const qualifying = await gold.qualificationTurn(trx, projectId, caller);
        if (qualifying !== undefined) return handedCopy(trx, qualifying, caller);
        const own: ["rework" | "manager" | "queue", NextWork["source"]][] = [
          ["rework", "rework"],
          ["manager", "assigned"],
          ["queue", "queue"],
        ];
        for (const [via, source] of own) {
          const row = await repo.nextOwn(trx, projectId, caller.userId, via, now);
          if (!row) continue;
          if (via === "queue")
            await repo.renewLease(trx, row.id, caller.userId, leaseEnd(now, s.leaseMinutes));
          return { image: await workOf(trx, row.id, now), source };
        }
        // Blind overlap (issue 16): the caller's copy in progress, else a slot in an image in overlap.
        const overlapped = await overlapNext(trx, deps.dialect, projectId, caller.userId, s.queue, now);
        if (overlapped !== null) return handedCopy(trx, overlapped, caller);
        if (!s.queue) return { image: null, source: null };
        const honeypot = await gold.honeypotTurn(trx, projectId, caller, s);
        if (honeypot !== undefined) return handedCopy(trx, honeypot, caller);
        // A free image can stop being free between the search and the lease only on PostgreSQL,
        // under a lock another transaction committed; then the next one is tried.
        for (let tries = 0; tries < 5; tries++) {
          const uncertain = await activeLearning.pickFree(trx, projectId, now);
          const free = uncertain ?? (await repo.findFree(trx, deps.dialect, projectId, now));
          if (!free) return { image: null, source: null };
          if (await startOverlap(trx, projectId, free.id, free.gold, caller.userId, now)) {
            if (uncertain) await activeLearning.handedOut(trx, projectId, uncertain.labelId);
            return handedCopy(trx, free.id, caller);
          }
          if (!(await repo.lease(trx, free.id, caller.userId, leaseEnd(now, s.leaseMinutes), now))) continue;
          if (uncertain) await activeLearning.handedOut(trx, projectId, uncertain.labelId);
          if (free.assignee_id !== null && free.assignee_id !== caller.userId)
            await recordEvent(trx, {
              projectId,
              imageId: free.id,
              kind: "lease_expired",
              actorId: null,
              subjectId: free.assignee_id,
              attempt: free.attempt,
              detail: { leaseUntil: free.lease_until },
              at: now,
            });
          await recordEvent(trx, {
            projectId,
            imageId: free.id,
            kind: "leased",
            actorId: caller.userId,
            subjectId: caller.userId,
            attempt: free.attempt,
            at: now,
          });
          return { image: await workOf(trx, free.id, now), source: "queue" };
        }
        return { image: null, source: null };
      }),

    release: async (imageId: number, caller: Caller): Promise<ImageWork> =>
      deps.sql.transaction().execute(async (trx) => {
        const now = deps.now();
        const row = await rowOrThrow(trx, imageId);
        const holder = row.assigned_via === "queue" && row.review_state === "none" ? row.assignee_id : null;
        const mayRelease =
          holder !== null &&
          (holder === caller.userId || caller.role === "admin" || caller.role === "manager");
        if (!mayRelease || holder === null || !(await repo.releaseLease(trx, imageId, holder)))
          throw await conflict(
            trx,
            imageId,
            now,
            `image ${imageId} has no queue lease of yours to give back`,
          );
        await recordEvent(trx, {
          projectId: row.project_id,
          imageId,
          kind: "unassigned",
          actorId: caller.userId,
          subjectId: holder,
          attempt: row.attempt,
          detail: { released: true },
          at: now,
        });
        return workOf(trx, imageId, now);
      }),

    submit: async (imageId: number, revision: number, caller: Caller): Promise<ImageWork> =>
      deps.sql.transaction().execute(async (trx) => {
        const now = deps.now();
        const row = await rowOrThrow(trx, imageId);
        const s = await settingsOrThrow(trx, row.project_id);
        const holder = holderOf(row, now);
        if (caller.role === "annotator" && holder !== null && holder !== caller.userId)
          throw await conflict(
            trx,
            imageId,
            now,
            `image ${imageId} is held by ${await nameOf(trx, holder)}: only they may submit it`,
          );
        if (row.review_state === "pending" && row.submitted_revision === row.revision)
          throw await conflict(
            trx,
            imageId,
            now,
            `image ${imageId} is already submitted and waiting for review`,
          );
        if (row.review_state === "accepted" && !isStale(row))
          throw await conflict(
            trx,
            imageId,
            now,
            `image ${imageId} is already accepted; nothing changed since`,
          );
        if (row.revision !== revision) throw await stale(trx, imageId, now, revision, row.revision);
        const open = await repo.openIssueCount(trx, imageId);
        if (open > 0)
          throw await conflict(
            trx,
            imageId,
            now,
            `image ${imageId} has ${open} open issue(s): mark each one fixed (or answer it) before submitting`,
          );
        const state = submittedState(s, imageId);
        const ok = await repo.submit(
          trx,
          imageId,
          { revision, reviewState: row.review_state, attempt: row.attempt },
          { reviewState: state, userId: caller.userId, actor: caller.email, now },
        );
        if (!ok)
          throw await conflict(
            trx,
            imageId,
            now,
            `image ${imageId} changed while you submitted it; look again`,
          );
        await recordEvent(trx, {
          projectId: row.project_id,
          imageId,
          kind: "submitted",
          actorId: caller.userId,
          subjectId: caller.userId,
          attempt: row.attempt + 1,
          revision,
          detail: { reviewState: state },
          at: now,
        });
        return workOf(trx, imageId, now);
      }),

    decide: async (imageId: number, body: DecisionBody, caller: Caller): Promise<ImageWork> =>
      deps.sql.transaction().execute(async (trx) => {
        const now = deps.now();
        const row = await rowOrThrow(trx, imageId);
        if (!decidable(row)) throw await notDecidable(trx, row, now);
        if (row.revision !== body.revision) throw await stale(trx, imageId, now, body.revision, row.revision);
        if (
          body.decision === "rejected" &&
          body.reasons.length === 0 &&
          (await repo.openIssueCount(trx, imageId)) === 0
        )
          throw new AppError(
            "VALIDATION_ERROR",
            "a rejection needs at least one reason or one open issue on the image",
            [
              {
                path: "body.reasons",
                message: "give at least one reason, or pin an issue on the image first",
              },
            ],
          );
        const won = await repo.decide(trx, imageId, body.revision, {
          decision: body.decision,
          reviewerId: caller.userId,
          actor: caller.email,
          now,
          submittedBy: row.submitted_by,
        });
        if (!won) {
          // Another reviewer, or a save, came first (PostgreSQL: it committed while this waited).
          const current = await rowOrThrow(trx, imageId);
          if (current.revision !== body.revision)
            throw await stale(trx, imageId, now, body.revision, current.revision);
          throw await notDecidable(trx, current, now);
        }
        const resolvedIssues =
          body.decision === "rejected" ? 0 : await repo.resolveAllIssues(trx, imageId, now);
        const { shapes, tags } = await repo.currentShapes(trx, imageId);
        await repo.writeBaseline(trx, {
          imageId,
          revision: body.revision,
          attempt: row.attempt,
          shapes,
          tags,
          now,
        });
        await recordEvent(trx, {
          projectId: row.project_id,
          imageId,
          kind: body.decision,
          actorId: caller.userId,
          subjectId: row.submitted_by,
          attempt: row.attempt,
          revision: body.revision,
          detail: {
            reasons: body.reasons,
            comment: body.comment,
            resolvedIssues,
            submittedRevision: row.submitted_revision,
            ...(body.decision === "fixed" ? { fixedRevision: body.revision } : {}),
          },
          at: now,
        });
        await auditAfterDecision(trx, {
          projectId: row.project_id,
          imageId,
          decision: body.decision,
          reviewerId: caller.userId,
          revision: body.revision,
          now,
        });
        return workOf(trx, imageId, now);
      }),

    mine: async (projectId: number, query: MineQuery, caller: Caller): Promise<MyWork> => {
      const now = deps.now();
      const s = await settingsOrThrow(deps.sql, projectId);
      const after = query.cursor === undefined ? undefined : decodeWorkCursor(query.cursor, "name");
      const rows = await repo.myWorkPage(
        deps.sql,
        projectId,
        caller.userId,
        query.state,
        now,
        after && { nameKey: after.key, id: after.id },
        query.limit,
      );
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      const counts = await repo.myCounts(deps.sql, projectId, caller.userId, now);
      // Copies count as the caller's own images: open ones as assigned, submitted ones as submitted.
      const held = await copyCounts(deps.sql, projectId, caller.userId);
      return {
        counts: {
          ...counts,
          assigned: counts.assigned + held.open,
          submitted: counts.submitted + held.submitted,
        },
        items: await copies.blindWork(
          page.map((r) => ({ ...toImageWork(r, s, now), fileName: r.file_name })),
          caller,
        ),
        nextCursor:
          rows.length > query.limit && last ? encodeWorkCursor("name", last.name_key, last.id) : null,
        qualification: await gold.qualification(projectId, caller.userId),
      };
    },

    queue: async (projectId: number, query: QueueQuery): Promise<ReviewQueuePage> => {
      const now = deps.now();
      const s = await settingsOrThrow(deps.sql, projectId);
      const after = query.cursor === undefined ? undefined : decodeWorkCursor(query.cursor, "submitted");
      const rows = await repo.reviewQueuePage(deps.sql, projectId, {
        state: query.state,
        annotatorId: query.annotatorId,
        labelId: query.labelId,
        submittedSince: query.submittedSince,
        openIssues: query.openIssues,
        attempt: query.attempt,
        after: after && { submittedAt: after.key, id: after.id },
        limit: query.limit,
      });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((r) => ({
          ...toImageWork(r, s, now),
          fileName: r.file_name,
          annotationCount: r.annotation_count,
        })),
        nextCursor:
          rows.length > query.limit && last?.submitted_at
            ? encodeWorkCursor("submitted", last.submitted_at, last.id)
            : null,
        total: await repo.queueTotal(deps.sql, projectId, query.state),
      };
    },

    diff: async (imageId: number): Promise<ReviewDiff> => {
      const row = await rowOrThrow(deps.sql, imageId);
      const base = await repo.baselineOf(deps.sql, imageId);
      const empty = { added: [], removed: [], changed: [], tagsAdded: [], tagsRemoved: [] };
      if (!base) return { imageId, baseRevision: null, revision: row.revision, ...empty };
      const now = await repo.currentShapes(deps.sql, imageId);
      const current: DiffShape[] = now.shapes.map((s) => ({
        id: s.id,
        labelId: s.labelId,
        geometry: JSON.parse(s.geometry) as unknown,
      }));
      return {
        imageId,
        baseRevision: base.revision,
        revision: row.revision,
        ...reviewDiff(
          { shapes: JSON.parse(base.shapes) as DiffShape[], tags: JSON.parse(base.tags) as number[] },
          { shapes: current, tags: now.tags },
        ),
      };
    },

    history: async (imageId: number): Promise<ImageHistory> => ({
      work: await workOf(deps.sql, imageId, deps.now()),
      events: await eventsOfImage(deps.sql, imageId),
    }),

    activity: async (imageId: number, seconds: number, caller: Caller): Promise<void> => {
      const row = await rowOrThrow(deps.sql, imageId);
      const now = deps.now();
      await repo.addActivity(deps.sql, {
        projectId: row.project_id,
        userId: caller.userId,
        imageId,
        day: now.slice(0, 10),
        seconds,
      });
    },

    stats: async (projectId: number, caller: Caller): Promise<AnnotatorStats[]> => {
      const now = deps.now();
      await settingsOrThrow(deps.sql, projectId);
      const people = (await repo.members(deps.sql, projectId)).filter(
        (m) => mayReview(caller.role) || m.id === caller.userId,
      );
      const n = await repo.statsOf(deps.sql, projectId, now);
      const count = <K extends string>(
        rows: readonly (Record<K, unknown> & { n: unknown })[],
        key: K,
        v: unknown,
      ) => Number(rows.find((r) => r[key] === v)?.n ?? 0);
      return people.map((p) => {
        const decided = (kinds: string[]) =>
          n.decisions
            .filter((d) => d.subject_id === p.id && kinds.includes(d.kind))
            .reduce((sum, d) => sum + Number(d.n), 0);
        const accepted = decided(["accepted", "fixed"]);
        const rejected = decided(["rejected"]);
        return {
          userId: p.id,
          name: p.name,
          role: p.role,
          assigned: count(n.assigned, "assignee_id", p.id),
          submitted: count(n.submitted, "actor_id", p.id),
          acceptedFirstPass: n.decisions
            .filter((d) => d.subject_id === p.id && d.kind !== "rejected")
            .reduce((sum, d) => sum + Number(d.first ?? 0), 0),
          accepted,
          rejected,
          reworkRate: accepted + rejected === 0 ? null : rejected / (accepted + rejected),
          objects: count(n.objects, "created_by", p.email),
          activeSeconds: count(n.active, "user_id", p.id),
          openIssues: count(n.issues, "assignee_id", p.id),
        };
      });
    },
  };
};
