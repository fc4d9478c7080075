import fs from "node:fs";
import sharp from "sharp";
import request from "supertest";
import { afterEach, describe, expect, it, vi } from "vitest";
import { displayKey, originalKey, thumbnailKey } from "../../storage/keys.js";
import { createProject, expectError, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { bmp24, ifdFirstTiff, jpeg, tiff } from "../../test-support/images.js";

let t: TestApp;
afterEach(async () => {
  await t?.cleanup();
});

const bytes = (res: request.Response) => res.body as Buffer;
const binary = (r: request.Test) =>
  r.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => cb(null, Buffer.concat(chunks)));
  });

describe("GET /images/:id/display", () => {
  it("answers the original bytes for formats browsers draw", async () => {
    t = await makeTestApp();
    const p = await createProject(t.app);
    const data = await jpeg({ width: 40, height: 30 });
    const img = await uploadImage(t.app, p.id, { name: "a.jpg", data });
    const res = await binary(request(t.app).get(`/api/v1/images/${img.id}/display`));
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("image/jpeg");
    expect(bytes(res).equals(data)).toBe(true);
  });

  it("turns a TIFF into a lossless, cached PNG with the displayed dimensions", async () => {
    t = await makeTestApp();
    const p = await createProject(t.app);
    const data = await tiff({ width: 40, height: 30 });
    const img = await uploadImage(t.app, p.id, { name: "scan.tiff", data });
    const res = await binary(request(t.app).get(`/api/v1/images/${img.id}/display`));
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    expect(res.headers.etag).toBe(`"${img.sha256}-d"`);
    const meta = await sharp(bytes(res)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", img.width, img.height]);
    // Lossless: the same pixels as the TIFF.
    const [a, b] = await Promise.all([
      sharp(data).raw().toBuffer(),
      sharp(bytes(res)).removeAlpha().raw().toBuffer(),
    ]);
    expect(b.equals(a)).toBe(true);
    const again = await request(t.app)
      .get(`/api/v1/images/${img.id}/display`)
      .set("If-None-Match", `"${img.sha256}-d"`);
    expect(again.status).toBe(304);
  });

  it("answers 404 in the envelope for an unknown image", async () => {
    t = await makeTestApp();
    const res = await request(t.app).get("/api/v1/images/999/display");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
  });
});

describe("renditions of stored files", () => {
  it("concurrent first views share one job; later views stream the cached file", async () => {
    t = await makeTestApp();
    const p = await createProject(t.app);
    const img = await uploadImage(t.app, p.id, {
      name: "scan.tif",
      data: await tiff({ width: 300, height: 200 }),
    });
    const puts = vi.spyOn(t.storage, "putFile");
    const views = await Promise.all(
      Array.from({ length: 4 }, () => binary(request(t.app).get(`/api/v1/images/${img.id}/display`))),
    );
    expect(views.map((v) => v.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(views.map((v) => bytes(v).toString("base64"))).size).toBe(1);
    expect(puts.mock.calls.filter(([key]) => key === displayKey(img.sha256))).toHaveLength(1);
    expect(fs.existsSync(t.storage.localPath(displayKey(img.sha256)))).toBe(true);
    expect((await request(t.app).get(`/api/v1/images/${img.id}/display`)).status).toBe(200);
    expect(puts).toHaveBeenCalledTimes(1);
  });

  it("a stored TIFF that is truncated answers 422 IMAGE_UNREADABLE on /display and /thumbnail, not 500", async () => {
    t = await makeTestApp();
    const p = await createProject(t.app);
    const full = ifdFirstTiff({ width: 64, height: 48 });
    const img = await uploadImage(t.app, p.id, { name: "scan.tif", data: full });
    // As if stored before uploads checked the strips: the original is cut, the thumbnail lost.
    fs.writeFileSync(t.storage.localPath(originalKey(img.sha256)), full.subarray(0, full.length / 3));
    fs.rmSync(t.storage.localPath(thumbnailKey(img.sha256)));
    for (const what of ["display", "thumbnail"]) {
      const err = expectError(
        await request(t.app).get(`/api/v1/images/${img.id}/${what}`),
        422,
        "IMAGE_UNREADABLE",
      );
      expect(err.message).toMatch(
        new RegExp(
          `^the stored file of image ${img.id} cannot be decoded \\(truncated TIFF: strip \\d+ of 6 ends at byte`,
        ),
      );
    }
    expect(fs.readdirSync(t.storage.tempDir)).toEqual([]);
  });

  it("a missing original answers 404 on /display and /thumbnail, not 500", async () => {
    t = await makeTestApp();
    const p = await createProject(t.app);
    const img = await uploadImage(t.app, p.id, {
      name: "scan.tif",
      data: await tiff({ width: 30, height: 20 }),
    });
    fs.rmSync(t.storage.localPath(originalKey(img.sha256)));
    fs.rmSync(t.storage.localPath(thumbnailKey(img.sha256)));
    for (const what of ["display", "thumbnail"]) {
      const err = expectError(await request(t.app).get(`/api/v1/images/${img.id}/${what}`), 404, "NOT_FOUND");
      expect(err.message).toBe(`the file of image ${img.id} is missing from storage`);
    }
  });

  it("a lost BMP thumbnail is made again (decoded off the main thread)", async () => {
    t = await makeTestApp();
    const p = await createProject(t.app);
    const img = await uploadImage(t.app, p.id, { name: "a.bmp", data: bmp24(50, 40) });
    fs.rmSync(t.storage.localPath(thumbnailKey(img.sha256)));
    const res = await binary(request(t.app).get(`/api/v1/images/${img.id}/thumbnail`));
    expect(res.status).toBe(200);
    const meta = await sharp(bytes(res)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 50, 40]);
  });
});
