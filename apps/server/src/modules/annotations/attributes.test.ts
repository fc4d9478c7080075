import {
  AnnotationPatchResult,
  AnnotationSet,
  type AttributeDefinitionInput,
  Label,
} from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, expectError, issuePaths, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";

/** Attributes per label and tag-only / shape-only labels (issue 18), through the HTTP API. */
let t: TestApp;
let projectId: number;
let imageId: number;
let car: Label;

const CAR_ATTRIBUTES: AttributeDefinitionInput[] = [
  { name: "occluded", kind: "checkbox" },
  { name: "colour", kind: "choice", values: ["red", "blue", "white"], default: "white" },
  { name: "doors", kind: "number", min: 2, max: 5, step: 1, required: true, default: 4 },
  { name: "plate", kind: "text", maxLength: 8 },
];

beforeEach(async () => {
  t = await makeTestApp();
  projectId = (await createProject(t.app)).id;
  car = await createLabel(t.app, projectId, { name: "car", attributes: CAR_ATTRIBUTES });
  imageId = (
    await uploadImage(t.app, projectId, { name: "img.png", data: await png({ width: 100, height: 50 }) })
  ).id;
});
afterEach(() => t.cleanup());

const url = () => `/api/v1/images/${imageId}/annotations`;
const labelUrl = (id: number) => `/api/v1/projects/${projectId}/labels/${id}`;
const box = { type: "box", x: 1, y: 1, width: 10, height: 10 };
const put = (annotations: unknown[], tags: number[] = [], baseRevision = 0) =>
  request(t.app).put(url()).send({ baseRevision, annotations, tags });
const getSet = async () => AnnotationSet.parse((await request(t.app).get(url())).body);
const patchLabel = async (id: number, body: object) => request(t.app).patch(labelUrl(id)).send(body);

describe("label attribute definitions", () => {
  it("are stored with the label, defaults filled in, and listed", async () => {
    expect(car.attributes).toEqual([
      { name: "occluded", kind: "checkbox", required: false, default: false },
      { name: "colour", kind: "choice", values: ["red", "blue", "white"], required: false, default: "white" },
      { name: "doors", kind: "number", min: 2, max: 5, step: 1, required: true, default: 4 },
      { name: "plate", kind: "text", maxLength: 8, required: false, default: null },
    ]);
    expect(car.scope).toBe("both");
    const list = (await request(t.app).get(`/api/v1/projects/${projectId}/labels`)).body.items as Label[];
    expect(list[0]?.attributes).toEqual(car.attributes);
  });

  it.each([
    [
      "a name twice",
      [
        { name: "a", kind: "checkbox" },
        { name: "A", kind: "text" },
      ],
      "body.attributes.1.name",
    ],
    ["a choice without values", [{ name: "c", kind: "choice", values: [] }], "body.attributes.0.values"],
    [
      "a default outside the choices",
      [{ name: "c", kind: "choice", values: ["x"], default: "y" }],
      "body.attributes.0.default",
    ],
    [
      "a default out of range",
      [{ name: "n", kind: "number", min: 0, max: 3, default: 9 }],
      "body.attributes.0.default",
    ],
    ["min above max", [{ name: "n", kind: "number", min: 5, max: 3 }], "body.attributes.0.max"],
    ["an unknown kind", [{ name: "n", kind: "colour" }], "body.attributes.0.kind"],
  ])("refuses %s with the field named", async (_name, attributes, path) => {
    const res = await request(t.app)
      .post(`/api/v1/projects/${projectId}/labels`)
      .send({ name: "x", attributes });
    const err = expectError(res, 400, "VALIDATION_ERROR");
    expect(issuePaths(err.details)).toContain(path);
  });
});

describe("attribute values on a save", () => {
  it("are stored in definition order and read back (PUT, GET)", async () => {
    const res = await put([
      { id: "a", labelId: car.id, geometry: box, attributes: { plate: "AB12", doors: 3, occluded: true } },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const expected = { occluded: true, doors: 3, plate: "AB12" };
    expect(AnnotationSet.parse(res.body).annotations[0]?.attributes).toEqual(expected);
    const stored = (await getSet()).annotations[0]?.attributes;
    expect(Object.keys(stored ?? {})).toEqual(["occluded", "doors", "plate"]);
  });

  it.each([
    ["an unknown attribute", { doors: 3, wheels: 4 }, "wheels", /label "car" has no attribute "wheels"/],
    ["a wrong type", { doors: "3" }, "doors", /attribute "doors" of label "car": must be a number/],
    ["a value out of range", { doors: 9 }, "doors", /9 is above the maximum 5/],
    ["a value off its step", { doors: 3.5 }, "doors", /not a multiple of the step 1/],
    [
      "a choice not listed",
      { doors: 3, colour: "green" },
      "colour",
      /"green" is not one of "red", "blue", "white"/,
    ],
    ["a text too long", { doors: 3, plate: "ABCDEFGHIJ" }, "plate", /10 characters; at most 8/],
    [
      "a missing required attribute",
      { occluded: false },
      "doors",
      /attribute "doors" of label "car" is required/,
    ],
  ])(
    "refuses %s naming the shape and the attribute (PUT and PATCH)",
    async (_name, attributes, attr, message) => {
      const shape = { id: "s1", labelId: car.id, geometry: box, attributes };
      const refusedPut = expectError(await put([shape]), 400, "VALIDATION_ERROR");
      expect(issuePaths(refusedPut.details)).toEqual([`body.annotations.0.attributes.${attr}`]);
      expect(refusedPut.message).toMatch(message);
      expect(refusedPut.message).toContain('shape 0 ("s1")');
      const refusedPatch = expectError(
        await request(t.app)
          .patch(url())
          .send({ baseRevision: 0, upsert: [shape] }),
        400,
        "VALIDATION_ERROR",
      );
      expect(issuePaths(refusedPatch.details)).toEqual([`body.upsert.0.attributes.${attr}`]);
      // Nothing was written.
      expect((await getSet()).revision).toBe(0);
    },
  );

  it("PATCH changes one shape's values and keeps them on a relabel the new label accepts", async () => {
    const truck = await createLabel(t.app, projectId, {
      name: "truck",
      attributes: [{ name: "occluded", kind: "checkbox" }],
    });
    expect(
      (await put([{ id: "a", labelId: car.id, geometry: box, attributes: { doors: 2, occluded: true } }]))
        .status,
    ).toBe(200);
    const res = await request(t.app)
      .patch(url())
      .send({
        baseRevision: 1,
        upsert: [{ id: "a", labelId: truck.id, geometry: box, attributes: { occluded: true } }],
      });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(AnnotationPatchResult.parse(res.body).upserted[0]?.attributes).toEqual({ occluded: true });
    // A relabel that carries the old label's values is refused: the editor conforms them first.
    const stale = await request(t.app)
      .patch(url())
      .send({
        baseRevision: 2,
        upsert: [{ id: "a", labelId: truck.id, geometry: box, attributes: { doors: 2 } }],
      });
    expect(expectError(stale, 400, "VALIDATION_ERROR").message).toMatch(
      /label "truck" has no attribute "doors"/,
    );
  });

  it("a shape without values has no attributes field, as before", async () => {
    const plain = await createLabel(t.app, projectId, { name: "plain" });
    expect((await put([{ id: "p", labelId: plain.id, geometry: box }])).status).toBe(200);
    expect((await getSet()).annotations[0]).not.toHaveProperty("attributes");
  });
});

describe("changing a label's definitions", () => {
  const seedShapes = async () => {
    const res = await put([
      { id: "a", labelId: car.id, geometry: box, attributes: { doors: 3, colour: "red", plate: "X1" } },
      { id: "b", labelId: car.id, geometry: box, attributes: { doors: 5, colour: "blue" } },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  it("drops values of removed attributes, gives new ones their default and moves the revision", async () => {
    await seedShapes();
    const res = await patchLabel(car.id, {
      attributes: [
        { name: "doors", kind: "number", min: 2, max: 5, step: 1, required: true, default: 4 },
        { name: "colour", kind: "choice", values: ["red", "blue", "white"] },
        { name: "parked", kind: "checkbox", default: true },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const set = await getSet();
    expect(set.revision).toBe(2);
    expect(set.annotations.map((a) => a.attributes)).toEqual([
      { doors: 3, colour: "red", parked: true },
      { doors: 5, colour: "blue", parked: true },
    ]);
  });

  it("refuses definitions the stored values break, naming them, and changes nothing", async () => {
    await seedShapes();
    const res = await patchLabel(car.id, {
      attributes: [
        { name: "doors", kind: "number", min: 2, max: 4, step: 1 },
        { name: "colour", kind: "choice", values: ["red", "white"] },
      ],
    });
    const err = expectError(res, 409, "CONFLICT");
    expect(err.message).toMatch(
      /1 shape holds values of "doors" the new definition refuses \(e\.g\. 5: 5 is above the maximum 4\)/,
    );
    expect(err.message).toMatch(/1 shape holds values of "colour"/);
    expect((await getSet()).revision).toBe(1);
    expect(
      Label.parse((await request(t.app).get(`/api/v1/projects/${projectId}/labels`)).body.items[0])
        .attributes,
    ).toHaveLength(4);
  });

  it("refuses a new required attribute without a default while shapes lack it", async () => {
    await seedShapes();
    const res = await patchLabel(car.id, {
      attributes: [...CAR_ATTRIBUTES, { name: "make", kind: "text", required: true }],
    });
    expect(expectError(res, 409, "CONFLICT").message).toMatch(
      /2 shapes have no value for the required attribute "make"/,
    );
  });

  it("moves values with a deleted label's shapes to the label they are reassigned to", async () => {
    await seedShapes();
    const van = await createLabel(t.app, projectId, {
      name: "van",
      attributes: [{ name: "colour", kind: "choice", values: ["red", "green"], default: "green" }],
    });
    const res = await request(t.app).delete(`${labelUrl(car.id)}?reassignTo=${van.id}`);
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect((await getSet()).annotations.map((a) => [a.labelId, a.attributes])).toEqual([
      [van.id, { colour: "red" }],
      [van.id, { colour: "green" }],
    ]);
  });
});

describe("tag-only and shape-only labels", () => {
  it("refuses a shape with a tag-only label and a tag with a shape-only label", async () => {
    const weather = await createLabel(t.app, projectId, { name: "sunny", scope: "tags" });
    const sign = await createLabel(t.app, projectId, { name: "sign", scope: "shapes" });
    const shape = expectError(
      await put([{ id: "a", labelId: weather.id, geometry: box }]),
      400,
      "VALIDATION_ERROR",
    );
    expect(shape.details).toEqual([
      {
        path: "body.annotations.0.labelId",
        message: 'label "sunny" is for whole-image tags only, not shapes',
      },
    ]);
    const tag = expectError(await put([], [weather.id, sign.id]), 400, "VALIDATION_ERROR");
    expect(tag.details).toEqual([
      { path: "body.tags.1", message: 'label "sign" is for shapes only, not whole-image tags' },
    ]);
    const patched = await request(t.app)
      .patch(url())
      .send({ baseRevision: 0, tags: [sign.id] });
    expect(issuePaths(expectError(patched, 400, "VALIDATION_ERROR").details)).toEqual(["body.tags.0"]);
    expect((await put([], [weather.id])).status).toBe(200);
  });

  it("a label's scope narrows only when nothing uses it the other way", async () => {
    const both = await createLabel(t.app, projectId, { name: "both" });
    expect((await put([{ id: "a", labelId: both.id, geometry: box }], [both.id])).status).toBe(200);
    const toTags = expectError(await patchLabel(both.id, { scope: "tags" }), 409, "CONFLICT");
    expect(toTags.message).toMatch(/label "both" is on 1 shape; relabel or delete them/);
    const toShapes = expectError(await patchLabel(both.id, { scope: "shapes" }), 409, "CONFLICT");
    expect(toShapes.message).toMatch(/label "both" tags 1 image; remove those tags/);
    expect((await put([], [], 1)).status).toBe(200);
    const ok = await patchLabel(both.id, { scope: "tags" });
    expect(ok.status).toBe(200);
    expect(Label.parse(ok.body).scope).toBe("tags");
  });
});
