import { geometryBounds, type Shape, type ShapeId } from "@labelbench/editor";
import type { Bounds } from "@labelbench/geometry";
import type { Geometry } from "@labelbench/schema";

/**
 * Batched drawing of the shapes for dense scenes (the overlay draws selection and drags on top).
 *
 * Building canvas paths costs about a microsecond per call, so re-tracing 10,000 boxes and 2,000
 * 50-vertex polygons for every raster tile would cost far more than the rasterising itself. Instead
 * the image is cut into tiles; each tile keeps one cached path per colour (in image pixels) for the
 * shapes whose centre lies in it, plus the union of their bounds. Drawing a region culls tiles against
 * it and strokes/fills their cached paths under the caller's transform (shape-raster.ts renders its
 * screen tiles this way). Paths are traced the first time a tile is drawn, so opening an image traces
 * only what is shown. Edits and visibility changes rebuild only the tiles of the shapes that changed,
 * and `takeDirty()` tells bitmap caches of the result which areas to render again.
 */

export interface PathLike {
  rect(x: number, y: number, w: number, h: number): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
}

export interface TileCtx<P extends PathLike> {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  globalAlpha: number;
  lineJoin: CanvasLineJoin;
  save(): void;
  restore(): void;
  fill(path: P): void;
  stroke(path: P): void;
}

/** The editor's ShapeMap can say which shapes changed between two versions without a full scan. */
export type ShapesLike = ReadonlyMap<ShapeId, Shape> & {
  changedSince?(older: ReadonlyMap<ShapeId, Shape>): Iterable<ShapeId> | null;
};

export interface TileInput {
  image: { width: number; height: number };
  shapes: ShapesLike;
  /** Shapes drawn elsewhere or not at all: being dragged (the overlay draws them), hidden one by one. */
  excluded: ReadonlySet<ShapeId>;
  /** Labels whose shapes are all hidden; a new set rebuilds every tile. */
  hiddenLabels: ReadonlySet<number>;
  colourOf: (labelId: number) => string;
  /** Identity changes when label colours change. */
  coloursKey: unknown;
}

interface Tile<P extends PathLike> {
  members: Set<ShapeId>;
  /** Traced when first drawn (null until then): an image opens without tracing what is not shown yet. */
  paths: Map<string, P> | null;
  bounds: Bounds | null;
  count: number;
  dirty: boolean;
}

export const traceInto = (path: PathLike, g: Geometry) => {
  if (g.type === "box") {
    path.rect(g.x, g.y, g.width, g.height);
    return;
  }
  const pts = g.points;
  const n = pts.length;
  // One winding for every polygon, so a shared non-zero fill never punches holes where two overlap.
  let area = 0;
  for (let i = 0; i < n; i++) {
    const a = pts[i]!;
    const b = pts[(i + 1) % n]!;
    area += a[0] * b[1] - b[0] * a[1];
  }
  for (let k = 0; k < n; k++) {
    const p = pts[area >= 0 ? k : n - 1 - k]!;
    if (k === 0) path.moveTo(p[0], p[1]);
    else path.lineTo(p[0], p[1]);
  }
  path.closePath();
};

export const FILL_ALPHA = 0.16;
/**
 * One screen pixel: a canvas rasteriser strokes hairlines on a fast path, wider lines go through a
 * path stroker that is 10-30x slower without a GPU (measured in headless Chromium). Selected shapes get
 * their thicker outline in the overlay.
 */
export const SHAPE_LINE_PX = 1;
/** Translucent fills cost a full coverage pass per path; past this many shapes in view, outlines only. */
export const FILL_MAX_SHAPES = 2000;
const TILES_PER_SIDE = 16;
/** Cells across the image of the fine grid used for zoomed-in raster tiles (shape-raster.ts). */
export const FINE_TILES_PER_SIDE = 64;
export const FINE_MIN_CELL_PX = 32;
const MAX_DIRTY_RECTS = 2000;
const MIN_TILE_PX = 64;

export class ShapeTiles<P extends PathLike> {
  private tiles: Tile<P>[] = [];
  private cols = 0;
  private rows = 0;
  private tileW = 1;
  private tileH = 1;
  /** Each placed shape's tile and bounds (the bounds say what a change dirties on screen). */
  private tileOf = new Map<ShapeId, { tile: number; bounds: Bounds }>();
  private dirtyRects: Bounds[] = [];
  private dirtyAll = true;
  private prev: TileInput | null = null;
  private prevExcluded: ReadonlySet<ShapeId> = new Set();
  /** Tiles rebuilt by the last sync (for tests and metrics). */
  lastRebuilt = 0;

  /**
   * `perSide` cells across the image (at least `minCellPx` image pixels each). Coarse cells keep the
   * number of paths small when much of the image shows; fine ones keep a zoomed-in raster tile from
   * stroking thousands of shapes that lie outside it (the clip does not make them free).
   */
  constructor(
    private readonly newPath: () => P,
    private readonly perSide = TILES_PER_SIDE,
    private readonly minCellPx = MIN_TILE_PX,
  ) {}

  /** The larger side of a cell, in image pixels (after the first sync). */
  get cellSide(): number {
    return Math.max(this.tileW, this.tileH);
  }

  private reset(input: TileInput) {
    const { width, height } = input.image;
    this.tileW = Math.max(this.minCellPx, Math.ceil(width / this.perSide));
    this.tileH = Math.max(this.minCellPx, Math.ceil(height / this.perSide));
    this.cols = Math.max(1, Math.ceil(width / this.tileW));
    this.rows = Math.max(1, Math.ceil(height / this.tileH));
    this.tiles = Array.from({ length: this.cols * this.rows }, () => ({
      members: new Set<ShapeId>(),
      paths: new Map(),
      bounds: null,
      count: 0,
      dirty: true,
    }));
    this.tileOf.clear();
    this.dirtyAll = true;
    this.dirtyRects = [];
    for (const s of input.shapes.values()) this.place(s);
  }

  private indexFor(b: Bounds): number {
    const cx = (b.minX + b.maxX) / 2;
    const cy = (b.minY + b.maxY) / 2;
    const col = Math.min(this.cols - 1, Math.max(0, Math.floor(cx / this.tileW)));
    const row = Math.min(this.rows - 1, Math.max(0, Math.floor(cy / this.tileH)));
    return row * this.cols + col;
  }

  private place(s: Shape) {
    const bounds = geometryBounds(s.geometry);
    const i = this.indexFor(bounds);
    this.tileOf.set(s.id, { tile: i, bounds });
    const t = this.tiles[i]!;
    t.members.add(s.id);
    t.dirty = true;
    if (!this.dirtyAll) this.dirtyRects.push(bounds);
  }

  private unplace(id: ShapeId) {
    const at = this.tileOf.get(id);
    if (at === undefined) return;
    this.tileOf.delete(id);
    const t = this.tiles[at.tile]!;
    t.members.delete(id);
    t.dirty = true;
    if (!this.dirtyAll) this.dirtyRects.push(at.bounds);
  }

  private markDirty(id: ShapeId) {
    const at = this.tileOf.get(id);
    if (at === undefined) return;
    this.tiles[at.tile]!.dirty = true;
    if (!this.dirtyAll) this.dirtyRects.push(at.bounds);
  }

  /**
   * What changed on screen since the last call: everything (first sync, new image, colours or hidden
   * labels changed) or the image-pixel bounds of each shape that appeared, moved, changed or left.
   * Bitmap caches of the batch re-render just those areas.
   */
  takeDirty(): { all: true } | { all: false; rects: Bounds[] } {
    // Past a few thousand changes (another image's shapes, a big paste) redrawing everything is cheaper.
    const out: { all: true } | { all: false; rects: Bounds[] } =
      this.dirtyAll || this.dirtyRects.length > MAX_DIRTY_RECTS
        ? { all: true }
        : { all: false, rects: this.dirtyRects };
    this.dirtyAll = false;
    this.dirtyRects = [];
    return out;
  }

  /** Brings the tiles up to date with the input, rebuilding only what changed. */
  sync(input: TileInput): void {
    const prev = this.prev;
    const full =
      !prev ||
      prev.image.width !== input.image.width ||
      prev.image.height !== input.image.height ||
      prev.coloursKey !== input.coloursKey ||
      prev.hiddenLabels !== input.hiddenLabels;
    if (full) this.reset(input);
    else {
      if (prev.shapes !== input.shapes) {
        const changed = input.shapes.changedSince?.(prev.shapes);
        if (changed) {
          for (const id of changed) {
            this.unplace(id);
            const s = input.shapes.get(id);
            if (s) this.place(s);
          }
        } else {
          for (const [id, s] of input.shapes) {
            const old = prev.shapes.get(id);
            if (old === s) continue;
            this.unplace(id);
            this.place(s);
          }
          for (const id of prev.shapes.keys()) if (!input.shapes.has(id)) this.unplace(id);
        }
      }
      if (this.prevExcluded !== input.excluded) {
        for (const id of this.prevExcluded) if (!input.excluded.has(id)) this.markDirty(id);
        for (const id of input.excluded) if (!this.prevExcluded.has(id)) this.markDirty(id);
      }
    }
    this.prev = input;
    this.prevExcluded = input.excluded;
    let rebuilt = 0;
    for (const t of this.tiles) {
      if (!t.dirty) continue;
      rebuilt += 1;
      this.build(t, input);
    }
    this.lastRebuilt = rebuilt;
  }

  /** Counts a tile's drawable shapes and their bounds; tracing waits until the tile is drawn. */
  private build(t: Tile<P>, input: TileInput) {
    t.paths = null;
    t.count = 0;
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    for (const id of t.members) {
      if (input.excluded.has(id)) continue;
      const at = this.tileOf.get(id);
      const s = input.shapes.get(id);
      if (!s || !at || input.hiddenLabels.has(s.labelId)) continue;
      const b = at.bounds;
      if (b.minX < minX) minX = b.minX;
      if (b.minY < minY) minY = b.minY;
      if (b.maxX > maxX) maxX = b.maxX;
      if (b.maxY > maxY) maxY = b.maxY;
      t.count += 1;
    }
    t.bounds = t.count > 0 ? { minX, minY, maxX, maxY } : null;
    t.dirty = false;
  }

  /** The tile's cached paths, one per colour, traced from the last synced input on first use. */
  private pathsOf(t: Tile<P>): Map<string, P> {
    if (t.paths) return t.paths;
    const paths = new Map<string, P>();
    const input = this.prev;
    if (input) {
      for (const id of t.members) {
        if (input.excluded.has(id)) continue;
        const s = input.shapes.get(id);
        if (!s || input.hiddenLabels.has(s.labelId)) continue;
        const colour = input.colourOf(s.labelId);
        let path = paths.get(colour);
        if (!path) {
          path = this.newPath();
          paths.set(colour, path);
        }
        traceInto(path, s.geometry);
      }
    }
    t.paths = paths;
    return paths;
  }

  private tilesIn(view: Bounds): Tile<P>[] {
    return this.tiles.filter((t) => {
      const b = t.bounds;
      return (
        b !== null && b.maxX >= view.minX && b.minX <= view.maxX && b.maxY >= view.minY && b.minY <= view.maxY
      );
    });
  }

  /**
   * The cells whose shapes reach into `view`, nearest `centre` first: a view drawn cell by cell
   * (shape-raster.ts, the first picture at a new scale) strokes each shape once, sharp where the eye
   * is first.
   */
  cellsIn(view: Bounds, centre: { x: number; y: number }): number[] {
    const out: { index: number; d: number }[] = [];
    this.tiles.forEach((t, index) => {
      const b = t.bounds;
      if (!b || b.maxX < view.minX || b.minX > view.maxX || b.maxY < view.minY || b.minY > view.maxY) return;
      const dx = ((index % this.cols) + 0.5) * this.tileW - centre.x;
      const dy = (Math.floor(index / this.cols) + 0.5) * this.tileH - centre.y;
      out.push({ index, d: dx * dx + dy * dy });
    });
    return out.sort((a, b) => a.d - b.d).map((c) => c.index);
  }

  /** Draws the shapes of cell `index` (from cellsIn) as draw() draws a region. */
  drawCell(ctx: TileCtx<P>, index: number, scale: number, fill: boolean): void {
    const t = this.tiles[index];
    if (!t || t.count === 0) return;
    ctx.save();
    ctx.lineJoin = "miter";
    ctx.lineWidth = SHAPE_LINE_PX / scale;
    this.drawPaths(ctx, t, fill);
    ctx.restore();
  }

  private drawPaths(ctx: TileCtx<P>, t: Tile<P>, withFill: boolean) {
    for (const [colour, path] of this.pathsOf(t)) {
      if (withFill) {
        ctx.globalAlpha = FILL_ALPHA;
        ctx.fillStyle = colour;
        ctx.fill(path);
        ctx.globalAlpha = 1;
      }
      ctx.strokeStyle = colour;
      ctx.stroke(path);
    }
  }

  /** How many shapes the tiles reaching into `view` hold (what a draw of that view would draw). */
  countIn(view: Bounds): number {
    return this.tilesIn(view).reduce((n, t) => n + t.count, 0);
  }

  /**
   * Draws the tiles intersecting `view` (image pixels) under a camera of `scale`; lines stay
   * SHAPE_LINE_PX wide on screen. Fills are drawn when `fill` says so, by default when at most
   * FILL_MAX_SHAPES shapes are drawn. Returns how many shapes the drawn tiles hold.
   */
  draw(ctx: TileCtx<P>, view: Bounds, scale: number, fill?: boolean): number {
    const visible = this.tilesIn(view);
    const drawn = visible.reduce((n, t) => n + t.count, 0);
    const withFill = fill ?? drawn <= FILL_MAX_SHAPES;
    ctx.save();
    ctx.lineJoin = "miter";
    ctx.lineWidth = SHAPE_LINE_PX / scale;
    for (const t of visible) this.drawPaths(ctx, t, withFill);
    ctx.restore();
    return drawn;
  }
}
