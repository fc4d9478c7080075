import type {
  EventKind,
  IssueCategory,
  IssueSeverity,
  IssueState,
  RejectReason,
  ReviewEvent,
  ReviewState,
} from "@labelbench/schema";

/** The words the pages use for the review vocabulary of packages/schema/src/review.ts. */
export const REVIEW_STATE_LABEL: Record<ReviewState, string> = {
  none: "Not submitted",
  pending: "Awaiting review",
  accepted: "Accepted",
  rejected: "Rework",
  unreviewed: "Submitted",
};

export const QUEUE_STATE_LABEL = {
  pending: "To review",
  stale: "Changed after decision",
  accepted: "Accepted",
  rejected: "Rejected",
  unreviewed: "Not sampled",
} as const;

export const REASON_LABEL: Record<RejectReason, string> = {
  missing_objects: "Missing objects",
  extra_objects: "Extra objects",
  wrong_labels: "Wrong labels",
  imprecise_shapes: "Imprecise shapes",
  wrong_tags: "Wrong tags",
  guidelines: "Against the guidelines",
  other: "Other",
};

export const CATEGORY_LABEL: Record<IssueCategory, string> = {
  missing: "Missing",
  extra: "Extra",
  wrong_label: "Wrong label",
  loose: "Too loose",
  tight: "Too tight",
  wrong_tag: "Wrong tag",
  other: "Other",
};

export const SEVERITY_LABEL: Record<IssueSeverity, string> = {
  minor: "Minor",
  major: "Major",
  critical: "Critical",
};

export const ISSUE_STATE_LABEL: Record<IssueState, string> = {
  open: "Open",
  fixed: "Fixed",
  resolved: "Resolved",
};

const VERB: Record<EventKind, string> = {
  assigned: "assigned it",
  unassigned: "unassigned it",
  leased: "took it from the queue",
  lease_expired: "let the queue lease expire",
  submitted: "submitted",
  accepted: "accepted",
  fixed: "fixed and accepted",
  rejected: "rejected",
  returned_by_edit: "edited after the decision: back to review",
  issue_opened: "raised an issue",
  issue_fixed: "marked an issue fixed",
  issue_resolved: "resolved an issue",
  issue_reopened: "reopened an issue",
  commented: "commented",
  saved: "saved annotations",
  audit_upheld: "audited the acceptance: upheld",
  audit_overturned: "audited the acceptance: overturned",
};

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);

/**
 * One line of an image's history: "Ana rejected (attempt 1, revision 7): Missing objects, Wrong labels".
 * `nameOf` names the subject of an assignment ("assigned it to Bo"); the actor's name comes with the event.
 * A timeline grouped by attempt leaves the attempt out (`withAttempt: false`).
 */
export const describeEvent = (
  e: ReviewEvent,
  nameOf: (userId: number) => string | null,
  { withAttempt = true }: { withAttempt?: boolean } = {},
): string => {
  const who = e.actorName ?? "Someone";
  let line = `${who} ${VERB[e.kind]}`;
  if (e.kind === "assigned" && e.subjectId !== null)
    line += ` to ${nameOf(e.subjectId) ?? `user ${e.subjectId}`}`;
  const facts: string[] = [];
  if (withAttempt && e.attempt > 0) facts.push(`attempt ${e.attempt}`);
  const from = typeof e.detail.fromRevision === "number" ? e.detail.fromRevision : null;
  const saves = typeof e.detail.saves === "number" ? e.detail.saves : null;
  if (e.kind === "saved" && e.revision !== null && from !== null && from !== e.revision)
    facts.push(`revisions ${from}–${e.revision}${saves !== null ? `, ${saves} saves` : ""}`);
  else if (e.revision !== null) facts.push(`revision ${e.revision}`);
  if (facts.length > 0) line += ` (${facts.join(", ")})`;
  const reasons = Array.isArray(e.detail.reasons)
    ? e.detail.reasons.filter((r): r is RejectReason => typeof r === "string" && r in REASON_LABEL)
    : [];
  if (reasons.length > 0) line += `: ${reasons.map((r) => REASON_LABEL[r]).join(", ")}`;
  return line;
};

/** The free text an event carries (a decision's or an issue step's comment), if any. */
export const eventComment = (e: ReviewEvent): string | null => text(e.detail.comment) ?? text(e.detail.body);

/** Whom an event is about, for the timeline's colour: decisions and issue steps stand out. */
export const eventTone = (kind: EventKind): "good" | "bad" | "issue" | "plain" =>
  kind === "accepted" || kind === "fixed" || kind === "issue_resolved"
    ? "good"
    : kind === "rejected" || kind === "returned_by_edit" || kind === "lease_expired"
      ? "bad"
      : kind.startsWith("issue_") || kind === "commented"
        ? "issue"
        : "plain";

/** "1 h 05 min", "12 min", "40 s": focused editor time at a glance. */
export const formatDuration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  return `${h} h ${String(minutes % 60).padStart(2, "0")} min`;
};

/** A share as a whole percentage, or an en dash when there is nothing to divide. */
export const formatRate = (rate: number | null): string =>
  rate === null ? "–" : `${Math.round(rate * 100)}%`;
