import type { Decision, ImageWork, RejectReason, ReviewState } from "@labelbench/schema";

/**
 * What the editor says about an image's place in the review workflow: pure sentences from the
 * server's ImageWork and the names of the people in it, so every refusal names who and what.
 */

export type NameOf = (userId: number | null) => string;

export const REASON_TEXT: Record<RejectReason, string> = {
  missing_objects: "Missing objects",
  extra_objects: "Extra objects",
  wrong_labels: "Wrong labels",
  imprecise_shapes: "Imprecise shapes",
  wrong_tags: "Wrong tags",
  guidelines: "Guidelines not followed",
  other: "Other",
};

const STATE_TEXT: Record<ReviewState, string> = {
  none: "Not submitted",
  pending: "Waiting for review",
  accepted: "Accepted",
  rejected: "Rejected",
  unreviewed: "Submitted (not selected for review)",
};

const DECIDED: Record<Decision, string> = {
  accepted: "accepted",
  fixed: "fixed and accepted",
  rejected: "rejected",
};

export const timeOf = (iso: string | null): string => {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" });
};

/** One line for the status area: state, attempt, who decided, and whether the decision is stale. */
export const describeWork = (w: ImageWork, nameOf: NameOf): string => {
  const decided =
    w.decision && w.decidedBy !== null && (w.reviewState === "accepted" || w.reviewState === "rejected");
  const state =
    decided && w.decision
      ? `${DECIDED[w.decision].replace(/^./, (c) => c.toUpperCase())} by ${nameOf(w.decidedBy)}`
      : STATE_TEXT[w.reviewState];
  const parts = [state];
  if (w.attempt > 0) parts.push(`attempt ${w.attempt}`);
  if (w.stale && w.reviewState === "accepted") parts.push("changed since the decision");
  return parts.join(" · ");
};

/** Who holds the image and how, when that is someone other than `meId`; null otherwise. */
export const describeHolder = (w: ImageWork, nameOf: NameOf, meId: number): string | null => {
  if (w.assigneeId === null || w.assigneeId === meId) return null;
  const who = nameOf(w.assigneeId);
  switch (w.assignedVia) {
    case "queue":
      return `${who} holds this image from the work queue${w.leaseUntil ? ` (until ${timeOf(w.leaseUntil)} unless they keep working)` : ""}`;
    case "rework":
      return `${who} is reworking this image after a rejection`;
    default:
      return `This image is assigned to ${who}`;
  }
};

/** Why a decision was refused with 409, from the image's work as the server sent it back. */
export const describeDecisionRefusal = (
  code: "STALE_REVISION" | "WORKFLOW_CONFLICT",
  w: ImageWork | null,
  sentRevision: number,
  nameOf: NameOf,
  lastSavedBy: string | null,
): string => {
  if (code === "STALE_REVISION") {
    const now = w ? `revision ${w.revision}` : "a newer revision";
    const by = lastSavedBy ? `, last saved by ${lastSavedBy}` : "";
    return `The annotations changed while you reviewed: you looked at revision ${sentRevision}, the image is now at ${now}${by}. Your decision was not recorded; reload to see the changes.`;
  }
  if (!w) return "The image cannot be decided now. Reload to see where it stands.";
  if (w.decision && w.decidedBy !== null && w.reviewState !== "pending") {
    const at = w.decidedAt ? ` at ${timeOf(w.decidedAt)}` : "";
    const fate = w.reviewState === "rejected" ? "; it is back with its author" : "";
    return `${nameOf(w.decidedBy)} already ${DECIDED[w.decision]} this image${at}${fate}. Your decision was not recorded.`;
  }
  if (w.reviewState === "none")
    return "This image is not submitted: there is nothing to decide until its author submits it.";
  return `The image cannot be decided now (${STATE_TEXT[w.reviewState].toLowerCase()}). Your decision was not recorded.`;
};

/** Why a submission was refused with 409. */
export const describeSubmitRefusal = (
  code: "STALE_REVISION" | "WORKFLOW_CONFLICT",
  w: ImageWork | null,
  sentRevision: number,
  nameOf: NameOf,
  meId: number,
  serverMessage: string,
): string => {
  if (code === "STALE_REVISION")
    return `Not submitted: the annotations changed on the server (you saved revision ${sentRevision}, it is now ${w?.revision ?? "newer"}). Reload, check them, and submit again.`;
  const holder = w ? describeHolder(w, nameOf, meId) : null;
  if (holder) return `Not submitted: ${holder}.`;
  if (w?.reviewState === "pending") return "Already submitted: it is waiting for review.";
  if (w?.reviewState === "accepted" && !w.stale) return "Already accepted: nothing changed since.";
  return `Not submitted: ${serverMessage}`;
};
