import type { Bounds, ImagePoint, ScreenPoint, Size } from "./types.js";

/**
 * The camera: screen = image * scale + offset. Kept as plain numbers so the canvas can apply it to
 * one Konva layer transform instead of re-rendering shapes on pan/zoom.
 */
export interface Viewport {
  readonly scale: number;
  readonly offsetX: number;
  readonly offsetY: number;
}

export const IDENTITY_VIEWPORT: Viewport = { scale: 1, offsetX: 0, offsetY: 0 };

export const screenToImage = (v: Viewport, p: ScreenPoint): ImagePoint =>
  ({ x: (p.x - v.offsetX) / v.scale, y: (p.y - v.offsetY) / v.scale }) as ImagePoint;

export const imageToScreen = (v: Viewport, p: ImagePoint): ScreenPoint =>
  ({ x: p.x * v.scale + v.offsetX, y: p.y * v.scale + v.offsetY }) as ScreenPoint;

/** Zooms by `factor` keeping the image point under `anchor` (the cursor) fixed on screen. */
export const zoomAt = (v: Viewport, anchor: ScreenPoint, scale: number): Viewport => {
  const img = screenToImage(v, anchor);
  return { scale, offsetX: anchor.x - img.x * scale, offsetY: anchor.y - img.y * scale };
};

export const panBy = (v: Viewport, dx: number, dy: number): Viewport => ({
  scale: v.scale,
  offsetX: v.offsetX + dx,
  offsetY: v.offsetY + dy,
});

/** Fits the whole image in the stage with a margin, centred. */
export const fitViewport = (image: Size, stage: Size, margin = 16): Viewport => {
  const availW = Math.max(1, stage.width - 2 * margin);
  const availH = Math.max(1, stage.height - 2 * margin);
  const scale = Math.min(availW / image.width, availH / image.height);
  return {
    scale,
    offsetX: (stage.width - image.width * scale) / 2,
    offsetY: (stage.height - image.height * scale) / 2,
  };
};

/** Centres an image point on the stage at the current scale. */
export const centreOn = (v: Viewport, p: ImagePoint, stage: Size): Viewport => ({
  scale: v.scale,
  offsetX: stage.width / 2 - p.x * v.scale,
  offsetY: stage.height / 2 - p.y * v.scale,
});

/** The part of the image visible on the stage, in image pixels. */
export const visibleImageBounds = (v: Viewport, stage: Size): Bounds => ({
  minX: -v.offsetX / v.scale,
  minY: -v.offsetY / v.scale,
  maxX: (stage.width - v.offsetX) / v.scale,
  maxY: (stage.height - v.offsetY) / v.scale,
});
