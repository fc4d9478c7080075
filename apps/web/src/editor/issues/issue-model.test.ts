import { describe, expect, it } from "vitest";
import {
  defaultCategory,
  isReworkAuthor,
  issueActions,
  issueCentre,
  issueMark,
  issueRights,
  numberIssues,
  submitBlockedBy,
} from "./issue-model";
import { makeIssue, makeWork } from "./test-fixtures";

describe("issue model", () => {
  it("numbers issues in the order they were raised, whatever order they came in or state they are in", () => {
    const n = numberIssues([
      makeIssue({ id: 30, state: "resolved" }),
      makeIssue({ id: 4 }),
      makeIssue({ id: 12, state: "fixed" }),
    ]);
    expect(n.map((x) => [x.issue.id, x.n])).toEqual([
      [4, 1],
      [12, 2],
      [30, 3],
    ]);
  });

  it("a shape anchor follows the shape as the editor holds it; where it is gone, the stored box stands in", () => {
    const issue = makeIssue({
      id: 1,
      anchor: { kind: "shape", annotationId: "a", box: { x: 5, y: 6, width: 7, height: 8 } },
    });
    const moved = {
      id: "a",
      labelId: 1,
      geometry: { type: "box" as const, x: 100, y: 50, width: 20, height: 10 },
    };
    expect(issueMark(issue, (id) => (id === "a" ? moved : undefined))).toEqual({
      kind: "shape",
      geometry: moved.geometry,
      bounds: { minX: 100, minY: 50, maxX: 120, maxY: 60 },
    });
    expect(issueMark(issue, () => undefined)).toEqual({
      kind: "gone",
      bounds: { minX: 5, minY: 6, maxX: 12, maxY: 14 },
    });
    const noBox = makeIssue({ id: 2, anchor: { kind: "shape", annotationId: "a" } });
    expect(issueMark(noBox, () => undefined)).toBeNull();
  });

  it("points and regions are where they were pinned; the centre is what the panel brings into view", () => {
    const region = makeIssue({ id: 1, anchor: { kind: "region", x: 10, y: 20, width: 100, height: 40 } });
    expect(issueCentre(issueMark(region, () => undefined))).toEqual({ x: 60, y: 40 });
    expect(issueCentre(issueMark(makeIssue({ id: 2 }), () => undefined))).toEqual({ x: 10, y: 20 });
  });

  it("rights follow the shared policy: reviewers, managers and admins review; everyone comments", () => {
    expect(issueRights("reviewer", 1)).toMatchObject({ review: true, comment: true });
    expect(issueRights("manager", 1)).toMatchObject({ review: true, comment: true });
    expect(issueRights("admin", 1)).toMatchObject({ review: true, comment: true });
    expect(issueRights("annotator", 1)).toMatchObject({ review: false, comment: true });
  });

  it("fix from open by the assignee or a reviewer; resolve and reopen by reviewers from the states allowing them", () => {
    const annotator = issueRights("annotator", 3);
    const other = issueRights("annotator", 9);
    const reviewer = issueRights("reviewer", 2);
    const open = makeIssue({ id: 1, assigneeId: 3 });
    expect(issueActions(open, annotator)).toEqual({ fix: true, resolve: false, reopen: false });
    expect(issueActions(open, other)).toEqual({ fix: false, resolve: false, reopen: false });
    expect(issueActions(open, reviewer)).toEqual({ fix: true, resolve: true, reopen: false });
    expect(issueActions({ ...open, state: "fixed" }, reviewer)).toEqual({
      fix: false,
      resolve: true,
      reopen: true,
    });
    expect(issueActions({ ...open, state: "resolved" }, reviewer)).toEqual({
      fix: false,
      resolve: false,
      reopen: true,
    });
    expect(issueActions({ ...open, state: "fixed" }, annotator)).toEqual({
      fix: false,
      resolve: false,
      reopen: false,
    });
  });

  it("the checklist is the rework author's: a rejected image assigned back to them", () => {
    expect(isReworkAuthor(makeWork(), 3)).toBe(true);
    expect(isReworkAuthor(makeWork(), 2)).toBe(false);
    expect(isReworkAuthor(makeWork({ reviewState: "pending" }), 3)).toBe(false);
    expect(isReworkAuthor(null, 3)).toBe(false);
  });

  it("submit is blocked while any issue is open, and says how many", () => {
    expect(
      submitBlockedBy([makeIssue({ id: 1, state: "fixed" }), makeIssue({ id: 2, state: "resolved" })]),
    ).toBeNull();
    expect(submitBlockedBy([makeIssue({ id: 1 }), makeIssue({ id: 2, state: "fixed" })])).toBe(
      "1 open issue: mark it fixed before submitting",
    );
    expect(submitBlockedBy([makeIssue({ id: 1 }), makeIssue({ id: 2 })])).toMatch(
      /^2 open issues: mark each/,
    );
  });

  it("the form suggests 'missing' for a point or a region and 'loose' for a shape", () => {
    expect(defaultCategory({ kind: "point", x: 1, y: 1 })).toBe("missing");
    expect(defaultCategory({ kind: "region", x: 1, y: 1, width: 2, height: 2 })).toBe("missing");
    expect(defaultCategory({ kind: "shape", annotationId: "a" })).toBe("loose");
  });
});
