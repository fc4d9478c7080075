import { wilsonInterval } from "@labelbench/quality";
import type {
  Audit,
  AuditListQuery,
  AuditPage,
  AuditRequest,
  ReviewerPrecision,
  Role,
} from "@labelbench/schema";
import type { z } from "zod";
import type { Executor } from "../../db/executor.js";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { recordEvent } from "../review/events-repo.js";
import * as work from "../review/work-repo.js";
import {
  auditById,
  auditCounts,
  auditPage,
  closeAudit,
  lastVerdictOfImage,
  openAuditOfImage,
} from "./audits-repo.js";

/** Who audits: their id, role (a reviewer sees only their own precision) and email (status_updated_by). */
export interface Auditor {
  userId: number;
  role: Role;
  email: string;
}

/** Audit queue cursors: opaque to clients, base64url of the last audit's id. */
const encodeCursor = (id: number) => Buffer.from(JSON.stringify(["audit", id])).toString("base64url");
const decodeCursor = (cursor: string): number => {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && v[0] === "audit" && Number.isSafeInteger(v[1]) && (v[1] as number) > 0)
      return v[1] as number;
  } catch {
    // not JSON: answered below like any other foreign cursor
  }
  throw new AppError(
    "VALIDATION_ERROR",
    "cursor is not one this server issued; start again without a cursor",
    [{ path: "query.cursor", message: "not a cursor this server issued" }],
  );
};

/**
 * Reviewer audits (issue 16; docs/quality-workflow.md, "Audits"): the queue of accepted images
 * waiting for a second reviewer, the verdict, and reviewer precision. The sample is drawn when a
 * decision is recorded (audit-sample.ts, inside the decision's transaction).
 */
export const auditService = (deps: Pick<Deps, "sql" | "now">) => {
  const nameOf = async (ex: Executor, userId: number | null) =>
    userId === null ? "nobody" : ((await work.userName(ex, userId)) ?? `user ${userId}`);

  return {
    list: async (
      projectId: number,
      q: z.output<typeof AuditListQuery>,
      caller: Auditor,
    ): Promise<AuditPage> => {
      if (!(await work.settingsOf(deps.sql, projectId))) throw notFound("project", projectId);
      const items = await auditPage(deps.sql, projectId, {
        state: q.state,
        reviewerId: q.reviewerId,
        notReviewer: q.state === "open" ? caller.userId : undefined,
        afterId: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
        // One more than asked tells whether a next page exists without counting.
        limit: q.limit + 1,
      });
      const page = items.slice(0, q.limit);
      const last = page.at(-1);
      return { items: page, nextCursor: items.length > q.limit && last ? encodeCursor(last.id) : null };
    },

    /**
     * The verdict on the image's open audit, by anyone who may review but the reviewer audited. An
     * overturn needs a reason or an open issue (as a rejection does) and, while the acceptance still
     * stands, sends the image back to its author as rework; the verdict is recorded either way.
     */
    verdict: async (imageId: number, body: z.output<typeof AuditRequest>, caller: Auditor): Promise<Audit> =>
      deps.sql.transaction().execute(async (trx) => {
        const now = deps.now();
        const row = await work.workRow(trx, imageId);
        if (!row) throw notFound("image", imageId);
        const audit = await openAuditOfImage(trx, imageId);
        if (!audit) {
          const last = await lastVerdictOfImage(trx, imageId);
          throw new AppError(
            "WORKFLOW_CONFLICT",
            last
              ? `image ${imageId}'s acceptance was already audited (${last.state}) by ${await nameOf(trx, last.auditorId)} at ${last.auditedAt}; no audit is waiting`
              : `image ${imageId} has no audit waiting: only a sample of accepted images is audited`,
          );
        }
        if (audit.reviewerId === caller.userId)
          throw new AppError(
            "FORBIDDEN",
            `you accepted image ${imageId} yourself; another reviewer audits your decision`,
          );
        if (
          body.verdict === "overturned" &&
          body.reasons.length === 0 &&
          (await work.openIssueCount(trx, imageId)) === 0
        )
          throw new AppError(
            "VALIDATION_ERROR",
            "an overturn needs at least one reason or one open issue on the image",
            [
              {
                path: "body.reasons",
                message: "give at least one reason, or pin an issue on the image first",
              },
            ],
          );
        const closed = await closeAudit(trx, audit.id, {
          state: body.verdict,
          auditorId: caller.userId,
          reasons: body.reasons,
          comment: body.comment,
          now,
        });
        if (!closed) {
          // Another auditor came first (PostgreSQL: it committed while this waited on the row).
          const now2 = await auditById(trx, audit.id);
          throw new AppError(
            "WORKFLOW_CONFLICT",
            `image ${imageId}'s acceptance was already audited (${now2?.state ?? "closed"}) by ${await nameOf(trx, now2?.auditorId ?? null)}`,
          );
        }
        await recordEvent(trx, {
          projectId: row.project_id,
          imageId,
          kind: body.verdict === "upheld" ? "audit_upheld" : "audit_overturned",
          actorId: caller.userId,
          subjectId: audit.reviewerId,
          attempt: row.attempt,
          revision: audit.decidedRevision,
          detail: {
            auditId: audit.id,
            reasons: body.reasons,
            comment: body.comment,
            decidedAt: audit.decidedAt,
          },
          at: now,
        });
        if (
          body.verdict === "overturned" &&
          (await work.overturn(trx, imageId, audit.decidedAt, {
            auditorId: caller.userId,
            actor: caller.email,
            now,
            submittedBy: row.submitted_by,
          }))
        ) {
          const { shapes, tags } = await work.currentShapes(trx, imageId);
          await work.writeBaseline(trx, {
            imageId,
            revision: row.revision,
            attempt: row.attempt,
            shapes,
            tags,
            now,
          });
          await recordEvent(trx, {
            projectId: row.project_id,
            imageId,
            kind: "rejected",
            actorId: caller.userId,
            subjectId: row.submitted_by,
            attempt: row.attempt,
            revision: row.revision,
            detail: {
              reasons: body.reasons,
              comment: body.comment,
              resolvedIssues: 0,
              submittedRevision: row.submitted_revision,
              overturned: { auditId: audit.id, reviewerId: audit.reviewerId },
            },
            at: now,
          });
        }
        const done = await auditById(trx, audit.id);
        if (!done) throw notFound("audit", audit.id);
        return done;
      }),

    /** Per reviewer: precision = upheld / audited with its Wilson interval; a reviewer sees their own row. */
    precision: async (projectId: number, caller: Auditor): Promise<ReviewerPrecision[]> => {
      if (!(await work.settingsOf(deps.sql, projectId))) throw notFound("project", projectId);
      const rows = await auditCounts(deps.sql, projectId);
      const byReviewer = new Map<number, ReviewerPrecision>();
      for (const r of rows) {
        if (r.reviewer_id === null) continue;
        if (caller.role === "reviewer" && r.reviewer_id !== caller.userId) continue;
        const p = byReviewer.get(r.reviewer_id) ?? {
          reviewerId: r.reviewer_id,
          name: r.name,
          audited: 0,
          upheld: 0,
          overturned: 0,
          open: 0,
          precision: wilsonInterval(0, 0),
        };
        const n = Number(r.n);
        if (r.state === "upheld") p.upheld += n;
        else if (r.state === "overturned") p.overturned += n;
        else p.open += n;
        byReviewer.set(r.reviewer_id, p);
      }
      return [...byReviewer.values()].map((p) => {
        const audited = p.upheld + p.overturned;
        return { ...p, audited, precision: wilsonInterval(p.upheld, audited) };
      });
    },
  };
};
