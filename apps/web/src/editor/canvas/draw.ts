import { BOX_HANDLES, boxHandlePosition, type Preview, type Shape } from "@labelbench/editor";
import { polygonBounds, type Size, type Viewport } from "@labelbench/geometry";
import type { Geometry } from "@labelbench/schema";

/**
 * The overlay (selection, handles, previews, guides), kept free of React and Konva so it can be tested
 * with a recording context. It is drawn in screen pixels so handle sizes and line widths never depend
 * on the zoom. The many unselected shapes are drawn by shape-tiles.ts.
 */

export type Ctx = Pick<
  CanvasRenderingContext2D,
  | "beginPath"
  | "rect"
  | "moveTo"
  | "lineTo"
  | "closePath"
  | "fill"
  | "stroke"
  | "save"
  | "restore"
  | "setLineDash"
  | "fillRect"
  | "strokeRect"
  | "arc"
  | "fillText"
  | "measureText"
> & {
  fillStyle: CanvasRenderingContext2D["fillStyle"];
  strokeStyle: CanvasRenderingContext2D["strokeStyle"];
  lineWidth: number;
  globalAlpha: number;
  font: string;
  textBaseline: CanvasTextBaseline;
  lineJoin: CanvasLineJoin;
};

export const SELECTED_LINE_PX = 2.5;
export const HANDLE_PX = 8;
export const VERTEX_PX = 7;
export const UNKNOWN_LABEL_COLOUR = "#9ca3af";
/** An issue region being dragged (the colour of an open issue, issues/issue-model.ts). */
const ISSUE_REGION_COLOUR = "#ec4899";
/** Beyond this many selected shapes, handles would only be noise: outlines only. */
export const MAX_HANDLE_SHAPES = 200;

const tracePolygon = (
  ctx: Ctx,
  points: readonly (readonly [number, number])[],
  map: (x: number, y: number) => [number, number],
) => {
  const n = points.length;
  for (let k = 0; k < n; k++) {
    const p = points[k]!;
    const [x, y] = map(p[0], p[1]);
    if (k === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.closePath();
};

/** Traces a box or polygon through `map` (image to screen pixels); the caller strokes or fills. */
export const traceGeometry = (ctx: Ctx, g: Geometry, map: (x: number, y: number) => [number, number]) => {
  if (g.type === "box") {
    const [x0, y0] = map(g.x, g.y);
    const [x1, y1] = map(g.x + g.width, g.y + g.height);
    ctx.rect(x0, y0, x1 - x0, y1 - y0);
  } else tracePolygon(ctx, g.points, map);
};

export interface OverlayInput {
  viewport: Viewport;
  image: Size | null;
  colourOf: (labelId: number) => string;
  nameOf: (labelId: number) => string;
  /** Selected shapes as they are now (transform preview already applied). */
  selected: readonly Shape[];
  /** Which of them may be edited (handles drawn). */
  editable: (id: string) => boolean;
  /** Shapes of the transform preview that are not selected (rare, but drawn all the same). */
  moving: readonly Shape[];
  hover: Shape | null;
  preview: Preview | null;
  activeColour: string;
  /** The server's version in "view both" mode. */
  serverShapes: readonly Shape[] | null;
  /** Crosshair guide position in image pixels (box tool), or null. */
  crosshair: { x: number; y: number } | null;
}

const drawHandle = (ctx: Ctx, x: number, y: number, colour: string, size: number) => {
  const h = size / 2;
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(x - h, y - h, size, size);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = colour;
  ctx.strokeRect(x - h, y - h, size, size);
};

const TAG_FONT = "600 11px system-ui, sans-serif";

/**
 * Draws a tag off the visible area, so the font is resolved and its glyphs are cached before the
 * first selection needs them (the first tag cost ~1 ms more than the next ones).
 */
export const warmTagText = (ctx: Ctx, text: string): void => {
  drawTag(ctx, text, -1000, -1000, "#000000");
};

/** Draws a label tag at (x, y); returns its screen area. */
export const drawTag = (ctx: Ctx, text: string, x: number, y: number, colour: string): ScreenRect => {
  ctx.font = TAG_FONT;
  ctx.textBaseline = "middle";
  const w = ctx.measureText(text).width + 8;
  const top = y - 18 < 0 ? y + 2 : y - 18;
  ctx.globalAlpha = 0.92;
  ctx.fillStyle = colour;
  ctx.fillRect(x, top, w, 16);
  ctx.globalAlpha = 1;
  ctx.fillStyle = readableOn(colour);
  ctx.fillText(text, x + 4, top + 8.5);
  return { x, y: top, w, h: 16 };
};

/** An area of the screen in CSS pixels. */
export interface ScreenRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Beyond a traced outline, halos, handles and round joins reach at most this far (CSS pixels). */
const REACH_PX = HANDLE_PX / 2 + 4;

/** Collects the screen area the overlay draws on, so the next draw clears only that. */
class Extent {
  private minX = Number.POSITIVE_INFINITY;
  private minY = Number.POSITIVE_INFINITY;
  private maxX = Number.NEGATIVE_INFINITY;
  private maxY = Number.NEGATIVE_INFINITY;

  point(x: number, y: number, pad = REACH_PX) {
    if (x - pad < this.minX) this.minX = x - pad;
    if (y - pad < this.minY) this.minY = y - pad;
    if (x + pad > this.maxX) this.maxX = x + pad;
    if (y + pad > this.maxY) this.maxY = y + pad;
  }

  rect(r: ScreenRect) {
    this.point(r.x, r.y, 1);
    this.point(r.x + r.w, r.y + r.h, 1);
  }

  geometry(g: Geometry, map: (x: number, y: number) => [number, number]) {
    if (g.type === "box") {
      this.point(...map(g.x, g.y));
      this.point(...map(g.x + g.width, g.y + g.height));
    } else for (const p of g.points) this.point(...map(p[0], p[1]));
  }

  get value(): ScreenRect | null {
    if (this.maxX < this.minX) return null;
    return { x: this.minX, y: this.minY, w: this.maxX - this.minX, h: this.maxY - this.minY };
  }
}

/** Black or white text, whichever reads better on `hex`. */
export const readableOn = (hex: string): string => {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return "#000000";
  const [r, g, b] = [m[1], m[2], m[3]].map((c) => Number.parseInt(c ?? "0", 16) / 255) as [
    number,
    number,
    number,
  ];
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return lum > 0.55 ? "#111111" : "#ffffff";
};

/** Draws the overlay in screen pixels; returns the screen area drawn on (null: nothing drawn). */
export const drawOverlay = (ctx: Ctx, o: OverlayInput): ScreenRect | null => {
  const { scale, offsetX, offsetY } = o.viewport;
  const map = (x: number, y: number): [number, number] => [x * scale + offsetX, y * scale + offsetY];
  const extent = new Extent();
  ctx.save();
  ctx.lineJoin = "round";

  if (o.serverShapes && o.serverShapes.length > 0) {
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (const s of o.serverShapes) {
      traceGeometry(ctx, s.geometry, map);
      extent.geometry(s.geometry, map);
    }
    ctx.strokeStyle = "#000000";
    ctx.lineWidth = 3.5;
    ctx.stroke();
    ctx.strokeStyle = "#ff3df5";
    ctx.lineWidth = 2;
    ctx.stroke();
    ctx.setLineDash([]);
  }

  if (o.hover) {
    ctx.beginPath();
    traceGeometry(ctx, o.hover.geometry, map);
    extent.geometry(o.hover.geometry, map);
    ctx.lineWidth = SELECTED_LINE_PX;
    ctx.strokeStyle = o.colourOf(o.hover.labelId);
    ctx.globalAlpha = 0.12;
    ctx.fillStyle = o.colourOf(o.hover.labelId);
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.stroke();
  }

  const emphasised = [...o.moving, ...o.selected];
  for (const s of emphasised) {
    const colour = o.colourOf(s.labelId);
    ctx.beginPath();
    traceGeometry(ctx, s.geometry, map);
    extent.geometry(s.geometry, map);
    ctx.globalAlpha = 0.28;
    ctx.fillStyle = colour;
    ctx.fill();
    ctx.globalAlpha = 1;
    // A dark halo under the colour keeps the selection visible on any image.
    ctx.strokeStyle = "rgba(0,0,0,0.7)";
    ctx.lineWidth = SELECTED_LINE_PX + 2;
    ctx.stroke();
    ctx.strokeStyle = colour;
    ctx.lineWidth = SELECTED_LINE_PX;
    ctx.stroke();
  }
  if (emphasised.length <= MAX_HANDLE_SHAPES) {
    for (const s of emphasised) {
      if (!o.editable(s.id)) continue;
      const colour = o.colourOf(s.labelId);
      const g = s.geometry;
      const points = g.type === "box" ? BOX_HANDLES.map((h) => boxHandlePosition(g, h)) : g.points;
      const size = g.type === "box" ? HANDLE_PX : VERTEX_PX;
      for (const p of points) {
        const [x, y] = map(p[0], p[1]);
        drawHandle(ctx, x, y, colour, size);
      }
    }
    for (const s of o.selected) {
      const g = s.geometry;
      // Not Math.min(...points): spreading a polygon of ~100k stored vertices overflows the stack.
      const corner = g.type === "box" ? { minX: g.x, minY: g.y } : polygonBounds(g.points);
      const [x, y] = map(corner.minX, corner.minY);
      extent.rect(drawTag(ctx, o.nameOf(s.labelId), x, y, o.colourOf(s.labelId)));
    }
  }

  const p = o.preview;
  if (p?.kind === "box") {
    const [x0, y0] = map(p.geometry.x, p.geometry.y);
    const [x1, y1] = map(p.geometry.x + p.geometry.width, p.geometry.y + p.geometry.height);
    ctx.globalAlpha = 0.2;
    ctx.fillStyle = o.activeColour;
    ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
    ctx.globalAlpha = 1;
    ctx.lineWidth = 2;
    ctx.strokeStyle = o.activeColour;
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    extent.point(x0, y0);
    extent.point(x1, y1);
    const size = `${Math.round(p.geometry.width)} × ${Math.round(p.geometry.height)}`;
    extent.rect(drawTag(ctx, size, x0, y0, o.activeColour));
  } else if (p?.kind === "polygon" && p.points.length > 0) {
    ctx.beginPath();
    p.points.forEach(([px, py], i) => {
      const [x, y] = map(px, py);
      extent.point(x, y);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    if (p.cursor) {
      const [x, y] = map(p.cursor[0], p.cursor[1]);
      extent.point(x, y);
      ctx.lineTo(x, y);
    }
    ctx.strokeStyle = "rgba(0,0,0,0.6)";
    ctx.lineWidth = 4;
    ctx.stroke();
    ctx.strokeStyle = o.activeColour;
    ctx.lineWidth = 2;
    ctx.stroke();
    p.points.forEach(([px, py], i) => {
      const [x, y] = map(px, py);
      // The first vertex is the closing target: bigger, so it is easy to hit.
      drawHandle(ctx, x, y, o.activeColour, i === 0 ? HANDLE_PX + 4 : VERTEX_PX);
    });
  } else if (p?.kind === "issueRegion") {
    // The region an issue will be pinned on: dashed, in the colour of an open issue.
    const [x0, y0] = map(p.geometry.x, p.geometry.y);
    const [x1, y1] = map(p.geometry.x + p.geometry.width, p.geometry.y + p.geometry.height);
    ctx.globalAlpha = 0.12;
    ctx.fillStyle = ISSUE_REGION_COLOUR;
    ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
    ctx.globalAlpha = 1;
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    ctx.strokeStyle = ISSUE_REGION_COLOUR;
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    ctx.setLineDash([]);
    extent.point(x0, y0);
    extent.point(x1, y1);
  } else if (p?.kind === "marquee") {
    const [x0, y0] = map(p.bounds.minX, p.bounds.minY);
    const [x1, y1] = map(p.bounds.maxX, p.bounds.maxY);
    ctx.globalAlpha = 0.12;
    ctx.fillStyle = "#3b82f6";
    ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
    ctx.globalAlpha = 1;
    ctx.setLineDash([5, 4]);
    ctx.lineWidth = 1;
    ctx.strokeStyle = "#93c5fd";
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    ctx.setLineDash([]);
    extent.point(x0, y0);
    extent.point(x1, y1);
  }

  if (o.crosshair && o.image) {
    const [cx, cy] = map(o.crosshair.x, o.crosshair.y);
    const [ix0, iy0] = map(0, 0);
    const [ix1, iy1] = map(o.image.width, o.image.height);
    ctx.beginPath();
    ctx.moveTo(Math.round(cx) + 0.5, iy0);
    ctx.lineTo(Math.round(cx) + 0.5, iy1);
    ctx.moveTo(ix0, Math.round(cy) + 0.5);
    ctx.lineTo(ix1, Math.round(cy) + 0.5);
    ctx.strokeStyle = "rgba(0,0,0,0.55)";
    ctx.lineWidth = 3;
    ctx.stroke();
    ctx.strokeStyle = "rgba(255,255,255,0.9)";
    ctx.lineWidth = 1;
    ctx.stroke();
    extent.point(Math.round(cx) + 0.5, iy0);
    extent.point(Math.round(cx) + 0.5, iy1);
    extent.point(ix0, Math.round(cy) + 0.5);
    extent.point(ix1, Math.round(cy) + 0.5);
  }
  ctx.restore();
  return extent.value;
};
