import type { Viewport } from "@labelbench/geometry";

/**
 * How the image layer follows the camera. Redrawing the window-sized image canvas costs a few ms per
 * frame in software rendering (mostly handing the new bitmap to the compositor), while moving an
 * already drawn canvas with a CSS transform costs almost nothing. So the layer is drawn a margin of
 * OVERSCAN_PX larger than the stage on every side and:
 *
 * - a pan that stays within the margin only moves the drawn canvas;
 * - the steps of a zoom gesture (scale changes less than ZOOM_SERIES_MS apart) scale it, while what
 *   is drawn still covers the view; the gesture's first step and its end (`settle`) draw, so a single
 *   zoom (a key, a button, fit) is sharp at once and a wheel zoom is sharp once it stops. A wheel's
 *   first step (`gesture`) scales too: more steps nearly always follow, and a whole redraw in that
 *   frame (20-35 ms for a 1920 x 1080 window in software) dropped a frame at the start of every zoom;
 * - anything else draws.
 */

export const OVERSCAN_PX = 256;
export const ZOOM_SERIES_MS = 150;
/**
 * A pan past PREP_AT_PX starts preparing the next picture (centred on the view) in PREP_STRIPS
 * strips, drawn while the frame's budget shared with the shape layer lasts (frame-scheduler.ts), and
 * swaps it in when complete; a pan that outruns it finishes the strips left at once, still cheaper
 * than a whole redraw. Early enough that a brisk pan (15 px a frame) does not outrun it.
 */
export const PREP_AT_PX = OVERSCAN_PX / 4;
export const PREP_STRIPS = 12;

export type CameraStep =
  | { kind: "draw" }
  /** screen = drawn * k + (x, y) for the canvas element, which sits OVERSCAN_PX up and left. */
  | { kind: "move"; x: number; y: number; k: number };

export class ImageCamera {
  private drawn: Viewport | null = null;
  private lastScaleChange = Number.NEGATIVE_INFINITY;

  constructor(private readonly overscan = OVERSCAN_PX) {}

  /** The camera the canvas was last drawn with. */
  get drawnWith(): Viewport | null {
    return this.drawn;
  }

  /** Records that a picture drawn (prepared) for camera `v` is what now shows. */
  markDrawn(v: Viewport) {
    this.drawn = v;
  }

  /** Forgets the drawing (stage resized, new picture): the next step draws. */
  invalidate() {
    this.drawn = null;
  }

  /**
   * What to do for camera `v` on a stage of `stage` CSS pixels at `now` (ms). `settle` asks whether a
   * zoom gesture that has ended must now be drawn sharp. A "draw" step records `v` as drawn.
   */
  step(
    v: Viewport,
    stage: { width: number; height: number },
    now: number,
    dpr: number,
    settle = false,
    gesture = false,
    image: { width: number; height: number } | null = null,
  ): CameraStep {
    const d = this.drawn;
    const m = this.overscan;
    const draw = (): CameraStep => {
      this.drawn = v;
      return { kind: "draw" };
    };
    if (!d) return draw();
    let k = 1;
    if (v.scale !== d.scale) {
      if (settle) return draw();
      const series = gesture || now - this.lastScaleChange < ZOOM_SERIES_MS;
      this.lastScaleChange = now;
      k = v.scale / d.scale;
      if (!series || k < 0.5 || k > 2) return draw();
      // The drawn picture covers image x in [(-m - d.offsetX) / d.scale, (W + m - d.offsetX) / d.scale];
      // the view needs only what lies on the image (beyond its edges nothing is drawn), so a zoom out
      // past the whole image keeps scaling the picture that holds it.
      const covers = (off: number, dOff: number, side: number, extent: number) => {
        const from = Math.max(-off / v.scale, 0);
        const to = Math.min((side - off) / v.scale, extent);
        return to <= from || ((-m - dOff) / d.scale <= from && (side + m - dOff) / d.scale >= to);
      };
      const w = image?.width ?? Number.POSITIVE_INFINITY;
      const h = image?.height ?? Number.POSITIVE_INFINITY;
      if (!covers(v.offsetX, d.offsetX, stage.width, w) || !covers(v.offsetY, d.offsetY, stage.height, h))
        return draw();
    } else if (settle) return { kind: "move", ...this.offsetFor(v, d, 1, dpr), k: 1 };
    else if (Math.abs(v.offsetX - d.offsetX) > m || Math.abs(v.offsetY - d.offsetY) > m) return draw();
    return { kind: "move", ...this.offsetFor(v, d, k, dpr), k };
  }

  private offsetFor(v: Viewport, d: Viewport, k: number, dpr: number) {
    const m = this.overscan;
    // Drawn screen point p' (element at -m) lands on (p' - d.offset) * k + v.offset.
    const x = m * (1 - k) + v.offsetX - k * d.offsetX;
    const y = m * (1 - k) + v.offsetY - k * d.offsetY;
    // Unscaled, whole device pixels: a fractional shift would resample the whole picture.
    const snap = (t: number) => (k === 1 ? Math.round(t * dpr) / dpr : t);
    return { x: snap(x), y: snap(y) };
  }
}
