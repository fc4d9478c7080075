import { wilsonInterval } from "@labelbench/quality";
import { Audit, AuditPage, inAuditSample, ReviewEvent, ReviewerPrecision } from "@labelbench/schema";
import type { Express } from "express";
import { afterEach, describe, expect, it } from "vitest";
import { expectError, issuePaths } from "../../test-support/api.js";
import { insertUserWithToken, TEST_BACKEND } from "../../test-support/app.js";
import {
  addBox,
  agent,
  annotateAndSubmit,
  makeReviewWorld,
  type ReviewWorld,
  setReview,
  workOf,
} from "../../test-support/review.js";

/** Reviewer audits (issue 16) through the API, on the suite's backend. */
let w: ReviewWorld;
afterEach(() => w?.t.cleanup());

/** The project's audit share (its quality settings row; the settings API is tested with it). */
const setAudit = async (percent: number) => {
  await w.t.sql
    .insertInto("project_quality")
    .values({
      project_id: w.projectId,
      audit_percent: percent,
      updated_at: new Date(w.clock.ms).toISOString(),
    })
    .onConflict((oc) => oc.column("project_id").doUpdateSet({ audit_percent: percent }))
    .execute();
};

/** A second reviewer, member of the project, with a token. */
const secondReviewer = async (name = "REV2") => {
  const u = await insertUserWithToken(w.t.sql, {
    email: `${name.toLowerCase()}@example.com`,
    name,
    role: "reviewer",
  });
  await w.as("admin").post(`/projects/${w.projectId}/members`, { userId: u.userId }).expect(201);
  return { id: u.userId, as: (app: Express = w.t.app) => agent(app, u.token) };
};

const accept = async (imageId: number, who: "rev" | "mgr" = "rev", decision = "accepted") => {
  const sub = await annotateAndSubmit(w, "ann1", imageId);
  return workOf(await w.as(who).post(`/images/${imageId}/decision`, { decision, revision: sub.revision }));
};

const audits = async (who: Parameters<ReviewWorld["as"]>[0], query = "") => {
  const r = await w.as(who).get(`/projects/${w.projectId}/audits${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return AuditPage.parse(r.body);
};

const kinds = async (imageId: number) =>
  ((await w.as("rev").get(`/images/${imageId}/history`)).body.events as unknown[])
    .map((e) => ReviewEvent.parse(e).kind)
    .filter((k) => k !== "saved");

const precision = async (who: Parameters<ReviewWorld["as"]>[0]) => {
  const r = await w.as(who).get(`/projects/${w.projectId}/audits/precision`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.items as unknown[]).map((x) => ReviewerPrecision.parse(x));
};

describe(`audit sample (${TEST_BACKEND})`, () => {
  it("a reproducible share of the acceptances opens audits (inAuditSample); rejections and 0 % open none", async () => {
    w = await makeReviewWorld(10);
    await setReview(w, { mode: "all", sampleSeed: 7 });
    const [first, ...rest] = w.imageIds as [number, ...number[]];
    await accept(first);
    expect((await audits("mgr")).items).toEqual([]);
    await setAudit(50);
    const rejected = rest.pop() as number;
    const sub = await annotateAndSubmit(w, "ann1", rejected);
    await w
      .as("rev")
      .post(`/images/${rejected}/decision`, {
        decision: "rejected",
        revision: sub.revision,
        reasons: ["other"],
      })
      .expect(200);
    for (const [i, id] of rest.entries()) await accept(id, "rev", i % 2 === 0 ? "accepted" : "fixed");
    const expected = rest.filter((id) => inAuditSample(7, id, 50));
    // The sample is a real share: neither nothing nor everything of these eight.
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(rest.length);
    const open = (await audits("mgr")).items;
    expect(open.map((a) => a.imageId)).toEqual(expected);
    for (const a of open) {
      expect(a).toMatchObject({
        state: "open",
        reviewerId: w.users.rev.id,
        auditorId: null,
        projectId: w.projectId,
      });
      expect(a.decision).toBe(rest.indexOf(a.imageId) % 2 === 0 ? "accepted" : "fixed");
      const work = workOf(await w.as("rev").get(`/images/${a.imageId}/work`));
      expect([a.decidedAt, a.decidedRevision]).toEqual([work.decidedAt, work.decidedRevision]);
    }
  });
});

describe(`audit verdicts (${TEST_BACKEND})`, () => {
  it("nobody audits their own decision: the queue leaves it out, the verdict is refused; another reviewer upholds", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    await setAudit(100);
    const [id] = w.imageIds as [number];
    await accept(id);
    const rev2 = await secondReviewer();
    expect((await audits("rev")).items).toEqual([]);
    const page = AuditPage.parse((await rev2.as().get(`/projects/${w.projectId}/audits`)).body);
    expect(page.items.map((a) => a.imageId)).toEqual([id]);
    expectError(await w.as("rev").post(`/images/${id}/audit`, { verdict: "upheld" }), 403, "FORBIDDEN");
    const upheld = await rev2.as().post(`/images/${id}/audit`, { verdict: "upheld", comment: "fine" });
    expect(upheld.status, JSON.stringify(upheld.body)).toBe(200);
    expect(Audit.parse(upheld.body)).toMatchObject({
      state: "upheld",
      auditorId: rev2.id,
      reviewerId: w.users.rev.id,
      comment: "fine",
      auditedAt: new Date(w.clock.ms).toISOString(),
    });
    // The image stays accepted; the verdict is in its history.
    expect(workOf(await w.as("rev").get(`/images/${id}/work`)).reviewState).toBe("accepted");
    expect(await kinds(id)).toEqual(["submitted", "accepted", "audit_upheld"]);
    const again = expectError(
      await w.as("mgr").post(`/images/${id}/audit`, { verdict: "overturned", reasons: ["other"] }),
      409,
      "WORKFLOW_CONFLICT",
    );
    expect(again.message).toContain("already audited (upheld) by REV2");
    expect((await audits("mgr", "?state=upheld")).items.map((a) => a.imageId)).toEqual([id]);
    expect((await audits("mgr")).items).toEqual([]);
  });

  it("an overturn needs a reason, and sends the image back to its author like a rejection", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    await setAudit(100);
    const [id] = w.imageIds as [number];
    const accepted = await accept(id);
    const bad = expectError(
      await w.as("mgr").post(`/images/${id}/audit`, { verdict: "overturned" }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(bad.details)).toEqual(["body.reasons"]);
    expect((await audits("mgr")).items).toHaveLength(1);
    const r = await w
      .as("mgr")
      .post(`/images/${id}/audit`, { verdict: "overturned", reasons: ["missing_objects"], comment: "a car" });
    expect(Audit.parse(r.body)).toMatchObject({
      state: "overturned",
      reasons: ["missing_objects"],
      auditorId: w.users.mgr.id,
    });
    const work = workOf(await w.as("ann1").get(`/images/${id}/work`));
    expect(work).toMatchObject({
      reviewState: "rejected",
      decision: "rejected",
      decidedBy: w.users.mgr.id,
      assigneeId: w.users.ann1.id,
      assignedVia: "rework",
      decidedRevision: accepted.revision,
    });
    expect(await kinds(id)).toEqual(["submitted", "accepted", "audit_overturned", "rejected"]);
    // The author gets it back first, as rework.
    const next = await w.as("ann1").post(`/projects/${w.projectId}/work/next`);
    expect(next.body).toMatchObject({ source: "rework", image: { imageId: id } });
    const [p] = await precision("mgr");
    expect(p).toEqual({
      reviewerId: w.users.rev.id,
      name: "REV",
      audited: 1,
      upheld: 0,
      overturned: 1,
      open: 0,
      precision: wilsonInterval(0, 1),
    });
  });

  it("an acceptance that no longer stands: the verdict is recorded, the image left where it is", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all", returnOnEdit: true });
    await setAudit(100);
    const [id] = w.imageIds as [number];
    await accept(id);
    expect((await addBox(w, "rev", id, 40)).status).toBe(200);
    expect(workOf(await w.as("rev").get(`/images/${id}/work`)).reviewState).toBe("pending");
    await w
      .as("mgr")
      .post(`/images/${id}/audit`, { verdict: "overturned", reasons: ["other"] })
      .expect(200);
    expect(workOf(await w.as("rev").get(`/images/${id}/work`)).reviewState).toBe("pending");
    expect((await kinds(id)).slice(-2)).toEqual(["returned_by_edit", "audit_overturned"]);
  });

  it("a later decision replaces the audit still waiting", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all", returnOnEdit: true });
    await setAudit(100);
    const [id] = w.imageIds as [number];
    await accept(id);
    const saved = await addBox(w, "rev", id, 40);
    w.clock.ms += 60_000;
    await w
      .as("mgr")
      .post(`/images/${id}/decision`, { decision: "accepted", revision: saved.body.revision })
      .expect(200);
    const open = (await audits("admin")).items;
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ reviewerId: w.users.mgr.id, decidedRevision: saved.body.revision });
    // A rejection of the edited image leaves none waiting.
    const edited = await addBox(w, "rev", id, 80);
    await w
      .as("rev")
      .post(`/images/${id}/decision`, {
        decision: "rejected",
        revision: edited.body.revision,
        reasons: ["other"],
      })
      .expect(200);
    expect((await audits("admin")).items).toEqual([]);
  });

  it("precision sums per reviewer with its Wilson interval; a reviewer sees only their own row", async () => {
    w = await makeReviewWorld(5);
    await setReview(w, { mode: "all" });
    await setAudit(100);
    const rev2 = await secondReviewer();
    const ids = w.imageIds;
    for (const id of ids.slice(0, 4)) await accept(id, "rev");
    await accept(ids[4] as number, "mgr");
    for (const [i, id] of ids.slice(0, 3).entries())
      await rev2
        .as()
        .post(
          `/images/${id}/audit`,
          i === 0 ? { verdict: "overturned", reasons: ["other"] } : { verdict: "upheld" },
        )
        .expect(200);
    const all = await precision("admin");
    expect(all.map((p) => [p.name, p.audited, p.upheld, p.overturned, p.open])).toEqual([
      ["MGR", 0, 0, 0, 1],
      ["REV", 3, 2, 1, 1],
    ]);
    expect(all[1]?.precision).toEqual(wilsonInterval(2, 3));
    expect(all[0]?.precision).toEqual({ value: null, n: 0, low: 0, high: 1 });
    expect((await precision("rev")).map((p) => p.name)).toEqual(["REV"]);
    // REV2 decided nothing: no row of theirs, and nobody else's.
    expect((await rev2.as().get(`/projects/${w.projectId}/audits/precision`)).body).toEqual({ items: [] });
    // The open queue as rev2 pages by id.
    const first = AuditPage.parse((await rev2.as().get(`/projects/${w.projectId}/audits?limit=1`)).body);
    expect(first.items.map((a) => a.imageId)).toEqual([ids[3]]);
    expect(first.nextCursor).not.toBeNull();
    const second = AuditPage.parse(
      (await rev2.as().get(`/projects/${w.projectId}/audits?limit=1&cursor=${first.nextCursor}`)).body,
    );
    expect(second.items.map((a) => a.imageId)).toEqual([ids[4]]);
    expect(second.nextCursor).toBeNull();
    expectError(
      await rev2.as().get(`/projects/${w.projectId}/audits?cursor=nonsense`),
      400,
      "VALIDATION_ERROR",
    );
  });

  it("an image nobody audits answers 409, a missing one 404, an annotator 403", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    await accept(id);
    const none = expectError(
      await w.as("mgr").post(`/images/${id}/audit`, { verdict: "upheld" }),
      409,
      "WORKFLOW_CONFLICT",
    );
    expect(none.message).toContain("no audit waiting");
    expectError(await w.as("mgr").post("/images/999999/audit", { verdict: "upheld" }), 404, "NOT_FOUND");
    expectError(await w.as("ann1").post(`/images/${id}/audit`, { verdict: "upheld" }), 403, "FORBIDDEN");
  });
});

describe(`audit races (${TEST_BACKEND === "postgres" ? "PostgreSQL, two pools" : "SQLite"})`, () => {
  it("auditors giving a verdict at once: one wins, the others get 409 naming the winner", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    await setAudit(100);
    const [id] = w.imageIds as [number];
    await accept(id);
    const pair: [Express, Express] = [
      w.t.app,
      TEST_BACKEND === "postgres"
        ? await w.t.sibling({}, { now: () => new Date(w.clock.ms).toISOString() })
        : w.t.app,
    ];
    const auditors = [];
    for (let i = 0; i < 6; i++) auditors.push(await secondReviewer(`AUD${i}`));
    const replies = await Promise.all(
      auditors.map((a, i) =>
        a
          .as(pair[i % 2])
          .post(
            `/images/${id}/audit`,
            i % 2 === 0 ? { verdict: "upheld" } : { verdict: "overturned", reasons: ["other"] },
          ),
      ),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const winner = Audit.parse(replies.find((r) => r.status === 200)?.body);
    for (const r of replies.filter((x) => x.status === 409))
      expect(r.body.error.message).toContain(`already audited (${winner.state})`);
    const work = workOf(await w.as("rev").get(`/images/${id}/work`));
    expect(work.reviewState).toBe(winner.state === "upheld" ? "accepted" : "rejected");
    const history = await kinds(id);
    expect(history.filter((k) => k.startsWith("audit_"))).toHaveLength(1);
  });
});
