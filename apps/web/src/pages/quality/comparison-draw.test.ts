import { describe, expect, it } from "vitest";
import type { Ctx } from "../../editor/canvas/draw";
import { drawComparison } from "./comparison-draw";
import { comparisonMarks, OUTCOME_STYLE } from "./comparison-model";
import { scene } from "./test-fixtures";

/** Records each path with the style it was stroked and filled in. */
const recorder = () => {
  const paths: { rects: string[]; strokes: { style: string; dashed: boolean }[]; filled: string | null }[] =
    [];
  const tags: string[] = [];
  let dash: number[] = [];
  const ctx = {
    fillStyle: "",
    strokeStyle: "",
    lineWidth: 1,
    globalAlpha: 1,
    font: "",
    textBaseline: "alphabetic",
    lineJoin: "miter",
    beginPath: () => paths.push({ rects: [], strokes: [], filled: null }),
    rect: (...a: number[]) => paths.at(-1)?.rects.push(a.join(",")),
    moveTo: () => {},
    lineTo: () => {},
    closePath: () => {},
    fill: () => {
      const p = paths.at(-1);
      if (p) p.filled = String(ctx.fillStyle);
    },
    stroke: () => paths.at(-1)?.strokes.push({ style: String(ctx.strokeStyle), dashed: dash.length > 0 }),
    save: () => {},
    restore: () => {},
    setLineDash: (d: number[]) => {
      dash = d;
    },
    fillRect: () => {},
    strokeRect: () => {},
    arc: () => {},
    fillText: (t: string) => tags.push(t),
    measureText: (t: string) => ({ width: t.length * 6 }) as TextMetrics,
  };
  return { ctx: ctx as unknown as Ctx, paths, tags };
};

describe("drawComparison", () => {
  const marks = comparisonMarks(scene());
  const names = (id: number) => (id === 1 ? "cat" : "dog");
  // scale 2, offset (10, 20): image (x, y) is drawn at (2x + 10, 2y + 20).
  const viewport = { scale: 2, offsetX: 10, offsetY: 20 };

  const draw = (show = { reference: true, checked: true }, focus: string | null = null) => {
    const r = recorder();
    drawComparison(r.ctx, { viewport, marks, focus, nameOf: names, show });
    const at = (rect: string) => r.paths.find((p) => p.rects.includes(rect));
    return { ...r, at };
  };

  it("draws each shape where it is, in its outcome's colour", () => {
    const { at } = draw();
    // Missing r1 (100,0 10x10): dashed orange, filled so the empty spot shows.
    expect(at("210,20,20,20")).toEqual({
      rects: ["210,20,20,20"],
      strokes: [
        { style: "rgba(0,0,0,0.6)", dashed: true },
        { style: OUTCOME_STYLE.missing.colour, dashed: true },
      ],
      filled: OUTCOME_STYLE.missing.colour,
    });
    // Extra c1 (500,500): solid red.
    expect(at("1010,1020,20,20")?.strokes[1]).toEqual({ style: OUTCOME_STYLE.extra.colour, dashed: false });
    // Loose c3 (300,0 24x24): yellow; its reference r3 (20x20) a white dashed ghost, not filled.
    expect(at("610,20,48,48")?.strokes[1]?.style).toBe(OUTCOME_STYLE.lowOverlap.colour);
    expect(at("610,20,40,40")).toMatchObject({
      filled: null,
      strokes: [{}, { style: "#ffffff", dashed: true }],
    });
  });

  it("names every difference where it is, and no match unless focused", () => {
    const { tags } = draw();
    expect(tags.sort()).toEqual(["cat ≠ dog", "cat · IoU 0.69", "extra cat", "missing cat"].sort());
    expect(draw(undefined, "c0").tags).toContain("cat · IoU 1.00");
  });

  it("draws one side alone when asked", () => {
    const { paths } = draw({ reference: true, checked: false });
    expect(paths.filter((p) => p.strokes.length > 0)).toHaveLength(4);
    const checkedOnly = draw({ reference: false, checked: true });
    expect(checkedOnly.paths.filter((p) => p.strokes.length > 0)).toHaveLength(4);
  });
});
