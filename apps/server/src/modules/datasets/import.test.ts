import path from "node:path";
import { ImportReport, type Label } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, expectError, uploadImage } from "../../test-support/api.js";
import { listFiles, makeTestApp, type TestApp } from "../../test-support/app.js";
import { SHARED_FIXTURES, sharedFixtureDir } from "../../test-support/fixtures.js";
import { jpeg, png } from "../../test-support/images.js";
import { getExport, makeZip, unzip, zipDirectory } from "./test-helpers.js";

let t: TestApp;
let projectId: number;
beforeEach(async () => {
  t = makeTestApp();
  projectId = (await createProject(t.app)).id;
});
afterEach(() => t.cleanup());

const importZip = (zip: Buffer, query = "", id = projectId) =>
  request(t.app)
    .post(`/api/v1/projects/${id}/import${query ? `?${query}` : ""}`)
    .set("Content-Type", "application/zip")
    .send(zip);

const importOk = async (zip: Buffer, query = "") => {
  const res = await importZip(zip, query);
  expect(res.status, JSON.stringify(res.body, null, 1).slice(0, 3000)).toBe(200);
  return ImportReport.parse(res.body);
};

const state = async (id = projectId) => {
  const imgs = (await request(t.app).get(`/api/v1/projects/${id}/images?limit=500`)).body.items as {
    id: number;
    fileName: string;
    width: number;
    height: number;
    status: string;
  }[];
  const labels = (await request(t.app).get(`/api/v1/projects/${id}/labels`)).body.items as Label[];
  const annotations = new Map<string, { label: string | undefined; geometry: unknown }[]>();
  for (const im of imgs) {
    const set = (await request(t.app).get(`/api/v1/images/${im.id}/annotations`)).body as {
      annotations: { labelId: number; geometry: unknown }[];
    };
    annotations.set(
      im.fileName,
      set.annotations.map((a) => ({
        label: labels.find((l) => l.id === a.labelId)?.name,
        geometry: a.geometry,
      })),
    );
  }
  return { images: imgs, labels: labels.map((l) => l.name), annotations };
};

const originals = () => listFiles(t.filesDir).filter((f) => f.startsWith("originals/"));

const yoloZip = async (labelsText: string) =>
  makeZip([
    ["data.yaml", 'names: ["a", "b", "c", "d", "e"]\n'],
    ["images/train/img_004.png", await png({ width: 20, height: 10, seed: 4 })],
    ["images/train/bg.png", await png({ width: 8, height: 8, seed: 5 })],
    ["labels/train/img_004.txt", labelsText],
  ]);

describe("POST /projects/:id/import", () => {
  it("imports a YOLO zip: images ingested like uploads, labels created in class order, background kept", async () => {
    const r = await importOk(await yoloZip("0 0.5 0.5 0.5 0.5\n4 0.25 0.25 0.1 0.2\n"));
    expect(r).toMatchObject({
      applied: true,
      format: "yolo",
      images: { total: 2, matched: 0, created: 2, withAnnotations: 1 },
      annotations: { total: 2 },
      labelsCreated: ["a", "b", "c", "d", "e"],
      errors: 0,
    });
    const s = await state();
    expect(s.labels).toEqual(["a", "b", "c", "d", "e"]);
    expect(s.images.map((i) => [i.fileName, i.width, i.height, i.status])).toEqual([
      ["img_004.png", 20, 10, "in_progress"],
      ["bg.png", 8, 8, "new"],
    ]);
    expect(s.annotations.get("img_004.png")).toEqual([
      { label: "a", geometry: { type: "box", x: 5, y: 2.5, width: 10, height: 5 } },
      { label: "e", geometry: { type: "box", x: 4, y: 1.5, width: 2, height: 2 } },
    ]);
    // Thumbnails exist, as for any upload.
    expect(listFiles(t.filesDir).filter((f) => f.startsWith("thumbnails/"))).toHaveLength(2);
  });

  it("a dry run reports what would happen and changes nothing", async () => {
    const r = await importOk(await yoloZip("0 0.5 0.5 0.5 0.5\n"), "dryRun=true");
    expect(r).toMatchObject({
      dryRun: true,
      applied: false,
      images: { created: 2 },
      annotations: { total: 1 },
    });
    expect(r.annotations.perLabel[0]).toEqual({ name: "a", count: 1, labelId: null, state: "created" });
    const s = await state();
    expect(s.images).toEqual([]);
    expect(s.labels).toEqual([]);
    expect(originals()).toEqual([]);
  });

  it("a bad line refuses the whole import with a precise problem, and nothing changes", async () => {
    const res = await importZip(await yoloZip("0 0.5 0.5 0.5 0.5\n1 0.5 0.5 0.2 0.2\n7 0.5 0.5 0.1 0.1\n"));
    const err = expectError(res, 400, "VALIDATION_ERROR");
    expect(err.message).toBe(
      "import refused, nothing was changed: 1 problem(s); first: labels/train/img_004.txt line 3: class 7 not in data.yaml names (0-4)",
    );
    const details = ImportReport.parse(err.details);
    expect(details.problems).toEqual([
      {
        severity: "error",
        file: "labels/train/img_004.txt",
        where: "line 3",
        message: "class 7 not in data.yaml names (0-4)",
      },
    ]);
    expect((await state()).images).toEqual([]);
    expect((await state()).labels).toEqual([]);
    expect(originals()).toEqual([]);
    // The same file with invalidShapes=skip imports the rest and warns.
    const ok = await importOk(await yoloZip("0 0.5 0.5 0.5 0.5\n7 0.5 0.5 0.1 0.1\n"), "invalidShapes=skip");
    expect(ok.annotations.total).toBe(1);
    expect(ok.warnings).toBe(1);
  });

  it("bare annotation files attach to existing images by file name; ambiguity and absence are precise", async () => {
    const a = await uploadImage(t.app, projectId, {
      name: "a.jpg",
      data: await jpeg({ width: 10, height: 5, seed: 1 }),
    });
    await createLabel(t.app, projectId, { name: "car", shapeTypes: ["box"] });
    const coco = JSON.stringify({
      images: [{ id: 7, file_name: "some/dir/a.jpg", width: 10, height: 5 }],
      categories: [{ id: 0, name: "Car" }],
      annotations: [{ id: 0, image_id: 7, category_id: 0, bbox: [1, 1, 2, 2], iscrowd: 0, segmentation: [] }],
    });
    const res = await request(t.app)
      .post(`/api/v1/projects/${projectId}/import`)
      .attach("files", Buffer.from(coco), "instances_default.json");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const r = ImportReport.parse(res.body);
    expect(r).toMatchObject({
      format: "coco",
      images: { total: 1, matched: 1, created: 0 },
      labelsCreated: [],
    });
    expect(r.annotations.perLabel).toEqual([
      { name: "Car", count: 1, labelId: expect.any(Number), state: "existing" },
    ]);
    expect((await state()).annotations.get("a.jpg")).toEqual([
      { label: "car", geometry: { type: "box", x: 1, y: 1, width: 2, height: 2 } },
    ]);
    // Appending again keeps the first; replace swaps them; a polygon is refused for a box-only label.
    await request(t.app)
      .post(`/api/v1/projects/${projectId}/import`)
      .attach("files", Buffer.from(coco), "x.json");
    expect((await state()).annotations.get("a.jpg")).toHaveLength(2);
    await request(t.app)
      .post(`/api/v1/projects/${projectId}/import?existing=replace`)
      .attach("files", Buffer.from(coco), "x.json");
    expect((await state()).annotations.get("a.jpg")).toHaveLength(1);
    const poly = coco.replace('"segmentation":[]', '"segmentation":[[1,1,3,1,2,3]]');
    const refused = await request(t.app)
      .post(`/api/v1/projects/${projectId}/import`)
      .attach("files", Buffer.from(poly), "p.json");
    expect(ImportReport.parse(expectError(refused, 400, "VALIDATION_ERROR").details).problems[0]).toEqual({
      severity: "error",
      file: "p.json",
      where: "annotations[0].segmentation",
      message: 'label "car" does not allow polygon shapes',
    });

    await uploadImage(t.app, projectId, {
      name: "a.jpg",
      data: await jpeg({ width: 10, height: 5, seed: 2 }),
    });
    const ambiguous = await request(t.app)
      .post(`/api/v1/projects/${projectId}/import`)
      .attach("files", Buffer.from(coco), "c.json");
    expect(expectError(ambiguous, 400, "VALIDATION_ERROR").message).toContain(
      `c.json images[0] (some/dir/a.jpg): 2 images in the project are named "a.jpg" (ids ${a.id}, `,
    );
    const missing = coco.replace("some/dir/a.jpg", "nope.jpg");
    const none = await request(t.app)
      .post(`/api/v1/projects/${projectId}/import`)
      .attach("files", Buffer.from(missing), "m.json");
    expect(expectError(none, 400, "VALIDATION_ERROR").message).toContain(
      'm.json images[0] (nope.jpg): no image "nope.jpg" in the upload or in the project',
    );
  });

  it("unknownLabels=refuse names the label; wrong media types and broken zips are refused", async () => {
    const res = await importZip(await yoloZip("2 0.5 0.5 0.5 0.5\n"), "unknownLabels=refuse");
    expect(expectError(res, 400, "VALIDATION_ERROR").message).toContain(
      '(labels): "c" is not a label of this project (unknownLabels=refuse)',
    );
    expectError(
      await request(t.app)
        .post(`/api/v1/projects/${projectId}/import`)
        .set("Content-Type", "text/plain")
        .send("x"),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expect(
      expectError(await importZip(Buffer.from("not a zip at all")), 400, "VALIDATION_ERROR").message,
    ).toMatch(/^not a readable zip: /);
    expect(
      expectError(await importZip(await makeZip([["notes.md", "hello"]])), 400, "VALIDATION_ERROR").message,
    ).toMatch(/^cannot tell the format/);
    expectError(await importZip(await yoloZip(""), "", 999), 404, "NOT_FOUND");
  });
});

describe("export -> import -> export", () => {
  const seed = async () => {
    const car = await createLabel(t.app, projectId, { name: "car" });
    const dog = await createLabel(t.app, projectId, { name: "hot dog" });
    await createLabel(t.app, projectId, { name: "unused" });
    const img = async (name: string, seedN: number, w: number, h: number) =>
      uploadImage(t.app, projectId, { name, data: await png({ width: w, height: h, seed: seedN }) });
    const a = await img("b.png", 1, 40, 20);
    const b = await img("a b ü.png", 2, 30, 30);
    await img("empty.png", 3, 10, 10);
    await request(t.app)
      .put(`/api/v1/images/${a.id}/annotations`)
      .send({
        baseRevision: 0,
        annotations: [
          { labelId: car.id, geometry: { type: "box", x: 0, y: 0, width: 40, height: 20 } },
          {
            labelId: dog.id,
            geometry: {
              type: "polygon",
              points: [
                [2, 2],
                [20, 3.5],
                [10, 15],
              ],
            },
          },
        ],
        tags: [dog.id],
      });
    await request(t.app)
      .put(`/api/v1/images/${b.id}/annotations`)
      .send({
        baseRevision: 0,
        annotations: [{ labelId: dog.id, geometry: { type: "box", x: 0.5, y: 1.25, width: 10, height: 7 } }],
      });
  };

  it.each(["coco", "yolo-seg"] as const)(
    "%s with images: the zip from the re-imported project is byte-identical",
    async (format) => {
      await seed();
      const q = `format=${format}&split=50,25,25&seed=s`;
      const first = await getExport(t.app, projectId, q);
      expect(first.status).toBe(200);
      const other = (await createProject(t.app, "copy")).id;
      const res = await importZip(first.body, "", other);
      expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(200);
      const second = await getExport(t.app, other, q);
      expect(second.body.equals(first.body)).toBe(true);
    },
  );

  it("VOC and YOLO reach a fixed point after the first (lossy) export", async () => {
    await seed();
    for (const format of ["voc", "yolo"] as const) {
      const q = `format=${format}`;
      const first = await getExport(t.app, projectId, q);
      const p2 = (await createProject(t.app, `${format} 2`)).id;
      expect((await importZip(first.body, "", p2)).status).toBe(200);
      const second = await getExport(t.app, p2, q);
      const p3 = (await createProject(t.app, `${format} 3`)).id;
      expect((await importZip(second.body, "", p3)).status).toBe(200);
      const third = await getExport(t.app, p3, q);
      expect(third.body.equals(second.body)).toBe(true);
      // The annotation files of the first export are already those of the fixed point.
      const f1 = await unzip(first.body);
      const f2 = await unzip(second.body);
      for (const [p, data] of f1) {
        if (p === "manifest.json" || p === "export-report.json") continue;
        expect(f2.get(p)?.equals(data), p).toBe(true);
      }
    }
  });
});

/** Real datasets other tools wrote: each imports, and holds the values SOURCES.md gives. */
describe.skipIf(!sharedFixtureDir("datumaro"))(
  `import of external datasets (skipped: ${SHARED_FIXTURES} not found)`,
  () => {
    const dir = (rel: string) => path.join(SHARED_FIXTURES, rel);
    // `rows` counts images in the project afterwards: some fixtures hold the same bytes under
    // several names (one image, annotations merged, reported as a warning).
    type Want = { images: number; rows: number; annotations: number; labels: number; format: string };
    const cases: [string, Want][] = [
      ["datumaro/coco_instances", { images: 2, rows: 2, annotations: 2, labels: 3, format: "coco" }],
      ["datumaro/coco_roboflow", { images: 2, rows: 2, annotations: 2, labels: 3, format: "coco" }],
      ["datumaro/roboflow_coco", { images: 3, rows: 1, annotations: 4, labels: 2, format: "coco" }],
      [
        "labelme/instance_segmentation_coco",
        { images: 3, rows: 3, annotations: 16, labels: 20, format: "coco" },
      ],
      [
        "cvat-datumaro/yolo_dataset/yolov8_detection",
        { images: 1, rows: 1, annotations: 2, labels: 10, format: "yolo" },
      ],
      [
        "cvat-datumaro/yolo_dataset/yolov8_segmentation",
        { images: 1, rows: 1, annotations: 2, labels: 10, format: "yolo-seg" },
      ],
      [
        "cvat-datumaro/yolo_dataset/yolov8_oriented_boxes",
        { images: 1, rows: 1, annotations: 2, labels: 10, format: "yolo-seg" },
      ],
      [
        "cvat-datumaro/yolo_dataset/yolov8_pose",
        { images: 1, rows: 1, annotations: 1, labels: 1, format: "yolo" },
      ],
      ["datumaro/roboflow_yolo", { images: 3, rows: 1, annotations: 4, labels: 2, format: "yolo" }],
      ["datumaro/yolo_darknet_strict", { images: 1, rows: 1, annotations: 2, labels: 10, format: "yolo" }],
      [
        "label-studio-converter/yolo_import_unif_dims",
        { images: 5, rows: 5, annotations: 19, labels: 4, format: "yolo" },
      ],
      ["datumaro/voc_dataset1", { images: 2, rows: 1, annotations: 2, labels: 2, format: "voc" }],
      ["labelme/bbox_detection_voc", { images: 3, rows: 3, annotations: 9, labels: 20, format: "voc" }],
    ];

    it.each(cases)("%s imports without error", async (rel, want) => {
      const p = (await createProject(t.app, rel)).id;
      const res = await importZip(await zipDirectory(dir(rel)), "", p);
      expect(res.status, JSON.stringify(res.body).slice(0, 3000)).toBe(200);
      const r = ImportReport.parse(res.body);
      expect({
        images: r.images.total,
        rows: r.images.created,
        annotations: r.annotations.total,
        labels: r.annotations.perLabel.length,
        format: r.format,
      }).toEqual(want);
      expect(r.errors).toBe(0);
      const s = await state(p);
      expect(s.images).toHaveLength(want.rows);
      expect([...s.annotations.values()].flat()).toHaveLength(want.annotations);
    });

    it("values match SOURCES.md after going through the server", async () => {
      const p = (await createProject(t.app, "yolo")).id;
      await importOk(await zipDirectory(dir("cvat-datumaro/yolo_dataset/yolov8_detection")));
      const s = await state();
      expect(s.images.map((i) => [i.fileName, i.width, i.height])).toEqual([["1.jpg", 15, 10]]);
      const [b1, b2] = (s.annotations.get("1.jpg") ?? []) as {
        label: string;
        geometry: Record<string, number>;
      }[];
      expect(b1?.label).toBe("label_2");
      expect(b1?.geometry.x).toBe(0);
      expect(b1?.geometry.y).toBeCloseTo(2, 5);
      expect(b1?.geometry.width).toBeCloseTo(4, 4);
      expect(b2?.label).toBe("label_4");
      expect(b2?.geometry.x).toBeCloseTo(3, 4);
      expect(b2?.geometry.height).toBeCloseTo(3, 4);

      const voc = await importZip(await zipDirectory(dir("datumaro/voc_dataset1")), "", p);
      const vr = ImportReport.parse(voc.body);
      // truncated=1 on the cat, the part and actions on the person, and the two JPEGs being one file.
      expect(vr.problems.map((x) => x.message)).toEqual([
        "not kept: truncated=1",
        'not kept: part(s) "head", actions',
        "same bytes as JPEGImages/2007_000001.jpg: one image in the project, with the annotations of both",
      ]);
      const vs = await state(p);
      expect(vs.annotations.get("2007_000001.jpg")).toEqual([
        { label: "cat", geometry: { type: "box", x: 0, y: 1, width: 3, height: 3 } },
        { label: "person", geometry: { type: "box", x: 3, y: 4, width: 3, height: 3 } },
      ]);
      // Segmentation masks are not images of the dataset: ignored, not ingested.
      expect(vs.images.map((i) => i.fileName)).toEqual(["2007_000001.jpg"]);
      expect(vr.ignoredFiles).toEqual(
        expect.arrayContaining(["SegmentationClass/2007_000001.png", "SegmentationObject/2007_000001.png"]),
      );
    });
  },
);
