import type { EventKind, ReviewEvent } from "@labelbench/schema";
import type { Executor } from "../../db/executor.js";

/**
 * The workflow's one log (review_events): every assignment, lease, submission, decision, issue
 * step and comment, written in the same transaction as the change it records. An image's timeline
 * and the annotators' numbers are read from it, so nothing is counted in a second place.
 */
export interface NewEvent {
  projectId: number;
  imageId: number;
  kind: EventKind;
  actorId: number | null;
  /** Whom it concerns: the assignee, the author whose work was judged. */
  subjectId: number | null;
  attempt: number;
  revision?: number | null;
  issueId?: number | null;
  detail?: Record<string, unknown>;
  at: string;
}

export const recordEvent = async (ex: Executor, e: NewEvent): Promise<void> => {
  await ex
    .insertInto("review_events")
    .values({
      project_id: e.projectId,
      image_id: e.imageId,
      kind: e.kind,
      actor_id: e.actorId,
      subject_id: e.subjectId,
      attempt: e.attempt,
      revision: e.revision ?? null,
      issue_id: e.issueId ?? null,
      detail: JSON.stringify(e.detail ?? {}),
      created_at: e.at,
    })
    .execute();
};

/** An image's timeline, oldest first, with each actor's name. */
export const eventsOfImage = async (ex: Executor, imageId: number): Promise<ReviewEvent[]> => {
  const rows = await ex
    .selectFrom("review_events as e")
    .leftJoin("users as u", "u.id", "e.actor_id")
    .select([
      "e.id",
      "e.image_id",
      "e.kind",
      "e.actor_id",
      "u.name as actor_name",
      "e.subject_id",
      "e.attempt",
      "e.revision",
      "e.issue_id",
      "e.detail",
      "e.created_at",
    ])
    .where("e.image_id", "=", imageId)
    .orderBy("e.id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    imageId: r.image_id,
    kind: r.kind as EventKind,
    actorId: r.actor_id,
    actorName: r.actor_name,
    subjectId: r.subject_id,
    attempt: r.attempt,
    revision: r.revision,
    issueId: r.issue_id,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    createdAt: r.created_at,
  }));
};

/** Many events in a few statements (an assignment of thousands of images), in the caller's transaction. */
export const recordEvents = async (ex: Executor, events: readonly NewEvent[]): Promise<void> => {
  // 10 values a row: 1,000 rows stay well under PostgreSQL's 65,535 parameters per statement.
  for (let i = 0; i < events.length; i += 1000)
    await ex
      .insertInto("review_events")
      .values(
        events.slice(i, i + 1000).map((e) => ({
          project_id: e.projectId,
          image_id: e.imageId,
          kind: e.kind,
          actor_id: e.actorId,
          subject_id: e.subjectId,
          attempt: e.attempt,
          revision: e.revision ?? null,
          issue_id: e.issueId ?? null,
          detail: JSON.stringify(e.detail ?? {}),
          created_at: e.at,
        })),
      )
      .execute();
};
