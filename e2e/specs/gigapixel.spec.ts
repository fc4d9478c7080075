import { seededRandom } from "@labelbench/geometry";
import { Image as ImageSchema } from "@labelbench/schema";
import {
  type APIRequestContext,
  expect,
  type Page,
  request as playwrightRequest,
  test,
} from "@playwright/test";
import sharp from "sharp";
import { E2E_ADMIN } from "../auth-state";
import { getAnnotations, putAnnotations, seedProject } from "../helpers/editor-fixtures";
import { drag, editorUrl, expectSaved, openEditor, shapes, waitForImage } from "../helpers/editor-page";
import { shot } from "../helpers/screens";

/**
 * Gigapixel images end to end: an image above the server's tiling threshold (25 MP by default) gets a
 * tile pyramid in the background; the library shows the progress, the editor waits for it (the test
 * holds the server's tile worker to look at that phase, whatever the machine's speed), then draws
 * only tiles (never the original), and annotations made at high zoom are in full-resolution pixels.
 * Plus: the shape list says who created and who last edited each shape.
 */
test.describe.configure({ mode: "serial" });

// Sign in here rather than through the shared storage-state file, which parallel runs overwrite.
test.use({ storageState: { cookies: [], origins: [] } });
const signIn = async (r: APIRequestContext, who = E2E_ADMIN) => {
  const res = await r.post("/api/v1/auth/login", { data: who });
  expect(res.ok(), `sign-in failed: ${res.status()} ${await res.text()}`).toBe(true);
};

const API = "/api/v1";
const BIG = { width: 7000, height: 5000 }; // 35 MP: above the 25 MP threshold, quick to tile

/** The same picture every run. */
const rng = seededRandom;

/**
 * A photo-sized JPEG that is small on the wire (about 2 MB for 35 MP): coloured blocks on a gradient,
 * drawn at 1/8 size and scaled up, with a 1-pixel white grid every 64 px and a dot in each cell, so a
 * screenshot at 8x shows whether full-resolution tiles are drawn (crisp 1-px lines) or a blurred level.
 */
const sceneJpeg = async (width: number, height: number, seed: number): Promise<Buffer> => {
  const k = 8;
  const w = Math.ceil(width / k);
  const h = Math.ceil(height / k);
  const r = rng(seed);
  const blocks = Array.from({ length: 24 }, () => ({
    x: r() * w,
    y: r() * h,
    s: 20 + (r() * w) / 6,
    c: [r() * 255, r() * 255, r() * 255] as const,
  }));
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let c: readonly number[] = [40 + (x / w) * 120, 60 + (y / h) * 100, 90 + ((x + y) % 64)];
      for (const b of blocks) if (Math.abs(x - b.x) < b.s && Math.abs(y - b.y) < b.s * 0.7) c = b.c;
      raw.set(c, (y * w + x) * 3);
    }
  const g = 64;
  const grid = Buffer.alloc(g * g * 4);
  for (let y = 0; y < g; y++)
    for (let x = 0; x < g; x++) {
      const alpha = x === 0 || y === 0 ? 110 : x === g / 2 && y === g / 2 ? 255 : 0;
      grid.set([255, 255, 255, alpha], (y * g + x) * 4);
    }
  const up = await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .resize(width, height, { kernel: "cubic" })
    .raw()
    .toBuffer();
  const tile = await sharp(grid, { raw: { width: g, height: g, channels: 4 } })
    .png()
    .toBuffer();
  return sharp(up, { raw: { width, height, channels: 3 } })
    .composite([{ input: tile, tile: true }])
    .jpeg({ quality: 82 })
    .toBuffer();
};

/**
 * A flat 26 MP JPEG (tiny on the wire, tiled in about a second): the image before the big one, whose
 * tiles the editor preloads.
 */
const fillerJpeg = () =>
  sharp({ create: { width: 6000, height: 4400, channels: 3, background: { r: 90, g: 110, b: 130 } } })
    .jpeg({ quality: 60 })
    .toBuffer();

/**
 * Holds or releases the server's tile worker (a test-only route, there because the e2e config sets
 * LABELBENCH_TEST_CONTROLS=1): while held, uploaded images stay 'pending' however fast the machine is.
 */
const holdTiles = async (r: APIRequestContext, held: boolean) => {
  const res = await r.put(`${API}/test/tile-queue`, { data: { held } });
  expect(res.ok(), `holding the tile queue failed: ${res.status()} ${await res.text()}`).toBe(true);
  expect(await res.json()).toEqual({ held });
};

const upload = async (r: APIRequestContext, projectId: number, name: string, buffer: Buffer) => {
  const res = await r.post(`${API}/projects/${projectId}/images`, {
    multipart: { files: { name, mimeType: "image/jpeg", buffer } },
    timeout: 60_000,
  });
  expect(res.ok(), await res.text()).toBe(true);
  const result = (await res.json()).results[0];
  expect(result?.status, JSON.stringify(result)).toBe("created");
  return ImageSchema.parse(result.image);
};

const getImage = async (r: APIRequestContext, imageId: number) => {
  const res = await r.get(`${API}/images/${imageId}`);
  expect(res.ok()).toBe(true);
  return ImageSchema.parse(await res.json());
};

const tileStats = (page: Page) => page.evaluate(() => window.__labelbench?.tiles ?? null);

/** Puts image point (x, y) at the stage centre at `scale` screen px per image px. */
const lookAt = (page: Page, x: number, y: number, scale: number) =>
  page.evaluate(
    ({ x, y, scale }) => {
      const ed = window.__labelbench!.editor;
      const { width, height } = ed.getState().stageSize;
      ed.setViewport({ scale, offsetX: width / 2 - x * scale, offsetY: height / 2 - y * scale });
    },
    { x, y, scale },
  );

/** Every tile for the view is loaded and drawn (at `level` when given): no stand-ins, nothing in flight. */
const expectTilesSettled = async (page: Page, level?: number) => {
  await expect
    .poll(
      async () => {
        const s = await tileStats(page);
        return (
          !!s &&
          (level === undefined || s.level === level) &&
          s.loading === 0 &&
          s.standIns === 0 &&
          (s.drawn ?? 0) > 0
        );
      },
      { timeout: 20_000 },
    )
    .toBe(true);
};

/**
 * Samples the screen at points spread over the image (inner 10-90% of it) and compares each with the
 * mean colour of the same area of the source picture: a missing, misplaced or wrongly scaled image
 * fails, whatever the renderer's own figures say.
 */
const expectPictureOnScreen = async (page: Page, source: Buffer, size: { width: number; height: number }) => {
  const view = await page.evaluate(() => {
    return window.__labelbench!.editor.getState().viewport;
  });
  const stage = await page.getByTestId("editor-stage").boundingBox();
  expect(stage).not.toBeNull();
  const side = 8; // screen px sampled around each point
  const fractions = [
    [0.12, 0.15],
    [0.5, 0.5],
    [0.85, 0.2],
    [0.25, 0.82],
    [0.88, 0.88],
    [0.6, 0.35],
  ];
  const mismatches: string[] = [];
  for (const [fx, fy] of fractions) {
    const ix = fx! * size.width;
    const iy = fy! * size.height;
    const sx = stage!.x + view.offsetX + ix * view.scale;
    const sy = stage!.y + view.offsetY + iy * view.scale;
    const shotPng = await page.screenshot({
      clip: { x: sx - side / 2, y: sy - side / 2, width: side, height: side },
    });
    const seen = (await sharp(shotPng).removeAlpha().stats()).channels.map((c) => c.mean);
    const half = side / 2 / view.scale;
    const area = {
      left: Math.max(0, Math.round(ix - half)),
      top: Math.max(0, Math.round(iy - half)),
      width: Math.max(1, Math.round(2 * half)),
      height: Math.max(1, Math.round(2 * half)),
    };
    // stats() reads its input, not the pipeline: cut the area out first.
    const cut = await sharp(source).extract(area).png().toBuffer();
    const want = (await sharp(cut).stats()).channels.slice(0, 3).map((c) => c.mean);
    const off = Math.max(...want.map((w, i) => Math.abs(w - (seen[i] ?? 0))));
    if (off > 28)
      mismatches.push(
        `image (${ix.toFixed(0)}, ${iy.toFixed(0)}) at screen (${sx.toFixed(0)}, ${sy.toFixed(0)}): expected rgb ${want.map((v) => v.toFixed(0))}, saw ${seen.map((v) => v.toFixed(0))}`,
      );
  }
  expect(mismatches, "screen pixels differ from the picture").toEqual([]);
};

test.beforeEach(async ({ page }) => {
  await signIn(page.request);
  page.on("pageerror", (e) => console.log("pageerror:", e.message));
});

// A failed test must not leave the worker held for the specs after it (they share the server).
test.afterEach(async ({ page }) => {
  await holdTiles(page.request, false);
});

test("a 35 MP image gets tiles (progress in the library and the editor), opens from tiles only, and takes annotations in full-resolution pixels", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const r = page.request;
  const p = await r.post(`${API}/projects`, { data: { name: "Gigapixel e2e" } });
  expect(p.status()).toBe(201);
  const projectId = (await p.json()).id as number;
  const l = await r.post(`${API}/projects/${projectId}/labels`, {
    data: { name: "building", color: "#f43f5e" },
  });
  expect(l.status()).toBe(201);

  const [filler, big] = await Promise.all([fillerJpeg(), sceneJpeg(BIG.width, BIG.height, 3)]);
  // Phase 1, pending: the worker is held, so both images wait in the queue at 0% for as long as the
  // test looks at them (a race against the worker once failed on fast machines).
  await holdTiles(r, true);
  const fill = await upload(r, projectId, "filler-26mp.jpg", filler);
  const image = await upload(r, projectId, "city-35mp.jpg", big);
  expect(image).toMatchObject({ width: BIG.width, height: BIG.height });
  expect(fill.tiles.state).toBe("pending");
  expect(image.tiles).toMatchObject({ state: "pending", progress: 0 });

  // Every request the page makes from here on.
  const requested: string[] = [];
  page.on("request", (req) => requested.push(new URL(req.url()).pathname));

  // The editor opened while the tiles are pending: a progress card over the canvas, no drawing.
  await page.goto(editorUrl(projectId, image.id));
  await waitForImage(page, image.id);
  await expect(page.getByTestId("tiles-progress")).toBeVisible();
  await expect(page.getByTestId("tiles-percent")).toHaveText("0%");
  await shot(page, "gigapixel-editor-pending");

  // The library, in a tab of its own that stays open, shows the progress on the pending image's tile.
  const library = await page.context().newPage();
  await library.goto(`/projects/${projectId}/images`);
  const card = library.locator(`[data-image-id="${image.id}"]`);
  await expect(card.getByTestId("tile-progress")).toContainText("Preparing tiles 0%");
  await shot(library, "gigapixel-library-pending");
  // Still pending after both pages looked: nothing was drawn from a pyramid that does not exist yet.
  expect((await getImage(r, image.id)).tiles.state).toBe("pending");
  expect(await tileStats(page).then((s) => s?.firstDrawAt ?? null)).toBeNull();

  // Phase 2, building then ready, as the API tells it.
  await holdTiles(r, false);
  let ready = image;
  await expect
    .poll(
      async () => {
        ready = await getImage(r, image.id);
        return ready.tiles.state;
      },
      { timeout: 120_000, intervals: [500] },
    )
    .toBe("ready");
  expect(ready.tiles).toMatchObject({ progress: 1, tileSize: 512, levels: 5 });

  // The editor notices by itself, drops the card and draws tiles.
  await expect(page.getByTestId("tiles-progress")).toBeHidden({ timeout: 10_000 });
  await expect
    .poll(async () => (await tileStats(page))?.firstDrawAt ?? null, { timeout: 15_000 })
    .not.toBeNull();
  await expectTilesSettled(page);
  await shot(page, "gigapixel-fit");
  // Where the image must be on screen at fit, the screen shows the picture's colours there (the
  // tiles once drew tiny in a corner while every figure said they were drawn).
  await expectPictureOnScreen(page, big, BIG);

  // The library tab follows by itself too (each pending tile polls its image).
  await expect(card.getByTestId("tile-progress")).toHaveCount(0, { timeout: 10_000 });
  await library.close();

  // Reopening the editor from scratch draws tiles at once (no pending detour).
  await page.goto(editorUrl(projectId, image.id));
  await waitForImage(page, image.id);
  await expect
    .poll(async () => (await tileStats(page))?.firstDrawAt ?? null, { timeout: 15_000 })
    .not.toBeNull();
  await expect(page.getByTestId("tiles-progress")).toHaveCount(0);

  // 8x over a known point: level 0 tiles, crisp pixels.
  const centre = { x: 3500, y: 2500 };
  await lookAt(page, centre.x, centre.y, 8);
  await expectTilesSettled(page, 0);
  await shot(page, "gigapixel-8x");

  // A box drawn at 8x lands in full-resolution image pixels (far beyond a 2048 px preview's range).
  await page.keyboard.press("b");
  const from: [number, number] = [3480.5, 2488.25];
  const to: [number, number] = [3530.75, 2512.5];
  await drag(page, from, to, 12);
  const [box] = await shapes(page);
  expect(box?.geometry.type).toBe("box");
  await expectSaved(page);
  const saved = await getAnnotations(r, image.id);
  expect(saved.annotations).toHaveLength(1);
  const g = saved.annotations[0]?.geometry as {
    type: string;
    x: number;
    y: number;
    width: number;
    height: number;
  };
  expect(g.type).toBe("box");
  // One screen px is 1/8 image px at this zoom: the box is where it was drawn to a quarter pixel.
  expect(Math.abs(g.x - from[0])).toBeLessThan(0.25);
  expect(Math.abs(g.y - from[1])).toBeLessThan(0.25);
  expect(Math.abs(g.width - (to[0] - from[0]))).toBeLessThan(0.25);
  expect(Math.abs(g.height - (to[1] - from[1]))).toBeLessThan(0.25);
  await shot(page, "gigapixel-8x-box");

  // Tiles were drawn; neither the original nor the display copy was ever downloaded.
  const tileRequests = requested.filter((u) =>
    new RegExp(`^/api/v1/images/${image.id}/tiles/\\d+/\\d+/\\d+$`).test(u),
  );
  expect(tileRequests.length).toBeGreaterThan(10);
  expect(tileRequests.some((u) => u.includes("/tiles/0/"))).toBe(true);
  const originals = requested.filter((u) => /\/api\/v1\/images\/\d+\/(file|display)$/.test(u));
  expect(originals).toEqual([]);
  // The previous image (the filler, tiled too) was preloaded, still without its original.
  expect(requested).toContain(`/api/v1/images/${fill.id}/annotations`);
});

test("the shape list shows who created and who last edited each shape", async ({ page }) => {
  const admin = page.request;
  const seeded = await seedProject(admin, { name: "Authors e2e", images: 1 });
  const imageId = seeded.imageIds[0]!;
  const labelId = seeded.labels[0]!.id;

  // An annotator, member of the project, draws a box through the API.
  const ann = { email: "ann@labelbench.test", password: "ann-password-123" };
  const u = await admin.post(`${API}/users`, { data: { ...ann, name: "Ann", role: "annotator" } });
  let annId: number | undefined;
  if (u.status() === 201) annId = (await u.json()).id;
  else {
    // A retry of this test on the same server: Ann exists already.
    const list = (await (await admin.get(`${API}/users`)).json()) as {
      items: { id: number; email: string }[];
    };
    annId = list.items.find((x) => x.email === ann.email)?.id;
  }
  expect(annId, `creating ${ann.email} answered ${u.status()}`).toBeDefined();
  const m = await admin.post(`${API}/projects/${seeded.projectId}/members`, { data: { userId: annId } });
  expect(m.status(), await m.text()).toBe(201);
  const annRequest = await playwrightRequest.newContext({ baseURL: test.info().project.use.baseURL });
  await signIn(annRequest, ann);
  const box = { type: "box", x: 100, y: 120, width: 160, height: 90 };
  await putAnnotations(annRequest, imageId, {
    baseRevision: 0,
    annotations: [{ id: "ann-box", labelId, geometry: box }],
  });
  await annRequest.dispose();

  await page.setViewportSize({ width: 1280, height: 720 });
  await openEditor(page, seeded.projectId, imageId);
  const row = page.locator('[data-shape-id="ann-box"]');
  const annName = ann.email.split("@")[0]!;
  await expect(row.getByTestId("shape-author")).toHaveText(`by ${annName}`);
  await expect(row.getByRole("button", { name: /car/ })).toHaveAttribute(
    "title",
    new RegExp(`Created by ${ann.email}`),
  );

  // The admin moves it: the list follows the save's reply.
  await page.keyboard.press("v");
  await drag(page, [180, 165], [200, 185]);
  await expectSaved(page);
  await expect(row.getByTestId("shape-author")).toHaveText(`by ${annName} · ✎ admin`);
  await expect(row.getByRole("button", { name: /car/ })).toHaveAttribute(
    "title",
    new RegExp(`Last edited by ${E2E_ADMIN.email}`),
  );

  // A shape drawn here is the admin's own.
  await page.keyboard.press("b");
  await drag(page, [350, 250], [450, 330]);
  await expectSaved(page);
  const mine = (await shapes(page)).find((s) => s.id !== "ann-box");
  expect(mine).toBeTruthy();
  await expect(page.locator(`[data-shape-id="${mine!.id}"]`).getByTestId("shape-author")).toHaveText(
    "by admin",
  );
  await shot(page, "editor-shape-authors");
  const server = await getAnnotations(admin, imageId);
  expect(server.annotations.map((a) => a.id).sort()).toEqual(["ann-box", mine!.id].sort());
});
