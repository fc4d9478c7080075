import { clamp } from "./rect.js";
import type { Bounds, Size, Vertex } from "./types.js";

/** Signed shoelace area: positive for counter-clockwise in a y-up frame (clockwise on screen). */
export const signedPolygonArea = (points: readonly Vertex[]): number => {
  let sum = 0;
  const n = points.length;
  for (let i = 0; i < n; i++) {
    const [x1, y1] = points[i] as Vertex;
    const [x2, y2] = points[(i + 1) % n] as Vertex;
    sum += x1 * y2 - x2 * y1;
  }
  return sum / 2;
};

export const polygonArea = (points: readonly Vertex[]): number => Math.abs(signedPolygonArea(points));

export const polygonBounds = (points: readonly Vertex[]): Bounds => {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const [x, y] of points) {
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return { minX, minY, maxX, maxY };
};

/** Even-odd ray casting; points on the boundary may go either way (use edge distance for those). */
export const pointInPolygon = (px: number, py: number, points: readonly Vertex[]): boolean => {
  let inside = false;
  const n = points.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const [xi, yi] = points[i] as Vertex;
    const [xj, yj] = points[j] as Vertex;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
};

/** Squared distance from a point to the segment a-b. */
export const distanceToSegmentSq = (px: number, py: number, a: Vertex, b: Vertex): number => {
  const [ax, ay] = a;
  const [bx, by] = b;
  const dx = bx - ax;
  const dy = by - ay;
  const lenSq = dx * dx + dy * dy;
  const t = lenSq === 0 ? 0 : clamp(((px - ax) * dx + (py - ay) * dy) / lenSq, 0, 1);
  const cx = ax + t * dx - px;
  const cy = ay + t * dy - py;
  return cx * cx + cy * cy;
};

/** Index `i` of the closed polygon's edge (i -> i+1) nearest the point, and its distance. */
export const nearestEdge = (
  px: number,
  py: number,
  points: readonly Vertex[],
): { index: number; distance: number } => {
  let best = -1;
  let bestSq = Number.POSITIVE_INFINITY;
  const n = points.length;
  for (let i = 0; i < n; i++) {
    const d = distanceToSegmentSq(px, py, points[i] as Vertex, points[(i + 1) % n] as Vertex);
    if (d < bestSq) {
      bestSq = d;
      best = i;
    }
  }
  return { index: best, distance: Math.sqrt(bestSq) };
};

/** Index of the vertex within `radius` of the point (the nearest; the first of equals), or -1. */
export const nearestVertex = (px: number, py: number, points: readonly Vertex[], radius: number): number => {
  let best = -1;
  let bestSq = radius * radius;
  points.forEach(([x, y], i) => {
    const d = (x - px) ** 2 + (y - py) ** 2;
    if (d < bestSq || (best === -1 && d <= bestSq)) {
      bestSq = d;
      best = i;
    }
  });
  return best;
};

export const clampPoints = (points: readonly Vertex[], size: Size): Vertex[] =>
  points.map(([x, y]) => [clamp(x, 0, size.width), clamp(y, 0, size.height)] as const);

export const translatePoints = (points: readonly Vertex[], dx: number, dy: number): Vertex[] =>
  points.map(([x, y]) => [x + dx, y + dy] as const);

/** Removes consecutive duplicates (and a closing point equal to the first). */
export const dedupeConsecutive = (points: readonly Vertex[]): Vertex[] => {
  const out: Vertex[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (out.length > 1 && first && last && first[0] === last[0] && first[1] === last[1]) out.pop();
  return out;
};

export const distinctPointCount = (points: readonly Vertex[]): number =>
  new Set(points.map(([x, y]) => `${x},${y}`)).size;

/**
 * Whether at least three points differ: what a polygon needs to enclose anything. Without building
 * a key per point, and usually done after the first three, since every polygon is checked on save
 * and on import (a million of them).
 */
export const hasThreeDistinctPoints = (points: readonly Vertex[]): boolean => {
  const a = points[0];
  if (!a) return false;
  let b: Vertex | undefined;
  for (const p of points) {
    if (p[0] === a[0] && p[1] === a[1]) continue;
    if (!b) {
      b = p;
      continue;
    }
    if (p[0] !== b[0] || p[1] !== b[1]) return true;
  }
  return false;
};

/** Midpoint of edge i -> i+1, where a new vertex is offered. */
export const edgeMidpoint = (points: readonly Vertex[], i: number): Vertex => {
  const a = points[i] as Vertex;
  const b = points[(i + 1) % points.length] as Vertex;
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
};

/** Projection of a point onto edge i -> i+1 (to insert a vertex exactly where the user clicked). */
export const projectOntoEdge = (px: number, py: number, points: readonly Vertex[], i: number): Vertex => {
  const [ax, ay] = points[i] as Vertex;
  const [bx, by] = points[(i + 1) % points.length] as Vertex;
  const dx = bx - ax;
  const dy = by - ay;
  const lenSq = dx * dx + dy * dy;
  const t = lenSq === 0 ? 0 : clamp(((px - ax) * dx + (py - ay) * dy) / lenSq, 0, 1);
  return [ax + t * dx, ay + t * dy];
};
