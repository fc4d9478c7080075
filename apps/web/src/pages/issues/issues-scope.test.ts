import { describe, expect, it } from "vitest";
import {
  DEFAULT_ISSUES_SCOPE,
  issueHref,
  issuesQuery,
  issuesSearch,
  parseIssuesScope,
  toggledStates,
} from "./issues-scope";

const parse = (qs: string) => parseIssuesScope(new URLSearchParams(qs));

describe("issues scope", () => {
  it("shows open and fixed issues by default, with a short URL", () => {
    expect(parse("")).toEqual(DEFAULT_ISSUES_SCOPE);
    expect(issuesSearch(DEFAULT_ISSUES_SCOPE)).toBe("");
  });

  it("round-trips states and annotator through the URL", () => {
    const s = parse("state=resolved,open&annotator=7&image=12");
    expect(s).toEqual({ states: ["open", "resolved"], annotatorId: 7, imageId: 12 });
    expect(issuesSearch(s)).toBe("?state=open,resolved&annotator=7&image=12");
    expect(parse(issuesSearch(s).slice(1))).toEqual(s);
  });

  it("keeps every state with state=all", () => {
    expect(parse("state=all").states).toEqual([]);
    expect(issuesSearch({ states: [], annotatorId: undefined, imageId: undefined })).toBe("?state=all");
    expect(issuesQuery({ states: [], annotatorId: undefined, imageId: undefined }).state).toBeUndefined();
  });

  it("falls back to the default on unknown states or a malformed annotator", () => {
    expect(parse("state=bogus&annotator=0x1&image=-2")).toEqual(DEFAULT_ISSUES_SCOPE);
  });

  it("asks the server in the schema's state order", () => {
    expect(issuesQuery({ states: ["resolved", "open"], annotatorId: 3, imageId: 5 })).toEqual({
      state: "open,resolved",
      assigneeId: 3,
      imageId: 5,
    });
  });

  it("opens the editor at the issue, in review mode for reviewers", () => {
    expect(issueHref(1, 2, 3, true)).toBe("/projects/1/images/2?mode=review&issue=3");
    expect(issueHref(1, 2, 3, false)).toBe("/projects/1/images/2?issue=3");
  });
});

describe("toggledStates", () => {
  it("unchecks one state out of all of them", () => {
    expect(toggledStates([], "fixed")).toEqual(["open", "resolved"]);
  });

  it("adds a state in the schema's order, and checking the third means all", () => {
    expect(toggledStates(["resolved"], "open")).toEqual(["open", "resolved"]);
    expect(toggledStates(["open", "fixed"], "resolved")).toEqual([]);
  });

  it("treats unchecking the last state as showing all", () => {
    expect(toggledStates(["open"], "open")).toEqual([]);
  });
});
