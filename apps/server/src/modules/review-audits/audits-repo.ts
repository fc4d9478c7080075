import type { Audit, AuditState, RejectReason } from "@labelbench/schema";
import type { Executor } from "../../db/executor.js";

/**
 * Audits of accepted images (review_audits, migration 0015): the sample's rows, the verdict as one
 * conditional UPDATE (two auditors racing: the first closes the audit, the second changes
 * nothing), the queue's pages and each reviewer's counts. Rules live in service.ts.
 */

const AUDIT_COLUMNS = [
  "a.id",
  "a.project_id",
  "a.image_id",
  "i.file_name",
  "a.reviewer_id",
  "a.decision",
  "a.decided_at",
  "a.decided_revision",
  "a.state",
  "a.auditor_id",
  "a.reasons",
  "a.comment",
  "a.created_at",
  "a.audited_at",
] as const;

interface AuditRow {
  id: number;
  project_id: number;
  image_id: number;
  file_name: string;
  reviewer_id: number | null;
  decision: string;
  decided_at: string;
  decided_revision: number;
  state: string;
  auditor_id: number | null;
  reasons: string;
  comment: string;
  created_at: string;
  audited_at: string | null;
}

const toAudit = (r: AuditRow): Audit => ({
  id: r.id,
  projectId: r.project_id,
  imageId: r.image_id,
  fileName: r.file_name,
  reviewerId: r.reviewer_id,
  decision: r.decision as Audit["decision"],
  decidedAt: r.decided_at,
  decidedRevision: r.decided_revision,
  state: r.state as AuditState,
  auditorId: r.auditor_id,
  reasons: JSON.parse(r.reasons) as RejectReason[],
  comment: r.comment,
  createdAt: r.created_at,
  auditedAt: r.audited_at,
});

const selectAudits = (ex: Executor) =>
  ex.selectFrom("review_audits as a").innerJoin("images as i", "i.id", "a.image_id").select(AUDIT_COLUMNS);

/** The project's share of accepted images audited (0 without a quality settings row) and its seed. */
export const auditSampleOf = async (ex: Executor, projectId: number) => {
  const r = await ex
    .selectFrom("projects as p")
    .leftJoin("project_quality as q", "q.project_id", "p.id")
    .select(["p.review_seed", "q.audit_percent"])
    .where("p.id", "=", projectId)
    .executeTakeFirst();
  return { seed: r?.review_seed ?? 1, percent: r?.audit_percent ?? 0 };
};

/** A later decision replaces an audit still waiting: nobody can see the version it was about any more. */
export const dropOpenAudit = async (ex: Executor, imageId: number): Promise<void> => {
  await ex.deleteFrom("review_audits").where("image_id", "=", imageId).where("state", "=", "open").execute();
};

export const insertAudit = async (
  ex: Executor,
  a: {
    projectId: number;
    imageId: number;
    reviewerId: number;
    decision: "accepted" | "fixed";
    decidedAt: string;
    decidedRevision: number;
    now: string;
  },
): Promise<void> => {
  await ex
    .insertInto("review_audits")
    .values({
      project_id: a.projectId,
      image_id: a.imageId,
      reviewer_id: a.reviewerId,
      decision: a.decision,
      decided_at: a.decidedAt,
      decided_revision: a.decidedRevision,
      created_at: a.now,
    })
    .execute();
};

export const openAuditOfImage = async (ex: Executor, imageId: number): Promise<Audit | undefined> => {
  const r = await selectAudits(ex)
    .where("a.image_id", "=", imageId)
    .where("a.state", "=", "open")
    .executeTakeFirst();
  return r && toAudit(r);
};

/** The image's latest closed audit, to say who came first when a verdict arrives too late. */
export const lastVerdictOfImage = async (ex: Executor, imageId: number): Promise<Audit | undefined> => {
  const r = await selectAudits(ex)
    .where("a.image_id", "=", imageId)
    .where("a.state", "<>", "open")
    .orderBy("a.id", "desc")
    .limit(1)
    .executeTakeFirst();
  return r && toAudit(r);
};

export const auditById = async (ex: Executor, auditId: number): Promise<Audit | undefined> => {
  const r = await selectAudits(ex).where("a.id", "=", auditId).executeTakeFirst();
  return r && toAudit(r);
};

/** The verdict, only while the audit is open: true when this call closed it. */
export const closeAudit = async (
  ex: Executor,
  auditId: number,
  v: {
    state: "upheld" | "overturned";
    auditorId: number;
    reasons: readonly string[];
    comment: string;
    now: string;
  },
): Promise<boolean> =>
  (
    await ex
      .updateTable("review_audits")
      .set({
        state: v.state,
        auditor_id: v.auditorId,
        reasons: JSON.stringify(v.reasons),
        comment: v.comment,
        audited_at: v.now,
      })
      .where("id", "=", auditId)
      .where("state", "=", "open")
      .executeTakeFirst()
  ).numUpdatedRows > 0n;

export interface AuditFilter {
  state: AuditState;
  reviewerId?: number | undefined;
  /** Leave out audits of this user's own decisions (the open queue: nobody audits themselves). */
  notReviewer?: number | undefined;
  afterId?: number | undefined;
  limit: number;
}

/** One page, oldest audit first, a range scan of review_audits_queue from the cursor on. */
export const auditPage = async (ex: Executor, projectId: number, f: AuditFilter): Promise<Audit[]> =>
  (
    await selectAudits(ex)
      .where("a.project_id", "=", projectId)
      .where("a.state", "=", f.state)
      .$if(f.reviewerId !== undefined, (q) => q.where("a.reviewer_id", "=", f.reviewerId ?? 0))
      .$if(f.notReviewer !== undefined, (q) =>
        q.where((eb) =>
          eb.or([eb("a.reviewer_id", "is", null), eb("a.reviewer_id", "<>", f.notReviewer ?? 0)]),
        ),
      )
      .$if(f.afterId !== undefined, (q) => q.where("a.id", ">", f.afterId ?? 0))
      .orderBy("a.id")
      .limit(f.limit)
      .execute()
  ).map(toAudit);

/** Per reviewer and audit state: how many, with the reviewer's name. */
export const auditCounts = async (ex: Executor, projectId: number) =>
  ex
    .selectFrom("review_audits as a")
    .innerJoin("users as u", "u.id", "a.reviewer_id")
    .select((eb) => ["a.reviewer_id", "u.name", "a.state", eb.fn.countAll<number>().as("n")])
    .where("a.project_id", "=", projectId)
    .groupBy(["a.reviewer_id", "u.name", "a.state"])
    .orderBy("u.name")
    .orderBy("a.reviewer_id")
    .execute();
