import { describe, expect, it } from "vitest";
import type { Ctx } from "../canvas/draw";
import { drawPredictions, PREDICTION_DASH } from "./prediction-draw";
import { EMPTY_FILTER, type ShapePrediction, visibleShapes } from "./prediction-model";
import { box, makePrediction } from "./test-fixtures";

/** Records the calls, each stroke's colour and dash, and the texts. */
const recorder = () => {
  const ops: string[] = [];
  const strokes: { style: string; dash: number[] }[] = [];
  const texts: string[] = [];
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
    moveTo: () => ops.push("moveTo"),
    lineTo: () => ops.push("lineTo"),
    closePath: () => ops.push("closePath"),
    fill: () => ops.push("fill"),
    stroke: () => strokes.push({ style: String(ctx.strokeStyle), dash }),
    save: () => ops.push("save"),
    restore: () => ops.push("restore"),
    setLineDash: (d: number[]) => {
      dash = d;
    },
    fillRect: () => ops.push("fillRect"),
    strokeRect: () => ops.push("strokeRect"),
    arc: () => ops.push("arc"),
    fillText: (t: string) => texts.push(t),
    measureText: (t: string) => ({ width: t.length * 6 }) as TextMetrics,
  };
  return { ctx: ctx as unknown as Ctx, ops, strokes, texts };
};

const shapesOf = (...ps: ReturnType<typeof makePrediction>[]): ShapePrediction[] =>
  visibleShapes(ps, { filter: EMPTY_FILTER, local: new Map(), taken: new Set(), hiddenLabels: new Set() });

const input = (predictions: ShapePrediction[], focusId: number | null = null) => ({
  viewport: { scale: 2, offsetX: 10, offsetY: 0 },
  stage: { width: 400, height: 300 },
  predictions,
  focusId,
  colourOf: (l: number) => (l === 1 ? "#ff0000" : "#0000ff"),
  nameOf: (l: number) => (l === 1 ? "car" : "person"),
});

describe("drawing the prediction layer", () => {
  it("dashed outlines in the label's colour, one path per colour, the scores printed", () => {
    const r = recorder();
    drawPredictions(
      r.ctx,
      input(
        shapesOf(
          makePrediction({ id: 1, score: 0.87, geometry: box(10, 10, 40, 30) }),
          makePrediction({ id: 2, score: 0.5, geometry: box(60, 10, 40, 30) }),
          makePrediction({ id: 3, score: 0.7, labelId: 2, geometry: box(10, 60, 40, 30) }),
        ),
      ),
    );
    const dashed = r.strokes.filter((s) => s.dash.length > 0);
    expect(dashed.map((s) => s.style).sort()).toEqual(["#0000ff", "#ff0000"]);
    expect(dashed.every((s) => s.dash === PREDICTION_DASH)).toBe(true);
    // Image to screen: x * 2 + 10.
    expect(r.ops).toContain("rect 30,20,80,60");
    expect(r.texts.sort()).toEqual(["0.50", "0.70", "0.87"]);
  });

  it("skips what lies outside the stage, and scores on boxes too small to carry them", () => {
    const r = recorder();
    const area = drawPredictions(
      r.ctx,
      input(
        shapesOf(
          makePrediction({ id: 1, score: 0.9, geometry: box(500, 10, 40, 30) }),
          makePrediction({ id: 2, score: 0.8, geometry: box(10, 10, 5, 5) }),
        ),
      ),
    );
    expect(r.ops.filter((o) => o.startsWith("rect"))).toEqual(["rect 30,20,10,10"]);
    expect(r.texts).toEqual([]);
    expect(area).not.toBeNull();
    expect(
      drawPredictions(
        recorder().ctx,
        input(shapesOf(makePrediction({ id: 1, score: 0.9, geometry: box(900, 900, 4, 4) }))),
      ),
    ).toBeNull();
  });

  it("the focused prediction: its handles and a tag with label, score and keys", () => {
    const r = recorder();
    drawPredictions(
      r.ctx,
      input(shapesOf(makePrediction({ id: 1, score: 0.87, geometry: box(10, 10, 40, 30) })), 1),
    );
    expect(r.ops.filter((o) => o === "strokeRect")).toHaveLength(8);
    expect(r.texts).toEqual(["car 0.87 · Enter accept · Del reject"]);
  });
});
