import type { Bounds, Size, Viewport } from "@labelbench/geometry";
import type { Geometry, IssueState } from "@labelbench/schema";
import type { Ctx, ScreenRect } from "../canvas/draw";
import type { DiffMarks } from "./diff-model";
import { ISSUE_COLOUR, type IssueMark } from "./issue-model";

/**
 * The review marks on the canvas, in screen pixels (the overlay's canvas, under the selection):
 * issues (pins, dashed regions, the anchored shape's outline; numbered, coloured by state) and the
 * re-review diff (added green, changed orange with the old outline ghosted, removed as red dashed
 * ghosts). Only what lies in the stage is drawn, and each style is one path (one stroke for all the
 * open issues' outlines, one fill for their pins…), so a few hundred issues cost a handful of strokes
 * and fills and their numbers per frame, not a redraw of the image's shapes.
 */

export interface IssueMarkInput {
  id: number;
  n: number;
  state: IssueState;
  mark: IssueMark;
}

export interface MarksInput {
  viewport: Viewport;
  stage: Size;
  issues: readonly IssueMarkInput[];
  /** The issue picked in the panel: drawn last and bigger. */
  selectedIssue: number | null;
  diff: DiffMarks | null;
}

export const PIN_RADIUS_PX = 9;
const SELECTED_PIN_RADIUS_PX = 12;
/** Marks this far outside the stage are skipped (a pin's badge reaches over its anchor). */
const CULL_MARGIN_PX = 24;
export const DIFF_COLOUR = { added: "#22c55e", changed: "#f97316", removed: "#ef4444" } as const;
const HALO = "rgba(0,0,0,0.6)";
const PIN_FONT = "700 10px system-ui, sans-serif";

type Map2 = (x: number, y: number) => [number, number];

class Extent {
  minX = Number.POSITIVE_INFINITY;
  minY = Number.POSITIVE_INFINITY;
  maxX = Number.NEGATIVE_INFINITY;
  maxY = Number.NEGATIVE_INFINITY;
  add(x0: number, y0: number, x1: number, y1: number) {
    if (x0 < this.minX) this.minX = x0;
    if (y0 < this.minY) this.minY = y0;
    if (x1 > this.maxX) this.maxX = x1;
    if (y1 > this.maxY) this.maxY = y1;
  }
  get value(): ScreenRect | null {
    if (this.maxX < this.minX) return null;
    return { x: this.minX, y: this.minY, w: this.maxX - this.minX, h: this.maxY - this.minY };
  }
}

const boundsOfGeometry = (g: Geometry): Bounds => {
  if (g.type === "box") return { minX: g.x, minY: g.y, maxX: g.x + g.width, maxY: g.y + g.height };
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const [x, y] of g.points) {
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return { minX, minY, maxX, maxY };
};

const trace = (ctx: Ctx, g: Geometry, map: Map2) => {
  if (g.type === "box") {
    const [x0, y0] = map(g.x, g.y);
    const [x1, y1] = map(g.x + g.width, g.y + g.height);
    ctx.rect(x0, y0, x1 - x0, y1 - y0);
    return;
  }
  g.points.forEach(([px, py], i) => {
    const [x, y] = map(px, py);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.closePath();
};

/** The screen rectangle of image bounds, or null when it lies outside the stage (with the margin). */
const onStage = (b: Bounds, map: Map2, stage: Size): [number, number, number, number] | null => {
  const [x0, y0] = map(b.minX, b.minY);
  const [x1, y1] = map(b.maxX, b.maxY);
  const m = CULL_MARGIN_PX;
  if (x1 < -m || y1 < -m || x0 > stage.width + m || y0 > stage.height + m) return null;
  return [x0, y0, x1, y1];
};

/** Strokes the path twice: a dark halo under the colour, so it reads on any picture. */
const haloStroke = (ctx: Ctx, colour: string, width: number, dash: number[]) => {
  ctx.setLineDash(dash);
  ctx.strokeStyle = HALO;
  ctx.lineWidth = width + 2;
  ctx.stroke();
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.stroke();
  ctx.setLineDash([]);
};

const drawDiff = (ctx: Ctx, diff: DiffMarks, map: Map2, stage: Size, extent: Extent) => {
  const pass = (
    shapes: readonly { geometry: Geometry }[],
    colour: string,
    width: number,
    dash: number[],
    fill: string | null,
  ) => {
    let any = false;
    ctx.beginPath();
    for (const s of shapes) {
      const r = onStage(boundsOfGeometry(s.geometry), map, stage);
      if (!r) continue;
      trace(ctx, s.geometry, map);
      extent.add(r[0] - 4, r[1] - 4, r[2] + 4, r[3] + 4);
      any = true;
    }
    if (!any) return;
    if (fill) {
      ctx.fillStyle = fill;
      ctx.fill();
    }
    haloStroke(ctx, colour, width, dash);
  };
  pass(
    diff.changed.map((c) => ({ geometry: c.before })),
    DIFF_COLOUR.changed,
    1.5,
    [4, 3],
    null,
  );
  pass(diff.removed, DIFF_COLOUR.removed, 2, [6, 4], "rgba(239,68,68,0.15)");
  pass(diff.changed, DIFF_COLOUR.changed, 2, [], null);
  pass(diff.added, DIFF_COLOUR.added, 2, [], null);
};

/** Widths of the pins' numbers (one font): measured once each, not in every frame. */
const textWidths = new Map<string, number>();
const widthOf = (ctx: Ctx, text: string): number => {
  let w = textWidths.get(text);
  if (w === undefined) {
    w = ctx.measureText(text).width;
    textWidths.set(text, w);
  }
  return w;
};

interface Pin {
  x: number;
  y: number;
  n: number;
  state: IssueState;
}

/** Numbered pins: one halo path, one path per state colour, then the numbers. */
const drawPins = (ctx: Ctx, pins: readonly Pin[], r: number, halo: string) => {
  if (pins.length === 0) return;
  ctx.beginPath();
  for (const p of pins) {
    ctx.moveTo(p.x + r + 1.5, p.y);
    ctx.arc(p.x, p.y, r + 1.5, 0, Math.PI * 2);
  }
  ctx.fillStyle = halo;
  ctx.fill();
  for (const state of STATES) {
    let any = false;
    ctx.beginPath();
    for (const p of pins) {
      if (p.state !== state) continue;
      ctx.moveTo(p.x + r, p.y);
      ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
      any = true;
    }
    if (!any) continue;
    ctx.fillStyle = ISSUE_COLOUR[state];
    ctx.fill();
  }
  ctx.font = PIN_FONT;
  ctx.textBaseline = "middle";
  ctx.fillStyle = "#ffffff";
  for (const p of pins) {
    const text = String(p.n);
    ctx.fillText(text, p.x - widthOf(ctx, text) / 2, p.y + 0.5);
  }
};

const STATES: readonly IssueState[] = ["resolved", "fixed", "open"];

/** The issues' marks, in layers (outlines, then regions, then pins), each style one path. */
const drawIssues = (
  ctx: Ctx,
  issues: readonly IssueMarkInput[],
  selected: boolean,
  map: Map2,
  stage: Size,
  extent: Extent,
) => {
  const r = selected ? SELECTED_PIN_RADIUS_PX : PIN_RADIUS_PX;
  const reach = r + 3;
  const outlines: { state: IssueState; geometry: Geometry }[] = [];
  const boxes: { state: IssueState; gone: boolean; rect: [number, number, number, number] }[] = [];
  const pins: Pin[] = [];
  for (const i of issues) {
    const m = i.mark;
    if (!m) continue;
    if (m.kind === "point") {
      const [x, y] = map(m.x, m.y);
      if (x < -reach || y < -reach || x > stage.width + reach || y > stage.height + reach) continue;
      pins.push({ x, y, n: i.n, state: i.state });
      extent.add(x - reach, y - reach, x + reach, y + reach);
      continue;
    }
    const rect = onStage(m.bounds, map, stage);
    if (!rect) continue;
    const [x0, y0, x1, y1] = rect;
    if (m.kind === "shape") outlines.push({ state: i.state, geometry: m.geometry });
    else boxes.push({ state: i.state, gone: m.kind === "gone", rect });
    // A region's pin sits on its top left corner; a shape's just outside its top right one, clear
    // of the label tag and the corner handle a selected shape shows.
    const [px, py] = m.kind === "shape" ? [x1 + r + 1, y0 - r - 1] : [x0, y0];
    pins.push({ x: px, y: py, n: i.n, state: i.state });
    extent.add(
      Math.min(x0, px - reach),
      py - reach,
      Math.max(x1, px + reach) + 4,
      Math.max(y1, py + reach) + 4,
    );
  }
  for (const state of STATES) {
    const colour = ISSUE_COLOUR[state];
    const mine = outlines.filter((o) => o.state === state);
    if (mine.length > 0) {
      ctx.beginPath();
      for (const o of mine) trace(ctx, o.geometry, map);
      haloStroke(ctx, colour, selected ? 4 : 3, []);
    }
    for (const gone of [false, true]) {
      const rects = boxes.filter((b) => b.state === state && b.gone === gone);
      if (rects.length === 0) continue;
      ctx.beginPath();
      for (const { rect } of rects) ctx.rect(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1]);
      if (selected) {
        ctx.globalAlpha = 0.12;
        ctx.fillStyle = colour;
        ctx.fill();
        ctx.globalAlpha = 1;
      }
      haloStroke(ctx, colour, selected ? 3 : 2, gone ? [2, 3] : [6, 4]);
    }
  }
  drawPins(ctx, pins, r, selected ? "#ffffff" : HALO);
};

/** Draws the review marks; returns the screen area drawn on (null: nothing). */
export const drawMarks = (ctx: Ctx, o: MarksInput): ScreenRect | null => {
  const { scale, offsetX, offsetY } = o.viewport;
  const map: Map2 = (x, y) => [x * scale + offsetX, y * scale + offsetY];
  const extent = new Extent();
  ctx.save();
  ctx.lineJoin = "round";
  if (o.diff) drawDiff(ctx, o.diff, map, o.stage, extent);
  const selected = o.issues.filter((i) => i.id === o.selectedIssue);
  drawIssues(
    ctx,
    selected.length > 0 ? o.issues.filter((i) => i.id !== o.selectedIssue) : o.issues,
    false,
    map,
    o.stage,
    extent,
  );
  // The issue picked in the panel: over the others, bigger.
  if (selected.length > 0) drawIssues(ctx, selected, true, map, o.stage, extent);
  ctx.restore();
  return extent.value;
};
