import { inAuditSample } from "@labelbench/schema";
import type { Executor } from "../../db/executor.js";
import { auditSampleOf, dropOpenAudit, insertAudit } from "./audits-repo.js";

/**
 * Called in the transaction of every review decision: an audit still waiting on the image is
 * dropped (the version it was about is no longer the decided one), and an acceptance of an image in
 * the project's audit sample (`audit_percent`, reproducible by image id) opens a new one.
 */
export const auditAfterDecision = async (
  ex: Executor,
  d: {
    projectId: number;
    imageId: number;
    decision: "accepted" | "fixed" | "rejected";
    reviewerId: number;
    revision: number;
    now: string;
  },
): Promise<void> => {
  await dropOpenAudit(ex, d.imageId);
  if (d.decision === "rejected") return;
  const { seed, percent } = await auditSampleOf(ex, d.projectId);
  if (!inAuditSample(seed, d.imageId, percent)) return;
  await insertAudit(ex, {
    projectId: d.projectId,
    imageId: d.imageId,
    reviewerId: d.reviewerId,
    decision: d.decision,
    decidedAt: d.now,
    decidedRevision: d.revision,
    now: d.now,
  });
};
