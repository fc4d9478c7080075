import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import { tileCount, tilePyramid } from "@labelbench/geometry";
import { Image as ImageSchema } from "@labelbench/schema";
import sharp from "sharp";
import request from "supertest";
import { afterEach, describe, expect, it, vi } from "vitest";
import yauzl from "yauzl";
import type { Config } from "../config.js";
import { WORK_DIR_PREFIX } from "../modules/tiles/generate.js";
import { createProject, uploadImage } from "../test-support/api.js";
import { noise, tiff } from "../test-support/images.js";
import { makeS3TestApp, S3_HINT, testS3 } from "../test-support/s3.js";
import { displayKey, manifestKey, originalKey, previewKey, thumbnailKey, tileKey } from "./keys.js";

/**
 * The image and tile modules over an S3 bucket (S3Storage.localPath is null): originals and every
 * derived file go to the bucket and come back from it, sharp works on temporary local copies, and
 * nothing is left in the local temp folder. The database stays SQLite.
 */
const s3 = testS3();
if (!s3) console.info(`image and tile suites over S3 skipped: ${S3_HINT}`);
const describeS3 = describe.skipIf(!s3);
const title = (name: string) => (s3 ? name : `${name} (skipped: ${S3_HINT})`);

type App = Awaited<ReturnType<typeof makeS3TestApp>>;
const apps: App[] = [];
const open = async (overrides: Partial<Config> = {}) => {
  if (!s3) throw new Error(S3_HINT);
  const t = await makeS3TestApp(s3, overrides);
  apps.push(t);
  return t;
};
afterEach(async () => {
  for (const t of apps.splice(0)) await t.cleanup();
});

const binary = (r: request.Test) =>
  r.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => cb(null, Buffer.concat(chunks)));
  });
const body = (res: request.Response) => res.body as Buffer;
/** Files (not the empty working folders) left in the local temp folder. */
const tempLeft = (t: App) =>
  (fs.readdirSync(t.storage.tempDir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => !e.isDirectory())
    .map((e) => e.name);

const unzip = (zip: Buffer): Promise<Map<string, Buffer>> =>
  new Promise((resolve, reject) => {
    const out = new Map<string, Buffer>();
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, z) => {
      if (err || !z) return reject(err ?? new Error("no zip"));
      z.on("entry", (e: yauzl.Entry) => {
        z.openReadStream(e, (e2, s) => {
          if (e2 || !s) return reject(e2 ?? new Error("no stream"));
          const parts: Buffer[] = [];
          s.on("data", (c: Buffer) => parts.push(c));
          s.on("end", () => {
            out.set(e.fileName, Buffer.concat(parts));
            z.readEntry();
          });
        });
      });
      z.on("end", () => resolve(out));
      z.on("error", reject);
      z.readEntry();
    });
  });

describeS3(title("images over S3Storage"), () => {
  it("upload stores the original and thumbnail in the bucket; /file answers whole and by Range; a lost thumbnail is made again", async () => {
    const t = await open();
    const p = await createProject(t.app);
    const data = await noise(300, 200).jpeg({ quality: 90 }).toBuffer();
    const img = await uploadImage(t.app, p.id, { name: "a.jpg", data });
    expect(await t.bucket.keys()).toEqual([originalKey(img.sha256), thumbnailKey(img.sha256)].sort());

    const whole = await binary(request(t.app).get(`/api/v1/images/${img.id}/file`));
    expect(whole.status).toBe(200);
    expect(body(whole).equals(data)).toBe(true);
    const part = await binary(
      request(t.app).get(`/api/v1/images/${img.id}/file`).set("Range", "bytes=100-1099"),
    );
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 100-1099/${data.length}`);
    expect(body(part).equals(data.subarray(100, 1100))).toBe(true);
    const tail = await binary(request(t.app).get(`/api/v1/images/${img.id}/file`).set("Range", "bytes=-10"));
    expect(body(tail).equals(data.subarray(data.length - 10))).toBe(true);

    const thumb = await binary(request(t.app).get(`/api/v1/images/${img.id}/thumbnail`));
    expect(thumb.status).toBe(200);
    expect(await sharp(body(thumb)).metadata()).toMatchObject({ format: "webp", width: 256, height: 171 });
    await t.storage.delete(thumbnailKey(img.sha256));
    const again = await binary(request(t.app).get(`/api/v1/images/${img.id}/thumbnail`));
    expect(again.status).toBe(200);
    expect(await sharp(body(again)).metadata()).toMatchObject({ format: "webp", width: 256 });
    expect(await t.storage.stat(thumbnailKey(img.sha256))).not.toBeNull();
    expect(tempLeft(t)).toEqual([]);

    await request(t.app).delete(`/api/v1/images/${img.id}`).expect(204);
    await t.app.tiles.idle();
    expect(await t.bucket.keys()).toEqual([]);
  });

  it("a client hanging up mid-download frees the object's S3 connection (the source stream is destroyed)", async () => {
    const t = await open();
    const p = await createProject(t.app);
    // Bigger than loopback's socket buffers, so the download cannot finish before the hang-up.
    const data = await noise(2000, 2000).png({ compressionLevel: 0 }).toBuffer();
    const img = await uploadImage(t.app, p.id, { name: "big.png", data });
    const sources: Readable[] = [];
    const stream = t.storage.stream.bind(t.storage);
    vi.spyOn(t.storage, "stream").mockImplementation((key, range) => {
      const s = stream(key, range);
      sources.push(s);
      return s;
    });
    const server = http.createServer(t.app).listen(0, "127.0.0.1");
    try {
      await new Promise((r) => server.once("listening", r));
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`http://127.0.0.1:${port}/api/v1/images/${img.id}/file`, (res) => {
          res.once("data", () => {
            req.destroy();
            resolve();
          });
        });
        req.on("error", (err) => (req.destroyed ? undefined : reject(err)));
      });
      for (let i = 0; i < 100 && !sources[0]?.destroyed; i++) await new Promise((r) => setTimeout(r, 30));
      expect(sources).toHaveLength(1);
      expect(sources[0]?.destroyed).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("/display of a TIFF is a lossless PNG made from a temporary copy and cached in the bucket", async () => {
    const t = await open();
    const p = await createProject(t.app);
    const data = await tiff({ width: 40, height: 30 });
    const img = await uploadImage(t.app, p.id, { name: "scan.tiff", data });
    const res = await binary(request(t.app).get(`/api/v1/images/${img.id}/display`));
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    const [a, b] = await Promise.all([
      sharp(data).raw().toBuffer(),
      sharp(body(res)).removeAlpha().raw().toBuffer(),
    ]);
    expect(b.equals(a)).toBe(true);
    expect(await t.bucket.keys()).toContain(displayKey(img.sha256));
    const cached = await binary(request(t.app).get(`/api/v1/images/${img.id}/display`));
    expect(body(cached).equals(body(res))).toBe(true);
    expect(tempLeft(t)).toEqual([]);
  });

  it("exports a COCO zip holding the original's bytes read from the bucket, which imports into another bucket", async () => {
    const t = await open();
    const p = await createProject(t.app);
    const data = await noise(64, 48).png().toBuffer();
    const img = await uploadImage(t.app, p.id, { name: "shot.png", data });
    const res = await binary(request(t.app).get(`/api/v1/projects/${p.id}/export?format=coco`));
    expect(res.status).toBe(200);
    const files = await unzip(body(res));
    const images = [...files].filter(([, bytes]) => bytes.equals(data)).map(([name]) => name);
    expect(images).toHaveLength(1);
    const coco = [...files].find(([name]) => name.endsWith(".json") && name.startsWith("annotations/"));
    expect(JSON.parse(coco?.[1].toString("utf8") ?? "{}").images).toMatchObject([
      { width: img.width, height: img.height },
    ]);

    // Imported into another installation's bucket: ingested like an upload, served from there.
    const other = await open();
    const q = await createProject(other.app);
    const imported = await request(other.app)
      .post(`/api/v1/projects/${q.id}/import`)
      .set("Content-Type", "application/zip")
      .send(body(res));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.images).toMatchObject({ total: 1, created: 1 });
    expect(await other.bucket.keys()).toEqual([originalKey(img.sha256), thumbnailKey(img.sha256)].sort());
    const list = await request(other.app).get(`/api/v1/projects/${q.id}/images`);
    const copy = ImageSchema.parse(list.body.items[0]);
    const file = await binary(request(other.app).get(`/api/v1/images/${copy.id}/file`));
    expect(body(file).equals(data)).toBe(true);
    expect(tempLeft(other)).toEqual([]);
  });
});

describeS3(title("tiles over S3Storage"), () => {
  it("generates the pyramid into the bucket, serves tiles and the preview from it, and deletes it with the image", async () => {
    const t = await open({ tileThresholdPixels: 1_000_000 });
    const p = await createProject(t.app);
    const data = await noise(1500, 1000).jpeg({ quality: 80 }).toBuffer();
    const img = await uploadImage(t.app, p.id, { name: "big.jpg", data });
    await t.app.tiles.idle();
    const ready = ImageSchema.parse((await request(t.app).get(`/api/v1/images/${img.id}`)).body);
    expect(ready.tiles).toEqual({ state: "ready", progress: 1, tileSize: 512, levels: 3 });

    const pyramid = tilePyramid({ width: 1500, height: 1000 }, 512);
    const keys = await t.bucket.keys();
    const tiles = keys.filter((k) => k.startsWith("tiles/"));
    expect(tiles).toHaveLength(tileCount(pyramid) + 2);
    expect(tiles).toContain(manifestKey(img.sha256));
    expect(tiles).toContain(previewKey(img.sha256, "jpeg"));
    expect(tiles).toContain(tileKey(img.sha256, "jpeg", { level: 0, x: 2, y: 1 }));
    expect(tempLeft(t).filter((n) => n.startsWith(WORK_DIR_PREFIX))).toEqual([]);

    // Edge tile cut at the image edge: 1500 - 2*512 = 476, 1000 - 512 = 488.
    const corner = await binary(request(t.app).get(`/api/v1/images/${img.id}/tiles/0/2/1`));
    expect(corner.status).toBe(200);
    expect(corner.headers["content-type"]).toBe("image/jpeg");
    expect(await sharp(body(corner)).metadata()).toMatchObject({ width: 476, height: 488 });
    const coarse = await binary(request(t.app).get(`/api/v1/images/${img.id}/tiles/2/0/0`));
    expect(await sharp(body(coarse)).metadata()).toMatchObject({ width: 375, height: 250 });
    const preview = await binary(request(t.app).get(`/api/v1/images/${img.id}/preview`));
    expect(preview.status).toBe(200);
    expect(await sharp(body(preview)).metadata()).toMatchObject({ width: 1500, height: 1000 });

    await request(t.app).delete(`/api/v1/images/${img.id}`).expect(204);
    await t.app.tiles.idle();
    expect(await t.bucket.keys()).toEqual([]);
  });
});
