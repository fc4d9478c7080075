import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { originalKey, thumbnailKey } from "../../storage/keys.js";
import { createProject, expectError, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { bmp24, gif, jpeg, png, rotatedJpeg, tiff, webp } from "../../test-support/images.js";
import { parseRange } from "./serve.js";

let t: TestApp;
let projectId: number;
beforeEach(async () => {
  t = await makeTestApp();
  projectId = (await createProject(t.app)).id;
});
afterEach(() => t.cleanup());

/** supertest parses only some image types into Buffers; this always gives the raw bytes. */
const getBytes = (url: string, headers: Record<string, string> = {}) =>
  request(t.app)
    .get(url)
    .set(headers)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done(null, Buffer.concat(chunks)));
    });

describe("GET /images/:id/file", () => {
  it.each([
    ["jpeg", "image/jpeg", () => jpeg()],
    ["png", "image/png", () => png()],
    ["webp", "image/webp", () => webp()],
    ["tiff", "image/tiff", () => tiff()],
    ["gif", "image/gif", () => gif()],
    ["bmp", "image/bmp", async () => bmp24(8, 8)],
  ])(
    "serves the original %s bytes with %s, a strong ETag and private immutable caching",
    async (_f, type, make) => {
      const data = await make();
      const img = await uploadImage(t.app, projectId, { name: "x", data });
      const res = await getBytes(`/api/v1/images/${img.id}/file`);
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe(type);
      expect(res.headers.etag).toBe(`"${img.sha256}"`);
      expect(res.headers["cache-control"]).toBe("private, max-age=31536000, immutable");
      expect(res.headers["accept-ranges"]).toBe("bytes");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["content-length"]).toBe(String(data.length));
      expect((res.body as Buffer).equals(data)).toBe(true);
    },
  );

  it("answers 304 to a matching If-None-Match and 200 to a stale one", async () => {
    const img = await uploadImage(t.app, projectId, { name: "a.png", data: await png() });
    const hit = await getBytes(`/api/v1/images/${img.id}/file`, { "If-None-Match": `"${img.sha256}"` });
    expect(hit.status).toBe(304);
    expect((hit.body as Buffer).length).toBe(0);
    const miss = await getBytes(`/api/v1/images/${img.id}/file`, { "If-None-Match": '"something-else"' });
    expect(miss.status).toBe(200);
  });

  it("serves byte ranges with 206 and refuses unsatisfiable ones with 416", async () => {
    const data = await jpeg({ width: 64, height: 64 });
    const size = data.length;
    const img = await uploadImage(t.app, projectId, { name: "r.jpg", data });
    const url = `/api/v1/images/${img.id}/file`;

    const first = await getBytes(url, { Range: "bytes=0-9" });
    expect(first.status).toBe(206);
    expect(first.headers["content-range"]).toBe(`bytes 0-9/${size}`);
    expect(first.headers["content-length"]).toBe("10");
    expect((first.body as Buffer).equals(data.subarray(0, 10))).toBe(true);

    const open = await getBytes(url, { Range: "bytes=100-" });
    expect(open.headers["content-range"]).toBe(`bytes 100-${size - 1}/${size}`);
    expect((open.body as Buffer).equals(data.subarray(100))).toBe(true);

    const suffix = await getBytes(url, { Range: "bytes=-20" });
    expect(suffix.status).toBe(206);
    expect((suffix.body as Buffer).equals(data.subarray(size - 20))).toBe(true);

    const past = await getBytes(url, { Range: `bytes=${size - 5}-${size + 1000}` });
    expect(past.headers["content-range"]).toBe(`bytes ${size - 5}-${size - 1}/${size}`);
    expect((past.body as Buffer).length).toBe(5);

    const unsatisfiable = await getBytes(url, { Range: `bytes=${size}-` });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers["content-range"]).toBe(`bytes */${size}`);

    const junk = await getBytes(url, { Range: "pages=1-2" });
    expect(junk.status).toBe(200);
    expect((junk.body as Buffer).length).toBe(size);
  });

  it("answers HEAD with the headers and no body", async () => {
    const data = await png();
    const img = await uploadImage(t.app, projectId, { name: "h.png", data });
    const res = await request(t.app).head(`/api/v1/images/${img.id}/file`);
    expect(res.status).toBe(200);
    expect(res.headers["content-length"]).toBe(String(data.length));
    expect(res.headers["content-type"]).toBe("image/png");
  });

  it("answers 404 in the envelope when the stored file has gone missing", async () => {
    const img = await uploadImage(t.app, projectId, { name: "m.png", data: await png() });
    fs.rmSync(path.join(t.filesDir, originalKey(img.sha256)));
    const err = expectError(await request(t.app).get(`/api/v1/images/${img.id}/file`), 404, "NOT_FOUND");
    expect(err.message).toContain("missing from storage");
  });
});

describe("GET /images/:id/thumbnail", () => {
  it("serves a WebP of at most 256 px, upright, cached with its own ETag", async () => {
    const img = await uploadImage(t.app, projectId, {
      name: "p.jpg",
      data: await rotatedJpeg({ width: 600, height: 300 }),
    });
    expect([img.width, img.height]).toEqual([300, 600]);
    const res = await getBytes(`/api/v1/images/${img.id}/thumbnail`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("image/webp");
    expect(res.headers["cache-control"]).toContain("immutable");
    expect(res.headers.etag).toBe(`"${img.sha256}-t"`);
    const meta = await sharp(res.body as Buffer).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 128, 256]);
    const again = await getBytes(`/api/v1/images/${img.id}/thumbnail`, {
      "If-None-Match": res.headers.etag as string,
    });
    expect(again.status).toBe(304);
  });

  it("does not enlarge small images", async () => {
    const img = await uploadImage(t.app, projectId, {
      name: "s.png",
      data: await png({ width: 40, height: 20 }),
    });
    const res = await getBytes(`/api/v1/images/${img.id}/thumbnail`);
    const meta = await sharp(res.body as Buffer).metadata();
    expect([meta.width, meta.height]).toEqual([40, 20]);
  });

  it("is rendered once at upload and regenerated on disk when lost", async () => {
    for (const [name, data] of [
      ["r.jpg", await rotatedJpeg({ width: 300, height: 150 })],
      ["b.bmp", bmp24(300, 150)],
    ] as const) {
      const img = await uploadImage(t.app, projectId, { name, data });
      const file = path.join(t.filesDir, thumbnailKey(img.sha256));
      expect(fs.existsSync(file)).toBe(true);
      fs.rmSync(file);
      const res = await getBytes(`/api/v1/images/${img.id}/thumbnail`);
      expect(res.status).toBe(200);
      expect(fs.existsSync(file)).toBe(true);
      const meta = await sharp(res.body as Buffer).metadata();
      expect([meta.width, meta.height]).toEqual([
        img.width > img.height ? 256 : 128,
        img.width > img.height ? 128 : 256,
      ]);
    }
  });
});

describe("parseRange", () => {
  it.each([
    [undefined, 100, null],
    ["bytes=0-0", 100, { start: 0, end: 0 }],
    ["bytes=10-19", 100, { start: 10, end: 19 }],
    ["bytes=90-", 100, { start: 90, end: 99 }],
    ["bytes=-10", 100, { start: 90, end: 99 }],
    ["bytes=-500", 100, { start: 0, end: 99 }],
    ["bytes=50-500", 100, { start: 50, end: 99 }],
    ["bytes=100-", 100, "invalid"],
    ["bytes=20-10", 100, "invalid"],
    ["bytes=-0", 100, "invalid"],
    ["bytes=0-1,5-6", 100, null],
    ["bytes=-", 100, null],
    ["items=0-5", 100, null],
  ] as const)("%s of %d bytes -> %j", (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});
