import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { cocoSelfEvaluation, validateCocoForPycocotools } from "@labelbench/formats";
import { HEADERS, type Image, type Label } from "@labelbench/schema";
import Database from "better-sqlite3";
import express from "express";
import { sql } from "kysely";
import pino from "pino";
import sharp from "sharp";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqliteKysely } from "../../db/connect.js";
import { errorHandler } from "../../http/errors.js";
import { expectError, uploadImage } from "../../test-support/api.js";
import { makeTestApp, TEST_BACKEND, type TestApp } from "../../test-support/app.js";
import { SHARED_FIXTURES, sharedFixtureDir } from "../../test-support/fixtures.js";
import { gif, jpeg, png } from "../../test-support/images.js";
import { getExport, pythonZipCheck, seedZipProject, unzip } from "../../test-support/zips.js";
import { exportDataset } from "./export.js";
import { Slots } from "./export-slots.js";

let t: TestApp;
let projectId: number;
let labels: Label[];
let images: Image[];

const put = async (imageId: number, annotations: unknown[], tags: number[] = []) => {
  const res = await request(t.app)
    .put(`/api/v1/images/${imageId}/annotations`)
    .send({ baseRevision: 0, annotations, tags });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
};
const box = (x: number, y: number, width: number, height: number) => ({ type: "box", x, y, width, height });

/**
 * A small project with what exports get wrong elsewhere: a polygon, a box on every edge, an image
 * nobody opened (no shapes, status new), a done image, unicode and spaces in names, image tags.
 */
beforeEach(async () => {
  t = await makeTestApp();
  ({ projectId, labels, images } = await seedZipProject(t.app, {
    project: "Street scenes ü",
    labels: ["car", "hot dog", "日本語 ラベル"],
    images: ["street one.png", "ünïcode.jpg", "untouched.png"],
  }));
  const [a, b] = images as [Image, Image];
  await put(a.id, [
    { labelId: labels[0]?.id, geometry: box(0, 0, 40, 20) },
    {
      labelId: labels[1]?.id,
      geometry: {
        type: "polygon",
        points: [
          [2, 2],
          [20, 3],
          [10, 15],
        ],
      },
    },
  ]);
  await put(b.id, [{ labelId: labels[2]?.id, geometry: box(1.5, 2.25, 10, 5) }], [labels[0]?.id ?? 0]);
  await request(t.app).patch(`/api/v1/images/${b.id}`).send({ status: "done" });
});
afterEach(() => t.cleanup());

const text = (files: Map<string, Buffer>, p: string) => {
  const b = files.get(p);
  if (!b) throw new Error(`${p} not in the zip: ${[...files.keys()].join(", ")}`);
  return b.toString("utf8");
};

describe("GET /projects/:id/export", () => {
  it("COCO: files pycocotools accepts, AP 1.0 against themselves, every image included", async () => {
    const res = await getExport(t.app, projectId, "format=coco");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/zip");
    expect(res.headers["content-disposition"]).toContain(
      "filename*=UTF-8''Street%20scenes%20%C3%BC-coco.zip",
    );
    // The names the web's download reads (packages/schema HEADERS), with the estimate it shows.
    expect(Number(res.headers[HEADERS.exportEstimatedBytes.toLowerCase()])).toBeGreaterThan(0);
    expect(res.headers[HEADERS.exportImages.toLowerCase()]).toMatch(/^[1-9][0-9]*$/);
    expect(pythonZipCheck(res.body)).toBe("None");
    const files = await unzip(res.body);
    expect([...files.keys()]).toEqual([
      "annotations/instances_train.json",
      "images/train/street one.png",
      "images/train/ünïcode.jpg",
      "images/train/untouched.png",
      "export-report.json",
      "manifest.json",
    ]);
    const coco = JSON.parse(text(files, "annotations/instances_train.json"));
    expect(validateCocoForPycocotools(coco)).toEqual([]);
    expect(cocoSelfEvaluation(coco)).toBe(1);
    expect(coco.categories).toEqual([
      { id: 1, name: "car", supercategory: "" },
      { id: 2, name: "hot dog", supercategory: "" },
      { id: 3, name: "日本語 ラベル", supercategory: "" },
    ]);
    expect(coco.images).toEqual([
      { id: 1, file_name: "street one.png", width: 40, height: 20, tags: [] },
      { id: 2, file_name: "ünïcode.jpg", width: 30, height: 30, tags: ["car"] },
      { id: 3, file_name: "untouched.png", width: 10, height: 10, tags: [] },
    ]);
    expect(
      coco.annotations.map((a: { bbox: number[]; category_id: number }) => [a.category_id, a.bbox]),
    ).toEqual([
      [1, [0, 0, 40, 20]],
      [2, [2, 2, 18, 13]],
      [3, [1.5, 2.25, 10, 5]],
    ]);
    // Image bytes are the uploaded ones; the manifest names their hashes and the annotation files'.
    const manifest = JSON.parse(text(files, "manifest.json"));
    const png1 = files.get("images/train/street one.png") as Buffer;
    expect(createHash("sha256").update(png1).digest("hex")).toBe(images[0]?.sha256);
    expect(manifest.images[0]).toEqual({
      path: "images/train/street one.png",
      split: "train",
      sha256: images[0]?.sha256,
      width: 40,
      height: 20,
    });
    const annFile = files.get("annotations/instances_train.json") as Buffer;
    expect(manifest.files).toContainEqual({
      path: "annotations/instances_train.json",
      sha256: createHash("sha256").update(annFile).digest("hex"),
      bytes: annFile.length,
    });
    expect(manifest.counts.images).toEqual({ train: 3, val: 0, test: 0, total: 3 });
    expect(
      manifest.annotationsPerLabel.map((l: { name: string; total: number }) => [l.name, l.total]),
    ).toEqual([
      ["car", 1],
      ["hot dog", 1],
      ["日本語 ラベル", 1],
    ]);
    expect(manifest.options).toEqual({
      statuses: ["new", "in_progress", "done", "skipped"],
      review: "any",
      split: "100,0,0",
      seed: "labelbench",
      images: "include",
    });
  });

  it("YOLO: normalized boxes, empty label file for the untouched image, polygon reported as a box", async () => {
    const res = await getExport(t.app, projectId, "format=yolo&images=exclude");
    expect(res.status).toBe(200);
    const files = await unzip(res.body);
    expect([...files.keys()].filter((p) => p.startsWith("images/"))).toEqual([]);
    expect(text(files, "data.yaml")).toContain('names:\n  0: "car"\n  1: "hot dog"\n  2: "日本語 ラベル"\n');
    expect(text(files, "labels/train/street one.txt")).toBe(
      "0 0.500000 0.500000 1.000000 1.000000\n1 0.275000 0.425000 0.450000 0.650000\n",
    );
    expect(text(files, "labels/train/ünïcode.txt")).toBe("2 0.216667 0.158333 0.333333 0.166667\n");
    expect(text(files, "labels/train/untouched.txt")).toBe("");
    expect(text(files, "classification.csv")).toBe("image,label\nimages/train/ünïcode.jpg,car\n");
    const report = JSON.parse(text(files, "export-report.json"));
    expect(report.lossless).toBe(false);
    expect(report.items.find((i: { code: string }) => i.code === "POLYGON_AS_BOX")).toMatchObject({
      count: 1,
      examples: [{ image: "street one.png", shape: 2 }],
    });
  });

  it("VOC: 1-based pixel boxes, ImageSets, labels.txt", async () => {
    const files = await unzip((await getExport(t.app, projectId, "format=voc")).body);
    const xml = text(files, "Annotations/street_one.xml");
    expect(xml).toContain(
      "<xmin>1</xmin>\n      <ymin>1</ymin>\n      <xmax>40</xmax>\n      <ymax>20</ymax>",
    );
    expect(text(files, "ImageSets/Main/train.txt")).toBe("street_one\nünïcode\nuntouched\n");
    expect(text(files, "labels.txt")).toBe("car\nhot dog\n日本語 ラベル\n");
    expect(files.has("JPEGImages/ünïcode.jpg")).toBe(true);
    // The colour uploads say depth 3; a greyscale PNG (sharp reports one channel) says 1.
    expect(xml).toContain("<depth>3</depth>");
    const grey = await png({ width: 12, height: 8, seed: 4 }).then((b) =>
      sharp(b).toColourspace("b-w").png().toBuffer(),
    );
    await uploadImage(t.app, projectId, { name: "x-ray.png", data: grey });
    const again = await unzip((await getExport(t.app, projectId, "format=voc")).body);
    expect(text(again, "Annotations/x-ray.xml")).toContain("<depth>1</depth>");
    expect(text(again, "Annotations/street_one.xml")).toContain("<depth>3</depth>");
  });

  it("VOC: writes what torchvision, Detectron2 and the devkit open: JPEGImages/<id>.jpg, ids without spaces", async () => {
    const [a, b] = images as [Image, Image];
    const res = await getExport(t.app, projectId, "format=voc&split=50,50,0");
    expect(res.status).toBe(200);
    const files = await unzip(res.body);
    const ids = ["train", "val"].flatMap((s) =>
      text(files, `ImageSets/Main/${s}.txt`).split(/\s+/).filter(Boolean),
    );
    expect(ids.sort()).toEqual(["street_one", "untouched", "ünïcode"].sort());
    for (const id of ids) {
      // The reader's own path: Annotations/<id>.xml names JPEGImages/<id>.jpg, a real JPEG of the stated size.
      const xml = text(files, `Annotations/${id}.xml`);
      expect(xml).toContain(`<filename>${id}.jpg</filename>`);
      const jpg = files.get(`JPEGImages/${id}.jpg`) as Buffer;
      const meta = await sharp(jpg).metadata();
      expect(meta.format, id).toBe("jpeg");
      expect(xml).toContain(`<width>${meta.width}</width>`);
      expect(xml).toContain(`<height>${meta.height}</height>`);
    }
    // A stored JPEG is copied byte for byte; the PNGs were converted, and the report says so.
    const jpegBytes = files.get("JPEGImages/ünïcode.jpg") as Buffer;
    expect(createHash("sha256").update(jpegBytes).digest("hex")).toBe(b.sha256);
    const report = JSON.parse(text(files, "export-report.json"));
    const converted = report.items.find((i: { code: string }) => i.code === "CONVERTED_TO_JPEG");
    expect(converted).toMatchObject({ count: 2, severity: "lossy" });
    expect(converted.examples.map((e: { image: string }) => e.image).sort()).toEqual([
      "street_one.jpg",
      "untouched.jpg",
    ]);
    expect(a.fileName).toBe("street one.png");
    expect(pythonZipCheck(res.body)).toBe("None");
    // Converted bytes are the same every time: the zip stays reproducible.
    const again = await getExport(t.app, projectId, "format=voc&split=50,50,0");
    expect(again.body.equals(res.body)).toBe(true);
  });

  it("no format writes a zero-size box: a 1-pixel box keeps xmax > xmin in VOC", async () => {
    const [a] = images as [Image];
    await request(t.app)
      .put(`/api/v1/images/${a.id}/annotations`)
      .send({
        baseRevision: 1,
        annotations: [{ labelId: labels[0]?.id, geometry: box(5, 5, 1, 1) }],
        tags: [],
      });
    const files = await unzip((await getExport(t.app, projectId, "format=voc&images=exclude")).body);
    expect(text(files, "Annotations/street_one.xml")).toContain(
      "<xmin>6</xmin>\n      <ymin>6</ymin>\n      <xmax>7</xmax>\n      <ymax>7</ymax>",
    );
    const report = JSON.parse(text(files, "export-report.json"));
    expect(report.items.find((i: { code: string }) => i.code === "WIDENED_TO_TWO_PIXELS")).toMatchObject({
      count: 1,
      examples: [{ image: "street_one.jpg", shape: 1 }],
    });
  });

  it("YOLO: data.yaml Ultralytics accepts from any folder (no path: ., always a val), GIF as PNG, tiny images reported", async () => {
    const g = await uploadImage(t.app, projectId, {
      name: "anim.gif",
      data: await gif({ width: 16, height: 12 }),
    });
    const small = await uploadImage(t.app, projectId, {
      name: "speck.png",
      data: await png({ width: 9, height: 30 }),
    });
    await put(g.id, [{ labelId: labels[0]?.id, geometry: box(1, 1, 4, 4) }]);
    const res = await getExport(t.app, projectId, "format=yolo");
    expect(res.status).toBe(200);
    const files = await unzip(res.body);
    const yaml = text(files, "data.yaml");
    expect(yaml).not.toMatch(/^path:/m);
    expect(yaml).toMatch(/^train: images\/train$/m);
    expect(yaml).toMatch(/^val: images\/train$/m);
    expect(yaml).not.toMatch(/^test:/m);
    // Ultralytics lists images by extension and does not read GIF: the image is a PNG, labels follow.
    expect(files.has("images/train/anim.gif")).toBe(false);
    expect((await sharp(files.get("images/train/anim.png") as Buffer).metadata()).format).toBe("png");
    expect(text(files, "labels/train/anim.txt")).toBe("0 0.187500 0.250000 0.250000 0.333333\n");
    const report = JSON.parse(text(files, "export-report.json"));
    const item = (code: string) => report.items.find((i: { code: string }) => i.code === code);
    expect(item("NO_VAL_SPLIT")?.message).toContain("val is images/train");
    expect(item("CONVERTED_TO_PNG")).toMatchObject({ count: 1, examples: [{ image: "anim.png" }] });
    expect(item("TOO_SMALL_FOR_ULTRALYTICS")).toMatchObject({
      count: 1,
      examples: [{ image: "speck.png", detail: "9x30, 0 shape(s)" }],
    });
    expect(small.id).toBeGreaterThan(g.id);
    // With a real validation split, val is its own folder.
    const split = await unzip(
      (await getExport(t.app, projectId, "format=yolo&split=50,50,0&images=exclude")).body,
    );
    expect(text(split, "data.yaml")).toMatch(/^val: images\/val$/m);
  });

  it("two images named 0001.jpg get distinct names, label files and COCO file_names, the same every time", async () => {
    const first = await uploadImage(t.app, projectId, {
      name: "0001.jpg",
      data: await jpeg({ width: 20, height: 20, seed: 7 }),
    });
    const second = await uploadImage(t.app, projectId, {
      name: "0001.jpg",
      data: await jpeg({ width: 20, height: 20, seed: 8 }),
    });
    await put(second.id, [{ labelId: labels[0]?.id, geometry: box(0, 0, 10, 10) }]);
    const yolo = await unzip((await getExport(t.app, projectId, "format=yolo")).body);
    expect(text(yolo, "labels/train/0001.txt")).toBe("");
    expect(text(yolo, "labels/train/0001_2.txt")).toBe("0 0.250000 0.250000 0.500000 0.500000\n");
    expect(
      createHash("sha256")
        .update(yolo.get("images/train/0001_2.jpg") as Buffer)
        .digest("hex"),
    ).toBe(second.sha256);
    const coco = JSON.parse(
      text(
        await unzip((await getExport(t.app, projectId, "format=coco&images=exclude")).body),
        "annotations/instances_train.json",
      ),
    );
    expect(coco.images.map((i: { file_name: string }) => i.file_name)).toContain("0001_2.jpg");
    expect(first.id).toBeLessThan(second.id);
  });

  it("filters by status and splits by seed, the same way every time", async () => {
    const done = await unzip(
      (await getExport(t.app, projectId, "format=yolo-seg&status=done&images=exclude")).body,
    );
    expect([...done.keys()].filter((p) => p.startsWith("labels/"))).toEqual(["labels/train/ünïcode.txt"]);

    const q = "format=coco&split=34,33,33&seed=abc&images=exclude";
    const a = await getExport(t.app, projectId, q);
    const b = await getExport(t.app, projectId, q);
    expect(a.body.equals(b.body)).toBe(true);
    const manifest = JSON.parse(text(await unzip(a.body), "manifest.json"));
    expect(manifest.counts.images).toEqual({ train: 1, val: 1, test: 1, total: 3 });
    expect(manifest.options.seed).toBe("abc");
  });

  it("refuses bad options with the field and a clear message, and unknown projects with 404", async () => {
    const bad = async (q: string) => {
      const res = await request(t.app).get(`/api/v1/projects/${projectId}/export?${q}`);
      return expectError(res, 400, "VALIDATION_ERROR").message;
    };
    expect(await bad("format=coco&split=80,10,5")).toContain("percentages must add up to 100");
    expect(await bad("format=coco&status=finished")).toContain('"finished" is not an image status');
    expect(await bad("format=tfrecord")).toContain("format");
    expectError(await request(t.app).get("/api/v1/projects/999/export?format=coco"), 404, "NOT_FOUND");
  });

  it("leaves out an image whose file is missing from storage, names it in the report, exports the rest", async () => {
    const sha = images[0]?.sha256 ?? "";
    fs.rmSync(path.join(t.filesDir, "originals", sha.slice(0, 2), sha));
    const zips = new Map<string, Map<string, Buffer>>();
    for (const format of ["coco", "yolo", "voc"]) {
      const res = await getExport(t.app, projectId, `format=${format}`);
      expect(res.status, format).toBe(200);
      expect(pythonZipCheck(res.body)).toBe("None");
      const files = await unzip(res.body);
      zips.set(format, files);
      expect(
        [...files.keys()].filter((p) => p.includes("street")),
        format,
      ).toEqual([]);
      const report = JSON.parse(text(files, "export-report.json"));
      expect(report.lossless).toBe(false);
      expect(report.items.find((i: { code: string }) => i.code === "IMAGE_FILE_MISSING")).toEqual({
        code: "IMAGE_FILE_MISSING",
        severity: "error",
        message: "images whose file is missing from storage: left out of the export with their shapes",
        count: 1,
        examples: [
          {
            image: "street one.png",
            detail: `image ${images[0]?.id}: its file (sha256 ${sha}) is missing from storage; 2 shape(s) not exported`,
          },
        ],
      });
      const manifest = JSON.parse(text(files, "manifest.json"));
      expect(manifest.counts.images.total).toBe(2);
    }
    const coco = JSON.parse(text(zips.get("coco") ?? new Map(), "annotations/instances_train.json"));
    expect(coco.images.map((i: { file_name: string }) => i.file_name)).toEqual([
      "ünïcode.jpg",
      "untouched.png",
    ]);
    expect(coco.annotations).toHaveLength(1);
    // Without images the export does not need the bytes: nothing is left out.
    const bare = await unzip((await getExport(t.app, projectId, "format=coco&images=exclude")).body);
    expect(text(bare, "export-report.json")).not.toContain("IMAGE_FILE_MISSING");
  });
});

/** Many shapes on the first image, written straight to the database (the API would take minutes). */
const addShapes = async (imageId: number, count: number) => {
  const rows = Array.from({ length: count }, (_, i) => ({
    image_id: imageId,
    uid: `bulk${i}`,
    label_id: labels[i % 3]?.id as number,
    geometry: JSON.stringify({
      type: "box",
      x: (i % 37) * 0.731,
      y: (i % 17) * 0.913,
      width: 1.5 + (i % 5),
      height: 1.25,
    }),
    position: 1000 + i,
    created_by: null,
    updated_by: null,
    created_at: "2026-01-01",
    updated_at: "2026-01-01",
  }));
  await t.sql.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 2000)
      await trx
        .insertInto("annotations")
        .values(rows.slice(i, i + 2000))
        .execute();
  });
};

/** Breaks the stored geometry of an image's shapes (a row no encoder can read). */
const breakShapes = (imageId: number) =>
  t.sql.updateTable("annotations").set({ geometry: "{broken" }).where("image_id", "=", imageId).execute();

/** A GET over a real socket, so the test can stop reading or hang up like a browser does. */
const openExport = async (query: string) => {
  const server = http.createServer(t.app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http
      .get(`http://127.0.0.1:${port}/api/v1/projects/${projectId}/export?${query}`, resolve)
      .on("error", reject);
  });
  return { res, close: () => new Promise<void>((r) => server.close(() => r())) };
};

/**
 * Whether an export's snapshot is still held: on SQLite, WAL frames a checkpoint could not copy
 * back (a reader pins an old snapshot); on PostgreSQL, transactions open on other connections to
 * the database (the export's reader and its slot).
 */
const snapshotHeld = async (): Promise<boolean> => {
  if (t.dialect === "sqlite") {
    const [r] = t.db.pragma("wal_checkpoint(PASSIVE)") as { log: number; checkpointed: number }[];
    return (r?.log ?? 0) - (r?.checkpointed ?? 0) > 0;
  }
  const r = await sql<{ n: number }>`SELECT count(*) AS n FROM pg_stat_activity
    WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`.execute(t.sql);
  return Number(r.rows[0]?.n) > 0;
};

describe("export failures and hang-ups", () => {
  it("answers a clean 500 when a stored shape fails before anything was sent", async () => {
    await breakShapes(images[1]?.id ?? 0);
    for (const format of ["coco", "yolo", "voc"]) {
      const res = await request(t.app).get(
        `/api/v1/projects/${projectId}/export?format=${format}&images=exclude`,
      );
      expectError(res, 500, "INTERNAL");
      expect(res.headers["content-disposition"]).toBeUndefined();
    }
  });

  it("cuts the connection when a shape fails after bytes went out: no zip ever looks complete", async () => {
    await addShapes(images[0]?.id ?? 0, 60_000);
    await breakShapes(images[1]?.id ?? 0);
    for (const format of ["coco", "yolo"]) {
      const { res, close } = await openExport(`format=${format}&images=exclude`);
      expect(res.statusCode).toBe(200);
      const outcome = await new Promise<string>((resolve) => {
        res.on("data", () => undefined);
        res.on("end", () => resolve("complete"));
        res.on("error", () => resolve("cut"));
        res.on("aborted", () => resolve("cut"));
      });
      expect(outcome, format).toBe("cut");
      await close();
    }
  });

  it("stops the work and releases its snapshot promptly when the client hangs up", async () => {
    await addShapes(images[0]?.id ?? 0, 150_000);
    const { res, close } = await openExport("format=coco&images=exclude");
    expect(res.statusCode).toBe(200);
    await new Promise<void>((r) => res.once("data", () => r()));
    res.pause();
    // A save during the export succeeds; the export's snapshot keeps those WAL frames pinned.
    await put(images[2]?.id ?? 0, [{ labelId: labels[0]?.id, geometry: box(1, 1, 2, 2) }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(await snapshotHeld()).toBe(true);
    res.destroy();
    const start = Date.now();
    while ((await snapshotHeld()) && Date.now() - start < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(await snapshotHeld()).toBe(false);
    expect(Date.now() - start).toBeLessThan(2000);
    await close();
  });
});

describe("export workers", () => {
  it("runs exports beyond the limit after a slot frees: three at once give three identical zips", async () => {
    await addShapes(images[0]?.id ?? 0, 20_000);
    const q = "format=coco&split=50,50,0&images=exclude";
    const zips = await Promise.all([1, 2, 3].map(() => getExport(t.app, projectId, q)));
    for (const z of zips) expect(z.status).toBe(200);
    const [a, b, c] = zips.map((z) => z.body) as [Buffer, Buffer, Buffer];
    expect(a.equals(b) && a.equals(c)).toBe(true);
    const coco = JSON.parse(text(await unzip(a), "annotations/instances_train.json"));
    expect(validateCocoForPycocotools(coco)).toEqual([]);
  });

  /** The export route on its own, over `db`, with its own slots (to test limits and fallbacks). */
  const serveExport = async (db: typeof t.db, slots: Slots) => {
    const deps = {
      db,
      sql: sqliteKysely(db),
      dialect: "sqlite" as const,
      storage: t.storage,
      config: t.config,
      log: pino({ level: "silent" }),
      now: () => new Date().toISOString(),
      tiles: t.app.tiles,
      files: t.app.files,
    };
    const mini = express();
    mini.get("/export", (req, res, next) => {
      exportDataset(
        deps,
        slots,
        projectId,
        {
          format: req.query.format === "yolo" ? "yolo" : "coco",
          status: ["new", "in_progress", "done", "skipped"],
          split: { train: 50, val: 50, test: 0 },
          seed: "labelbench",
          images: req.query.images === "include" ? "include" : "exclude",
          review: "any",
        },
        res,
      ).catch(next);
    });
    mini.use(errorHandler(deps.log));
    const server = http.createServer(mini);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    return {
      server,
      url: `http://127.0.0.1:${port}/export`,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  };

  // The route on its own over a SQLite handle; on PostgreSQL the slots are export-slots.test.ts's.
  it.skipIf(TEST_BACKEND === "postgres")(
    "answers 503 BUSY with Retry-After when every slot is taken and the line is full",
    async () => {
      await addShapes(images[0]?.id ?? 0, 150_000);
      const slots = new Slots({ running: 1, maxWaiting: 0, maxWaitMs: 1000 });
      const { server, url, close } = await serveExport(t.db, slots);
      // The first export holds the only slot: its client reads one chunk and stops.
      const first = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http.get(url, resolve).on("error", reject);
      });
      expect(first.statusCode).toBe(200);
      await new Promise<void>((r) => first.once("data", () => r()));
      first.pause();
      const busy = await request(server).get("/export");
      expect(expectError(busy, 503, "BUSY").message).toContain("try again in 30 s");
      expect(busy.headers["retry-after"]).toBe("30");
      first.destroy();
      // The slot frees once the hung-up export's worker has stopped.
      const start = Date.now();
      while (slots.active > 0 && Date.now() - start < 3000) await new Promise((r) => setTimeout(r, 20));
      expect(slots.active).toBe(0);
      await close();
    },
  );

  // An in-memory database is SQLite's alone.
  it.skipIf(TEST_BACKEND === "postgres")(
    "gives the same bytes on the main thread when the database is in memory (no file for a worker)",
    async () => {
      await addShapes(images[0]?.id ?? 0, 60_000);
      const image = t.db.serialize();
      // Header bytes 18-19 say "WAL": an in-memory copy must read as a rollback-journal database.
      image[18] = 1;
      image[19] = 1;
      const memory = new Database(image);
      expect(memory.memory).toBe(true);
      const slots = new Slots();
      const inWorker = await serveExport(t.db, slots);
      const inProcess = await serveExport(memory, slots);
      for (const q of ["format=coco&images=include", "format=yolo&images=exclude"]) {
        const a = await getBytes(`${inWorker.url}?${q}`);
        const b = await getBytes(`${inProcess.url}?${q}`);
        expect(a.length).toBeGreaterThan(256 * 1024); // several chunks through the worker
        expect(a.equals(b), q).toBe(true);
        expect(pythonZipCheck(a)).toBe("None");
      }
      await inWorker.close();
      await inProcess.close();
      memory.close();
    },
  );
});

const getBytes = async (url: string) => {
  const res = await fetch(url);
  expect(res.status, res.status === 200 ? "" : await res.text()).toBe(200);
  return Buffer.from(await res.arrayBuffer());
};

const exifDir = sharedFixtureDir("exif-orientation-examples");
describe.skipIf(!exifDir)(
  `export of EXIF-rotated photos (skipped: ${SHARED_FIXTURES}/exif-orientation-examples not found)`,
  () => {
    it("normalizes by the displayed size for every orientation (1800x1200)", async () => {
      for (const n of [1, 3, 5, 6, 8]) {
        const img = await uploadImage(t.app, projectId, {
          name: `Landscape_${n}.jpg`,
          data: fs.readFileSync(path.join(exifDir as string, `Landscape_${n}.jpg`)),
        });
        await put(img.id, [{ labelId: labels[0]?.id, geometry: box(0, 0, 900, 600) }]);
      }
      const files = await unzip((await getExport(t.app, projectId, "format=yolo&images=exclude")).body);
      for (const n of [1, 3, 5, 6, 8]) {
        expect(text(files, `labels/train/Landscape_${n}.txt`)).toBe(
          "0 0.250000 0.250000 0.500000 0.500000\n",
        );
      }
      const coco = JSON.parse(
        text(
          await unzip((await getExport(t.app, projectId, "format=coco&images=exclude")).body),
          "annotations/instances_train.json",
        ),
      );
      for (const im of coco.images.filter((i: { file_name: string }) =>
        i.file_name.startsWith("Landscape"),
      )) {
        expect([im.width, im.height]).toEqual([1800, 1200]);
      }
    });
  },
);
