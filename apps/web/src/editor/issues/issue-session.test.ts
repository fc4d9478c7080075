import type { Issue, IssueCreate } from "@labelbench/schema";
import { describe, expect, it, vi } from "vitest";
import { createIssueSession, type IssueApi } from "./issue-session";
import { makeDiff, makeIssue, makeWork } from "./test-fixtures";

/** A server holding issues per image; every call can be held back to test replies arriving late. */
const fakeServer = () => {
  const issues = new Map<number, Issue[]>([
    [7, [makeIssue({ id: 1 }), makeIssue({ id: 2, state: "fixed" })]],
  ]);
  let nextId = 10;
  const refuse = { next: null as string | null };
  const guard = () => {
    if (refuse.next) {
      const m = refuse.next;
      refuse.next = null;
      throw new Error(m);
    }
  };
  const api: IssueApi = {
    listIssues: async (imageId) => [...(issues.get(imageId) ?? [])],
    work: async (imageId) => makeWork({ imageId }),
    diff: async (imageId) => makeDiff({ imageId, baseRevision: imageId === 7 ? 4 : null }),
    create: async (imageId, body: IssueCreate) => {
      guard();
      const issue = makeIssue({ id: nextId++, imageId, anchor: body.anchor, category: body.category });
      issues.set(imageId, [...(issues.get(imageId) ?? []), issue]);
      return issue;
    },
    comment: async (issueId, body) => {
      guard();
      const list = issues.get(7) ?? [];
      const i = list.find((x) => x.id === issueId) as Issue;
      const next = {
        ...i,
        comments: [
          ...i.comments,
          { id: 99, issueId, authorId: 3, authorName: "Ann", body, createdAt: i.createdAt },
        ],
      };
      issues.set(
        7,
        list.map((x) => (x.id === issueId ? next : x)),
      );
      return next;
    },
    transition: async (issueId, step) => {
      guard();
      const list = issues.get(7) ?? [];
      const i = list.find((x) => x.id === issueId) as Issue;
      const next = {
        ...i,
        state:
          step === "fix"
            ? ("fixed" as const)
            : step === "resolve"
              ? ("resolved" as const)
              : ("open" as const),
      };
      issues.set(
        7,
        list.map((x) => (x.id === issueId ? next : x)),
      );
      return next;
    },
  };
  return { api, issues, refuse };
};

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("issue session", () => {
  it("shows an image's issues numbered, its work and its diff (on when it was decided before)", async () => {
    const { api } = fakeServer();
    const s = createIssueSession({ api, notify: () => {} });
    s.show(7);
    await flush();
    const st = s.store.getState();
    expect(st.issues.map((n) => [n.issue.id, n.n])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(st.work?.reviewState).toBe("rejected");
    expect(st.showDiff).toBe(true);
    expect(s.marks.get().issues).toBe(st.issues);
    expect(s.marks.hasContent({ issueDraft: null })).toBe(true);
    s.show(8);
    await flush();
    expect(s.store.getState().issues).toEqual([]);
    expect(s.store.getState().showDiff).toBe(false);
  });

  it("shows the issues as soon as they are read, without waiting for the diff (the server's slowest answer)", async () => {
    const { api } = fakeServer();
    let releaseDiff = () => {};
    const slowDiff: IssueApi = {
      ...api,
      diff: (id) =>
        new Promise((r) => {
          releaseDiff = () => void api.diff(id).then(r);
        }),
    };
    const s = createIssueSession({ api: slowDiff, notify: () => {} });
    s.show(7);
    await flush();
    expect(s.store.getState().issues).toHaveLength(2);
    expect(s.store.getState().loading).toBe(false);
    expect(s.marks.get().issues).toHaveLength(2);
    expect(s.store.getState().diff).toBeNull();
    releaseDiff();
    await flush();
    expect(s.store.getState().diff?.baseRevision).toBe(4);
    expect(s.store.getState().showDiff).toBe(true);
  });

  it("a reply for an image no longer shown is dropped", async () => {
    const { api } = fakeServer();
    const release = new Map<number, () => void>();
    const slow: IssueApi = {
      ...api,
      listIssues: (id) =>
        new Promise((r) =>
          release.set(id, () => r(id === 7 ? [makeIssue({ id: 5 })] : [makeIssue({ id: 6, imageId: 8 })])),
        ),
    };
    const s = createIssueSession({ api: slow, notify: () => {} });
    s.show(7);
    s.show(8);
    release.get(8)?.();
    await flush();
    release.get(7)?.();
    await flush();
    expect(s.store.getState().imageId).toBe(8);
    expect(s.store.getState().issues.map((n) => n.issue.id)).toEqual([6]);
  });

  it("a new issue joins the list with the next number and is selected", async () => {
    const { api } = fakeServer();
    const s = createIssueSession({ api, notify: () => {} });
    s.show(7);
    await flush();
    const issue = await s.create({ anchor: { kind: "shape", annotationId: "a" }, category: "loose" });
    expect(issue?.id).toBe(10);
    const st = s.store.getState();
    expect(st.issues.at(-1)).toMatchObject({ n: 3, issue: { id: 10, category: "loose" } });
    expect(st.selectedId).toBe(10);
    expect(st.busy).toBeNull();
  });

  it("fixing replaces the issue in place and says so; a refusal is announced and the list read again", async () => {
    const { api, issues, refuse } = fakeServer();
    const notify = vi.fn();
    const s = createIssueSession({ api, notify });
    s.show(7);
    await flush();
    expect(await s.step(1, "fix", "tightened it")).toBe(true);
    expect(s.store.getState().issues[0]?.issue.state).toBe("fixed");
    expect(notify).toHaveBeenLastCalledWith("info", "Issue #1 marked fixed");

    // Someone resolved issue 2 meanwhile: the server refuses the reopen's twin and the list catches up.
    issues.set(
      7,
      (issues.get(7) ?? []).map((i) => (i.id === 2 ? { ...i, state: "resolved" as const } : i)),
    );
    refuse.next = "issue 2 is resolved";
    expect(await s.step(2, "fix")).toBe(false);
    expect(notify).toHaveBeenLastCalledWith("error", "The issue was not marked fixed: issue 2 is resolved");
    expect(s.store.getState().issues[1]?.issue.state).toBe("resolved");
  });

  it("a comment lands in the thread; a failed one keeps the list as it was", async () => {
    const { api, refuse } = fakeServer();
    const notify = vi.fn();
    const s = createIssueSession({ api, notify });
    s.show(7);
    await flush();
    expect(await s.comment(1, "where exactly?")).toBe(true);
    expect(s.store.getState().issues[0]?.issue.comments.map((c) => c.body)).toEqual(["where exactly?"]);
    refuse.next = "network";
    expect(await s.comment(1, "again")).toBe(false);
    expect(s.store.getState().issues[0]?.issue.comments).toHaveLength(1);
    expect(notify).toHaveBeenCalledWith("error", "The comment was not saved: network");
  });

  it("the diff starts off where the page says so (the author reworking the image)", async () => {
    const { api } = fakeServer();
    const s = createIssueSession({ api, notify: () => {}, diffOnOpen: () => false });
    s.show(7);
    await flush();
    expect(s.store.getState().diff?.baseRevision).toBe(4);
    expect(s.store.getState().showDiff).toBe(false);
  });

  it("a first read that failed (offline) is read again with its diff, and the error goes", async () => {
    const { api } = fakeServer();
    let offline = true;
    const reach = <T>(f: () => Promise<T>) =>
      offline ? Promise.reject(new Error("cannot reach the server")) : f();
    const flaky: IssueApi = {
      ...api,
      listIssues: (id) => reach(() => api.listIssues(id)),
      work: (id) => reach(() => api.work(id)),
      diff: (id) => reach(() => api.diff(id)),
    };
    const s = createIssueSession({ api: flaky, notify: () => {} });
    s.show(7);
    await flush();
    expect(s.store.getState().error).toMatch(/cannot reach the server/);
    expect(s.store.getState().diff).toBeNull();
    offline = false;
    await s.reload();
    expect(s.store.getState().error).toBeNull();
    expect(s.store.getState().issues).toHaveLength(2);
    expect(s.store.getState().diff?.baseRevision).toBe(4);
  });

  it("G toggles the diff overlay, and the marks follow", async () => {
    const { api } = fakeServer();
    const s = createIssueSession({ api, notify: () => {} });
    s.show(7);
    await flush();
    s.toggleDiff();
    expect(s.store.getState().showDiff).toBe(false);
    expect(s.marks.get().showDiff).toBe(false);
  });
});
