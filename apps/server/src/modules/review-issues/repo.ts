import {
  type Geometry,
  type Issue,
  IssueAnchor,
  type IssueCategory,
  type IssueComment,
  type IssueSeverity,
  type IssueState,
} from "@labelbench/schema";
import type { Executor } from "../../db/executor.js";

/**
 * Issues pinned on images (review_issues) and their threads (review_comments). The images'
 * `unresolved_issues` counter is not written here: migration 0012's triggers follow every insert,
 * state change and delete of an issue, so it cannot drift from the rows.
 */

/** What raising an issue on an image needs to know about it. */
export interface IssueImage {
  id: number;
  projectId: number;
  width: number;
  height: number;
  attempt: number;
  revision: number;
  /** Whose work the image is: its last submitter, else whoever holds it now. */
  workerId: number | null;
}

export const issueImage = async (ex: Executor, imageId: number): Promise<IssueImage | null> => {
  const r = await ex
    .selectFrom("images")
    .select(["id", "project_id", "width", "height", "attempt", "revision", "submitted_by", "assignee_id"])
    .where("id", "=", imageId)
    .executeTakeFirst();
  return r
    ? {
        id: r.id,
        projectId: r.project_id,
        width: r.width,
        height: r.height,
        attempt: r.attempt,
        revision: r.revision,
        workerId: r.submitted_by ?? r.assignee_id,
      }
    : null;
};

/** The shape's geometry as stored now, or null when the image holds no shape with this id. */
export const shapeGeometry = async (ex: Executor, imageId: number, uid: string): Promise<Geometry | null> => {
  const r = await ex
    .selectFrom("annotations")
    .select("geometry")
    .where("image_id", "=", imageId)
    .where("uid", "=", uid)
    .executeTakeFirst();
  return r ? (JSON.parse(r.geometry) as Geometry) : null;
};

export interface NewIssue {
  projectId: number;
  imageId: number;
  anchor: IssueAnchor;
  category: IssueCategory;
  severity: IssueSeverity;
  attempt: number;
  authorId: number | null;
  assigneeId: number | null;
  at: string;
}

export const insertIssue = async (ex: Executor, i: NewIssue): Promise<number> =>
  (
    await ex
      .insertInto("review_issues")
      .values({
        project_id: i.projectId,
        image_id: i.imageId,
        annotation_uid: i.anchor.kind === "shape" ? i.anchor.annotationId : null,
        anchor: JSON.stringify(i.anchor),
        category: i.category,
        severity: i.severity,
        state: "open",
        attempt: i.attempt,
        author_id: i.authorId,
        assignee_id: i.assigneeId,
        created_at: i.at,
        updated_at: i.at,
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;

export const insertComment = async (
  ex: Executor,
  c: { issueId: number; authorId: number | null; body: string; at: string },
): Promise<void> => {
  await ex
    .insertInto("review_comments")
    .values({ issue_id: c.issueId, author_id: c.authorId, body: c.body, created_at: c.at })
    .execute();
};

/**
 * One step of an issue's state, taken only if it is in one of `from` now: a conditional UPDATE, so
 * two people acting on the same issue at once cannot both move it. True when it moved.
 */
export const moveIssue = async (
  ex: Executor,
  issueId: number,
  from: readonly IssueState[],
  to: IssueState,
  at: string,
): Promise<boolean> => {
  const r = await ex
    .updateTable("review_issues")
    .set({ state: to, updated_at: at })
    .where("id", "=", issueId)
    .where("state", "in", from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
};

/** A comment also marks the issue as touched, so lists sorted by activity see it. */
export const touchIssue = async (ex: Executor, issueId: number, at: string): Promise<void> => {
  await ex.updateTable("review_issues").set({ updated_at: at }).where("id", "=", issueId).execute();
};

/** An issue's row with its image's workflow position, for the checks before a step. */
export const issueHead = async (ex: Executor, issueId: number) => {
  const r = await ex
    .selectFrom("review_issues as i")
    .innerJoin("images as im", "im.id", "i.image_id")
    .select([
      "i.id",
      "i.project_id",
      "i.image_id",
      "i.state",
      "i.assignee_id",
      "im.attempt as image_attempt",
      "im.revision as image_revision",
    ])
    .where("i.id", "=", issueId)
    .executeTakeFirst();
  return r
    ? {
        id: r.id,
        projectId: r.project_id,
        imageId: r.image_id,
        state: r.state as IssueState,
        assigneeId: r.assignee_id,
        imageAttempt: r.image_attempt,
        imageRevision: r.image_revision,
      }
    : null;
};

type IssueRow = Omit<Issue, "comments"> & { fileName: string };

/** The issues' columns, `shapeGone` computed against the shapes stored now. */
const selectIssues = (ex: Executor) =>
  ex
    .selectFrom("review_issues as i")
    .innerJoin("images as im", "im.id", "i.image_id")
    .select((eb) => [
      "i.id",
      "i.project_id",
      "i.image_id",
      "i.annotation_uid",
      "i.anchor",
      "i.category",
      "i.severity",
      "i.state",
      "i.attempt",
      "i.author_id",
      "i.assignee_id",
      "i.created_at",
      "i.updated_at",
      "im.file_name",
      eb
        .exists(
          eb
            .selectFrom("annotations as a")
            .select("a.id")
            .whereRef("a.image_id", "=", "i.image_id")
            .whereRef("a.uid", "=", "i.annotation_uid"),
        )
        .as("shape_exists"),
    ]);

type SelectedIssue = Awaited<ReturnType<ReturnType<typeof selectIssues>["execute"]>>[number];

const toIssue = (r: SelectedIssue): IssueRow => ({
  id: r.id,
  projectId: r.project_id,
  imageId: r.image_id,
  anchor: IssueAnchor.parse(JSON.parse(r.anchor)),
  // SQLite answers EXISTS with 0/1, PostgreSQL with a boolean.
  shapeGone: r.annotation_uid !== null && !r.shape_exists,
  category: r.category as IssueCategory,
  severity: r.severity as IssueSeverity,
  state: r.state as IssueState,
  attempt: r.attempt,
  authorId: r.author_id,
  assigneeId: r.assignee_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  fileName: r.file_name,
});

/** The threads of these issues, oldest comment first, with each author's name. */
const commentsOf = async (
  ex: Executor,
  issueIds: readonly number[],
): Promise<Map<number, IssueComment[]>> => {
  const out = new Map<number, IssueComment[]>(issueIds.map((id) => [id, []]));
  if (issueIds.length === 0) return out;
  const rows = await ex
    .selectFrom("review_comments as c")
    .leftJoin("users as u", "u.id", "c.author_id")
    .select(["c.id", "c.issue_id", "c.author_id", "u.name as author_name", "c.body", "c.created_at"])
    .where("c.issue_id", "in", issueIds)
    .orderBy("c.issue_id")
    .orderBy("c.id")
    .execute();
  for (const r of rows)
    out.get(r.issue_id)?.push({
      id: r.id,
      issueId: r.issue_id,
      authorId: r.author_id,
      authorName: r.author_name,
      body: r.body,
      createdAt: r.created_at,
    });
  return out;
};

const withComments = async (ex: Executor, rows: SelectedIssue[]) => {
  const issues = rows.map(toIssue);
  const threads = await commentsOf(
    ex,
    issues.map((i) => i.id),
  );
  return issues.map((i) => ({ ...i, comments: threads.get(i.id) ?? [] }));
};

export const issueById = async (ex: Executor, issueId: number) => {
  const rows = await selectIssues(ex).where("i.id", "=", issueId).execute();
  return (await withComments(ex, rows))[0] ?? null;
};

/** Every issue of one image, in the order they were raised. */
export const issuesOfImage = async (ex: Executor, imageId: number) =>
  withComments(ex, await selectIssues(ex).where("i.image_id", "=", imageId).orderBy("i.id").execute());

export interface IssueFilter {
  states?: IssueState[] | undefined;
  assigneeId?: number | undefined;
  imageId?: number | undefined;
  /** Keyset: only issues with a greater id. */
  afterId?: number | undefined;
  limit: number;
}

/**
 * A page of a project's issues in the order they were raised (keyset on id, over the indexes
 * (project_id, state, id) and (project_id, assignee_id, state, id)).
 */
export const issuesOfProject = async (ex: Executor, projectId: number, f: IssueFilter) =>
  withComments(
    ex,
    await selectIssues(ex)
      .where("i.project_id", "=", projectId)
      .$if(f.states !== undefined, (q) => q.where("i.state", "in", f.states ?? []))
      .$if(f.assigneeId !== undefined, (q) => q.where("i.assignee_id", "=", f.assigneeId ?? 0))
      .$if(f.imageId !== undefined, (q) => q.where("i.image_id", "=", f.imageId ?? 0))
      .$if(f.afterId !== undefined, (q) => q.where("i.id", ">", f.afterId ?? 0))
      .orderBy("i.id")
      .limit(f.limit)
      .execute(),
  );

export const projectExists = async (ex: Executor, projectId: number): Promise<boolean> =>
  (await ex.selectFrom("projects").select("id").where("id", "=", projectId).executeTakeFirst()) !== undefined;
