import { describe, expect, test } from "vitest";
import {
  isReviewMode,
  parseReviewFilters,
  reviewEditorPath,
  reviewQueueQuery,
  reviewSearch,
} from "./review-scope";

describe("review scope", () => {
  test("the queue's filters go from the URL to the endpoint's query and back", () => {
    const params = new URLSearchParams(
      "mode=review&state=stale&annotatorId=4&labelId=9&openIssues=true&attempt=2&submittedSince=2026-12-01T00:00:00.000Z",
    );
    expect(isReviewMode(params)).toBe(true);
    const f = parseReviewFilters(params);
    expect(f).toEqual({
      state: "stale",
      annotatorId: 4,
      labelId: 9,
      openIssues: true,
      attempt: 2,
      submittedSince: "2026-12-01T00:00:00.000Z",
    });
    expect(reviewQueueQuery(f)).toMatchObject({ state: "stale", openIssues: "true", attempt: 2 });
    expect(parseReviewFilters(new URLSearchParams(reviewSearch(f)))).toEqual(f);
  });

  test("defaults are left out; a bad value drops itself only", () => {
    const f = parseReviewFilters(
      new URLSearchParams("mode=review&attempt=zero&annotatorId=3&state=nonsense"),
    );
    expect(f).toEqual({ state: "pending", annotatorId: 3 });
    expect(reviewSearch(f)).toBe("?mode=review&annotatorId=3");
    expect(reviewEditorPath(2, 17)).toBe("/projects/2/images/17?mode=review");
    expect(isReviewMode(new URLSearchParams("status=done"))).toBe(false);
  });
});
