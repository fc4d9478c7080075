import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ConnectionTest,
  ModelBackend,
  ModelBackendJob,
  TrainResult,
  WebhookDelivery,
} from "@labelbench/schema";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createLabel, createProject, expectError, uploadImage } from "../../test-support/api.js";
import { insertUserWithToken, makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";
import { refusedPort } from "../../test-support/ports.js";
import {
  type FakeBackend,
  type PredictBehaviour,
  rectangleResult,
  startFakeBackend,
} from "./fake-backend.js";

/**
 * Labelbench plays Label Studio towards a fake ML backend (a real HTTP server in the test that
 * answers as label-studio-ml's documented examples do and downloads the images it is sent), on the
 * suite's database.
 */
interface World {
  t: TestApp;
  server: Server;
  base: string;
  fake: FakeBackend;
  projectId: number;
  imageIds: number[];
  labels: { cat: number; dog: number };
}
let w: World | undefined;
afterEach(async () => {
  if (!w) return;
  await w.fake.close();
  await new Promise<void>((r) => {
    w?.server.closeAllConnections();
    w?.server.close(() => r());
  });
  await w.t.cleanup();
  w = undefined;
});

const makeWorld = async (images = 2, predict?: PredictBehaviour): Promise<World> => {
  const t = await makeTestApp();
  // The backend downloads images from a real address: the app listens on a loopback port.
  const server = t.app.listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.config.publicUrl = base;
  const fake = await startFakeBackend(predict ? { predict } : {});
  const project = await createProject(t.app, "Pets");
  const cat = await createLabel(t.app, project.id, { name: "cat", color: "#ff0000" });
  const dog = await createLabel(t.app, project.id, { name: "dog", shapeTypes: ["box", "polygon"] });
  const imageIds: number[] = [];
  for (let i = 0; i < images; i++)
    imageIds.push(
      (
        await uploadImage(t.app, project.id, {
          name: `img-${i}.png`,
          data: await png({ width: 200, height: 100, seed: i }),
        })
      ).id,
    );
  w = { t, server, base, fake, projectId: project.id, imageIds, labels: { cat: cat.id, dog: dog.id } };
  return w;
};

const api = (x: World) => request(x.t.app);
const addBackend = async (x: World, body: Record<string, unknown> = {}) => {
  const r = await api(x)
    .post(`/api/v1/projects/${x.projectId}/model-backends`)
    .send({ name: "Fake detector", url: x.fake.url, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return ModelBackend.parse(r.body);
};
const testConnection = async (x: World, backendId: number, body: object = {}) => {
  const r = await api(x).post(`/api/v1/model-backends/${backendId}/test`).send(body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return ConnectionTest.parse(r.body);
};
const job = async (x: World, jobId: number) =>
  ModelBackendJob.parse((await api(x).get(`/api/v1/model-backend-jobs/${jobId}`).expect(200)).body);
const waitFor = async <T>(
  what: string,
  read: () => Promise<T>,
  done: (v: T) => boolean,
  ms = 15_000,
): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const finished = (x: World, jobId: number) =>
  waitFor(
    `job ${jobId}`,
    () => job(x, jobId),
    (j) => !["queued", "running"].includes(j.state),
  );
const startJob = async (x: World, backendId: number, body: object) => {
  const r = await api(x).post(`/api/v1/model-backends/${backendId}/jobs`).send(body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return ModelBackendJob.parse(r.body);
};
const runPredictions = (x: World, runId: number) =>
  x.t.sql
    .selectFrom("predictions")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("image_id")
    .orderBy("id")
    .execute();

describe("model backends: the backend itself", () => {
  it("stores a backend without ever returning its secret, and refuses incomplete authentication", async () => {
    const x = await makeWorld(0);
    const b = await addBackend(x, { authMethod: "basic", basicUser: "ls", secret: "s3cret-password" });
    expect(b).toMatchObject({
      authMethod: "basic",
      basicUser: "ls",
      secretHint: "••••word",
      maxConcurrency: 2,
      batchSize: 8,
    });
    const listed = await api(x).get(`/api/v1/projects/${x.projectId}/model-backends`).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain("s3cret-password");
    const bad = await api(x)
      .post(`/api/v1/projects/${x.projectId}/model-backends`)
      .send({ name: "x", url: x.fake.url, authMethod: "token" });
    expect(expectError(bad, 400, "VALIDATION_ERROR").message).toContain(
      "body.secret: token authentication needs a token",
    );
    const badUrl = await api(x)
      .post(`/api/v1/projects/${x.projectId}/model-backends`)
      .send({ name: "x", url: "ftp://models" });
    expect(expectError(badUrl, 400, "VALIDATION_ERROR").message).toContain("url");
    const patched = await api(x)
      .patch(`/api/v1/model-backends/${b.id}`)
      .send({ authMethod: "none" })
      .expect(200);
    expect(ModelBackend.parse(patched.body)).toMatchObject({
      authMethod: "none",
      basicUser: null,
      secretHint: null,
    });
  });
});

describe("model backends: test connection", () => {
  it("shows every exact exchange, secrets masked, and no mismatch when the backend answers as documented", async () => {
    const x = await makeWorld(1);
    const b = await addBackend(x, { authMethod: "basic", basicUser: "ls", secret: "basic-pass-1234" });
    const r = await testConnection(x, b.id);
    expect(r.mismatch, JSON.stringify(r.problems)).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.exchanges.map((e) => `${e.request.method} ${e.request.url}`)).toEqual([
      `GET ${x.fake.url}/health`,
      `POST ${x.fake.url}/setup`,
      `POST ${x.fake.url}/predict`,
    ]);
    expect(r.modelVersion).toBe("fake-1.0");
    expect(r.converted).toBe(1);
    // What the backend received, as Label Studio sends it.
    const [setup] = x.fake.of("/setup");
    expect(setup?.headers.authorization).toBe(
      `Basic ${Buffer.from("ls:basic-pass-1234").toString("base64")}`,
    );
    expect(setup?.body).toMatchObject({ hostname: x.base, access_token: expect.stringMatching(/^lbk_/) });
    const schema = (setup?.body as { schema: string } | undefined)?.schema ?? "";
    expect(schema).toContain('<RectangleLabels name="label" toName="image">');
    expect(schema).toContain('<Label value="cat" background="#ff0000"/>');
    expect(schema).toContain('<PolygonLabels name="polygon" toName="image">');
    const [predict] = x.fake.of("/predict");
    expect(predict?.body).toMatchObject({
      tasks: [{ id: x.imageIds[0], data: { image: `${x.base}/api/v1/images/${x.imageIds[0]}/file` } }],
      label_config: schema,
      params: { login: null, password: null, context: null },
    });
    // The exchange shown never carries a secret: not the backend's, not the image key.
    const shown = JSON.stringify(r.exchanges);
    expect(shown).not.toContain("basic-pass-1234");
    expect(shown).not.toContain(Buffer.from("ls:basic-pass-1234").toString("base64"));
    expect(shown).not.toContain(x.fake.accessToken as string);
    expect(r.exchanges[1]?.request.headers.authorization).toMatch(/^Basic ••••/);
    expect(r.exchanges[2]?.response?.status).toBe(200);
    // The backend downloaded the image with its key.
    expect(x.fake.downloads).toEqual([
      { url: `${x.base}/api/v1/images/${x.imageIds[0]}/file`, status: 200, bytes: expect.any(Number) },
    ]);
    expect(x.fake.downloads[0]?.bytes).toBeGreaterThan(0);
  });

  it("the image key reads only this project's image files: another project's image, other reads and writes are refused", async () => {
    const x = await makeWorld(1);
    const b = await addBackend(x);
    await testConnection(x, b.id);
    const key = { authorization: `Token ${x.fake.accessToken}` };
    const other = await createProject(x.t.app, "Other");
    const foreign = await uploadImage(x.t.app, other.id, { name: "f.png", data: await png({ seed: 99 }) });
    const own = x.imageIds[0] as number;
    await api(x).get(`/api/v1/images/${own}/file`).set(key).expect(200);
    expect(
      expectError(await api(x).get(`/api/v1/images/${foreign.id}/file`).set(key), 403, "FORBIDDEN").message,
    ).toContain(`only the image files of project ${x.projectId}`);
    expectError(await api(x).get(`/api/v1/images/${own}/annotations`).set(key), 403, "FORBIDDEN");
    expectError(await api(x).get(`/api/v1/projects/${x.projectId}`).set(key), 403, "FORBIDDEN");
    expectError(
      await api(x)
        .put(`/api/v1/images/${own}/annotations`)
        .set(key)
        .send({ baseRevision: 0, annotations: [] }),
      403,
      "FORBIDDEN",
    );
    expectError(await api(x).delete(`/api/v1/images/${own}`).set(key), 403, "FORBIDDEN");
    expectError(
      await api(x).get(`/api/v1/images/${own}/file`).set({ authorization: "Token lbk_not-a-key" }),
      401,
      "UNAUTHENTICATED",
    );
    // Expired: refused like an unknown key.
    await x.t.sql.updateTable("model_backend_keys").set({ expires_at: "2000-01-01T00:00:00.000Z" }).execute();
    expectError(await api(x).get(`/api/v1/images/${own}/file`).set(key), 401, "UNAUTHENTICATED");
  });

  const mismatchOf = async (predict: PredictBehaviour) => {
    const x = await makeWorld(1, predict);
    const b = await addBackend(x);
    const r = await testConnection(x, b.id);
    expect(r.ok).toBe(false);
    return r;
  };

  it("names a result whose from_name is not in the labelling config", async () => {
    const r = await mismatchOf((tasks) => ({
      body: {
        results: tasks.map(() => ({
          result: [{ ...rectangleResult("cat"), from_name: "bbox" }],
          score: 0.5,
        })),
      },
    }));
    expect(r.mismatch).toEqual({
      step: "predict",
      where: "results[0].result[0].from_name",
      message: "`bbox` is not in the labelling config (its controls: label, polygon, choice)",
    });
  });

  it("names an empty predictions list, an empty result, and a label the project does not have", async () => {
    const empty = await mismatchOf(() => ({ body: { results: [] } }));
    expect(empty.mismatch?.message).toBe(
      "results is empty: the backend returned no prediction for 1 task(s)",
    );
    await afterEachOnce();
    const nothing = await mismatchOf((tasks) => ({
      body: { results: tasks.map(() => ({ result: [], score: 0 })) },
    }));
    expect(nothing.mismatch?.message).toMatch(
      /^the backend predicted nothing for image \d+ \(an empty result list\)$/,
    );
    await afterEachOnce();
    const unknown = await mismatchOf((tasks) => ({
      body: { results: tasks.map(() => ({ result: [rectangleResult("zebra")] })) },
    }));
    expect(unknown.mismatch).toMatchObject({
      where: "results[0].result[0].value",
      message: "label `zebra` is not one of the project's labels (cat, dog)",
    });
    await afterEachOnce();
    const wrongType = await mismatchOf((tasks) => ({
      body: {
        results: tasks.map(() => ({ result: [{ ...rectangleResult("cat"), type: "polygonlabels" }] })),
      },
    }));
    expect(wrongType.mismatch?.message).toBe(
      "`polygonlabels` does not match the control `label`, which is rectanglelabels",
    );
  });

  it("says the image URL could not be fetched when the backend never downloaded it and failed", async () => {
    const x = await makeWorld(1, (_tasks, downloads) => ({
      status: 500,
      raw: `requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: ${downloads[0]?.url ?? "?"}`,
    }));
    x.fake.state.download = false;
    const b = await addBackend(x);
    const r = await testConnection(x, b.id);
    expect(r.mismatch?.step).toBe("predict");
    expect(r.mismatch?.message).toMatch(
      /^image URL the backend could not fetch: the backend never downloaded the image from http:\/\/127\.0\.0\.1:\d+\/api\/v1\/images\/\d+\/file/,
    );
    expect(r.exchanges[2]?.response?.status).toBe(500);
    expect(r.exchanges[2]?.error).toBe("the backend answered HTTP 500");
  });

  it("stops at an unreachable backend and at a health that is not UP", async () => {
    const x = await makeWorld(1);
    const down = await addBackend(x, { url: `http://127.0.0.1:${await refusedPort()}` });
    const r = await testConnection(x, down.id);
    expect(r.exchanges).toHaveLength(1);
    expect(r.mismatch).toMatchObject({ step: "health", where: "GET /health" });
    expect(r.mismatch?.message).toMatch(/^could not reach the backend: ECONNREFUSED/);
    const bad = await addBackend(x, { url: "http://127.0.0.1:9" });
    expect((await testConnection(x, bad.id)).mismatch?.message).toContain("bad ports");
    x.fake.state.health = { status: 200, body: { status: "DOWN" } };
    const b = await addBackend(x);
    const h = await testConnection(x, b.id);
    expect(h.mismatch).toEqual({
      step: "health",
      where: "status",
      message: 'the backend\'s health is "DOWN", not "UP"',
    });
  });
});

/** Ends the current world early (a test that needs several backends' behaviours in a row). */
const afterEachOnce = async () => {
  if (!w) return;
  const x = w;
  w = undefined;
  await x.fake.close();
  await new Promise<void>((r) => {
    x.server.closeAllConnections();
    x.server.close(() => r());
  });
  await x.t.cleanup();
};

describe("model backends: prediction jobs", () => {
  it("predicts every unannotated image in batches, at most max concurrency requests in flight, and writes one run", async () => {
    const x = await makeWorld(7, (tasks) => ({
      delayMs: 150,
      body: {
        results: tasks.map((t) => ({
          result: [
            rectangleResult("cat", 0.9),
            { ...rectangleResult("dog", 0.4, { x: 50, y: 10, width: 20, height: 50, rotation: 90 }) },
            {
              from_name: "choice",
              to_name: "image",
              type: "choices",
              value: { choices: ["dog"] },
              score: 0.7,
            },
          ],
          score: 0.8,
          model_version: "fake-1.0",
          task: t.id,
        })),
      },
    }));
    // One image already annotated: "unannotated" leaves it out.
    const annotated = x.imageIds[6] as number;
    await api(x)
      .put(`/api/v1/images/${annotated}/annotations`)
      .send({
        baseRevision: 0,
        annotations: [{ labelId: x.labels.cat, geometry: { type: "box", x: 1, y: 1, width: 5, height: 5 } }],
      })
      .expect(200);
    const b = await addBackend(x, { maxConcurrency: 2, batchSize: 1 });
    const started = await startJob(x, b.id, { images: "unannotated" });
    expect(started).toMatchObject({ state: "queued", total: 6, done: 0, failed: 0 });
    const j = await finished(x, started.id);
    expect(j, JSON.stringify(j.problems)).toMatchObject({
      state: "done",
      total: 6,
      done: 6,
      failed: 0,
      modelVersion: "fake-1.0",
      problems: [],
    });
    expect(x.fake.maxInFlight).toBe(2);
    expect(x.fake.of("/predict")).toHaveLength(6);
    expect(x.fake.downloads.every((d) => d.status === 200)).toBe(true);
    const run = await x.t.sql
      .selectFrom("prediction_runs")
      .selectAll()
      .where("id", "=", j.runId as number)
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({
      model_name: "Fake detector",
      model_version: "fake-1.0",
      source: "backend",
      project_id: x.projectId,
    });
    const preds = await runPredictions(x, run.id);
    expect(preds).toHaveLength(18);
    expect(new Set(preds.map((p) => p.image_id))).toEqual(new Set(x.imageIds.slice(0, 6)));
    const first = preds.filter((p) => p.image_id === x.imageIds[0]);
    // 200 x 100 px: 10% / 20% / 30% / 40% → 20, 20, 60, 40 px.
    expect(
      first.map((p) => [p.label_id, p.score, p.geometry === null ? null : JSON.parse(p.geometry).type]),
    ).toEqual([
      [x.labels.cat, 0.9, "box"],
      [x.labels.dog, 0.4, "polygon"],
      [x.labels.dog, 0.7, null],
    ]);
    expect(JSON.parse(first[0]?.geometry as string)).toEqual({
      type: "box",
      x: 20,
      y: 20,
      width: 60,
      height: 40,
    });
    // The job's image predictions are not kept once the run holds them.
    expect(
      await x.t.sql
        .selectFrom("model_backend_job_images")
        .select("image_id")
        .where("predictions", "is not", null)
        .execute(),
    ).toEqual([]);
  });

  it("reports a backend that times out, answers 500 or garbage, precisely, and writes only what converted", async () => {
    const x = await makeWorld(4, (tasks) => {
      const id = tasks[0]?.id ?? 0;
      const i = w?.imageIds.indexOf(id) ?? -1;
      if (i === 0) return { delayMs: 3000, body: { results: [] } };
      if (i === 1) return { status: 500, raw: "Traceback: CUDA out of memory" };
      if (i === 2) return { raw: "<html>not json</html>" };
      return {
        body: {
          results: [
            {
              result: [
                rectangleResult("cat"),
                { ...rectangleResult("cat"), type: "keypointlabels", from_name: "kp" },
              ],
            },
          ],
        },
      };
    });
    const b = await addBackend(x, { maxConcurrency: 2, batchSize: 1, timeoutSeconds: 1 });
    const j = await finished(x, (await startJob(x, b.id, { images: "all" })).id);
    expect(j).toMatchObject({ state: "done", total: 4, done: 1, failed: 3 });
    const byImage = (i: number) =>
      j.problems.filter((p) => p.imageId === x.imageIds[i]).map((p) => p.message);
    expect(byImage(0)).toEqual(["POST /predict failed: no answer within 1 s (the backend's timeout)"]);
    expect(byImage(1)).toEqual([
      "POST /predict failed: the backend answered HTTP 500: Traceback: CUDA out of memory",
    ]);
    expect(byImage(2)[0]).toMatch(
      /^POST \/predict failed: the backend's answer is not JSON \(text\/html\): "<html>not json<\/html>"/,
    );
    expect(j.problems.find((p) => p.imageId === x.imageIds[3])).toEqual({
      imageId: x.imageIds[3],
      where: "results[0].result[1].from_name",
      message: "`kp` is not in the labelling config (its controls: label, polygon, choice)",
    });
    const preds = await runPredictions(x, j.runId as number);
    expect(preds.map((p) => p.image_id)).toEqual([x.imageIds[3]]);
  });

  it("a job where nothing was predicted fails, says why, and writes no run", async () => {
    const x = await makeWorld(2, () => ({ status: 500, raw: "model not loaded" }));
    const b = await addBackend(x);
    const j = await finished(x, (await startJob(x, b.id, { images: "all" })).id);
    expect(j.state).toBe("failed");
    expect(j.error).toBe(
      "no image was predicted: POST /predict failed: the backend answered HTTP 500: model not loaded (images " +
        x.imageIds.join(", ") +
        ")",
    );
    expect(j.runId).toBeNull();
    expect(await x.t.sql.selectFrom("prediction_runs").select("id").execute()).toEqual([]);
  });

  it("a failing /setup fails the job before any image is sent", async () => {
    const x = await makeWorld(1);
    const b = await addBackend(x, { url: `${x.fake.url}/nowhere` });
    const j = await finished(x, (await startJob(x, b.id, { images: "all" })).id);
    expect(j.state).toBe("failed");
    expect(j.error).toMatch(
      /^POST \/setup failed: the backend answered HTTP 404 \(is http:\/\/127\.0\.0\.1:\d+\/nowhere the backend's base URL\? It has no \/setup\)/,
    );
  });

  it("cancels a running job: it stops sending and writes no run", async () => {
    const x = await makeWorld(6, (tasks) => ({
      delayMs: 300,
      body: { results: tasks.map(() => ({ result: [rectangleResult("cat")] })) },
    }));
    const b = await addBackend(x, { maxConcurrency: 1, batchSize: 1 });
    const started = await startJob(x, b.id, { images: "all" });
    await waitFor(
      "a first batch",
      async () => x.fake.of("/predict").length,
      (n) => n >= 1,
    );
    const c = await api(x).post(`/api/v1/model-backend-jobs/${started.id}/cancel`).expect(200);
    expect(ModelBackendJob.parse(c.body).state).toBe("cancelled");
    await x.t.app.backends.idle();
    const sent = x.fake.of("/predict").length;
    await new Promise((r) => setTimeout(r, 400));
    expect(x.fake.of("/predict").length).toBe(sent);
    expect(sent).toBeLessThan(6);
    expect((await job(x, started.id)).runId).toBeNull();
    expect(await x.t.sql.selectFrom("prediction_runs").select("id").execute()).toEqual([]);
    expectError(await api(x).post(`/api/v1/model-backend-jobs/${started.id}/cancel`), 409, "CONFLICT");
  });

  it("a label deleted while the job runs: its predictions are left out and said so, the rest is written", async () => {
    const x = await makeWorld(2, (tasks) => ({
      delayMs: 200,
      body: { results: tasks.map(() => ({ result: [rectangleResult("cat"), rectangleResult("dog", 0.6)] })) },
    }));
    const b = await addBackend(x, { maxConcurrency: 1, batchSize: 1 });
    const started = await startJob(x, b.id, { images: "all" });
    await waitFor(
      "a first batch",
      async () => x.fake.of("/predict").length,
      (n) => n >= 1,
    );
    await api(x).delete(`/api/v1/projects/${x.projectId}/labels/${x.labels.dog}`).expect(204);
    const j = await finished(x, started.id);
    expect(j).toMatchObject({ state: "done", done: 2 });
    expect(j.problems).toEqual([
      {
        imageId: null,
        message: "label `dog` was deleted while the job ran: its 2 prediction(s) were not written",
      },
    ]);
    expect((await runPredictions(x, j.runId as number)).map((p) => p.label_id)).toEqual([
      x.labels.cat,
      x.labels.cat,
    ]);
  });

  it("refuses images of another project and an empty selection", async () => {
    const x = await makeWorld(1);
    const b = await addBackend(x);
    const other = await createProject(x.t.app, "Other");
    const foreign = await uploadImage(x.t.app, other.id, { name: "f.png", data: await png({ seed: 77 }) });
    const r = await api(x)
      .post(`/api/v1/model-backends/${b.id}/jobs`)
      .send({ images: "ids", imageIds: [foreign.id] });
    expect(expectError(r, 400, "VALIDATION_ERROR").message).toContain(
      `1 image(s) are not in project ${x.projectId}: ${foreign.id}`,
    );
    await api(x)
      .put(`/api/v1/images/${x.imageIds[0]}/annotations`)
      .send({ baseRevision: 0, annotations: [], tags: [x.labels.cat] })
      .expect(200);
    const none = await api(x).post(`/api/v1/model-backends/${b.id}/jobs`).send({ images: "unannotated" });
    expect(expectError(none, 400, "VALIDATION_ERROR").message).toContain(
      "has no unannotated image to predict",
    );
  });

  it("another process takes over a job whose process died, and finishes the images still pending", async () => {
    const x = await makeWorld(4, (tasks) => ({
      delayMs: 100,
      body: { results: tasks.map(() => ({ result: [rectangleResult("cat")] })) },
    }));
    const b = await addBackend(x, { maxConcurrency: 1, batchSize: 1 });
    // This process dies holding the job: it keeps its lease, which then runs out.
    await x.t.app.backends.stop({ keepLease: true });
    const started = await startJob(x, b.id, { images: "all" });
    await x.t.sql
      .updateTable("model_backend_jobs")
      .set({ state: "running", leased_by: "a-dead-process", lease_until: Date.now() + 300 })
      .where("id", "=", started.id)
      .execute();
    // One image was done before it died.
    await x.t.sql
      .updateTable("model_backend_job_images")
      .set({
        state: "done",
        predictions: JSON.stringify([
          {
            labelId: x.labels.dog,
            geometry: { type: "box", x: 0, y: 0, width: 10, height: 10 },
            score: 0.5,
            modelLabel: "dog",
          },
        ]),
      })
      .where("job_id", "=", started.id)
      .where("image_id", "=", x.imageIds[0] as number)
      .execute();
    await x.t.sql.updateTable("model_backend_jobs").set({ done: 1 }).where("id", "=", started.id).execute();
    const other = await x.t.sibling({ backendLeaseMs: 600 });
    const j = await finished(x, started.id);
    expect(j).toMatchObject({ state: "done", done: 4, failed: 0 });
    expect(x.fake.of("/predict").map((r) => (r.body as { tasks: { id: number }[] }).tasks[0]?.id)).toEqual(
      x.imageIds.slice(1),
    );
    expect((await runPredictions(x, j.runId as number)).map((p) => p.label_id)).toEqual([
      x.labels.dog,
      x.labels.cat,
      x.labels.cat,
      x.labels.cat,
    ]);
    await other.backends.idle();
  });
});

describe("model backends: training webhooks", () => {
  it("sends ANNOTATION_CREATED, _UPDATED and _DELETED after saves, without slowing them, and START_TRAINING on train", async () => {
    const x = await makeWorld(1);
    // A slow backend: the saves must not wait for it.
    x.fake.state.webhook.delayMs = 1500;
    const b = await addBackend(x);
    const imageId = x.imageIds[0] as number;
    const t0 = Date.now();
    const saved = await api(x)
      .put(`/api/v1/images/${imageId}/annotations`)
      .send({
        baseRevision: 0,
        annotations: [
          { labelId: x.labels.cat, geometry: { type: "box", x: 20, y: 10, width: 100, height: 50 } },
        ],
      })
      .expect(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    // Each save waits for the previous delivery, so none is folded into the one before (below).
    const delivered = (n: number) =>
      waitFor(
        `${n} webhook(s)`,
        async () => x.fake.of("/webhook"),
        (h) => h.length >= n,
      );
    await delivered(1);
    x.fake.state.webhook.delayMs = 0;
    await api(x)
      .patch(`/api/v1/images/${imageId}/annotations`)
      .send({ baseRevision: saved.body.revision, upsert: [], delete: [], tags: [x.labels.dog] })
      .expect(200);
    await delivered(2);
    await api(x)
      .put(`/api/v1/images/${imageId}/annotations`)
      .send({ baseRevision: saved.body.revision + 1, annotations: [], tags: [] })
      .expect(200);
    const hooks = await waitFor(
      "three webhooks delivered",
      async () => x.fake.of("/webhook"),
      (h) => h.length >= 3,
    );
    expect(hooks.map((h) => (h.body as { action: string }).action)).toEqual([
      "ANNOTATION_CREATED",
      "ANNOTATION_UPDATED",
      "ANNOTATION_DELETED",
    ]);
    const created = hooks[0]?.body as {
      annotation: { id: number; result: unknown[] };
      task: { id: number; data: { image: string } };
      project: { id: number; label_config: string };
    };
    expect(created.annotation.id).toBe(imageId);
    expect(created.annotation.result).toEqual([
      {
        id: saved.body.annotations[0].id,
        from_name: "label",
        to_name: "image",
        type: "rectanglelabels",
        original_width: 200,
        original_height: 100,
        image_rotation: 0,
        value: { x: 10, y: 10, width: 50, height: 50, rotation: 0, rectanglelabels: ["cat"] },
      },
    ]);
    expect(created.task).toMatchObject({
      id: imageId,
      data: { image: `${x.base}/api/v1/images/${imageId}/file` },
    });
    expect(created.project.id).toBe(x.projectId);
    expect(
      (hooks[1]?.body as { annotation: { result: { type: string; value: unknown }[] } } | undefined)
        ?.annotation.result[1],
    ).toMatchObject({
      type: "choices",
      value: { choices: ["dog"] },
    });
    await waitFor(
      "deliveries recorded",
      async () =>
        (await api(x).get(`/api/v1/model-backends/${b.id}/webhooks`)).body.items.map((d: unknown) =>
          WebhookDelivery.parse(d),
        ),
      (items: WebhookDelivery[]) => items.length === 3 && items.every((d) => d.state === "delivered"),
    );

    const train = TrainResult.parse(
      (await api(x).post(`/api/v1/model-backends/${b.id}/train`).expect(200)).body,
    );
    expect(train.ok).toBe(true);
    expect(train.exchange.request).toMatchObject({ method: "POST", url: `${x.fake.url}/webhook` });
    expect(x.fake.of("/webhook").at(-1)?.body).toMatchObject({
      action: "START_TRAINING",
      project: { id: x.projectId },
    });
  });

  it("a bulk accept of predictions tells the backends about each image it saved, as a save does; a tag accept too", async () => {
    const x = await makeWorld(3);
    const b = await addBackend(x);
    const detection = (image: number, score: number) => ({
      file_name: `img-${image}.png`,
      category_id: 1,
      bbox: [10, 10, 50, 40],
      score,
    });
    const imported = await api(x)
      .post(`/api/v1/projects/${x.projectId}/predictions/import?modelName=det&modelVersion=v1`)
      .set("Content-Type", "application/json")
      .send(JSON.stringify([detection(0, 0.9), detection(0, 0.8), detection(1, 0.7), detection(2, 0.2)]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const accept = await api(x)
      .post(`/api/v1/prediction-runs/${imported.body.runId}/accept`)
      .send({ minScore: 0.5 });
    expect(accept.body).toEqual({ accepted: 3, images: 2, skipped: [] });
    // One event per saved image (the third had nothing above the score), in the outbox and delivered.
    const hooks = await waitFor(
      "two webhooks",
      async () =>
        WebhookDelivery.array().parse(
          (await api(x).get(`/api/v1/model-backends/${b.id}/webhooks`)).body.items,
        ),
      (items) => items.length >= 2 && items.every((d) => d.state === "delivered"),
    );
    expect(hooks.map((d) => [d.imageId, d.action]).sort()).toEqual([
      [x.imageIds[0], "ANNOTATION_CREATED"],
      [x.imageIds[1], "ANNOTATION_CREATED"],
    ]);
    const sent = x.fake
      .of("/webhook")
      .map((h) => h.body as { task: { id: number }; annotation: { result: unknown[] } });
    expect(sent.map((h) => [h.task.id, h.annotation.result.length]).sort()).toEqual([
      [x.imageIds[0], 2],
      [x.imageIds[1], 1],
    ]);

    // Accepting a whole-image tag prediction changes the image's set: the backend hears of it.
    const tagged = await api(x)
      .post(`/api/v1/projects/${x.projectId}/predictions/import?modelName=cls&modelVersion=v1`)
      .set("Content-Type", "application/json")
      .send(
        JSON.stringify([
          {
            data: { image: "img-2.png" },
            predictions: [{ result: [{ type: "choices", value: { choices: ["dog"] }, score: 0.9 }] }],
          },
        ]),
      );
    expect(tagged.status, JSON.stringify(tagged.body)).toBe(200);
    const tagPrediction = (
      await x.t.sql.selectFrom("predictions").select("id").where("run_id", "=", tagged.body.runId).execute()
    )[0]?.id;
    await api(x)
      .post(`/api/v1/images/${x.imageIds[2]}/predictions/decisions`)
      .send({ acceptTags: [tagPrediction] })
      .expect(200);
    const third = await waitFor(
      "the tag's webhook",
      async () => x.fake.of("/webhook"),
      (h) => h.length >= 3,
    );
    expect(third[2]?.body).toMatchObject({ action: "ANNOTATION_CREATED", task: { id: x.imageIds[2] } });
  });

  it("retries a webhook the backend refuses, and shows why", async () => {
    const x = await makeWorld(1);
    x.fake.state.webhook.status = 503;
    const b = await addBackend(x);
    await api(x)
      .put(`/api/v1/images/${x.imageIds[0]}/annotations`)
      .send({
        baseRevision: 0,
        annotations: [{ labelId: x.labels.cat, geometry: { type: "box", x: 1, y: 1, width: 5, height: 5 } }],
      })
      .expect(200);
    const first = await waitFor(
      "a failed attempt",
      async () =>
        WebhookDelivery.array().parse(
          (await api(x).get(`/api/v1/model-backends/${b.id}/webhooks`)).body.items,
        ),
      (items) => (items[0]?.attempts ?? 0) >= 1,
    );
    expect(first[0]).toMatchObject({
      state: "pending",
      attempts: 1,
      lastError: "the backend answered HTTP 503: {}",
    });
    // Another save while the first waits for its retry: folded into it, the backend hears once.
    const second = await api(x)
      .patch(`/api/v1/images/${x.imageIds[0]}/annotations`)
      .send({
        baseRevision: 1,
        upsert: [
          { id: "b2", labelId: x.labels.cat, geometry: { type: "box", x: 10, y: 10, width: 5, height: 5 } },
        ],
        delete: [],
      });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    x.fake.state.webhook.status = 201;
    const after = await waitFor(
      "the retry delivered",
      async () =>
        WebhookDelivery.array().parse(
          (await api(x).get(`/api/v1/model-backends/${b.id}/webhooks`)).body.items,
        ),
      (items) => items[0]?.state === "delivered",
    );
    expect(after.map((d) => d.action)).toEqual(["ANNOTATION_CREATED"]);
    const last = x.fake.of("/webhook").at(-1)?.body as
      | { action: string; annotation: { result: unknown[] } }
      | undefined;
    expect(last?.action).toBe("ANNOTATION_CREATED");
    expect(last?.annotation.result).toHaveLength(2);
  });

  it("an annotator may read the backends but not add, test or run one", async () => {
    const x = await makeWorld(1);
    const b = await addBackend(x);
    const ann = await insertUserWithToken(x.t.sql, {
      email: "ann@example.com",
      name: "Ann",
      role: "annotator",
    });
    await api(x).post(`/api/v1/projects/${x.projectId}/members`).send({ userId: ann.userId }).expect(201);
    const as = { authorization: `Bearer ${ann.token}` };
    await api(x).get(`/api/v1/projects/${x.projectId}/model-backends`).set(as).expect(200);
    expectError(await api(x).post(`/api/v1/model-backends/${b.id}/test`).set(as).send({}), 403, "FORBIDDEN");
    expectError(
      await api(x).post(`/api/v1/model-backends/${b.id}/jobs`).set(as).send({ images: "all" }),
      403,
      "FORBIDDEN",
    );
  });
});
