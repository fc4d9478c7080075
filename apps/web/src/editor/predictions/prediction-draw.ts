import { BOX_HANDLES, boxHandlePosition, geometryBounds } from "@labelbench/editor";
import type { Size, Viewport } from "@labelbench/geometry";
import { type Ctx, HANDLE_PX, readableOn, type ScreenRect, traceGeometry, VERTEX_PX } from "../canvas/draw";
import { formatScore, type ShapePrediction } from "./prediction-model";

/**
 * The prediction layer on the canvas, in screen pixels: dashed, translucent outlines in the label's
 * colour with the score printed at the top-left corner, so a model's guesses never pass for shapes.
 * What lies outside the stage is skipped; outlines are one dashed path per label colour (a few
 * strokes for thousands of predictions), and scores are printed only where the box is big enough on
 * screen to carry one. The focused prediction is drawn solid, with its label, score and handles
 * (dragging them accepts it as edited).
 */

export interface PredictionDrawInput {
  viewport: Viewport;
  stage: Size;
  predictions: readonly ShapePrediction[];
  focusId: number | null;
  colourOf(labelId: number): string;
  nameOf(labelId: number): string;
}

export const PREDICTION_DASH = [6, 4];
const FILL_ALPHA = 0.1;
const SCORE_FONT = "600 10px system-ui, sans-serif";
const FOCUS_FONT = "600 11px system-ui, sans-serif";
/** Boxes narrower than this on screen carry no printed score (it would cover them). */
const MIN_SCORE_BOX_PX = 28;
const CULL_MARGIN_PX = 24;

export const drawPredictions = (ctx: Ctx, o: PredictionDrawInput): ScreenRect | null => {
  const { scale, offsetX, offsetY } = o.viewport;
  const map = (x: number, y: number): [number, number] => [x * scale + offsetX, y * scale + offsetY];
  const inStage = (p: ShapePrediction) => {
    const b = geometryBounds(p.geometry);
    const x0 = b.minX * scale + offsetX;
    const y0 = b.minY * scale + offsetY;
    const x1 = b.maxX * scale + offsetX;
    const y1 = b.maxY * scale + offsetY;
    const m = CULL_MARGIN_PX;
    return x1 >= -m && y1 >= -m && x0 <= o.stage.width + m && y0 <= o.stage.height + m;
  };
  const shown = o.predictions.filter(inStage);
  if (shown.length === 0) return null;
  const byColour = new Map<string, ShapePrediction[]>();
  let focused: ShapePrediction | null = null;
  for (const p of shown) {
    if (p.id === o.focusId) {
      focused = p;
      continue;
    }
    const c = o.colourOf(p.labelId);
    const list = byColour.get(c) ?? [];
    list.push(p);
    byColour.set(c, list);
  }
  ctx.save();
  ctx.lineJoin = "round";
  for (const [colour, list] of byColour) {
    ctx.beginPath();
    for (const p of list) traceGeometry(ctx, p.geometry, map);
    ctx.globalAlpha = FILL_ALPHA;
    ctx.fillStyle = colour;
    ctx.fill();
    ctx.globalAlpha = 1;
    // A dark underlay keeps the dashes readable on a light image.
    ctx.setLineDash([]);
    ctx.strokeStyle = "rgba(0,0,0,0.35)";
    ctx.lineWidth = 2.5;
    ctx.stroke();
    ctx.setLineDash(PREDICTION_DASH);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
  ctx.setLineDash([]);
  // The scores: a small chip at each box's top-left corner, in the label's colour.
  ctx.font = SCORE_FONT;
  ctx.textBaseline = "middle";
  // Scores print with two decimals: a hundred texts at most, each measured once.
  const widths = new Map<string, number>();
  for (const [colour, list] of byColour) {
    const text = readableOn(colour);
    for (const p of list) {
      const b = geometryBounds(p.geometry);
      const [x0, y0] = map(b.minX, b.minY);
      const [x1] = map(b.maxX, b.minY);
      if (x1 - x0 < MIN_SCORE_BOX_PX) continue;
      const label = formatScore(p.score);
      let w = widths.get(label);
      if (w === undefined) {
        w = ctx.measureText(label).width + 6;
        widths.set(label, w);
      }
      ctx.globalAlpha = 0.85;
      ctx.fillStyle = colour;
      ctx.fillRect(x0, y0, w, 13);
      ctx.globalAlpha = 1;
      ctx.fillStyle = text;
      ctx.fillText(label, x0 + 3, y0 + 7);
    }
  }
  if (focused) drawFocused(ctx, focused, o, map);
  ctx.restore();
  return {
    x: -CULL_MARGIN_PX,
    y: -CULL_MARGIN_PX,
    w: o.stage.width + 2 * CULL_MARGIN_PX,
    h: o.stage.height + 2 * CULL_MARGIN_PX,
  };
};

const drawFocused = (
  ctx: Ctx,
  p: ShapePrediction,
  o: PredictionDrawInput,
  map: (x: number, y: number) => [number, number],
) => {
  const colour = o.colourOf(p.labelId);
  ctx.beginPath();
  traceGeometry(ctx, p.geometry, map);
  ctx.globalAlpha = 0.2;
  ctx.fillStyle = colour;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = "rgba(0,0,0,0.6)";
  ctx.lineWidth = 4;
  ctx.stroke();
  ctx.setLineDash([8, 3]);
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2.5;
  ctx.stroke();
  ctx.setLineDash([]);
  // Handles say "drag me": dragging one accepts the prediction as edited.
  const g = p.geometry;
  ctx.fillStyle = "#ffffff";
  ctx.strokeStyle = colour;
  ctx.lineWidth = 1.5;
  if (g.type === "box") {
    for (const h of BOX_HANDLES) {
      const [x, y] = map(...boxHandlePosition(g, h));
      ctx.fillRect(x - HANDLE_PX / 2, y - HANDLE_PX / 2, HANDLE_PX, HANDLE_PX);
      ctx.strokeRect(x - HANDLE_PX / 2, y - HANDLE_PX / 2, HANDLE_PX, HANDLE_PX);
    }
  } else {
    for (const pt of g.points) {
      const [x, y] = map(pt[0], pt[1]);
      ctx.beginPath();
      ctx.arc(x, y, VERTEX_PX / 2, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
  }
  const b = geometryBounds(g);
  const [x0, y0] = map(b.minX, b.minY);
  const text = `${o.nameOf(p.labelId)} ${formatScore(p.score)} · Enter accept · Del reject`;
  ctx.font = FOCUS_FONT;
  ctx.textBaseline = "middle";
  const w = ctx.measureText(text).width + 8;
  const top = y0 - 20 < 0 ? y0 + 4 : y0 - 20;
  ctx.globalAlpha = 0.95;
  ctx.fillStyle = colour;
  ctx.fillRect(x0, top, w, 16);
  ctx.globalAlpha = 1;
  ctx.fillStyle = readableOn(colour);
  ctx.fillText(text, x0 + 4, top + 8.5);
};
