import { inReviewSample, ReviewEvent, ReviewSettings } from "@labelbench/schema";
import { afterEach, describe, expect, it } from "vitest";
import { expectError, issuePaths } from "../../test-support/api.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import {
  addBox,
  annotateAndSubmit,
  makeReviewWorld,
  type ReviewWorld,
  revisionOf,
  setReview,
  workOf,
} from "../../test-support/review.js";

/** Submission, decisions and the stale rule (issue 15), through the API, on the suite's backend. */
let w: ReviewWorld;
afterEach(() => w?.t.cleanup());

const events = async (imageId: number) => {
  const r = await w.as("rev").get(`/images/${imageId}/history`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.events as unknown[]).map((e) => ReviewEvent.parse(e));
};
/** The workflow's steps; who saved when (one `saved` line per run of saves) is lists.test.ts's. */
const kinds = async (imageId: number) =>
  (await events(imageId)).map((e) => e.kind).filter((k) => k !== "saved");
/** An issue in state `open` on the image, written as the issues module does (its endpoints are elsewhere). */
const openIssue = async (imageId: number, state: "open" | "fixed" = "open") => {
  const now = new Date(w.clock.ms).toISOString();
  const r = await w.t.sql
    .insertInto("review_issues")
    .values({
      project_id: w.projectId,
      image_id: imageId,
      anchor: JSON.stringify({ kind: "point", x: 3, y: 3 }),
      category: "missing",
      severity: "major",
      state,
      attempt: 1,
      author_id: w.users.rev.id,
      assignee_id: w.users.ann1.id,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return r.id;
};

describe(`review settings (${TEST_BACKEND})`, () => {
  it("starts off, changes by PATCH, and refuses a share past 100 %", async () => {
    w = await makeReviewWorld(1);
    const first = ReviewSettings.parse(
      (await w.as("ann1").get(`/projects/${w.projectId}/review-settings`)).body,
    );
    expect(first).toEqual({
      mode: "off",
      samplePercent: 10,
      sampleSeed: 1,
      queue: false,
      leaseMinutes: 30,
      returnOnEdit: true,
    });
    const r = await w
      .as("mgr")
      .patch(`/projects/${w.projectId}/review-settings`, { mode: "sample", samplePercent: 12.5 });
    expect(r.body).toEqual({ ...first, mode: "sample", samplePercent: 12.5 });
    expect((await w.as("rev").get(`/projects/${w.projectId}/review-settings`)).body).toEqual(r.body);
    const bad = expectError(
      await w.as("mgr").patch(`/projects/${w.projectId}/review-settings`, { samplePercent: 101 }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(bad.details)).toEqual(["body.samplePercent"]);
    expectError(await w.as("mgr").get("/projects/999999/review-settings"), 404, "NOT_FOUND");
  });
});

describe(`submit (${TEST_BACKEND})`, () => {
  it("puts the image in review (mode all): attempt 1, status done, event submitted", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    const work = await annotateAndSubmit(w, "ann1", id);
    expect(work).toMatchObject({
      reviewState: "pending",
      attempt: 1,
      submittedBy: w.users.ann1.id,
      inSample: true,
    });
    expect(work.submittedRevision).toBe(work.revision);
    const image = await w.as("ann1").get(`/images/${id}`);
    expect(image.body.status).toBe("done");
    expect(await kinds(id)).toEqual(["submitted"]);
  });

  it("with review off, or outside the sample, the submission is unreviewed; the sample is inReviewSample's", async () => {
    w = await makeReviewWorld(4);
    const [a, ...rest] = w.imageIds as [number, ...number[]];
    expect((await annotateAndSubmit(w, "ann1", a)).reviewState).toBe("unreviewed");
    await setReview(w, { mode: "sample", samplePercent: 50, sampleSeed: 7 });
    for (const id of rest) {
      const work = await annotateAndSubmit(w, "ann1", id);
      const expected = inReviewSample(7, id, 50);
      expect(work.inSample).toBe(expected);
      expect(work.reviewState).toBe(expected ? "pending" : "unreviewed");
    }
  });

  it("refuses a stale revision (STALE_REVISION with the work), a second submission, and someone else's image", async () => {
    w = await makeReviewWorld(2);
    await setReview(w, { mode: "all" });
    const [id, other] = w.imageIds as [number, number];
    const saved = await addBox(w, "ann1", id);
    const stale = expectError(
      await w.as("ann1").post(`/images/${id}/submit`, { revision: saved.body.revision - 1 }),
      409,
      "STALE_REVISION",
    );
    expect(stale.details).toMatchObject({ imageId: id, revision: saved.body.revision, reviewState: "none" });
    await w.as("ann1").post(`/images/${id}/submit`, { revision: saved.body.revision }).expect(200);
    const again = expectError(
      await w.as("ann1").post(`/images/${id}/submit`, { revision: saved.body.revision }),
      409,
      "WORKFLOW_CONFLICT",
    );
    expect(again.message).toMatch(/already submitted/);
    expect(again.details).toMatchObject({ reviewState: "pending", attempt: 1 });
    // Assigned to ann1 by a manager: ann2 may not submit it.
    await w
      .as("mgr")
      .post(`/projects/${w.projectId}/assignments`, { assigneeId: w.users.ann1.id, imageIds: [other] })
      .expect(200);
    const held = expectError(
      await w.as("ann2").post(`/images/${other}/submit`, { revision: await revisionOf(w, other) }),
      409,
      "WORKFLOW_CONFLICT",
    );
    expect(held.message).toMatch(/held by ANN1/);
    expect(held.details).toMatchObject({ assigneeId: w.users.ann1.id, assignedVia: "manager" });
  });

  it("refuses while an issue is still open, and accepts once it is marked fixed", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    const saved = await addBox(w, "ann1", id);
    const issue = await openIssue(id);
    const refused = expectError(
      await w.as("ann1").post(`/images/${id}/submit`, { revision: saved.body.revision }),
      409,
      "WORKFLOW_CONFLICT",
    );
    expect(refused.message).toMatch(/1 open issue/);
    await w.t.sql.updateTable("review_issues").set({ state: "fixed" }).where("id", "=", issue).execute();
    expect(
      workOf(await w.as("ann1").post(`/images/${id}/submit`, { revision: saved.body.revision }))
        .unresolvedIssues,
    ).toBe(1);
  });

  it("answers 404 for an unknown image and 400 for a body without a revision", async () => {
    w = await makeReviewWorld(1);
    expectError(await w.as("admin").post("/images/999999/submit", { revision: 0 }), 404, "NOT_FOUND");
    const bad = expectError(
      await w.as("ann1").post(`/images/${w.imageIds[0]}/submit`, {}),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(bad.details)).toEqual(["body.revision"]);
  });
});

describe(`decisions (${TEST_BACKEND})`, () => {
  it("accept: accepted, status done, baseline and event; a second decision is refused with the current state", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    const sub = await annotateAndSubmit(w, "ann1", id);
    const issue = await openIssue(id, "fixed");
    const work = workOf(
      await w
        .as("rev")
        .post(`/images/${id}/decision`, { decision: "accepted", revision: sub.revision, comment: "fine" }),
    );
    expect(work).toMatchObject({
      reviewState: "accepted",
      decision: "accepted",
      decidedBy: w.users.rev.id,
      decidedRevision: sub.revision,
      stale: false,
      unresolvedIssues: 0,
    });
    const state = await w.t.sql
      .selectFrom("review_issues")
      .select("state")
      .where("id", "=", issue)
      .executeTakeFirstOrThrow();
    expect(state.state).toBe("resolved");
    const last = (await events(id)).at(-1);
    expect(last).toMatchObject({
      kind: "accepted",
      actorId: w.users.rev.id,
      subjectId: w.users.ann1.id,
      attempt: 1,
    });
    expect(last?.detail).toMatchObject({
      comment: "fine",
      resolvedIssues: 1,
      submittedRevision: sub.revision,
    });
    const base = await w.t.sql
      .selectFrom("review_baselines")
      .selectAll()
      .where("image_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(base.revision).toBe(sub.revision);
    expect(JSON.parse(base.shapes)).toHaveLength(1);
    const again = expectError(
      await w
        .as("rev")
        .post(`/images/${id}/decision`, { decision: "rejected", revision: sub.revision, reasons: ["other"] }),
      409,
      "WORKFLOW_CONFLICT",
    );
    expect(again.message).toMatch(/already accepted by REV/);
    expect(again.details).toMatchObject({ reviewState: "accepted", decision: "accepted" });
  });

  it("reject needs a reason or an open issue (400 naming body.reasons); then the rework is back with its author", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    const sub = await annotateAndSubmit(w, "ann1", id);
    const bad = expectError(
      await w.as("rev").post(`/images/${id}/decision`, { decision: "rejected", revision: sub.revision }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(bad.details)).toEqual(["body.reasons"]);
    expect(workOf(await w.as("rev").get(`/images/${id}/work`)).reviewState).toBe("pending");
    const work = workOf(
      await w.as("rev").post(`/images/${id}/decision`, {
        decision: "rejected",
        revision: sub.revision,
        reasons: ["imprecise_shapes"],
      }),
    );
    expect(work).toMatchObject({
      reviewState: "rejected",
      assigneeId: w.users.ann1.id,
      assignedVia: "rework",
      leaseUntil: null,
    });
    expect((await w.as("ann1").get(`/images/${id}`)).body.status).toBe("in_progress");
    // Another annotator may not touch the rework; its author gets it first from "next".
    expectError(await addBox(w, "ann2", id, 5), 409, "WORKFLOW_CONFLICT");
    const next = await w.as("ann1").post(`/projects/${w.projectId}/work/next`);
    expect(next.body).toMatchObject({ source: "rework", image: { imageId: id, attempt: 1 } });
    // The author fixes and resubmits: attempt 2, back in review.
    const again = await annotateAndSubmit(w, "ann1", id, 20);
    expect(again).toMatchObject({ reviewState: "pending", attempt: 2 });
    expect(await kinds(id)).toEqual(["submitted", "rejected", "submitted"]);
  });

  it("reject with only an open issue pinned is allowed", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    const sub = await annotateAndSubmit(w, "ann1", id);
    await openIssue(id);
    const work = workOf(
      await w.as("rev").post(`/images/${id}/decision`, { decision: "rejected", revision: sub.revision }),
    );
    expect(work).toMatchObject({ reviewState: "rejected", unresolvedIssues: 1 });
  });

  it("a decision on a stale revision is refused with STALE_REVISION and the current work", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    const sub = await annotateAndSubmit(w, "ann1", id);
    // The annotator edits after submitting, while the reviewer looks at the submitted revision.
    expect((await addBox(w, "ann1", id, 30)).status).toBe(200);
    const stale = expectError(
      await w.as("rev").post(`/images/${id}/decision`, { decision: "accepted", revision: sub.revision }),
      409,
      "STALE_REVISION",
    );
    expect(stale.details).toMatchObject({ reviewState: "pending", revision: sub.revision + 1 });
  });

  it("nothing to decide on an image never submitted or already rejected", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    const none = expectError(
      await w.as("rev").post(`/images/${id}/decision`, { decision: "accepted", revision: 0 }),
      409,
      "WORKFLOW_CONFLICT",
    );
    expect(none.message).toMatch(/has not been submitted/);
    const sub = await annotateAndSubmit(w, "ann1", id);
    await w
      .as("rev")
      .post(`/images/${id}/decision`, { decision: "rejected", revision: sub.revision, reasons: ["other"] })
      .expect(200);
    const rejected = expectError(
      await w.as("rev").post(`/images/${id}/decision`, { decision: "accepted", revision: sub.revision }),
      409,
      "WORKFLOW_CONFLICT",
    );
    expect(rejected.details).toMatchObject({ reviewState: "rejected" });
  });

  it("a spot check decides an unreviewed image", async () => {
    w = await makeReviewWorld(1);
    const [id] = w.imageIds as [number];
    const sub = await annotateAndSubmit(w, "ann1", id);
    expect(sub.reviewState).toBe("unreviewed");
    expect(
      workOf(
        await w.as("rev").post(`/images/${id}/decision`, { decision: "accepted", revision: sub.revision }),
      ).reviewState,
    ).toBe("accepted");
  });

  it("fix and accept: the reviewer's edit is theirs, the event holds the submitted and fixed revisions", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    await w
      .as("mgr")
      .post(`/projects/${w.projectId}/assignments`, { assigneeId: w.users.ann1.id, imageIds: [id] })
      .expect(200);
    const sub = await annotateAndSubmit(w, "ann1", id);
    // The image is ann1's by assignment: a reviewer may save it all the same.
    const fix = await addBox(w, "rev", id, 40, "fixed-by-rev");
    expect(fix.status, JSON.stringify(fix.body)).toBe(200);
    expect(fix.body.upserted[0].updatedBy).toBe(w.users.rev.email);
    const work = workOf(
      await w.as("rev").post(`/images/${id}/decision`, { decision: "fixed", revision: fix.body.revision }),
    );
    expect(work).toMatchObject({
      reviewState: "accepted",
      decision: "fixed",
      decidedRevision: fix.body.revision,
    });
    expect((await events(id)).at(-1)?.detail).toMatchObject({
      submittedRevision: sub.revision,
      fixedRevision: fix.body.revision,
    });
  });
});

describe(`stale decisions (${TEST_BACKEND})`, () => {
  it("returnOnEdit: an edit after acceptance sends the image back to review, event returned_by_edit", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    const sub = await annotateAndSubmit(w, "ann1", id);
    await w
      .as("rev")
      .post(`/images/${id}/decision`, { decision: "accepted", revision: sub.revision })
      .expect(200);
    expect((await addBox(w, "ann1", id, 50)).status).toBe(200);
    const work = workOf(await w.as("ann1").get(`/images/${id}/work`));
    expect(work).toMatchObject({ reviewState: "pending", stale: true, decision: "accepted" });
    const back = (await events(id)).filter((e) => e.kind !== "saved").at(-1);
    expect(back).toMatchObject({
      kind: "returned_by_edit",
      actorId: w.users.ann1.id,
      revision: sub.revision + 1,
    });
    // A second edit records nothing more.
    expect((await addBox(w, "ann1", id, 60)).status).toBe(200);
    expect(await kinds(id)).toEqual(["submitted", "accepted", "returned_by_edit"]);
    // Back in the queue; a reviewer decides again at the new revision.
    const q = await w.as("rev").get(`/projects/${w.projectId}/review-queue`);
    expect(q.body.items.map((i: { imageId: number }) => i.imageId)).toEqual([id]);
    workOf(
      await w.as("rev").post(`/images/${id}/decision`, { decision: "accepted", revision: sub.revision + 2 }),
    );
  });

  it("without returnOnEdit the acceptance only turns stale; it may be decided again, and resubmitted", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all", returnOnEdit: false });
    const [id] = w.imageIds as [number];
    const sub = await annotateAndSubmit(w, "ann1", id);
    await w
      .as("rev")
      .post(`/images/${id}/decision`, { decision: "accepted", revision: sub.revision })
      .expect(200);
    // Accepted and unchanged: nothing to submit.
    expectError(
      await w.as("ann1").post(`/images/${id}/submit`, { revision: sub.revision }),
      409,
      "WORKFLOW_CONFLICT",
    );
    expect((await addBox(w, "ann1", id, 50)).status).toBe(200);
    const work = workOf(await w.as("ann1").get(`/images/${id}/work`));
    expect(work).toMatchObject({ reviewState: "accepted", stale: true });
    const q = await w.as("rev").get(`/projects/${w.projectId}/review-queue?state=stale`);
    expect(q.body.items.map((i: { imageId: number }) => i.imageId)).toEqual([id]);
    expect(q.body.total).toBe(1);
    const re = workOf(
      await w.as("rev").post(`/images/${id}/decision`, { decision: "accepted", revision: sub.revision + 1 }),
    );
    expect(re.stale).toBe(false);
  });

  it("an unreviewed image stays unreviewed when edited", async () => {
    w = await makeReviewWorld(1);
    const [id] = w.imageIds as [number];
    await annotateAndSubmit(w, "ann1", id);
    expect((await addBox(w, "ann1", id, 50)).status).toBe(200);
    expect(workOf(await w.as("ann1").get(`/images/${id}/work`)).reviewState).toBe("unreviewed");
  });
});
