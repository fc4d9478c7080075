import type { ImageWork, Issue, ReviewDiff } from "@labelbench/schema";

/** An issue as the server sends it, with what a test does not care about filled in. */
export const makeIssue = (over: Partial<Issue> & Pick<Issue, "id">): Issue => ({
  projectId: 1,
  imageId: 7,
  anchor: { kind: "point", x: 10, y: 20 },
  shapeGone: false,
  category: "missing",
  severity: "major",
  state: "open",
  attempt: 1,
  authorId: 2,
  assigneeId: 3,
  createdAt: "2026-12-07T01:00:00.000Z",
  updatedAt: "2026-12-07T01:00:00.000Z",
  comments: [],
  ...over,
});

export const makeWork = (over: Partial<ImageWork> = {}): ImageWork => ({
  imageId: 7,
  projectId: 1,
  assigneeId: 3,
  assignedVia: "rework",
  leaseUntil: null,
  reviewState: "rejected",
  attempt: 1,
  inSample: true,
  submittedBy: 3,
  submittedAt: "2026-12-07T01:00:00.000Z",
  submittedRevision: 4,
  decision: "rejected",
  decidedBy: 2,
  decidedAt: "2026-12-07T01:05:00.000Z",
  decidedRevision: 4,
  stale: false,
  revision: 4,
  unresolvedIssues: 1,
  ...over,
});

export const makeDiff = (over: Partial<ReviewDiff> = {}): ReviewDiff => ({
  imageId: 7,
  baseRevision: 4,
  revision: 6,
  added: [],
  removed: [],
  changed: [],
  tagsAdded: [],
  tagsRemoved: [],
  ...over,
});
