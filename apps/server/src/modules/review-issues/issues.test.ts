import { Issue, IssuePage, type Label } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, expectError, issuePaths, uploadImage } from "../../test-support/api.js";
import { insertUserWithToken, makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";

/**
 * Issues pinned where the problem is (issue 15): one project with a 100x50 image submitted by the
 * annotator `author`, a reviewer, a second annotator of the project, an annotator of no project and
 * a read-only token. Every request names who sends it.
 */
let t: TestApp;
let projectId: number;
let imageId: number;
let label: Label;
const W = 100;
const H = 50;

interface Person {
  userId: number;
  token: string;
}
let author: Person;
let other: Person;
let reviewer: Person;
let outsider: Person;
let readOnly: Person;

const person = async (
  email: string,
  role: "annotator" | "reviewer" | "manager" | "admin",
  scope: "read" | "write" = "write",
) => insertUserWithToken(t.sql, { email, name: email.split("@")[0] ?? email, role }, scope);
const join = async (p: Person) => {
  const r = await request(t.app).post(`/api/v1/projects/${projectId}/members`).send({ userId: p.userId });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
};

/** What a submission leaves on the image (the submit endpoint is the workflow module's). */
const submittedBy = async (id: number, p: Person | null, attempt = 1) => {
  await t.sql
    .updateTable("images")
    .set({
      submitted_by: p?.userId ?? null,
      submitted_at: p ? new Date().toISOString() : null,
      attempt,
      review_state: p ? "pending" : "none",
    })
    .where("id", "=", id)
    .execute();
};

beforeEach(async () => {
  t = await makeTestApp();
  const p = await createProject(t.app);
  projectId = p.id;
  label = await createLabel(t.app, projectId, { name: "car" });
  imageId = (
    await uploadImage(t.app, projectId, { name: "one.png", data: await png({ width: W, height: H }) })
  ).id;
  author = await person("author@example.com", "annotator");
  other = await person("other@example.com", "annotator");
  reviewer = await person("reviewer@example.com", "reviewer");
  outsider = await person("outsider@example.com", "annotator");
  readOnly = await person("reader@example.com", "admin", "read");
  for (const m of [author, other, reviewer]) await join(m);
  await submittedBy(imageId, author);
});
afterEach(() => t.cleanup());

const as = (p: Person | null) => (p ? { authorization: `Bearer ${p.token}` } : {});
const get = (path: string, p: Person | null = reviewer) => request(t.app).get(`/api/v1${path}`).set(as(p));
const post = (path: string, body: object, p: Person | null = reviewer) =>
  request(t.app).post(`/api/v1${path}`).set(as(p)).send(body);

const point = (x: number, y: number) => ({ kind: "point", x, y });
const region = (x: number, y: number, width: number, height: number) => ({
  kind: "region",
  x,
  y,
  width,
  height,
});
const box = (x: number, y: number, width: number, height: number) => ({ type: "box", x, y, width, height });

const raise = async (body: object, on = imageId, p: Person = reviewer) => {
  const res = await post(`/images/${on}/issues`, { category: "missing", ...body }, p);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return Issue.parse(res.body);
};
const step = async (
  issueId: number,
  action: "fix" | "resolve" | "reopen",
  p: Person | null,
  body: object = {},
) => {
  const res = await post(`/issues/${issueId}/${action}`, body, p);
  expect(res.status, `${action} as ${p?.userId}: ${JSON.stringify(res.body)}`).toBe(200);
  return Issue.parse(res.body);
};

/** The image's counter, checked against the rows it counts. */
const unresolved = async (id = imageId) => {
  const row = await t.sql
    .selectFrom("images")
    .select("unresolved_issues")
    .where("id", "=", id)
    .executeTakeFirst();
  const truth = await t.sql
    .selectFrom("review_issues")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("image_id", "=", id)
    .where("state", "<>", "resolved")
    .executeTakeFirstOrThrow();
  expect(row?.unresolved_issues).toBe(Number(truth.n));
  return row?.unresolved_issues;
};
const eventsOf = async (issueId: number) =>
  (
    await t.sql
      .selectFrom("review_events")
      .select(["kind", "actor_id", "subject_id", "attempt", "detail"])
      .where("issue_id", "=", issueId)
      .orderBy("id")
      .execute()
  ).map((e) => ({ ...e, detail: JSON.parse(e.detail) as Record<string, unknown> }));

const saveShape = async (id: string, geometry: object, baseRevision: number) => {
  const res = await request(t.app)
    .patch(`/api/v1/images/${imageId}/annotations`)
    .send({ baseRevision, upsert: [{ id, labelId: label.id, geometry }] });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.revision as number;
};

describe("raising an issue", () => {
  it("pins it on a point with a first comment, on the image's attempt, about the submitter's work", async () => {
    await submittedBy(imageId, author, 2);
    const issue = await raise({
      anchor: point(10, 20),
      category: "missing",
      severity: "critical",
      comment: "  a car here  ",
    });
    expect(issue).toMatchObject({
      projectId,
      imageId,
      anchor: point(10, 20),
      shapeGone: false,
      category: "missing",
      severity: "critical",
      state: "open",
      attempt: 2,
      authorId: reviewer.userId,
      assigneeId: author.userId,
    });
    expect(issue.comments).toEqual([
      expect.objectContaining({ authorId: reviewer.userId, authorName: "reviewer", body: "a car here" }),
    ]);
    expect(await unresolved()).toBe(1);
    expect(await eventsOf(issue.id)).toEqual([
      {
        kind: "issue_opened",
        actor_id: reviewer.userId,
        subject_id: author.userId,
        attempt: 2,
        detail: { category: "missing", severity: "critical", anchor: "point", comment: "a car here" },
      },
    ]);
  });

  it("defaults the severity to major and keeps no empty comment", async () => {
    const issue = await raise({ anchor: region(0, 0, W, H) });
    expect(issue.severity).toBe("major");
    expect(issue.comments).toEqual([]);
  });

  it("is about the image's assignee before anyone submitted it, and about nobody when nobody holds it", async () => {
    await submittedBy(imageId, null, 0);
    await t.sql
      .updateTable("images")
      .set({ assignee_id: other.userId, assigned_via: "manager" })
      .where("id", "=", imageId)
      .execute();
    expect((await raise({ anchor: point(1, 1) })).assigneeId).toBe(other.userId);
    await t.sql
      .updateTable("images")
      .set({ assignee_id: null, assigned_via: null })
      .where("id", "=", imageId)
      .execute();
    const nobody = await raise({ anchor: point(1, 1) });
    expect(nobody).toMatchObject({ assigneeId: null, attempt: 0 });
  });

  it("refuses a point or region outside the image with 400 naming the anchor, and stores nothing", async () => {
    for (const anchor of [
      point(-1, 10),
      point(10, H + 0.5),
      region(90, 10, 11, 5),
      region(-0.5, 0, 10, 10),
    ]) {
      const err = expectError(
        await post(`/images/${imageId}/issues`, { anchor, category: "extra" }),
        400,
        "VALIDATION_ERROR",
      );
      expect(issuePaths(err.details)).toEqual(["body.anchor"]);
      expect(err.message).toContain(`outside the image ${W}x${H}`);
    }
    // A zero-sized region and a non-finite coordinate are the contract's to refuse.
    const zero = expectError(
      await post(`/images/${imageId}/issues`, { anchor: region(1, 1, 0, 5), category: "extra" }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(zero.details)).toEqual(["body.anchor.width"]);
    // The edges belong to the image.
    await raise({ anchor: point(W, H) });
    await raise({ anchor: region(0, 0, W, H) });
    expect((await get(`/images/${imageId}/issues`)).body.items).toHaveLength(2);
    expect(await unresolved()).toBe(2);
  });

  it("pins on a shape the image holds, keeping the shape's bounds in the anchor whatever the client sent", async () => {
    const rev = await saveShape("s-box", box(10, 5, 20, 10), 0);
    await saveShape(
      "s-poly",
      {
        type: "polygon",
        points: [
          [40, 10],
          [70, 2],
          [55, 40],
        ],
      },
      rev,
    );
    const onBox = await raise({
      anchor: { kind: "shape", annotationId: "s-box", box: { x: 0, y: 0, width: 1, height: 1 } },
      category: "loose",
    });
    expect(onBox.anchor).toEqual({
      kind: "shape",
      annotationId: "s-box",
      box: { x: 10, y: 5, width: 20, height: 10 },
    });
    const onPoly = await raise({
      anchor: { kind: "shape", annotationId: "s-poly" },
      category: "wrong_label",
    });
    expect(onPoly.anchor).toEqual({
      kind: "shape",
      annotationId: "s-poly",
      box: { x: 40, y: 2, width: 30, height: 38 },
    });
    expect(onPoly.shapeGone).toBe(false);
  });

  it("answers 409 WORKFLOW_CONFLICT for a shape the image does not hold", async () => {
    const err = expectError(
      await post(`/images/${imageId}/issues`, {
        anchor: { kind: "shape", annotationId: "gone" },
        category: "extra",
      }),
      409,
      "WORKFLOW_CONFLICT",
    );
    expect(err.message).toBe(`image ${imageId} has no annotation "gone"`);
    expect(await unresolved()).toBe(0);
  });

  it("refuses a first comment over 4000 characters, an unknown category and an unknown image", async () => {
    const long = expectError(
      await post(`/images/${imageId}/issues`, {
        anchor: point(1, 1),
        category: "other",
        comment: "x".repeat(4001),
      }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(long.details)).toEqual(["body.comment"]);
    const cat = expectError(
      await post(`/images/${imageId}/issues`, { anchor: point(1, 1), category: "ugly" }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(cat.details)).toEqual(["body.category"]);
    expectError(
      await post("/images/999999/issues", { anchor: point(1, 1), category: "other" }, null),
      404,
      "NOT_FOUND",
    );
    expectError(await get("/images/999999/issues", null), 404, "NOT_FOUND");
    expect(await unresolved()).toBe(0);
  });
});

describe("an issue's steps", () => {
  it("goes open -> fixed -> resolved -> open -> resolved, each step an event, the counter exact throughout", async () => {
    const issue = await raise({ anchor: point(5, 5) });
    expect(await unresolved()).toBe(1);
    const fixed = await step(issue.id, "fix", author, { comment: "added it" });
    expect(fixed.state).toBe("fixed");
    expect(fixed.comments.map((c) => [c.authorName, c.body])).toEqual([["author", "added it"]]);
    expect(await unresolved()).toBe(1);
    expect((await step(issue.id, "resolve", reviewer)).state).toBe("resolved");
    expect(await unresolved()).toBe(0);
    expect((await step(issue.id, "reopen", reviewer, { comment: "still missing" })).state).toBe("open");
    expect(await unresolved()).toBe(1);
    expect((await step(issue.id, "resolve", reviewer)).state).toBe("resolved");
    expect(await unresolved()).toBe(0);
    expect((await step(issue.id, "reopen", reviewer)).state).toBe("open");
    expect((await step(issue.id, "fix", author)).state).toBe("fixed");
    expect((await step(issue.id, "reopen", null)).state).toBe("open");
    expect(await unresolved()).toBe(1);
    const events = await eventsOf(issue.id);
    expect(events.map((e) => [e.kind, e.detail.from ?? null])).toEqual([
      ["issue_opened", null],
      ["issue_fixed", "open"],
      ["issue_resolved", "fixed"],
      ["issue_reopened", "resolved"],
      ["issue_resolved", "open"],
      ["issue_reopened", "resolved"],
      ["issue_fixed", "open"],
      ["issue_reopened", "fixed"],
    ]);
    expect(events[1]).toMatchObject({
      actor_id: author.userId,
      subject_id: author.userId,
      detail: { comment: "added it" },
    });
    const listed = Issue.parse((await get(`/images/${imageId}/issues`)).body.items[0]);
    expect(listed.comments.map((c) => c.body)).toEqual(["added it", "still missing"]);
  });

  it("refuses each step from a state it does not start from with 409 naming the current state, changing nothing", async () => {
    const issue = await raise({ anchor: point(5, 5) });
    const refuse = async (action: string, message: string) => {
      const err = expectError(
        await post(`/issues/${issue.id}/${action}`, { comment: "lost?" }),
        409,
        "WORKFLOW_CONFLICT",
      );
      expect(err.message).toBe(message);
    };
    await refuse(
      "reopen",
      `issue ${issue.id} is open; only an issue that is fixed or resolved can be reopened`,
    );
    await step(issue.id, "fix", author);
    await refuse("fix", `issue ${issue.id} is fixed; only an issue that is open can be marked fixed`);
    await step(issue.id, "resolve", reviewer);
    await refuse("fix", `issue ${issue.id} is resolved; only an issue that is open can be marked fixed`);
    await refuse(
      "resolve",
      `issue ${issue.id} is resolved; only an issue that is open or fixed can be resolved`,
    );
    const now = Issue.parse((await get(`/images/${imageId}/issues`)).body.items[0]);
    expect(now.state).toBe("resolved");
    expect(now.comments).toEqual([]);
    expect((await eventsOf(issue.id)).map((e) => e.kind)).toEqual([
      "issue_opened",
      "issue_fixed",
      "issue_resolved",
    ]);
    expect(await unresolved()).toBe(0);
  });

  it("lets only the annotator the issue is about mark it fixed, among annotators; reviewers, managers and admins may", async () => {
    const a = await raise({ anchor: point(5, 5) });
    const err = expectError(await post(`/issues/${a.id}/fix`, {}, other), 403, "FORBIDDEN");
    expect(err.message).toContain("another annotator's work");
    expect(Issue.parse((await get(`/images/${imageId}/issues`)).body.items[0]).state).toBe("open");
    expect((await step(a.id, "fix", reviewer)).state).toBe("fixed");
    const b = await raise({ anchor: point(6, 6) });
    const manager = await person("manager@example.com", "manager");
    expect((await step(b.id, "fix", manager)).state).toBe("fixed");
    // Nobody's issue: no annotator may claim it.
    await submittedBy(imageId, null, 0);
    const c = await raise({ anchor: point(7, 7) });
    expect(expectError(await post(`/issues/${c.id}/fix`, {}, author), 403, "FORBIDDEN").message).toContain(
      "nobody's work",
    );
  });

  it("keeps resolving and reopening to reviewers: the author gets 403", async () => {
    const issue = await raise({ anchor: point(5, 5) });
    await step(issue.id, "fix", author);
    expectError(await post(`/issues/${issue.id}/resolve`, {}, author), 403, "FORBIDDEN");
    expectError(await post(`/issues/${issue.id}/reopen`, {}, author), 403, "FORBIDDEN");
    expectError(
      await post(`/images/${imageId}/issues`, { anchor: point(1, 1), category: "other" }, author),
      403,
      "FORBIDDEN",
    );
    expect(await unresolved()).toBe(1);
  });

  it("answers 404 for an issue that does not exist, to members and admins alike", async () => {
    for (const action of ["fix", "resolve", "reopen"])
      for (const p of [reviewer, author, null]) {
        const err = expectError(await post(`/issues/987654/${action}`, {}, p), 404, "NOT_FOUND");
        expect(err.message).toBe("issue 987654 does not exist");
      }
    expectError(await post("/issues/987654/comments", { body: "hello" }, author), 404, "NOT_FOUND");
    expectError(await post("/issues/987654/comments", { body: "hello" }, null), 404, "NOT_FOUND");
  });

  it("lets two reviewers resolve the same issue at once through two servers: one wins, the other gets 409", async () => {
    const issue = await raise({ anchor: point(5, 5) });
    const second = await t.sibling();
    const [a, b] = await Promise.all([
      request(t.app).post(`/api/v1/issues/${issue.id}/resolve`).set(as(reviewer)).send({ comment: "one" }),
      request(second).post(`/api/v1/issues/${issue.id}/resolve`).set(as(reviewer)).send({ comment: "two" }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((await eventsOf(issue.id)).filter((e) => e.kind === "issue_resolved")).toHaveLength(1);
    expect(Issue.parse((await get(`/images/${imageId}/issues`)).body.items[0]).comments).toHaveLength(1);
    expect(await unresolved()).toBe(0);
  });
});

describe("comments", () => {
  it("adds to the thread with the author's name, as an event, for any member", async () => {
    const issue = await raise({ anchor: point(5, 5), comment: "first" });
    const res = await post(`/issues/${issue.id}/comments`, { body: "  I do not see it  " }, author);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const after = Issue.parse(res.body);
    expect(after.comments.map((c) => [c.authorId, c.authorName, c.body])).toEqual([
      [reviewer.userId, "reviewer", "first"],
      [author.userId, "author", "I do not see it"],
    ]);
    expect(after.state).toBe("open");
    expect((await eventsOf(issue.id)).at(-1)).toMatchObject({
      kind: "commented",
      actor_id: author.userId,
      subject_id: author.userId,
      detail: { comment: "I do not see it" },
    });
    expect(await unresolved()).toBe(1);
  });

  it("refuses an empty comment and one over 4000 characters, and takes exactly 4000", async () => {
    const issue = await raise({ anchor: point(5, 5) });
    for (const body of ["", "   ", "x".repeat(4001)]) {
      const err = expectError(
        await post(`/issues/${issue.id}/comments`, { body }, author),
        400,
        "VALIDATION_ERROR",
      );
      expect(issuePaths(err.details)).toEqual(["body.body"]);
    }
    const long = expectError(
      await post(`/issues/${issue.id}/fix`, { comment: "y".repeat(4001) }, author),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(long.details)).toEqual(["body.comment"]);
    expect(Issue.parse((await get(`/images/${imageId}/issues`)).body.items[0]).state).toBe("open");
    const res = await post(`/issues/${issue.id}/comments`, { body: "z".repeat(4000) }, author);
    expect(res.status).toBe(201);
    expect(Issue.parse(res.body).comments.map((c) => c.body.length)).toEqual([4000]);
  });
});

describe("issues on shapes that change", () => {
  it("follow a shape through edits, and outlive it: shapeGone, still fixable and resolvable", async () => {
    let rev = await saveShape("s1", box(10, 10, 20, 10), 0);
    const issue = await raise({ anchor: { kind: "shape", annotationId: "s1" }, category: "loose" });
    rev = await saveShape("s1", box(30, 20, 25, 12), rev);
    const moved = Issue.parse((await get(`/images/${imageId}/issues`)).body.items[0]);
    expect(moved.anchor).toMatchObject({ kind: "shape", annotationId: "s1" });
    expect(moved.shapeGone).toBe(false);
    const del = await request(t.app)
      .patch(`/api/v1/images/${imageId}/annotations`)
      .send({ baseRevision: rev, delete: ["s1"] });
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    const gone = Issue.parse((await get(`/images/${imageId}/issues`)).body.items[0]);
    expect(gone.shapeGone).toBe(true);
    // Where it was when pinned, for the editor to show.
    expect(gone.anchor).toEqual({
      kind: "shape",
      annotationId: "s1",
      box: { x: 10, y: 10, width: 20, height: 10 },
    });
    expect((await step(issue.id, "fix", author, { comment: "deleted the loose box" })).shapeGone).toBe(true);
    expect((await step(issue.id, "resolve", reviewer)).state).toBe("resolved");
    // A shape with the same id drawn again is the one the issue follows.
    await saveShape("s1", box(1, 1, 5, 5), rev + 1);
    expect(Issue.parse((await get(`/images/${imageId}/issues`)).body.items[0]).shapeGone).toBe(false);
  });
});

describe("the counter of unresolved issues", () => {
  it("stays exact on the other images when an image with issues is deleted", async () => {
    const second = (
      await uploadImage(t.app, projectId, {
        name: "two.png",
        data: await png({ width: W, height: H, seed: 9 }),
      })
    ).id;
    await submittedBy(second, author);
    const kept = await raise({ anchor: point(1, 1) }, second);
    await raise({ anchor: point(2, 2) }, second);
    await step(kept.id, "resolve", reviewer);
    for (let i = 0; i < 3; i++) await raise({ anchor: point(i, i), comment: `goes with the image ${i}` });
    expect(await unresolved()).toBe(3);
    expect(await unresolved(second)).toBe(1);
    expect((await request(t.app).delete(`/api/v1/images/${imageId}`)).status).toBe(204);
    expect(await unresolved(second)).toBe(1);
    const left = IssuePage.parse((await get(`/projects/${projectId}/issues`)).body);
    expect(left.items.map((i) => i.imageId)).toEqual([second, second]);
    expect(await t.sql.selectFrom("review_comments").select("id").execute()).toEqual([]);
  });
});

describe("a project's issues", () => {
  it("lists them oldest first with file names and threads, filtered by state, annotator and image, paged by cursor", async () => {
    const second = (
      await uploadImage(t.app, projectId, {
        name: "two.png",
        data: await png({ width: W, height: H, seed: 4 }),
      })
    ).id;
    await submittedBy(second, other);
    const a = await raise({ anchor: point(1, 1), comment: "a" });
    const b = await raise({ anchor: point(2, 2) }, second);
    const c = await raise({ anchor: point(3, 3) });
    const d = await raise({ anchor: point(4, 4) }, second);
    const e = await raise({ anchor: point(5, 5) });
    await step(c.id, "fix", author);
    await step(d.id, "resolve", reviewer);
    const ids = async (query: string, p: Person = reviewer) => {
      const res = await get(`/projects/${projectId}/issues${query}`, p);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return IssuePage.parse(res.body).items.map((i) => i.id);
    };
    expect(await ids("")).toEqual([a.id, b.id, c.id, d.id, e.id]);
    expect(await ids("?state=open")).toEqual([a.id, b.id, e.id]);
    expect(await ids("?state=open,fixed")).toEqual([a.id, b.id, c.id, e.id]);
    expect(await ids(`?assigneeId=${other.userId}`)).toEqual([b.id, d.id]);
    expect(await ids(`?assigneeId=${author.userId}&state=fixed,resolved`)).toEqual([c.id]);
    expect(await ids(`?imageId=${second}&state=resolved`)).toEqual([d.id]);
    // Annotators read them too (their own project).
    expect(await ids(`?assigneeId=${author.userId}`, author)).toEqual([a.id, c.id, e.id]);

    const first = IssuePage.parse((await get(`/projects/${projectId}/issues?limit=2`)).body);
    expect(first.items.map((i) => [i.id, i.fileName])).toEqual([
      [a.id, "one.png"],
      [b.id, "two.png"],
    ]);
    expect(first.items[0]?.comments.map((x) => x.body)).toEqual(["a"]);
    const seen = first.items.map((i) => i.id);
    let cursor = first.nextCursor;
    while (cursor) {
      const page = IssuePage.parse(
        (await get(`/projects/${projectId}/issues?limit=2&cursor=${cursor}`)).body,
      );
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([a.id, b.id, c.id, d.id, e.id]);
    const exact = IssuePage.parse((await get(`/projects/${projectId}/issues?state=open&limit=3`)).body);
    expect(exact.nextCursor).toBeNull();
  });

  it("refuses an unknown state and a cursor it did not issue with 400 naming the query field", async () => {
    const state = expectError(
      await get(`/projects/${projectId}/issues?state=open,closed`),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(state.details)).toEqual(["query.state"]);
    expect(state.message).toContain('"closed" is not an issue state');
    const cursor = expectError(
      await get(`/projects/${projectId}/issues?cursor=bm9wZQ`),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(cursor.details)).toEqual(["query.cursor"]);
    expectError(await get("/projects/424242/issues", null), 404, "NOT_FOUND");
  });
});

describe("who may see and touch issues", () => {
  it("answers 404 to an annotator who is not a member, on every issue endpoint", async () => {
    const issue = await raise({ anchor: point(5, 5) });
    const refusals = [
      await get(`/images/${imageId}/issues`, outsider),
      await get(`/projects/${projectId}/issues`, outsider),
      await post(`/images/${imageId}/issues`, { anchor: point(1, 1), category: "other" }, outsider),
      await post(`/issues/${issue.id}/fix`, {}, outsider),
      await post(`/issues/${issue.id}/resolve`, {}, outsider),
      await post(`/issues/${issue.id}/reopen`, {}, outsider),
      await post(`/issues/${issue.id}/comments`, { body: "hi" }, outsider),
    ];
    for (const res of refusals) expectError(res, 404, "NOT_FOUND");
    expect(refusals[3]?.body.error.message).toBe(`issue ${issue.id} does not exist`);
    expect(Issue.parse((await get(`/images/${imageId}/issues`)).body.items[0]).state).toBe("open");
  });

  it("lets a read-only token list issues and refuses it every change with 403", async () => {
    const issue = await raise({ anchor: point(5, 5) });
    expect((await get(`/images/${imageId}/issues`, readOnly)).status).toBe(200);
    expect((await get(`/projects/${projectId}/issues`, readOnly)).status).toBe(200);
    for (const res of [
      await post(`/images/${imageId}/issues`, { anchor: point(1, 1), category: "other" }, readOnly),
      await post(`/issues/${issue.id}/fix`, {}, readOnly),
      await post(`/issues/${issue.id}/resolve`, {}, readOnly),
      await post(`/issues/${issue.id}/reopen`, {}, readOnly),
      await post(`/issues/${issue.id}/comments`, { body: "hi" }, readOnly),
    ])
      expectError(res, 403, "FORBIDDEN");
    expect(await unresolved()).toBe(1);
  });
});
