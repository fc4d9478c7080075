import sharp from "sharp";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createProject, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { jpeg, tiff } from "../../test-support/images.js";

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
    t = makeTestApp();
    const p = await createProject(t.app);
    const data = await jpeg({ width: 40, height: 30 });
    const img = await uploadImage(t.app, p.id, { name: "a.jpg", data });
    const res = await binary(request(t.app).get(`/api/v1/images/${img.id}/display`));
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("image/jpeg");
    expect(bytes(res).equals(data)).toBe(true);
  });

  it("turns a TIFF into a lossless, cached PNG with the displayed dimensions", async () => {
    t = makeTestApp();
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
    t = makeTestApp();
    const res = await request(t.app).get("/api/v1/images/999/display");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
  });
});
