import type { EventKind, IssueCreate, IssueListQuery, IssuePage, IssueState, User } from "@labelbench/schema";
import type { z } from "zod";
import type { Executor } from "../../db/executor.js";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { recordEvent } from "../review/events-repo.js";
import { anchorOutside, geometryBox } from "./anchor.js";
import {
  insertComment,
  insertIssue,
  issueById,
  issueHead,
  issueImage,
  issuesOfImage,
  issuesOfProject,
  moveIssue,
  projectExists,
  shapeGeometry,
  touchIssue,
} from "./repo.js";

/** Who acts: their id for the records, their role for the rule on fixing someone else's issue. */
export type Actor = Pick<User, "id" | "role">;

/**
 * The steps of an issue: open → fixed (by the annotator whose work it is about) → resolved (by a
 * reviewer), and reopen from fixed or resolved back to open. Each step names the states it may
 * start from; anything else is a 409 naming the state the issue is in.
 */
const STEPS = {
  fix: { from: ["open"], to: "fixed", kind: "issue_fixed", verb: "marked fixed" },
  resolve: { from: ["open", "fixed"], to: "resolved", kind: "issue_resolved", verb: "resolved" },
  reopen: { from: ["fixed", "resolved"], to: "open", kind: "issue_reopened", verb: "reopened" },
} as const satisfies Record<
  string,
  { from: readonly IssueState[]; to: IssueState; kind: EventKind; verb: string }
>;
export type IssueStep = keyof typeof STEPS;

const orList = (states: readonly string[]) =>
  states.length === 1 ? (states[0] ?? "") : `${states.slice(0, -1).join(", ")} or ${states.at(-1)}`;

/** Project list cursors: opaque to clients, base64url of the last issue's id. */
const encodeCursor = (id: number) => Buffer.from(JSON.stringify(["issue", id])).toString("base64url");
const decodeCursor = (cursor: string): number => {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && v[0] === "issue" && Number.isSafeInteger(v[1]) && (v[1] as number) > 0)
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

export const issueService = (deps: Pick<Deps, "sql" | "now">) => {
  /** The issue as it is now; the caller's step just ran, so it exists. */
  const reread = async (ex: Executor, issueId: number) => {
    const issue = await issueById(ex, issueId);
    if (!issue) throw notFound("issue", issueId);
    return issue;
  };

  return {
    listOfImage: async (imageId: number) => {
      if (!(await issueImage(deps.sql, imageId))) throw notFound("image", imageId);
      return { items: await issuesOfImage(deps.sql, imageId) };
    },

    listOfProject: async (projectId: number, q: z.output<typeof IssueListQuery>): Promise<IssuePage> => {
      if (!(await projectExists(deps.sql, projectId))) throw notFound("project", projectId);
      const items = await issuesOfProject(deps.sql, projectId, {
        states: q.state,
        assigneeId: q.assigneeId,
        imageId: q.imageId,
        afterId: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
        // One more than asked tells whether a next page exists without counting.
        limit: q.limit + 1,
      });
      const page = items.slice(0, q.limit);
      const last = page.at(-1);
      return { items: page, nextCursor: items.length > q.limit && last ? encodeCursor(last.id) : null };
    },

    /**
     * Pins an issue on a point or region inside the image, or on a shape it holds now (whose bounds
     * are kept in the anchor, to show where it was should it be deleted). The issue is about the
     * work of whoever submitted the image (or holds it, before any submission), on its current attempt.
     */
    create: async (imageId: number, body: z.output<typeof IssueCreate>, actor: Actor) => {
      const at = deps.now();
      return deps.sql.transaction().execute(async (trx) => {
        const image = await issueImage(trx, imageId);
        if (!image) throw notFound("image", imageId);
        const outside = anchorOutside(body.anchor, image);
        if (outside)
          throw new AppError("VALIDATION_ERROR", `invalid body: body.anchor: ${outside}`, [
            { path: "body.anchor", message: outside },
          ]);
        let anchor = body.anchor;
        if (anchor.kind === "shape") {
          const geometry = await shapeGeometry(trx, imageId, anchor.annotationId);
          if (!geometry)
            throw new AppError(
              "WORKFLOW_CONFLICT",
              `image ${imageId} has no annotation "${anchor.annotationId}"`,
            );
          anchor = { kind: "shape", annotationId: anchor.annotationId, box: geometryBox(geometry) };
        }
        const issueId = await insertIssue(trx, {
          projectId: image.projectId,
          imageId,
          anchor,
          category: body.category,
          severity: body.severity,
          attempt: image.attempt,
          authorId: actor.id,
          assigneeId: image.workerId,
          at,
        });
        if (body.comment !== "")
          await insertComment(trx, { issueId, authorId: actor.id, body: body.comment, at });
        await recordEvent(trx, {
          projectId: image.projectId,
          imageId,
          kind: "issue_opened",
          actorId: actor.id,
          subjectId: image.workerId,
          attempt: image.attempt,
          revision: image.revision,
          issueId,
          detail: {
            category: body.category,
            severity: body.severity,
            anchor: anchor.kind,
            ...(body.comment !== "" ? { comment: body.comment } : {}),
          },
          at,
        });
        return reread(trx, issueId);
      });
    },

    /**
     * Moves an issue one step (fix, resolve, reopen), with an optional comment for its thread. Only
     * the annotator the issue is about may mark it fixed, among annotators (reviewers, managers
     * and admins may too); who may resolve and reopen is the policy's `review`.
     */
    step: async (issueId: number, step: IssueStep, comment: string, actor: Actor) => {
      const s = STEPS[step];
      const at = deps.now();
      return deps.sql.transaction().execute(async (trx) => {
        const head = await issueHead(trx, issueId);
        if (!head) throw notFound("issue", issueId);
        if (step === "fix" && actor.role === "annotator" && head.assigneeId !== actor.id)
          throw new AppError(
            "FORBIDDEN",
            head.assigneeId === null
              ? `issue ${issueId} is about nobody's work; a reviewer, manager or admin may mark it fixed`
              : `issue ${issueId} is about another annotator's work; only they (or a reviewer) may mark it fixed`,
          );
        if (!(await moveIssue(trx, issueId, s.from, s.to, at))) {
          // Read again: on PostgreSQL another step may have committed since `head` was read.
          const state = (await issueHead(trx, issueId))?.state ?? head.state;
          throw new AppError(
            "WORKFLOW_CONFLICT",
            `issue ${issueId} is ${state}; only an issue that is ${orList(s.from)} can be ${s.verb}`,
          );
        }
        if (comment !== "") await insertComment(trx, { issueId, authorId: actor.id, body: comment, at });
        await recordEvent(trx, {
          projectId: head.projectId,
          imageId: head.imageId,
          kind: s.kind,
          actorId: actor.id,
          subjectId: head.assigneeId,
          attempt: head.imageAttempt,
          revision: head.imageRevision,
          issueId,
          detail: { from: head.state, ...(comment !== "" ? { comment } : {}) },
          at,
        });
        return reread(trx, issueId);
      });
    },

    comment: async (issueId: number, body: string, actor: Actor) => {
      const at = deps.now();
      return deps.sql.transaction().execute(async (trx) => {
        const head = await issueHead(trx, issueId);
        if (!head) throw notFound("issue", issueId);
        await insertComment(trx, { issueId, authorId: actor.id, body, at });
        await touchIssue(trx, issueId, at);
        await recordEvent(trx, {
          projectId: head.projectId,
          imageId: head.imageId,
          kind: "commented",
          actorId: actor.id,
          subjectId: head.assigneeId,
          attempt: head.imageAttempt,
          revision: head.imageRevision,
          issueId,
          detail: { comment: body },
          at,
        });
        return reread(trx, issueId);
      });
    },
  };
};
