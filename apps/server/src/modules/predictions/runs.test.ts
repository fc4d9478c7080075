import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../../http/errors.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import { appendPredictions, createPredictionRun, type NewPrediction } from "./runs.js";
import { makePredictionWorld, type PredictionWorld } from "./test-world.js";

let w: PredictionWorld;
afterEach(() => w?.t.cleanup());

const runInput = (predictions: NewPrediction[]) => ({
  projectId: w.projectId,
  modelName: "yolov8n",
  modelVersion: "2026-12-01",
  source: "coco-results" as const,
  labelMap: [{ modelLabel: "3", labelId: w.labels.car.id }],
  params: { minScore: 0.1 },
  createdBy: "test-admin@example.com",
  predictions,
});
const runRow = (id: number) =>
  w.t.sql.selectFrom("prediction_runs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

describe(`prediction runs: writing a run with its predictions (${TEST_BACKEND})`, () => {
  it("stores the run and its predictions, clamps shapes a little past the border, and keeps the counts", async () => {
    w = await makePredictionWorld(2);
    const [a, b] = w.imageIds as [number, number];
    const run = await createPredictionRun(
      w.deps,
      runInput([
        {
          imageId: a,
          labelId: w.labels.car.id,
          geometry: { type: "box", x: 630, y: 10, width: 15, height: 20 },
          score: 0.9,
        },
        { imageId: a, labelId: w.labels.person.id, geometry: null, score: 0.4 },
        {
          imageId: b,
          labelId: w.labels.car.id,
          geometry: {
            type: "polygon",
            points: [
              [1, 1],
              [50, 1],
              [50, 40],
            ],
          },
          score: 0.25,
        },
      ]),
    );
    expect(run).toMatchObject({
      projectId: w.projectId,
      modelName: "yolov8n",
      source: "coco-results",
      labelMap: [{ modelLabel: "3", labelId: w.labels.car.id }],
      params: { minScore: 0.1 },
      trainedOnVersion: null,
      imageCount: 2,
      counts: { pending: 3, accepted: 0, edited: 0, rejected: 0 },
    });
    const rows = await w.t.sql
      .selectFrom("predictions")
      .selectAll()
      .where("run_id", "=", run.id)
      .orderBy("id")
      .execute();
    expect(rows.map((r) => [r.image_id, r.state, r.score])).toEqual([
      [a, "pending", 0.9],
      [a, "pending", 0.4],
      [b, "pending", 0.25],
    ]);
    // 630 + 15 reaches 5 px past the 640 px wide image: within the 2% tolerance, clamped.
    expect(JSON.parse(rows[0]?.geometry ?? "null")).toEqual({
      type: "box",
      x: 630,
      y: 10,
      width: 10,
      height: 20,
    });
    expect(rows[1]?.geometry).toBeNull();
  });

  it("keeps the per-state counts through updates and deletions, and a project's deletion takes everything", async () => {
    w = await makePredictionWorld(2);
    const [a, b] = w.imageIds as [number, number];
    const box = { type: "box" as const, x: 1, y: 1, width: 10, height: 10 };
    const run = await createPredictionRun(
      w.deps,
      runInput(
        [a, a, b, b].map((imageId, i) => ({
          imageId,
          labelId: w.labels.car.id,
          geometry: box,
          score: i / 10,
        })),
      ),
    );
    await w.t.sql
      .updateTable("predictions")
      .set({ state: "accepted" })
      .where("run_id", "=", run.id)
      .where("score", "<", 0.15)
      .execute();
    await w.t.sql
      .updateTable("predictions")
      .set({ state: "rejected" })
      .where("run_id", "=", run.id)
      .where("score", "=", 0.2)
      .execute();
    expect(await runRow(run.id)).toMatchObject({
      pending_count: 1,
      accepted_count: 2,
      edited_count: 0,
      rejected_count: 1,
    });
    // An image's deletion cascades to its predictions, and the counts follow.
    await w.t.sql.deleteFrom("images").where("id", "=", b).execute();
    expect(await runRow(run.id)).toMatchObject({
      pending_count: 0,
      accepted_count: 2,
      edited_count: 0,
      rejected_count: 0,
    });
    await w.t.sql.deleteFrom("projects").where("id", "=", w.projectId).execute();
    expect(await w.t.sql.selectFrom("prediction_runs").select("id").execute()).toEqual([]);
    expect(await w.t.sql.selectFrom("predictions").select("id").execute()).toEqual([]);
  });

  it("refuses the whole run, naming each bad prediction, and writes nothing", async () => {
    w = await makePredictionWorld(1);
    const [a] = w.imageIds as [number];
    const other = await makePredictionWorld(1, w.t);
    const err = await createPredictionRun(
      w.deps,
      runInput([
        {
          imageId: a,
          labelId: w.labels.car.id,
          geometry: { type: "box", x: 1, y: 1, width: 5, height: 5 },
          score: 0.5,
        },
        { imageId: other.imageIds[0] as number, labelId: w.labels.car.id, geometry: null, score: 0.5 },
        { imageId: a, labelId: other.labels.car.id, geometry: null, score: 0.5 },
        { imageId: a, labelId: w.labels.car.id, geometry: null, score: 1.5 },
        {
          imageId: a,
          labelId: w.labels.car.id,
          geometry: { type: "box", x: 700, y: 1, width: 5, height: 5 },
          score: 0.5,
        },
      ]),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("VALIDATION_ERROR");
    expect((err as AppError).details).toEqual([
      {
        path: "predictions.1.imageId",
        message: `image ${other.imageIds[0]} is not in project ${w.projectId}`,
      },
      {
        path: "predictions.2.labelId",
        message: `label ${other.labels.car.id} is not in project ${w.projectId}'s label set`,
      },
      { path: "predictions.3.score", message: "score 1.5 is not a number from 0 to 1" },
      { path: "predictions.4.geometry", message: "box [700, 1, 705, 6] lies outside the image 640x480" },
    ]);
    expect(await w.t.sql.selectFrom("prediction_runs").select("id").execute()).toEqual([]);
  });

  it("appends a backend's batches to a live run, counting each image once", async () => {
    w = await makePredictionWorld(3);
    const [a, b, c] = w.imageIds as [number, number, number];
    const p = (imageId: number): NewPrediction => ({
      imageId,
      labelId: w.labels.person.id,
      geometry: null,
      score: 0.5,
    });
    const run = await createPredictionRun(w.deps, { ...runInput([p(a)]), source: "backend" });
    const after = await appendPredictions(w.deps, run.id, [p(a), p(b), p(b), p(c)]);
    expect(after.imageCount).toBe(3);
    expect(after.counts.pending).toBe(5);
  });

  it("writes 100k predictions in one run within seconds", async () => {
    w = await makePredictionWorld(1000);
    const predictions: NewPrediction[] = [];
    for (let i = 0; i < 100_000; i++)
      predictions.push({
        imageId: w.imageIds[i % 1000] as number,
        labelId: w.labels.car.id,
        geometry: { type: "box", x: (i % 600) + 0.5, y: 10.25, width: 20, height: 30 },
        score: (i % 100) / 100,
      });
    const start = performance.now();
    const run = await createPredictionRun(w.deps, runInput(predictions));
    const seconds = (performance.now() - start) / 1000;
    console.log(`100k predictions written in ${seconds.toFixed(2)} s (${TEST_BACKEND})`);
    expect(run.counts.pending).toBe(100_000);
    expect(run.imageCount).toBe(1000);
    // The machine running the suite is shared; the bench (bench/, predictions-import) holds the
    // 5 s target. Here: a bound a statement per row (100k round trips) would miss by far.
    expect(seconds).toBeLessThan(TEST_BACKEND === "sqlite" ? 15 : 60);
  }, 120_000);
});
