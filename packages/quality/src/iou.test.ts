import { seededRandom, type Vertex } from "@labelbench/geometry";
import type { Geometry } from "@labelbench/schema";
import polygonClipping, { type Ring } from "polygon-clipping";
import { describe, expect, it } from "vitest";
import { clippingAreaErrorBound, geometryArea, intersectionArea, prepareShape, shapeIou } from "./iou.js";

const box = (x: number, y: number, width: number, height: number): Geometry => ({
  type: "box",
  x,
  y,
  width,
  height,
});
const polygon = (points: Vertex[]): Geometry => ({ type: "polygon", points: points.map(([x, y]) => [x, y]) });

describe("shapeIou, by hand", () => {
  it("two boxes: analytic", () => {
    // 10x10 boxes shifted by 5: intersection 50, union 150.
    expect(shapeIou(box(0, 0, 10, 10), box(5, 0, 10, 10))).toBeCloseTo(1 / 3, 12);
    expect(shapeIou(box(0, 0, 10, 10), box(0, 0, 10, 10))).toBe(1);
    // A box inside another: 4 / 100.
    expect(shapeIou(box(0, 0, 10, 10), box(2, 2, 2, 2))).toBeCloseTo(0.04, 12);
  });

  it("touching or apart: 0", () => {
    expect(shapeIou(box(0, 0, 10, 10), box(10, 0, 10, 10))).toBe(0);
    expect(shapeIou(box(0, 0, 10, 10), box(30, 30, 1, 1))).toBe(0);
    const square = polygon([
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ]);
    const neighbour = polygon([
      [10, 0],
      [20, 0],
      [20, 10],
      [10, 10],
    ]);
    expect(shapeIou(square, neighbour)).toBe(0);
  });

  it("a box read with negative width is the same rectangle", () => {
    expect(shapeIou(box(10, 10, -10, -10), box(0, 0, 10, 10))).toBe(1);
  });

  it("box x polygon: a triangle over half the box", () => {
    // Triangle (0,0) (10,0) (0,10) has area 50, all inside the 10x10 box: IoU 50 / 100.
    const tri = polygon([
      [0, 0],
      [10, 0],
      [0, 10],
    ]);
    expect(shapeIou(box(0, 0, 10, 10), tri)).toBeCloseTo(0.5, 12);
  });

  it("concave polygons: an L against a square meets only its arms", () => {
    // L shape: 10x10 square without its top-right 5x5 quarter (area 75).
    const l = polygon([
      [0, 0],
      [5, 0],
      [5, 5],
      [10, 5],
      [10, 10],
      [0, 10],
    ]);
    // Square over the right half: intersection is the lower-right quarter (25), union 75 + 50 - 25.
    expect(intersectionArea(l, box(5, 0, 5, 10))).toBeCloseTo(25, 9);
    expect(shapeIou(l, box(5, 0, 5, 10))).toBeCloseTo(25 / 100, 12);
    // A U whose notch holds a square: they share edges but no area.
    const u = polygon([
      [0, 0],
      [3, 0],
      [3, 6],
      [6, 6],
      [6, 0],
      [9, 0],
      [9, 9],
      [0, 9],
    ]);
    expect(shapeIou(u, box(3, 0, 3, 6))).toBe(0);
  });

  it("two intersections that leave pieces: a comb against a bar", () => {
    // Comb: teeth at x 0-2, 4-6, 8-10 hanging down from a spine at y 8-10.
    const comb = polygon([
      [0, 0],
      [2, 0],
      [2, 8],
      [4, 8],
      [4, 0],
      [6, 0],
      [6, 8],
      [8, 8],
      [8, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ]);
    // Comb area: 100 - 2 gaps of 2x8 = 68. A bar y 2-4 across meets three teeth: 3 x 2 x 2 = 12.
    expect(intersectionArea(comb, box(0, 2, 10, 2))).toBeCloseTo(12, 9);
    expect(shapeIou(comb, box(0, 2, 10, 2))).toBeCloseTo(12 / (68 + 20 - 12), 12);
  });
});

describe("shapeIou, degenerate but valid outlines", () => {
  // Simple polygons with shared vertices and collinear runs, as neighbours traced on one pixel grid
  // have. Areas checked against a 1/512 px raster; martinez-polygon-clipping 0.8.1 answers 32 and
  // 6.733 for these two, which is why polygon-clipping was chosen.
  it("shared vertices and a shared outline stretch", () => {
    const a = polygon([
      [8, 13],
      [-1, 15],
      [0, 14],
      [0, 10],
      [0, 9],
      [5, 9],
      [7, 6],
      [7, 7],
      [8, 8],
      [10, 9],
    ]);
    const b = polygon([
      [8, 13],
      [-1, 15],
      [0, 14],
      [0, 10],
      [0, 9],
      [5, 9],
      [8, 6],
      [7, 7],
      [7, 8],
      [11, 9],
    ]);
    expect(intersectionArea(a, b)).toBeCloseTo(47.25, 9);
  });

  it("collinear vertices on one side, a vertex of the other on its edge", () => {
    const a = polygon([
      [14, 12],
      [15, 13],
      [16, 14],
      [13, 14],
      [13, 16],
      [9, 9],
      [9, 7],
      [12, 6],
      [12, 4],
      [15, 5],
      [17, 8],
      [15, 10],
    ]);
    const b = polygon([
      [16, 19],
      [14, 21],
      [9, 17],
      [7, 13],
      [14, 12],
      [14, 11],
    ]);
    expect(intersectionArea(a, b)).toBeCloseTo(6.9002, 4);
  });
});

/**
 * Mask IoU as pycocotools computes it: the polygon is rasterised on a pixel grid and a pixel is in
 * the mask when its centre is inside. Here the grid is fine (STEP of an image pixel) and each row is
 * filled by the even-odd rule at its centre line, so the raster area approaches the true area.
 */
const STEP = 1 / 128;

const rowSpans = (points: readonly Vertex[], y: number): [number, number][] => {
  const xs: number[] = [];
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i]!;
    const [xj, yj] = points[j]!;
    if (yi > y !== yj > y) xs.push(xi + ((y - yi) * (xj - xi)) / (yj - yi));
  }
  xs.sort((a, b) => a - b);
  const spans: [number, number][] = [];
  for (let k = 0; k + 1 < xs.length; k += 2) spans.push([xs[k]!, xs[k + 1]!]);
  return spans;
};

/** Pixel centres (x = (i + 0.5) · STEP) inside [a, b), clipped to the image width. */
const centresIn = (a: number, b: number, width: number): number => {
  const lo = Math.max(0, Math.ceil(a / STEP - 0.5));
  const hi = Math.min(Math.round(width / STEP), Math.ceil(b / STEP - 0.5));
  return Math.max(0, hi - lo);
};

const rasterIou = (a: readonly Vertex[], b: readonly Vertex[], width: number, height: number): number => {
  let inter = 0;
  let areaA = 0;
  let areaB = 0;
  for (let row = 0; row < Math.round(height / STEP); row++) {
    const y = (row + 0.5) * STEP;
    const sa = rowSpans(a, y);
    const sb = rowSpans(b, y);
    for (const [x0, x1] of sa) areaA += centresIn(x0, x1, width);
    for (const [x0, x1] of sb) areaB += centresIn(x0, x1, width);
    for (const [a0, a1] of sa)
      for (const [b0, b1] of sb) {
        const lo = Math.max(a0, b0);
        const hi = Math.min(a1, b1);
        if (hi > lo) inter += centresIn(lo, hi, width);
      }
  }
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
};

/**
 * A random simple polygon, often concave: vertices at sorted random angles around a centre, each at
 * its own random radius (a star-shaped outline). Vertices that come within a pixel of the image's
 * edge are snapped onto it, so outlines that run along or touch the edge are common.
 */
const randomPolygon = (rand: () => number, width: number, height: number): Vertex[] => {
  const n = 3 + Math.floor(rand() * 10);
  const cx = width * (0.2 + 0.6 * rand());
  const cy = height * (0.2 + 0.6 * rand());
  const reach = Math.min(cx, cy, width - cx, height - cy) + 1;
  const angles = Array.from({ length: n }, () => rand() * 2 * Math.PI).sort((a, b) => a - b);
  return angles.map((t) => {
    const r = reach * (0.25 + 0.75 * rand());
    let x = cx + r * Math.cos(t);
    let y = cy + r * Math.sin(t);
    x = x < 1 ? 0 : x > width - 1 ? width : x;
    y = y < 1 ? 0 : y > height - 1 ? height : y;
    return [x, y] as const;
  });
};

describe("polygon IoU against a rasterised mask", () => {
  it("agrees within 1e-3 on random polygons, concave ones and ones on the image edge", () => {
    const rand = seededRandom(16);
    const width = 24;
    const height = 18;
    let onEdge = 0;
    let compared = 0;
    for (let k = 0; k < 120; k++) {
      const a = randomPolygon(rand, width, height);
      const b = randomPolygon(rand, width, height);
      if (a.some(([x, y]) => x === 0 || y === 0 || x === width || y === height)) onEdge++;
      const exact = shapeIou(polygon(a), polygon(b));
      const raster = rasterIou(a, b, width, height);
      if (raster > 0) compared++;
      expect(Math.abs(exact - raster), `polygon pair ${k}`).toBeLessThan(1e-3);
    }
    // The generator must really have produced edge-touching and overlapping pairs.
    expect(onEdge).toBeGreaterThan(20);
    expect(compared).toBeGreaterThan(50);
  });
});

/**
 * An independent clipping library (polygon-clipping, a Martinez-Rueda sweep on floating-point
 * coordinates with robust predicates) called directly, its result measured from each ring's first
 * point: the oracle the integer clipping is held to.
 */
const clippedArea = (a: Geometry, b: Geometry): number => {
  const ring = (g: Geometry): Ring =>
    g.type === "box"
      ? [
          [g.x, g.y],
          [g.x + g.width, g.y],
          [g.x + g.width, g.y + g.height],
          [g.x, g.y + g.height],
        ]
      : g.points.map(([x, y]) => [x, y]);
  let area = 0;
  for (const poly of polygonClipping.intersection([ring(a)], [ring(b)]))
    poly.forEach((r, i) => {
      // Measured from the ring's first point, so the oracle's own rounding stays far under the tolerance.
      const [ox, oy] = r[0] ?? [0, 0];
      let sum = 0;
      for (let k = 0; k < r.length; k++) {
        const [x1, y1] = r[k]!;
        const [x2, y2] = r[(k + 1) % r.length]!;
        sum += (x1 - ox) * (y2 - oy) - (x2 - ox) * (y1 - oy);
      }
      area += (i === 0 ? 1 : -1) * Math.abs(sum / 2);
    });
  return area;
};

/** A star-shaped outline of 3-16 vertices around (cx, cy); on a one-pixel grid when `grid`. */
const star = (rand: () => number, cx: number, cy: number, reach: number, grid: boolean): Vertex[] => {
  const n = 3 + Math.floor(rand() * 14);
  const angles = Array.from({ length: n }, () => rand() * 2 * Math.PI).sort((a, b) => a - b);
  const points = angles.map((t) => {
    const r = reach * (0.3 + 0.7 * rand());
    const x = cx + r * Math.cos(t);
    const y = cy + r * Math.sin(t);
    return (grid ? [Math.round(x), Math.round(y)] : [x, y]) as Vertex;
  });
  return points.filter((p, i) => {
    const q = points[(i + 1) % points.length]!;
    return p[0] !== q[0] || p[1] !== q[1];
  });
};

describe("intersectionArea against another clipping library called directly", () => {
  // The integer clipping rounds every vertex to a grid of 2^26 steps across the pair, so it is held
  // to clippingAreaErrorBound (perimeters x half a grid diagonal: ~1e-6 px² for these 40 px pairs)
  // plus the oracle's own floating-point rounding (1e-12 of the area); swapped, the answer must be
  // the same number.
  it("agrees within the grid's error bound on random pairs (moved copies, concave outlines, boxes, pixel grids), either way round", {
    timeout: 60_000,
  }, () => {
    const rand = seededRandom(4242);
    let overlapping = 0;
    let worst = 0;
    for (let k = 0; k < 3000; k++) {
      const grid = k % 4 === 3;
      const cx = 2000 + rand() * 30;
      const cy = 1500 + rand() * 30;
      const a: Geometry = {
        type: "polygon",
        points: star(rand, cx, cy, 6 + rand() * 30, grid).map(([x, y]) => [x, y]),
      };
      let b: Geometry;
      const kind = k % 5;
      if (kind === 0 && a.type === "polygon") {
        // The annotator's copy: the same outline nudged, as the bench's and most real pairs are.
        const dx = grid ? Math.round((rand() - 0.5) * 4) : (rand() - 0.5) * 4;
        const dy = grid ? Math.round((rand() - 0.5) * 4) : (rand() - 0.5) * 4;
        b = { type: "polygon", points: a.points.map(([x, y]) => [x + dx, y + dy]) };
      } else if (kind === 1) {
        const w = 5 + rand() * 40;
        const h = 5 + rand() * 40;
        b = { type: "box", x: cx - w * rand(), y: cy - h * rand(), width: w, height: h };
      } else {
        b = {
          type: "polygon",
          points: star(rand, cx + (rand() - 0.5) * 30, cy + (rand() - 0.5) * 30, 6 + rand() * 30, grid).map(
            ([x, y]) => [x, y],
          ),
        };
      }
      if (geometryArea(a) === 0 || geometryArea(b) === 0) continue;
      const want = clippedArea(a, b);
      const got = intersectionArea(a, b);
      const tolerance =
        clippingAreaErrorBound(prepareShape(a), prepareShape(b)) +
        1e-12 * Math.max(geometryArea(a), geometryArea(b));
      expect(Math.abs(got - want), `pair ${k}: ${JSON.stringify([a, b])}`).toBeLessThanOrEqual(tolerance);
      expect(intersectionArea(b, a), `pair ${k}, swapped`).toBe(got);
      worst = Math.max(worst, Math.abs(got - want) / tolerance);
      if (want > 0) overlapping++;
    }
    // The generator must really produce overlapping pairs, and the bound must not be slack by orders
    // of magnitude (a bound that no result comes near would let a coarser grid pass).
    expect(overlapping).toBeGreaterThan(2000);
    expect(worst).toBeGreaterThan(0.01);
  });
});
