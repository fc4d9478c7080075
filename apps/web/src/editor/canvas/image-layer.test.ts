import type { Bounds } from "@labelbench/geometry";
import { describe, expect, it } from "vitest";
import { FrameScheduler } from "./frame-scheduler";
import { OVERSCAN_PX, PREP_AT_PX, PREP_STRIPS, ZOOM_SERIES_MS } from "./image-camera";
import {
  COARSE_RESOLUTION,
  type ImageCtx,
  ImageLayer,
  type ImageLayerHost,
  type ImageTiles,
  type ImageView,
  type LayerBitmap,
  type PrepCanvas,
} from "./image-layer";
import type { Level } from "./image-pyramid";
import type { DeviceCamera, TileDrawOptions } from "./tile-renderer";

class FakeBitmap implements LayerBitmap {
  closed = false;
  constructor(
    readonly name: string,
    readonly width: number,
    readonly height: number,
  ) {}
  close() {
    this.closed = true;
  }
}

type Draw = { bitmap: string; sx: number; sy: number; sw: number; sh: number };

/** Records what a context is asked to draw; each clearRect "takes" `clearMs` of the fake clock. */
const recordingCtx = (clock: { t: number }, clearMs = 0) => {
  const draws: Draw[] = [];
  const ctx: ImageCtx<FakeBitmap> = {
    imageSmoothingEnabled: true,
    save() {},
    restore() {},
    beginPath() {},
    rect() {},
    clip() {},
    setTransform() {},
    clearRect() {
      clock.t += clearMs;
    },
    drawImage(b, sx, sy, sw, sh) {
      draws.push({ bitmap: b.name, sx, sy, sw, sh });
    },
  };
  return { ctx, draws };
};

/** A host that records what reaches the screen, with a fake clock, timers, idle callbacks and frames. */
const setup = (opts: { stripMs?: number } = {}) => {
  const clock = { t: 0 };
  const log = {
    shows: 0,
    /** Each show's size in device pixels, and the pixel ratio it was drawn at. */
    showSizes: [] as { w: number; h: number; dpr: number }[],
    draws: [] as Draw[],
    shownBitmaps: [] as string[],
    transforms: [] as string[],
    canvases: 0,
    removed: false,
  };
  const timers: { cb: () => void; at: number }[] = [];
  const idles: (() => void)[] = [];
  let idleCancelled = 0;
  const snapshots: { resolve: (b: FakeBitmap) => void }[] = [];
  let built: Level<FakeBitmap>[] | null = null;
  const host: ImageLayerHost<FakeBitmap, ImageCtx<FakeBitmap>> = {
    show(w, h, dpr, paint) {
      log.showSizes.push({ w, h, dpr });
      const r = recordingCtx(clock);
      paint(r.ctx);
      log.shows += 1;
      log.draws = r.draws;
    },
    showBitmap(b) {
      log.shownBitmaps.push(b.name);
    },
    createCanvas(width, height): PrepCanvas<FakeBitmap, ImageCtx<FakeBitmap>> {
      const n = log.canvases++;
      const r = recordingCtx(clock, opts.stripMs ?? 0);
      return {
        width,
        height,
        ctx: r.ctx,
        flush() {},
        snapshot: () => new Promise((resolve) => snapshots.push({ resolve })),
        transfer: () => new FakeBitmap(`canvas${n}`, width, height),
      };
    },
    setTransform: (t) => log.transforms.push(t),
    remove() {
      log.removed = true;
    },
    pixelRatio: () => 1,
    now: () => clock.t,
    setTimer(cb, ms) {
      const timer = { cb, at: clock.t + ms };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer), 1);
    },
    whenIdle(cb) {
      idles.push(cb);
      return () => {
        idleCancelled += 1;
      };
    },
    buildPyramid: async (image, size) => {
      built = [
        { bitmap: image, factor: 1, ...size },
        { bitmap: new FakeBitmap("half", size.width / 2, size.height / 2), factor: 0.5, width: 0, height: 0 },
        {
          bitmap: new FakeBitmap("quarter", size.width / 4, size.height / 4),
          factor: 0.25,
          width: 0,
          height: 0,
        },
      ];
      return built;
    },
  };
  let frame: ((t?: number) => void) | null = null;
  const frames = new FrameScheduler({
    now: () => clock.t,
    requestFrame: (cb) => {
      frame = cb;
      return 1;
    },
    cancelFrame: () => {
      frame = null;
    },
  });
  const view: ImageView = {
    viewport: { scale: 1, offsetX: 0, offsetY: 0 },
    stageSize: { width: 1000, height: 800 },
    image: { id: 1, width: 4000, height: 3000 },
  };
  const layer = new ImageLayer(host, frames, () => view);
  /** A store change of the camera. */
  const move = (v: Partial<ImageView["viewport"]>) => {
    const prev = { ...view };
    view.viewport = { ...view.viewport, ...v };
    layer.cameraChanged(view, prev);
  };
  const runFrame = () => {
    const f = frame;
    frame = null;
    f?.();
  };
  const flushPromises = () => new Promise((r) => setTimeout(r, 0));
  const fireTimers = (ms: number) => {
    clock.t += ms;
    for (const t of timers.filter((x) => x.at <= clock.t)) {
      timers.splice(timers.indexOf(t), 1);
      t.cb();
    }
  };
  return {
    layer,
    log,
    view,
    clock,
    move,
    runFrame,
    hasFrame: () => frame !== null,
    idles,
    idleCancelled: () => idleCancelled,
    snapshots,
    flushPromises,
    fireTimers,
  };
};

const fakeTiles = () => {
  const draws: { view: Bounds; camera: DeviceCamera; opts: TileDrawOptions }[] = [];
  const wants: { view: Bounds; scale: number }[] = [];
  const tiles: ImageTiles<ImageCtx<FakeBitmap>> = {
    draw(_ctx, view, camera, opts) {
      draws.push({ view, camera, opts });
      return true;
    },
    want(view, scale) {
      wants.push({ view, scale });
    },
  };
  return { tiles, draws, wants };
};

describe("ImageLayer: the picture under the shapes", () => {
  it("draws the untiled picture, then from the pyramid level the scale needs once it is built", async () => {
    const h = setup();
    h.move({ scale: 0.25 });
    const photo = new FakeBitmap("photo", 4000, 3000);
    h.layer.setPicture(photo, { width: 4000, height: 3000 });
    // At once, from the full picture: the visible part only (the whole image fits at 1/4).
    expect(h.log.draws).toEqual([{ bitmap: "photo", sx: 0, sy: 0, sw: 4000, sh: 3000 }]);
    // The smaller levels wait for an idle moment, then the picture is drawn from the quarter level.
    expect(h.idles).toHaveLength(1);
    h.idles[0]?.();
    await h.flushPromises();
    expect(h.log.draws).toEqual([{ bitmap: "quarter", sx: 0, sy: 0, sw: 1000, sh: 750 }]);
    // The same picture again (a re-render) rebuilds nothing.
    const shows = h.log.shows;
    h.layer.setPicture(photo, { width: 4000, height: 3000 });
    expect(h.log.shows).toBe(shows);
    expect(h.idles).toHaveLength(1);
  });

  it("stretches a stand-in smaller than the image over it, and builds no pyramid from it", () => {
    const h = setup();
    h.move({ scale: 0.25 });
    h.layer.setPicture(new FakeBitmap("preview", 400, 300), { width: 4000, height: 3000 });
    expect(h.log.draws).toEqual([{ bitmap: "preview", sx: 0, sy: 0, sw: 400, sh: 300 }]);
    expect(h.idles).toHaveLength(0);
  });

  it("moves the drawn picture for a small pan, and prepares the next one in strips past PREP_AT_PX", async () => {
    // Each strip "takes" 1 ms: two fit the 2 ms budget of a frame.
    const h = setup({ stripMs: 1 });
    h.layer.setPicture(new FakeBitmap("photo", 4000, 3000), { width: 4000, height: 3000 });
    const shows = h.log.shows;
    h.move({ offsetX: -10 });
    expect(h.log.transforms.at(-1)).toBe("translate(-10px, 0px) scale(1)");
    expect(h.log.shows).toBe(shows);
    expect(h.log.canvases).toBe(0);

    h.move({ offsetX: -PREP_AT_PX - 20 });
    expect(h.log.canvases).toBe(1);
    expect(h.log.shows).toBe(shows);
    let frames = 0;
    while (h.snapshots.length === 0 && frames < 20) {
      h.runFrame();
      frames++;
    }
    // 12 strips at two per frame: spread over six frames, never one whole redraw.
    expect(frames).toBe(PREP_STRIPS / 2);
    h.snapshots[0]?.resolve(new FakeBitmap("next", 1512, 1312));
    await h.flushPromises();
    h.runFrame();
    expect(h.log.shownBitmaps).toEqual(["next"]);
    expect(h.log.shows).toBe(shows);
    // The new picture was drawn for the camera of the pan: it shows unmoved.
    expect(h.log.transforms.at(-1)).toBe("translate(0px, 0px) scale(1)");
  });

  it("a pan that outruns the strips finishes them at once instead of a whole redraw", () => {
    const h = setup({ stripMs: 1 });
    h.move({ offsetX: -PREP_AT_PX - 20 });
    h.runFrame();
    const shows = h.log.shows;
    // Past the overscan of the drawn picture, within that of the one being prepared.
    h.move({ offsetX: -OVERSCAN_PX - 10 });
    expect(h.log.shows).toBe(shows);
    expect(h.log.shownBitmaps).toEqual(["canvas0"]);
  });

  it("tiled: draws the view's tiles; wheel steps scale the picture; the zoom's end draws it sharp", () => {
    const h = setup();
    const t = fakeTiles();
    h.layer.setTiles(t.tiles);
    expect(t.draws).toHaveLength(1);
    expect(t.draws[0]?.opts).toEqual({ coarser: 0, want: true });
    expect(t.draws[0]?.camera).toEqual({ scale: 1, x: OVERSCAN_PX, y: OVERSCAN_PX });

    h.layer.duringWheel(() => h.move({ scale: 1.25, offsetX: -50, offsetY: -40 }));
    h.clock.t += 10;
    h.layer.duringWheel(() => h.move({ scale: 1.5, offsetX: -100, offsetY: -80 }));
    // Only scaled: no tile drawn for the steps.
    expect(t.draws).toHaveLength(1);
    expect(h.log.transforms.at(-1)).toMatch(/scale\(1\.5\)$/);
    h.fireTimers(ZOOM_SERIES_MS);
    h.runFrame();
    expect(t.draws).toHaveLength(2);
    expect(t.draws[1]?.camera.scale).toBe(1.5);
    expect(t.draws[1]?.opts).toEqual({ coarser: 0, want: true });
    expect(h.log.transforms.at(-1)).toBe("translate(0px, 0px) scale(1)");
  });

  it("tiles arriving in one frame are drawn once, in that frame", () => {
    const h = setup();
    const t = fakeTiles();
    h.layer.setTiles(t.tiles);
    for (let i = 0; i < 5; i++) h.layer.tileArrived();
    expect(t.draws).toHaveLength(1);
    h.runFrame();
    expect(t.draws).toHaveLength(2);
    expect(h.hasFrame()).toBe(false);
  });

  it("untiled: the end of a wheel zoom is prepared in strips, not drawn whole in one frame", async () => {
    const h = setup({ stripMs: 1 });
    h.layer.setPicture(new FakeBitmap("photo", 4000, 3000), { width: 4000, height: 3000 });
    h.layer.duringWheel(() => h.move({ scale: 1.25 }));
    const shows = h.log.shows;
    h.fireTimers(ZOOM_SERIES_MS);
    h.runFrame();
    expect(h.log.canvases).toBe(1);
    expect(h.log.shows).toBe(shows);
    while (h.snapshots.length === 0) h.runFrame();
    h.snapshots[0]?.resolve(new FakeBitmap("sharp", 1, 1));
    await h.flushPromises();
    h.runFrame();
    expect(h.log.shownBitmaps).toEqual(["sharp"]);
    expect(h.log.transforms.at(-1)).toBe("translate(0px, 0px) scale(1)");
  });

  it("untiled: a wheel step that must draw mid-zoom draws at low resolution; its end draws it sharp", async () => {
    const h = setup({ stripMs: 1 });
    h.layer.setPicture(new FakeBitmap("photo", 4000, 3000), { width: 4000, height: 3000 });
    h.layer.duringWheel(() => h.move({ scale: 1.25 }));
    h.clock.t += 10;
    const shows = h.log.shows;
    // Scaled past 2x of the drawn picture: drawn in the wheel step's frame, a quarter of the pixels.
    h.layer.duringWheel(() => h.move({ scale: 2.5 }));
    expect(h.log.shows).toBe(shows + 1);
    expect(h.log.showSizes.at(-1)).toEqual({
      w: (1000 + 2 * OVERSCAN_PX) * COARSE_RESOLUTION,
      h: (800 + 2 * OVERSCAN_PX) * COARSE_RESOLUTION,
      dpr: COARSE_RESOLUTION,
    });
    // At rest the same camera is drawn again, sharp, in strips over frames (never whole in one).
    h.fireTimers(ZOOM_SERIES_MS);
    h.runFrame();
    expect(h.log.canvases).toBe(1);
    expect(h.log.shows).toBe(shows + 1);
    while (h.snapshots.length === 0) h.runFrame();
    h.snapshots[0]?.resolve(new FakeBitmap("sharp", 1512, 1312));
    await h.flushPromises();
    h.runFrame();
    expect(h.log.shownBitmaps).toEqual(["sharp"]);

    // A lone zoom (a key, fit) is drawn sharp at once, at full resolution.
    h.clock.t += 1000;
    h.move({ scale: 0.5 });
    expect(h.log.showSizes.at(-1)).toEqual({ w: 1000 + 2 * OVERSCAN_PX, h: 800 + 2 * OVERSCAN_PX, dpr: 1 });
    h.fireTimers(ZOOM_SERIES_MS);
    expect(h.hasFrame()).toBe(false);
  });

  it("disposing cancels the pyramid build and frames, and takes the picture away", () => {
    const h = setup();
    h.layer.setPicture(new FakeBitmap("photo", 4000, 3000), { width: 4000, height: 3000 });
    h.layer.tileArrived();
    h.layer.dispose();
    expect(h.idleCancelled()).toBe(1);
    expect(h.log.removed).toBe(true);
    expect(h.hasFrame()).toBe(false);
  });
});
