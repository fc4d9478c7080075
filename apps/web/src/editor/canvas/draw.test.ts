import type { Shape } from "@labelbench/editor";
import { describe, expect, it } from "vitest";
import { type Ctx, drawOverlay, type OverlayInput, readableOn } from "./draw";

/** Records calls and the style in force at each fill/stroke. */
const recorder = () => {
  const ops: string[] = [];
  const strokes: { style: string; width: number; dash: number }[] = [];
  const fillRects: [number, number, number, number][] = [];
  let dash: number[] = [];
  const ctx = {
    fillStyle: "",
    strokeStyle: "",
    lineWidth: 1,
    globalAlpha: 1,
    font: "",
    textBaseline: "alphabetic",
    lineJoin: "miter",
    beginPath: () => ops.push("beginPath"),
    rect: (...a: number[]) => ops.push(`rect ${a.join(",")}`),
    moveTo: (x: number, y: number) => ops.push(`moveTo ${x},${y}`),
    lineTo: (x: number, y: number) => ops.push(`lineTo ${x},${y}`),
    closePath: () => ops.push("closePath"),
    fill: () => ops.push("fill"),
    stroke: () => {
      ops.push("stroke");
      strokes.push({ style: String(ctx.strokeStyle), width: ctx.lineWidth, dash: dash.length });
    },
    save: () => ops.push("save"),
    restore: () => ops.push("restore"),
    setLineDash: (d: number[]) => {
      dash = d;
    },
    fillRect: (x: number, y: number, w: number, h: number) => fillRects.push([x, y, w, h]),
    strokeRect: () => ops.push("strokeRect"),
    arc: () => ops.push("arc"),
    fillText: (t: string) => ops.push(`text ${t}`),
    measureText: (t: string) => ({ width: t.length * 6 }) as TextMetrics,
  };
  return { ctx: ctx as unknown as Ctx, ops, strokes, fillRects };
};

const box = (id: string, labelId: number, x = 0): Shape => ({
  id,
  labelId,
  geometry: { type: "box", x, y: 0, width: 10, height: 10 },
});
const poly = (id: string, labelId: number, points: [number, number][]): Shape => ({
  id,
  labelId,
  geometry: { type: "polygon", points },
});
const colours: Record<number, string> = { 1: "#ff0000", 2: "#00ff00" };

const overlay = (over: Partial<OverlayInput> = {}): OverlayInput => ({
  viewport: { scale: 2, offsetX: 100, offsetY: 50 },
  image: { width: 200, height: 100 },
  colourOf: (l) => colours[l] ?? "#999999",
  nameOf: (l) => `label${l}`,
  selected: [],
  editable: () => true,
  moving: [],
  hover: null,
  preview: null,
  activeColour: "#0000ff",
  serverShapes: null,
  crosshair: null,
  ...over,
});

describe("drawOverlay", () => {
  it("draws 8 handles on a selected box, in screen pixels, with its label name", () => {
    const r = recorder();
    drawOverlay(r.ctx, overlay({ selected: [box("a", 1, 5)] }));
    const handles = r.fillRects.filter(([, , w, h]) => w === 8 && h === 8);
    expect(handles).toHaveLength(8);
    // Top-left corner handle centred on (5*2+100, 0*2+50).
    expect(handles[0]).toEqual([110 - 4, 50 - 4, 8, 8]);
    expect(r.ops).toContain("text label1");
  });

  it("draws no handles on a locked selected shape, and one per vertex on a polygon", () => {
    const locked = recorder();
    drawOverlay(locked.ctx, overlay({ selected: [box("a", 1)], editable: () => false }));
    expect(locked.fillRects.filter(([, , w]) => w === 8)).toHaveLength(0);
    const p = recorder();
    drawOverlay(
      p.ctx,
      overlay({
        selected: [
          poly("p", 1, [
            [0, 0],
            [4, 0],
            [4, 4],
            [0, 4],
          ]),
        ],
      }),
    );
    expect(p.fillRects.filter(([, , w]) => w === 7)).toHaveLength(4);
  });

  it("places the label tag of a selected polygon stored with 300,000 vertices (no argument spread)", () => {
    const points: [number, number][] = [];
    for (let i = 0; i < 300_000; i++) {
      const a = (i / 300_000) * 2 * Math.PI;
      points.push([100 + 50 * Math.cos(a), 50 + 40 * Math.sin(a)]);
    }
    const r = recorder();
    expect(() =>
      drawOverlay(r.ctx, overlay({ selected: [poly("big", 2, points)], editable: () => false })),
    ).not.toThrow();
    expect(r.ops).toContain("text label2");
    // Recording 300,000 path operations takes seconds on a loaded machine; this checks correctness only.
  }, 30_000);

  it("draws crosshair guides across the whole image at the cursor", () => {
    const r = recorder();
    drawOverlay(r.ctx, overlay({ crosshair: { x: 10, y: 20 } }));
    expect(r.ops).toContain("moveTo 120.5,50");
    expect(r.ops).toContain("lineTo 120.5,250");
    expect(r.ops).toContain("moveTo 100,90.5");
    expect(r.ops).toContain("lineTo 500,90.5");
  });

  it("draws the server's shapes dashed in 'view both' mode", () => {
    const r = recorder();
    drawOverlay(r.ctx, overlay({ serverShapes: [box("s", 1)] }));
    expect(r.strokes.some((s) => s.dash > 0 && s.style === "#ff3df5")).toBe(true);
  });

  it("shows the polygon in progress with a bigger first vertex to close on", () => {
    const r = recorder();
    drawOverlay(
      r.ctx,
      overlay({
        preview: {
          kind: "polygon",
          points: [
            [0, 0],
            [10, 0],
          ],
          cursor: [10, 10],
        },
      }),
    );
    expect(r.fillRects.map(([, , w]) => w)).toEqual([12, 7]);
    expect(r.ops).toContain("lineTo 120,70");
  });
});

describe("readableOn", () => {
  it("picks dark text on light colours and white on dark ones", () => {
    expect(readableOn("#ffff00")).toBe("#111111");
    expect(readableOn("#1e3a8a")).toBe("#ffffff");
  });
});

describe("drawOverlay's drawn area", () => {
  it("is null when nothing is drawn", () => {
    const r = recorder();
    expect(drawOverlay(r.ctx, overlay())).toBeNull();
  });

  it("covers a selected box with its halo, handles and tag, and nothing far beyond", () => {
    const r = recorder();
    // Box (0,0)-(10,10) in image pixels is (100,50)-(120,70) on screen; its tag sits above it.
    const area = drawOverlay(r.ctx, overlay({ selected: [box("a", 1)] }));
    expect(area).not.toBeNull();
    const a = area!;
    expect(a.x).toBeLessThanOrEqual(100 - 4);
    expect(a.x + a.w).toBeGreaterThanOrEqual(120 + 4);
    // The tag: 16 px high, 18 px above the box's top.
    expect(a.y).toBeLessThanOrEqual(50 - 18);
    expect(a.y + a.h).toBeGreaterThanOrEqual(70 + 4);
    expect(a.w).toBeLessThan(60);
    expect(a.h).toBeLessThan(60);
  });

  it("spans the image for the crosshair", () => {
    const r = recorder();
    const a = drawOverlay(r.ctx, overlay({ crosshair: { x: 50, y: 20 } }))!;
    // The image (200 x 100) is (100,50)-(500,250) on screen.
    expect(a.x).toBeLessThanOrEqual(100);
    expect(a.x + a.w).toBeGreaterThanOrEqual(500);
    expect(a.y).toBeLessThanOrEqual(50);
    expect(a.y + a.h).toBeGreaterThanOrEqual(250);
  });
});
