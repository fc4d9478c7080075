import path from "node:path";
import { ImportReport, type Label, MAX_SHAPES_PER_IMAGE, UploadReply } from "@labelbench/schema";
import { sql } from "kysely";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, expectError, multipart, uploadImage } from "../../test-support/api.js";
import { listFiles, makeTestApp, TEST_BACKEND, type TestApp } from "../../test-support/app.js";
import { SHARED_FIXTURES, sharedFixtureDir } from "../../test-support/fixtures.js";
import { jpeg, png } from "../../test-support/images.js";
import { getExport, makeZip, unzip, zipDirectory } from "../../test-support/zips.js";

let t: TestApp;
let projectId: number;
beforeEach(async () => {
  t = await makeTestApp();
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
  const imgs = (await request(t.app).get(`/api/v1/projects/${id}/images?limit=500&sort=added`)).body
    .items as {
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

/** Two project images of one name in two folders (`cam_a/0001.jpg`, `cam_b/0001.jpg`), uploaded as a folder. */
const uploadNamesakesInFolders = async () => {
  const folder = multipart([
    { name: "cam_a/0001.jpg", data: await jpeg({ width: 10, height: 5, seed: 1 }) },
    { name: "cam_b/0001.jpg", data: await jpeg({ width: 10, height: 5, seed: 2 }) },
  ]);
  const uploaded = await request(t.app)
    .post(`/api/v1/projects/${projectId}/images`)
    .set("Content-Type", folder.type)
    .send(folder.body);
  expect(UploadReply.parse(uploaded.body).results.map((r) => r.status)).toEqual(["created", "created"]);
};

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
    // Classes of boxes: shape labels, also those this dataset has no box of.
    const scopes = (await request(t.app).get(`/api/v1/projects/${projectId}/labels`)).body.items as Label[];
    expect(scopes.map((l) => l.scope)).toEqual(["shapes", "shapes", "shapes", "shapes", "shapes"]);
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

  it("a COCO file_name with folders attaches to the project image of that path, not to its namesake in another folder", async () => {
    await uploadNamesakesInFolders();
    await createLabel(t.app, projectId, { name: "car", shapeTypes: ["box"] });
    const coco = JSON.stringify({
      images: [{ id: 1, file_name: "cam_b/0001.jpg", width: 10, height: 5 }],
      categories: [{ id: 0, name: "car" }],
      annotations: [{ id: 0, image_id: 1, category_id: 0, bbox: [1, 1, 2, 2], iscrowd: 0, segmentation: [] }],
    });
    const res = await request(t.app)
      .post(`/api/v1/projects/${projectId}/import?existing=replace`)
      .attach("files", Buffer.from(coco), "instances_default.json");
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    expect(ImportReport.parse(res.body).images).toMatchObject({ total: 1, matched: 1, created: 0 });
    const s = await state();
    expect(s.annotations.get("cam_a/0001.jpg")).toEqual([]);
    expect(s.annotations.get("cam_b/0001.jpg")).toEqual([
      { label: "car", geometry: { type: "box", x: 1, y: 1, width: 2, height: 2 } },
    ]);
  });

  it("a YOLO label file in a folder (labels/train/cam_b/0001.txt) attaches to the project image of that folder", async () => {
    await uploadNamesakesInFolders();
    // As Labelbench's own YOLO export writes them, without the images.
    const zip = await makeZip([
      ["data.yaml", 'names: ["car"]\n'],
      ["labels/train/cam_b/0001.txt", "0 0.5 0.5 0.2 0.4\n"],
      ["labels/val/cam_a/0001.txt", "0 0.25 0.5 0.1 0.2\n"],
    ]);
    const r = await importOk(zip, "existing=replace");
    expect(r.images).toMatchObject({ total: 2, matched: 2, created: 0 });
    const s = await state();
    expect(s.annotations.get("cam_b/0001.jpg")).toEqual([
      { label: "car", geometry: { type: "box", x: 4, y: 1.5, width: 2, height: 2 } },
    ]);
    expect(s.annotations.get("cam_a/0001.jpg")).toEqual([
      { label: "car", geometry: { type: "box", x: 2, y: 2, width: 1, height: 1 } },
    ]);
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

    it("labelme/instance_segmentation_coco: refused for its two self-crossing polygons; imports with invalidShapes=skip", async () => {
      const zip = await zipDirectory(dir("labelme/instance_segmentation_coco"));
      const err = expectError(await importZip(zip), 400, "VALIDATION_ERROR");
      const report = ImportReport.parse(err.details);
      expect(report.problems.filter((x) => x.severity === "error")).toEqual([
        {
          severity: "error",
          file: "annotations.json",
          where: "annotations[6].segmentation",
          message:
            'polygon outline crosses itself: edge 7 (points 7-8) crosses edge 10 (points 10-11) at (117.79, 222.91) (image "2011_000006.jpg" is 500x375)',
        },
        {
          severity: "error",
          file: "annotations.json",
          where: "annotations[7].segmentation",
          message:
            'polygon outline crosses itself: edge 10 (points 10-11) crosses edge 12 (points 12-13) at (244.74, 254.58) (image "2011_000006.jpg" is 500x375)',
        },
      ]);
      expect((await state()).images).toEqual([]);
      const r = await importOk(zip, "invalidShapes=skip");
      expect([r.images.total, r.annotations.total, r.annotations.perLabel.length]).toEqual([3, 14, 20]);
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
      // The part and actions on the person, and the two JPEGs being one file (truncated=1 on the
      // cat is an attribute now: attributes-roundtrip.test.ts).
      expect(vr.problems.map((x) => x.message)).toEqual([
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

/** A COCO instances file for one image `a.png` (100x100), members in the given order. */
const cocoText = (
  annotations: number,
  order: readonly ("images" | "categories" | "annotations")[],
  bad: number | null = null,
  /** 2: the shapes alternate between a.png and b.png (one image holds at most MAX_SHAPES_PER_IMAGE). */
  images: 1 | 2 = 1,
) => {
  const members = {
    images: `[{"id":1,"file_name":"a.png","width":100,"height":100,"tags":["tagged"]}${images === 2 ? ',{"id":2,"file_name":"b.png","width":100,"height":100}' : ""}]`,
    categories: '[{"id":1,"name":"car"},{"id":2,"name":"new label"}]',
    annotations: `[${Array.from(
      { length: annotations },
      (_, i) =>
        `{"id":${i + 1},"image_id":${(i % images) + 1},"category_id":${(i % 2) + 1},"bbox":${i === bad ? "[500,500,10,10]" : `[${i % 90},${i % 80},10,20]`},"iscrowd":0}`,
    ).join(",\n")}]`,
  };
  return `{"info":{},${order.map((k) => `"${k}":${members[k]}`).join(",")}}`;
};

describe("streamed import: written as decoded, all or nothing", () => {
  /** A project with `a.png` holding two shapes of "car", so a replace has something to keep or drop. */
  const seeded = async () => {
    const car = await createLabel(t.app, projectId, { name: "car" });
    const img = await uploadImage(t.app, projectId, {
      name: "a.png",
      data: await png({ width: 100, height: 100, seed: 7 }),
    });
    const put = await request(t.app)
      .put(`/api/v1/images/${img.id}/annotations`)
      .send({
        baseRevision: 0,
        annotations: [1, 2].map((x) => ({
          labelId: car.id,
          geometry: { type: "box", x, y: x, width: 5, height: 5 },
        })),
      });
    expect(put.status).toBe(200);
    return img;
  };
  const snapshot = async () => {
    const s = await state();
    const images = await t.sql
      .selectFrom("images")
      .select(["id", "revision", "annotation_count", "status"])
      .orderBy("id")
      .execute();
    const tags = await t.sql
      .selectFrom("image_tags")
      .select(["image_id", "label_id"])
      .orderBy("image_id")
      .orderBy("label_id")
      .execute();
    return { ...s, images, tags };
  };
  const postJson = (text: string, query: string) =>
    request(t.app)
      .post(`/api/v1/projects/${projectId}/import?${query}`)
      .attach("files", Buffer.from(text), "instances.json");

  it("annotations before images and categories import as in the usual order", async () => {
    await seeded();
    const usual = await importOk(
      await makeZip([["instances.json", cocoText(50, ["categories", "images", "annotations"])]]),
      "existing=replace",
    );
    const after = await snapshot();
    for (const order of [
      ["annotations", "images", "categories"],
      ["images", "annotations", "categories"],
    ] as const) {
      const r = await importOk(await makeZip([["instances.json", cocoText(50, order)]]), "existing=replace");
      expect(r).toEqual({
        ...usual,
        labelsCreated: [],
        annotations: {
          ...usual.annotations,
          perLabel: usual.annotations.perLabel.map((l) => ({ ...l, state: "existing" })),
        },
      });
      const s = await snapshot();
      // Same shapes, labels and tags; only the revision moved on.
      expect({ ...s, images: [] }).toEqual({ ...after, images: [] });
    }
    expect(usual).toMatchObject({ images: { total: 1, matched: 1, withAnnotations: 1 }, tags: 1 });
    expect(usual.annotations.perLabel.map((l) => [l.name, l.count, l.state])).toEqual([
      ["car", 25, "existing"],
      ["new label", 25, "created"],
      ["tagged", 0, "created"],
    ]);
    expect(after.labels).toEqual(["car", "new label", "tagged"]);
    expect(after.annotations.get("a.png")).toHaveLength(50);
    expect(after.images).toEqual([{ id: 1, revision: 2, annotation_count: 50, status: "in_progress" }]);
  });

  it("a refusal deep inside a big file rolls back everything already written", async () => {
    await seeded();
    await uploadImage(t.app, projectId, {
      name: "b.png",
      data: await png({ width: 100, height: 100, seed: 8 }),
    });
    const before = await snapshot();
    // Over 8 MB: extracted from the zip to disk and read in pieces; shape 110,000 is outside (after the label index was deferred, at 100,000 rows) the image.
    const text = cocoText(120_000, ["categories", "images", "annotations"], 110_000, 2);
    expect(text.length).toBeGreaterThan(8 * 1024 * 1024);
    const res = await importZip(await makeZip([["instances.json", text]]), "existing=replace");
    const err = expectError(res, 400, "VALIDATION_ERROR");
    expect(err.message).toBe(
      'import refused, nothing was changed: 1 problem(s); first: instances.json annotations[110000].bbox: box [500, 500, 510, 510] lies outside the image 100x100 (image "a.png" is 100x100)',
    );
    const r = ImportReport.parse(err.details);
    expect(r).toMatchObject({ applied: false, errors: 1, annotations: { total: 119_999 } });
    // The label the import had created is gone with the rest: the report does not name its id.
    expect(r.annotations.perLabel.find((l) => l.name === "new label")).toMatchObject({
      state: "created",
      labelId: null,
    });
    expect(await snapshot()).toEqual(before);
    expect(before.annotations.get("a.png")).toHaveLength(2);
    // SQLite's publish drops the label index for a big import and builds it again before the commit.
    const labelIndex = () =>
      TEST_BACKEND === "sqlite"
        ? t.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'annotations_label'").pluck().get()
        : "index kept on PostgreSQL";
    const indexSql = labelIndex();
    if (TEST_BACKEND === "sqlite") expect(indexSql).toMatch(/CREATE INDEX annotations_label/);
    // Without the bad shape: all 120,000 written, the index built again before the commit.
    const ok = await importOk(
      await makeZip([
        ["instances.json", cocoText(120_000, ["categories", "images", "annotations"], null, 2)],
      ]),
      "existing=replace",
    );
    expect(ok.annotations.total).toBe(120_000);
    expect(labelIndex()).toBe(indexSql);
    if (TEST_BACKEND === "sqlite")
      expect(
        t.db
          .prepare("SELECT count(*) FROM annotations INDEXED BY annotations_label WHERE label_id > 0")
          .pluck()
          .get(),
      ).toBe(120_000);
  }, 120_000);

  it("a dry run reports what the import then does, and writes nothing", async () => {
    await seeded();
    const before = await snapshot();
    const text = cocoText(2_000, ["annotations", "categories", "images"]);
    const dry = await postJson(text, "existing=replace&dryRun=true");
    expect(dry.status, JSON.stringify(dry.body).slice(0, 500)).toBe(200);
    expect(await snapshot()).toEqual(before);
    const real = await postJson(text, "existing=replace");
    expect(real.status).toBe(200);
    const { dryRun: _d, applied: _a, ...dryRest } = ImportReport.parse(dry.body);
    const { dryRun: _r, applied, ...realRest } = ImportReport.parse(real.body);
    expect(applied).toBe(true);
    const withoutIds = (x: typeof dryRest) => ({
      ...x,
      annotations: { ...x.annotations, perLabel: x.annotations.perLabel.map((l) => ({ ...l, labelId: 0 })) },
    });
    expect(withoutIds(dryRest)).toEqual(withoutIds(realRest));
    expect((await snapshot()).annotations.get("a.png")).toHaveLength(2_000);
    // A dry run that finds an error reports it with status 200 and still writes nothing.
    const after = await snapshot();
    const bad = await postJson(cocoText(10, ["categories", "images", "annotations"], 3), "dryRun=true");
    expect(bad.status).toBe(200);
    expect(ImportReport.parse(bad.body)).toMatchObject({ applied: false, errors: 1 });
    expect(await snapshot()).toEqual(after);
  });

  it("append keeps the shapes there and numbers the new ones after them", async () => {
    await seeded();
    const r = await postJson(cocoText(4, ["categories", "images", "annotations"]), "existing=append");
    expect(r.status).toBe(200);
    const shapes = (await state()).annotations.get("a.png") ?? [];
    expect(shapes.map((s) => s.label)).toEqual(["car", "car", "car", "new label", "car", "new label"]);
    expect(await t.sql.selectFrom("images").select("annotation_count").executeTakeFirst()).toEqual({
      annotation_count: 6,
    });
  });

  it("append refuses to take an image past the shape limit, and changes nothing", async () => {
    await seeded();
    const { id: imageId } = await t.sql.selectFrom("images").select("id").executeTakeFirstOrThrow();
    const { id: labelId } = await t.sql.selectFrom("labels").select("id").executeTakeFirstOrThrow();
    const boxJson = '{"type":"box","x":1,"y":1,"width":1,"height":1}';
    await sql`WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${MAX_SHAPES_PER_IMAGE - 2})
      INSERT INTO annotations (image_id, uid, label_id, geometry, position, created_at, updated_at)
      SELECT ${imageId}, 'bulk' || i, ${labelId}, ${boxJson}, i, '', '' FROM n`.execute(t.sql);
    await t.sql
      .updateTable("images")
      .set({ annotation_count: MAX_SHAPES_PER_IMAGE - 2 })
      .execute();
    const res = await postJson(cocoText(3, ["categories", "images", "annotations"]), "existing=append");
    const err = expectError(res, 400, "VALIDATION_ERROR");
    expect(ImportReport.parse(err.details).problems.filter((p) => p.severity === "error")).toEqual([
      {
        severity: "error",
        file: "instances.json",
        where: "annotations[2].bbox",
        message:
          'image "a.png" would hold more than 100,000 shapes with those it already has, the limit per image',
      },
    ]);
    const count = async () =>
      Number(
        (
          await t.sql
            .selectFrom("annotations")
            .select((e) => e.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count()).toBe(MAX_SHAPES_PER_IMAGE - 2);
    // Two more fit.
    expect(
      (await postJson(cocoText(2, ["categories", "images", "annotations"]), "existing=append")).status,
    ).toBe(200);
  });

  it("label files are read from the zip one at a time: a corrupt one refuses the import, nothing kept", async () => {
    const zip = await yoloZip("0 0.5 0.5 0.5 0.5\n");
    const at = zip.indexOf("0 0.5 0.5 0.5 0.5");
    expect(at).toBeGreaterThan(0);
    zip[at] = "1".charCodeAt(0); // still text, but no longer the bytes the CRC was taken of
    const err = expectError(await importZip(zip), 400, "VALIDATION_ERROR");
    expect(err.message).toBe(
      "not a readable zip: labels/train/img_004.txt fails its CRC check (corrupt zip)",
    );
    expect(await state()).toEqual({ images: [], labels: [], annotations: new Map() });
    expect(originals()).toEqual([]);
  });
});
