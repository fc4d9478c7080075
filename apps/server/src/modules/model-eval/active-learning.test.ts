import { ActiveLearningSettings, DEFAULT_ACTIVE_LEARNING, NextWork } from "@labelbench/schema";
import { afterEach, describe, expect, it } from "vitest";
import { createLabel, expectError, issuePaths } from "../../test-support/api.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import { seedRun } from "../../test-support/predictions.js";
import { makeReviewWorld, type ReviewWorld, setReview } from "../../test-support/review.js";
import { appendPredictions, createPredictionRun } from "../predictions/runs.js";
import { addImageRows } from "../predictions/test-world.js";

/** The work queue ordered by a model's uncertainty (issue 17), through the API, on both databases. */
let w: ReviewWorld;
afterEach(() => w?.t.cleanup());

const alPath = () => `/projects/${w.projectId}/active-learning`;
const putAl = async (body: object) => {
  const r = await w.as("mgr").put(alPath(), body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return ActiveLearningSettings.parse(r.body);
};
const next = async (who: "ann1" | "ann2" = "ann1") => {
  const r = await w.as(who).post(`/projects/${w.projectId}/work/next`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return NextWork.parse(r.body);
};
/** Submits the image as it is, so the annotator's next request is a fresh hand-out. */
const submit = async (who: "ann1" | "ann2", imageId: number) => {
  const revision = (await w.as(who).get(`/images/${imageId}/annotations`)).body.revision as number;
  const r = await w.as(who).post(`/images/${imageId}/submit`, { revision });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};
/** The order the queue hands images out in to one annotator who submits each straight away. */
const handOutOrder = async (count: number): Promise<(number | null)[]> => {
  const out: (number | null)[] = [];
  for (let i = 0; i < count; i++) {
    const n = await next();
    out.push(n.image?.imageId ?? null);
    if (n.image) await submit("ann1", n.image.imageId);
  }
  return out;
};

/**
 * Six images, two labels: the run's top predictions are
 *   img1 car .95 · img2 car .30 · img3 person .55 · img4 car .40 · img5 person .90, img6 nothing.
 */
const seedSix = async () => {
  w = await makeReviewWorld(6);
  await setReview(w, { queue: true });
  const person = (await createLabel(w.t.app, w.projectId, { name: "person" })).id;
  const [i1, i2, i3, i4, i5, i6] = w.imageIds as [number, number, number, number, number, number];
  const car = w.labelId;
  const runId = await seedRun(w.t, w.projectId, {
    modelVersion: "v1",
    createdAt: "2026-03-01T00:00:00.000Z",
    predictions: [
      { imageId: i1, labelId: car, score: 0.95 },
      { imageId: i1, labelId: person, score: 0.2 },
      { imageId: i2, labelId: car, score: 0.3 },
      { imageId: i3, labelId: person, score: 0.55 },
      { imageId: i3, labelId: car, score: 0.5 },
      { imageId: i4, labelId: car, score: 0.4 },
      { imageId: i5, labelId: person, score: 0.9 },
    ],
  });
  return { i1, i2, i3, i4, i5, i6, car, person, runId };
};

describe(`active-learning settings (${TEST_BACKEND})`, () => {
  it("start at upload order, change field by field, and refuse a run that is not this project's", async () => {
    const { runId } = await seedSix();
    const first = await w.as("mgr").get(alPath());
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(ActiveLearningSettings.parse(first.body)).toEqual(DEFAULT_ACTIVE_LEARNING);
    expect(await putAl({ order: "uncertainty", measure: "margin" })).toEqual({
      ...DEFAULT_ACTIVE_LEARNING,
      order: "uncertainty",
      measure: "margin",
    });
    expect(await putAl({ runId })).toMatchObject({ order: "uncertainty", measure: "margin", runId });

    const bad = await w.as("mgr").put(alPath(), { runId: runId + 1000 });
    expectError(bad, 400, "VALIDATION_ERROR");
    expect(issuePaths(bad.body.error.details)).toEqual(["body.runId"]);
    expect(bad.body.error.message).toContain(`runId ${runId + 1000} is not a prediction run of project`);
    const range = await w.as("mgr").put(alPath(), { diversity: 21, measure: "entropy" });
    expectError(range, 400, "VALIDATION_ERROR");
    expect(issuePaths(range.body.error.details).sort()).toEqual(["body.diversity", "body.measure"]);
    // Nothing of a refused request was kept.
    expect((await w.as("mgr").get(alPath())).body).toMatchObject({ measure: "margin", runId, diversity: 2 });
  });
});

describe(`the queue in uncertainty order (${TEST_BACKEND})`, () => {
  it("upload order stays the default", async () => {
    const { i1, i2, i3, i4, i5, i6 } = await seedSix();
    expect(await handOutOrder(7)).toEqual([i1, i2, i3, i4, i5, i6, null]);
  });

  it("least-confidence, diversity 0: lowest top score first; images without predictions last, in upload order", async () => {
    const { i1, i2, i3, i4, i5, i6 } = await seedSix();
    await putAl({ order: "uncertainty", diversity: 0 });
    expect(await handOutOrder(7)).toEqual([i2, i4, i3, i5, i1, i6, null]);
  });

  it("diversity 1: the same top label is not handed out twice in a row while the other has images", async () => {
    const { i1, i2, i3, i4, i5, i6 } = await seedSix();
    await putAl({ order: "uncertainty", diversity: 1 });
    // car .30, person .55, car .40, person .90, car .95 (no person left), then no predictions
    expect(await handOutOrder(7)).toEqual([i2, i3, i4, i5, i1, i6, null]);
  });

  it("margin: top − second score, the closest call first", async () => {
    const { i1, i2, i3, i4, i5, i6 } = await seedSix();
    await putAl({ order: "uncertainty", measure: "margin", diversity: 0 });
    // margins: i1 .75, i2 .30, i3 .05, i4 .40, i5 .90
    expect(await handOutOrder(6)).toEqual([i3, i2, i4, i1, i5, i6]);
  });

  it("follows the newest live run unless one is chosen; a deleted run's order is not used", async () => {
    const { i1, i2, i4, car } = await seedSix();
    await putAl({ order: "uncertainty", diversity: 0 });
    // A newer run that is least sure of image 1.
    const v2 = await seedRun(w.t, w.projectId, {
      modelVersion: "v2",
      createdAt: "2026-03-01T12:00:00.000Z",
      predictions: [
        { imageId: i1, labelId: car, score: 0.1 },
        { imageId: i4, labelId: car, score: 0.99 },
      ],
    });
    expect((await next()).image?.imageId).toBe(i1);
    await submit("ann1", i1);
    // The first run chosen by name: its least sure free image.
    const runs = await w.t.sql.selectFrom("prediction_runs").select("id").orderBy("id").execute();
    await putAl({ runId: runs[0]?.id });
    expect((await next()).image?.imageId).toBe(i2);
    await submit("ann1", i2);
    // The chosen run deleted (hidden): back to the newest live one, v2.
    await w.t.sql
      .updateTable("prediction_runs")
      .set({ deleted_at: "2026-03-02T00:00:00.000Z" })
      .where("id", "=", runs[0]?.id ?? 0)
      .execute();
    expect((await next()).image?.imageId).toBe(i4);
    expect(v2).toBeGreaterThan(runs[0]?.id ?? 0);
  });

  it("respects leases: a leased image is nobody else's until its lease runs out", async () => {
    const { i2, i4 } = await seedSix();
    await putAl({ order: "uncertainty", diversity: 0 });
    expect((await next("ann1")).image?.imageId).toBe(i2);
    // ann2 gets the next most uncertain, not ann1's; ann1 asking again keeps their own.
    expect((await next("ann2")).image?.imageId).toBe(i4);
    expect((await next("ann1")).image?.imageId).toBe(i2);
    // ann2 submits; ann1's lease runs out: the most uncertain image is free again, and ann2 gets it.
    await submit("ann2", i4);
    w.clock.ms += 31 * 60_000;
    expect((await next("ann2")).image?.imageId).toBe(i2);
  });

  it("honeypots still come in (warm-up first), and a gold image is never handed out as real work", async () => {
    const { i2, i4, i3 } = await seedSix();
    await putAl({ order: "uncertainty", diversity: 0 });
    // The most uncertain image becomes a honeypot.
    const marked = await w
      .as("mgr")
      .post(`/projects/${w.projectId}/images/gold`, { imageIds: [i2], gold: "honeypot" });
    expect(marked.status, JSON.stringify(marked.body)).toBe(200);
    const q = await w.as("mgr").put(`/projects/${w.projectId}/quality/settings`, { warmupImages: 1 });
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    const first = await next();
    expect(first.image?.imageId).toBe(i2); // the honeypot, on the annotator's own copy
    await submit("ann1", i2);
    const rest = await handOutOrder(2);
    expect(rest).toEqual([i4, i3]);
    // The gold image's own row was never leased.
    const row = await w.t.sql
      .selectFrom("images")
      .select(["assignee_id", "lease_until"])
      .where("id", "=", i2)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ assignee_id: null, lease_until: null });
  });

  it("a run written by the predictions' own path (import, then a backend's batch) orders the queue", async () => {
    w = await makeReviewWorld(4);
    await setReview(w, { queue: true });
    await putAl({ order: "uncertainty", diversity: 0 });
    const [i1, i2, i3, i4] = w.imageIds as [number, number, number, number];
    const deps = {
      sql: w.t.sql,
      dialect: w.t.dialect,
      ...(w.t.dialect === "sqlite" ? { db: w.t.db } : w.t.pool ? { pgPool: w.t.pool } : {}),
      now: () => new Date(w.clock.ms).toISOString(),
    };
    const geometry = { type: "box", x: 5, y: 5, width: 10, height: 10 } as const;
    const run = await createPredictionRun(deps, {
      projectId: w.projectId,
      modelName: "detector",
      modelVersion: "v1",
      source: "coco-results",
      labelMap: [],
      params: {},
      createdBy: "test",
      predictions: [
        { imageId: i1, labelId: w.labelId, geometry, score: 0.9 },
        { imageId: i2, labelId: w.labelId, geometry, score: 0.6 },
        { imageId: i3, labelId: w.labelId, geometry, score: 0.8 },
      ],
    });
    const scores = () =>
      w.t.sql
        .selectFrom("prediction_image_scores")
        .select(["image_id", "top_score", "margin"])
        .where("run_id", "=", run.id)
        .orderBy("image_id")
        .execute();
    expect(await scores()).toEqual([
      { image_id: i1, top_score: 0.9, margin: 0.9 },
      { image_id: i2, top_score: 0.6, margin: 0.6 },
      { image_id: i3, top_score: 0.8, margin: 0.8 },
    ]);
    // A later batch: image 1 gets a more confident box (its top rises, its margin shrinks), image 4 its first.
    await appendPredictions(deps, run.id, [
      { imageId: i1, labelId: w.labelId, geometry, score: 0.95 },
      { imageId: i4, labelId: w.labelId, geometry, score: 0.1 },
    ]);
    const after = await scores();
    expect(after.map((r) => [r.image_id, r.top_score])).toEqual([
      [i1, 0.95],
      [i2, 0.6],
      [i3, 0.8],
      [i4, 0.1],
    ]);
    expect(after[0]?.margin).toBeCloseTo(0.05, 12);
    expect(await handOutOrder(5)).toEqual([i4, i2, i3, i1, null]);
  });
});

describe(`the uncertainty queue at 100k images (${TEST_BACKEND})`, () => {
  it("hands out the least sure image fast, also when the least sure half is taken", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { queue: true });
    const person = (await createLabel(w.t.app, w.projectId, { name: "person" })).id;
    const bus = (await createLabel(w.t.app, w.projectId, { name: "bus" })).id;
    const labels = [w.labelId, person, bus];
    const ids = await addImageRows(w.t, w.projectId, 100_000);
    const deps = {
      sql: w.t.sql,
      dialect: w.t.dialect,
      ...(w.t.dialect === "sqlite" ? { db: w.t.db } : w.t.pool ? { pgPool: w.t.pool } : {}),
      now: () => new Date(w.clock.ms).toISOString(),
    };
    // One prediction per image; image i's top score grows with i, so image 0 is the least sure.
    const geometry = { type: "box", x: 5, y: 5, width: 10, height: 10 } as const;
    await createPredictionRun(deps, {
      projectId: w.projectId,
      modelName: "det",
      modelVersion: "v1",
      source: "coco-results",
      labelMap: [],
      params: {},
      createdBy: null,
      predictions: ids.map((imageId, i) => ({
        imageId,
        labelId: labels[i % 3] as number,
        geometry,
        score: 0.01 + (0.98 * i) / ids.length,
      })),
    });
    await putAl({ order: "uncertainty", diversity: 0 });
    const timed = async (who: "ann1" | "ann2") => {
      const start = performance.now();
      const n = await next(who);
      return { id: n.image?.imageId, ms: performance.now() - start };
    };
    const first = await timed("ann1");
    expect(first.id).toBe(ids[0]);
    // The least sure half taken (submitted): each label's index range scan walks past 16k+ entries.
    const half = ids.slice(1, 50_000);
    for (let i = 0; i < half.length; i += 1000)
      await w.t.sql
        .updateTable("images")
        .set({ review_state: "unreviewed", status: "done", submitted_at: "2026-03-02T09:00:00.000Z" })
        .where("id", "in", half.slice(i, i + 1000))
        .execute();
    const second = await timed("ann2");
    expect(second.id).toBe(ids[50_000]);
    console.log(
      `uncertainty hand-out at 100k images (${TEST_BACKEND}): ${first.ms.toFixed(0)} ms; with the least sure 50k taken: ${second.ms.toFixed(0)} ms`,
    );
    // Measured ~110 ms (SQLite) and ~140 ms (PostgreSQL), most of it the queue's other steps; a plan
    // that reads a label's rows and sorts them took ~950 ms on SQLite.
    expect(first.ms).toBeLessThan(500);
    expect(second.ms).toBeLessThan(2000);
  }, 120_000);
});
