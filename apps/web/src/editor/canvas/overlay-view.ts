import type Konva from "konva";

/** A screen area in CSS pixels. */
export interface Area {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Draws the overlay in CSS pixels; returns the area it touched (null: anywhere). */
export type OverlayPaint = (ctx: CanvasRenderingContext2D) => Area | null;

/**
 * The overlay (selection, handles, previews, guides): one Konva layer over the stage, drawn by one
 * custom shape, and hidden while it has nothing to show.
 *
 * Measured in headless Chromium with software rendering (docs/architecture.md, "Rendering for
 * density"): a visible 2D canvas the size of the stage is copied to the compositor on every commit,
 * drawn on or not (0.5 ms a frame for ~950x830 px, in every frame in which the image or shape layer
 * moves); a hidden one costs nothing. Most of the time the overlay has nothing to show (no selection,
 * no hover, no gesture), so the layer is hidden then (Konva sets `display: none` on its canvas), and
 * drawn only when what it shows changed. The layer does not clear itself before drawing: the shape
 * clears only the area the previous draw touched, not the whole stage-sized canvas.
 */
export class OverlayView {
  /** What the last draw touched (CSS pixels, with a pixel of margin); null: the whole canvas. */
  private drawn: Area | null = null;
  private paint: OverlayPaint | null = null;

  constructor(
    private readonly layer: Konva.Layer,
    shape: Konva.Shape,
  ) {
    layer.clearBeforeDraw(false);
    shape.sceneFunc((ctx) => this.scene(ctx._context));
    this.hide();
  }

  /** Takes the layer off screen (nothing to show): the compositor stops copying it. */
  hide(): void {
    if (this.layer.visible()) this.layer.visible(false);
  }

  /** Draws `paint` now (in the caller's frame) and shows the layer. */
  draw(paint: OverlayPaint): void {
    if (!this.layer.visible()) this.layer.visible(true);
    this.paint = paint;
    try {
      this.layer.draw();
    } finally {
      this.paint = null;
    }
  }

  /**
   * Readies the hidden layer for its first draw: lets `paint` draw what warms caches (fonts,
   * glyphs), then clears it. Meant for an idle moment, so the first selection does not pay for it.
   */
  warm(paint: (ctx: CanvasRenderingContext2D) => void): void {
    if (this.layer.visible()) return;
    const canvas = this.layer.getCanvas();
    const ctx = canvas.getContext()._context;
    ctx.save();
    paint(ctx);
    ctx.restore();
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.restore();
    this.drawn = { x: 0, y: 0, w: 0, h: 0 };
    // Rasterise now, while idle, rather than in the frame of the first selection.
    ctx.getImageData(0, 0, 1, 1);
  }

  /** The shape's scene function: Konva has set the pixel-ratio transform, so this works in CSS pixels. */
  private scene(ctx: CanvasRenderingContext2D): void {
    // A redraw Konva asked for itself (it batches one after any attribute change, such as the
    // `visible(true)` of `draw`): nothing new to show, and the canvas still holds the last picture.
    // Clearing here wiped what had just been drawn one frame later.
    if (!this.paint) return;
    const d = this.drawn;
    if (d) ctx.clearRect(d.x, d.y, d.w, d.h);
    else ctx.clearRect(0, 0, this.layer.width(), this.layer.height());
    const area = this.paint(ctx);
    this.drawn = area
      ? {
          x: Math.floor(area.x) - 1,
          y: Math.floor(area.y) - 1,
          w: Math.ceil(area.w) + 3,
          h: Math.ceil(area.h) + 3,
        }
      : null;
  }
}
