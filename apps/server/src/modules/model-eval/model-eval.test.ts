import { type Geometry, ModelEvaluation } from "@labelbench/schema";
import { afterEach, describe, expect, it } from "vitest";
import { createLabel, expectError } from "../../test-support/api.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import { seedRun } from "../../test-support/predictions.js";
import { makeReviewWorld, type ReviewWorld, revisionOf } from "../../test-support/review.js";
import { createPredictionRun } from "../predictions/runs.js";

/** "Does the model help?" (issue 17): a model version's numbers through the API, on both databases. */
let w: ReviewWorld;
afterEach(() => w?.t.cleanup());

const box = (x: number, y: number, width: number, height: number): Geometry => ({
  type: "box",
  x,
  y,
  width,
  height,
});

const saveShapes = async (imageId: number, labelId: number, boxes: Geometry[]) => {
  const r = await w.as("admin").patch(`/images/${imageId}/annotations`, {
    baseRevision: await revisionOf(w, imageId),
    upsert: boxes.map((geometry, i) => ({ id: `ref-${imageId}-${i}`, labelId, geometry })),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};
const activity = async (imageId: number, day: string, seconds: number) =>
  w.t.sql
    .insertInto("editor_activity")
    .values({ project_id: w.projectId, user_id: w.users.ann1.id, image_id: imageId, day, seconds })
    .execute();
const submitted = async (imageId: number) =>
  w.t.sql
    .updateTable("images")
    .set({ submitted_at: "2026-03-06T00:00:00.000Z" })
    .where("id", "=", imageId)
    .execute();
const evaluation = async (who: "mgr" | "rev" = "mgr") => {
  const r = await w.as(who).get(`/projects/${w.projectId}/model-evaluation`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return ModelEvaluation.parse(r.body);
};

describe(`model versions (${TEST_BACKEND})`, () => {
  it("scores each live run on the gold images, oldest first, with acceptance, edits and seconds per image", async () => {
    w = await makeReviewWorld(6);
    const [g1, g2, i3, i4, i5, i6] = w.imageIds as [number, number, number, number, number, number];
    const car = w.labelId;
    const unused = (await createLabel(w.t.app, w.projectId, { name: "bus" })).id;
    // The reference: three cars on two gold images.
    await saveShapes(g1, car, [box(0, 0, 100, 100), box(200, 200, 50, 50)]);
    await saveShapes(g2, car, [box(10, 10, 40, 40)]);
    const marked = await w
      .as("mgr")
      .post(`/projects/${w.projectId}/images/gold`, { imageIds: [g1, g2], gold: "honeypot" });
    expect(marked.status, JSON.stringify(marked.body)).toBe(200);

    // v0, deleted: not on the curve.
    const v0 = await seedRun(w.t, w.projectId, {
      modelVersion: "v0",
      createdAt: "2026-02-20T00:00:00.000Z",
      predictions: [{ imageId: g1, labelId: car, score: 0.5 }],
    });
    await w.t.sql
      .updateTable("prediction_runs")
      .set({ deleted_at: "2026-02-21T00:00:00.000Z" })
      .where("id", "=", v0)
      .execute();
    // v1: a hit (.9), a false positive (.8), a hit (.7), a miss; decisions on ordinary images.
    const v1 = await seedRun(w.t, w.projectId, {
      modelVersion: "v1",
      createdAt: "2026-03-01T08:00:00.000Z",
      predictions: [
        { imageId: g1, labelId: car, score: 0.9, geometry: box(0, 0, 100, 100) },
        { imageId: g1, labelId: car, score: 0.8, geometry: box(300, 300, 20, 20) },
        { imageId: g2, labelId: car, score: 0.7, geometry: box(10, 10, 40, 40) },
        { imageId: i3, labelId: car, score: 0.9, state: "accepted", editIou: 1 },
        { imageId: i4, labelId: car, score: 0.6, state: "edited", editIou: 0.8 },
        { imageId: i4, labelId: unused, score: 0.2, state: "rejected" },
        { imageId: i4, labelId: car, score: 0.1 },
        // a whole-image tag prediction: no geometry, not in the detection scores
        { imageId: g1, labelId: unused, score: 0.99, geometry: null },
      ],
    });
    // v2, trained on dataset version 1: every reference shape found.
    const v2 = await seedRun(w.t, w.projectId, {
      modelVersion: "v2",
      createdAt: "2026-03-05T08:00:00.000Z",
      trainedOnVersion: 1,
      predictions: [
        { imageId: g1, labelId: car, score: 0.9, geometry: box(0, 0, 100, 100) },
        { imageId: g1, labelId: car, score: 0.8, geometry: box(200, 200, 50, 50) },
        { imageId: g2, labelId: car, score: 0.7, geometry: box(10, 10, 40, 40) },
      ],
    });

    // Editor time: i3 worked with v1's predictions (40 s since v1's day; the 100 s before it do
    // not count); i4 is not submitted; i5 and i6 never had predictions; gold images never count.
    await activity(i3, "2026-02-28", 100);
    await activity(i3, "2026-03-02", 40);
    await activity(i4, "2026-03-02", 500);
    await activity(i5, "2026-03-02", 90);
    await activity(i6, "2026-03-02", 30);
    await activity(i6, "2026-03-03", 30);
    await activity(g1, "2026-03-02", 999);
    for (const id of [i3, i5, i6, g1]) await submitted(id);

    const e = await evaluation();
    expect(e.goldImages).toBe(2);
    expect(e.secondsWithoutPredictions).toEqual({ n: 2, mean: 75, median: 75 });
    expect(e.versions.map((v) => [v.runId, v.modelVersion])).toEqual([
      [v1, "v1"],
      [v2, "v2"],
    ]);
    const [first, second] = e.versions as [(typeof e.versions)[0], (typeof e.versions)[0]];
    // v1 on the gold images: .9 hit, .8 fp, .7 hit of 3 → rc [1/3, 1/3, 2/3], envelope [1, 2/3, 2/3]:
    // 34 recall points at 1, 33 at 2/3 → 56/101 at every IoU threshold (the hits are exact).
    expect(first.gold).toMatchObject({ images: 2, referenceShapes: 3, predictions: 3 });
    expect(first.gold.bbox.map).toBeCloseTo(56 / 101, 12);
    expect(first.gold.bbox.ap50).toBeCloseTo(56 / 101, 12);
    expect(first.gold.bbox.ar100).toBeCloseTo(2 / 3, 12);
    expect(first.gold.segm.map).toBeCloseTo(56 / 101, 12);
    expect(first.acceptance).toMatchObject({ value: 2 / 3, n: 3 });
    expect(first.acceptance.low).toBeGreaterThan(0);
    expect(first.acceptance.high).toBeLessThan(1);
    expect(first.meanEdit.n).toBe(2);
    expect(first.meanEdit.value).toBeCloseTo(0.1, 12);
    // i4 left a prediction pending but is not submitted: not measured.
    expect(first.secondsWithPredictions).toEqual({ n: 1, mean: 40, median: 40 });
    expect(first.ignoredImages).toBe(0);
    expect(first.trainedOnVersion).toBeNull();

    expect(second.gold.bbox).toEqual({ map: 1, ap50: 1, ap75: 1, ar100: 1 });
    expect(second.trainedOnVersion).toBe(1);
    expect(second.acceptance).toEqual({ value: null, n: 0, low: 0, high: 1 });
    expect(second.secondsWithPredictions).toEqual({ n: 0, mean: null, median: null });

    // Reviewers read it too.
    expect((await evaluation("rev")).versions).toHaveLength(2);
  });

  it("a run that predicted on no gold image has no gold scores (null, n 0), and a project without runs an empty curve", async () => {
    w = await makeReviewWorld(2);
    const [g1, i2] = w.imageIds as [number, number];
    await saveShapes(g1, w.labelId, [box(0, 0, 10, 10)]);
    await w.as("mgr").post(`/projects/${w.projectId}/images/gold`, { imageIds: [g1], gold: "qualification" });
    expect((await evaluation()).versions).toEqual([]);
    await seedRun(w.t, w.projectId, {
      modelVersion: "v1",
      createdAt: "2026-03-01T08:00:00.000Z",
      predictions: [{ imageId: i2, labelId: w.labelId, score: 0.5 }],
    });
    const [v] = (await evaluation()).versions;
    expect(v?.gold).toEqual({
      images: 0,
      referenceShapes: 0,
      predictions: 0,
      bbox: { map: null, ap50: null, ap75: null, ar100: null },
      segm: { map: null, ap50: null, ap75: null, ar100: null },
    });
  });

  it("times an image submitted with the run's predictions all pending (seen and ignored), not one submitted before the run", async () => {
    w = await makeReviewWorld(4);
    const [decided, ignored, before, untouched] = w.imageIds as [number, number, number, number];
    const car = w.labelId;
    const v1 = await seedRun(w.t, w.projectId, {
      modelVersion: "v1",
      createdAt: "2026-03-01T08:00:00.000Z",
      predictions: [
        { imageId: decided, labelId: car, score: 0.9, state: "accepted", editIou: 1 },
        { imageId: decided, labelId: car, score: 0.3 },
        { imageId: ignored, labelId: car, score: 0.8 },
        { imageId: ignored, labelId: car, score: 0.4 },
        { imageId: before, labelId: car, score: 0.7 },
      ],
    });
    const submittedAt = (imageId: number, at: string) =>
      w.t.sql.updateTable("images").set({ submitted_at: at }).where("id", "=", imageId).execute();
    await activity(decided, "2026-03-02", 20);
    await activity(ignored, "2026-03-02", 60);
    await activity(ignored, "2026-03-03", 40);
    // Worked and submitted the morning the run came in, before it did: never saw the predictions.
    await activity(before, "2026-03-01", 300);
    await activity(untouched, "2026-03-02", 50);
    await submittedAt(decided, "2026-03-02T10:00:00.000Z");
    await submittedAt(ignored, "2026-03-03T10:00:00.000Z");
    await submittedAt(before, "2026-03-01T07:00:00.000Z");
    await submittedAt(untouched, "2026-03-02T10:00:00.000Z");
    const e = await evaluation();
    const [v] = e.versions;
    expect(v?.runId).toBe(v1);
    // decided (20 s) and ignored (100 s): the ignored image's time is time spent with pre-labels too.
    expect(v?.secondsWithPredictions).toEqual({ n: 2, mean: 60, median: 60 });
    expect(v?.ignoredImages).toBe(1);
    // The baseline is images no run predicted on.
    expect(e.secondsWithoutPredictions).toEqual({ n: 1, mean: 50, median: 50 });
  });

  it("an unknown project is a 404", async () => {
    w = await makeReviewWorld(1);
    expectError(await w.as("mgr").get("/projects/999999/model-evaluation"), 404, "NOT_FOUND");
  });

  it("decisions made by annotation saves (accept unchanged, accept edited, delete) give acceptance and mean edit", async () => {
    w = await makeReviewWorld(2);
    const [a, b] = w.imageIds as [number, number];
    const deps = {
      sql: w.t.sql,
      dialect: w.t.dialect,
      ...(w.t.dialect === "sqlite" ? { db: w.t.db } : w.t.pool ? { pgPool: w.t.pool } : {}),
      now: () => new Date(w.clock.ms).toISOString(),
    };
    const run = await createPredictionRun(deps, {
      projectId: w.projectId,
      modelName: "det",
      modelVersion: "v1",
      source: "coco-results",
      labelMap: [],
      params: {},
      createdBy: null,
      predictions: [
        { imageId: a, labelId: w.labelId, geometry: box(10, 20, 100, 50), score: 0.9 },
        { imageId: a, labelId: w.labelId, geometry: box(200, 20, 100, 50), score: 0.8 },
        { imageId: b, labelId: w.labelId, geometry: box(10, 20, 100, 50), score: 0.7 },
      ],
    });
    const [p1, p2, p3] = (
      await w.t.sql
        .selectFrom("predictions")
        .select("id")
        .where("run_id", "=", run.id)
        .orderBy("id")
        .execute()
    ).map((r) => r.id) as [number, number, number];
    const save = async (imageId: number, body: object) => {
      const r = await w.as("admin").patch(`/images/${imageId}/annotations`, {
        baseRevision: await revisionOf(w, imageId),
        ...body,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    };
    // p1 as predicted; p2 at half its width (IoU .5); p3 accepted, then its shape deleted (rejected).
    await save(a, {
      upsert: [
        { id: "s1", labelId: w.labelId, geometry: box(10, 20, 100, 50), predictionId: p1 },
        { id: "s2", labelId: w.labelId, geometry: box(200, 20, 50, 50), predictionId: p2 },
      ],
    });
    await save(b, {
      upsert: [{ id: "s3", labelId: w.labelId, geometry: box(10, 20, 100, 50), predictionId: p3 }],
    });
    await save(b, { delete: ["s3"] });
    const [v] = (await evaluation()).versions;
    expect(v?.acceptance.value).toBeCloseTo(2 / 3, 12);
    expect(v?.acceptance.n).toBe(3);
    expect(v?.meanEdit.n).toBe(2);
    expect(v?.meanEdit.value).toBeCloseTo(0.25, 12);
  });
});
