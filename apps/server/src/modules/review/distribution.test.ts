import { AssignResult, MyWork, NextWork } from "@labelbench/schema";
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

/** Assignments, the lease queue, "my work" and the save guard (issue 15), on the suite's backend. */
let w: ReviewWorld;
afterEach(() => w?.t.cleanup());

const next = async (who: "ann1" | "ann2" | "rev") => {
  const r = await w.as(who).post(`/projects/${w.projectId}/work/next`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return NextWork.parse(r.body);
};
const assign = async (body: object) => {
  const r = await w.as("mgr").post(`/projects/${w.projectId}/assignments`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return AssignResult.parse(r.body);
};
const minutes = (n: number) => {
  w.clock.ms += n * 60_000;
};

describe(`assignments (${TEST_BACKEND})`, () => {
  it("assigns ids with one result per image, refuses submitted ones and strangers, unassigns with null", async () => {
    w = await makeReviewWorld(3);
    await setReview(w, { mode: "all" });
    const [a, b, c] = w.imageIds as [number, number, number];
    await annotateAndSubmit(w, "ann2", c);
    const res = await assign({ assigneeId: w.users.ann1.id, imageIds: [a, b, c, 999999] });
    expect(res.assigned).toBe(2);
    expect(res.results).toEqual([
      { imageId: a, status: "assigned" },
      { imageId: b, status: "assigned" },
      { imageId: c, status: "refused", reason: "submitted and waiting for review" },
      { imageId: 999999, status: "refused", reason: `no image 999999 in project ${w.projectId}` },
    ]);
    expect(workOf(await w.as("ann1").get(`/images/${a}/work`))).toMatchObject({
      assigneeId: w.users.ann1.id,
      assignedVia: "manager",
    });
    const mine = MyWork.parse((await w.as("ann1").get(`/projects/${w.projectId}/work/mine`)).body);
    expect(mine.counts.assigned).toBe(2);
    expect(mine.items.map((i) => i.imageId)).toEqual([a, b]);
    const un = await assign({ assigneeId: null, imageIds: [a] });
    expect(un.results).toEqual([{ imageId: a, status: "unassigned" }]);
    expect(workOf(await w.as("ann1").get(`/images/${a}/work`)).assigneeId).toBeNull();
    const history = await w.as("ann1").get(`/images/${a}/history`);
    expect(history.body.events.map((e: { kind: string }) => e.kind)).toEqual(["assigned", "unassigned"]);
  });

  it("refuses an assignee who is no member (400 naming body.assigneeId) and a body with neither ids nor filter", async () => {
    w = await makeReviewWorld(1);
    const bad = expectError(
      await w
        .as("mgr")
        .post(`/projects/${w.projectId}/assignments`, { assigneeId: w.users.mgr.id, imageIds: w.imageIds }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(bad.details)).toEqual(["body.assigneeId"]);
    expectError(
      await w.as("mgr").post(`/projects/${w.projectId}/assignments`, { assigneeId: w.users.ann1.id }),
      400,
      "VALIDATION_ERROR",
    );
    expect(workOf(await w.as("mgr").get(`/images/${w.imageIds[0]}/work`)).assigneeId).toBeNull();
  });

  it("a batch of N by folder takes the first N unassigned in name order", async () => {
    w = await makeReviewWorld(5, [
      "cam_a/2.png",
      "cam_b/1.png",
      "cam_a/10.png",
      "cam_a/1.png",
      "cam_a/3.png",
    ]);
    const [a2, , a10, a1, a3] = w.imageIds as number[];
    const first = await assign({ assigneeId: w.users.ann1.id, filter: { folder: "cam_a/" }, count: 2 });
    expect(first.results.map((r) => r.imageId)).toEqual([a1, a2]);
    const second = await assign({ assigneeId: w.users.ann2.id, filter: { folder: "cam_a/" }, count: 5 });
    expect(second.results.map((r) => r.imageId)).toEqual([a3, a10]);
  });

  it("an annotator's save of an image assigned to another is refused 409 with the work; nothing is written", async () => {
    w = await makeReviewWorld(1);
    const [id] = w.imageIds as [number];
    await assign({ assigneeId: w.users.ann1.id, imageIds: [id] });
    const before = await revisionOf(w, id);
    const refused = expectError(await addBox(w, "ann2", id), 409, "WORKFLOW_CONFLICT");
    expect(refused.message).toMatch(/held by ANN1 \(assigned by a manager\)/);
    expect(refused.details).toMatchObject({ imageId: id, assigneeId: w.users.ann1.id });
    expect(await revisionOf(w, id)).toBe(before);
    expect((await w.as("admin").get(`/images/${id}/annotations`)).body.annotations).toEqual([]);
    // The assignee, a reviewer and a manager may save.
    for (const who of ["ann1", "rev", "mgr"] as const) expect((await addBox(w, who, id)).status).toBe(200);
  });
});

describe(`the lease queue (${TEST_BACKEND})`, () => {
  it("next hands out rework, then assignments, then free images under a lease; off: nothing beyond one's own", async () => {
    w = await makeReviewWorld(4);
    const [a, , c] = w.imageIds as [number, number, number, number];
    expect(await next("ann1")).toEqual({ image: null, source: null });
    await assign({ assigneeId: w.users.ann1.id, imageIds: [c] });
    expect(await next("ann1")).toMatchObject({ source: "assigned", image: { imageId: c } });
    await setReview(w, { queue: true, leaseMinutes: 10, mode: "all" });
    const ann2 = await next("ann2");
    expect(ann2).toMatchObject({
      source: "queue",
      image: { imageId: a, assignedVia: "queue", assigneeId: w.users.ann2.id },
    });
    expect(ann2.image?.leaseUntil).toBe(new Date(w.clock.ms + 10 * 60_000).toISOString());
    // Asking again gives the lease one holds (renewed), not a second image.
    minutes(5);
    const again = await next("ann2");
    expect(again.image?.imageId).toBe(a);
    expect(again.image?.leaseUntil).toBe(new Date(w.clock.ms + 10 * 60_000).toISOString());
    // Rework comes first.
    const sub = await annotateAndSubmit(w, "ann1", c);
    await w
      .as("rev")
      .post(`/images/${c}/decision`, { decision: "rejected", revision: sub.revision, reasons: ["other"] })
      .expect(200);
    expect(await next("ann1")).toMatchObject({ source: "rework", image: { imageId: c } });
  });

  it("a lease left idle returns to the pool: the next caller takes it over, the old holder's save is refused", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { queue: true, leaseMinutes: 10 });
    const [id] = w.imageIds as [number];
    expect((await next("ann1")).image?.imageId).toBe(id);
    expect((await next("ann2")).image).toBeNull();
    // ann2 may not save under ann1's live lease.
    expect(expectError(await addBox(w, "ann2", id), 409, "WORKFLOW_CONFLICT").message).toMatch(
      /under a queue lease/,
    );
    minutes(11);
    // Expired: nobody's work any more.
    expect(workOf(await w.as("ann1").get(`/images/${id}/work`))).toMatchObject({
      assigneeId: null,
      leaseUntil: null,
    });
    expect(
      MyWork.parse((await w.as("ann1").get(`/projects/${w.projectId}/work/mine`)).body).counts.assigned,
    ).toBe(0);
    const taken = await next("ann2");
    expect(taken).toMatchObject({ source: "queue", image: { imageId: id, assigneeId: w.users.ann2.id } });
    // ann1's unsaved work: refused with who holds it now, and nothing of it is written.
    const rev = await revisionOf(w, id);
    const late = expectError(await addBox(w, "ann1", id), 409, "WORKFLOW_CONFLICT");
    expect(late.message).toMatch(/held by ANN2/);
    expect(late.details).toMatchObject({ assigneeId: w.users.ann2.id, assignedVia: "queue" });
    expect(await revisionOf(w, id)).toBe(rev);
    const kinds = (await w.as("rev").get(`/images/${id}/history`)).body.events.map(
      (e: { kind: string; subjectId: number }) => [e.kind, e.subjectId],
    );
    expect(kinds).toEqual([
      ["leased", w.users.ann1.id],
      ["lease_expired", w.users.ann1.id],
      ["leased", w.users.ann2.id],
    ]);
  });

  it("the holder's save renews the lease, and re-takes an expired one nobody took", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { queue: true, leaseMinutes: 10 });
    const [id] = w.imageIds as [number];
    await next("ann1");
    minutes(8);
    expect((await addBox(w, "ann1", id)).status).toBe(200);
    expect(workOf(await w.as("ann1").get(`/images/${id}/work`)).leaseUntil).toBe(
      new Date(w.clock.ms + 10 * 60_000).toISOString(),
    );
    minutes(30);
    expect((await addBox(w, "ann1", id, 3)).status).toBe(200);
    expect(workOf(await w.as("ann1").get(`/images/${id}/work`))).toMatchObject({
      assigneeId: w.users.ann1.id,
      leaseUntil: new Date(w.clock.ms + 10 * 60_000).toISOString(),
    });
  });

  it("release gives a lease back; a second release is refused", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { queue: true });
    const [id] = w.imageIds as [number];
    await next("ann1");
    expectError(await w.as("ann2").post(`/images/${id}/release`), 409, "WORKFLOW_CONFLICT");
    expect(workOf(await w.as("ann1").post(`/images/${id}/release`))).toMatchObject({
      assigneeId: null,
      assignedVia: null,
    });
    expectError(await w.as("ann1").post(`/images/${id}/release`), 409, "WORKFLOW_CONFLICT");
    expect((await next("ann2")).image?.imageId).toBe(id);
  });

  it("submitting ends the lease and the author stays the assignee; my work counts follow", async () => {
    w = await makeReviewWorld(2);
    await setReview(w, { queue: true, mode: "all" });
    const [a] = w.imageIds as [number];
    await next("ann1");
    const sub = await annotateAndSubmit(w, "ann1", a);
    expect(sub).toMatchObject({
      assigneeId: w.users.ann1.id,
      assignedVia: "queue",
      leaseUntil: null,
      reviewState: "pending",
    });
    const mine = MyWork.parse(
      (await w.as("ann1").get(`/projects/${w.projectId}/work/mine?state=submitted`)).body,
    );
    expect(mine.items.map((i) => i.imageId)).toEqual([a]);
    expect(mine.counts).toEqual({ assigned: 0, rework: 0, submitted: 1, accepted: 0, rejected: 0 });
    await w
      .as("rev")
      .post(`/images/${a}/decision`, { decision: "accepted", revision: sub.revision })
      .expect(200);
    const after = MyWork.parse(
      (await w.as("ann1").get(`/projects/${w.projectId}/work/mine?state=accepted`)).body,
    );
    expect(after.items.map((i) => i.imageId)).toEqual([a]);
    expect(after.counts.accepted).toBe(1);
    expectError(
      await w.as("ann1").get(`/projects/${w.projectId}/work/mine?cursor=nonsense`),
      400,
      "VALIDATION_ERROR",
    );
  });
});
