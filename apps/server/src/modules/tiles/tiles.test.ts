import fs from "node:fs";
import path from "node:path";
import { tileCount, tilePyramid } from "@labelbench/geometry";
import { type Image, Image as ImageSchema } from "@labelbench/schema";
import sharp from "sharp";
import request from "supertest";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LabelbenchApp } from "../../app.js";
import { type Config, loadConfig } from "../../config.js";
import { manifestKey, originalKey, tilesPrefix } from "../../storage/keys.js";
import type { LocalStorage } from "../../storage/local-storage.js";
import { createProject, expectError, uploadImage, uploadOk } from "../../test-support/api.js";
import { insertUserWithToken, listFiles, makeTestApp } from "../../test-support/app.js";
import { bmp24, ifdFirstTiff, png } from "../../test-support/images.js";
import { generatePyramid, WORK_DIR_PREFIX } from "./generate.js";
import { readManifest } from "./store.js";

/**
 * A real app over a real database (the suite's backend) and file store; `reopen` builds another app
 * on the same database and files, the way a restarted server finds them.
 */
interface World {
  dir: string;
  storage: LocalStorage;
  config: Config;
  app: LabelbenchApp;
  filesDir: string;
  reopen(): Promise<LabelbenchApp>;
}
const cleanups: (() => Promise<void>)[] = [];
const makeWorld = async (overrides: Partial<Config> = {}): Promise<World> => {
  const first = await makeTestApp(overrides);
  cleanups.push(first.cleanup);
  const w: World = {
    dir: first.dir,
    storage: first.storage,
    config: first.config,
    filesDir: first.filesDir,
    app: first.app,
    // A sibling is closed by the first app's cleanup, before the database goes.
    reopen: async () => {
      w.app = await first.sibling();
      return w.app;
    },
  };
  return w;
};
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const tileFiles = (w: World) => listFiles(w.filesDir).filter((f) => f.startsWith("tiles/"));
const getImage = async (w: World, id: number): Promise<Image> => {
  const res = await request(w.app).get(`/api/v1/images/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ImageSchema.parse(res.body);
};
const tileUrl = (id: number, level: number, x: number, y: number) =>
  `/api/v1/images/${id}/tiles/${level}/${x}/${y}`;
const binary = (r: request.Test) =>
  r.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => cb(null, Buffer.concat(chunks)));
  });
/** Colour of one pixel of an encoded image. */
const pixel = async (bytes: Buffer, x: number, y: number) => {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i], data[i + 1], data[i + 2]] as [number, number, number];
};
const isRed = ([r, g, b]: number[]) => (r ?? 0) > 200 && (g ?? 255) < 60 && (b ?? 255) < 60;
const isBlue = ([r, g, b]: number[]) => (r ?? 255) < 60 && (g ?? 255) < 60 && (b ?? 0) > 200;

/**
 * 35 MP stored as 5000 x 7000, left half red and right half blue, with EXIF orientation 6 (turn
 * 90 degrees clockwise to display): displayed it is 7000 x 5000, red on top, blue below.
 */
let bigJpeg: Buffer;
beforeAll(async () => {
  const blue = await sharp({ create: { width: 2500, height: 7000, channels: 3, background: "#0000ff" } })
    .png()
    .toBuffer();
  bigJpeg = await sharp({ create: { width: 5000, height: 7000, channels: 3, background: "#ff0000" } })
    .composite([{ input: blue, left: 2500, top: 0 }])
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
});

/** A photo-like noisy image of `width` x `height`, distinct per seed. */
const noisyJpeg = (width: number, height: number, seed = 1) =>
  sharp({
    create: {
      width,
      height,
      channels: 3,
      background: "#000",
      noise: { type: "gaussian", mean: 100 + seed, sigma: 40 },
    },
  })
    .jpeg({ quality: 80 })
    .toBuffer();

describe("tile pyramid of a 35 MP JPEG", () => {
  it("goes pending -> ready with rising progress, in displayed orientation, with every tile in storage", async () => {
    const w = await makeWorld();
    const project = await createProject(w.app);
    const uploaded = await uploadImage(w.app, project.id, { name: "big.jpg", data: bigJpeg });
    expect(uploaded).toMatchObject({ width: 7000, height: 5000 });
    expect(uploaded.tiles).toEqual({ state: "pending", progress: 0, tileSize: null, levels: null });

    const seen: Image["tiles"][] = [];
    let done = false;
    const watching = (async () => {
      while (!done) {
        seen.push((await getImage(w, uploaded.id)).tiles);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await w.app.tiles.idle();
    done = true;
    await watching;
    const ready = await getImage(w, uploaded.id);
    expect(ready.tiles).toEqual({ state: "ready", progress: 1, tileSize: 512, levels: 5 });
    for (const s of seen) {
      expect(s.state === "pending" || s.state === "ready").toBe(true);
      if (s.state === "pending") expect(s.progress).toBeLessThan(1);
    }
    const progress = seen.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const p = tilePyramid({ width: 7000, height: 5000 }, 512);
    const sha = uploaded.sha256;
    const files = tileFiles(w);
    expect(files).toHaveLength(tileCount(p) + 2);
    expect(files).toContain(`${tilesPrefix(sha)}/pyramid.json`);
    expect(files).toContain(`${tilesPrefix(sha)}/preview.jpg`);
    expect(files).toContain(`${tilesPrefix(sha)}/0/13_9.jpg`);
    expect(files).toContain(`${tilesPrefix(sha)}/4/0_0.jpg`);
    // No work dir left behind.
    expect(fs.readdirSync(w.storage.tempDir).filter((n) => n.startsWith(WORK_DIR_PREFIX))).toEqual([]);

    // The coarsest tile is the whole image at 438 x 313: red on top, blue below (orientation applied).
    const top = await binary(request(w.app).get(tileUrl(uploaded.id, 4, 0, 0)));
    expect(top.status).toBe(200);
    expect(top.headers["content-type"]).toBe("image/jpeg");
    const coarse = top.body as Buffer;
    expect(await sharp(coarse).metadata()).toMatchObject({ width: 438, height: 313 });
    expect(isRed(await pixel(coarse, 219, 20))).toBe(true);
    expect(isBlue(await pixel(coarse, 219, 290))).toBe(true);

    // A full-resolution edge tile is cut at the image edge: 7000 - 13*512 = 344, 5000 - 9*512 = 392.
    const corner = await binary(request(w.app).get(tileUrl(uploaded.id, 0, 13, 9)));
    expect(corner.status).toBe(200);
    expect(await sharp(corner.body as Buffer).metadata()).toMatchObject({ width: 344, height: 392 });
    expect(isBlue(await pixel(corner.body as Buffer, 100, 100))).toBe(true);

    // The preview is the finest level within 2048 px: level 2, 1750 x 1250.
    const preview = await binary(request(w.app).get(`/api/v1/images/${uploaded.id}/preview`));
    expect(preview.status).toBe(200);
    expect(preview.headers["content-type"]).toBe("image/jpeg");
    expect(await sharp(preview.body as Buffer).metadata()).toMatchObject({ width: 1750, height: 1250 });

    // The original stays the original bytes.
    const original = await binary(request(w.app).get(`/api/v1/images/${uploaded.id}/file`));
    expect(Buffer.compare(original.body as Buffer, bigJpeg)).toBe(0);
  });
});

describe("generatePyramid", () => {
  it("reports progress that only rises, through encoding and moving, and writes a complete manifest", async () => {
    const w = await makeWorld();
    const data = await noisyJpeg(3000, 2000);
    const sha = "ab".repeat(32);
    fs.mkdirSync(path.dirname(w.storage.localPath(originalKey(sha))), { recursive: true });
    fs.writeFileSync(w.storage.localPath(originalKey(sha)), data);
    const progress: number[] = [];
    const outcome = await generatePyramid(
      w,
      { sha256: sha, format: "jpeg", width: 3000, height: 2000 },
      { progress: (f) => progress.push(f), cancelled: () => false },
    );
    expect(outcome.kind).toBe("done");
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress[0]).toBeGreaterThanOrEqual(0);
    // 24 + 6 + 2 + 1 tiles: after encoding 0.9, then one report per 64 moved tiles (none here).
    expect(progress.at(-1)).toBeCloseTo(0.9, 6);
    expect(await readManifest(w.storage, sha)).toEqual({
      version: 1,
      width: 3000,
      height: 2000,
      tileSize: 512,
      levels: 4,
      format: "jpeg",
      complete: true,
    });
  });

  it("stops before touching storage when cancelled, leaving no work dir", async () => {
    const w = await makeWorld();
    const sha = "cd".repeat(32);
    fs.mkdirSync(path.dirname(w.storage.localPath(originalKey(sha))), { recursive: true });
    fs.writeFileSync(w.storage.localPath(originalKey(sha)), await noisyJpeg(1500, 1000));
    const outcome = await generatePyramid(
      w,
      { sha256: sha, format: "jpeg", width: 1500, height: 1000 },
      { progress: () => undefined, cancelled: () => true },
    );
    expect(outcome).toEqual({ kind: "cancelled" });
    expect(tileFiles(w)).toEqual([]);
    expect(fs.readdirSync(w.storage.tempDir)).toEqual([]);
  });
});

describe("serving tiles", () => {
  // Tile small images too, to keep these tests fast: 1.5 MP and up.
  const small = { tileThresholdPixels: 1_000_000 };

  const readyImage = async (w: World, data: Buffer, name = "img.jpg") => {
    const project = await createProject(w.app);
    const img = await uploadImage(w.app, project.id, { name, data });
    await w.app.tiles.idle();
    const ready = await getImage(w, img.id);
    expect(ready.tiles.state).toBe("ready");
    return ready;
  };

  it("serves with private immutable caching and a per-tile ETag, answers 304 to If-None-Match, and HEAD", async () => {
    const w = await makeWorld(small);
    const img = await readyImage(w, await noisyJpeg(1500, 1000));
    expect(img.tiles).toMatchObject({ tileSize: 512, levels: 3 });
    const a = await request(w.app).get(tileUrl(img.id, 0, 0, 0));
    expect(a.status).toBe(200);
    expect(a.headers["cache-control"]).toBe("private, max-age=31536000, immutable");
    expect(a.headers["content-type"]).toBe("image/jpeg");
    const etag = a.headers.etag;
    expect(etag).toMatch(/^".+"$/);
    const b = await request(w.app).get(tileUrl(img.id, 0, 1, 0));
    expect(b.headers.etag).not.toBe(etag);
    const again = await request(w.app)
      .get(tileUrl(img.id, 0, 0, 0))
      .set("If-None-Match", etag ?? "");
    expect(again.status).toBe(304);
    const head = await request(w.app).head(tileUrl(img.id, 2, 0, 0));
    expect(head.status).toBe(200);
    expect(Number(head.headers["content-length"])).toBeGreaterThan(0);
  });

  it("answers 404 outside the pyramid and 400 for indices that are not whole numbers", async () => {
    const w = await makeWorld(small);
    const img = await readyImage(w, await noisyJpeg(1500, 1000));
    // Levels: 1500x1000 (3x2 tiles), 750x500 (2x1), 375x250 (1x1).
    const outside = await request(w.app).get(tileUrl(img.id, 0, 3, 0));
    expect(expectError(outside, 404, "NOT_FOUND").message).toMatch(/outside level 0 .* 3x2 tiles/);
    expectError(await request(w.app).get(tileUrl(img.id, 0, 0, 2)), 404, "NOT_FOUND");
    expectError(await request(w.app).get(tileUrl(img.id, 1, 1, 1)), 404, "NOT_FOUND");
    const level = await request(w.app).get(tileUrl(img.id, 3, 0, 0));
    expect(expectError(level, 404, "NOT_FOUND").message).toMatch(/levels 0\.\.2/);
    expectError(await request(w.app).get(tileUrl(img.id, -1, 0, 0)), 400, "VALIDATION_ERROR");
    expectError(await request(w.app).get(`/api/v1/images/${img.id}/tiles/0/a/0`), 400, "VALIDATION_ERROR");
    expectError(await request(w.app).get(`/api/v1/images/${img.id}/tiles/0/0.5/0`), 400, "VALIDATION_ERROR");
    expectError(await request(w.app).get(tileUrl(img.id + 1000, 0, 0, 0)), 404, "NOT_FOUND");
    // Every tile inside answers.
    for (const [l, x, y] of [
      [0, 2, 1],
      [1, 1, 0],
      [2, 0, 0],
    ] as const) {
      expect((await request(w.app).get(tileUrl(img.id, l, x, y))).status).toBe(200);
    }
  });

  it("answers 404 with the reason for images that are not tiled or not ready yet", async () => {
    const w = await makeWorld(small);
    const project = await createProject(w.app);
    const tiny = await uploadImage(w.app, project.id, {
      name: "tiny.png",
      data: await png({ width: 40, height: 30 }),
    });
    expect(tiny.tiles.state).toBe("none");
    const res = await request(w.app).get(tileUrl(tiny.id, 0, 0, 0));
    expect(expectError(res, 404, "NOT_FOUND").message).toMatch(/not tiled/);
    expectError(await request(w.app).get(`/api/v1/images/${tiny.id}/preview`), 404, "NOT_FOUND");

    await w.app.tiles.stop();
    const waiting = await uploadImage(w.app, project.id, {
      name: "w.jpg",
      data: await noisyJpeg(1500, 1000, 2),
    });
    expect(waiting.tiles.state).toBe("pending");
    const pending = await request(w.app).get(tileUrl(waiting.id, 0, 0, 0));
    expect(expectError(pending, 404, "NOT_FOUND").message).toMatch(/still being generated/);
  });

  it("flattens transparency onto white: tiles of an RGBA PNG are JPEG", async () => {
    const w = await makeWorld(small);
    // Left half opaque red, right half fully transparent.
    const data = await sharp({ create: { width: 700, height: 1000, channels: 4, background: "#ff0000ff" } })
      .extend({ right: 700, background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .png()
      .toBuffer();
    const img = await readyImage(w, data, "alpha.png");
    const tile = await binary(request(w.app).get(tileUrl(img.id, 2, 0, 0)));
    expect(tile.headers["content-type"]).toBe("image/jpeg");
    const meta = await sharp(tile.body as Buffer).metadata();
    expect(meta).toMatchObject({ width: 350, height: 250, hasAlpha: false });
    expect(isRed(await pixel(tile.body as Buffer, 80, 120))).toBe(true);
    expect((await pixel(tile.body as Buffer, 280, 120)).every((c) => c > 240)).toBe(true);
  });

  it("tiles a BMP through the server's own decoder", async () => {
    const w = await makeWorld(small);
    const data = bmp24(1200, 900, (x) => (x < 600 ? [255, 0, 0] : [0, 0, 255]));
    const img = await readyImage(w, data, "scan.bmp");
    const coarse = await binary(request(w.app).get(tileUrl(img.id, 2, 0, 0)));
    expect(coarse.status).toBe(200);
    expect(await sharp(coarse.body as Buffer).metadata()).toMatchObject({ width: 300, height: 225 });
    expect(isRed(await pixel(coarse.body as Buffer, 50, 100))).toBe(true);
    expect(isBlue(await pixel(coarse.body as Buffer, 250, 100))).toBe(true);
  });
});

describe("tile files and deletion", () => {
  const small = { tileThresholdPixels: 1_000_000 };

  it("shares one pyramid between projects holding the same bytes and deletes it with the last image", async () => {
    const w = await makeWorld(small);
    const data = await noisyJpeg(1600, 1200, 3);
    const p1 = await createProject(w.app, "one");
    const p2 = await createProject(w.app, "two");
    const a = await uploadImage(w.app, p1.id, { name: "a.jpg", data });
    await w.app.tiles.idle();
    const before = tileFiles(w);
    const manifestMtime = fs.statSync(w.storage.localPath(manifestKey(a.sha256))).mtimeMs;
    const b = await uploadImage(w.app, p2.id, { name: "b.jpg", data });
    expect(b.tiles.state).toBe("pending");
    await w.app.tiles.idle();
    expect((await getImage(w, b.id)).tiles).toEqual((await getImage(w, a.id)).tiles);
    // Not generated twice: same files, manifest untouched.
    expect(tileFiles(w)).toEqual(before);
    expect(fs.statSync(w.storage.localPath(manifestKey(a.sha256))).mtimeMs).toBe(manifestMtime);

    await request(w.app).delete(`/api/v1/images/${a.id}`).expect(204);
    await w.app.tiles.idle();
    expect(tileFiles(w)).toEqual(before);
    expect((await request(w.app).get(tileUrl(b.id, 0, 0, 0))).status).toBe(200);

    await request(w.app).delete(`/api/v1/projects/${p2.id}`).expect(204);
    await w.app.tiles.idle();
    expect(tileFiles(w)).toEqual([]);
    // Not even empty directories stay behind for the deleted pyramid.
    expect(fs.existsSync(w.storage.localPath(tilesPrefix(a.sha256)))).toBe(false);
  });

  it("leaves nothing behind when the image is deleted while its pyramid is being built", async () => {
    const w = await makeWorld();
    const project = await createProject(w.app);
    const img = await uploadImage(w.app, project.id, { name: "big.jpg", data: bigJpeg });
    expect(img.tiles.state).toBe("pending");
    await request(w.app).delete(`/api/v1/images/${img.id}`).expect(204);
    await w.app.tiles.idle();
    expect(tileFiles(w)).toEqual([]);
    expect(listFiles(w.filesDir)).toEqual([]);
  });
});

describe("resuming and failing", () => {
  const small = { tileThresholdPixels: 1_000_000 };

  it("resumes images left pending by a stopped server, and clears its leftover work dirs", async () => {
    const w = await makeWorld(small);
    await w.app.tiles.stop();
    const project = await createProject(w.app);
    const a = await uploadImage(w.app, project.id, { name: "a.jpg", data: await noisyJpeg(1500, 1000, 4) });
    const b = await uploadImage(w.app, project.id, { name: "b.jpg", data: await noisyJpeg(1200, 1000, 5) });
    expect((await getImage(w, a.id)).tiles).toMatchObject({ state: "pending", progress: 0 });
    const leftover = path.join(w.storage.tempDir, `${WORK_DIR_PREFIX}crashed`);
    fs.mkdirSync(path.join(leftover, "p_files", "0"), { recursive: true });
    fs.writeFileSync(path.join(leftover, "p_files", "0", "0_0.jpeg"), "partial");

    await w.reopen();
    await w.app.tiles.idle();
    expect((await getImage(w, a.id)).tiles).toEqual({
      state: "ready",
      progress: 1,
      tileSize: 512,
      levels: 3,
    });
    expect((await getImage(w, b.id)).tiles.state).toBe("ready");
    expect(fs.existsSync(leftover)).toBe(false);
  });

  it("stops a running job when asked and finishes it after a restart", async () => {
    const w = await makeWorld();
    const project = await createProject(w.app);
    const img = await uploadImage(w.app, project.id, { name: "big.jpg", data: bigJpeg });
    await w.app.tiles.stop();
    const stopped = await getImage(w, img.id);
    expect(stopped.tiles.state).toBe("pending");
    expect(tileFiles(w).filter((f) => f.endsWith("pyramid.json"))).toHaveLength(0);
    await w.reopen();
    await w.app.tiles.idle();
    expect((await getImage(w, img.id)).tiles).toMatchObject({ state: "ready", progress: 1, levels: 5 });
  });

  it("still deletes the pyramid of an image removed while another one was being built, when stopped", async () => {
    const w = await makeWorld(small);
    const project = await createProject(w.app);
    const done = await uploadImage(w.app, project.id, {
      name: "done.jpg",
      data: await noisyJpeg(1500, 1000, 9),
    });
    await w.app.tiles.idle();
    expect(tileFiles(w).some((f) => f.startsWith(tilesPrefix(done.sha256)))).toBe(true);
    const busy = await uploadImage(w.app, project.id, { name: "big.jpg", data: bigJpeg });
    await request(w.app).delete(`/api/v1/images/${done.id}`).expect(204);
    await w.app.tiles.stop();
    expect(tileFiles(w).filter((f) => f.startsWith(tilesPrefix(done.sha256)))).toEqual([]);
    expect((await getImage(w, busy.id)).tiles.state).toBe("pending");
  });

  it("marks an image whose original cannot be decoded as failed and stores no tiles", async () => {
    const w = await makeWorld(small);
    await w.app.tiles.stop();
    const project = await createProject(w.app);
    const img = await uploadImage(w.app, project.id, { name: "a.jpg", data: await noisyJpeg(1500, 1000, 6) });
    // The stored original gets damaged between upload and tiling (disk fault, manual edit).
    const file = w.storage.localPath(originalKey(img.sha256));
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 2000));
    await w.reopen();
    await w.app.tiles.idle();
    expect((await getImage(w, img.id)).tiles).toEqual({
      state: "failed",
      progress: 0,
      tileSize: null,
      levels: null,
    });
    expect(tileFiles(w)).toEqual([]);
    const res = await request(w.app).get(tileUrl(img.id, 0, 0, 0));
    expect(expectError(res, 404, "NOT_FOUND").message).toMatch(/failed/);
  });
});

describe("a truncated TIFF stored before uploads checked its strips", () => {
  it("fails its pyramid instead of tiling the missing part blank", async () => {
    const w = await makeWorld({ tileThresholdPixels: 1_000_000 });
    await w.app.tiles.stop();
    const project = await createProject(w.app);
    const full = ifdFirstTiff({ width: 1200, height: 900, stripRows: 16 });
    const img = await uploadImage(w.app, project.id, { name: "scan.tif", data: full });
    const file = w.storage.localPath(originalKey(img.sha256));
    fs.writeFileSync(file, full.subarray(0, full.length / 2));
    await w.reopen();
    await w.app.tiles.idle();
    expect((await getImage(w, img.id)).tiles.state).toBe("failed");
    expect(tileFiles(w)).toEqual([]);
  });
});

describe("upload limits for gigapixel images", () => {
  it("accept a 20,000 x 20,000 image by default; uncompressed TIFFs that big need a raised byte limit", () => {
    const c = loadConfig({});
    expect(c.maxPixels).toBeGreaterThanOrEqual(20_000 * 20_000);
    // Issue 2's default per-file limit (200 MB) holds a 400 MP JPEG or compressed TIFF, not raw RGB.
    expect(c.maxFileBytes).toBe(200 * 1024 * 1024);
    expect(loadConfig({ LABELBENCH_MAX_FILE_MB: "1300" }).maxFileBytes).toBeGreaterThan(20_000 * 20_000 * 3);
    expect(c.tileThresholdPixels).toBe(25_000_000);
  });

  it("uploads of several images tile each of them, in upload order", async () => {
    const w = await makeWorld({ tileThresholdPixels: 1_000_000 });
    const project = await createProject(w.app);
    const results = await uploadOk(w.app, project.id, [
      { name: "a.jpg", data: await noisyJpeg(1300, 1000, 7) },
      { name: "b.jpg", data: await noisyJpeg(1300, 1000, 8) },
      { name: "c.png", data: await png({ width: 50, height: 50 }) },
    ]);
    await w.app.tiles.idle();
    const states = await Promise.all(
      results.map(async (r) =>
        r.status === "created" ? (await getImage(w, r.image.id)).tiles.state : r.status,
      ),
    );
    expect(states).toEqual(["ready", "ready", "none"]);
  });
});

describe("the test control that holds the tile queue (LABELBENCH_TEST_CONTROLS)", () => {
  const small = { tileThresholdPixels: 1_000_000 };
  const hold = (w: World, held: unknown) => request(w.app).put("/api/v1/test/tile-queue").send({ held });

  it("keeps an uploaded image pending at 0% while held, and tiles it once released", async () => {
    const w = await makeWorld({ ...small, testControls: true });
    expect((await hold(w, true)).body).toEqual({ held: true });
    const project = await createProject(w.app);
    const img = await uploadImage(w.app, project.id, {
      name: "a.jpg",
      data: await noisyJpeg(1500, 1000, 10),
    });
    // However long the machine takes, nothing starts while held.
    await w.app.tiles.idle();
    await new Promise((r) => setTimeout(r, 300));
    expect((await getImage(w, img.id)).tiles).toMatchObject({ state: "pending", progress: 0 });
    expect(tileFiles(w)).toEqual([]);
    expectError(await request(w.app).get(tileUrl(img.id, 0, 0, 0)), 404, "NOT_FOUND");

    expect((await hold(w, false)).body).toEqual({ held: false });
    await w.app.tiles.idle();
    expect((await getImage(w, img.id)).tiles).toMatchObject({ state: "ready", progress: 1 });
  });

  it("refuses a malformed body with a 400 naming the field, and leaves the queue as it was", async () => {
    const w = await makeWorld({ testControls: true });
    const res = await hold(w, "yes");
    expect(expectError(res, 400, "VALIDATION_ERROR").message).toMatch(/body\.held/);
    expect(w.app.tiles.held).toBe(false);
  });

  it("answers only admins: 401 without credentials, 403 for an annotator's token", async () => {
    const t = await makeTestApp({ testControls: true }, { anonymous: true });
    try {
      const url = "/api/v1/test/tile-queue";
      expectError(await request(t.app).put(url).send({ held: true }), 401, "UNAUTHENTICATED");
      const { token } = await insertUserWithToken(t.sql, {
        email: "ann@example.com",
        name: "Ann",
        role: "annotator",
      });
      const res = await request(t.app).put(url).set("Authorization", `Bearer ${token}`).send({ held: true });
      expectError(res, 403, "FORBIDDEN");
      expect(t.app.tiles.held).toBe(false);
    } finally {
      await t.cleanup();
    }
  });

  it("is not there unless the server was started with LABELBENCH_TEST_CONTROLS=1", async () => {
    const w = await makeWorld(small);
    const res = await hold(w, true);
    expectError(res, 404, "NOT_FOUND");
    expect(w.app.tiles.held).toBe(false);
  });
});
