/**
 * Pictures the compositor can move for free.
 *
 * Measured in headless Chromium with software rendering (docs/architecture.md, "Rendering for
 * density"):
 * - a 2D canvas under a changing CSS transform is handed to the compositor again on every frame (a
 *   full copy of its pixels, 1-3 ms for a window-sized one), even when nothing was drawn on it;
 * - a "bitmaprenderer" canvas showing an ImageBitmap is not: its picture is set once;
 * - after every inline transform change Chromium re-layerizes the whole page (several ms with the
 *   editor's panels) unless the element has an active transform animation, in which case the new
 *   matrix goes straight to the compositor.
 * So the moving layers show their pictures through a BitmapView whose element carries a paused,
 * additive, identity transform animation (it changes nothing on screen).
 */

/** Lets later writes of `el.style.transform` go straight to the compositor (see above). */
export const moveOnCompositor = (el: HTMLElement): void => {
  // Browsers without the Web Animations API (the jsdom tests) simply skip it.
  el.animate?.(
    [
      { transform: "translate(0px, 0px)", composite: "add" },
      { transform: "translate(0px, 0px)", composite: "add" },
    ],
    { duration: 1e9 },
  )?.pause();
};

/** A canvas element showing pictures painted offscreen, moved with CSS transforms. */
export class BitmapView {
  readonly el: HTMLCanvasElement;
  private readonly ctx: ImageBitmapRenderingContext;
  private scratch: OffscreenCanvas | null = null;

  constructor(parent: HTMLElement, className: string) {
    this.el = document.createElement("canvas");
    this.el.className = className;
    this.el.width = 0;
    this.el.height = 0;
    const ctx = this.el.getContext("bitmaprenderer");
    if (!ctx) throw new Error("the browser cannot show bitmaps in a canvas (bitmaprenderer)");
    this.ctx = ctx;
    parent.appendChild(this.el);
    moveOnCompositor(this.el);
  }

  /** Shows a `width` x `height` device-pixel picture painted by `paint` (CSS size: divided by `dpr`). */
  show(width: number, height: number, dpr: number, paint: (ctx: OffscreenCanvasRenderingContext2D) => void) {
    const w = Math.max(1, Math.round(width));
    const h = Math.max(1, Math.round(height));
    if (this.scratch?.width !== w || this.scratch?.height !== h) this.scratch = new OffscreenCanvas(w, h);
    const ctx = this.scratch.getContext("2d");
    if (!ctx) throw new Error("the browser gave no 2D context for an offscreen canvas");
    paint(ctx);
    // The transfer hands the pixels over without a copy and leaves the scratch canvas blank.
    const bitmap = this.scratch.transferToImageBitmap();
    if (this.el.width !== w || this.el.height !== h) {
      this.el.width = w;
      this.el.height = h;
      this.el.style.width = `${w / dpr}px`;
      this.el.style.height = `${h / dpr}px`;
    }
    this.ctx.transferFromImageBitmap(bitmap);
  }

  /** Shows what `canvas` holds (painted elsewhere, e.g. over several frames), leaving it blank. */
  present(canvas: OffscreenCanvas, dpr: number) {
    this.presentBitmap(canvas.transferToImageBitmap(), dpr);
  }

  /** Shows `bitmap` (and takes it: it is detached afterwards). */
  presentBitmap(bitmap: ImageBitmap, dpr: number) {
    const { width, height } = bitmap;
    if (this.el.width !== width || this.el.height !== height) {
      this.el.width = width;
      this.el.height = height;
      this.el.style.width = `${width / dpr}px`;
      this.el.style.height = `${height / dpr}px`;
    }
    this.ctx.transferFromImageBitmap(bitmap);
  }
}
