import { z } from "zod";
import { Id, IdParam, Timestamp } from "./domain.js";
import { endpoint } from "./endpoint.js";
import { RejectReason } from "./review.js";

/**
 * Reviewers are measured too (issue 16): a reproducible sample of accepted images is audited by
 * another reviewer, who upholds or overturns the acceptance. docs/quality-workflow.md, "Audits".
 */

/** open: waiting for an auditor; upheld / overturned: the verdict. */
export const AuditState = z.enum(["open", "upheld", "overturned"]);
export type AuditState = z.infer<typeof AuditState>;
export const AuditVerdict = z.enum(["upheld", "overturned"]);
export type AuditVerdict = z.infer<typeof AuditVerdict>;

export const Audit = z.object({
  id: Id,
  projectId: Id,
  imageId: Id,
  fileName: z.string(),
  reviewerId: Id.nullable().describe("who accepted the image: the reviewer measured"),
  decision: z.enum(["accepted", "fixed"]),
  decidedAt: Timestamp,
  decidedRevision: z.number().int().nonnegative(),
  state: AuditState,
  auditorId: Id.nullable(),
  reasons: z.array(RejectReason),
  comment: z.string(),
  createdAt: Timestamp,
  auditedAt: Timestamp.nullable(),
});
export type Audit = z.infer<typeof Audit>;

export const AuditListQuery = z.object({
  state: AuditState.default("open").describe(
    "open: the audits waiting, without those of the caller's own decisions (nobody audits themselves)",
  ),
  reviewerId: z.coerce.number().int().positive().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditListQuery = z.input<typeof AuditListQuery>;
export const AuditPage = z.object({ items: z.array(Audit), nextCursor: z.string().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;

export const AuditRequest = z.object({
  verdict: AuditVerdict,
  reasons: z
    .array(RejectReason)
    .max(7)
    .default([])
    .describe("an overturn needs at least one reason or an open issue on the image, as a rejection does"),
  comment: z.string().max(4000).default(""),
});
export type AuditRequest = z.input<typeof AuditRequest>;

/** A share with its 95 % Wilson interval (packages/quality `wilsonInterval`); value null when n = 0. */
const Rate = z.object({
  value: z.number().min(0).max(1).nullable(),
  n: z.number().int().nonnegative(),
  low: z.number().min(0).max(1),
  high: z.number().min(0).max(1),
});

export const ReviewerPrecision = z.object({
  reviewerId: Id,
  name: z.string(),
  audited: z.number().int().describe("accepts with a verdict"),
  upheld: z.number().int(),
  overturned: z.number().int(),
  open: z.number().int().describe("accepts waiting for an auditor"),
  precision: Rate.describe("upheld / audited, with its 95 % Wilson interval"),
});
export type ReviewerPrecision = z.infer<typeof ReviewerPrecision>;

const ProjectParams = z.object({ projectId: IdParam });
const ImageParams = z.object({ imageId: IdParam });

export const auditApi = {
  listAudits: endpoint({
    method: "GET",
    path: "/projects/:projectId/audits",
    summary:
      "Audits of accepted images: the open ones waiting for an auditor (never the caller's own decisions), or the verdicts; cursor-paged",
    params: ProjectParams,
    query: AuditListQuery,
    response: AuditPage,
  }),
  auditImage: endpoint({
    method: "POST",
    path: "/images/:imageId/audit",
    summary:
      "Uphold or overturn the acceptance of the image's open audit (not your own decision); an overturn sends the image back to its author like a rejection",
    params: ImageParams,
    body: AuditRequest,
    response: Audit,
  }),
  reviewerPrecision: endpoint({
    method: "GET",
    path: "/projects/:projectId/audits/precision",
    summary:
      "Per reviewer: accepts audited, upheld, overturned, and precision (upheld / audited) with its 95 % interval; a reviewer sees their own row",
    params: ProjectParams,
    response: z.object({ items: z.array(ReviewerPrecision) }),
  }),
};
