import fs from "node:fs";
import path from "node:path";
import { Image, MAX_PATH_SEGMENT_BYTES } from "@labelbench/schema";
import sharp from "sharp";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../config.js";
import { createProject, expectError, issuePaths, upload, uploadOk } from "../../test-support/api.js";
import { listFiles, makeTestApp, type TestApp } from "../../test-support/app.js";
import { SHARED_FIXTURES, sharedFixtureDir } from "../../test-support/fixtures.js";
import {
  bmp24,
  bombPng,
  gif,
  ifdFirstTiff,
  jpeg,
  noise,
  png,
  rotatedJpeg,
  textFile,
  tiff,
  truncatedJpeg,
  webp,
} from "../../test-support/images.js";

let t: TestApp;
let projectId: number;
const setup = async (overrides: Parameters<typeof makeTestApp>[0] = {}) => {
  t = await makeTestApp(overrides);
  projectId = (await createProject(t.app)).id;
};
afterEach(() => t.cleanup());

/** Nothing may be left in the temp folder once a request has been answered. */
const expectNoTempFiles = () => expect(fs.readdirSync(t.storage.tempDir)).toEqual([]);

describe("upload: accepted formats", () => {
  beforeEach(() => setup());

  it("accepts JPEG, PNG, WebP, TIFF, GIF and BMP in one request, sniffed by content", async () => {
    const files = [
      { name: "a.jpg", data: await jpeg({ width: 40, height: 30, seed: 1 }) },
      { name: "b.png", data: await png({ width: 41, height: 31, seed: 2 }) },
      { name: "c.webp", data: await webp({ width: 42, height: 32, seed: 3 }) },
      { name: "d.tif", data: await tiff({ width: 43, height: 33, seed: 4 }) },
      { name: "e.gif", data: await gif({ width: 44, height: 34, seed: 5 }) },
      { name: "f.bmp", data: bmp24(45, 35) },
      // The name lies; the bytes decide.
      { name: "g.jpg", data: await png({ width: 46, height: 36, seed: 6 }) },
    ];
    const results = await uploadOk(t.app, projectId, files);
    expect(results.map((r) => r.status)).toEqual(Array(7).fill("created"));
    const images = results.map((r) => (r.status === "created" ? Image.parse(r.image) : null));
    expect(images.map((i) => [i?.fileName, i?.format, i?.width, i?.height])).toEqual([
      ["a.jpg", "jpeg", 40, 30],
      ["b.png", "png", 41, 31],
      ["c.webp", "webp", 42, 32],
      ["d.tif", "tiff", 43, 33],
      ["e.gif", "gif", 44, 34],
      ["f.bmp", "bmp", 45, 35],
      ["g.jpg", "png", 46, 36],
    ]);
    files.forEach((f, i) => {
      expect(images[i]?.byteSize).toBe(f.data.length);
      expect(images[i]?.status).toBe("new");
      expect(images[i]?.annotationCount).toBe(0);
    });
    // Each original is stored content-addressed, byte for byte, with a thumbnail beside it.
    for (const [i, img] of images.entries()) {
      const stored = fs.readFileSync(
        path.join(t.filesDir, "originals", img!.sha256.slice(0, 2), img!.sha256),
      );
      expect(stored.equals(files[i]!.data)).toBe(true);
      expect(
        fs.existsSync(path.join(t.filesDir, "thumbnails", img!.sha256.slice(0, 2), `${img!.sha256}.webp`)),
      ).toBe(true);
    }
    expectNoTempFiles();
  });

  it("reports width and height as displayed for an EXIF-rotated JPEG", async () => {
    const data = await rotatedJpeg({ width: 64, height: 32 });
    expect((await sharp(data).metadata()).orientation).toBe(6);
    const [r] = await uploadOk(t.app, projectId, [{ name: "portrait.jpg", data }]);
    expect(r).toMatchObject({ status: "created", image: { width: 32, height: 64 } });
  });

  it("decodes a byte-built BMP, rows bottom-up, into a correct thumbnail", async () => {
    // Top half red, bottom half blue: a decoder that mixes up row order would swap them.
    const data = bmp24(20, 20, (_x, y) => (y < 10 ? [255, 0, 0] : [0, 0, 255]));
    const [r] = await uploadOk(t.app, projectId, [{ name: "flag.bmp", data }]);
    if (r?.status !== "created") throw new Error(JSON.stringify(r));
    const thumb = await request(t.app).get(`/api/v1/images/${r.image.id}/thumbnail`).buffer(true);
    const { data: px, info } = await sharp(thumb.body as Buffer)
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [
      ...px.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
    ];
    expect(at(10, 2)[0]).toBeGreaterThan(200);
    expect(at(10, 2)[2]).toBeLessThan(50);
    expect(at(10, 17)[2]).toBeGreaterThan(200);
    expect(at(10, 17)[0]).toBeLessThan(50);
  });
});

describe("upload: rejections never lose the good files", () => {
  beforeEach(() => setup());

  it("rejects a text file named .jpg with UNSUPPORTED_MEDIA_TYPE and keeps the others", async () => {
    const results = await uploadOk(t.app, projectId, [
      { name: "good1.png", data: await png({ seed: 1 }) },
      { name: "notes.jpg", data: textFile() },
      { name: "good2.jpg", data: await jpeg({ seed: 2 }) },
    ]);
    expect(results.map((r) => [r.fileName, r.status])).toEqual([
      ["good1.png", "created"],
      ["notes.jpg", "rejected"],
      ["good2.jpg", "created"],
    ]);
    expect(results[1]).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    expect(results[1]?.status === "rejected" && results[1].reason).toMatch(/not a supported image/);
    const list = await request(t.app).get(`/api/v1/projects/${projectId}/images`);
    expect(list.body.items.map((i: { fileName: string }) => i.fileName)).toEqual(["good1.png", "good2.jpg"]);
    expectNoTempFiles();
  });

  it("rejects text that merely starts with BM as unsupported, not as a broken BMP", async () => {
    const [r] = await uploadOk(t.app, projectId, [
      { name: "cars.bmp", data: Buffer.from("BMW service log\n".repeat(10)) },
    ]);
    expect(r).toMatchObject({ status: "rejected", code: "UNSUPPORTED_MEDIA_TYPE" });
  });

  it("rejects a truncated JPEG with a clear reason", async () => {
    const results = await uploadOk(t.app, projectId, [
      { name: "cut.jpg", data: await truncatedJpeg() },
      { name: "fine.jpg", data: await jpeg() },
    ]);
    expect(results[0]).toMatchObject({ fileName: "cut.jpg", status: "rejected", code: "VALIDATION_ERROR" });
    expect(results[0]?.status === "rejected" && results[0].reason).toMatch(/corrupt or truncated JPEG/);
    expect(results[1]?.status).toBe("created");
    // A rejected file leaves nothing behind in storage.
    expect(listFiles(t.filesDir).filter((f) => f.startsWith("originals/"))).toHaveLength(1);
    expectNoTempFiles();
  });

  it.each([0.1, 0.3, 0.5, 0.9])(
    "rejects a TIFF laid out directory first and cut to %s of its bytes, saying which strip is missing",
    async (fraction) => {
      const full = ifdFirstTiff({ width: 64, height: 48, stripRows: 8 });
      const cut = full.subarray(0, Math.floor(full.length * fraction));
      const results = await uploadOk(t.app, projectId, [
        { name: "cut.tif", data: cut },
        { name: "whole.tif", data: full },
      ]);
      expect(results[0]).toMatchObject({ fileName: "cut.tif", status: "rejected", code: "VALIDATION_ERROR" });
      expect(results[0]?.status === "rejected" && results[0].reason).toMatch(
        new RegExp(
          `^truncated TIFF: strip \\d+ of 6 ends at byte [\\d,]+, but the file has ${cut.length.toLocaleString("en-US")} bytes$`,
        ),
      );
      expect(results[1]?.status).toBe("created");
      expectNoTempFiles();
    },
  );

  it("rejects a truncated BMP and an empty file", async () => {
    const results = await uploadOk(t.app, projectId, [
      { name: "cut.bmp", data: bmp24(30, 30).subarray(0, 500) },
      { name: "empty.png", data: Buffer.alloc(0) },
    ]);
    expect(results[0]).toMatchObject({
      status: "rejected",
      code: "VALIDATION_ERROR",
      reason: "BMP pixel data is truncated",
    });
    expect(results[1]).toMatchObject({
      status: "rejected",
      code: "VALIDATION_ERROR",
      reason: "file is empty",
    });
  });

  it("rejects files in another field but keeps the ones in `files`", async () => {
    const res = await request(t.app)
      .post(`/api/v1/projects/${projectId}/images`)
      .attach("file", await png({ seed: 1 }), "wrong-field.png")
      .attach("files", await png({ seed: 2 }), "right.png");
    expect(res.status).toBe(200);
    expect(res.body.results).toMatchObject([
      { fileName: "wrong-field.png", status: "rejected", code: "VALIDATION_ERROR" },
      { fileName: "right.png", status: "created" },
    ]);
  });

  it("keeps only the base name of a path-like file name", async () => {
    const [r] = await uploadOk(t.app, projectId, [{ name: "../../etc/cam1/frame.png", data: await png() }]);
    expect(r?.fileName).toBe("frame.png");
  });
});

describe("upload: duplicates", () => {
  beforeEach(() => setup());

  it("answers duplicate with the existing image for the same bytes, in a later or the same request", async () => {
    const bytes = await jpeg({ seed: 7 });
    const [first] = await uploadOk(t.app, projectId, [{ name: "a.jpg", data: bytes }]);
    if (first?.status !== "created") throw new Error("not created");
    const again = await uploadOk(t.app, projectId, [
      { name: "a-copy.jpg", data: bytes },
      { name: "b.jpg", data: await jpeg({ seed: 8 }) },
      { name: "b-copy.jpg", data: await jpeg({ seed: 8 }) },
    ]);
    expect(again.map((r) => r.status)).toEqual(["duplicate", "created", "duplicate"]);
    expect(again[0]).toMatchObject({
      fileName: "a-copy.jpg",
      image: { id: first.image.id, fileName: "a.jpg" },
    });
    const b = again[1]?.status === "created" ? again[1].image : null;
    expect(again[2]).toMatchObject({ image: { id: b?.id } });
    const list = await request(t.app).get(`/api/v1/projects/${projectId}/images`);
    expect(list.body.counts.total).toBe(2);
    expectNoTempFiles();
  });

  it("the same bytes in another project are a new image sharing one stored file", async () => {
    const bytes = await png({ seed: 3 });
    const other = await createProject(t.app, "other");
    const [a] = await uploadOk(t.app, projectId, [{ name: "x.png", data: bytes }]);
    const [b] = await uploadOk(t.app, other.id, [{ name: "x.png", data: bytes }]);
    expect(a?.status).toBe("created");
    expect(b?.status).toBe("created");
    expect(listFiles(t.filesDir).filter((f) => f.startsWith("originals/"))).toHaveLength(1);
  });
});

describe("upload: limits", () => {
  it("rejects a file over the per-file size limit, keeps the small ones, and leaves no temp file", async () => {
    await setup({ maxFileBytes: 4096 });
    const big = await png({ width: 200, height: 200 });
    const noisy = await noise(128, 128).png().toBuffer();
    expect(noisy.length).toBeGreaterThan(4096);
    const results = await uploadOk(t.app, projectId, [
      { name: "small.png", data: big },
      { name: "huge.png", data: noisy },
      { name: "small2.jpg", data: await jpeg({ seed: 5 }) },
    ]);
    expect(results.map((r) => r.status)).toEqual(["created", "rejected", "created"]);
    expect(results[1]).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    expect(results[1]?.status === "rejected" && results[1].reason).toMatch(/exceeds/);
    expectNoTempFiles();
  });

  it("rejects a file name longer than MAX_PATH_SEGMENT_BYTES and keeps the other files", async () => {
    await setup();
    const long = `${"n".repeat(MAX_PATH_SEGMENT_BYTES - 4)}.png`;
    const results = await uploadOk(t.app, projectId, [
      { name: `x${long}`, data: await png({ seed: 1 }) },
      { name: long, data: await png({ seed: 2 }) },
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "created"]);
    expect(results[0]).toMatchObject({
      code: "VALIDATION_ERROR",
      reason: `file name has the name of ${MAX_PATH_SEGMENT_BYTES + 1} bytes (UTF-8); at most ${MAX_PATH_SEGMENT_BYTES} per segment are allowed`,
    });
    expectNoTempFiles();
  });

  it("refuses a decompression bomb from its header with PAYLOAD_TOO_LARGE", async () => {
    await setup({ maxPixels: 1_000_000 });
    const bomb = await bombPng(4000, 4000);
    expect(bomb.length).toBeLessThan(100_000);
    const results = await uploadOk(t.app, projectId, [
      { name: "bomb.png", data: bomb },
      { name: "ok.png", data: await png({ width: 1000, height: 1000 }) },
    ]);
    expect(results[0]).toMatchObject({ status: "rejected", code: "PAYLOAD_TOO_LARGE" });
    expect(results[0]?.status === "rejected" && results[0].reason).toBe(
      "image is 4000x4000 (16.0 MP); the limit is 1.0 MP",
    );
    expect(results[1]?.status).toBe("created");
  });

  it("checks a BMP's pixel limit from its header, before decoding a byte of pixels", async () => {
    await setup({ maxPixels: 1_000_000 });
    // A header promising 20000x20000 in front of 100x100 worth of pixels: the limit answers first.
    const bomb = bmp24(100, 100);
    bomb.writeInt32LE(20_000, 18);
    bomb.writeInt32LE(20_000, 22);
    const [r] = await uploadOk(t.app, projectId, [{ name: "bomb.bmp", data: bomb }]);
    expect(r).toMatchObject({ status: "rejected", code: "PAYLOAD_TOO_LARGE" });
    expect(r?.status === "rejected" && r.reason).toBe("image is 20000x20000 (400.0 MP); the limit is 1.0 MP");
  });

  it("applies the pixel limit to BMPs and to rotated dimensions", async () => {
    await setup({ maxPixels: 2_000 });
    const results = await uploadOk(t.app, projectId, [
      { name: "big.bmp", data: bmp24(50, 50) },
      { name: "small.bmp", data: bmp24(40, 40, () => [1, 2, 3]) },
    ]);
    expect(results.map((r) => r.status === "rejected" && r.code)).toEqual(["PAYLOAD_TOO_LARGE", false]);
  });
});

describe("upload: malformed requests", () => {
  beforeEach(() => setup());

  it("answers 400 when the multipart body holds no files", async () => {
    const res = await request(t.app).post(`/api/v1/projects/${projectId}/images`).field("note", "hello");
    const err = expectError(res, 400, "VALIDATION_ERROR");
    expect(issuePaths(err.details)).toEqual(["body.files"]);
  });

  it("answers 415 when the body is not multipart", async () => {
    const res = await request(t.app)
      .post(`/api/v1/projects/${projectId}/images`)
      .send({ files: ["a.jpg"] });
    expectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers 400 for a multipart body cut short", async () => {
    const res = await request(t.app)
      .post(`/api/v1/projects/${projectId}/images`)
      .set("Content-Type", "multipart/form-data; boundary=XYZ")
      .send(
        '--XYZ\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nabc',
      );
    expectError(res, 400, "VALIDATION_ERROR");
    expectNoTempFiles();
  });

  it("answers 404 for an unknown project", async () => {
    const res = await upload(t.app, 999, [{ name: "a.png", data: await png() }]);
    expectError(res, 404, "NOT_FOUND");
  });
});

const exifDir = sharedFixtureDir("exif-orientation-examples");
describe.skipIf(!exifDir)(
  `upload: real EXIF orientation examples (skipped: ${SHARED_FIXTURES}/exif-orientation-examples not found)`,
  () => {
    beforeEach(() => setup());

    it("reports every orientation of the same photo as 1800x1200, with matching upright thumbnails", async () => {
      const names = fs
        .readdirSync(exifDir!)
        .filter((f) => f.endsWith(".jpg"))
        .sort();
      expect(names.length).toBeGreaterThanOrEqual(4);
      const results = await uploadOk(
        t.app,
        projectId,
        names.map((name) => ({ name, data: fs.readFileSync(path.join(exifDir!, name)) })),
      );
      const thumbs: Buffer[] = [];
      for (const r of results) {
        if (r.status !== "created") throw new Error(JSON.stringify(r));
        expect([r.fileName, r.image.width, r.image.height]).toEqual([r.fileName, 1800, 1200]);
        const res = await request(t.app).get(`/api/v1/images/${r.image.id}/thumbnail`).buffer(true);
        const { data, info } = await sharp(res.body as Buffer)
          .removeAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        expect([info.width, info.height]).toEqual([256, 171]);
        thumbs.push(data);
      }
      // Upright thumbnails of the same photo differ only by compression noise.
      const [reference, ...others] = thumbs;
      for (const other of others) {
        let diff = 0;
        for (let i = 0; i < reference!.length; i++) diff += Math.abs(reference![i]! - other[i]!);
        expect(diff / reference!.length).toBeLessThan(12);
      }
    });
  },
);

describe("upload: more files than one request takes", () => {
  it("answers every file: those past the limit get their own 'too many files' result", async () => {
    await setup({ maxFilesPerUpload: 3 });
    const results = await uploadOk(t.app, projectId, [
      { name: "a.jpg", data: await jpeg({ width: 16, height: 16, seed: 1 }) },
      { name: "b.txt", data: textFile() },
      { name: "c.jpg", data: await jpeg({ width: 16, height: 16, seed: 3 }) },
      { name: "d.jpg", data: await jpeg({ width: 16, height: 16, seed: 4 }) },
      { name: "e.jpg", data: Buffer.alloc(0) },
    ]);
    expect(results.map((r) => [r.fileName, r.status])).toEqual([
      ["a.jpg", "created"],
      ["b.txt", "rejected"],
      ["c.jpg", "created"],
      ["d.jpg", "rejected"],
      ["e.jpg", "rejected"],
    ]);
    for (const r of results.slice(3)) {
      expect(r).toMatchObject({ status: "rejected", code: "PAYLOAD_TOO_LARGE" });
      if (r.status === "rejected")
        expect(r.reason).toBe(
          "too many files: at most 3 files per request are stored; this one was not, send it again in another request",
        );
    }
    // Nothing of the refused files was stored.
    expect(listFiles(path.join(t.filesDir, "originals"))).toHaveLength(2);
    expectNoTempFiles();
  });

  it("the default limit is 10,000 files per request", () => {
    expect(loadConfig({}).maxFilesPerUpload).toBe(10_000);
  });
});
