import { sql } from "kysely";
import type { Db } from "../../db/database.js";
import type { Executor } from "../../db/executor.js";
import { recordEvent, recordEvents } from "../review/events-repo.js";

/**
 * The one home of "an image's annotations changed": its revision (which every save's conflict
 * check compares), its annotation count (kept exact so nothing counts shapes to list or sort) and
 * the step of its status from `new` to `in_progress` once it holds anything. Every writer of
 * annotations or tags (annotations, labels, imports) calls these, inside its own transaction, with
 * that transaction as the executor.
 */

/** The revision a save must name to be applied (undefined for an unknown image). */
export const revisionOf = async (ex: Executor, imageId: number): Promise<number | undefined> =>
  (await ex.selectFrom("images").select("revision").where("id", "=", imageId).executeTakeFirst())?.revision;

/**
 * A save's revision check and step in one statement: the image moves from `baseRevision` to the
 * next revision, or nothing happens (another save won, or the image is gone) and the answer is
 * undefined. Atomic with several processes on PostgreSQL: the UPDATE locks the image row until the
 * transaction ends, and a concurrent save with the same base waits for it, then finds the revision
 * moved and changes nothing. Call it first in the save's transaction, before reading the stored
 * set, so that set is read under the lock; the save's other writes follow and `saved` ends it.
 */
export const claimRevision = async (
  ex: Executor,
  imageId: number,
  baseRevision: number,
): Promise<number | undefined> =>
  (
    await ex
      .updateTable("images")
      .set({ revision: sql<number>`revision + 1` })
      .where("id", "=", imageId)
      .where("revision", "=", baseRevision)
      .returning("revision")
      .executeTakeFirst()
  )?.revision;

/**
 * After a save (whose revision `claimRevision` moved) replaced or patched the image's shapes or
 * tags: `count` shapes and `tags` tags now; 'new' becomes 'in_progress' once it holds anything.
 * A reviewer's acceptance no longer covers what is stored now (issue 15): where the project says
 * so (returnOnEdit) an accepted image goes back to review (`pending`, event `returned_by_edit`
 * by `actorId`); otherwise the decision is only stale (decided_revision < revision, seen when read).
 */
export const saved = async (
  ex: Executor,
  imageId: number,
  count: number,
  tags: number,
  now: string,
  actorId: number | null = null,
) => {
  const image = await ex
    .updateTable("images")
    .set({ annotation_count: count, updated_at: now })
    .$if(count + tags > 0, (q) =>
      q.set({ status: sql<string>`CASE WHEN status = 'new' THEN 'in_progress' ELSE status END` }),
    )
    .where("id", "=", imageId)
    .returning(["project_id", "attempt", "revision"])
    .executeTakeFirst();
  const returned = await ex
    .updateTable("images")
    .set({ review_state: "pending" })
    .where("id", "=", imageId)
    .where("review_state", "=", "accepted")
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("projects as p")
          .select("p.id")
          .whereRef("p.id", "=", "images.project_id")
          .where("p.return_on_edit", "=", 1),
      ),
    )
    .returning(["project_id", "attempt", "revision", "submitted_by", "decided_revision"])
    .executeTakeFirst();
  if (returned)
    await recordEvent(ex, {
      projectId: returned.project_id,
      imageId,
      kind: "returned_by_edit",
      actorId,
      subjectId: returned.submitted_by,
      attempt: returned.attempt,
      revision: returned.revision,
      detail: { decidedRevision: returned.decided_revision },
      at: now,
    });
  // After the return to review, so the edit that caused it and those following it are one line.
  if (image && actorId !== null) await savedBy(ex, imageId, image, actorId, now);
};

/**
 * Who annotated, for the image's history: a run of saves by one person within one attempt is one
 * `saved` event, its revision moved to the latest and its detail counting the saves from the first
 * revision, so an autosaving editor adds one line to the timeline, not one per second.
 */
const savedBy = async (
  ex: Executor,
  imageId: number,
  image: { project_id: number; attempt: number; revision: number },
  actorId: number,
  now: string,
) => {
  const last = await ex
    .selectFrom("review_events")
    .select(["id", "kind", "actor_id", "attempt", "detail"])
    .where("image_id", "=", imageId)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (last && last.kind === "saved" && last.actor_id === actorId && last.attempt === image.attempt) {
    const detail = JSON.parse(last.detail) as { fromRevision?: number; saves?: number };
    await ex
      .updateTable("review_events")
      .set({
        revision: image.revision,
        detail: JSON.stringify({
          fromRevision: detail.fromRevision ?? image.revision,
          saves: (detail.saves ?? 1) + 1,
        }),
        created_at: now,
      })
      .where("id", "=", last.id)
      .execute();
    return;
  }
  await recordEvent(ex, {
    projectId: image.project_id,
    imageId,
    kind: "saved",
    actorId,
    subjectId: actorId,
    attempt: image.attempt,
    revision: image.revision,
    detail: { fromRevision: image.revision, saves: 1 },
    at: now,
  });
};

/**
 * Before a label's shapes and tags are reassigned or deleted: every image using it gets a new
 * revision, so an editor holding the old set gets a 409 instead of writing it back.
 */
export const labelChanging = async (ex: Executor, labelId: number, now: string) => {
  await ex
    .updateTable("images")
    .set({ revision: sql<number>`revision + 1`, updated_at: now })
    .where("id", "in", (eb) =>
      eb
        .selectFrom("annotations")
        .select("image_id")
        .where("label_id", "=", labelId)
        .union(eb.selectFrom("image_tags").select("image_id").where("label_id", "=", labelId)),
    )
    .execute();
};

/** Before a label's shapes are deleted: the counts of the images holding them drop by as many. */
export const labelShapesDeleting = async (ex: Executor, labelId: number) => {
  await ex
    .updateTable("images")
    .set((eb) => ({
      annotation_count: eb(
        "annotation_count",
        "-",
        eb
          .selectFrom("annotations as a")
          .select((e) => e.fn.countAll<number>().as("n"))
          .whereRef("a.image_id", "=", "images.id")
          .where("a.label_id", "=", labelId),
      ),
    }))
    .where("id", "in", (eb) =>
      eb.selectFrom("annotations").select("image_id").where("label_id", "=", labelId),
    )
    .execute();
};

/**
 * After a step of the synchronous SQLite publish (imports/import-repo.ts runs its steps in a
 * better-sqlite3 transaction on the same handle). Build it once temp.import_chunk exists on the
 * connection, as the statement is prepared here.
 */
export const sqliteImportedChunk = (db: Db) => {
  const chunk = db.prepare(
    `UPDATE main.images SET revision = revision + 1, annotation_count = c.count, updated_at = @now,
       status = CASE WHEN status = 'new' AND (c.count > 0 OR EXISTS (SELECT 1 FROM main.image_tags t WHERE t.image_id = images.id))
         THEN 'in_progress' ELSE status END
     FROM temp.import_chunk c WHERE images.id = c.image_id`,
  );
  return (now: string) => chunk.run({ now });
};

/**
 * After an import step (PostgreSQL publishing, imports/pg-publish-repo.ts) wrote these images'
 * annotations and tags: the same as `sqliteImportedChunk`, with each image's count as the step
 * knows it (what it wrote, plus what an append kept) instead of counting the image's rows again:
 * with 12 indexes to update per image, that counting made half of this statement's time. Runs on
 * the step's transaction.
 */
export const importedImages = async (
  ex: Executor,
  images: readonly { id: number; count: number }[],
  now: string,
) => {
  if (images.length === 0) return;
  await sql`
    UPDATE images AS i SET revision = i.revision + 1, annotation_count = v.count, updated_at = ${now},
      status = CASE WHEN i.status = 'new' AND (v.count > 0 OR EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = i.id))
        THEN 'in_progress' ELSE i.status END
    FROM unnest(${images.map((r) => r.id)}::bigint[], ${images.map((r) => r.count)}::bigint[]) AS v(id, count)
    WHERE i.id = v.id`.execute(ex);
};

/**
 * A bulk tag change (the library's bulk actions, issue 18) on many images at once, in the caller's
 * transaction after it wrote the tags: each image moves to its next revision (an editor saving on
 * the old one gets the conflict and the current set), `new` becomes `in_progress` where the image
 * now holds something, and accepted images return to review where the project says so (one event
 * each), as `saved` does for one image. Set-based, a thousand ids a statement. Answers each image's
 * new revision.
 */
export const savedMany = async (
  ex: Executor,
  projectId: number,
  ids: readonly number[],
  now: string,
  actorId: number | null,
): Promise<Map<number, number>> => {
  const revisions = new Map<number, number>();
  const parts: number[][] = [];
  for (let i = 0; i < ids.length; i += 1000) parts.push(ids.slice(i, i + 1000));
  for (const part of parts)
    for (const r of await ex
      .updateTable("images")
      .set({
        revision: sql<number>`revision + 1`,
        updated_at: now,
        status: sql<string>`CASE WHEN status = 'new' AND (annotation_count > 0 OR EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = images.id)) THEN 'in_progress' ELSE status END`,
      })
      .where("id", "in", part)
      .returning(["id", "revision"])
      .execute())
      revisions.set(r.id, r.revision);
  const project = await ex
    .selectFrom("projects")
    .select("return_on_edit")
    .where("id", "=", projectId)
    .executeTakeFirst();
  if (project?.return_on_edit !== 1) return revisions;
  for (const part of parts) {
    const returned = await ex
      .updateTable("images")
      .set({ review_state: "pending" })
      .where("id", "in", part)
      .where("review_state", "=", "accepted")
      .returning(["id", "attempt", "revision", "submitted_by", "decided_revision"])
      .execute();
    await recordEvents(
      ex,
      returned.map((r) => ({
        projectId,
        imageId: r.id,
        kind: "returned_by_edit" as const,
        actorId,
        subjectId: r.submitted_by,
        attempt: r.attempt,
        revision: r.revision,
        detail: { decidedRevision: r.decided_revision },
        at: now,
      })),
    );
  }
  return revisions;
};
