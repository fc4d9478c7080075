import { rng } from "../random.js";

/**
 * The dense scene of the editor benchmark: 10,000 boxes and 2,000 polygons of 50 vertices on a
 * 4000x3000 image, from a fixed seed. Polygons are star-shaped (vertices at increasing angles, jittered
 * radius) so they are always simple, like traced object outlines.
 */

export type Geometry =
  | { type: "box"; x: number; y: number; width: number; height: number }
  | { type: "polygon"; points: [number, number][] };
export interface SceneShape {
  id: string;
  labelId: number;
  geometry: Geometry;
}

export const SCENE = { width: 4000, height: 3000, boxes: 10_000, polygons: 2_000, vertices: 50 };

const round2 = (v: number) => Math.round(v * 100) / 100;

export const denseScene = (labelIds: readonly number[], seed = 42): SceneShape[] => {
  const r = rng(seed);
  const label = () => labelIds[Math.floor(r() * labelIds.length)] ?? labelIds[0] ?? 0;
  const out: SceneShape[] = [];
  for (let i = 0; i < SCENE.boxes; i++) {
    const width = round2(8 + r() * 72);
    const height = round2(8 + r() * 72);
    out.push({
      id: `box-${i}`,
      labelId: label(),
      geometry: {
        type: "box",
        x: round2(r() * (SCENE.width - width - 1)),
        y: round2(r() * (SCENE.height - height - 1)),
        width,
        height,
      },
    });
  }
  for (let i = 0; i < SCENE.polygons; i++) {
    const radius = 15 + r() * 45;
    const cx = radius + 1 + r() * (SCENE.width - 2 * radius - 2);
    const cy = radius + 1 + r() * (SCENE.height - 2 * radius - 2);
    const points: [number, number][] = [];
    for (let k = 0; k < SCENE.vertices; k++) {
      const a = (k / SCENE.vertices) * Math.PI * 2;
      const rr = radius * (0.7 + 0.3 * r());
      points.push([round2(cx + Math.cos(a) * rr), round2(cy + Math.sin(a) * rr)]);
    }
    out.push({ id: `poly-${i}`, labelId: label(), geometry: { type: "polygon", points } });
  }
  return out;
};

const boundsOf = (g: Geometry) => {
  if (g.type === "box") return { minX: g.x, minY: g.y, maxX: g.x + g.width, maxY: g.y + g.height };
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const [x, y] of g.points) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return { minX, minY, maxX, maxY };
};

const areaOf = (g: Geometry) => {
  if (g.type === "box") return g.width * g.height;
  let a = 0;
  const n = g.points.length;
  for (let i = 0; i < n; i++) {
    const p = g.points[i] as [number, number];
    const q = g.points[(i + 1) % n] as [number, number];
    a += p[0] * q[1] - q[0] * p[1];
  }
  return Math.abs(a) / 2;
};

/**
 * A box that a click on its centre must select: every other shape whose bounds (widened by `margin`
 * image px, more than the hit tolerance) reach that point is bigger, and the editor picks the smallest
 * shape under the pointer. Prefers one near `near`.
 */
export const clickableBox = (
  shapes: readonly SceneShape[],
  margin: number,
  near: { x: number; y: number },
): { id: string; centre: { x: number; y: number }; geometry: Extract<Geometry, { type: "box" }> } => {
  const all = shapes.map((s) => ({ s, b: boundsOf(s.geometry), area: areaOf(s.geometry) }));
  let best: ReturnType<typeof clickableBox> | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const { s, area } of all) {
    const g = s.geometry;
    if (g.type !== "box" || g.width < 16 || g.height < 16) continue;
    const centre = { x: g.x + g.width / 2, y: g.y + g.height / 2 };
    const d = Math.hypot(centre.x - near.x, centre.y - near.y);
    if (d >= bestD) continue;
    const wins = all.every(
      (o) =>
        o.s === s ||
        o.area > area ||
        o.b.maxX < centre.x - margin ||
        o.b.minX > centre.x + margin ||
        o.b.maxY < centre.y - margin ||
        o.b.minY > centre.y + margin,
    );
    if (!wins) continue;
    best = { id: s.id, centre, geometry: g };
    bestD = d;
  }
  if (!best) throw new Error("the dense scene has no box that a click on its centre selects");
  return best;
};
