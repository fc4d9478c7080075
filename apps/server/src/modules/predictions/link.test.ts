import { AnnotationPatchResult, AnnotationSet } from "@labelbench/schema";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { expectError, issuePaths } from "../../test-support/api.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import { createPredictionRun } from "./runs.js";
import { makePredictionWorld, type PredictionWorld } from "./test-world.js";

/** Annotation saves that accept predictions (issue 17): the decision rides the save. */
let w: PredictionWorld;
afterEach(() => w?.t.cleanup());

const BOX = { type: "box" as const, x: 10, y: 20, width: 100, height: 50 };
const seed = async () => {
  w = await makePredictionWorld(2);
  const [a, b] = w.imageIds as [number, number];
  const run = await createPredictionRun(w.deps, {
    projectId: w.projectId,
    modelName: "det",
    modelVersion: "1",
    source: "coco-results",
    labelMap: [],
    params: {},
    createdBy: null,
    predictions: [
      { imageId: a, labelId: w.labels.car.id, geometry: BOX, score: 0.9 },
      { imageId: a, labelId: w.labels.car.id, geometry: { ...BOX, x: 300 }, score: 0.8 },
      { imageId: b, labelId: w.labels.car.id, geometry: BOX, score: 0.7 },
      { imageId: a, labelId: w.labels.person.id, geometry: null, score: 0.6 },
    ],
  });
  const ids = (
    await w.t.sql.selectFrom("predictions").select("id").where("run_id", "=", run.id).orderBy("id").execute()
  ).map((r) => r.id) as [number, number, number, number];
  return { a, b, run, ids };
};
const prediction = (id: number) =>
  w.t.sql.selectFrom("predictions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const patch = (imageId: number, body: object) =>
  request(w.t.app).patch(`/api/v1/images/${imageId}/annotations`).send(body);
const put = (imageId: number, body: object) =>
  request(w.t.app).put(`/api/v1/images/${imageId}/annotations`).send(body);
const runCounts = async (id: number) =>
  w.t.sql
    .selectFrom("prediction_runs")
    .select(["pending_count", "accepted_count", "edited_count", "rejected_count"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();

describe(`annotation saves accept predictions (${TEST_BACKEND})`, () => {
  it("PATCH: an unchanged shape accepts (IoU 1), the shape keeps predictionId, a later edit makes it edited, deleting rejects", async () => {
    const { a, run, ids } = await seed();
    const r1 = await patch(a, {
      baseRevision: 0,
      upsert: [{ id: "s1", labelId: w.labels.car.id, geometry: BOX, predictionId: ids[0] }],
    });
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);
    expect(AnnotationPatchResult.parse(r1.body).upserted[0]?.predictionId).toBe(ids[0]);
    expect(await prediction(ids[0])).toMatchObject({
      state: "accepted",
      edit_iou: 1,
      annotation_id: "s1",
      decided_by: "test-admin@example.com",
    });
    expect(await runCounts(run.id)).toEqual({
      pending_count: 3,
      accepted_count: 1,
      edited_count: 0,
      rejected_count: 0,
    });

    // The stored set (spliced JSON and parsed) says where the shape came from.
    const set = AnnotationSet.parse((await request(w.t.app).get(`/api/v1/images/${a}/annotations`)).body);
    expect(set.annotations[0]?.predictionId).toBe(ids[0]);

    // Moving it later (no predictionId sent) edits the prediction: the new IoU is kept.
    const r2 = await patch(a, {
      baseRevision: 1,
      upsert: [{ id: "s1", labelId: w.labels.car.id, geometry: { ...BOX, width: 50 } }],
    });
    expect(r2.status, JSON.stringify(r2.body)).toBe(200);
    expect(AnnotationPatchResult.parse(r2.body).upserted[0]?.predictionId).toBe(ids[0]);
    const edited = await prediction(ids[0]);
    expect(edited.state).toBe("edited");
    expect(edited.edit_iou).toBeCloseTo(0.5, 9);

    const r3 = await patch(a, { baseRevision: 2, delete: ["s1"] });
    expect(r3.status, JSON.stringify(r3.body)).toBe(200);
    expect(await prediction(ids[0])).toMatchObject({
      state: "rejected",
      edit_iou: null,
      annotation_id: null,
    });
    expect(await runCounts(run.id)).toEqual({
      pending_count: 3,
      accepted_count: 0,
      edited_count: 0,
      rejected_count: 1,
    });
  });

  it("PUT: another label or a moved shape is edited; the rest of the set is left alone; dropping the shape rejects", async () => {
    const { a, ids } = await seed();
    const r1 = await put(a, {
      baseRevision: 0,
      annotations: [
        { id: "s1", labelId: w.labels.person.id, geometry: BOX, predictionId: ids[0] },
        { id: "s2", labelId: w.labels.car.id, geometry: { ...BOX, x: 350 }, predictionId: ids[1] },
        { id: "hand", labelId: w.labels.car.id, geometry: { ...BOX, y: 200 } },
      ],
      tags: [],
    });
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);
    expect(AnnotationSet.parse(r1.body).annotations.map((x) => x.predictionId)).toEqual([
      ids[0],
      ids[1],
      undefined,
    ]);
    expect(await prediction(ids[0])).toMatchObject({ state: "edited", edit_iou: 1 });
    const moved = await prediction(ids[1]);
    expect(moved.state).toBe("edited");
    expect(moved.edit_iou).toBeCloseTo(50 / 150, 9);
    // Resending the set unchanged decides nothing again.
    const decidedAt = (await prediction(ids[1])).decided_at;
    const r2 = await put(a, {
      baseRevision: 1,
      annotations: AnnotationSet.parse(r1.body).annotations,
      tags: [],
    });
    expect(r2.status, JSON.stringify(r2.body)).toBe(200);
    expect((await prediction(ids[1])).decided_at).toBe(decidedAt);
    const r3 = await put(a, { baseRevision: 2, annotations: [], tags: [] });
    expect(r3.status, JSON.stringify(r3.body)).toBe(200);
    expect((await prediction(ids[0])).state).toBe("rejected");
    expect((await prediction(ids[1])).state).toBe("rejected");
  });

  it("refuses a prediction of another image, a decided one, a tag, an unknown one and one claimed twice — and the save is not applied", async () => {
    const { a, ids } = await seed();
    const s = (id: string, predictionId: number) => ({
      id,
      labelId: w.labels.car.id,
      geometry: BOX,
      predictionId,
    });
    const ok = await patch(a, { baseRevision: 0, upsert: [s("s1", ids[0])] });
    expect(ok.status).toBe(200);
    const res = await patch(a, {
      baseRevision: 1,
      upsert: [
        s("x1", ids[2]),
        s("x2", ids[0]),
        s("x3", ids[3]),
        s("x4", 999_999),
        s("x5", ids[1]),
        s("x6", ids[1]),
      ],
    });
    const err = expectError(res, 400, "VALIDATION_ERROR");
    expect(issuePaths(err.details)).toEqual([
      "body.upsert.5.predictionId",
      "body.upsert.0.predictionId",
      "body.upsert.1.predictionId",
      "body.upsert.2.predictionId",
      "body.upsert.3.predictionId",
    ]);
    const messages = (err.details as { message: string }[]).map((d) => d.message);
    expect(messages).toEqual([
      `prediction ${ids[1]} is already accepted as annotation "x5" in this save`,
      `prediction ${ids[2]} is of image ${w.imageIds[1]}, not image ${a}`,
      `prediction ${ids[0]} is already accepted as annotation "s1"`,
      `prediction ${ids[3]} is a whole-image tag; accept it as a tag (POST /images/${a}/predictions/decisions, acceptTags)`,
      "prediction 999999 does not exist (or its run was deleted)",
    ]);
    // Nothing of the refused save stayed: the revision, the shapes and the predictions are as they were.
    const set = AnnotationSet.parse((await request(w.t.app).get(`/api/v1/images/${a}/annotations`)).body);
    expect(set.revision).toBe(1);
    expect(set.annotations.map((x) => x.id)).toEqual(["s1"]);
    expect((await prediction(ids[1])).state).toBe("pending");
  });

  it("refuses a second prediction for a shape that already came from one", async () => {
    const { a, ids } = await seed();
    await patch(a, {
      baseRevision: 0,
      upsert: [{ id: "s1", labelId: w.labels.car.id, geometry: BOX, predictionId: ids[0] }],
    });
    const res = await patch(a, {
      baseRevision: 1,
      upsert: [{ id: "s1", labelId: w.labels.car.id, geometry: BOX, predictionId: ids[1] }],
    });
    const err = expectError(res, 400, "VALIDATION_ERROR");
    expect((err.details as { message: string }[])[0]?.message).toBe(
      `annotation "s1" came from prediction ${ids[0]}; it cannot become prediction ${ids[1]} as well`,
    );
  });
});
