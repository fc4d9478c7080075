import type { ImageWork, ReviewEvent } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { describeEvent, eventComment } from "../../review/review-text";
import { attemptTitle, groupByAttempt, workSummary } from "./history-model";

const ev = (
  id: number,
  kind: ReviewEvent["kind"],
  attempt: number,
  at: string,
  over: Partial<ReviewEvent> = {},
): ReviewEvent => ({
  id,
  imageId: 9,
  kind,
  actorId: 1,
  actorName: "Ana",
  subjectId: null,
  attempt,
  revision: null,
  issueId: null,
  detail: {},
  createdAt: at,
  ...over,
});

const work: ImageWork = {
  imageId: 9,
  projectId: 1,
  assigneeId: 2,
  assignedVia: "rework",
  leaseUntil: null,
  reviewState: "rejected",
  attempt: 1,
  inSample: true,
  submittedBy: 2,
  submittedAt: "2026-12-01T10:00:00.000Z",
  submittedRevision: 4,
  decision: "rejected",
  decidedBy: 1,
  decidedAt: "2026-12-01T11:00:00.000Z",
  decidedRevision: 4,
  stale: false,
  revision: 4,
  unresolvedIssues: 2,
};

describe("groupByAttempt", () => {
  it("puts the latest attempt first and each attempt's events in time order", () => {
    const groups = groupByAttempt([
      ev(3, "rejected", 1, "2026-12-01T11:00:00.000Z"),
      ev(1, "assigned", 0, "2026-12-01T09:00:00.000Z"),
      ev(4, "submitted", 2, "2026-12-01T12:00:00.000Z"),
      ev(2, "submitted", 1, "2026-12-01T10:00:00.000Z"),
    ]);
    expect(groups.map((g) => [g.attempt, g.events.map((e) => e.id)])).toEqual([
      [2, [4]],
      [1, [2, 3]],
      [0, [1]],
    ]);
  });

  it("orders events of the same instant by id", () => {
    const at = "2026-12-01T10:00:00.000Z";
    expect(
      groupByAttempt([ev(5, "commented", 1, at), ev(4, "issue_opened", 1, at)])[0]?.events.map((e) => e.id),
    ).toEqual([4, 5]);
  });

  it("names attempts", () => {
    expect(attemptTitle(0)).toBe("Before the first submission");
    expect(attemptTitle(2)).toBe("Attempt 2 (rework)");
  });
});

describe("describeEvent", () => {
  it("says who did what, on which attempt and revision, with the reasons", () => {
    const e = ev(1, "rejected", 1, "2026-12-01T11:00:00.000Z", {
      revision: 7,
      detail: { reasons: ["missing_objects", "wrong_labels", "not-a-reason"], comment: " look left " },
    });
    expect(describeEvent(e, () => null)).toBe(
      "Ana rejected (attempt 1, revision 7): Missing objects, Wrong labels",
    );
    expect(eventComment(e)).toBe("look left");
    expect(describeEvent(e, () => null, { withAttempt: false })).toBe(
      "Ana rejected (revision 7): Missing objects, Wrong labels",
    );
  });

  it("names the assignee of an assignment", () => {
    const e = ev(1, "assigned", 0, "2026-12-01T11:00:00.000Z", { subjectId: 2 });
    expect(describeEvent(e, (id) => (id === 2 ? "Bo" : null))).toBe("Ana assigned it to Bo");
  });
});

describe("workSummary", () => {
  it("says who holds the image, how often it was submitted and what is open", () => {
    expect(workSummary(work, (id) => (id === 2 ? "Bo" : null))).toBe(
      "reworked by Bo · submitted once · decided at revision 4 · 2 unresolved issues",
    );
  });

  it("mentions a decision that went stale", () => {
    expect(workSummary({ ...work, stale: true, revision: 6, unresolvedIssues: 0 }, () => "Bo")).toBe(
      "reworked by Bo · submitted once · decided at revision 4, changed since (now 6)",
    );
  });
});
