import type { Browser, Page } from "@playwright/test";
import { launchBrowser, measureGesture, Pointer, signedInContext, webDist } from "../browser.js";
import { percentile, type Row, row } from "../report.js";
import { startServer } from "../server.js";
import { createScene, nextFrames, openEditor, type Probe, stageBox } from "./editor.js";
import { clickableBox, SCENE } from "./editor-scene.js";

/**
 * The dense editor right after a gesture, in two window sizes: how long the shapes stay soft (the
 * old picture scaled) after the last wheel event of a zoom, and whether a pan or a wheel zoom (with
 * the re-render at the new scale that follows it) drops frames.
 */

const CASE = "editor after a gesture: 10k boxes + 2k polygons";
const PORT = 3432;
const WINDOWS = [
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
];
/** The target: shapes sharp this soon after the last wheel event, every shape in view. */
const SHARP_MS = 200;

interface Hook {
  render: { settled: boolean; sharpAt: number; shapesDrawn: number };
}
declare global {
  interface Window {
    __lastWheel?: number;
  }
}

const settled = (page: Page) =>
  page.waitForFunction(
    () => (window as unknown as { __labelbench?: Hook }).__labelbench?.render.settled === true,
    null,
    { timeout: 30_000, polling: 50 },
  );

/**
 * One wheel burst (`steps` events 17 ms apart, as a wheel spun by hand sends them): the time from the
 * last event's timestamp until the shape picture on screen is whole at the new scale, and how many
 * shapes it then shows.
 */
const zoomToSharp = async (page: Page, pointer: Pointer, deltaY: number, steps: number) => {
  await page.evaluate(() => {
    window.__lastWheel = Number.POSITIVE_INFINITY;
    const onWheel = (e: WheelEvent) => {
      window.__lastWheel = e.timeStamp;
    };
    window.addEventListener("wheel", onWheel, { capture: true, passive: true });
  });
  await pointer.wheel(deltaY, steps, 17);
  const done = await page.waitForFunction(
    () => {
      const r = (window as unknown as { __labelbench?: Hook }).__labelbench?.render;
      const last = window.__lastWheel ?? Number.POSITIVE_INFINITY;
      return r && r.sharpAt > last && r.shapesDrawn > 0
        ? { ms: r.sharpAt - last, shapes: r.shapesDrawn }
        : null;
    },
    null,
    { timeout: 30_000, polling: "raf" },
  );
  return (await done.jsonValue()) as { ms: number; shapes: number };
};

const inWindow = async (
  browser: Browser,
  context: Awaited<ReturnType<typeof signedInContext>>,
  scene: Awaited<ReturnType<typeof createScene>>,
  probe: Probe,
  quick: boolean,
  name: string,
): Promise<Row[]> => {
  const [warm] = await openEditor(context, scene, probe);
  await warm.close();
  const [page] = await openEditor(context, scene, probe);
  const pointer = await Pointer.of(context, page);
  const box = await stageBox(page);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await pointer.move(cx, cy);
  await settled(page);
  await nextFrames(page);
  const reps = quick ? 1 : 2;

  const pan = await measureGesture(
    browser,
    page,
    async () => {
      for (let r = 0; r < reps; r++) {
        await pointer.down("middle");
        await pointer.path(cx + 300, cy + 150, 60);
        await pointer.path(cx - 200, cy - 100, 90);
        await pointer.path(cx, cy, 40);
        await pointer.up();
      }
      await settled(page);
    },
    { name: `${name}-pan` },
  );
  await nextFrames(page);
  const zoom = await measureGesture(
    browser,
    page,
    async () => {
      for (let r = 0; r < reps; r++) {
        await pointer.wheel(-30, 16, 17);
        await settled(page);
        await pointer.wheel(30, 16, 17);
        await settled(page);
      }
    },
    { name: `${name}-zoom` },
  );
  await nextFrames(page);

  // Three steps out, two in, from fit: every shape of the scene stays in view, and no burst lands on
  // the scale the shapes were last drawn at (whose tiles would still be there).
  const sharp: number[] = [];
  const inView: number[] = [];

  for (let i = 0; i < (quick ? 4 : 10); i++) {
    const out = i % 2 === 0;
    const r = await zoomToSharp(page, pointer, out ? 30 : -30, out ? 3 : 2);
    sharp.push(r.ms);
    inView.push(r.shapes);

    await settled(page);
    await nextFrames(page, 5);
  }
  await page.close();
  const label = `${name} window`;
  return [
    row(CASE, `${label}: zoom → shapes sharp, median of ${sharp.length}`, percentile(sharp, 50), "ms"),
    row(CASE, `${label}: zoom → shapes sharp, worst`, Math.max(...sharp), "ms", { max: SHARP_MS }),
    row(CASE, `${label}: shapes in view when sharp (fewest)`, Math.min(...inView), "", {
      min: SCENE.boxes + SCENE.polygons,
    }),
    row(CASE, `${label}: pan: dropped frames (of ${pan.frames})`, pan.dropped, "", { max: 0 }),
    row(CASE, `${label}: pan: work per frame p95, CPU`, percentile(pan.work, 95), "ms"),
    row(CASE, `${label}: zoom + re-render: dropped frames (of ${zoom.frames})`, zoom.dropped, "", {
      max: 0,
    }),
    row(CASE, `${label}: zoom + re-render: work per frame p95, CPU`, percentile(zoom.work, 95), "ms"),
    row(CASE, `${label}: zoom + re-render: work per frame max, CPU`, Math.max(...zoom.work), "ms"),
  ];
};

export const editorAfterGesture = async (quick: boolean): Promise<Row[]> => {
  const web = webDist();
  const s = await startServer({ port: PORT, env: { LABELBENCH_WEB_DIST: web.dir } });
  let browser: Browser | null = null;
  try {
    process.stderr.write("bench: creating the dense scene…\n");
    const scene = await createScene(s);
    const target = clickableBox(scene.shapes, 20, { x: SCENE.width / 2, y: SCENE.height / 2 });
    const probe = { count: scene.shapes.length, x: target.centre.x, y: target.centre.y, id: target.id };
    browser = await launchBrowser();
    const rows: Row[] = [];
    for (const w of WINDOWS) {
      const context = await signedInContext(browser, s, w);
      rows.push(...(await inWindow(browser, context, scene, probe, quick, `${w.width}×${w.height}`)));
      await context.close();
    }
    return rows;
  } finally {
    await browser?.close();
    await s.stop();
    web.cleanup();
  }
};

export const editorGestureCases = (quick: boolean) => [
  { name: "editor-gesture", run: () => editorAfterGesture(quick) },
];
