import type { ReviewMode, ReviewSettings } from "@labelbench/schema";
import { type ExpressionBuilder, sql } from "kysely";
import type { Dialect } from "../../db/connect.js";
import type { Executor } from "../../db/executor.js";
import type { Database } from "../../db/schema.js";
import type { WorkRow } from "./work.js";

/**
 * The workflow's SQL over images and projects (issue 15): settings, the work columns of an image,
 * the conditional UPDATEs every transition is made of (so two callers racing cannot both win:
 * a transition names the state it leaves, and the loser's UPDATE changes nothing), and the queue's
 * search for a free image. Rules live in work.ts and service.ts.
 */

export const WORK_COLUMNS = [
  "i.id",
  "i.project_id",
  "i.assignee_id",
  "i.assigned_via",
  "i.lease_until",
  "i.review_state",
  "i.attempt",
  "i.submitted_by",
  "i.submitted_at",
  "i.submitted_revision",
  "i.decision",
  "i.decided_by",
  "i.decided_at",
  "i.decided_revision",
  "i.revision",
  "i.unresolved_issues",
] as const;

export type ListedWorkRow = WorkRow & { file_name: string; annotation_count: number; name_key: string };

export const workRow = async (ex: Executor, imageId: number): Promise<WorkRow | undefined> =>
  ex.selectFrom("images as i").select(WORK_COLUMNS).where("i.id", "=", imageId).executeTakeFirst();

export const imageBasics = async (ex: Executor, imageId: number) =>
  ex
    .selectFrom("images")
    .select(["id", "project_id", "status", "file_name"])
    .where("id", "=", imageId)
    .executeTakeFirst();

export const settingsOf = async (ex: Executor, projectId: number): Promise<ReviewSettings | undefined> => {
  const r = await ex
    .selectFrom("projects")
    .select([
      "review_mode",
      "review_sample_percent",
      "review_seed",
      "work_queue",
      "lease_minutes",
      "return_on_edit",
    ])
    .where("id", "=", projectId)
    .executeTakeFirst();
  return (
    r && {
      mode: r.review_mode as ReviewMode,
      samplePercent: r.review_sample_percent,
      sampleSeed: r.review_seed,
      queue: r.work_queue === 1,
      leaseMinutes: r.lease_minutes,
      returnOnEdit: r.return_on_edit === 1,
    }
  );
};

export const saveSettings = async (ex: Executor, projectId: number, s: ReviewSettings, now: string) => {
  await ex
    .updateTable("projects")
    .set({
      review_mode: s.mode,
      review_sample_percent: s.samplePercent,
      review_seed: s.sampleSeed,
      work_queue: s.queue ? 1 : 0,
      lease_minutes: s.leaseMinutes,
      return_on_edit: s.returnOnEdit ? 1 : 0,
      updated_at: now,
    })
    .where("id", "=", projectId)
    .execute();
};

export const userName = async (ex: Executor, userId: number): Promise<string | undefined> =>
  (await ex.selectFrom("users").select("name").where("id", "=", userId).executeTakeFirst())?.name;

/** A project member's role, or undefined when the user is no member. */
export const memberRole = async (ex: Executor, projectId: number, userId: number) =>
  (
    await ex
      .selectFrom("project_members as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .select("u.role")
      .where("m.project_id", "=", projectId)
      .where("m.user_id", "=", userId)
      .executeTakeFirst()
  )?.role;

export const members = async (ex: Executor, projectId: number) =>
  ex
    .selectFrom("project_members as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["u.id", "u.name", "u.email", "u.role"])
    .where("m.project_id", "=", projectId)
    .orderBy("u.name")
    .orderBy("u.id")
    .execute();

/** A query over the images table alone, as `images as i`. */
type Images = ExpressionBuilder<Database & { i: Database["images"] }, "i">;

/** Nobody's: never assigned, or a queue lease that ran out. */
const freeOf = (eb: Images, now: string) =>
  eb.or([
    eb("assignee_id", "is", null),
    eb.and([
      eb("assigned_via", "=", "queue"),
      eb("lease_until", "is not", null),
      eb("lease_until", "<=", now),
    ]),
  ]);

// ---------------------------------------------------------------- distribution

/** The images among `ids` in the project, with what an assignment must know of them. */
export const assignTargets = async (ex: Executor, projectId: number, ids: readonly number[]) =>
  ids.length === 0
    ? []
    : ex
        .selectFrom("images as i")
        .select([...WORK_COLUMNS, "i.gold"])
        .where("i.project_id", "=", projectId)
        .where("i.id", "in", [...ids])
        .execute();

export interface AssignFilter {
  folder?: string | undefined;
  q?: string | undefined;
  status?: string | undefined;
  unassignedOnly: boolean;
}

/** The first `count` images matching the filter in the library's name order (assignable ones only). */
export const filterTargets = async (
  ex: Executor,
  dialect: Dialect,
  projectId: number,
  f: AssignFilter,
  count: number,
  now: string,
) =>
  ex
    .selectFrom("images as i")
    .select([...WORK_COLUMNS, "i.gold"])
    .where("i.project_id", "=", projectId)
    .where("i.review_state", "not in", ["pending", "accepted"])
    // Gold images are labelled through copies, never assigned (issue 16).
    .where("i.gold", "is", null)
    .$if(f.folder !== undefined && f.folder !== "", (q) =>
      q.where(sql<string>`substr(i.file_name, 1, ${(f.folder ?? "").length})`, "=", f.folder ?? ""),
    )
    .$if(f.q !== undefined && f.q !== "", (q) =>
      q.where((eb) => {
        const text = f.q ?? "";
        const folded = dialect === "postgres" ? text.replace(/[A-Z]/g, (c) => c.toLowerCase()) : text;
        const pattern = sql<string>`${`%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`;
        return dialect === "postgres"
          ? eb(eb.fn<string>("lower", ["i.file_name"]), "like", pattern)
          : eb("i.file_name", "like", pattern);
      }),
    )
    .$if(f.status !== undefined, (q) => q.where("i.status", "=", f.status ?? ""))
    .$if(f.unassignedOnly, (q) => q.where((eb) => freeOf(eb, now)))
    .orderBy("i.name_key")
    .orderBy("i.id")
    .limit(count)
    .execute();

export const setAssignee = async (ex: Executor, ids: readonly number[], assigneeId: number | null) => {
  for (let i = 0; i < ids.length; i += 1000)
    await ex
      .updateTable("images")
      .set({
        assignee_id: assigneeId,
        assigned_via: assigneeId === null ? null : "manager",
        lease_until: null,
      })
      .where("id", "in", ids.slice(i, i + 1000))
      .where("review_state", "not in", ["pending", "accepted"])
      .execute();
};

// ---------------------------------------------------------------- the queue

/** The caller's next own image of one kind, in name order. */
export const nextOwn = async (
  ex: Executor,
  projectId: number,
  userId: number,
  via: "rework" | "manager" | "queue",
  now: string,
): Promise<WorkRow | undefined> =>
  ex
    .selectFrom("images as i")
    .select(WORK_COLUMNS)
    .where("i.project_id", "=", projectId)
    .where("i.assignee_id", "=", userId)
    .where("i.assigned_via", "=", via)
    .where("i.review_state", "=", via === "rework" ? "rejected" : "none")
    .$if(via === "queue", (q) => q.where("i.lease_until", ">", now))
    .orderBy("i.name_key")
    .orderBy("i.id")
    .limit(1)
    .executeTakeFirst();

/**
 * A free image to lease (never submitted, new or in progress, nobody's or its lease ran out), first
 * in name order. PostgreSQL: the row is locked (FOR UPDATE) and rows other transactions hold are
 * skipped (SKIP LOCKED), so concurrent callers each get another image without waiting; SQLite: the
 * write transaction (BEGIN IMMEDIATE) already serialises them.
 */
export const findFree = async (ex: Executor, dialect: Dialect, projectId: number, now: string) =>
  ex
    .selectFrom("images as i")
    .select(["i.id", "i.assignee_id", "i.attempt", "i.lease_until"])
    .where("i.project_id", "=", projectId)
    .where("i.review_state", "=", "none")
    .where("i.status", "in", ["new", "in_progress"])
    .where("i.gold", "is", null)
    .where((eb) => freeOf(eb, now))
    .orderBy("i.name_key")
    .orderBy("i.id")
    .limit(1)
    .$if(dialect === "postgres", (q) => q.forUpdate().skipLocked())
    .executeTakeFirst();

/** Takes a free image under a lease; false when it stopped being free meanwhile. */
export const lease = async (ex: Executor, imageId: number, userId: number, until: string, now: string) =>
  (
    await ex
      .updateTable("images as i")
      .set({ assignee_id: userId, assigned_via: "queue", lease_until: until })
      .where("i.id", "=", imageId)
      .where("i.review_state", "=", "none")
      .where((eb) => freeOf(eb, now))
      .executeTakeFirst()
  ).numUpdatedRows > 0n;

/** Renews the lease `userId` holds (or held, when nobody took it since). */
export const renewLease = async (ex: Executor, imageId: number, userId: number, until: string) => {
  await ex
    .updateTable("images")
    .set({ lease_until: until })
    .where("id", "=", imageId)
    .where("assignee_id", "=", userId)
    .where("assigned_via", "=", "queue")
    .where("review_state", "=", "none")
    .execute();
};

export const releaseLease = async (ex: Executor, imageId: number, userId: number) =>
  (
    await ex
      .updateTable("images")
      .set({ assignee_id: null, assigned_via: null, lease_until: null })
      .where("id", "=", imageId)
      .where("assignee_id", "=", userId)
      .where("assigned_via", "=", "queue")
      .where("review_state", "=", "none")
      .executeTakeFirst()
  ).numUpdatedRows > 0n;

// ---------------------------------------------------------------- submit and decide

export const openIssueCount = async (ex: Executor, imageId: number): Promise<number> =>
  Number(
    (
      await ex
        .selectFrom("review_issues")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("image_id", "=", imageId)
        .where("state", "=", "open")
        .executeTakeFirstOrThrow()
    ).n,
  );

/** What a transition expects to find: it changes the row only if it still is so. */
interface Expected {
  revision: number;
  reviewState: string;
  attempt: number;
}

export const submit = async (
  ex: Executor,
  imageId: number,
  expected: Expected,
  next: { reviewState: string; userId: number; actor: string; now: string },
) =>
  (
    await ex
      .updateTable("images")
      .set({
        attempt: expected.attempt + 1,
        submitted_by: next.userId,
        submitted_at: next.now,
        submitted_revision: expected.revision,
        review_state: next.reviewState,
        status: "done",
        status_updated_by: next.actor,
        // The author stays the assignee; a queue lease ends.
        lease_until: null,
      })
      .where("id", "=", imageId)
      .where("revision", "=", expected.revision)
      .where("review_state", "=", expected.reviewState)
      .where("attempt", "=", expected.attempt)
      .executeTakeFirst()
  ).numUpdatedRows > 0n;

/**
 * A decision in one conditional UPDATE: only from a decidable state (pending, unreviewed, or a stale
 * acceptance) and at `revision`. Two reviewers racing: the first changes the row, the second's
 * condition no longer holds (PostgreSQL re-checks it on the row the first committed), so it
 * changes nothing and learns it lost.
 */
export const decide = async (
  ex: Executor,
  imageId: number,
  revision: number,
  d: { decision: string; reviewerId: number; actor: string; now: string; submittedBy: number | null },
) => {
  const rejected = d.decision === "rejected";
  return (
    (
      await ex
        .updateTable("images")
        .set({
          review_state: rejected ? "rejected" : "accepted",
          status: rejected ? "in_progress" : "done",
          status_updated_by: d.actor,
          decision: d.decision,
          decided_by: d.reviewerId,
          decided_at: d.now,
          decided_revision: revision,
          // A rejection goes back to its author as rework.
          ...(rejected
            ? {
                assignee_id: d.submittedBy,
                assigned_via: d.submittedBy === null ? null : "rework",
                lease_until: null,
              }
            : {}),
        })
        .where("id", "=", imageId)
        .where("revision", "=", revision)
        .where((eb) =>
          eb.or([
            eb("review_state", "in", ["pending", "unreviewed"]),
            eb.and([
              eb("review_state", "=", "accepted"),
              eb("decided_revision", "is not", null),
              eb("decided_revision", "<", eb.ref("revision")),
            ]),
          ]),
        )
        .executeTakeFirst()
    ).numUpdatedRows > 0n
  );
};

/**
 * An audit overturns an acceptance: the image goes back to its author as a rejection does, only
 * while the acceptance audited still stands (accepted, by the decision made at `decidedAt`).
 */
export const overturn = async (
  ex: Executor,
  imageId: number,
  decidedAt: string,
  d: { auditorId: number; actor: string; now: string; submittedBy: number | null },
) =>
  (
    await ex
      .updateTable("images")
      .set((eb) => ({
        review_state: "rejected",
        status: "in_progress",
        status_updated_by: d.actor,
        decision: "rejected",
        decided_by: d.auditorId,
        decided_at: d.now,
        decided_revision: eb.ref("revision"),
        assignee_id: d.submittedBy,
        assigned_via: d.submittedBy === null ? null : "rework",
        lease_until: null,
      }))
      .where("id", "=", imageId)
      .where("review_state", "=", "accepted")
      .where("decided_at", "=", decidedAt)
      .executeTakeFirst()
  ).numUpdatedRows > 0n;

/** Every issue of the image not yet resolved becomes resolved; how many. */
export const resolveAllIssues = async (ex: Executor, imageId: number, now: string): Promise<number> =>
  Number(
    (
      await ex
        .updateTable("review_issues")
        .set({ state: "resolved", updated_at: now })
        .where("image_id", "=", imageId)
        .where("state", "<>", "resolved")
        .executeTakeFirst()
    ).numUpdatedRows,
  );

export interface BaselineShape {
  id: string;
  labelId: number;
  geometry: string;
}

/** The image's shapes (geometry as stored JSON) and tags now. */
export const currentShapes = async (ex: Executor, imageId: number) => {
  const shapes = await ex
    .selectFrom("annotations")
    .select(["uid as id", "label_id as labelId", "geometry"])
    .where("image_id", "=", imageId)
    .orderBy("position")
    .execute();
  const tags = (
    await ex
      .selectFrom("image_tags")
      .select("label_id")
      .where("image_id", "=", imageId)
      .orderBy("label_id")
      .execute()
  ).map((t) => t.label_id);
  return { shapes: shapes as BaselineShape[], tags };
};

export const writeBaseline = async (
  ex: Executor,
  b: {
    imageId: number;
    revision: number;
    attempt: number;
    shapes: BaselineShape[];
    tags: number[];
    now: string;
  },
) => {
  const row = {
    image_id: b.imageId,
    revision: b.revision,
    attempt: b.attempt,
    shapes: JSON.stringify(
      b.shapes.map((s) => ({ id: s.id, labelId: s.labelId, geometry: JSON.parse(s.geometry) })),
    ),
    tags: JSON.stringify(b.tags),
    created_at: b.now,
  };
  await ex
    .insertInto("review_baselines")
    .values(row)
    .onConflict((oc) =>
      oc.column("image_id").doUpdateSet({
        revision: row.revision,
        attempt: row.attempt,
        shapes: row.shapes,
        tags: row.tags,
        created_at: row.created_at,
      }),
    )
    .execute();
};

export const baselineOf = async (ex: Executor, imageId: number) =>
  ex
    .selectFrom("review_baselines")
    .select(["revision", "shapes", "tags"])
    .where("image_id", "=", imageId)
    .executeTakeFirst();

// ---------------------------------------------------------------- lists

export type QueueState = "pending" | "accepted" | "rejected" | "unreviewed" | "stale";

export interface QueueFilter {
  state: QueueState;
  annotatorId?: number | undefined;
  labelId?: number | undefined;
  submittedSince?: string | undefined;
  openIssues?: boolean | undefined;
  attempt?: number | undefined;
  after?: { submittedAt: string; id: number } | undefined;
  limit: number;
}

/**
 * One page of the review queue: one review state, oldest submission first, a range scan of
 * images_project_review (project, state, submitted_at, id) from the cursor on, whatever the depth.
 */
export const reviewQueuePage = async (ex: Executor, projectId: number, f: QueueFilter) =>
  reviewQueueQuery(ex, projectId, f).execute();

/** The review queue's page query, unexecuted (its plan is checked in queue-plan.test.ts). */
export const reviewQueueQuery = (ex: Executor, projectId: number, f: QueueFilter) =>
  ex
    .selectFrom("images as i")
    .select([...WORK_COLUMNS, "i.file_name", "i.annotation_count", "i.name_key"])
    .where("i.project_id", "=", projectId)
    .where("i.review_state", "=", f.state === "stale" ? "accepted" : f.state)
    .$if(f.state === "stale", (q) =>
      q
        .where("i.decided_revision", "is not", null)
        .where((eb) => eb("i.decided_revision", "<", eb.ref("i.revision"))),
    )
    .where("i.submitted_at", "is not", null)
    .$if(f.after !== undefined, (q) =>
      q.where((eb) =>
        eb(
          eb.refTuple("i.submitted_at", "i.id"),
          ">",
          eb.tuple(f.after?.submittedAt ?? "", f.after?.id ?? 0),
        ),
      ),
    )
    .$if(f.annotatorId !== undefined, (q) => q.where("i.submitted_by", "=", f.annotatorId ?? 0))
    .$if(f.submittedSince !== undefined, (q) => q.where("i.submitted_at", ">=", f.submittedSince ?? ""))
    .$if(f.openIssues !== undefined, (q) => q.where("i.unresolved_issues", f.openIssues ? ">" : "=", 0))
    .$if(f.attempt !== undefined, (q) => q.where("i.attempt", "=", f.attempt ?? 0))
    .$if(f.labelId !== undefined, (q) =>
      q.where((eb) =>
        eb.or([
          eb.exists(
            eb
              .selectFrom("annotations as a")
              .select("a.id")
              .whereRef("a.image_id", "=", "i.id")
              .where("a.label_id", "=", f.labelId ?? 0),
          ),
          eb.exists(
            eb
              .selectFrom("image_tags as t")
              .select("t.image_id")
              .whereRef("t.image_id", "=", "i.id")
              .where("t.label_id", "=", f.labelId ?? 0),
          ),
        ]),
      ),
    )
    .orderBy("i.submitted_at")
    .orderBy("i.id")
    .limit(f.limit + 1);

/** How many images are in a review state (the queue's total, before its other filters). */
export const queueTotal = async (ex: Executor, projectId: number, state: QueueState): Promise<number> =>
  Number(
    (
      await ex
        .selectFrom("images as i")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("i.project_id", "=", projectId)
        .where("i.review_state", "=", state === "stale" ? "accepted" : state)
        .$if(state === "stale", (q) =>
          q
            .where("i.decided_revision", "is not", null)
            .where((eb) => eb("i.decided_revision", "<", eb.ref("i.revision"))),
        )
        .executeTakeFirstOrThrow()
    ).n,
  );

export type MineState = "todo" | "submitted" | "accepted" | "rejected" | "all";

/** The caller's own images of one kind, in name order from the cursor on. */
export const myWorkPage = async (
  ex: Executor,
  projectId: number,
  userId: number,
  state: MineState,
  now: string,
  after: { nameKey: string; id: number } | undefined,
  limit: number,
): Promise<ListedWorkRow[]> =>
  ex
    .selectFrom("images as i")
    .select([...WORK_COLUMNS, "i.file_name", "i.annotation_count", "i.name_key"])
    .where("i.project_id", "=", projectId)
    .where((eb) => {
      const todo = eb.and([
        eb("i.assignee_id", "=", userId),
        eb("i.review_state", "in", ["none", "rejected"]),
        eb.or([
          eb("i.assigned_via", "<>", "queue"),
          eb("i.lease_until", "is", null),
          eb("i.lease_until", ">", now),
        ]),
      ]);
      const mine = (states: string[]) =>
        eb.and([eb("i.submitted_by", "=", userId), eb("i.review_state", "in", states)]);
      // The caller's copies (issue 16): open ones are to do, submitted ones submitted.
      const copy = (states: string[]) =>
        eb.exists(
          eb
            .selectFrom("image_copies as c")
            .select("c.id")
            .whereRef("c.image_id", "=", "i.id")
            .where("c.user_id", "=", userId)
            .where("c.state", "in", states),
        );
      switch (state) {
        case "todo":
          return eb.or([todo, copy(["open"])]);
        case "submitted":
          return eb.or([mine(["pending", "unreviewed"]), copy(["submitted"])]);
        case "accepted":
          return mine(["accepted"]);
        case "rejected":
          return mine(["rejected"]);
        case "all":
          return eb.or([todo, eb("i.submitted_by", "=", userId), copy(["open", "submitted"])]);
      }
    })
    .$if(after !== undefined, (q) =>
      q.where((eb) =>
        eb(eb.refTuple("i.name_key", "i.id"), ">", eb.tuple(after?.nameKey ?? "", after?.id ?? 0)),
      ),
    )
    .orderBy("i.name_key")
    .orderBy("i.id")
    .limit(limit + 1)
    .execute();

/** The caller's counts: assignments and rework to do, submissions waiting, accepted, rejections received. */
export const myCounts = async (ex: Executor, projectId: number, userId: number, now: string) => {
  const rows = await ex
    .selectFrom("images as i")
    .select((eb) => [
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(
              eb.and([
                eb("i.assignee_id", "=", userId),
                eb("i.review_state", "=", "none"),
                eb.or([eb("i.assigned_via", "<>", "queue"), eb("i.lease_until", ">", now)]),
              ]),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as("assigned"),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.and([eb("i.assignee_id", "=", userId), eb("i.review_state", "=", "rejected")]))
            .then(1)
            .else(0)
            .end(),
        )
        .as("rework"),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(
              eb.and([
                eb("i.submitted_by", "=", userId),
                eb("i.review_state", "in", ["pending", "unreviewed"]),
              ]),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as("submitted"),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.and([eb("i.submitted_by", "=", userId), eb("i.review_state", "=", "accepted")]))
            .then(1)
            .else(0)
            .end(),
        )
        .as("accepted"),
    ])
    .where("i.project_id", "=", projectId)
    .where((eb) => eb.or([eb("i.assignee_id", "=", userId), eb("i.submitted_by", "=", userId)]))
    .executeTakeFirstOrThrow();
  const rejected = await ex
    .selectFrom("review_events")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("project_id", "=", projectId)
    .where("subject_id", "=", userId)
    .where("kind", "=", "rejected")
    .executeTakeFirstOrThrow();
  return {
    assigned: Number(rows.assigned ?? 0),
    rework: Number(rows.rework ?? 0),
    submitted: Number(rows.submitted ?? 0),
    accepted: Number(rows.accepted ?? 0),
    rejected: Number(rejected.n),
  };
};

// ---------------------------------------------------------------- people

export const addActivity = async (
  ex: Executor,
  a: { projectId: number; userId: number; imageId: number; day: string; seconds: number },
) => {
  await ex
    .insertInto("editor_activity")
    .values({
      project_id: a.projectId,
      user_id: a.userId,
      image_id: a.imageId,
      day: a.day,
      seconds: a.seconds,
    })
    .onConflict((oc) =>
      oc
        .columns(["user_id", "image_id", "day"])
        .doUpdateSet((eb) => ({ seconds: eb("editor_activity.seconds", "+", eb.ref("excluded.seconds")) })),
    )
    .execute();
};

/** The numbers behind AnnotatorStats, per user id, for one project. */
export const statsOf = async (ex: Executor, projectId: number, now: string) => {
  const decisions = await ex
    .selectFrom("review_events")
    .select((eb) => [
      "subject_id",
      "kind",
      eb.fn.countAll<number>().as("n"),
      eb.fn.sum<number>(eb.case().when("attempt", "=", 1).then(1).else(0).end()).as("first"),
    ])
    .where("project_id", "=", projectId)
    .where("kind", "in", ["accepted", "fixed", "rejected"])
    .groupBy(["subject_id", "kind"])
    .execute();
  const submitted = await ex
    .selectFrom("review_events")
    .select((eb) => ["actor_id", eb.fn.count<number>("image_id").distinct().as("n")])
    .where("project_id", "=", projectId)
    .where("kind", "=", "submitted")
    .groupBy("actor_id")
    .execute();
  const assigned = await ex
    .selectFrom("images")
    .select((eb) => ["assignee_id", eb.fn.countAll<number>().as("n")])
    .where("project_id", "=", projectId)
    .where("assignee_id", "is not", null)
    .where("review_state", "in", ["none", "rejected"])
    .where((eb) => eb.or([eb("assigned_via", "<>", "queue"), eb("lease_until", ">", now)]))
    .groupBy("assignee_id")
    .execute();
  const objects = await ex
    .selectFrom("annotations as a")
    .innerJoin("images as i", "i.id", "a.image_id")
    .select((eb) => ["a.created_by", eb.fn.countAll<number>().as("n")])
    .where("i.project_id", "=", projectId)
    .groupBy("a.created_by")
    .execute();
  const active = await ex
    .selectFrom("editor_activity")
    .select((eb) => ["user_id", eb.fn.sum<number>("seconds").as("n")])
    .where("project_id", "=", projectId)
    .groupBy("user_id")
    .execute();
  const issues = await ex
    .selectFrom("review_issues")
    .select((eb) => ["assignee_id", eb.fn.countAll<number>().as("n")])
    .where("project_id", "=", projectId)
    .where("state", "=", "open")
    .groupBy("assignee_id")
    .execute();
  return { decisions, submitted, assigned, objects, active, issues };
};
