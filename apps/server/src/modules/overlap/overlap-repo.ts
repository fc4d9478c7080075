import type { Dialect } from "../../db/connect.js";
import type { Executor } from "../../db/executor.js";

/**
 * The SQL of blind overlap (issue 16): the project's overlap settings, the images in overlap (those
 * with copies of purpose 'overlap'), the caller's place in them, and the merged image entering review.
 * Rules live in overlap.ts.
 */

/** k, the share of images in overlap, the quorum and the match preset; the review seed draws the sample. */
export const overlapSettingsOf = async (ex: Executor, projectId: number) => {
  const r = await ex
    .selectFrom("projects as p")
    .leftJoin("project_quality as q", "q.project_id", "p.id")
    .select(["p.review_seed", "q.overlap", "q.overlap_percent", "q.consensus_quorum", "q.match_preset"])
    .where("p.id", "=", projectId)
    .executeTakeFirst();
  return (
    r && {
      seed: r.review_seed,
      k: r.overlap ?? 1,
      percent: r.overlap_percent ?? 100,
      quorum: r.consensus_quorum ?? 0.5,
      preset: r.match_preset ?? "default",
    }
  );
};

/**
 * The image row, locked until the transaction ends on PostgreSQL (SQLite's write transaction already
 * runs alone): the joins of its last overlap slot and the merge after its last submission take turns.
 */
export const lockImage = async (ex: Executor, dialect: Dialect, imageId: number) =>
  ex
    .selectFrom("images")
    .select(["id", "project_id", "review_state", "revision", "width", "height", "gold", "attempt"])
    .where("id", "=", imageId)
    .$if(dialect === "postgres", (q) => q.forUpdate())
    .executeTakeFirst();

/** The caller's open overlap copy in the project (their work in progress), first by image name. */
export const ownOpenOverlap = async (ex: Executor, projectId: number, userId: number) =>
  (
    await ex
      .selectFrom("image_copies as c")
      .innerJoin("images as i", "i.id", "c.image_id")
      .select("c.image_id")
      .where("i.project_id", "=", projectId)
      .where("c.user_id", "=", userId)
      .where("c.purpose", "=", "overlap")
      .where("c.state", "=", "open")
      .orderBy("i.name_key")
      .orderBy("i.id")
      .limit(1)
      .executeTakeFirst()
  )?.image_id;

/**
 * Images already in overlap, not merged yet, holding fewer than `k` overlap copies and none of the
 * caller's: the ones a next annotator joins, first by name. Read without locks; each is locked and
 * counted again before it is joined.
 */
export const joinableImages = async (
  ex: Executor,
  projectId: number,
  userId: number,
  k: number,
  limit = 20,
) =>
  (
    await ex
      .selectFrom("image_copies as c")
      .innerJoin("images as i", "i.id", "c.image_id")
      .select(["i.id", "i.name_key"])
      .where("i.project_id", "=", projectId)
      .where("i.review_state", "=", "none")
      .where("c.purpose", "=", "overlap")
      .groupBy(["i.id", "i.name_key"])
      .having((eb) => eb.fn.countAll(), "<", k)
      .having((eb) => eb.fn.sum(eb.case().when("c.user_id", "=", userId).then(1).else(0).end()), "=", 0)
      .orderBy("i.name_key")
      .orderBy("i.id")
      .limit(limit)
      .execute()
  ).map((r) => r.id);

/** The image's overlap copies: who holds one, and whether it is submitted. */
export const overlapCopies = async (ex: Executor, imageId: number) =>
  ex
    .selectFrom("image_copies")
    .select(["user_id", "state", "shapes", "tags", "revision", "submitted_at"])
    .where("image_id", "=", imageId)
    .where("purpose", "=", "overlap")
    .orderBy("user_id")
    .execute();

/**
 * The merged image enters review: pending whatever the review policy (a merge always has a reviewer
 * look), submitted by nobody (the system), at the merge's revision; only while it is still unmerged.
 */
export const submitMerged = async (
  ex: Executor,
  imageId: number,
  m: { revision: number; attempt: number; now: string },
): Promise<boolean> =>
  (
    await ex
      .updateTable("images")
      .set({
        attempt: m.attempt + 1,
        submitted_by: null,
        submitted_at: m.now,
        submitted_revision: m.revision,
        review_state: "pending",
        status: "done",
        status_updated_by: null,
        assignee_id: null,
        assigned_via: null,
        lease_until: null,
      })
      .where("id", "=", imageId)
      .where("review_state", "=", "none")
      .where("revision", "=", m.revision)
      .executeTakeFirst()
  ).numUpdatedRows > 0n;

/** The names of the project's labels, for the issues' words. */
export const labelNames = async (ex: Executor, projectId: number) =>
  new Map(
    (await ex.selectFrom("labels").select(["id", "name"]).where("project_id", "=", projectId).execute()).map(
      (l) => [l.id, l.name],
    ),
  );

/** Whether annotators hold overlap copies of the image (it is labelled blind, not on the image itself). */
export const inOverlap = async (ex: Executor, imageId: number): Promise<boolean> =>
  (await ex
    .selectFrom("image_copies")
    .select("id")
    .where("image_id", "=", imageId)
    .where("purpose", "=", "overlap")
    .limit(1)
    .executeTakeFirst()) !== undefined;
