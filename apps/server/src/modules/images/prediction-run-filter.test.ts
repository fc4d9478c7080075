import { BulkResult, ImagePage, PredictionImportReport } from "@labelbench/schema";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { expectError } from "../../test-support/api.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import { makePredictionWorld, type PredictionWorld } from "../predictions/test-world.js";

/**
 * The library's "pending predictions of run X" filter (issue 17): a run's "Open in the editor"
 * opens its first such image, and the editor's previous/next step only through them.
 */
let w: PredictionWorld;
afterEach(() => w?.t.cleanup());

const importRun = async (version: string, entries: { image_id: number; x: number; score: number }[]) => {
  const r = await request(w.t.app)
    .post(`/api/v1/projects/${w.projectId}/predictions/import?modelName=det&modelVersion=${version}`)
    .set("Content-Type", "application/json")
    .send(
      JSON.stringify(
        entries.map((e) => ({
          image_id: e.image_id,
          category_id: 1,
          bbox: [e.x, 10, 100, 50],
          score: e.score,
        })),
      ),
    );
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const report = PredictionImportReport.parse(r.body);
  if (report.runId === null) throw new Error("the import made no run");
  return report.runId;
};
const list = async (query: string) => {
  const r = await request(w.t.app).get(`/api/v1/projects/${w.projectId}/images?${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return ImagePage.parse(r.body);
};
const neighbours = async (imageId: number, query: string) => {
  const r = await request(w.t.app).get(`/api/v1/images/${imageId}/neighbours?${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { previousId: number | null; nextId: number | null; position: number; total: number };
};

describe(`library filter: pending predictions of a run (${TEST_BACKEND})`, () => {
  it("lists, counts and walks only the images holding a pending prediction of the run", async () => {
    w = await makePredictionWorld(6);
    const id = (i: number) => w.imageIds[i] as number;
    // Run A predicts on images 2, 4 and 5 (export ids count from 1); run B on image 1 alone.
    const runA = await importRun("a", [
      { image_id: 2, x: 10, score: 0.9 },
      { image_id: 4, x: 10, score: 0.8 },
      { image_id: 4, x: 300, score: 0.7 },
      { image_id: 5, x: 10, score: 0.6 },
    ]);
    const runB = await importRun("b", [{ image_id: 1, x: 10, score: 0.9 }]);

    const page = await list(`predictionRun=${runA}`);
    expect(page.items.map((i) => i.id)).toEqual([id(1), id(3), id(4)]);
    expect(page.counts).toMatchObject({ new: 3, total: 3 });
    expect((await list(`predictionRun=${runB}`)).items.map((i) => i.id)).toEqual([id(0)]);
    // The filter joins the others: by name descending, and with a search.
    expect((await list(`predictionRun=${runA}&sort=name&order=desc`)).items.map((i) => i.id)).toEqual([
      id(4),
      id(3),
      id(1),
    ]);
    expect((await list(`predictionRun=${runA}&q=0004`)).items.map((i) => i.id)).toEqual([id(3)]);

    // The editor's previous/next skip the images without the run's pending predictions.
    expect(await neighbours(id(1), `predictionRun=${runA}`)).toMatchObject({
      previousId: null,
      nextId: id(3),
      position: 1,
      total: 3,
    });
    expect(await neighbours(id(3), `predictionRun=${runA}`)).toMatchObject({
      previousId: id(1),
      nextId: id(4),
      position: 2,
      total: 3,
    });

    // Deciding every prediction of image 4 takes it out of the run's pending work.
    const preds = await w.t.sql
      .selectFrom("predictions")
      .select("id")
      .where("run_id", "=", runA)
      .where("image_id", "=", id(3))
      .execute();
    const dec = await request(w.t.app)
      .post(`/api/v1/images/${id(3)}/predictions/decisions`)
      .send({ reject: preds.map((p) => p.id) });
    expect(dec.status, JSON.stringify(dec.body)).toBe(200);
    expect((await list(`predictionRun=${runA}`)).items.map((i) => i.id)).toEqual([id(1), id(4)]);
    expect(await neighbours(id(1), `predictionRun=${runA}`)).toMatchObject({ nextId: id(4), total: 2 });

    // Bulk actions select by the same filter.
    const bulk = await request(w.t.app)
      .post(`/api/v1/projects/${w.projectId}/images/bulk`)
      .send({ filter: { predictionRun: runA }, action: { kind: "setStatus", status: "done" }, dryRun: true });
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
    expect(
      BulkResult.parse(bulk.body)
        .results.map((i) => i.imageId)
        .sort((a, b) => a - b),
    ).toEqual([id(1), id(4)]);

    // A deleted run has no pending predictions left: its filter is empty.
    expect((await request(w.t.app).delete(`/api/v1/prediction-runs/${runA}`)).status).toBe(204);
    expect((await list(`predictionRun=${runA}`)).items).toEqual([]);
  });

  it("refuses a run id that is not a positive whole number, naming the parameter", async () => {
    w = await makePredictionWorld(1);
    const r = await request(w.t.app).get(`/api/v1/projects/${w.projectId}/images?predictionRun=abc`);
    expectError(r, 400, "VALIDATION_ERROR");
    expect(JSON.stringify(r.body)).toContain("predictionRun");
  });
});
