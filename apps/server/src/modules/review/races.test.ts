import { ErrorEnvelope, NextWork } from "@labelbench/schema";
import type { Express } from "express";
import { afterEach, describe, expect, it } from "vitest";
import { insertUserWithToken, TEST_BACKEND } from "../../test-support/app.js";
import {
  agent,
  annotateAndSubmit,
  makeReviewWorld,
  type ReviewWorld,
  revisionOf,
  setReview,
  workOf,
} from "../../test-support/review.js";

/**
 * Races of the workflow (issue 15). On PostgreSQL the callers are spread over two apps with their
 * own pools, as two server processes are; on SQLite one app (two handles in one thread would block
 * it, and one process's transactions take turns on its connection anyway).
 */
let w: ReviewWorld;
afterEach(() => w?.t.cleanup());

const apps = async (): Promise<[Express, Express]> => [
  w.t.app,
  TEST_BACKEND === "postgres"
    ? await w.t.sibling({}, { now: () => new Date(w.clock.ms).toISOString() })
    : w.t.app,
];

describe(`races (${TEST_BACKEND === "postgres" ? "PostgreSQL, two pools" : "SQLite"})`, () => {
  it("reviewers deciding the same image at once: exactly one wins, the others get 409 with the winner's state", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    const sub = await annotateAndSubmit(w, "ann1", id);
    const pair = await apps();
    const reviewers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        insertUserWithToken(w.t.sql, { email: `r${i}@example.com`, name: `R${i}`, role: "reviewer" }),
      ),
    );
    for (const r of reviewers)
      await w.as("admin").post(`/projects/${w.projectId}/members`, { userId: r.userId }).expect(201);
    const replies = await Promise.all(
      reviewers.map((r, i) =>
        agent(pair[i % 2] as Express, r.token).post(`/images/${id}/decision`, {
          decision: i % 2 === 0 ? "accepted" : "rejected",
          revision: sub.revision,
          reasons: ["other"],
        }),
      ),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = replies.find((r) => r.status === 200);
    for (const r of replies.filter((x) => x.status === 409)) {
      const e = ErrorEnvelope.parse(r.body).error;
      expect(e.code).toBe("WORKFLOW_CONFLICT");
      expect(e.details).toMatchObject({
        reviewState: winner?.body.reviewState,
        decidedBy: winner?.body.decidedBy,
      });
    }
    const history = await w.as("rev").get(`/images/${id}/history`);
    const decisions = history.body.events.filter(
      (e: { kind: string }) => e.kind === "accepted" || e.kind === "rejected",
    );
    expect(decisions).toHaveLength(1);
  });

  it("eight annotators asking for work at once each get another image", async () => {
    w = await makeReviewWorld(10);
    await setReview(w, { queue: true });
    const pair = await apps();
    const people = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        insertUserWithToken(w.t.sql, { email: `a${i}@example.com`, name: `A${i}`, role: "annotator" }),
      ),
    );
    for (const p of people)
      await w.as("admin").post(`/projects/${w.projectId}/members`, { userId: p.userId }).expect(201);
    const replies = await Promise.all(
      people.map((p, i) => agent(pair[i % 2] as Express, p.token).post(`/projects/${w.projectId}/work/next`)),
    );
    const got = replies.map((r) => {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return NextWork.parse(r.body).image?.imageId;
    });
    expect(got.every((id) => id !== undefined)).toBe(true);
    expect(new Set(got).size).toBe(8);
    // And each is leased to the one who got it.
    for (const [i, p] of people.entries())
      expect(workOf(await w.as("admin").get(`/images/${got[i]}/work`)).assigneeId).toBe(p.userId);
  });

  it("an annotator saving while the reviewer accepts: either the decision is refused as stale, or the save returns the image to review", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    const pair = await apps();
    for (let round = 0; round < 6; round++) {
      const work = workOf(await w.as("rev").get(`/images/${id}/work`));
      if (work.reviewState !== "pending") await annotateAndSubmit(w, "ann1", id, 100 + round);
      const revision = await revisionOf(w, id);
      const [save, decide] = await Promise.all([
        agent(pair[0], w.users.ann1.token).patch(`/images/${id}/annotations`, {
          baseRevision: revision,
          upsert: [
            {
              id: `r${round}`,
              labelId: w.labelId,
              geometry: { type: "box", x: round, y: 2, width: 5, height: 5 },
            },
          ],
        }),
        agent(pair[1], w.users.rev.token).post(`/images/${id}/decision`, { decision: "accepted", revision }),
      ]);
      expect(save.status, JSON.stringify(save.body)).toBe(200);
      const now = workOf(await w.as("rev").get(`/images/${id}/work`));
      if (decide.status === 200) {
        // The decision came first; the save after it sent the image back to review.
        expect(now).toMatchObject({ reviewState: "pending", stale: true, revision: revision + 1 });
      } else {
        expect(decide.status, JSON.stringify(decide.body)).toBe(409);
        expect(ErrorEnvelope.parse(decide.body).error.code).toBe("STALE_REVISION");
        expect(now).toMatchObject({ reviewState: "pending", revision: revision + 1 });
      }
      // Nothing of the save was lost either way.
      const set = await w.as("admin").get(`/images/${id}/annotations`);
      expect(set.body.annotations.map((a: { id: string }) => a.id)).toContain(`r${round}`);
    }
  });
});
