import {
  AnnotationSet,
  Calibration,
  ImagePredictions,
  PredictionImportReport,
  PredictionRun,
} from "@labelbench/schema";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { expectError } from "../../test-support/api.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import { makeZip } from "../../test-support/zips.js";
import { makePredictionWorld, type PredictionWorld } from "./test-world.js";

/** The predictions API (issue 17) end to end: imports of each format, runs, decisions, calibration. */
let w: PredictionWorld;
afterEach(() => w?.t.cleanup());

const Q = "modelName=det&modelVersion=v1";
const importJson = (body: unknown, query = "") =>
  request(w.t.app)
    .post(`/api/v1/projects/${w.projectId}/predictions/import?${Q}${query}`)
    .set("Content-Type", "application/json")
    .send(JSON.stringify(body));
const importZip = async (files: [string, string][], query = "") =>
  request(w.t.app)
    .post(`/api/v1/projects/${w.projectId}/predictions/import?${Q}${query}`)
    .set("Content-Type", "application/zip")
    .send(await makeZip(files));
const ok = (r: { status: number; body: unknown }) => {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return PredictionImportReport.parse(r.body);
};
const rowsOf = (runId: number) =>
  w.t.sql.selectFrom("predictions").selectAll().where("run_id", "=", runId).orderBy("id").execute();
const det = (image_id: number, category_id: number, x: number, score: number) => ({
  image_id,
  category_id,
  bbox: [x, 10, 100, 50],
  score,
});

describe(`predictions import (${TEST_BACKEND})`, () => {
  it("COCO results against the project's own export ids: a run with the boxes, its counts and label map", async () => {
    w = await makePredictionWorld(3);
    const report = ok(
      await importJson([det(1, 1, 10, 0.9), det(2, 2, 20, 0.8), det(3, 3, 30, 0.7), det(3, 1, 40, 0.05)]),
    );
    expect(report).toMatchObject({
      dryRun: false,
      applied: true,
      format: "coco-results",
      detections: { read: 4, belowScore: 0, suppressed: 0, imported: 4 },
      images: 3,
      problems: [],
      problemsTruncated: false,
    });
    expect(report.perLabel.map((l) => [l.name, l.count])).toEqual([
      ["car", 2],
      ["person", 1],
      ["Butterfly", 1],
    ]);
    const run = PredictionRun.parse(
      (await request(w.t.app).get(`/api/v1/prediction-runs/${report.runId}`)).body,
    );
    expect(run).toMatchObject({
      modelName: "det",
      modelVersion: "v1",
      source: "coco-results",
      imageCount: 3,
    });
    expect(run.counts).toEqual({ pending: 4, accepted: 0, edited: 0, rejected: 0 });
    expect(run.labelMap).toEqual([
      { modelLabel: "1", labelId: w.labels.car.id },
      { modelLabel: "2", labelId: w.labels.person.id },
      { modelLabel: "3", labelId: w.labels.butterfly.id },
    ]);
    const rows = await rowsOf(run.id);
    expect(rows.map((r) => [r.image_id, r.label_id, JSON.parse(r.geometry ?? "null"), r.score])).toEqual([
      [w.imageIds[0], w.labels.car.id, { type: "box", x: 10, y: 10, width: 100, height: 50 }, 0.9],
      [w.imageIds[1], w.labels.person.id, { type: "box", x: 20, y: 10, width: 100, height: 50 }, 0.8],
      [w.imageIds[2], w.labels.butterfly.id, { type: "box", x: 30, y: 10, width: 100, height: 50 }, 0.7],
      [w.imageIds[2], w.labels.car.id, { type: "box", x: 40, y: 10, width: 100, height: 50 }, 0.05],
    ]);
    const list = (await request(w.t.app).get(`/api/v1/projects/${w.projectId}/prediction-runs`)).body;
    expect(list.items.map((r: PredictionRun) => r.id)).toEqual([run.id]);
  });

  it("a segmentation of several outlines: a polygon prediction per outline, same score, and the report says how many were split", async () => {
    w = await makePredictionWorld(1);
    const report = ok(
      await importJson([
        {
          image_id: 1,
          category_id: 1,
          score: 0.75,
          segmentation: [
            [10, 10, 60, 10, 60, 40],
            [100, 100, 140, 100, 140, 150, 100, 150],
            [200, 200, 200.5, 200, 200.5, 200.5],
          ],
        },
        det(1, 2, 300, 0.5),
      ]),
    );
    expect(report.detections).toEqual({
      read: 3,
      belowScore: 0,
      suppressed: 0,
      imported: 3,
      split: { entries: 1, polygons: 2 },
    });
    expect(report.problems.map((p) => `${p.where}: ${p.message}`)).toEqual([
      "[0].segmentation: 3 outlines: 2 polygons, each its own prediction with the entry's score; 1 below 1 square pixel left out",
    ]);
    const rows = await rowsOf(report.runId as number);
    expect(rows.map((r) => [r.label_id, r.score, JSON.parse(r.geometry as string).type])).toEqual([
      [w.labels.car.id, 0.75, "polygon"],
      [w.labels.car.id, 0.75, "polygon"],
      [w.labels.person.id, 0.5, "box"],
    ]);
  });

  it("maps image_id through the export's split and seed, and reads file_name", async () => {
    w = await makePredictionWorld(10);
    // With a split, the export numbers images split by split (train first): find which image is id 1.
    const exp = await request(w.t.app).get(
      `/api/v1/projects/${w.projectId}/export?format=coco&split=50,50,0&seed=s1&images=exclude`,
    );
    expect(exp.status).toBe(200);
    const report = ok(
      await importJson(
        [
          det(1, 1, 10, 0.9),
          { ...det(0, 1, 10, 0.9), image_id: undefined, file_name: "images/val/img-0004.jpg" },
        ],
        "&split=50,50,0&seed=s1",
      ),
    );
    const rows = await rowsOf(report.runId as number);
    expect(rows[1]?.image_id).toBe(w.imageIds[3]);
    expect(w.imageIds).toContain(rows[0]?.image_id);
  });

  it("dry run: the report, nothing written; score floor and class-wise NMS counted", async () => {
    w = await makePredictionWorld(1);
    const body = [det(1, 1, 10, 0.9), det(1, 1, 12, 0.8), det(1, 2, 12, 0.7), det(1, 1, 300, 0.2)];
    const dry = ok(await importJson(body, "&dryRun=true&minScore=0.3&nmsIou=0.5"));
    expect(dry).toMatchObject({
      dryRun: true,
      applied: false,
      runId: null,
      detections: { read: 4, belowScore: 1, suppressed: 1, imported: 2 },
    });
    expect(await w.t.sql.selectFrom("prediction_runs").select("id").execute()).toEqual([]);
    const real = ok(await importJson(body, "&minScore=0.3&nmsIou=0.5"));
    expect((await rowsOf(real.runId as number)).map((r) => r.score)).toEqual([0.9, 0.7]);
    const run = PredictionRun.parse(
      (await request(w.t.app).get(`/api/v1/prediction-runs/${real.runId}`)).body,
    );
    expect(run.params).toMatchObject({ minScore: 0.3, nmsIou: 0.5 });
  });

  it("all or nothing: unknown image, unknown category, bad box — a 400 with the report, nothing written", async () => {
    w = await makePredictionWorld(2);
    const r = await importJson([
      det(1, 1, 10, 0.9),
      det(9, 1, 10, 0.9),
      det(1, 7, 10, 0.9),
      { image_id: 1, category_id: 1, bbox: [900, 10, 100, 50], score: 0.5 },
      { image_id: 1, category_id: 2, segmentation: [[0, 0, 50, 0, 50, 50]], score: 0.5 },
      { image_id: 1, category_id: 1, bbox: [1, 1, 5, 5], score: 2 },
    ]);
    const err = expectError(r, 400, "VALIDATION_ERROR");
    const report = PredictionImportReport.parse(err.details);
    expect(report.applied).toBe(false);
    expect(report.problems.map((p) => `${p.where}: ${p.message}`)).toEqual([
      "[5].score: score 2 is not a number from 0 to 1",
      "[1]: image_id 9 is not an image of this project's COCO export (1-2); give the export's split and seed, or file_name",
      "[2]: category_id 7 is not a category of this project's COCO export (1-3, the labels in order)",
      '[3]: bad box on image "img-0001.jpg" (640x480): box [900, 10, 1000, 60] lies outside the image 640x480',
      '[4]: label "person" does not allow polygon shapes',
    ]);
    expect(err.message).toMatch(
      /^5 error\(s\) in the predictions; nothing was imported\. First: \(body\) \[5\]\.score/,
    );
    expect(await w.t.sql.selectFrom("prediction_runs").select("id").execute()).toEqual([]);
  });

  it("YOLO label files with confidence in a zip: by stem, classes by the project's label order or classes.txt", async () => {
    w = await makePredictionWorld(2);
    const report = ok(
      await importZip([
        ["labels/img-0001.txt", "0 0.5 0.5 0.25 0.5 0.9\n1 0.1 0.1 0.1 0.1 0.4\n"],
        ["labels/img-0002.txt", "0 0.1 0.1 0.3 0.1 0.3 0.4 0.6\n"],
      ]),
    );
    expect(report).toMatchObject({ format: "yolo", detections: { imported: 3 }, images: 2 });
    const rows = await rowsOf(report.runId as number);
    expect(rows.map((r) => [r.image_id, r.label_id, JSON.parse(r.geometry ?? "null")])).toEqual([
      [w.imageIds[0], w.labels.car.id, { type: "box", x: 240, y: 120, width: 160, height: 240 }],
      [w.imageIds[0], w.labels.person.id, { type: "box", x: 32, y: 24, width: 64, height: 48 }],
      [
        w.imageIds[1],
        w.labels.car.id,
        {
          type: "polygon",
          points: [
            [64, 48],
            [192, 48],
            [192, 192],
          ],
        },
      ],
    ]);
    const named = await importZip([
      ["classes.txt", "person\nbutterfly\n"],
      ["img-0001.txt", "1 0.5 0.5 0.25 0.5 0.9\n"],
      ["unknown.txt", "0 0.5 0.5 0.25 0.5 0.9\n"],
    ]);
    const err = expectError(named, 400, "VALIDATION_ERROR");
    expect(
      PredictionImportReport.parse(err.details).problems.map((p) => `${p.file} ${p.where}: ${p.message}`),
    ).toEqual(['unknown.txt line 1: image "unknown" is not an image of this project']);
  });

  it("Label Studio JSON: percent boxes, a choice as a whole-image tag, labels case-insensitive, what it cannot convert refused", async () => {
    w = await makePredictionWorld(2);
    const task = (image: string, result: unknown[]) => ({
      data: { image: `/data/upload/1/${image}` },
      predictions: [{ model_version: "m7", score: 0.8, result }],
    });
    const report = ok(
      await importJson([
        task("img-0001.jpg", [
          {
            type: "rectanglelabels",
            value: { x: 10, y: 20, width: 50, height: 25, rotation: 0, rectanglelabels: ["CAR"] },
            score: 0.95,
          },
          { type: "choices", value: { choices: ["person"] } },
        ]),
      ]),
    );
    expect(report).toMatchObject({ format: "labelstudio", detections: { imported: 2 } });
    const rows = await rowsOf(report.runId as number);
    expect(rows.map((r) => [r.label_id, JSON.parse(r.geometry ?? "null"), r.score])).toEqual([
      [w.labels.car.id, { type: "box", x: 64, y: 96, width: 320, height: 120 }, 0.95],
      [w.labels.person.id, null, 0.8],
    ]);
    const bad = await importJson([
      task("img-0002.jpg", [{ type: "keypointlabels", value: { x: 1, y: 1, keypointlabels: ["car"] } }]),
    ]);
    const err = expectError(bad, 400, "VALIDATION_ERROR");
    expect(PredictionImportReport.parse(err.details).problems[0]?.message).toMatch(
      /^"keypointlabels" results cannot be converted/,
    );
  });

  it("imports 10,000 detections", async () => {
    w = await makePredictionWorld(100);
    const body = Array.from({ length: 10_000 }, (_, i) =>
      det((i % 100) + 1, (i % 2) + 1, i % 500, (i % 97) / 100),
    );
    const report = ok(await importJson(body));
    expect(report.detections.imported).toBe(10_000);
    const run = PredictionRun.parse(
      (await request(w.t.app).get(`/api/v1/prediction-runs/${report.runId}`)).body,
    );
    expect(run.counts.pending).toBe(10_000);
    expect(run.imageCount).toBe(100);
  }, 120_000);

  it("refuses what is not a predictions file", async () => {
    w = await makePredictionWorld(1);
    const r = await importJson({ hello: 1 });
    const err = expectError(r, 400, "VALIDATION_ERROR");
    expect(PredictionImportReport.parse(err.details).problems[0]?.message).toMatch(/cannot tell the format/);
    const empty = await importJson([]);
    expectError(empty, 400, "VALIDATION_ERROR");
  });
});

const seedRun = async (images = 2) => {
  w = await makePredictionWorld(images);
  const report = ok(
    await importJson([
      det(1, 1, 10, 0.9),
      det(1, 1, 300, 0.6),
      det(2, 1, 10, 0.3),
      { file_name: "img-0001.jpg", category_id: 2, bbox: [400, 300, 50, 50], score: 0.5 },
    ]),
  );
  const rows = await rowsOf(report.runId as number);
  return { runId: report.runId as number, ids: rows.map((r) => r.id) };
};

describe(`prediction runs and decisions (${TEST_BACKEND})`, () => {
  it("renames a run and names its training version; deleting removes pending only and hides the run", async () => {
    const { runId, ids } = await seedRun();
    const patched = await request(w.t.app)
      .patch(`/api/v1/prediction-runs/${runId}`)
      .send({ modelVersion: "v2", trainedOnVersion: 3 });
    expect(PredictionRun.parse(patched.body)).toMatchObject({ modelVersion: "v2", trainedOnVersion: 3 });
    // One accepted through a save, one rejected: both stay after the deletion.
    const img = w.imageIds[0] as number;
    const geometry = { type: "box", x: 10, y: 10, width: 100, height: 50 };
    const saved = await request(w.t.app)
      .patch(`/api/v1/images/${img}/annotations`)
      .send({
        baseRevision: 0,
        upsert: [{ id: "a1", labelId: w.labels.car.id, geometry, predictionId: ids[0] }],
      });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const dec = await request(w.t.app)
      .post(`/api/v1/images/${img}/predictions/decisions`)
      .send({ reject: [ids[1]] });
    expect(dec.status, JSON.stringify(dec.body)).toBe(200);
    const del = await request(w.t.app).delete(`/api/v1/prediction-runs/${runId}`);
    expect(del.status).toBe(204);
    expect((await rowsOf(runId)).map((r) => r.state)).toEqual(["accepted", "rejected"]);
    expectError(await request(w.t.app).get(`/api/v1/prediction-runs/${runId}`), 404, "NOT_FOUND");
    expect(
      (await request(w.t.app).get(`/api/v1/projects/${w.projectId}/prediction-runs`)).body.items,
    ).toEqual([]);
    expect(
      ImagePredictions.parse((await request(w.t.app).get(`/api/v1/images/${img}/predictions`)).body)
        .predictions,
    ).toEqual([]);
    // The shape it became stays, still naming its prediction.
    const set = AnnotationSet.parse((await request(w.t.app).get(`/api/v1/images/${img}/annotations`)).body);
    expect(set.annotations[0]?.predictionId).toBe(ids[0]);
  });

  it("an image's predictions with their runs; reject, reopen; accepting a tag adds it with a revision step", async () => {
    w = await makePredictionWorld(1);
    const task = {
      data: { image: "img-0001.jpg" },
      predictions: [
        {
          result: [
            { type: "choices", value: { choices: ["person"] }, score: 0.7 },
            {
              type: "rectanglelabels",
              value: { x: 1, y: 1, width: 10, height: 10, rectanglelabels: ["car"] },
              score: 0.6,
            },
          ],
        },
      ],
    };
    const report = ok(await importJson([task]));
    const img = w.imageIds[0] as number;
    const mine = ImagePredictions.parse(
      (await request(w.t.app).get(`/api/v1/images/${img}/predictions`)).body,
    );
    expect(mine.runs.map((r) => r.id)).toEqual([report.runId]);
    const [tag, box] = mine.predictions.sort(
      (a, b) => (a.geometry === null ? -1 : 1) - (b.geometry === null ? -1 : 1),
    );
    const post = (body: object) =>
      request(w.t.app).post(`/api/v1/images/${img}/predictions/decisions`).send(body);
    const accepted = await post({ acceptTags: [tag?.id] });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.revision).toBe(1);
    expect(accepted.body.predictions[0]).toMatchObject({ id: tag?.id, state: "accepted" });
    const set = AnnotationSet.parse((await request(w.t.app).get(`/api/v1/images/${img}/annotations`)).body);
    expect(set).toMatchObject({ revision: 1, tags: [w.labels.person.id] });
    expect((await post({ reject: [box?.id] })).body.predictions[0]).toMatchObject({
      state: "rejected",
      decidedBy: "test-admin@example.com",
    });
    expect((await post({ reopen: [box?.id] })).body.predictions[0]).toMatchObject({
      state: "pending",
      decidedBy: null,
    });
    // Refusals: a shape through acceptTags, an id twice, an unknown id.
    const bad = await post({ acceptTags: [box?.id], reject: [box?.id, 999999] });
    const err = expectError(bad, 400, "VALIDATION_ERROR");
    expect(
      (err.details as { path: string; message: string }[]).map((d) => `${d.path}: ${d.message}`),
    ).toEqual([
      `body.reject.0: prediction ${box?.id} is also in acceptTags`,
      `body.acceptTags.0: prediction ${box?.id} is a shape; accept it by saving the shape with predictionId`,
      "body.reject.1: prediction 999999 does not exist (or its run was deleted)",
    ]);
  });

  it("reopening an accepted tag takes off the tag its accept added (a revision step), never one the image had", async () => {
    w = await makePredictionWorld(1);
    const img = w.imageIds[0] as number;
    const annotations = () =>
      request(w.t.app)
        .get(`/api/v1/images/${img}/annotations`)
        .then((r) => AnnotationSet.parse(r.body));
    // The annotator tagged the image `car` before the classifier's run came in.
    await request(w.t.app)
      .put(`/api/v1/images/${img}/annotations`)
      .send({ baseRevision: 0, annotations: [], tags: [w.labels.car.id] })
      .expect(200);
    const choice = (name: string, score: number) => ({
      type: "choices",
      value: { choices: [name] },
      score,
    });
    ok(
      await importJson([
        {
          data: { image: "img-0001.jpg" },
          predictions: [{ result: [choice("person", 0.7), choice("car", 0.6)] }],
        },
      ]),
    );
    const preds = ImagePredictions.parse(
      (await request(w.t.app).get(`/api/v1/images/${img}/predictions`)).body,
    );
    const person = preds.predictions.find((p) => p.labelId === w.labels.person.id)?.id as number;
    const car = preds.predictions.find((p) => p.labelId === w.labels.car.id)?.id as number;
    const post = (body: object) =>
      request(w.t.app).post(`/api/v1/images/${img}/predictions/decisions`).send(body);
    const accepted = await post({ acceptTags: [person, car] });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.revision).toBe(2);
    expect((await annotations()).tags.sort()).toEqual([w.labels.car.id, w.labels.person.id].sort());

    const reopened = await post({ reopen: [person, car] });
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
    expect(reopened.body.predictions.map((p: { state: string }) => p.state)).toEqual(["pending", "pending"]);
    // `person` was the accept's: it goes, with a revision step; `car` was the annotator's: it stays.
    expect(reopened.body.revision).toBe(3);
    expect(await annotations()).toMatchObject({ revision: 3, tags: [w.labels.car.id] });
    // An editor still holding revision 2 gets the usual conflict rather than writing the tag back.
    expectError(
      await request(w.t.app)
        .put(`/api/v1/images/${img}/annotations`)
        .send({ baseRevision: 2, annotations: [], tags: [w.labels.car.id, w.labels.person.id] }),
      409,
      "REVISION_CONFLICT",
    );

    // Accepted again, then the annotator takes the tag off: the reopen has nothing left to take.
    expect((await post({ acceptTags: [person] })).body.revision).toBe(4);
    await request(w.t.app)
      .put(`/api/v1/images/${img}/annotations`)
      .send({ baseRevision: 4, annotations: [], tags: [w.labels.car.id] })
      .expect(200);
    const again = await post({ reopen: [person] });
    expect(again.body).toMatchObject({ revision: 5, predictions: [{ id: person, state: "pending" }] });
    expect((await annotations()).tags).toEqual([w.labels.car.id]);
  });

  it("reopening one of two runs' accepted tags keeps the tag while the other stands", async () => {
    w = await makePredictionWorld(1);
    const img = w.imageIds[0] as number;
    const task = (score: number) => ({
      data: { image: "img-0001.jpg" },
      predictions: [{ result: [{ type: "choices", value: { choices: ["person"] }, score }] }],
    });
    ok(await importJson([task(0.7)]));
    ok(
      await request(w.t.app)
        .post(`/api/v1/projects/${w.projectId}/predictions/import?modelName=det&modelVersion=v2`)
        .set("Content-Type", "application/json")
        .send(JSON.stringify([task(0.8)])),
    );
    const ids = ImagePredictions.parse(
      (await request(w.t.app).get(`/api/v1/images/${img}/predictions`)).body,
    ).predictions.map((p) => p.id);
    const post = (body: object) =>
      request(w.t.app).post(`/api/v1/images/${img}/predictions/decisions`).send(body);
    expect((await post({ acceptTags: [ids[0]] })).body.revision).toBe(1);
    expect((await post({ acceptTags: [ids[1]] })).body.revision).toBe(1);
    // The first accept added the tag; the second found it there. Undoing the first leaves the tag
    // to the second, and undoing that one takes it off.
    expect((await post({ reopen: [ids[0]] })).body.revision).toBe(1);
    const set = AnnotationSet.parse((await request(w.t.app).get(`/api/v1/images/${img}/annotations`)).body);
    expect(set.tags).toEqual([w.labels.person.id]);
    expect((await post({ reopen: [ids[1]] })).body.revision).toBe(2);
    expect(
      AnnotationSet.parse((await request(w.t.app).get(`/api/v1/images/${img}/annotations`)).body).tags,
    ).toEqual([]);
  });

  it("bulk accept: one revision per image, above the score, labels filtered; calibration of the decisions", async () => {
    const { runId } = await seedRun(2);
    const res = await request(w.t.app)
      .post(`/api/v1/prediction-runs/${runId}/accept`)
      .send({ minScore: 0.4, labelIds: [w.labels.car.id] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ accepted: 2, images: 1, skipped: [] });
    const set = AnnotationSet.parse(
      (await request(w.t.app).get(`/api/v1/images/${w.imageIds[0]}/annotations`)).body,
    );
    expect(set.revision).toBe(1);
    expect(set.annotations.map((a) => a.predictionId).sort()).toHaveLength(2);
    const run = PredictionRun.parse((await request(w.t.app).get(`/api/v1/prediction-runs/${runId}`)).body);
    expect(run.counts).toEqual({ pending: 2, accepted: 2, edited: 0, rejected: 0 });
    const cal = Calibration.parse(
      (await request(w.t.app).get(`/api/v1/prediction-runs/${runId}/calibration?bins=5`)).body,
    );
    expect(cal).toMatchObject({ decided: 2, minDecisions: 50, suggestedThreshold: null });
    expect(cal.bins.map((b) => [b.decided, b.accepted, b.rate])).toEqual([
      [0, 0, null],
      [0, 0, null],
      [0, 0, null],
      [1, 1, 1],
      [1, 1, 1],
    ]);
  });

  it("suggests the lowest threshold reaching the target precision once there are enough decisions", async () => {
    w = await makePredictionWorld(1);
    // 100 boxes scoring 0.005 .. 0.995; those at or above 0.5 accepted, below rejected, except 0.605 and 0.705.
    const body = Array.from({ length: 100 }, (_, i) => det(1, 1, i * 5, (i + 0.5) / 100));
    const report = ok(await importJson(body));
    const rows = await rowsOf(report.runId as number);
    for (const r of rows) {
      const accept = r.score >= 0.5 && r.score !== 0.605 && r.score !== 0.705;
      await w.t.sql
        .updateTable("predictions")
        .set({ state: accept ? "accepted" : "rejected" })
        .where("id", "=", r.id)
        .execute();
    }
    const cal = Calibration.parse(
      (await request(w.t.app).get(`/api/v1/prediction-runs/${report.runId}/calibration?targetPrecision=0.95`))
        .body,
    );
    expect(cal.decided).toBe(100);
    // At 0.495: 48 of 51 accepted (0.941); at 0.505: 48/50 = 0.96.
    expect(cal.suggestedThreshold).toBe(0.505);
    expect(cal.bins[9]).toMatchObject({ decided: 10, accepted: 10, rate: 1 });
    expect(cal.bins[0]).toMatchObject({ decided: 10, accepted: 0, rate: 0 });
  });

  it("a project's deletion takes its runs and predictions", async () => {
    await seedRun();
    expect((await request(w.t.app).delete(`/api/v1/projects/${w.projectId}`)).status).toBe(204);
    expect(await w.t.sql.selectFrom("prediction_runs").select("id").execute()).toEqual([]);
    expect(await w.t.sql.selectFrom("predictions").select("id").execute()).toEqual([]);
  });
});
