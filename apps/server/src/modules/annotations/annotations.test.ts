import { AnnotationSet, type Label } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, expectError, issuePaths, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";

/** Every test works on one 100x50 image with a box-only, a polygon-only and an any-shape label. */
let t: TestApp;
let imageId: number;
let any: Label;
let boxOnly: Label;
let polyOnly: Label;
const W = 100;
const H = 50;

beforeEach(async () => {
  t = await makeTestApp();
  const p = await createProject(t.app);
  any = await createLabel(t.app, p.id, { name: "any" });
  boxOnly = await createLabel(t.app, p.id, { name: "sign", shapeTypes: ["box"] });
  polyOnly = await createLabel(t.app, p.id, { name: "road", shapeTypes: ["polygon"] });
  imageId = (await uploadImage(t.app, p.id, { name: "img.png", data: await png({ width: W, height: H }) }))
    .id;
});
afterEach(() => t.cleanup());

const url = () => `/api/v1/images/${imageId}/annotations`;
const put = (body: unknown) =>
  request(t.app)
    .put(url())
    .send(body as object);
const box = (x: number, y: number, width: number, height: number) => ({ type: "box", x, y, width, height });
const poly = (...points: [number, number][]) => ({ type: "polygon", points });

const putOk = async (body: unknown) => {
  const res = await put(body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return AnnotationSet.parse(res.body);
};

const geometryOf = async (g: unknown, labelId = any.id) => {
  const set = await putOk({ baseRevision: 0, annotations: [{ labelId, geometry: g }] });
  return set.annotations[0]?.geometry;
};

/** PUT with one annotation that must be refused; returns the failing paths and leaves revision 0. */
const refused = async (geometry: unknown, labelId = any.id) => {
  const err = expectError(
    await put({ baseRevision: 0, annotations: [{ labelId, geometry }] }),
    400,
    "VALIDATION_ERROR",
  );
  expect((await request(t.app).get(url())).body.revision).toBe(0);
  return { paths: issuePaths(err.details), err };
};

describe("reading and replacing an image's annotations", () => {
  it("starts empty at revision 0", async () => {
    const res = await request(t.app).get(url());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ imageId, revision: 0, annotations: [], tags: [] });
  });

  it("replaces the set atomically, bumps the revision, keeps order, ids and tags", async () => {
    const set = await putOk({
      baseRevision: 0,
      annotations: [
        { id: "b-1", labelId: any.id, geometry: box(10, 5, 20, 10) },
        { labelId: polyOnly.id, geometry: poly([0, 0], [50, 0], [25, 40]) },
      ],
      tags: [boxOnly.id, any.id, any.id],
    });
    expect(set.revision).toBe(1);
    expect(set.annotations).toHaveLength(2);
    expect(set.annotations[0]).toMatchObject({ id: "b-1", labelId: any.id, geometry: box(10, 5, 20, 10) });
    expect(set.annotations[1]?.id).toMatch(/^[0-9a-f-]{36}$/); // server-chosen UUID
    expect(set.annotations[1]?.geometry).toEqual(poly([0, 0], [50, 0], [25, 40]));
    expect(set.tags.sort()).toEqual([any.id, boxOnly.id].sort());
    expect((await request(t.app).get(url())).body).toEqual(set);

    const image = (await request(t.app).get(`/api/v1/images/${imageId}`)).body;
    expect(image).toMatchObject({ annotationCount: 2, status: "in_progress" });

    const cleared = await putOk({ baseRevision: 1, annotations: [], tags: [] });
    expect(cleared).toEqual({ imageId, revision: 2, annotations: [], tags: [] });
    expect((await request(t.app).get(`/api/v1/images/${imageId}`)).body.annotationCount).toBe(0);
  });

  it("keeps createdAt of unchanged annotations and refreshes updatedAt of changed ones", async () => {
    const first = await putOk({
      baseRevision: 0,
      annotations: [
        { id: "keep", labelId: any.id, geometry: box(1, 1, 5, 5) },
        { id: "move", labelId: any.id, geometry: box(10, 10, 5, 5) },
      ],
    });
    await new Promise((r) => setTimeout(r, 5));
    const second = await putOk({
      baseRevision: 1,
      annotations: [
        { id: "keep", labelId: any.id, geometry: box(1, 1, 5, 5) },
        { id: "move", labelId: any.id, geometry: box(12, 10, 5, 5) },
      ],
    });
    const [keep1, move1] = first.annotations;
    const [keep2, move2] = second.annotations;
    expect(keep2).toEqual(keep1);
    expect(move2?.createdAt).toBe(move1?.createdAt);
    expect(move2!.updatedAt > move1!.updatedAt).toBe(true);
  });

  it("does not move a done image back to in progress", async () => {
    await request(t.app).patch(`/api/v1/images/${imageId}`).send({ status: "done" }).expect(200);
    await putOk({ baseRevision: 0, annotations: [{ labelId: any.id, geometry: box(1, 1, 2, 2) }] });
    expect((await request(t.app).get(`/api/v1/images/${imageId}`)).body.status).toBe("done");
  });
});

describe("stale revisions: the 409 flow of an autosaving client", () => {
  it("answers REVISION_CONFLICT with the current server state and writes nothing", async () => {
    const mine = { id: "mine", labelId: any.id, geometry: box(1, 1, 10, 10) };
    const theirs = { id: "theirs", labelId: any.id, geometry: box(20, 20, 10, 10) };
    // Two editors load revision 0; the other one saves first.
    const saved = await putOk({ baseRevision: 0, annotations: [theirs] });
    const res = await put({ baseRevision: 0, annotations: [mine] });
    const err = expectError(res, 409, "REVISION_CONFLICT");
    expect(err.message).toContain("revision 1");
    expect(AnnotationSet.parse(err.details)).toEqual(saved);
    expect((await request(t.app).get(url())).body).toEqual(saved);
    // The client merges and retries on the revision the 409 gave it.
    const merged = await putOk({ baseRevision: saved.revision, annotations: [theirs, mine] });
    expect(merged.revision).toBe(2);
    expect(merged.annotations.map((a) => a.id)).toEqual(["theirs", "mine"]);
  });

  it("refuses a revision from the future too", async () => {
    const err = expectError(await put({ baseRevision: 5, annotations: [] }), 409, "REVISION_CONFLICT");
    expect(AnnotationSet.parse(err.details).revision).toBe(0);
  });

  it("lets exactly one of two concurrent saves on the same base win", async () => {
    const [a, b] = await Promise.all([
      put({ baseRevision: 0, annotations: [{ id: "a", labelId: any.id, geometry: box(1, 1, 3, 3) }] }),
      put({ baseRevision: 0, annotations: [{ id: "b", labelId: any.id, geometry: box(5, 5, 3, 3) }] }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((await request(t.app).get(url())).body.revision).toBe(1);
  });
});

describe("request validation", () => {
  it("answers BAD_JSON for a body that is not JSON", async () => {
    const res = await request(t.app)
      .put(url())
      .set("Content-Type", "application/json")
      .send("{baseRevision: 0}");
    expectError(res, 400, "BAD_JSON");
  });

  it("lists every wrong field with its path", async () => {
    const err = expectError(
      await put({
        baseRevision: "1",
        annotations: [
          { labelId: any.id, geometry: { type: "box", x: 1, y: 2, width: "3", height: 4 } },
          { labelId: "car", geometry: { type: "circle", r: 3 } },
          { labelId: any.id, geometry: { type: "polygon", points: [[0, 0]] } },
        ],
      }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(err.details).sort()).toEqual(
      [
        "body.baseRevision",
        "body.annotations.0.geometry.width",
        "body.annotations.1.labelId",
        "body.annotations.1.geometry.type",
        "body.annotations.2.geometry.points",
      ].sort(),
    );
  });

  it("refuses non-finite numbers (1e999 parses to Infinity)", async () => {
    const res = await request(t.app)
      .put(url())
      .set("Content-Type", "application/json")
      .send(
        `{"baseRevision":0,"annotations":[{"labelId":${any.id},"geometry":{"type":"box","x":1e999,"y":0,"width":5,"height":5}}]}`,
      );
    const err = expectError(res, 400, "VALIDATION_ERROR");
    expect(issuePaths(err.details)).toEqual(["body.annotations.0.geometry.x"]);
  });

  it("refuses duplicate annotation ids and malformed ones", async () => {
    const g = box(1, 1, 2, 2);
    const dup = expectError(
      await put({
        baseRevision: 0,
        annotations: [
          { id: "x", labelId: any.id, geometry: g },
          { id: "x", labelId: any.id, geometry: g },
        ],
      }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(dup.details)).toEqual(["body.annotations.1.id"]);
    const bad = expectError(
      await put({ baseRevision: 0, annotations: [{ id: "a b/c", labelId: any.id, geometry: g }] }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(bad.details)).toEqual(["body.annotations.0.id"]);
  });
});

describe("labels must belong to the project and allow the shape", () => {
  it("refuses a label of another project and an unknown label", async () => {
    const other = await createProject(t.app, "other");
    const foreign = await createLabel(t.app, other.id, { name: "foreign" });
    const err = expectError(
      await put({
        baseRevision: 0,
        annotations: [
          { labelId: foreign.id, geometry: box(1, 1, 2, 2) },
          { labelId: 9999, geometry: box(1, 1, 2, 2) },
        ],
        tags: [foreign.id],
      }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(err.details)).toEqual([
      "body.annotations.0.labelId",
      "body.annotations.1.labelId",
      "body.tags.0",
    ]);
  });

  it("refuses a polygon for a box-only label and a box for a polygon-only label", async () => {
    expect((await refused(poly([0, 0], [10, 0], [5, 5]), boxOnly.id)).paths).toEqual([
      "body.annotations.0.geometry.type",
    ]);
    const { paths, err } = await refused(box(1, 1, 5, 5), polyOnly.id);
    expect(paths).toEqual(["body.annotations.0.geometry.type"]);
    expect(err.message).toContain('label "road" does not allow box shapes');
  });
});

describe("geometry validation against the 100x50 image", () => {
  it.each([
    ["zero width", box(10, 10, 0, 5), "body.annotations.0.geometry"],
    ["negative height", box(10, 10, 5, -5), "body.annotations.0.geometry"],
    ["box far left", box(-20, 10, 5, 5), "body.annotations.0.geometry"],
    ["box beyond the right edge", box(90, 10, 12, 5), "body.annotations.0.geometry"],
    ["box beyond the bottom", box(10, 45, 5, 7), "body.annotations.0.geometry"],
    ["box wholly outside", box(200, 200, 5, 5), "body.annotations.0.geometry"],
    ["two distinct points", poly([0, 0], [10, 10], [0, 0]), "body.annotations.0.geometry.points"],
    ["collinear points", poly([0, 0], [10, 10], [20, 20]), "body.annotations.0.geometry.points"],
    ["polygon beyond the edge", poly([0, 0], [103, 0], [50, 40]), "body.annotations.0.geometry.points"],
    ["polygon above the top", poly([0, -2], [10, 0], [5, 10]), "body.annotations.0.geometry.points"],
  ])("refuses %s", async (_name, g, path) => {
    expect((await refused(g)).paths).toEqual([path]);
  });

  it("refuses a self-crossing polygon, naming the crossing edges and the point", async () => {
    const { err, paths } = await refused(poly([10, 10], [40, 40], [40, 10], [10, 30]));
    expect(paths).toEqual(["body.annotations.0.geometry.points"]);
    expect(err.message).toBe(
      "1 invalid field(s); first: body.annotations.0.geometry.points: polygon outline crosses itself: edge 0 (points 0-1) crosses edge 2 (points 2-3) at (22, 22)",
    );
  });

  it("refuses a polygon of fewer than 3 points at the schema", async () => {
    expect((await refused(poly([0, 0], [10, 10]))).paths).toEqual(["body.annotations.0.geometry.points"]);
  });

  it.each([
    ["a box slightly past every edge", box(-0.5, -0.9, 101, 51), box(0, 0, 100, 50)],
    ["a box past the right edge only", box(90, 10, 10.6, 5), box(90, 10, 10, 5)],
    ["a box exactly on the image", box(0, 0, 100, 50), box(0, 0, 100, 50)],
    ["a polygon slightly outside", poly([-1, -1], [101, 0], [50, 51]), poly([0, 0], [100, 0], [50, 50])],
    ["sub-pixel coordinates", box(10.25, 5.5, 0.75, 0.5), box(10.25, 5.5, 0.75, 0.5)],
  ])("clamps %s within the tolerance", async (_name, input, stored) => {
    const g = await geometryOf(input);
    expect(g).toEqual(stored);
  });

  it("stores a box inside the image exactly as sent (no float drift)", async () => {
    // (x + width) - x turned 0.2 into 0.20000000000000004 in most saves of fractional boxes.
    const sent = [box(0.1, 0.1, 0.2, 0.2), box(0.7, 3.3, 0.1, 46.7), box(33.3, 6.6, 66.7, 0.3)];
    const set = await putOk({
      baseRevision: 0,
      annotations: sent.map((g) => ({ labelId: any.id, geometry: g })),
    });
    expect(set.annotations.map((a) => a.geometry)).toEqual(sent);
    const stored = (await request(t.app).get(url())).body as { annotations: { geometry: unknown }[] };
    expect(stored.annotations.map((a) => a.geometry)).toEqual(sent);
  });

  it("reports every bad annotation at once, not only the first", async () => {
    const err = expectError(
      await put({
        baseRevision: 0,
        annotations: [
          { labelId: any.id, geometry: box(1, 1, 5, 5) },
          { labelId: any.id, geometry: box(1, 1, 0, 5) },
          { labelId: any.id, geometry: poly([0, 0], [1, 1], [2, 2]) },
        ],
      }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(err.details)).toEqual([
      "body.annotations.1.geometry",
      "body.annotations.2.geometry.points",
    ]);
    expect(err.message).toContain("2 invalid field(s)");
  });
});

describe("replies are checked against the contract (fast path)", () => {
  it("sends a big set exactly as the schema reads it", async () => {
    const annotations = Array.from({ length: 2000 }, (_, i) =>
      i % 2
        ? { id: `b${i}`, labelId: any.id, geometry: box(i % 90, i % 40, 5, 5) }
        : { id: `p${i}`, labelId: any.id, geometry: poly([1, 1], [9, 1], [5, 8]) },
    );
    const saved = await putOk({ baseRevision: 0, annotations });
    const got = await request(t.app).get(url());
    expect(got.status).toBe(200);
    expect(AnnotationSet.parse(got.body)).toEqual(got.body);
    expect(got.body).toEqual(saved);
    expect(got.body.annotations.map((a: { id: string }) => a.id)).toEqual(annotations.map((a) => a.id));
  });

  it("answers 500, never a set outside the contract, when a stored row is broken", async () => {
    await putOk({ baseRevision: 0, annotations: [{ id: "x1", labelId: any.id, geometry: box(1, 1, 5, 5) }] });
    await t.sql
      .updateTable("annotations")
      .set({ geometry: '{"type":"box","x":1}' })
      .where("uid", "=", "x1")
      .execute();
    const res = await request(t.app).get(url());
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe("INTERNAL");
  });
});
