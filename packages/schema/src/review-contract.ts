import { z } from "zod";
import { IdParam } from "./domain.js";
import { endpoint } from "./endpoint.js";
import {
  ActivityReport,
  AnnotatorStats,
  AssignRequest,
  AssignResult,
  CommentCreate,
  DecisionRequest,
  ImageHistory,
  ImageWork,
  Issue,
  IssueCreate,
  IssueListQuery,
  IssuePage,
  IssueTransition,
  MyWork,
  NextWork,
  ReviewDiff,
  ReviewQueuePage,
  ReviewQueueQuery,
  ReviewSettings,
  ReviewSettingsPatch,
  SubmitRequest,
} from "./review.js";

/** Quality control, part 1 (issue 15): distribution, submission, review, issues, history. */
const ProjectParams = z.object({ projectId: IdParam });
const ImageParams = z.object({ imageId: IdParam });
const IssueParams = z.object({ issueId: IdParam });

export const MyWorkQuery = z.object({
  state: z.enum(["todo", "submitted", "accepted", "rejected", "all"]).default("todo"),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const reviewApi = {
  getReviewSettings: endpoint({
    method: "GET",
    path: "/projects/:projectId/review-settings",
    summary: "The project's review policy and work queue settings",
    params: ProjectParams,
    response: ReviewSettings,
  }),
  updateReviewSettings: endpoint({
    method: "PATCH",
    path: "/projects/:projectId/review-settings",
    summary: "Change the review policy (off, sample p %, all) or the work queue",
    params: ProjectParams,
    body: ReviewSettingsPatch,
    response: ReviewSettings,
  }),
  assignImages: endpoint({
    method: "POST",
    path: "/projects/:projectId/assignments",
    summary:
      "Assign images to an annotator (ids, or a batch of N matching a filter), or unassign them; one result per image",
    params: ProjectParams,
    body: AssignRequest,
    response: AssignResult,
  }),
  nextWork: endpoint({
    method: "POST",
    path: "/projects/:projectId/work/next",
    summary:
      "The caller's next image: rework first, then their assignments, then (queue on) an unassigned image under a lease",
    params: ProjectParams,
    response: NextWork,
  }),
  myWork: endpoint({
    method: "GET",
    path: "/projects/:projectId/work/mine",
    summary:
      "The caller's own images in this project (to do, submitted, accepted, rejected) and their counts",
    params: ProjectParams,
    query: MyWorkQuery,
    response: MyWork,
  }),
  getImageWork: endpoint({
    method: "GET",
    path: "/images/:imageId/work",
    summary: "An image's assignment, lease, review state and attempt",
    params: ImageParams,
    response: ImageWork,
  }),
  releaseImage: endpoint({
    method: "POST",
    path: "/images/:imageId/release",
    summary: "Give a queue lease back to the pool",
    params: ImageParams,
    response: ImageWork,
  }),
  submitImage: endpoint({
    method: "POST",
    path: "/images/:imageId/submit",
    summary:
      "Submit the image at `revision` for review; 409 STALE_REVISION when the annotations moved, 409 WORKFLOW_CONFLICT when it cannot be submitted now",
    params: ImageParams,
    body: SubmitRequest,
    response: ImageWork,
  }),
  decideImage: endpoint({
    method: "POST",
    path: "/images/:imageId/decision",
    summary:
      "Accept, fix and accept, or reject (a reason or an open issue required) the submitted image at `revision`; 409 with the current state when another decision or an edit came first",
    params: ImageParams,
    body: DecisionRequest,
    response: ImageWork,
  }),
  reviewQueue: endpoint({
    method: "GET",
    path: "/projects/:projectId/review-queue",
    summary: "Submitted images to review, oldest submission first, with filters; cursor-paged",
    params: ProjectParams,
    query: ReviewQueueQuery,
    response: ReviewQueuePage,
  }),
  reviewDiff: endpoint({
    method: "GET",
    path: "/images/:imageId/review-diff",
    summary: "Shapes and tags added, removed and changed since the last review decision",
    params: ImageParams,
    response: ReviewDiff,
  }),
  listImageIssues: endpoint({
    method: "GET",
    path: "/images/:imageId/issues",
    summary: "Every issue pinned on the image, with its comments",
    params: ImageParams,
    response: z.object({ items: z.array(Issue) }),
  }),
  createIssue: endpoint({
    method: "POST",
    path: "/images/:imageId/issues",
    summary: "Pin an issue on a point, a region or a shape; 409 when the shape does not exist",
    params: ImageParams,
    body: IssueCreate,
    response: Issue,
    status: 201,
  }),
  listProjectIssues: endpoint({
    method: "GET",
    path: "/projects/:projectId/issues",
    summary: "Issues of the project, filtered by state, annotator or image; cursor-paged",
    params: ProjectParams,
    query: IssueListQuery,
    response: IssuePage,
  }),
  fixIssue: endpoint({
    method: "POST",
    path: "/issues/:issueId/fix",
    summary: "The annotator marks an open issue fixed (optionally answering it)",
    params: IssueParams,
    body: IssueTransition,
    response: Issue,
  }),
  resolveIssue: endpoint({
    method: "POST",
    path: "/issues/:issueId/resolve",
    summary: "A reviewer closes an issue",
    params: IssueParams,
    body: IssueTransition,
    response: Issue,
  }),
  reopenIssue: endpoint({
    method: "POST",
    path: "/issues/:issueId/reopen",
    summary: "A reviewer reopens a fixed or resolved issue",
    params: IssueParams,
    body: IssueTransition,
    response: Issue,
  }),
  commentIssue: endpoint({
    method: "POST",
    path: "/issues/:issueId/comments",
    summary: "Add a comment to an issue's thread",
    params: IssueParams,
    body: CommentCreate,
    response: Issue,
    status: 201,
  }),
  imageHistory: endpoint({
    method: "GET",
    path: "/images/:imageId/history",
    summary: "Who annotated, submitted, reviewed, decided and commented, in order, with revisions",
    params: ImageParams,
    response: ImageHistory,
  }),
  reportActivity: endpoint({
    method: "POST",
    path: "/images/:imageId/activity",
    summary: "Add focused editor seconds to the caller's active time on this image",
    params: ImageParams,
    body: ActivityReport,
    status: 204,
  }),
  annotatorStats: endpoint({
    method: "GET",
    path: "/projects/:projectId/annotator-stats",
    summary:
      "Per member: submitted, accepted at first pass, rejected, rework rate, objects, active time (annotators see their own row)",
    params: ProjectParams,
    response: z.object({ items: z.array(AnnotatorStats) }),
  }),
};
