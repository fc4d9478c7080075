import { AnnotationSet, Issue, inOverlapSample, NextWork, ReviewEvent } from "@labelbench/schema";
import type { Express } from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createLabel, expectError } from "../../test-support/api.js";
import { insertUserWithToken, TEST_BACKEND } from "../../test-support/app.js";
import {
  type Agent,
  agent,
  makeReviewWorld,
  type ReviewWorld,
  setReview,
  workOf,
} from "../../test-support/review.js";

/** Blind overlap (issue 16) through the API, on the suite's backend. */
let w: ReviewWorld;
afterEach(() => w?.t.cleanup());

/** The project's overlap settings (its quality settings row). */
const setOverlap = async (k: number, percent = 100, quorum = 0.5) => {
  await w.t.sql
    .insertInto("project_quality")
    .values({
      project_id: w.projectId,
      overlap: k,
      overlap_percent: percent,
      consensus_quorum: quorum,
      updated_at: new Date(w.clock.ms).toISOString(),
    })
    .onConflict((oc) =>
      oc.column("project_id").doUpdateSet({ overlap: k, overlap_percent: percent, consensus_quorum: quorum }),
    )
    .execute();
};

/** `n` more annotators, members of the project. */
const annotators = async (n: number, prefix = "ov") => {
  const out: { id: number; as: (app?: Express) => Agent }[] = [];
  for (let i = 0; i < n; i++) {
    const u = await insertUserWithToken(w.t.sql, {
      email: `${prefix}${i}@example.com`,
      name: `${prefix.toUpperCase()}${i}`,
      role: "annotator",
    });
    await w.as("admin").post(`/projects/${w.projectId}/members`, { userId: u.userId }).expect(201);
    out.push({ id: u.userId, as: (app: Express = w.t.app) => agent(app, u.token) });
  }
  return out;
};

const next = async (a: Agent) => {
  const r = await a.post(`/projects/${w.projectId}/work/next`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return NextWork.parse(r.body);
};

type Box = [number, number, number, number];
/** Saves the boxes (label, x, y, w, h) on what the caller sees of the image, then submits it. */
const labelAndSubmit = async (a: Agent, imageId: number, boxes: [number, ...Box][], tags: number[] = []) => {
  const seen = AnnotationSet.parse((await a.get(`/images/${imageId}/annotations`)).body);
  const saved = await a.put(`/images/${imageId}/annotations`, {
    baseRevision: seen.revision,
    annotations: boxes.map(([labelId, x, y, width, height]) => ({
      labelId,
      geometry: { type: "box", x, y, width, height },
    })),
    tags,
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  return workOf(await a.post(`/images/${imageId}/submit`, { revision: saved.body.revision }));
};

const imageSet = async (imageId: number) =>
  AnnotationSet.parse((await w.as("mgr").get(`/images/${imageId}/annotations`)).body);
const events = async (imageId: number) =>
  ((await w.as("mgr").get(`/images/${imageId}/history`)).body.events as unknown[]).map((e) =>
    ReviewEvent.parse(e),
  );

describe(`blind overlap (${TEST_BACKEND})`, () => {
  it("k annotators each get the image on a copy, blind; the k-th submit merges it, pins every disagreement, and sends it to review", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "off", queue: true });
    await setOverlap(3);
    const truck = (await createLabel(w.t.app, w.projectId, { name: "truck" })).id;
    const car = w.labelId;
    const [id] = w.imageIds as [number];
    const [a, b, c, late] = await annotators(4);
    if (!a || !b || !c || !late) throw new Error("annotators");

    for (const who of [a, b, c]) {
      const got = await next(who.as());
      expect(got.source).toBe("queue");
      expect(got.image).toMatchObject({ imageId: id, reviewState: "none", assigneeId: who.id, revision: 0 });
    }
    // A fourth annotator finds no slot left: the image is handed to k annotators, no more.
    expect((await next(late.as())).image).toBeNull();

    await labelAndSubmit(a.as(), id, [
      [car, 10, 10, 100, 80],
      [car, 200, 50, 60, 60],
    ]);
    // Blind: the next annotator's set is their own (empty), not the first one's.
    expect(AnnotationSet.parse((await b.as().get(`/images/${id}/annotations`)).body)).toMatchObject({
      revision: 0,
      annotations: [],
    });
    await labelAndSubmit(b.as(), id, [
      [car, 12, 10, 100, 80],
      [truck, 200, 50, 60, 60],
    ]);
    // Two of three submitted: the image itself is untouched and not in review.
    expect((await imageSet(id)).annotations).toEqual([]);
    expect(workOf(await w.as("mgr").get(`/images/${id}/work`)).reviewState).toBe("none");
    // An annotator without a copy cannot write what the merge will replace.
    expectError(
      await late.as().patch(`/images/${id}/annotations`, {
        baseRevision: 0,
        upsert: [{ id: "x", labelId: car, geometry: { type: "box", x: 1, y: 1, width: 5, height: 5 } }],
      }),
      409,
      "WORKFLOW_CONFLICT",
    );

    await labelAndSubmit(c.as(), id, [
      [car, 11, 12, 98, 80],
      [car, 300, 200, 40, 40],
    ]);

    // The consensus is the image's set: the median box of the first object (x 11, y 10, w 100,
    // h 80), the second object (car and truck, one each: a tie, kept with the lower id), and not the
    // third (one of three; the quorum 0.5 needs two).
    const merged = await imageSet(id);
    expect(merged.revision).toBe(1);
    expect(
      merged.annotations
        .map((x) => [x.labelId, x.geometry])
        .sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q))),
    ).toEqual(
      [
        [car, { type: "box", x: 11, y: 10, width: 100, height: 80 }],
        [car, { type: "box", x: 200, y: 50, width: 60, height: 60 }],
      ].sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q))),
    );
    const work = workOf(await w.as("mgr").get(`/images/${id}/work`));
    expect(work).toMatchObject({
      reviewState: "pending",
      attempt: 1,
      submittedBy: null,
      submittedRevision: 1,
    });
    expect(work.unresolvedIssues).toBe(2);
    const kinds = (await events(id)).map((e) => e.kind);
    expect(kinds).toEqual(["consensus", "submitted", "issue_opened", "issue_opened"]);

    const issues = ((await w.as("mgr").get(`/images/${id}/issues`)).body.items as unknown[]).map((x) =>
      Issue.parse(x),
    );
    const tie = merged.annotations.find((x) => x.geometry.type === "box" && x.geometry.x === 200);
    expect(issues.map((i) => [i.category, i.anchor])).toEqual([
      [
        "wrong_label",
        { kind: "shape", annotationId: tie?.id, box: { x: 200, y: 50, width: 60, height: 60 } },
      ],
      ["missing", { kind: "region", x: 300, y: 200, width: 40, height: 40 }],
    ]);
    expect(issues[1]?.comments[0]?.body).toContain("by 1 of 3 annotators");
    // In the review queue, never dropped.
    const queue = await w.as("rev").get(`/projects/${w.projectId}/review-queue`);
    expect(queue.body.items.map((x: { imageId: number }) => x.imageId)).toEqual([id]);
    // Each pair of annotators compared (qc-report's scoreImage): three overlap comparisons.
    const results = await w.t.sql
      .selectFrom("quality_results")
      .select(["checked_user_id", "reference_key"])
      .where("image_id", "=", id)
      .where("kind", "=", "overlap")
      .execute();
    expect(results).toHaveLength(3);
    // The merged image is nobody's to label again.
    expect((await next(late.as())).image).toBeNull();
  });

  it("only the overlap sample is labelled in overlap; the other images are leased as usual", async () => {
    w = await makeReviewWorld(8);
    await setReview(w, { queue: true, sampleSeed: 3 });
    await setOverlap(2, 50);
    const [a] = await annotators(1);
    if (!a) throw new Error("annotator");
    const inSample = w.imageIds.filter((i) => inOverlapSample(3, i, 50));
    expect(inSample.length).toBeGreaterThan(0);
    expect(inSample.length).toBeLessThan(w.imageIds.length);
    const seen: number[] = [];
    for (const imageId of w.imageIds) {
      const got = await next(a.as());
      expect(got.image?.imageId).toBe(imageId);
      seen.push(imageId);
      // Releasing or submitting moves on: submit an empty set.
      await a
        .as()
        .post(`/images/${imageId}/submit`, { revision: got.image?.revision ?? 0 })
        .expect(200);
    }
    const copies = await w.t.sql
      .selectFrom("image_copies")
      .select("image_id")
      .where("purpose", "=", "overlap")
      .execute();
    expect(copies.map((r) => r.image_id).sort((x, y) => x - y)).toEqual(inSample);
    // The others were leased to the annotator and submitted as themselves.
    for (const imageId of w.imageIds.filter((i) => !inSample.includes(i)))
      expect(workOf(await w.as("mgr").get(`/images/${imageId}/work`)).submittedBy).toBe(a.id);
    expect(seen).toEqual(w.imageIds);
  });
});

describe(`overlap races (${TEST_BACKEND === "postgres" ? "PostgreSQL, two pools" : "SQLite"})`, () => {
  const pair = async (): Promise<[Express, Express]> => [
    w.t.app,
    TEST_BACKEND === "postgres"
      ? await w.t.sibling({}, { now: () => new Date(w.clock.ms).toISOString() })
      : w.t.app,
  ];

  it("two annotators asking for the last overlap slot at once: one gets it, the other nothing", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { queue: true });
    await setOverlap(2);
    const [id] = w.imageIds as [number];
    const [first, ...racers] = await annotators(5);
    if (!first) throw new Error("annotators");
    expect((await next(first.as())).image?.imageId).toBe(id);
    const apps = await pair();
    const replies = await Promise.all(racers.map((r, i) => next(r.as(apps[i % 2]))));
    expect(replies.filter((r) => r.image !== null).map((r) => r.image?.imageId)).toEqual([id]);
    const copies = await w.t.sql
      .selectFrom("image_copies")
      .select("user_id")
      .where("image_id", "=", id)
      .execute();
    expect(copies).toHaveLength(2);
  });

  it("the last two submissions at once: the image is merged exactly once", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { queue: true });
    await setOverlap(2);
    const [id] = w.imageIds as [number];
    const [a, b] = await annotators(2);
    if (!a || !b) throw new Error("annotators");
    const apps = await pair();
    const saved: number[] = [];
    for (const who of [a, b]) {
      expect((await next(who.as())).image?.imageId).toBe(id);
      const r = await who.as().put(`/images/${id}/annotations`, {
        baseRevision: 0,
        annotations: [{ labelId: w.labelId, geometry: { type: "box", x: 10, y: 10, width: 50, height: 50 } }],
        tags: [],
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      saved.push(r.body.revision as number);
    }
    const replies = await Promise.all(
      [a, b].map((who, i) => who.as(apps[i]).post(`/images/${id}/submit`, { revision: saved[i] })),
    );
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    const merged = await imageSet(id);
    expect(merged.annotations.map((x) => x.geometry)).toEqual([
      { type: "box", x: 10, y: 10, width: 50, height: 50 },
    ]);
    expect((await events(id)).filter((e) => e.kind === "consensus")).toHaveLength(1);
    expect(workOf(await w.as("mgr").get(`/images/${id}/work`)).reviewState).toBe("pending");
  });
});
