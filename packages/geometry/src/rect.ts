import type { Bounds, Rect, Size, Vertex } from "./types.js";

export const rectToBounds = (r: Rect): Bounds => ({
  minX: r.x,
  minY: r.y,
  maxX: r.x + r.width,
  maxY: r.y + r.height,
});

export const boundsToRect = (b: Bounds): Rect => ({
  x: b.minX,
  y: b.minY,
  width: b.maxX - b.minX,
  height: b.maxY - b.minY,
});

/** Normalizes a rectangle given by two arbitrary corners (a drag in any direction). */
export const rectFromCorners = (ax: number, ay: number, bx: number, by: number): Rect => ({
  x: Math.min(ax, bx),
  y: Math.min(ay, by),
  width: Math.abs(bx - ax),
  height: Math.abs(by - ay),
});

export const rectArea = (r: Rect): number => r.width * r.height;

export const pointInRect = (px: number, py: number, r: Rect, tolerance = 0): boolean =>
  px >= r.x - tolerance &&
  px <= r.x + r.width + tolerance &&
  py >= r.y - tolerance &&
  py <= r.y + r.height + tolerance;

export const boundsIntersect = (a: Bounds, b: Bounds): boolean =>
  a.minX <= b.maxX && a.maxX >= b.minX && a.minY <= b.maxY && a.maxY >= b.minY;

/** True when `inner` lies completely inside `outer`. */
export const boundsContain = (outer: Bounds, inner: Bounds): boolean =>
  inner.minX >= outer.minX &&
  inner.maxX <= outer.maxX &&
  inner.minY >= outer.minY &&
  inner.maxY <= outer.maxY;

export const unionBounds = (a: Bounds, b: Bounds): Bounds => ({
  minX: Math.min(a.minX, b.minX),
  minY: Math.min(a.minY, b.minY),
  maxX: Math.max(a.maxX, b.maxX),
  maxY: Math.max(a.maxY, b.maxY),
});

export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Clamps a rectangle to the image [0,W]x[0,H]; the result may have zero size. */
export const clampRect = (r: Rect, size: Size): Rect => {
  const minX = clamp(r.x, 0, size.width);
  const minY = clamp(r.y, 0, size.height);
  const maxX = clamp(r.x + r.width, 0, size.width);
  const maxY = clamp(r.y + r.height, 0, size.height);
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
};

/** Four corners, clockwise from the top-left (how a box becomes a polygon). */
export const rectCorners = (r: Rect): Vertex[] => [
  [r.x, r.y],
  [r.x + r.width, r.y],
  [r.x + r.width, r.y + r.height],
  [r.x, r.y + r.height],
];

/** Moves a rectangle by (dx, dy) but keeps it inside the image, preserving its size. */
export const translateRectWithin = (r: Rect, dx: number, dy: number, size: Size): Rect => ({
  x: clamp(r.x + dx, 0, Math.max(0, size.width - r.width)),
  y: clamp(r.y + dy, 0, Math.max(0, size.height - r.height)),
  width: r.width,
  height: r.height,
});
