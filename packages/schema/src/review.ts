import { z } from "zod";
import { AnnotationId, Id, ImageReviewState, Timestamp } from "./domain.js";
import { QualificationStatus } from "./quality.js";

/**
 * Quality control, part 1 (issue 15): who works on which image, submission, review decisions,
 * issues pinned where the problem is, and the history of it all. docs/quality-workflow.md tells
 * the story; this file is the vocabulary both sides speak.
 */

/** Which submitted images a reviewer must look at: none, a reproducible p % sample, or all. */
export const ReviewMode = z.enum(["off", "sample", "all"]);
export type ReviewMode = z.infer<typeof ReviewMode>;

export const ReviewSettings = z.object({
  mode: ReviewMode,
  samplePercent: z
    .number()
    .min(0)
    .max(100)
    .describe("with mode `sample`: the share of submissions reviewed, chosen by a hash of (seed, image id)"),
  sampleSeed: z.number().int().min(0).max(2_147_483_647).describe("changes which images the sample holds"),
  queue: z
    .boolean()
    .describe("annotators' `next image` hands out unassigned images under a lease instead of browsing"),
  leaseMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .describe("a queue lease left idle this long returns the image to the pool"),
  returnOnEdit: z
    .boolean()
    .describe(
      "an edit after a decision sends the image back to review (else the decision is only marked stale)",
    ),
});
export type ReviewSettings = z.infer<typeof ReviewSettings>;
export const ReviewSettingsPatch = ReviewSettings.partial();
export type ReviewSettingsPatch = z.infer<typeof ReviewSettingsPatch>;
export const DEFAULT_REVIEW_SETTINGS: ReviewSettings = {
  mode: "off",
  samplePercent: 10,
  sampleSeed: 1,
  queue: false,
  leaseMinutes: 30,
  returnOnEdit: true,
};

/**
 * Where an image stands in review:
 * - `none`: never submitted (being annotated);
 * - `pending`: submitted, waiting for a reviewer;
 * - `accepted`: a reviewer accepted it (or fixed and accepted it);
 * - `rejected`: sent back; its author is reworking it as a new attempt;
 * - `unreviewed`: submitted, and the project's review policy does not select it (mode off, or outside the sample).
 */
export const ReviewState = ImageReviewState;
export type ReviewState = z.infer<typeof ReviewState>;
export const REVIEW_STATES = ReviewState.options;

export const Decision = z.enum(["accepted", "fixed", "rejected"]);
export type Decision = z.infer<typeof Decision>;

/** Why an image is rejected, when no issue pinned on it says it (at least one of the two is required). */
export const REJECT_REASONS = [
  "missing_objects",
  "extra_objects",
  "wrong_labels",
  "imprecise_shapes",
  "wrong_tags",
  "guidelines",
  "other",
] as const;
export const RejectReason = z.enum(REJECT_REASONS);
export type RejectReason = z.infer<typeof RejectReason>;

/** One image's place in the workflow. */
export const ImageWork = z.object({
  imageId: Id,
  projectId: Id,
  assigneeId: Id.nullable().describe(
    "who annotates it now (a manager's assignment, a queue lease, or rework)",
  ),
  assignedVia: z.enum(["manager", "queue", "rework"]).nullable(),
  leaseUntil: Timestamp.nullable().describe("for a queue lease: when it returns to the pool unless renewed"),
  reviewState: ReviewState,
  attempt: z.number().int().nonnegative().describe("how many times it has been submitted"),
  inSample: z.boolean().describe("whether the review policy selects this image"),
  submittedBy: Id.nullable(),
  submittedAt: Timestamp.nullable(),
  submittedRevision: z.number().int().nonnegative().nullable(),
  decision: Decision.nullable(),
  decidedBy: Id.nullable(),
  decidedAt: Timestamp.nullable(),
  decidedRevision: z.number().int().nonnegative().nullable(),
  stale: z.boolean().describe("the annotations changed after the decision"),
  revision: z.number().int().nonnegative().describe("the annotations' current revision"),
  unresolvedIssues: z.number().int().nonnegative(),
});
export type ImageWork = z.infer<typeof ImageWork>;

// ---------------------------------------------------------------- distribution

const MAX_ASSIGN_IDS = 10_000;
/** Which images an assignment takes: ids, or the first `count` matching a filter (in name order). */
export const AssignRequest = z
  .object({
    assigneeId: Id.nullable().describe("null: unassign"),
    imageIds: z.array(Id).min(1).max(MAX_ASSIGN_IDS).optional(),
    filter: z
      .object({
        folder: z.string().max(1024).optional().describe('a folder prefix such as "cam_a/"'),
        q: z.string().max(200).optional(),
        status: z.enum(["new", "in_progress", "done", "skipped"]).optional(),
        unassignedOnly: z.boolean().default(true),
      })
      .optional(),
    count: z.number().int().min(1).max(MAX_ASSIGN_IDS).optional().describe("with filter: a batch of N"),
  })
  .refine((r) => (r.imageIds === undefined) !== (r.filter === undefined), {
    message: "give either imageIds or filter",
  });
export type AssignRequest = z.input<typeof AssignRequest>;
export const AssignResult = z.object({
  results: z.array(
    z.object({
      imageId: Id,
      status: z.enum(["assigned", "unassigned", "refused"]),
      reason: z.string().optional(),
    }),
  ),
  assigned: z.number().int(),
});
export type AssignResult = z.infer<typeof AssignResult>;

/** An annotator's "next image": their own rework and assignments first, then (queue on) a leased one. */
export const NextWork = z.object({
  image: ImageWork.nullable().describe("null: nothing left for you"),
  source: z.enum(["rework", "assigned", "queue"]).nullable(),
});
export type NextWork = z.infer<typeof NextWork>;

export const MyWork = z.object({
  counts: z.object({
    assigned: z.number().int(),
    rework: z.number().int(),
    submitted: z.number().int(),
    accepted: z.number().int(),
    rejected: z.number().int(),
  }),
  items: z.array(ImageWork.extend({ fileName: z.string() })),
  nextCursor: z.string().nullable(),
  // Issue 16: where the caller stands in the project's qualification (how many, never which images).
  qualification: QualificationStatus.optional(),
});
export type MyWork = z.infer<typeof MyWork>;

// ---------------------------------------------------------------- submit and decide

export const SubmitRequest = z.object({
  revision: z.number().int().nonnegative().describe("the revision the author saw: 409 when it moved"),
});
export const DecisionRequest = z.object({
  decision: Decision,
  revision: z
    .number()
    .int()
    .nonnegative()
    .describe("the revision the reviewer looked at: 409 STALE_REVISION when the annotations moved since"),
  reasons: z.array(RejectReason).max(REJECT_REASONS.length).default([]),
  comment: z.string().max(4000).default(""),
});
export type DecisionRequest = z.input<typeof DecisionRequest>;

export const ReviewQueueQuery = z.object({
  state: z.enum(["pending", "accepted", "rejected", "unreviewed", "stale"]).default("pending"),
  annotatorId: z.coerce.number().int().positive().optional(),
  labelId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("images holding a shape or tag of this label"),
  submittedSince: Timestamp.optional(),
  openIssues: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "true")),
  attempt: z.coerce.number().int().min(1).optional().describe("exactly this attempt (2 = first rework)"),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ReviewQueueQuery = z.input<typeof ReviewQueueQuery>;
export const ReviewQueuePage = z.object({
  items: z.array(ImageWork.extend({ fileName: z.string(), annotationCount: z.number().int() })),
  nextCursor: z.string().nullable(),
  total: z.number().int().describe("images in this state (before the other filters)"),
});
export type ReviewQueuePage = z.infer<typeof ReviewQueuePage>;

/** What changed since the last decision, for the re-review overlay (shapes by id). */
export const ReviewDiff = z.object({
  imageId: Id,
  baseRevision: z.number().int().nonnegative().nullable().describe("null: never decided, nothing to compare"),
  revision: z.number().int().nonnegative(),
  added: z.array(AnnotationId),
  removed: z.array(
    z.object({ id: AnnotationId, labelId: Id, geometry: z.unknown().describe("the shape as it was") }),
  ),
  changed: z.array(
    z.object({
      id: AnnotationId,
      labelChanged: z.boolean(),
      geometryChanged: z.boolean(),
      before: z.object({ labelId: Id, geometry: z.unknown() }),
    }),
  ),
  tagsAdded: z.array(Id),
  tagsRemoved: z.array(Id),
});
export type ReviewDiff = z.infer<typeof ReviewDiff>;

// ---------------------------------------------------------------- issues

export const IssueCategory = z.enum([
  "missing",
  "extra",
  "wrong_label",
  "loose",
  "tight",
  "wrong_tag",
  "other",
]);
export type IssueCategory = z.infer<typeof IssueCategory>;
export const IssueSeverity = z.enum(["minor", "major", "critical"]);
export type IssueSeverity = z.infer<typeof IssueSeverity>;
/** open → fixed (by the annotator) → resolved (by the reviewer), or reopened (back to open). */
export const IssueState = z.enum(["open", "fixed", "resolved"]);
export type IssueState = z.infer<typeof IssueState>;

const Coord = z.number().refine(Number.isFinite, "must be a finite number");
/** Where an issue is pinned, in image pixels. A shape anchor follows the shape through edits. */
export const IssueAnchor = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("point"), x: Coord, y: Coord }),
  z.object({
    kind: z.literal("region"),
    x: Coord,
    y: Coord,
    width: Coord.refine((w) => w > 0, "must be positive"),
    height: Coord.refine((h) => h > 0, "must be positive"),
  }),
  z.object({
    kind: z.literal("shape"),
    annotationId: AnnotationId,
    box: z
      .object({ x: Coord, y: Coord, width: Coord, height: Coord })
      .optional()
      .describe("set by the server: the shape's bounds when pinned, to show where it was if it is deleted"),
  }),
]);
export type IssueAnchor = z.infer<typeof IssueAnchor>;

export const IssueComment = z.object({
  id: Id,
  issueId: Id,
  authorId: Id.nullable(),
  authorName: z.string().nullable(),
  body: z.string(),
  createdAt: Timestamp,
});
export type IssueComment = z.infer<typeof IssueComment>;

export const Issue = z.object({
  id: Id,
  projectId: Id,
  imageId: Id,
  anchor: IssueAnchor,
  shapeGone: z.boolean().describe("a shape anchor whose shape was deleted since"),
  category: IssueCategory,
  severity: IssueSeverity,
  state: IssueState,
  attempt: z.number().int().nonnegative().describe("the attempt it was raised on"),
  authorId: Id.nullable().describe("the reviewer who raised it"),
  assigneeId: Id.nullable().describe("the annotator whose work it is about"),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  comments: z.array(IssueComment),
});
export type Issue = z.infer<typeof Issue>;

export const IssueCreate = z.object({
  anchor: IssueAnchor,
  category: IssueCategory,
  severity: IssueSeverity.default("major"),
  comment: z.string().trim().max(4000).default(""),
});
export type IssueCreate = z.input<typeof IssueCreate>;
/** The body of fix, resolve and reopen: an optional comment added to the thread. */
export const IssueTransition = z.object({ comment: z.string().trim().max(4000).default("") });
export type IssueTransition = z.input<typeof IssueTransition>;
export const CommentCreate = z.object({ body: z.string().trim().min(1, "say something").max(4000) });

export const IssueListQuery = z.object({
  state: z
    .string()
    .optional()
    .describe("comma-separated states; absent: all")
    .transform((s, ctx): IssueState[] | undefined => {
      if (s === undefined || s.trim() === "") return undefined;
      const parts = [...new Set(s.split(",").map((p) => p.trim()))];
      for (const p of parts)
        if (!(IssueState.options as readonly string[]).includes(p))
          ctx.addIssue({
            code: "custom",
            message: `"${p}" is not an issue state (${IssueState.options.join(", ")})`,
          });
      return parts as IssueState[];
    }),
  assigneeId: z.coerce.number().int().positive().optional(),
  imageId: z.coerce.number().int().positive().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const IssuePage = z.object({
  items: z.array(Issue.extend({ fileName: z.string() })),
  nextCursor: z.string().nullable(),
});
export type IssuePage = z.infer<typeof IssuePage>;

// ---------------------------------------------------------------- history and people

export const EventKind = z.enum([
  "assigned",
  "unassigned",
  "leased",
  "lease_expired",
  "submitted",
  "accepted",
  "fixed",
  "rejected",
  "returned_by_edit",
  "issue_opened",
  "issue_fixed",
  "issue_resolved",
  "issue_reopened",
  "commented",
  "saved",
  "audit_upheld",
  "audit_overturned",
]);
export type EventKind = z.infer<typeof EventKind>;
export const ReviewEvent = z.object({
  id: Id,
  imageId: Id,
  kind: EventKind,
  actorId: Id.nullable(),
  actorName: z.string().nullable(),
  subjectId: Id.nullable().describe("whom it concerns: the assignee, the author judged"),
  attempt: z.number().int().nonnegative(),
  revision: z.number().int().nonnegative().nullable(),
  issueId: Id.nullable(),
  detail: z.record(z.string(), z.unknown()).describe("reasons, comment, counts"),
  createdAt: Timestamp,
});
export type ReviewEvent = z.infer<typeof ReviewEvent>;
export const ImageHistory = z.object({ work: ImageWork, events: z.array(ReviewEvent) });
export type ImageHistory = z.infer<typeof ImageHistory>;

/** Focused editor time, reported by the editor in small increments (a hidden tab counts nothing). */
export const ActivityReport = z.object({
  seconds: z.number().int().min(1).max(300),
});

export const AnnotatorStats = z.object({
  userId: Id,
  name: z.string(),
  role: z.string(),
  assigned: z.number().int(),
  submitted: z.number().int().describe("images submitted at least once"),
  acceptedFirstPass: z.number().int().describe("accepted on attempt 1"),
  accepted: z.number().int(),
  rejected: z.number().int().describe("rejections received"),
  reworkRate: z.number().nullable().describe("rejections / decisions; null before any decision"),
  objects: z.number().int().describe("shapes they created that still exist"),
  activeSeconds: z.number().int().describe("focused editor time"),
  openIssues: z.number().int(),
});
export type AnnotatorStats = z.infer<typeof AnnotatorStats>;
