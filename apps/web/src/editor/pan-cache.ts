/**
 * While the whole image is about the size of the window (the usual overview of a dense scene), panning
 * at a fixed zoom does not change how the shapes look, only where: the batch is rendered once into an
 * offscreen bitmap and each pan frame is a single blit. Zooming, editing or a view much larger than the
 * window draws directly instead (where culling keeps the work small).
 */

export interface PanCacheInput {
  image: { width: number; height: number };
  stage: { width: number; height: number };
  viewport: { scale: number; offsetX: number; offsetY: number };
  pixelRatio: number;
  /** Changes whenever what the batch draws changes (tiles rebuilt, colours, fills). */
  contentVersion: number;
}

/** Device pixels around the image so strokes on its border are not cut. */
export const CACHE_MARGIN_PX = 3;
const MAX_CACHE_SIDE = 8192;
/** The cache may cover at most this many times the stage's area. */
const MAX_CACHE_AREA_RATIO = 2.5;

export const cacheSize = (i: PanCacheInput): { width: number; height: number } | null => {
  const s = i.viewport.scale * i.pixelRatio;
  const width = Math.ceil(i.image.width * s) + 2 * CACHE_MARGIN_PX;
  const height = Math.ceil(i.image.height * s) + 2 * CACHE_MARGIN_PX;
  const stageArea = i.stage.width * i.stage.height * i.pixelRatio * i.pixelRatio;
  if (width > MAX_CACHE_SIDE || height > MAX_CACHE_SIDE || width * height > MAX_CACHE_AREA_RATIO * stageArea)
    return null;
  return { width, height };
};

export type PanCacheDecision = { kind: "direct" } | { kind: "blit"; render: boolean; x: number; y: number };

/**
 * Decides per frame: draw directly, or blit the cache (rendering it first when stale). The cache is only
 * (re)built on a frame whose scale equals the previous frame's, so a wheel zoom never pays for caches it
 * throws away at once.
 */
export class PanCache {
  private lastScale = Number.NaN;
  private key: string | null = null;

  frame(i: PanCacheInput): PanCacheDecision {
    const stable = i.viewport.scale === this.lastScale;
    this.lastScale = i.viewport.scale;
    const size = cacheSize(i);
    if (!size) {
      this.key = null;
      return { kind: "direct" };
    }
    const key = `${i.viewport.scale}|${i.pixelRatio}|${i.contentVersion}|${i.image.width}x${i.image.height}`;
    const render = key !== this.key;
    if (render && !stable) return { kind: "direct" };
    this.key = key;
    // Whole device pixels: a blit at a fractional offset would resample every hairline into two grey ones.
    const x = (Math.round(i.viewport.offsetX * i.pixelRatio) - CACHE_MARGIN_PX) / i.pixelRatio;
    const y = (Math.round(i.viewport.offsetY * i.pixelRatio) - CACHE_MARGIN_PX) / i.pixelRatio;
    return { kind: "blit", render, x, y };
  }

  invalidate() {
    this.key = null;
  }
}
