import { imagePoint } from "@labelbench/geometry";
import { describe, expect, test } from "vitest";
import { geometryArea, geometryContains, HIT_TOLERANCE_PX } from "./shape-geometry.js";
import { TestEditor } from "./test-editor.js";
import type { Shape } from "./types.js";

const rng = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) % 4294967296;
  return seed / 4294967296;
};

const W = 8000;
const H = 6000;

const denseScene = (): Shape[] => {
  const next = rng(7);
  const shapes: Shape[] = [];
  for (let i = 0; i < 10_000; i++) {
    const width = 10 + next() * 50;
    const height = 10 + next() * 50;
    shapes.push({
      id: `box-${i}`,
      labelId: 1,
      geometry: { type: "box", x: next() * (W - width), y: next() * (H - height), width, height },
    });
  }
  for (let i = 0; i < 2_000; i++) {
    const r = 20 + next() * 40;
    const cx = r + next() * (W - 2 * r);
    const cy = r + next() * (H - 2 * r);
    const points: [number, number][] = [];
    for (let k = 0; k < 50; k++) {
      const a = (k / 50) * Math.PI * 2;
      points.push([cx + Math.cos(a) * r, cy + Math.sin(a) * r]);
    }
    shapes.push({ id: `poly-${i}`, labelId: 1, geometry: { type: "polygon", points } });
  }
  return shapes;
};

describe("dense scene: 10,000 boxes + 2,000 polygons of 50 vertices", () => {
  const shapes = denseScene();
  const t = new TestEditor({
    image: { width: W, height: H },
    stage: { width: 1600, height: 1200 },
    annotations: shapes,
  });
  t.key("f");

  test("a pointer move hit-tests a handful of index candidates, not every shape", () => {
    const next = rng(99);
    let worst = 0;
    const before = t.editor.metrics.hitTests;
    for (let i = 0; i < 200; i++) {
      t.pointerMove(next() * W, next() * H);
      worst = Math.max(worst, t.editor.metrics.lastHitTestCandidates);
    }
    expect(t.editor.metrics.hitTests - before).toBe(200); // exactly one hit test per move
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(shapes.length / 100);
  });

  test("the indexed hit test agrees with a brute-force scan", () => {
    const next = rng(3);
    const tol = HIT_TOLERANCE_PX / t.state.viewport.scale;
    for (let i = 0; i < 40; i++) {
      // Aim at real shapes half of the time so hits are exercised, not just misses.
      const target = shapes[Math.floor(next() * shapes.length)] as Shape;
      const g = target.geometry;
      const [x, y] =
        g.type === "box" ? [g.x + g.width / 2, g.y + g.height / 2] : (g.points[0] as [number, number]);
      const p = i % 2 === 0 ? imagePoint(x, y) : imagePoint(next() * W, next() * H);
      let best: Shape | null = null;
      for (const s of shapes) {
        if (!geometryContains(s.geometry, p.x, p.y, tol)) continue;
        if (!best || geometryArea(s.geometry) < geometryArea(best.geometry)) best = s;
      }
      const hit = t.editor.hitTest(p);
      if (best === null) expect(hit).toBeNull();
      else expect(geometryArea(t.shape(hit ?? "").geometry)).toBe(geometryArea(best.geometry));
    }
  });

  test("culling: at 1:1 only the shapes in view are returned", () => {
    t.key("0");
    const visible = t.editor.visibleShapeIds();
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.length).toBeLessThan(shapes.length / 10);
    t.key("f");
    expect(t.editor.visibleShapeIds()).toHaveLength(shapes.length);
  });

  test("editing keeps the index in step: a moved shape is found at its new place only", () => {
    const moved = shapes.find(
      (s) => s.geometry.type === "box" && s.geometry.x < W - 400 && s.geometry.y < H - 400,
    );
    if (moved?.geometry.type !== "box") throw new Error("fixture has no movable box");
    const g = moved.geometry;
    const centre = { x: g.x + g.width / 2, y: g.y + g.height / 2 };
    t.editor.select([moved.id]);
    t.editor.nudge(300, 300);
    expect(t.shape(moved.id).geometry).toMatchObject({ x: g.x + 300, y: g.y + 300 });
    t.editor.zoomTo(64);
    t.editor.select([moved.id], { centre: true });
    expect(t.editor.visibleShapeIds()).toContain(moved.id);
    t.editor.setViewport({ scale: 64, offsetX: 800 - centre.x * 64, offsetY: 600 - centre.y * 64 });
    expect(t.editor.visibleShapeIds()).not.toContain(moved.id);

    t.key("Delete");
    expect(t.state.doc.shapes.size).toBe(shapes.length - 1);
    t.key("Mod+Z").key("Mod+Z");
    expect(t.state.doc.shapes.size).toBe(shapes.length);
    expect(t.editor.toAnnotationInputs().map((a) => a.id)).toEqual(shapes.map((s) => s.id)); // order kept
    expect(t.editor.visibleShapeIds()).toContain(moved.id);
  });
});
