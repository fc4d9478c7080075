import { ReviewQueueQuery } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import {
  activeFilters,
  DEFAULT_QUEUE_SCOPE,
  dayStart,
  isDay,
  localDay,
  parseQueueScope,
  QUEUE_STATES,
  queueQuery,
  queueSearch,
  reviewHref,
  withQueueScope,
} from "./queue-scope";

const parse = (qs: string) => parseQueueScope(new URLSearchParams(qs));
const SINCE = "2026-11-30T23:00:00.000Z";

describe("review queue scope", () => {
  it("offers exactly the states the queue endpoint accepts", () => {
    expect([...QUEUE_STATES].sort()).toEqual([...ReviewQueueQuery.shape.state.unwrap().options].sort());
  });

  it("is the pending queue with no filters when the URL says nothing, and writes nothing then", () => {
    expect(parse("")).toEqual(DEFAULT_QUEUE_SCOPE);
    expect(queueSearch(DEFAULT_QUEUE_SCOPE)).toBe("");
  });

  it("round-trips every filter through the URL, under the endpoint's own names", () => {
    const qs = `?state=stale&annotatorId=4&labelId=9&submittedSince=${encodeURIComponent(SINCE)}&openIssues=true&attempt=2`;
    const s = parse(qs.slice(1));
    expect(s).toEqual({
      state: "stale",
      annotatorId: 4,
      labelId: 9,
      since: SINCE,
      openIssues: true,
      attempt: 2,
    });
    expect(queueSearch(s)).toBe(qs);
    expect(parse("openIssues=false").openIssues).toBe(false);
  });

  it("ignores malformed values instead of failing: unknown state, ids that are not positive, a time that is not one", () => {
    expect(
      parse("state=done&annotatorId=-1&labelId=1.5&submittedSince=yesterday&openIssues=maybe&attempt=0"),
    ).toEqual(DEFAULT_QUEUE_SCOPE);
    expect(parse("submittedSince=2026-13-45T00:00:00Z").since).toBeUndefined();
    expect(parse("annotatorId=007").annotatorId).toBeUndefined();
  });

  it("replaces only its own keys in a URL", () => {
    const p = withQueueScope(new URLSearchParams("mode=review&annotatorId=3&x=1"), {
      ...DEFAULT_QUEUE_SCOPE,
      labelId: 2,
    });
    expect(p.toString()).toBe("mode=review&x=1&labelId=2");
  });

  it("asks the server with the contract's query", () => {
    const s = parse(`state=accepted&annotatorId=4&submittedSince=${SINCE}&openIssues=false&attempt=1`);
    const q = queueQuery(s);
    expect(q).toEqual({
      state: "accepted",
      annotatorId: 4,
      labelId: undefined,
      submittedSince: SINCE,
      openIssues: "false",
      attempt: 1,
    });
    expect(ReviewQueueQuery.safeParse(q).success).toBe(true);
  });

  it("turns the date picked into the start of that local day, and back", () => {
    expect(isDay("2026-12-01")).toBe(true);
    expect(isDay("2026-02-30")).toBe(false);
    const start = dayStart("2026-12-01");
    expect(new Date(start).getDate()).toBe(1);
    expect(new Date(start).getHours()).toBe(0);
    expect(localDay(start)).toBe("2026-12-01");
  });

  it("opens the editor in review mode carrying the queue's filters, as the editor reads them", () => {
    const s = parse("annotatorId=4&openIssues=true");
    // The same address editor/review/review-scope.ts writes for these filters.
    expect(reviewHref(3, 17, s)).toBe("/projects/3/images/17?mode=review&annotatorId=4&openIssues=true");
    expect(parseQueueScope(new URL(`http://x${reviewHref(3, 17, s)}`).searchParams)).toEqual(s);
  });

  it("counts the filters besides the state", () => {
    expect(activeFilters(DEFAULT_QUEUE_SCOPE)).toBe(0);
    expect(activeFilters(parse("state=stale&labelId=2&openIssues=false"))).toBe(2);
  });
});
