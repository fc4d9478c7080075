import { AnnotationSet, type Label } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { SHARED_FIXTURES, sharedFixtureDir } from "../../test-support/fixtures.js";
import { png } from "../../test-support/images.js";
import { getExport, unzip, zipDirectory } from "../../test-support/zips.js";

/** Attributes per label through the export and import endpoints (issue 18), on the suite's backend. */
let t: TestApp;
let projectId: number;
beforeEach(async () => {
  t = await makeTestApp();
  projectId = (await createProject(t.app)).id;
});
afterEach(() => t.cleanup());

const importZip = (zip: Buffer, id: number, query = "") =>
  request(t.app)
    .post(`/api/v1/projects/${id}/import${query ? `?${query}` : ""}`)
    .set("Content-Type", "application/zip")
    .send(zip);
const labelsOf = async (id: number) =>
  (await request(t.app).get(`/api/v1/projects/${id}/labels`)).body.items as Label[];
const shapesOf = async (id: number) => {
  const images = (await request(t.app).get(`/api/v1/projects/${id}/images?limit=500&sort=name`)).body
    .items as {
    id: number;
  }[];
  const out = [];
  for (const im of images)
    out.push(
      ...AnnotationSet.parse((await request(t.app).get(`/api/v1/images/${im.id}/annotations`)).body)
        .annotations,
    );
  return out;
};

const seed = async () => {
  const car = await createLabel(t.app, projectId, {
    name: "car",
    attributes: [
      { name: "occluded", kind: "checkbox" },
      { name: "difficult", kind: "checkbox" },
      { name: "colour", kind: "choice", values: ["red", "blue"], default: "red" },
      { name: "doors", kind: "number", min: 2, max: 5, step: 1 },
      { name: "plate", kind: "text" },
    ],
  });
  const tree = await createLabel(t.app, projectId, { name: "tree" });
  const img = await uploadImage(t.app, projectId, {
    name: "a.png",
    data: await png({ width: 60, height: 40 }),
  });
  const res = await request(t.app)
    .put(`/api/v1/images/${img.id}/annotations`)
    .send({
      baseRevision: 0,
      annotations: [
        {
          labelId: car.id,
          geometry: { type: "box", x: 1, y: 1, width: 20, height: 10 },
          attributes: { occluded: true, difficult: false, colour: "blue", doors: 3, plate: "Zürich 1" },
        },
        { labelId: tree.id, geometry: { type: "box", x: 30, y: 5, width: 10, height: 10 } },
        {
          labelId: car.id,
          geometry: { type: "box", x: 5, y: 20, width: 12, height: 8 },
          attributes: { occluded: false, difficult: true, colour: "red" },
        },
      ],
    });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
};

describe("attributes through export and import", () => {
  it.each(["coco", "voc"] as const)(
    "%s: export -> import into a fresh project -> export gives byte-identical annotation files",
    async (format) => {
      await seed();
      const first = await unzip((await getExport(t.app, projectId, `format=${format}`)).body);
      const other = (await createProject(t.app, "copy")).id;
      const withImages = await getExport(t.app, projectId, `format=${format}`);
      const res = await importZip(withImages.body, other);
      expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(200);
      // The values came back, the definitions typed from them.
      const car = (await labelsOf(other)).find((l) => l.name === "car");
      expect(car?.attributes.map((d) => d.name).sort()).toEqual([
        "colour",
        "difficult",
        "doors",
        "occluded",
        "plate",
      ]);
      const shapes = await shapesOf(other);
      expect(shapes.map((s) => s.attributes)).toEqual([
        // VOC holds difficult=0 as every object's default: it reads back as no value (and exports as 0).
        format === "coco"
          ? { occluded: true, difficult: false, colour: "blue", doors: 3, plate: "Zürich 1" }
          : { occluded: true, colour: "blue", doors: 3, plate: "Zürich 1" },
        undefined,
        { occluded: false, difficult: true, colour: "red" },
      ]);
      const second = await unzip((await getExport(t.app, other, `format=${format}`)).body);
      for (const [p, data] of first) {
        if (p === "manifest.json" || p === "export-report.json" || !/\.(json|xml|txt|csv)$/.test(p)) continue;
        expect(second.get(p)?.toString("utf8"), p).toBe(data.toString("utf8"));
      }
    },
  );

  it("YOLO's export report counts the attribute values it drops", async () => {
    await seed();
    const files = await unzip((await getExport(t.app, projectId, "format=yolo")).body);
    const report = JSON.parse(files.get("export-report.json")?.toString("utf8") ?? "{}");
    const item = report.items.find((i: { code: string }) => i.code === "ATTRIBUTES_NOT_WRITTEN");
    expect(item?.count).toBe(8);
  });
});

describe.skipIf(!sharedFixtureDir("datumaro"))(
  `attributes in real datasets (skipped: ${SHARED_FIXTURES} not found)`,
  () => {
    it("datumaro coco_instances: annotation 1's attributes become label a's definitions and values", async () => {
      const zip = await zipDirectory(sharedFixtureDir("datumaro/coco_instances") as string);
      const res = await importZip(zip, projectId);
      expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(200);
      const a = (await labelsOf(projectId)).find((l) => l.name === "a");
      expect(a?.attributes).toEqual([
        { name: "x", kind: "number", required: false, min: null, max: null, step: null, default: null },
        { name: "y", kind: "text", required: false, maxLength: 1000, default: null },
      ]);
      const shapes = await shapesOf(projectId);
      expect(shapes.filter((s) => s.attributes).map((s) => s.attributes)).toEqual([{ x: 1, y: "hello" }]);
    });

    it("datumaro voc_dataset1: the cat is truncated", async () => {
      const zip = await zipDirectory(sharedFixtureDir("datumaro/voc_dataset1") as string);
      const res = await importZip(zip, projectId);
      expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(200);
      const labels = await labelsOf(projectId);
      expect(labels.find((l) => l.name === "cat")?.attributes.map((d) => [d.name, d.kind])).toEqual([
        ["truncated", "checkbox"],
      ]);
      expect(labels.find((l) => l.name === "person")?.attributes).toEqual([]);
      const shapes = await shapesOf(projectId);
      const cat = labels.find((l) => l.name === "cat")?.id;
      expect(shapes.find((s) => s.labelId === cat)?.attributes).toEqual({ truncated: true });
    });
  },
);
