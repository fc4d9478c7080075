import type { EditorState } from "@labelbench/editor";
import type { Bounds, Size, Viewport } from "@labelbench/geometry";
import { visibleImageBounds } from "@labelbench/geometry";
import type { FrameBudget, FrameScheduler } from "./frame-scheduler";
import { marksLive, type OverlayMarks } from "./overlay-layer";
import type { Area } from "./overlay-view";
import { domRasterHost, type HostPicture, ZOOM_SETTLE_MS } from "./shape-raster";

/**
 * Marks over the shapes that change rarely (the review's issues and re-review diff,
 * issues/review-marks.ts), kept as one picture that the compositor moves, like the shapes' picture
 * (shape-raster.ts): drawn for a camera with a margin round the stage, moved on a pan, scaled during
 * a zoom and drawn again at the new scale once it rests.
 *
 * Measured (bench review-open, 200 issues and a diff): drawn on the overlay in every frame, they cost
 * 5-7 ms of a 1:1 pan's or zoom's frame on top of the same scene without them (14.4 / 12.5 ms p95
 * against 6.8 / 7.0), and the overlay's canvas, never empty, was copied to the compositor in every
 * frame. While a gesture moves shapes (a drag's preview) the marks on them move every frame: then the
 * overlay draws them (it draws the moving shapes anyway) and this picture stands aside.
 */

/** The picture reaches this far beyond the stage on every side (CSS pixels). */
export const MARKS_MARGIN_PX = 256;
/**
 * How far a mark's screen-sized parts reach beyond its image bounds (CSS pixels): a shape's pin sits
 * outside its top right corner (twice the selected pin's radius and its halo), plus the outline's halo.
 */
export const MARKS_REACH_PX = 32;

/** Marks that can be kept as a picture: the overlay's interface, plus what the picture needs. */
export interface CanvasMarks extends OverlayMarks {
  /** What they show besides the camera (compared by identity): a change draws the picture again. */
  contentKey(s: EditorState): readonly unknown[];
  /** The image area (image pixels) every mark lies in, before its screen-sized parts; null: none. */
  extent(s: EditorState): Bounds | null;
  /**
   * How far the marks' screen-sized parts reach beyond `extent` on each side (CSS pixels);
   * MARKS_REACH_PX on every side when absent. The picture holds only what lies within.
   */
  readonly reachPx?: { left: number; top: number; right: number; bottom: number };
  /** Draws in CSS pixels for `viewport`, on an area of `stage` (culling what lies outside it). */
  drawAt(ctx: CanvasRenderingContext2D, s: EditorState, viewport: Viewport, stage: Size): Area | null;
}

/** Where the picture goes: the DOM (a bitmap picture, shape-raster.ts's host) in the app, a recorder in tests. */
export interface MarksHost {
  picture: HostPicture<unknown>;
  /** The context of the picture being composed (after picture.begin()), in device pixels. */
  context(): CanvasRenderingContext2D;
  pixelRatio(): number;
}

interface Picture {
  key: readonly unknown[];
  /** The camera it was drawn for (offsets on whole device pixels). */
  camera: Viewport;
  stage: Size;
  dpr: number;
  /** The image area it covers: the stage and the margin. */
  area: Bounds;
  /**
   * Where its pixels start within that area (CSS pixels from the area's top-left): the picture holds
   * only the part the marks reach.
   */
  crop: { x: number; y: number };
}

const sameKey = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((k, i) => k === b[i]);

const covers = (outer: Bounds, inner: Bounds) =>
  outer.minX <= inner.minX &&
  outer.minY <= inner.minY &&
  outer.maxX >= inner.maxX &&
  outer.maxY >= inner.maxY;

const grow = (b: Bounds, d: number): Bounds => ({
  minX: b.minX - d,
  minY: b.minY - d,
  maxX: b.maxX + d,
  maxY: b.maxY + d,
});

/** The part of `a` inside `b`, or null. */
const clip = (a: Bounds, b: Bounds): Bounds | null => {
  const out = {
    minX: Math.max(a.minX, b.minX),
    minY: Math.max(a.minY, b.minY),
    maxX: Math.min(a.maxX, b.maxX),
    maxY: Math.min(a.maxY, b.maxY),
  };
  return out.minX <= out.maxX && out.minY <= out.maxY ? out : null;
};

/** What a store change may alter in the picture (besides the marks' own changes, which they announce). */
export const marksLayerChanged = (s: EditorState, prev: EditorState): boolean =>
  s.viewport !== prev.viewport ||
  s.stageSize !== prev.stageSize ||
  s.doc !== prev.doc ||
  s.preview !== prev.preview ||
  s.issueDraft !== prev.issueDraft ||
  s.image !== prev.image;

export class MarksLayer {
  private marks: CanvasMarks | null = null;
  private unsubscribe: () => void = () => {};
  private shown: Picture | null = null;
  /** A picture drawn ahead (a pan nearing the margin, a zoom at rest), shown once its copy is out. */
  private pending: { pic: Picture; ready: boolean } | null = null;
  private visible = false;
  private transform = "";
  private lastScale = Number.NaN;
  private scaleChangedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly host: MarksHost,
    private readonly frames: Pick<FrameScheduler, "request" | "cancel">,
    private readonly state: () => EditorState,
    private readonly onDraw: () => void = () => {},
    private readonly margin = MARKS_MARGIN_PX,
    /**
     * Whether the marks sit on shapes (review pins) and so give way to the overlay while a drag
     * moves shapes; marks of their own (predictions) stay in the picture.
     */
    private readonly onShapes = true,
  ) {}

  setMarks(marks: CanvasMarks | null): void {
    if (marks === this.marks) return;
    this.unsubscribe();
    this.marks = marks;
    this.unsubscribe = marks?.subscribe(() => this.request()) ?? (() => {});
    this.request();
  }

  stateChanged(s: EditorState, prev: EditorState): void {
    if (this.marks && marksLayerChanged(s, prev)) this.request();
  }

  request(): void {
    this.frames.request(this.frame);
  }

  dispose(): void {
    this.frames.cancel(this.frame);
    this.unsubscribe();
    this.host.picture.remove();
  }

  private hide() {
    this.shown = null;
    this.pending = null;
    if (this.visible) {
      this.visible = false;
      this.host.picture.setVisible(false);
    }
  }

  /** The marks layer's share of the frame (frame-scheduler.ts); true while it wants more frames. */
  private readonly frame = (budget: FrameBudget): boolean => {
    const s = this.state();
    const marks = this.marks;
    if (!marks || !s.image || !marks.hasContent(s) || (this.onShapes && marksLive(s))) {
      this.hide();
      return false;
    }
    // The frame's own timestamp, as the shapes' picture counts a zoom's rest (ZOOM_SETTLE_MS).
    const start = budget.frameStart;
    const v = s.viewport;
    if (v.scale !== this.lastScale) {
      this.lastScale = v.scale;
      this.scaleChangedAt = start;
    }
    const key = marks.contentKey(s);
    const dpr = this.host.pixelRatio();
    const fits = (p: Picture) =>
      sameKey(p.key, key) &&
      p.dpr === dpr &&
      p.stage.width === s.stageSize.width &&
      p.stage.height === s.stageSize.height;
    // A picture drawn ahead for content that has changed since is of no use.
    if (this.pending && !fits(this.pending.pic)) this.pending = null;
    if (this.pending?.ready) {
      this.shown = this.pending.pic;
      this.pending = null;
      this.host.picture.show(dpr, this.margin);
      this.transform = "";
    }

    const pic = this.shown;
    const settled = start - this.scaleChangedAt >= ZOOM_SETTLE_MS;
    const extent = marks.extent(s);
    const view = visibleImageBounds(v, s.stageSize);
    /** The marks' area on screen, with their screen-sized parts: what a picture must hold. */
    const reach = extent ? grow(extent, MARKS_REACH_PX / v.scale) : null;
    const needed = reach ? clip(view, reach) : null;
    let more = false;
    let draw: "now" | "ahead" | null = null;
    if (!pic || !fits(pic)) draw = "now";
    else if (pic.camera.scale !== v.scale) {
      // A zoom scales the picture (soft for a moment), then draws it sharp at the new scale.
      if (settled) draw = "ahead";
      else more = true;
    } else if (needed && !covers(pic.area, needed)) draw = "now";
    else if (reach && !covers(pic.area, reach)) {
      // Marks lie beyond the picture: draw the next one ahead once the view is past half the margin.
      const drift = Math.max(
        Math.abs(v.offsetX - pic.camera.offsetX),
        Math.abs(v.offsetY - pic.camera.offsetY),
      );
      if (drift > this.margin / 2) draw = "ahead";
    }
    if (draw === "ahead" && this.pending && this.pending.pic.camera.scale === v.scale) {
      // One is on its way for this scale: wait for it, unless the view has left it already.
      if (needed === null || covers(this.pending.pic.area, needed)) draw = null;
      more = true;
    }

    if (draw === "now") {
      this.pending = null;
      this.shown = this.paint(marks, s, dpr, key);
      this.host.picture.show(dpr, this.margin);
      this.transform = "";
    } else if (draw === "ahead") {
      if (budget.left()) {
        // The picture on screen stays until the new one's copy is out (a frame or two).
        const pending = { pic: this.paint(marks, s, dpr, key), ready: false };
        budget.spend();
        this.pending = pending;
        const done = () => {
          if (this.pending === pending) {
            pending.ready = true;
            this.request();
          }
        };
        const prepare = this.host.picture.prepare;
        if (prepare) prepare.call(this.host.picture).then(done, done);
        else pending.ready = true;
      }
      more = true;
    }
    if (this.pending) more = true;

    const shown = this.shown;
    if (shown) {
      if (!this.visible) {
        this.visible = true;
        this.host.picture.setVisible(true);
      }
      this.place(shown, v);
    }
    return more;
  };

  /** Draws the marks for the current camera into the picture being composed. */
  private paint(marks: CanvasMarks, s: EditorState, dpr: number, key: readonly unknown[]): Picture {
    const m = this.margin;
    const snap = (t: number) => Math.round(t * dpr) / dpr;
    const camera = {
      scale: s.viewport.scale,
      offsetX: snap(s.viewport.offsetX),
      offsetY: snap(s.viewport.offsetY),
    };
    const stage = s.stageSize;
    const size = { width: stage.width + 2 * m, height: stage.height + 2 * m };
    // Only the part of the area the marks reach, on whole device pixels: a focused prediction's
    // picture is the size of the prediction, not of the window. Each picture costs its pixels
    // (cleared, handed to the compositor, allocated again): two window-sized ones were most of a
    // prediction step's work (issue 17).
    const e = marks.extent(s);
    const r = marks.reachPx ?? {
      left: MARKS_REACH_PX,
      top: MARKS_REACH_PX,
      right: MARKS_REACH_PX,
      bottom: MARKS_REACH_PX,
    };
    const px = (x: number, off: number) => x * camera.scale + off + m;
    const floor = (t: number) => Math.floor(t * dpr) / dpr;
    const ceil = (t: number) => Math.ceil(t * dpr) / dpr;
    const x0 = e ? Math.max(0, floor(px(e.minX, camera.offsetX) - r.left)) : 0;
    const y0 = e ? Math.max(0, floor(px(e.minY, camera.offsetY) - r.top)) : 0;
    const x1 = e ? Math.min(size.width, ceil(px(e.maxX, camera.offsetX) + r.right)) : size.width;
    const y1 = e ? Math.min(size.height, ceil(px(e.maxY, camera.offsetY) + r.bottom)) : size.height;
    const crop = { x: Math.min(x0, size.width), y: Math.min(y0, size.height) };
    this.host.picture.begin(
      Math.max(1, Math.round((x1 - crop.x) * dpr)),
      Math.max(1, Math.round((y1 - crop.y) * dpr)),
    );
    const ctx = this.host.context();
    ctx.setTransform(dpr, 0, 0, dpr, -crop.x * dpr, -crop.y * dpr);
    marks.drawAt(ctx, s, { ...camera, offsetX: camera.offsetX + m, offsetY: camera.offsetY + m }, size);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.onDraw();
    return {
      key,
      camera,
      stage,
      dpr,
      crop,
      area: {
        minX: (-m - camera.offsetX) / camera.scale,
        minY: (-m - camera.offsetY) / camera.scale,
        maxX: (stage.width + m - camera.offsetX) / camera.scale,
        maxY: (stage.height + m - camera.offsetY) / camera.scale,
      },
    };
  }

  /** Moves the shown picture to the camera (its top-left sits at (-margin, -margin) of its own). */
  private place(pic: Picture, v: Viewport) {
    const d = pic.camera;
    const k = v.scale / d.scale;
    const m = this.margin;
    const snap = (t: number) => (k === 1 ? Math.round(t * pic.dpr) / pic.dpr : t);
    // The cropped picture's pixels start `crop` into the area: its element is moved on by k * crop.
    const x = snap(m * (1 - k) + v.offsetX - k * d.offsetX + k * pic.crop.x);
    const y = snap(m * (1 - k) + v.offsetY - k * d.offsetY + k * pic.crop.y);
    const t = `${x},${y},${k}`;
    if (t === this.transform) return;
    this.transform = t;
    this.host.picture.setTransform(x, y, k);
  }
}

/** The DOM host: a bitmap picture in `root` (over the shapes' one, appended after it), composed offscreen. */
export const domMarksHost = (root: HTMLElement): MarksHost => {
  const raster = domRasterHost(root);
  return {
    picture: raster.picture,
    // The offscreen context draws as the page's does (drawMarks uses no DOM-only call).
    context: () => raster.pictureContext() as unknown as CanvasRenderingContext2D,
    pixelRatio: () => window.devicePixelRatio || 1,
  };
};
