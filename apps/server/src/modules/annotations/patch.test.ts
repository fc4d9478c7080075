import { AnnotationPatchResult, AnnotationSet, type Label } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, expectError, issuePaths, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";

/** PATCH /images/:id/annotations on one 100x50 image with an any-shape and a box-only label. */
let t: TestApp;
let projectId: number;
let imageId: number;
let any: Label;
let boxOnly: Label;

beforeEach(async () => {
  t = await makeTestApp();
  projectId = (await createProject(t.app)).id;
  any = await createLabel(t.app, projectId, { name: "any" });
  boxOnly = await createLabel(t.app, projectId, { name: "sign", shapeTypes: ["box"] });
  imageId = (
    await uploadImage(t.app, projectId, { name: "img.png", data: await png({ width: 100, height: 50 }) })
  ).id;
});
afterEach(() => t.cleanup());

const url = () => `/api/v1/images/${imageId}/annotations`;
const box = (x: number, y: number, width: number, height: number) => ({ type: "box", x, y, width, height });
const shape = (id: string, x: number, labelId = any.id) => ({ id, labelId, geometry: box(x, 1, 5, 5) });
const patch = (body: unknown) =>
  request(t.app)
    .patch(url())
    .send(body as object);
const patchOk = async (body: unknown) => {
  const res = await patch(body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return AnnotationPatchResult.parse(res.body);
};
const getSet = async () => AnnotationSet.parse((await request(t.app).get(url())).body);
const getImage = async () => (await request(t.app).get(`/api/v1/images/${imageId}`)).body;
const seed = async () => {
  const res = await request(t.app)
    .put(url())
    .send({ baseRevision: 0, annotations: [shape("a", 1), shape("b", 10), shape("c", 20)], tags: [any.id] });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return AnnotationSet.parse(res.body);
};
const pause = () => new Promise((r) => setTimeout(r, 5));

describe("PATCH applies upserts, deletes and tags", () => {
  it("updates in place, appends new shapes, deletes, and replies small", async () => {
    const before = await seed();
    await pause();
    const reply = await patchOk({
      baseRevision: 1,
      upsert: [shape("d", 40), shape("b", 12)],
      delete: ["a"],
    });
    expect(reply).toMatchObject({ imageId, revision: 2, annotationCount: 3, deleted: ["a"], tags: [any.id] });
    expect(reply.upserted.map((a) => a.id)).toEqual(["d", "b"]);
    expect(reply).not.toHaveProperty("annotations");

    const set = await getSet();
    expect(set.revision).toBe(2);
    // "b" keeps its place; "d" goes after the existing shapes; tags untouched when absent.
    expect(set.annotations.map((a) => a.id)).toEqual(["b", "c", "d"]);
    expect(set.annotations[0]?.geometry).toEqual(box(12, 1, 5, 5));
    expect(set.tags).toEqual([any.id]);
    // The reply's stored form is what GET now returns for those shapes.
    expect(reply.upserted[1]).toEqual(set.annotations[0]);
    expect(reply.upserted[0]).toEqual(set.annotations[2]);
    // Authorship as with PUT: b keeps createdAt and gets a new updatedAt; c is untouched.
    const b0 = before.annotations.find((a) => a.id === "b")!;
    expect(set.annotations[0]?.createdAt).toBe(b0.createdAt);
    expect(set.annotations[0]!.updatedAt > b0.updatedAt).toBe(true);
    expect(set.annotations[1]).toEqual(before.annotations.find((a) => a.id === "c"));
    expect((await getImage()).annotationCount).toBe(3);
  });

  it("keeps the timestamps of a shape upserted unchanged, replaces tags when given, clears them with []", async () => {
    const before = await seed();
    await pause();
    await patchOk({ baseRevision: 1, upsert: [shape("a", 1)], tags: [boxOnly.id, any.id, boxOnly.id] });
    const set = await getSet();
    expect(set.annotations).toEqual(before.annotations);
    expect(set.tags.sort()).toEqual([any.id, boxOnly.id].sort());
    await patchOk({ baseRevision: 2, tags: [] });
    expect((await getSet()).tags).toEqual([]);
  });

  it("moves a new image to in progress, touches updatedAt, and counts in the project stats", async () => {
    const img0 = await getImage();
    expect(img0.status).toBe("new");
    await pause();
    await patchOk({ baseRevision: 0, upsert: [shape("x", 1), shape("y", 5, boxOnly.id)] });
    const img1 = await getImage();
    expect(img1.status).toBe("in_progress");
    expect(img1.annotationCount).toBe(2);
    expect(img1.updatedAt > img0.updatedAt).toBe(true);
    const stats = (await request(t.app).get(`/api/v1/projects/${projectId}/stats`)).body;
    expect(stats.totalAnnotations).toBe(2);
    // Deleting everything keeps counts right; a done image stays done.
    await request(t.app).patch(`/api/v1/images/${imageId}`).send({ status: "done" }).expect(200);
    await patchOk({ baseRevision: 1, delete: ["x", "y"] });
    const img2 = await getImage();
    expect(img2).toMatchObject({ status: "done", annotationCount: 0 });
  });

  it("leaves a set that a later PUT and PATCH continue from, in order", async () => {
    await seed();
    await patchOk({ baseRevision: 1, delete: ["b"], upsert: [shape("e", 30)] });
    await patchOk({ baseRevision: 2, upsert: [shape("f", 35)] });
    expect((await getSet()).annotations.map((a) => a.id)).toEqual(["a", "c", "e", "f"]);
    const res = await request(t.app)
      .put(url())
      .send({ baseRevision: 3, annotations: [shape("f", 35), shape("a", 1), shape("g", 2)] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await patchOk({ baseRevision: 4, upsert: [shape("h", 3)] });
    expect((await getSet()).annotations.map((a) => a.id)).toEqual(["f", "a", "g", "h"]);
    expect((await getImage()).annotationCount).toBe(4);
  });

  it("puts a new shape just below the stored one it names (an undone delete returns to its place)", async () => {
    await seed();
    await patchOk({ baseRevision: 1, delete: ["b"] });
    const reply = await patchOk({
      baseRevision: 2,
      upsert: [{ ...shape("b", 10), before: "c" }, shape("d", 40)],
    });
    expect(reply.placed).toEqual([{ id: "b", before: "c" }]);
    expect((await getSet()).annotations.map((a) => a.id)).toEqual(["a", "b", "c", "d"]);
    // Several before one shape keep their order; one before the first shape goes to the bottom.
    await patchOk({
      baseRevision: 3,
      upsert: [
        { ...shape("x", 2), before: "c" },
        { ...shape("y", 3), before: "c" },
        { ...shape("z", 4), before: "a" },
      ],
    });
    expect((await getSet()).annotations.map((a) => a.id)).toEqual(["z", "a", "b", "x", "y", "c", "d"]);
    // A shape already stored keeps its place: `before` only places new ones.
    const moved = await patchOk({ baseRevision: 4, upsert: [{ ...shape("d", 41), before: "a" }] });
    expect(moved.placed).toEqual([]);
    expect((await getSet()).annotations.map((a) => a.id)).toEqual(["z", "a", "b", "x", "y", "c", "d"]);
    expect((await getImage()).annotationCount).toBe(7);
  });

  it("clamps geometry within the tolerance and replies with the stored form", async () => {
    const reply = await patchOk({
      baseRevision: 0,
      upsert: [{ id: "edge", labelId: any.id, geometry: box(-0.5, 0, 10, 10) }],
    });
    expect(reply.upserted[0]?.geometry).toEqual(box(0, 0, 9.5, 10));
    expect((await getSet()).annotations[0]?.geometry).toEqual(box(0, 0, 9.5, 10));
  });
});

describe("PATCH on a stale revision", () => {
  it("answers 409 REVISION_CONFLICT with the whole current set and writes nothing", async () => {
    const saved = await seed();
    const err = expectError(
      await patch({ baseRevision: 0, upsert: [shape("z", 3)] }),
      409,
      "REVISION_CONFLICT",
    );
    expect(err.message).toContain("revision 1");
    expect(AnnotationSet.parse(err.details)).toEqual(saved);
    expect(await getSet()).toEqual(saved);
  });

  it("lets exactly one of two concurrent patches on the same base win", async () => {
    const [a, b] = await Promise.all([
      patch({ baseRevision: 0, upsert: [shape("a", 1)] }),
      patch({ baseRevision: 0, upsert: [shape("b", 1)] }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((await getSet()).annotations).toHaveLength(1);
  });
});

describe("PATCH validation names the shape and writes nothing", () => {
  const refused = async (body: unknown) => {
    const err = expectError(await patch(body), 400, "VALIDATION_ERROR");
    expect((await getSet()).revision).toBe(1);
    return err;
  };

  it("validates each upserted shape like PUT, with its index", async () => {
    await seed();
    const err = await refused({
      baseRevision: 1,
      upsert: [
        shape("ok", 1),
        { id: "far", labelId: any.id, geometry: box(200, 1, 5, 5) },
        {
          id: "poly",
          labelId: boxOnly.id,
          geometry: {
            type: "polygon",
            points: [
              [0, 0],
              [9, 0],
              [5, 9],
            ],
          },
        },
        { id: "nolabel", labelId: 9999, geometry: box(1, 1, 2, 2) },
      ],
    });
    expect(issuePaths(err.details)).toEqual([
      "body.upsert.1.geometry",
      "body.upsert.2.geometry.type",
      "body.upsert.3.labelId",
    ]);
    expect(err.message).toContain("body.upsert.1.geometry");
    expect(JSON.stringify(err.details)).toContain('label \\"sign\\" does not allow polygon shapes');
  });

  it("requires an id on every upserted shape", async () => {
    await seed();
    const err = await refused({ baseRevision: 1, upsert: [{ labelId: any.id, geometry: box(1, 1, 2, 2) }] });
    expect(issuePaths(err.details)).toEqual(["body.upsert.0.id"]);
  });

  it("refuses a uid twice in upsert, twice in delete, or in both", async () => {
    await seed();
    const err = await refused({
      baseRevision: 1,
      upsert: [shape("a", 1), shape("a", 2), shape("b", 3)],
      delete: ["b", "c", "c"],
    });
    expect(err.details).toEqual([
      { path: "body.upsert.1.id", message: 'duplicate annotation id "a"' },
      { path: "body.delete.0", message: 'annotation "b" is both upserted and deleted' },
      { path: "body.delete.2", message: 'duplicate annotation id "c"' },
    ]);
  });

  it("refuses to delete a uid the image does not have, naming it", async () => {
    await seed();
    const err = await refused({ baseRevision: 1, delete: ["a", "ghost"] });
    expect(err.details).toEqual([
      { path: "body.delete.1", message: `image ${imageId} has no annotation "ghost" to delete` },
    ]);
    expect(err.message).toContain("ghost");
    expect((await getSet()).annotations).toHaveLength(3);
  });

  it("refuses to place a shape before one the image does not keep, and writes nothing", async () => {
    await seed();
    const err = await refused({
      baseRevision: 1,
      upsert: [
        { ...shape("n", 1), before: "ghost" },
        { ...shape("m", 2), before: "b" },
      ],
      delete: ["b"],
    });
    expect(err.details).toEqual([
      {
        path: "body.upsert.0.before",
        message: `image ${imageId} keeps no annotation "ghost" to place "n" before`,
      },
      {
        path: "body.upsert.1.before",
        message: `image ${imageId} keeps no annotation "b" to place "m" before`,
      },
    ]);
    const set = await getSet();
    expect(set.revision).toBe(1);
    expect(set.annotations.map((a) => a.id)).toEqual(["a", "b", "c"]);
  });

  it("refuses tags outside the project", async () => {
    await seed();
    const err = await refused({ baseRevision: 1, tags: [any.id, 9999] });
    expect(issuePaths(err.details)).toEqual(["body.tags.1"]);
  });

  it("answers 404 for an unknown image", async () => {
    expectError(
      await request(t.app).patch("/api/v1/images/9999/annotations").send({ baseRevision: 0 }),
      404,
      "NOT_FOUND",
    );
  });
});
