import { Label, RESERVED_HOTKEYS } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, expectError, issuePaths, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";
import { DEFAULT_PALETTE } from "./palette.js";

let t: TestApp;
let projectId: number;
beforeEach(async () => {
  t = await makeTestApp();
  projectId = (await createProject(t.app)).id;
});
afterEach(() => t.cleanup());

const labelsUrl = (pid = projectId) => `/api/v1/projects/${pid}/labels`;
const box = { type: "box", x: 2, y: 2, width: 10, height: 8 } as const;
const triangle = {
  type: "polygon",
  points: [
    [1, 1],
    [20, 1],
    [10, 15],
  ],
} as const;

const listLabels = async () => {
  const res = await request(t.app).get(labelsUrl());
  expect(res.status).toBe(200);
  return (res.body.items as unknown[]).map((l) => Label.parse(l));
};

const annotate = async (imageId: number, annotations: unknown[], tags: number[] = []) => {
  const cur = await request(t.app).get(`/api/v1/images/${imageId}/annotations`);
  const res = await request(t.app)
    .put(`/api/v1/images/${imageId}/annotations`)
    .send({ baseRevision: cur.body.revision, annotations, tags });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { revision: number };
};

const revisionOf = async (imageId: number) =>
  (await request(t.app).get(`/api/v1/images/${imageId}/annotations`)).body.revision as number;

describe("creating and listing labels", () => {
  it("applies defaults: palette colour by position, both shape types, no hotkey", async () => {
    const a = await createLabel(t.app, projectId, { name: "car" });
    const b = await createLabel(t.app, projectId, { name: "bus" });
    expect(a).toMatchObject({
      projectId,
      name: "car",
      color: DEFAULT_PALETTE[0],
      hotkey: null,
      position: 0,
      shapeTypes: ["box", "polygon"],
      annotationCount: 0,
    });
    expect(b).toMatchObject({ color: DEFAULT_PALETTE[1], position: 1 });
    expect((await listLabels()).map((l) => l.name)).toEqual(["car", "bus"]);
  });

  it("normalises name, colour, hotkey and shape types", async () => {
    const l = await createLabel(t.app, projectId, {
      name: "  Traffic light ",
      color: "#AABBCC",
      hotkey: "Q",
      shapeTypes: ["polygon", "box", "polygon"],
    });
    expect(l).toMatchObject({
      name: "Traffic light",
      color: "#aabbcc",
      hotkey: "q",
      shapeTypes: ["box", "polygon"],
    });
  });

  it.each([
    [{ name: "" }, "body.name"],
    [{ name: "x", color: "red" }, "body.color"],
    [{ name: "x", hotkey: "0" }, "body.hotkey"],
    [{ name: "x", hotkey: "F12" }, "body.hotkey"],
    [{ name: "x", hotkey: "1g" }, "body.hotkey"],
    [{ name: "x", hotkey: "g-" }, "body.hotkey"],
    [{ name: "x", shapeTypes: [] }, "body.shapeTypes"],
    [{ name: "x", shapeTypes: ["circle"] }, "body.shapeTypes.0"],
    [{ name: 7 }, "body.name"],
  ])("refuses %j with the field path %s", async (body, path) => {
    const err = expectError(await request(t.app).post(labelsUrl()).send(body), 400, "VALIDATION_ERROR");
    expect(issuePaths(err.details)).toEqual([path]);
  });

  it("answers 404 for an unknown project", async () => {
    expectError(await request(t.app).get(labelsUrl(999)), 404, "NOT_FOUND");
    expectError(await request(t.app).post(labelsUrl(999)).send({ name: "x" }), 404, "NOT_FOUND");
  });
});

describe("label name uniqueness", () => {
  it("is case-insensitive on create, including non-ASCII letters", async () => {
    const car = await createLabel(t.app, projectId, { name: "Car" });
    for (const name of ["car", "CAR", " car "]) {
      const err = expectError(await request(t.app).post(labelsUrl()).send({ name }), 409, "CONFLICT");
      expect(err.details).toEqual({ field: "name", labelId: car.id });
    }
    await createLabel(t.app, projectId, { name: "Ärger" });
    expectError(await request(t.app).post(labelsUrl()).send({ name: "ärger" }), 409, "CONFLICT");
  });

  it("is per project", async () => {
    await createLabel(t.app, projectId, { name: "car" });
    const other = await createProject(t.app, "other");
    await createLabel(t.app, other.id, { name: "Car" });
  });

  it("refuses a rename onto another label's name but allows re-casing a label's own name", async () => {
    await createLabel(t.app, projectId, { name: "car" });
    const bus = await createLabel(t.app, projectId, { name: "bus" });
    expectError(
      await request(t.app).patch(`${labelsUrl()}/${bus.id}`).send({ name: "CAR" }),
      409,
      "CONFLICT",
    );
    const recased = await request(t.app).patch(`${labelsUrl()}/${bus.id}`).send({ name: "Bus" });
    expect(recased.status).toBe(200);
    expect(recased.body.name).toBe("Bus");
  });
});

describe("label hotkeys", () => {
  it("refuses a hotkey another label holds, whatever its case", async () => {
    const a = await createLabel(t.app, projectId, { name: "a-label", hotkey: "1" });
    const err = expectError(
      await request(t.app).post(labelsUrl()).send({ name: "x", hotkey: "1" }),
      409,
      "CONFLICT",
    );
    expect(err.details).toEqual({ field: "hotkey", labelId: a.id });
    expect(err.message).toContain("a-label");
    await createLabel(t.app, projectId, { name: "q-label", hotkey: "q" });
    expectError(await request(t.app).post(labelsUrl()).send({ name: "y", hotkey: "Q" }), 409, "CONFLICT");
  });

  it("refuses every letter the editor reserves, in either case", async () => {
    for (const key of Object.keys(RESERVED_HOTKEYS)) {
      for (const k of [key, key.toUpperCase()]) {
        const err = expectError(
          await request(t.app)
            .post(labelsUrl())
            .send({ name: `l-${k}`, hotkey: k }),
          400,
          "VALIDATION_ERROR",
        );
        expect(issuePaths(err.details)).toEqual(["body.hotkey"]);
        expect(err.message).toContain(RESERVED_HOTKEYS[key]);
      }
    }
    expect(await listLabels()).toEqual([]);
  });

  it("takes two-key chords for large sets, refusing one that a single key would shadow", async () => {
    const g3 = await createLabel(t.app, projectId, { name: "g3-label", hotkey: "G3" });
    expect(g3.hotkey).toBe("g3");
    await createLabel(t.app, projectId, { name: "g4-label", hotkey: "g4" });
    // "g" alone would run before the editor could wait for the chord's second key.
    const single = expectError(
      await request(t.app).post(labelsUrl()).send({ name: "g-label", hotkey: "g" }),
      409,
      "CONFLICT",
    );
    expect(single.details).toEqual({ field: "hotkey", labelId: g3.id });
    expect(single.message).toBe(
      `hotkey "g" clashes with label "g3-label"'s hotkey "g3" (a key cannot also start a chord)`,
    );
    const k = await createLabel(t.app, projectId, { name: "k-label", hotkey: "k" });
    const chord = expectError(
      await request(t.app).post(labelsUrl()).send({ name: "k1-label", hotkey: "k1" }),
      409,
      "CONFLICT",
    );
    expect(chord.details).toEqual({ field: "hotkey", labelId: k.id });
    expectError(
      await request(t.app).post(labelsUrl()).send({ name: "again", hotkey: "g3" }),
      409,
      "CONFLICT",
    );
    // A chord may not start with a letter the editor reserves either.
    const reserved = expectError(
      await request(t.app).post(labelsUrl()).send({ name: "b-chord", hotkey: "b2" }),
      400,
      "VALIDATION_ERROR",
    );
    expect(reserved.message).toBe(
      `hotkey "b2" starts with "b", which is reserved for the editor's "Box tool"`,
    );
    expect((await listLabels()).map((l) => l.hotkey)).toEqual(["g3", "g4", "k"]);
  });

  it("frees a hotkey when its label drops it, and lets a label keep its own", async () => {
    const a = await createLabel(t.app, projectId, { name: "a", hotkey: "2" });
    await request(t.app).patch(`${labelsUrl()}/${a.id}`).send({ hotkey: "2", name: "a2" }).expect(200);
    expectError(
      await request(t.app).patch(`${labelsUrl()}/${a.id}`).send({ hotkey: "s" }),
      400,
      "VALIDATION_ERROR",
    );
    await request(t.app).patch(`${labelsUrl()}/${a.id}`).send({ hotkey: null }).expect(200);
    const b = await createLabel(t.app, projectId, { name: "b", hotkey: "2" });
    expect(b.hotkey).toBe("2");
  });
});

describe("updating labels", () => {
  it("renaming and recolouring keeps the annotations", async () => {
    const car = await createLabel(t.app, projectId, { name: "car" });
    const img = await uploadImage(t.app, projectId, {
      name: "a.png",
      data: await png({ width: 50, height: 40 }),
    });
    await annotate(img.id, [{ id: "a1", labelId: car.id, geometry: box }]);
    const res = await request(t.app)
      .patch(`${labelsUrl()}/${car.id}`)
      .send({ name: "vehicle", color: "#00FF00" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: car.id, name: "vehicle", color: "#00ff00", annotationCount: 1 });
    const set = await request(t.app).get(`/api/v1/images/${img.id}/annotations`);
    expect(set.body.annotations).toMatchObject([{ id: "a1", labelId: car.id, geometry: box }]);
  });

  it("moves a label and renumbers the set without gaps", async () => {
    const [a, b, c] = [
      await createLabel(t.app, projectId, { name: "a" }),
      await createLabel(t.app, projectId, { name: "b" }),
      await createLabel(t.app, projectId, { name: "c" }),
    ];
    await request(t.app).patch(`${labelsUrl()}/${c.id}`).send({ position: 0 }).expect(200);
    expect((await listLabels()).map((l) => [l.name, l.position])).toEqual([
      ["c", 0],
      ["a", 1],
      ["b", 2],
    ]);
    await request(t.app).patch(`${labelsUrl()}/${c.id}`).send({ position: 99 }).expect(200);
    expect((await listLabels()).map((l) => l.id)).toEqual([a.id, b.id, c.id]);
    expect((await listLabels()).map((l) => l.position)).toEqual([0, 1, 2]);
  });

  it("refuses to disallow a shape type the label's annotations still use", async () => {
    const car = await createLabel(t.app, projectId, { name: "car" });
    const img = await uploadImage(t.app, projectId, {
      name: "a.png",
      data: await png({ width: 50, height: 40 }),
    });
    await annotate(img.id, [{ labelId: car.id, geometry: triangle }]);
    const err = expectError(
      await request(t.app)
        .patch(`${labelsUrl()}/${car.id}`)
        .send({ shapeTypes: ["box"] }),
      409,
      "CONFLICT",
    );
    expect(err.details).toEqual({ field: "shapeTypes", inUse: ["polygon"] });
    const ok = await request(t.app)
      .patch(`${labelsUrl()}/${car.id}`)
      .send({ shapeTypes: ["polygon"] });
    expect(ok.status).toBe(200);
    expect(ok.body.shapeTypes).toEqual(["polygon"]);
  });

  it("answers 404 for a label of another project, and 400 for bad ids", async () => {
    const other = await createProject(t.app, "other");
    const foreign = await createLabel(t.app, other.id, { name: "foreign" });
    expectError(
      await request(t.app).patch(`${labelsUrl()}/${foreign.id}`).send({ name: "x" }),
      404,
      "NOT_FOUND",
    );
    expectError(await request(t.app).delete(`${labelsUrl()}/${foreign.id}`), 404, "NOT_FOUND");
    expectError(await request(t.app).patch(`${labelsUrl()}/999`).send({ name: "x" }), 404, "NOT_FOUND");
    const err = expectError(
      await request(t.app).patch(`${labelsUrl()}/abc`).send({ name: "x" }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(err.details)).toEqual(["params.labelId"]);
  });
});

describe("bulk label creation", () => {
  it("creates many at once, skipping repeats within the request", async () => {
    const res = await request(t.app)
      .post(`${labelsUrl()}/bulk`)
      .send({ names: ["person", " bicycle", "Person", "car"] });
    expect(res.status).toBe(201);
    expect(res.body.items.map((l: { name: string }) => l.name)).toEqual(["person", "bicycle", "car"]);
    expect((await listLabels()).map((l) => l.position)).toEqual([0, 1, 2]);
  });

  it("is all or nothing when a name already exists", async () => {
    await createLabel(t.app, projectId, { name: "Car" });
    const err = expectError(
      await request(t.app)
        .post(`${labelsUrl()}/bulk`)
        .send({ names: ["truck", "car"] }),
      409,
      "CONFLICT",
    );
    expect(err.details).toEqual({ field: "names", existing: ["car"] });
    expect((await listLabels()).map((l) => l.name)).toEqual(["Car"]);
  });

  it("refuses an empty list", async () => {
    const err = expectError(
      await request(t.app).post(`${labelsUrl()}/bulk`).send({ names: [] }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(err.details)).toEqual(["body.names"]);
  });
});

describe("deleting labels", () => {
  const setup = async () => {
    const car = await createLabel(t.app, projectId, { name: "car" });
    const truck = await createLabel(t.app, projectId, { name: "truck" });
    const boxOnly = await createLabel(t.app, projectId, { name: "sign", shapeTypes: ["box"] });
    const img1 = await uploadImage(t.app, projectId, {
      name: "1.png",
      data: await png({ seed: 1, width: 50, height: 40 }),
    });
    const img2 = await uploadImage(t.app, projectId, {
      name: "2.png",
      data: await png({ seed: 2, width: 50, height: 40 }),
    });
    const img3 = await uploadImage(t.app, projectId, {
      name: "3.png",
      data: await png({ seed: 3, width: 50, height: 40 }),
    });
    await annotate(img1.id, [
      { id: "c1", labelId: car.id, geometry: box },
      { id: "c2", labelId: car.id, geometry: triangle },
      { id: "t1", labelId: truck.id, geometry: box },
    ]);
    await annotate(img2.id, [], [car.id]);
    return { car, truck, boxOnly, img1, img2, img3 };
  };

  it("deletes an unused label at once and renumbers positions", async () => {
    const a = await createLabel(t.app, projectId, { name: "a" });
    await createLabel(t.app, projectId, { name: "b" });
    await request(t.app).delete(`${labelsUrl()}/${a.id}`).expect(204);
    expect((await listLabels()).map((l) => [l.name, l.position])).toEqual([["b", 0]]);
  });

  it("answers 409 LABEL_IN_USE with the counts and changes nothing", async () => {
    const { car, img1, img2 } = await setup();
    const rev1 = await revisionOf(img1.id);
    const err = expectError(await request(t.app).delete(`${labelsUrl()}/${car.id}`), 409, "LABEL_IN_USE");
    expect(err.details).toEqual({ annotations: 2, tags: 1 });
    expect(err.message).toMatch(/2 annotation/);
    expect((await listLabels()).map((l) => l.name)).toContain("car");
    expect(await revisionOf(img1.id)).toBe(rev1);
    expect((await request(t.app).get(`/api/v1/images/${img2.id}/annotations`)).body.tags).toEqual([car.id]);
  });

  it("a label used only as an image tag is in use too", async () => {
    const tag = await createLabel(t.app, projectId, { name: "night" });
    const img = await uploadImage(t.app, projectId, { name: "n.png", data: await png({ seed: 9 }) });
    await annotate(img.id, [], [tag.id]);
    const err = expectError(await request(t.app).delete(`${labelsUrl()}/${tag.id}`), 409, "LABEL_IN_USE");
    expect(err.details).toEqual({ annotations: 0, tags: 1 });
  });

  it("reassignTo moves annotations and tags to another label and bumps the revisions", async () => {
    const { car, truck, img1, img2, img3 } = await setup();
    const [r1, r2, r3] = [await revisionOf(img1.id), await revisionOf(img2.id), await revisionOf(img3.id)];
    await request(t.app).delete(`${labelsUrl()}/${car.id}?reassignTo=${truck.id}`).expect(204);
    const set1 = (await request(t.app).get(`/api/v1/images/${img1.id}/annotations`)).body;
    expect(set1.annotations.map((a: { id: string; labelId: number }) => [a.id, a.labelId])).toEqual([
      ["c1", truck.id],
      ["c2", truck.id],
      ["t1", truck.id],
    ]);
    expect(set1.revision).toBe(r1 + 1);
    const set2 = (await request(t.app).get(`/api/v1/images/${img2.id}/annotations`)).body;
    expect(set2.tags).toEqual([truck.id]);
    expect(set2.revision).toBe(r2 + 1);
    expect(await revisionOf(img3.id)).toBe(r3);
    expect((await request(t.app).get(`/api/v1/images/${img1.id}`)).body.annotationCount).toBe(3);
    expect((await listLabels()).map((l) => [l.name, l.annotationCount])).toEqual([
      ["truck", 3],
      ["sign", 0],
    ]);
  });

  it("a stale editor gets 409 after a reassign instead of writing back the deleted label", async () => {
    const { car, truck, img1 } = await setup();
    const stale = await revisionOf(img1.id);
    await request(t.app).delete(`${labelsUrl()}/${car.id}?reassignTo=${truck.id}`).expect(204);
    const res = await request(t.app)
      .put(`/api/v1/images/${img1.id}/annotations`)
      .send({ baseRevision: stale, annotations: [] });
    expectError(res, 409, "REVISION_CONFLICT");
  });

  it("reassignTo refuses itself, an unknown label and a label that forbids the shapes in use", async () => {
    const { car, boxOnly } = await setup();
    const self = expectError(
      await request(t.app).delete(`${labelsUrl()}/${car.id}?reassignTo=${car.id}`),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(self.details)).toEqual(["query.reassignTo"]);
    expectError(await request(t.app).delete(`${labelsUrl()}/${car.id}?reassignTo=999`), 404, "NOT_FOUND");
    const err = expectError(
      await request(t.app).delete(`${labelsUrl()}/${car.id}?reassignTo=${boxOnly.id}`),
      409,
      "CONFLICT",
    );
    expect(err.message).toContain("polygon");
    expect(err.details).toEqual({ field: "reassignTo", missing: ["polygon"] });
    const other = await createProject(t.app, "other");
    const foreign = await createLabel(t.app, other.id, { name: "car" });
    expectError(
      await request(t.app).delete(`${labelsUrl()}/${car.id}?reassignTo=${foreign.id}`),
      404,
      "NOT_FOUND",
    );
    expect((await listLabels()).find((l) => l.id === car.id)?.annotationCount).toBe(2);
  });

  it("deleteAnnotations=true removes the label's annotations and tags, updating counts and revisions", async () => {
    const { car, truck, img1, img2 } = await setup();
    const [r1, r2] = [await revisionOf(img1.id), await revisionOf(img2.id)];
    await request(t.app).delete(`${labelsUrl()}/${car.id}?deleteAnnotations=true`).expect(204);
    const set1 = (await request(t.app).get(`/api/v1/images/${img1.id}/annotations`)).body;
    expect(set1.annotations.map((a: { id: string }) => a.id)).toEqual(["t1"]);
    expect(set1.annotations[0].labelId).toBe(truck.id);
    expect(set1.revision).toBe(r1 + 1);
    const set2 = (await request(t.app).get(`/api/v1/images/${img2.id}/annotations`)).body;
    expect(set2.tags).toEqual([]);
    expect(set2.revision).toBe(r2 + 1);
    expect((await request(t.app).get(`/api/v1/images/${img1.id}`)).body.annotationCount).toBe(1);
  });

  it("refuses a malformed deleteAnnotations or reassignTo", async () => {
    const { car } = await setup();
    const a = expectError(
      await request(t.app).delete(`${labelsUrl()}/${car.id}?deleteAnnotations=yes`),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(a.details)).toEqual(["query.deleteAnnotations"]);
    const b = expectError(
      await request(t.app).delete(`${labelsUrl()}/${car.id}?reassignTo=truck`),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(b.details)).toEqual(["query.reassignTo"]);
  });
});
