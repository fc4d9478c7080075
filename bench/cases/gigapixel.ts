import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import sharp from "sharp";
import {
  type GestureResult,
  launchBrowser,
  MONITOR_INIT,
  measureGesture,
  Pointer,
  signedInContext,
  webDist,
} from "../browser.js";
import { rng } from "../random.js";
import { percentile, type Row, row } from "../report.js";
import { api, type RunningServer, startServer } from "../server.js";
import { setupProject, upload } from "./server.js";

/**
 * Gigapixel images (docs/tiles.md): how long a 100 MP upload takes to become viewable (its tile
 * pyramid built), and how the editor does on a 20,000 x 20,000 (400 MP) JPEG: time from navigation to
 * the first tiles on screen (and to a complete view), and main-thread work per frame while panning and
 * zooming at fit and at 1:1, when tiles stream in. The real server and the real web app in headless
 * Chromium with software rendering.
 */

const VIEWPORT = { width: 1440, height: 900 };
const UPLOAD_CASE = "gigapixel: 100 MP upload";
const EDITOR_CASE = "gigapixel: 400 MP in the editor";
const UPLOAD_PORT = 3441;
const EDITOR_PORT = 3442;

/** Generated pictures are kept here between runs: a 400 MP JPEG takes half a minute to encode. */
const CACHE_DIR = path.join(os.tmpdir(), "labelbench-bench-cache");
/** Bump when sceneJpeg changes, so a cached file of the old recipe is not reused. */
const RECIPE = 1;

/**
 * A deterministic photo-sized JPEG with the entropy of a photo: coloured blocks on a gradient (drawn
 * at 1/8 size and scaled up), overlaid with fine noise and a 1-pixel grid every 64 px, so every tile
 * has detail to decode and a screenshot at 1:1 shows whether full-resolution tiles are drawn. One
 * libvips pipeline: the full-size picture is never held in memory.
 */
const sceneJpeg = async (width: number, height: number, seed: number, file: string) => {
  const k = 8;
  const w = Math.ceil(width / k);
  const h = Math.ceil(height / k);
  const r = rng(seed);
  const blocks = Array.from({ length: 40 }, () => ({
    x: r() * w,
    y: r() * h,
    s: 10 + (r() * w) / 8,
    c: [r() * 255, r() * 255, r() * 255],
  }));
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let c = [40 + (x / w) * 120, 60 + (y / h) * 100, 90 + ((x + y) % 64)];
      for (const b of blocks) if (Math.abs(x - b.x) < b.s && Math.abs(y - b.y) < b.s * 0.7) c = b.c;
      raw.set(c, (y * w + x) * 3);
    }
  const g = 256;
  const texture = Buffer.alloc(g * g * 4);
  for (let y = 0; y < g; y++)
    for (let x = 0; x < g; x++) {
      const line = x % 64 === 0 || y % 64 === 0;
      const v = line ? 255 : Math.floor(r() * 256);
      texture.set([v, v, v, line ? 110 : 22], (y * g + x) * 4);
    }
  const tile = await sharp(texture, { raw: { width: g, height: g, channels: 4 } })
    .png()
    .toBuffer();
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .resize(width, height, { kernel: "cubic" })
    .composite([{ input: tile, tile: true }])
    .jpeg({ quality: 85 })
    .toFile(file);
};

/** The cached picture, generated on first use (written aside and renamed, so a crash leaves none half-done). */
const cachedScene = async (width: number, height: number, seed: number): Promise<string> => {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const file = path.join(CACHE_DIR, `scene-r${RECIPE}-${width}x${height}-s${seed}.jpg`);
  if (fs.existsSync(file)) return file;
  process.stderr.write(`bench: generating a ${width}x${height} JPEG into ${CACHE_DIR} (once)…\n`);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await sceneJpeg(width, height, seed, tmp);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return file;
};

interface TileInfo {
  state: "none" | "pending" | "ready" | "failed";
  progress: number;
  levels: number | null;
}

/** Uploads one file and waits for its pyramid; times from the start of the upload. */
const uploadUntilReady = async (s: RunningServer, projectId: number, file: string, name: string) => {
  const bytes = fs.readFileSync(file);
  const t0 = performance.now();
  const up = await upload(s, projectId, [{ name, bytes }]);
  const uploadedMs = performance.now() - t0;
  const imageId = up.results[0]?.image?.id;
  if (!imageId) throw new Error(`upload of ${name} failed: ${JSON.stringify(up.results[0])}`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    const r = await api<{ tiles: TileInfo }>(s, "GET", `/images/${imageId}`);
    if (r.status !== 200) throw new Error(`GET image ${imageId} answered ${r.status}`);
    if (r.json.tiles.state === "ready") break;
    if (r.json.tiles.state !== "pending")
      throw new Error(`tiles of ${name} went ${r.json.tiles.state}, not ready (see the server log)`);
    if (Date.now() > deadline) throw new Error(`tiles of ${name} not ready after 180 s`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return { imageId, bytes: bytes.length, uploadedMs, readyMs: performance.now() - t0 };
};

/** 100 MP JPEGs: upload, then the pyramid built in the background until `ready`. */
export const uploadToTiles = async (quick: boolean): Promise<Row[]> => {
  // Different pictures per run: the same bytes again would share the first one's pyramid.
  const files: string[] = [];
  for (const seed of quick ? [7] : [7, 8]) files.push(await cachedScene(10_000, 10_000, seed));
  const s = await startServer({ port: UPLOAD_PORT });
  try {
    const { projectId } = await setupProject(s, "bench-gigapixel-upload");
    const runs: Awaited<ReturnType<typeof uploadUntilReady>>[] = [];
    for (const [i, file] of files.entries())
      runs.push(await uploadUntilReady(s, projectId, file, `big-${i}.jpg`));
    const med = (f: (r: (typeof runs)[number]) => number) => percentile(runs.map(f), 50);
    const mb = (runs[0]?.bytes ?? 0) / 2 ** 20;
    return [
      row(
        UPLOAD_CASE,
        `upload + probe (${mb.toFixed(0)} MB JPEG, 10,000 x 10,000)`,
        med((r) => r.uploadedMs),
        "ms",
      ),
      row(
        UPLOAD_CASE,
        `tiles ready after upload start (median of ${runs.length})`,
        med((r) => r.readyMs),
        "ms",
        {
          max: 15_000,
        },
      ),
      row(UPLOAD_CASE, "server peak RSS", s.peakRssMb(), "MB"),
    ];
  } finally {
    await s.stop();
  }
};

interface TilesHook {
  tiles?: {
    firstDrawAt: number | null;
    loading: number;
    standIns: number;
    drawn: number;
    frames: number;
    lastMs: number;
    level: number;
    loaded: number;
  };
  saveState: { imageId: number | null };
}
declare global {
  interface Window {
    __gigaOpen?: { first: number; complete: number };
    __gigaDraws?: number[] | null;
  }
}

/**
 * Polls every frame from the first script on: the first tiles on screen (the renderer's own stamp),
 * then the view complete (every visible tile at the right level, nothing loading).
 */
const OPEN_INIT = () => {
  const poll = () => {
    const t = (window as unknown as { __labelbench?: TilesHook }).__labelbench?.tiles;
    if (t && t.firstDrawAt !== null && t.loading === 0 && t.standIns === 0 && t.drawn > 0) {
      window.__gigaOpen = { first: t.firstDrawAt, complete: performance.now() };
      return;
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
};

/** Records the tile layer's own draw time of every frame it draws, until stopped. */
const startDrawSampler = (page: Page) =>
  page.evaluate(() => {
    const samples: number[] = [];
    window.__gigaDraws = samples;
    let frames = -1;
    const tick = () => {
      if (window.__gigaDraws !== samples) return;
      const t = (window as unknown as { __labelbench?: TilesHook }).__labelbench?.tiles;
      if (t && t.frames !== frames) {
        if (frames >= 0) samples.push(t.lastMs);
        frames = t.frames;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });

const stopDrawSampler = (page: Page) =>
  page.evaluate(() => {
    const s = window.__gigaDraws ?? [];
    window.__gigaDraws = null;
    return s;
  });

const waitComplete = (page: Page) =>
  page.waitForFunction(
    () => {
      const t = (window as unknown as { __labelbench?: TilesHook }).__labelbench?.tiles;
      return !!t && t.loading === 0 && t.standIns === 0 && t.drawn > 0;
    },
    null,
    { timeout: 60_000, polling: 50 },
  );

const stageBox = async (page: Page) => {
  const b = await page.getByTestId("editor-stage").boundingBox();
  if (!b) throw new Error("editor stage not on screen");
  return b;
};

const shotsDir = () => {
  const dir = path.join(os.tmpdir(), "lb-bench-shots");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
};

interface ViewGestures {
  pan: GestureResult;
  zoom: GestureResult;
  draws: number[];
}

/** Middle-button pan around the centre, then wheel zoom in and back out, tiles streaming in meanwhile. */
const gestures = async (
  browser: Browser,
  page: Page,
  pointer: Pointer,
  zoomSteps: number,
  quick: boolean,
): Promise<ViewGestures> => {
  const box = await stageBox(page);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const reps = quick ? 1 : 2;
  await startDrawSampler(page);
  await pointer.move(cx, cy);
  const pan = await measureGesture(browser, page, async () => {
    for (let r = 0; r < reps; r++) {
      await pointer.down("middle");
      await pointer.path(cx + 400, cy + 220, 60);
      await pointer.path(cx - 300, cy - 160, 90);
      await pointer.path(cx, cy, 40);
      await pointer.up();
    }
  });
  const zoom = await measureGesture(browser, page, async () => {
    for (let r = 0; r < reps; r++) {
      await pointer.wheel(-40, zoomSteps, 17);
      await pointer.wheel(40, zoomSteps, 17);
    }
  });
  const draws = await stopDrawSampler(page);
  return { pan, zoom, draws };
};

const p95 = (v: number[]) => percentile(v, 95);

const gestureRows = (name: string, g: GestureResult): Row[] => [
  row(EDITOR_CASE, `${name}: work per frame p95 (${g.work.length} frames)`, p95(g.work), "ms", { max: 16.7 }),
  row(EDITOR_CASE, `${name}: long tasks ≥ 50 ms`, g.longTasks.length, "", { max: 0 }),
  row(EDITOR_CASE, `${name}: dropped frames (of ${g.frames})`, g.dropped, ""),
];

/** A fresh browser profile (cold HTTP cache) that has just shown a small image in the editor. */
const warmVisit = async (browser: Browser, s: RunningServer, smallUrl: string, smallId: number) => {
  const context = await signedInContext(browser, s, VIEWPORT);
  const page = await context.newPage();
  await page.addInitScript(MONITOR_INIT);
  await page.addInitScript(OPEN_INIT);
  await page.goto(smallUrl);
  await page.waitForFunction(
    (id) => (window as unknown as { __labelbench?: TilesHook }).__labelbench?.saveState.imageId === id,
    smallId,
    { timeout: 60_000 },
  );
  return { context, page };
};

const openBig = async (page: Page, url: string) => {
  await page.goto(url);
  const h = await page.waitForFunction(() => window.__gigaOpen, null, { timeout: 60_000, polling: 50 });
  const open = (await h.jsonValue()) as { first: number; complete: number };
  const longest = await page.evaluate(() =>
    Math.max(0, ...(window.__benchMonitor?.longTasks ?? []).map((t) => t.duration)),
  );
  return { ...open, longest };
};

/** The 20,000 x 20,000 JPEG in the editor: opening, then pan and zoom at fit and at 1:1. */
export const gigapixelEditor = async (quick: boolean): Promise<Row[]> => {
  const file = await cachedScene(20_000, 20_000, 11);
  const web = webDist();
  const s = await startServer({ port: EDITOR_PORT, env: { LABELBENCH_WEB_DIST: web.dir } });
  let browser: Browser | null = null;
  const contexts: BrowserContext[] = [];
  try {
    const { projectId } = await setupProject(s, "bench-gigapixel-editor");
    // A small image first in the project: opening it loads the app and the editor's code.
    const small = await upload(s, projectId, [
      {
        name: "a-small.jpg",
        bytes: await sharp({ create: { width: 800, height: 600, channels: 3, background: "#456" } })
          .jpeg()
          .toBuffer(),
      },
    ]);
    const smallId = small.results[0]?.image?.id;
    if (!smallId) throw new Error("upload of the small image failed");
    process.stderr.write("bench: uploading the 400 MP JPEG and waiting for its tiles…\n");
    const big = await uploadUntilReady(s, projectId, file, "b-huge-20000.jpg");
    const smallUrl = `${s.url}/projects/${projectId}/images/${smallId}`;
    const bigUrl = `${s.url}/projects/${projectId}/images/${big.imageId}`;

    browser = await launchBrowser();
    const opens: { first: number; complete: number; longest: number }[] = [];
    let page: Page | null = null;
    let context: BrowserContext | null = null;
    for (let i = 0; i < (quick ? 2 : 4); i++) {
      // App code warm, tiles cold: like a user moving on to an image nobody has opened in this browser.
      const v = await warmVisit(browser, s, smallUrl, smallId);
      contexts.push(v.context);
      opens.push(await openBig(v.page, bigUrl));
      if (page) await page.close();
      page = v.page;
      context = v.context;
    }
    if (!page || !context) throw new Error("editor never opened");
    await page.screenshot({ path: path.join(shotsDir(), "gigapixel-400mp-fit.png") });
    // Reopened in the same browser: the tiles come from the HTTP cache.
    const again = await openBig(page, bigUrl);

    const pointer = await Pointer.of(context, page);
    const fit = await gestures(browser, page, pointer, 14, quick);
    await page.keyboard.press("f");
    await waitComplete(page);
    await page.keyboard.press("0");
    await waitComplete(page);
    await page.screenshot({ path: path.join(shotsDir(), "gigapixel-400mp-1to1.png") });
    const one = await gestures(browser, page, pointer, 8, quick);
    await waitComplete(page);
    await page.screenshot({ path: path.join(shotsDir(), "gigapixel-400mp-after.png") });
    const stats = await page.evaluate(
      () => (window as unknown as { __labelbench?: TilesHook }).__labelbench?.tiles ?? null,
    );

    const med = (f: (o: (typeof opens)[number]) => number) => percentile(opens.map(f), 50);
    return [
      row(EDITOR_CASE, `upload (${(big.bytes / 2 ** 20).toFixed(0)} MB) → tiles ready`, big.readyMs, "ms"),
      row(
        EDITOR_CASE,
        `open: first tiles on screen (median of ${opens.length})`,
        med((o) => o.first),
        "ms",
        {
          max: 1000,
        },
      ),
      row(EDITOR_CASE, "open: first tiles on screen, worst", Math.max(...opens.map((o) => o.first)), "ms"),
      row(
        EDITOR_CASE,
        "open: view complete (every visible tile sharp)",
        med((o) => o.complete),
        "ms",
      ),
      row(
        EDITOR_CASE,
        "open: longest task while opening",
        med((o) => o.longest),
        "ms",
      ),
      row(EDITOR_CASE, "reopen, tiles in the HTTP cache: first tiles on screen", again.first, "ms"),
      ...gestureRows("fit: pan", fit.pan),
      ...gestureRows("fit: zoom through the levels", fit.zoom),
      row(EDITOR_CASE, "fit: tile layer draw p95 (in the page)", p95(fit.draws), "ms"),
      ...gestureRows("1:1: pan (level 0 tiles streaming)", one.pan),
      ...gestureRows("1:1: zoom", one.zoom),
      row(EDITOR_CASE, "1:1: tile layer draw p95 (in the page)", p95(one.draws), "ms"),
      row(EDITOR_CASE, "decoded tiles held at the end", stats?.loaded ?? Number.NaN, ""),
    ];
  } finally {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await s.stop();
    web.cleanup();
  }
};

export const gigapixelCases = (quick: boolean): { name: string; run: () => Promise<Row[]> }[] => [
  { name: "gigapixel-upload", run: () => uploadToTiles(quick) },
  { name: "gigapixel-editor", run: () => gigapixelEditor(quick) },
];
