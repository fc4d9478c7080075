import { ReviewQueueQuery } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import {
  activeFilters,
  DEFAULT_QUEUE_SCOPE,
  dayStart,
  parseQueueScope,
  QUEUE_STATES,
  queueQuery,
  queueSearch,
  reviewHref,
  withQueueScope,
} from "./queue-scope";

const parse = (qs: string) => parseQueueScope(new URLSearchParams(qs));

describe("review queue scope", () => {
  it("offers exactly the states the queue endpoint accepts", () => {
    expect([...QUEUE_STATES].sort()).toEqual([...ReviewQueueQuery.shape.state.unwrap().options].sort());
  });

  it("is the pending queue with no filters when the URL says nothing, and writes nothing then", () => {
    expect(parse("")).toEqual(DEFAULT_QUEUE_SCOPE);
    expect(queueSearch(DEFAULT_QUEUE_SCOPE)).toBe("");
  });

  it("round-trips every filter through the URL", () => {
    const qs = "?state=stale&annotator=4&label=9&since=2026-12-01&issues=open&attempt=2";
    const s = parse(qs.slice(1));
    expect(s).toEqual({
      state: "stale",
      annotatorId: 4,
      labelId: 9,
      since: "2026-12-01",
      openIssues: true,
      attempt: 2,
    });
    expect(queueSearch(s)).toBe(qs);
    expect(parse("issues=none").openIssues).toBe(false);
  });

  it("ignores malformed values instead of failing: unknown state, ids that are not positive, days that do not exist", () => {
    expect(parse("state=done&annotator=-1&label=1.5&since=2026-02-30&issues=maybe&attempt=0")).toEqual(
      DEFAULT_QUEUE_SCOPE,
    );
    expect(parse("since=2026-13-01").since).toBeUndefined();
    expect(parse("annotator=007").annotatorId).toBeUndefined();
  });

  it("replaces only its own keys in a URL", () => {
    const p = withQueueScope(new URLSearchParams("mode=review&annotator=3&x=1"), {
      ...DEFAULT_QUEUE_SCOPE,
      labelId: 2,
    });
    expect(p.toString()).toBe("mode=review&x=1&label=2");
  });

  it("asks the server with the contract's query, a day as the local midnight in UTC", () => {
    const s = parse("state=accepted&annotator=4&since=2026-12-01&issues=none&attempt=1");
    const q = queueQuery(s);
    expect(q).toEqual({
      state: "accepted",
      annotatorId: 4,
      labelId: undefined,
      submittedSince: dayStart("2026-12-01"),
      openIssues: "false",
      attempt: 1,
    });
    expect(new Date(dayStart("2026-12-01")).getDate()).toBe(1);
    expect(ReviewQueueQuery.safeParse(q).success).toBe(true);
  });

  it("opens the editor in review mode carrying the queue's filters", () => {
    const s = parse("annotator=4&issues=open");
    expect(reviewHref(3, 17, s)).toBe("/projects/3/images/17?mode=review&annotator=4&issues=open");
    expect(parseQueueScope(new URL(`http://x${reviewHref(3, 17, s)}`).searchParams)).toEqual(s);
  });

  it("counts the filters besides the state", () => {
    expect(activeFilters(DEFAULT_QUEUE_SCOPE)).toBe(0);
    expect(activeFilters(parse("state=stale&label=2&issues=none"))).toBe(2);
  });
});
