import type { Bounds } from "@labelbench/geometry";

/**
 * Drawing a big photo (12 MP and up) shrunk to fit the window costs a full resampling pass every frame;
 * drawing it zoomed in costs a pass over the whole bitmap even though a corner is visible. Both are
 * avoided here: shrunk views draw from a pre-halved level no more than twice the needed size, and every
 * view draws only the visible part of the source.
 */

export interface Level<B> {
  bitmap: B;
  /** Level size / image size (1, 1/2, 1/4, ...). */
  factor: number;
  width: number;
  height: number;
}

/** The smallest level that still has at least one level pixel per screen pixel (`scale` = screen px per image px). */
export const pickLevel = <B>(levels: readonly Level<B>[], scale: number): Level<B> | null => {
  let best: Level<B> | null = null;
  for (const l of levels) {
    if (l.factor >= scale && (best === null || l.factor < best.factor)) best = l;
  }
  return best ?? levels.reduce<Level<B> | null>((a, l) => (a === null || l.factor > a.factor ? l : a), null);
};

/** The part of the image inside `view`, widened to whole level pixels so edges never resample half-pixels. */
export const sourceRect = (
  view: Bounds,
  image: { width: number; height: number },
  factor: number,
): { x: number; y: number; width: number; height: number } | null => {
  const x0 = Math.max(0, Math.floor(view.minX * factor) / factor);
  const y0 = Math.max(0, Math.floor(view.minY * factor) / factor);
  const x1 = Math.min(image.width, Math.ceil(view.maxX * factor) / factor);
  const y1 = Math.min(image.height, Math.ceil(view.maxY * factor) / factor);
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
};

const MIN_LEVEL_PX = 512;

/** The sizes of the halved levels of an image, largest first (level 0 is the image itself). */
export const levelSizes = (
  width: number,
  height: number,
): { factor: number; width: number; height: number }[] => {
  const out = [{ factor: 1, width, height }];
  let f = 1;
  while (Math.max(width * f, height * f) / 2 >= MIN_LEVEL_PX) {
    f /= 2;
    out.push({
      factor: f,
      width: Math.max(1, Math.round(width * f)),
      height: Math.max(1, Math.round(height * f)),
    });
  }
  return out;
};

/** Builds the halved levels in the background; level 0 is usable at once. */
export const buildPyramid = async (
  img: ImageBitmap,
  size: { width: number; height: number },
): Promise<Level<ImageBitmap>[]> => {
  const sizes = levelSizes(size.width, size.height);
  const levels: Level<ImageBitmap>[] = [{ bitmap: img, ...sizes[0]! }];
  let prev: ImageBitmap = img;
  for (const s of sizes.slice(1)) {
    // Halving from the previous level keeps every step a clean 2:1 box filter.
    const bitmap: ImageBitmap = await createImageBitmap(prev, {
      resizeWidth: s.width,
      resizeHeight: s.height,
      resizeQuality: "medium",
    });
    levels.push({ bitmap, ...s });
    prev = bitmap;
  }
  return levels;
};
