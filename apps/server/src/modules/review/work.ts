import {
  type Decision,
  type ImageWork,
  inReviewSample,
  type ReviewSettings,
  type ReviewState,
} from "@labelbench/schema";

/**
 * The workflow's rules over one image row, pure: who holds an image now, whether the review policy
 * selects it, and the ImageWork every endpoint answers with. Times are ISO-8601 UTC text, which
 * compares as time.
 */

/** The workflow columns of an image row (modules/review/work-repo.ts reads them). */
export interface WorkRow {
  id: number;
  project_id: number;
  assignee_id: number | null;
  assigned_via: string | null;
  lease_until: string | null;
  review_state: string;
  attempt: number;
  submitted_by: number | null;
  submitted_at: string | null;
  submitted_revision: number | null;
  decision: string | null;
  decided_by: number | null;
  decided_at: string | null;
  decided_revision: number | null;
  revision: number;
  unresolved_issues: number;
}

export type AssignedVia = "manager" | "queue" | "rework";

/** A queue lease whose time ran out: the image is back in the pool, whoever's name is still on it. */
export const leaseExpired = (r: Pick<WorkRow, "assigned_via" | "lease_until">, now: string): boolean =>
  r.assigned_via === "queue" && r.lease_until !== null && r.lease_until <= now;

/**
 * Who holds the image against other annotators' saves: a manager's assignee, the author reworking a
 * rejection, or a live queue lease's holder. A queue image with no lease (its author submitted it)
 * and an expired lease hold nobody.
 */
export const holderOf = (r: Pick<WorkRow, "assignee_id" | "assigned_via" | "lease_until">, now: string) => {
  if (r.assignee_id === null) return null;
  if (r.assigned_via === "queue") return r.lease_until !== null && r.lease_until > now ? r.assignee_id : null;
  return r.assignee_id;
};

export const inSample = (s: ReviewSettings, imageId: number): boolean =>
  s.mode === "all" || (s.mode === "sample" && inReviewSample(s.sampleSeed, imageId, s.samplePercent));

/** The review state a submission enters: pending when the policy selects the image, else unreviewed. */
export const submittedState = (s: ReviewSettings, imageId: number): ReviewState =>
  inSample(s, imageId) ? "pending" : "unreviewed";

export const isStale = (r: Pick<WorkRow, "decided_revision" | "revision">): boolean =>
  r.decided_revision !== null && r.decided_revision < r.revision;

/** A reviewer may decide a submitted image, spot-check an unreviewed one, or decide again a stale acceptance. */
export const decidable = (r: WorkRow): boolean =>
  r.review_state === "pending" ||
  r.review_state === "unreviewed" ||
  (r.review_state === "accepted" && isStale(r));

export const leaseEnd = (now: string, minutes: number): string =>
  new Date(Date.parse(now) + minutes * 60_000).toISOString();

export const toImageWork = (r: WorkRow, s: ReviewSettings, now: string): ImageWork => {
  // An expired lease shows as nobody's: the image is free, and no list counts it as anyone's work.
  const free = leaseExpired(r, now);
  return {
    imageId: r.id,
    projectId: r.project_id,
    assigneeId: free ? null : r.assignee_id,
    assignedVia: free ? null : ((r.assigned_via as AssignedVia | null) ?? null),
    leaseUntil: free ? null : r.lease_until,
    reviewState: r.review_state as ReviewState,
    attempt: r.attempt,
    inSample: inSample(s, r.id),
    submittedBy: r.submitted_by,
    submittedAt: r.submitted_at,
    submittedRevision: r.submitted_revision,
    decision: r.decision as Decision | null,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decidedRevision: r.decided_revision,
    stale: isStale(r),
    revision: r.revision,
    unresolvedIssues: r.unresolved_issues,
  };
};
