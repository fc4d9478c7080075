import type { EditorState } from "@labelbench/editor";
import { type Bounds, type Size, type Viewport, visibleImageBounds } from "@labelbench/geometry";
import { BitmapView, moveOnCompositor } from "./compositor";
import type { FrameBudget, FrameScheduler } from "./frame-scheduler";
import { ImageCamera, OVERSCAN_PX, PREP_AT_PX, PREP_STRIPS, ZOOM_SERIES_MS } from "./image-camera";
import { buildPyramid, type Level, pickLevel, sourceRect } from "./image-pyramid";
import type { DeviceCamera, TileDrawOptions } from "./tile-renderer";

/**
 * The image layer: the picture under the shapes, drawn into a bitmap the compositor moves
 * (compositor.ts) a margin of OVERSCAN_PX larger than the stage on every side. From a tiled image's
 * visible tiles when it has them, else from a pyramid of the untiled picture (image-pyramid.ts).
 *
 * - A camera change redraws the picture or only moves/scales what was drawn (image-camera.ts).
 * - A pan nearing the edge of the drawn picture prepares the next one a strip per frame, within the
 *   frame budget it shares with the shape layer (frame-scheduler.ts), and swaps it in when complete;
 *   a pan that outruns it finishes the strips left at once, still cheaper than a whole redraw.
 * - A wheel zoom's steps scale the picture; its end draws it sharp (tiled: at once, in the frame;
 *   untiled: prepared in strips, as a pan's next picture is). A step whose scaled picture no longer
 *   serves (past 2x, or not covering the image's part of the view) draws it at COARSE_RESOLUTION.
 * - Tiles that arrive are drawn in the next frame, once however many arrive.
 *
 * Everything the browser does goes through ImageLayerHost: domImageLayerHost in the app, a recorder
 * in the tests (image-layer.test.ts).
 */

/** A picture the layer draws from and shows: an ImageBitmap in the app. */
export interface LayerBitmap {
  readonly width: number;
  readonly height: number;
  close(): void;
}

/** The 2D context calls the layer makes (an offscreen canvas context in the app). */
export interface ImageCtx<B> {
  imageSmoothingEnabled: boolean;
  save(): void;
  restore(): void;
  beginPath(): void;
  rect(x: number, y: number, w: number, h: number): void;
  clip(): void;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  drawImage(
    image: B,
    sx: number,
    sy: number,
    sw: number,
    sh: number,
    dx: number,
    dy: number,
    dw: number,
    dh: number,
  ): void;
}

/** An offscreen canvas the next picture is prepared in, strip by strip. */
export interface PrepCanvas<B, C> {
  readonly width: number;
  readonly height: number;
  readonly ctx: C;
  /** Rasterises what was drawn now (canvas drawing is deferred), so the frame budget sees its cost. */
  flush(): void;
  /** A copy of the canvas, made by the browser off the main thread; the canvas keeps its pixels. */
  snapshot(): Promise<B>;
  /** Hands the pixels over without a copy, leaving the canvas blank. */
  transfer(): B;
}

/** The tiles of a tiled image (TileRenderer). */
export interface ImageTiles<C> {
  /** Draws the tiles covering `view` (image px) placed by `camera` (device px); asks for missing ones. */
  draw(ctx: C, view: Bounds, camera: DeviceCamera, opts: TileDrawOptions): boolean;
  /** Asks for the tiles a draw of `view` at `deviceScale` would need, without drawing. */
  want(view: Bounds, deviceScale: number): void;
}

/** Where the pixels go and where time comes from: the DOM in the app, a recorder in tests. */
export interface ImageLayerHost<B extends LayerBitmap, C> {
  /** Shows a `width` x `height` device-pixel picture painted by `paint`, now. */
  show(width: number, height: number, dpr: number, paint: (ctx: C) => void): void;
  /** Shows `bitmap` (and takes it). */
  showBitmap(bitmap: B, dpr: number): void;
  /** A canvas to prepare a picture in; null when the browser gives no context. */
  createCanvas(width: number, height: number): PrepCanvas<B, C> | null;
  /** Places the shown picture: a CSS transform, e.g. "translate(3px, 4px) scale(1)". */
  setTransform(transform: string): void;
  remove(): void;
  pixelRatio(): number;
  now(): number;
  /** Calls `cb` after `ms`; returns what cancels it. */
  setTimer(cb: () => void, ms: number): () => void;
  /** Calls `cb` once the page is idle (at most `timeoutMs` later); returns what cancels it. */
  whenIdle(cb: () => void, timeoutMs: number): () => void;
  /** The halved levels of `image` (level 0 is the image itself). */
  buildPyramid(image: B, size: Size): Promise<Level<B>[]>;
}

/** What the layer reads of the editor. */
export type ImageView = Pick<EditorState, "viewport" | "stageSize" | "image">;

/**
 * The resolution (of the device's) of a picture that must be drawn during a zoom: the scaled picture
 * no longer covers the view or is scaled past 2x (image-camera.ts). Drawn whole in the frame of a
 * wheel step, at full resolution it cost 20-45 ms for a 1920 x 1080 window in software, the frames
 * a zoom dropped (bench editor-gesture); it is soft only until the zoom's end draws it sharp.
 */
export const COARSE_RESOLUTION = 0.5;

/** The frame scheduler's calls the layer makes. */
export type ImageFrames = Pick<FrameScheduler, "request" | "cancel" | "requestInput">;

/** The next picture, prepared a strip per frame. */
interface Prep<B, C> {
  camera: Viewport;
  stage: Size;
  dpr: number;
  canvas: PrepCanvas<B, C>;
  next: number;
  rowsPerStrip: number;
  /** Tile arrivals when it started (a picture with stand-ins drawn before they came is redrawn). */
  arrivals: number;
  /** A copy of the finished picture, once the browser has made it (see workPrep). */
  bitmap: B | null;
  copying: boolean;
}

export class ImageLayer<B extends LayerBitmap, C extends ImageCtx<B>> {
  private tiles: ImageTiles<C> | null = null;
  /** What setPicture was last given. */
  private picture: { image: B | null; width: number | undefined; height: number | undefined } | null = null;
  private pyramid: { image: B; levels: Level<B>[] } | null = null;
  private cancelBuild: (() => void) | null = null;
  /**
   * The last picture was drawn mid-zoom (tiled: from a coarser tile level; `lowRes`: at
   * COARSE_RESOLUTION): the zoom's end draws it sharp.
   */
  private coarse = false;
  private lowRes = false;
  private prep: Prep<B, C> | null = null;
  /**
   * Two canvases the next picture is prepared in, in turn, kept from one pan to the next. A
   * window-sized canvas whose pixels were handed over allocates new ones on its next draw, 8-20 ms in
   * one strip (a new canvas costs as much), and one whose snapshot is on screen copies it on its next
   * draw (as much again). So a finished picture is snapshotted (under 1 ms for a canvas kept
   * readable) and the next one is prepared in the other canvas, whose snapshot left the screen when
   * this one came.
   */
  private spares: PrepCanvas<B, C>[] = [];
  /** The canvas whose snapshot is on screen (not to be drawn into). */
  private onScreen: PrepCanvas<B, C> | null = null;
  /** Tiles arrived since start. */
  private arrivals = 0;
  private transform = "";
  private cancelSettle: () => void = () => {};
  /** True while a wheel step is applied (the camera change it makes is a gesture's step). */
  private wheeling = false;

  constructor(
    private readonly host: ImageLayerHost<B, C>,
    private readonly frames: ImageFrames,
    private readonly view: () => ImageView,
    private readonly camera = new ImageCamera(),
  ) {
    this.camera.invalidate();
    this.applyCamera(view());
  }

  /** Follows a store change: `prev` is the state before it. */
  cameraChanged(s: ImageView, prev: ImageView): void {
    if (s.stageSize !== prev.stageSize) this.camera.invalidate();
    if (s.viewport !== prev.viewport || s.stageSize !== prev.stageSize) this.applyCamera(s);
  }

  /** Runs `apply` (a wheel step's dispatch) as a zoom gesture's step: the picture is scaled, even the first time. */
  duringWheel(apply: () => void): void {
    this.wheeling = true;
    try {
      apply();
    } finally {
      this.wheeling = false;
    }
  }

  /** The tiles of a tiled image (null: draw the picture): what was drawn is forgotten and drawn afresh. */
  setTiles(tiles: ImageTiles<C> | null): void {
    if (tiles === this.tiles) return;
    this.tiles = tiles;
    this.camera.invalidate();
    this.applyCamera(this.view());
  }

  /** A tile arrived: drawn in the next frame, once however many arrive in it. */
  tileArrived(): void {
    this.arrivals += 1;
    this.frames.request(this.redrawArrived);
  }

  /**
   * The untiled picture, `size` the image's size (EXIF orientation applied). Smaller levels are built
   * once the page is idle: resampling a 12 MP picture blocks the main thread for a few hundred ms, not
   * to be spent while the image and its shapes are being put on screen.
   */
  setPicture(image: B | null, size: Size | null): void {
    const last = this.picture;
    if (last && last.image === image && last.width === size?.width && last.height === size?.height) return;
    this.picture = { image, width: size?.width, height: size?.height };
    this.cancelBuild?.();
    this.cancelBuild = null;
    if (!image || !size || size.width <= 0 || size.height <= 0) {
      this.pyramid = null;
      if (image) this.redraw();
      return;
    }
    if (image.width !== size.width || image.height !== size.height) {
      // A stand-in smaller than the image (a tiled image's preview), stretched over [0,W]x[0,H]: it
      // already is a shrunk level, and the full size must never be allocated.
      const factor = image.width / size.width;
      this.pyramid = { image, levels: [{ bitmap: image, factor, width: image.width, height: image.height }] };
      this.redraw();
      return;
    }
    this.pyramid = { image, levels: [{ bitmap: image, factor: 1, ...size }] };
    let alive = true;
    const build = () =>
      this.host.buildPyramid(image, size).then(
        (levels) => {
          if (!alive || this.pyramid?.image !== image) return;
          this.pyramid = { image, levels };
          this.redraw();
        },
        // Without the smaller levels the full image still draws, only slower.
        () => {},
      );
    const cancelIdle = this.host.whenIdle(build, 3000);
    this.cancelBuild = () => {
      alive = false;
      cancelIdle();
    };
    this.redraw();
  }

  dispose(): void {
    this.cancelBuild?.();
    this.cancelSettle();
    this.frames.cancel(this.redrawArrived);
    this.cancelPrep();
    this.host.remove();
  }

  /** Draws the image again for the camera it was drawn with (a new picture or pyramid level). */
  private redraw() {
    this.frames.cancel(this.redrawArrived);
    this.paintImage(this.coarse, false, this.lowRes);
  }

  /** Arrived tiles drawn in the next frame; the shapes and strips get what budget it leaves. */
  private readonly redrawArrived = (budget: FrameBudget): boolean => {
    // A picture being prepared goes on: it is redrawn after its swap if it missed these tiles.
    this.paintImage(this.coarse, true, this.lowRes);
    budget.spend();
    return false;
  };

  /**
   * Draws the picture for camera `d` into `ctx` (a canvas of the stage plus the overscan), all of it
   * or the device rows [rows[0], rows[1]) (a strip of a picture prepared over several frames).
   */
  private paintInto(
    ctx: C,
    d: Viewport,
    stage: Size,
    dpr: number,
    opts: { zooming?: boolean; rows?: [number, number] } = {},
  ) {
    const k = d.scale * dpr;
    const ox = (d.offsetX + OVERSCAN_PX) * dpr;
    const oy = (d.offsetY + OVERSCAN_PX) * dpr;
    const rows = opts.rows;
    const area = { width: stage.width + 2 * OVERSCAN_PX, height: stage.height + 2 * OVERSCAN_PX };
    const whole = visibleImageBounds({ scale: d.scale, offsetX: ox / dpr, offsetY: oy / dpr }, area);
    const view = rows ? { ...whole, minY: (rows[0] - oy) / k, maxY: (rows[1] - oy) / k } : whole;
    if (rows) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, rows[0], area.width * dpr + 1, rows[1] - rows[0]);
      ctx.clip();
    }
    if (this.tiles) {
      // Mid-zoom, one level coarser: a quarter of the pixels to resample, and the level the zoom
      // passes through is rarely loaded anyway. A strip must not replace the whole view's wants.
      this.tiles.draw(ctx, view, { scale: k, x: ox, y: oy }, { coarser: opts.zooming ? 1 : 0, want: !rows });
    } else {
      ctx.setTransform(k, 0, 0, k, ox, oy);
      this.drawPicture(ctx, d, view);
    }
    if (rows) ctx.restore();
  }

  /** Draws `area` (image pixels) of the untiled picture, under a transform from image pixels for camera `d`. */
  private drawPicture(ctx: C, d: Viewport, area: Bounds) {
    const image = this.view().image;
    const p = this.pyramid;
    if (!p || !image) return;
    const level = pickLevel(p.levels, d.scale);
    if (!level) return;
    const r = sourceRect(area, image, level.factor);
    if (!r) return;
    const f = level.factor;
    // Crisp pixels when zoomed in, smooth when the image is shrunk.
    ctx.imageSmoothingEnabled = d.scale < 1;
    ctx.drawImage(level.bitmap, r.x * f, r.y * f, r.width * f, r.height * f, r.x, r.y, r.width, r.height);
  }

  private paintImage(zooming = false, keepPrep = false, lowRes = false) {
    if (!keepPrep) this.cancelPrep();
    const s = this.view();
    this.coarse = zooming;
    this.lowRes = lowRes;
    const dpr = this.host.pixelRatio() * (lowRes ? COARSE_RESOLUTION : 1);
    const w = (s.stageSize.width + 2 * OVERSCAN_PX) * dpr;
    const h = (s.stageSize.height + 2 * OVERSCAN_PX) * dpr;
    const d = this.camera.drawnWith;
    this.onScreen = null;
    this.host.show(w, h, dpr, (ctx) => {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      if (d) this.paintInto(ctx, d, s.stageSize, dpr, { zooming });
    });
  }

  private cancelPrep() {
    this.prep = null;
    this.frames.cancel(this.workPrep);
  }

  private startPrep(s: ImageView) {
    const dpr = this.host.pixelRatio();
    const snap = (t: number) => Math.round(t * dpr) / dpr;
    const camera = {
      scale: s.viewport.scale,
      offsetX: snap(s.viewport.offsetX),
      offsetY: snap(s.viewport.offsetY),
    };
    const w = Math.max(1, Math.round((s.stageSize.width + 2 * OVERSCAN_PX) * dpr));
    const h = Math.max(1, Math.round((s.stageSize.height + 2 * OVERSCAN_PX) * dpr));
    if (!this.spares.every((x) => x.width === w && x.height === h)) this.spares.length = 0;
    let canvas = this.spares.find((x) => x !== this.onScreen);
    if (!canvas) {
      const created = this.host.createCanvas(w, h);
      if (!created) return;
      canvas = created;
      this.spares.push(canvas);
    }
    this.prep = {
      camera,
      stage: s.stageSize,
      dpr,
      canvas,
      next: 0,
      rowsPerStrip: Math.ceil(h / PREP_STRIPS),
      arrivals: this.arrivals,
      bitmap: null,
      copying: false,
    };
    this.tiles?.want(
      visibleImageBounds(
        { scale: camera.scale, offsetX: camera.offsetX + OVERSCAN_PX, offsetY: camera.offsetY + OVERSCAN_PX },
        { width: s.stageSize.width + 2 * OVERSCAN_PX, height: s.stageSize.height + 2 * OVERSCAN_PX },
      ),
      camera.scale * dpr,
    );
    this.frames.request(this.workPrep);
  }

  /** Draws strips of the prepared picture: while the frame's budget lasts, or all that is left. */
  private drawStrips(budget: FrameBudget | null) {
    const p = this.prep;
    if (!p) return;
    const h = p.canvas.height;
    while (p.next < h) {
      if (budget && !budget.left()) break;
      const y1 = Math.min(h, p.next + p.rowsPerStrip);
      // The reused canvas still holds the last picture: clear the strip's rows before drawing.
      p.canvas.ctx.setTransform(1, 0, 0, 1, 0, 0);
      p.canvas.ctx.clearRect(0, p.next, p.canvas.width, y1 - p.next);
      this.paintInto(p.canvas.ctx, p.camera, p.stage, p.dpr, { rows: [p.next, y1] });
      p.canvas.flush();
      p.next = y1;
      budget?.spend();
    }
  }

  /** Shows the prepared picture (complete) in place of the drawn one. */
  private swapPrep() {
    const p = this.prep;
    if (!p) return;
    this.prep = null;
    this.frames.cancel(this.workPrep);
    // Without a snapshot (the pan outran it), the pixels are handed over; the canvas reallocates.
    this.host.showBitmap(p.bitmap ?? p.canvas.transfer(), p.dpr);
    // Either way the next picture is prepared in the other canvas.
    this.onScreen = p.canvas;
    this.camera.markDrawn(p.camera);
    this.coarse = false;
    this.lowRes = false;
    // Tiles that arrived meanwhile may be missing from strips drawn before they came.
    if (p.arrivals !== this.arrivals) this.tileArrived();
  }

  /** The image layer's share of the frame: strips of the next picture (frame-scheduler.ts). */
  private readonly workPrep = (budget: FrameBudget): boolean => {
    const p = this.prep;
    if (!p) return false;
    if (p.next < p.canvas.height) {
      this.drawStrips(budget);
      if (p.next < p.canvas.height) return true;
    }
    if (!p.bitmap) {
      if (!p.copying) {
        p.copying = true;
        p.canvas.snapshot().then(
          (bitmap) => {
            if (this.prep !== p) {
              bitmap.close();
              return;
            }
            p.bitmap = bitmap;
            this.frames.request(this.workPrep);
          },
          () => {
            // No snapshot: hand the canvas itself over now.
            if (this.prep === p) {
              p.copying = false;
              p.bitmap = null;
              this.swapPrep();
              this.applyCamera(this.view());
            }
          },
        );
      }
      return false;
    }
    this.swapPrep();
    this.applyCamera(this.view());
    return false;
  };

  /** Redraws the picture for the camera, or moves what it drew (see image-camera.ts). */
  private applyCamera(s: ImageView, settle = false) {
    const drawnBefore = this.camera.drawnWith;
    const prep = this.prep;
    if (
      settle &&
      this.tiles === null &&
      drawnBefore &&
      (drawnBefore.scale !== s.viewport.scale || this.coarse)
    ) {
      // The end of a wheel zoom on an untiled image: the sharp picture is prepared in strips and
      // swapped in (as a pan's next picture is), not redrawn whole in one frame (20-35 ms for a
      // 1920 x 1080 window in software, a dropped frame). The scaled picture shows meanwhile.
      if (!prep || prep.camera.scale !== s.viewport.scale || prep.stage !== s.stageSize) this.startPrep(s);
      return;
    }
    const zoomStep = !settle && drawnBefore !== null && drawnBefore.scale !== s.viewport.scale;
    if (settle && this.coarse) this.camera.invalidate();
    const step = this.camera.step(
      s.viewport,
      s.stageSize,
      this.host.now(),
      this.host.pixelRatio(),
      settle,
      this.wheeling,
      s.image,
    );
    const [x, y, k] = step.kind === "draw" ? [0, 0, 1] : [step.x, step.y, step.k];
    const t = `translate(${x}px, ${y}px) scale(${k})`;
    if (t !== this.transform) {
      this.transform = t;
      this.host.setTransform(t);
    }
    if (this.prep && (this.prep.camera.scale !== s.viewport.scale || this.prep.stage !== s.stageSize))
      this.cancelPrep();
    const drawn = this.camera.drawnWith;
    if (step.kind === "move" && step.k === 1 && !zoomStep && this.prep === null && drawn) {
      const drift = Math.max(
        Math.abs(s.viewport.offsetX - drawn.offsetX),
        Math.abs(s.viewport.offsetY - drawn.offsetY),
      );
      if (drift > PREP_AT_PX) this.startPrep(s);
    }
    if (step.kind === "draw") {
      const p = this.prep;
      if (
        p &&
        !zoomStep &&
        p.camera.scale === s.viewport.scale &&
        p.stage === s.stageSize &&
        Math.abs(s.viewport.offsetX - p.camera.offsetX) <= OVERSCAN_PX &&
        Math.abs(s.viewport.offsetY - p.camera.offsetY) <= OVERSCAN_PX
      ) {
        // The pan outran the strips: finish the prepared picture now, still cheaper than a new one.
        this.drawStrips(null);
        this.swapPrep();
        this.applyCamera(s);
        return;
      }
      // A wheel step whose scaled picture no longer serves: drawn at COARSE_RESOLUTION.
      const lowRes = zoomStep && this.wheeling;
      this.paintImage((zoomStep && this.tiles !== null) || lowRes, false, lowRes);
      if (this.coarse) this.settleLater();
    } else if (k !== 1) {
      // A wheel zoom's steps only scale the picture: draw it sharp once the steps stop.
      this.settleLater();
    }
  }

  /**
   * The end of a zoom draws the image sharp at the start of a frame (FrameScheduler.requestInput),
   * not in a timer task of its own: the shape layer, catching up in the same frames, then sees the
   * time the redraw took in its deadline (shape-raster.ts) and the frame is not overrun.
   */
  private readonly settleImage = () => this.applyCamera(this.view(), true);

  private settleLater() {
    this.cancelSettle();
    this.cancelSettle = this.host.setTimer(() => this.frames.requestInput(this.settleImage), ZOOM_SERIES_MS);
  }
}

/**
 * The DOM host: the picture is drawn straight into the bitmap a "bitmaprenderer" canvas in `root`
 * shows, which the compositor moves without copying it again on every frame (compositor.ts).
 */
export const domImageLayerHost = (
  root: HTMLElement,
): ImageLayerHost<ImageBitmap, OffscreenCanvasRenderingContext2D> => {
  moveOnCompositor(root);
  const picture = new BitmapView(root, "ed-stage__picture");
  return {
    show: (w, h, dpr, paint) => picture.show(w, h, dpr, paint),
    showBitmap: (bitmap, dpr) => picture.presentBitmap(bitmap, dpr),
    createCanvas(width, height) {
      const canvas = new OffscreenCanvas(width, height);
      // Kept in memory the page reads: createImageBitmap snapshots it without a readback.
      const ctx = canvas.getContext("2d", { willReadFrequently: true });
      if (!ctx) return null;
      return {
        width,
        height,
        ctx,
        flush: () => {
          ctx.getImageData(0, 0, 1, 1);
        },
        snapshot: () => createImageBitmap(canvas),
        transfer: () => canvas.transferToImageBitmap(),
      };
    },
    setTransform(t) {
      root.style.transform = t;
    },
    remove: () => picture.el.remove(),
    pixelRatio: () => window.devicePixelRatio || 1,
    now: () => performance.now(),
    setTimer(cb, ms) {
      const id = window.setTimeout(cb, ms);
      return () => window.clearTimeout(id);
    },
    whenIdle(cb, timeoutMs) {
      if (window.requestIdleCallback) {
        const id = window.requestIdleCallback(cb, { timeout: timeoutMs });
        return () => window.cancelIdleCallback(id);
      }
      // Without idle callbacks (Safari), a second after the image opened.
      const id = window.setTimeout(cb, 1000);
      return () => window.clearTimeout(id);
    },
    buildPyramid,
  };
};
