import type { Bounds, Size, Viewport } from "@labelbench/geometry";
import { visibleImageBounds } from "@labelbench/geometry";
import { moveOnCompositor } from "./compositor";
import { FRAME_BUDGET_MS, type FrameBudget } from "./frame-scheduler";

export { FRAME_BUDGET_MS };

import { FILL_MAX_SHAPES, type PathLike, type ShapeTiles, type TileCtx, type TileInput } from "./shape-tiles";

/**
 * The unselected shapes as one picture that the browser's compositor moves.
 *
 * Measured in headless Chromium with software rendering (docs/architecture.md, "Rendering for
 * density"): stroking 12,000 shapes costs 30-60 ms, far more than a frame; a 2D canvas that moves is
 * copied to the compositor again on every frame; a canvas element per tile makes every layout change
 * re-layerize dozens of layers (10-20 ms). Moving a bitmap costs nothing. Hence:
 *
 * - shapes are rendered at the current zoom into offscreen 256 px tiles aligned to the image (a pan
 *   reuses them); rendering is finished on the spot, so its cost lands in the frame budget that chose
 *   to render the tile, not in a surprise at commit;
 * - the tiles are composed into one picture covering the stage and a margin of MARGIN_PX around it,
 *   shown as a bitmap; panning changes only its CSS transform. When the view nears the edge of the
 *   margin the next picture is composed a few tiles per frame and swapped in; only a pan faster than
 *   that (or an edit, which must show at once) composes in one frame;
 * - zooming scales the picture (the compositor resamples it: soft for a moment); once the scale has
 *   rested for ZOOM_SETTLE_MS the view is drawn at the new scale straight from the cells' paths (each
 *   shape stroked once), by the catch-up deadline (CATCH_UP_FRAME_MS) while the camera rests, and shown;
 *   then a new generation of tiles is rendered and a whole picture with its margin composed from them;
 * - an edit re-renders only the tiles under the changed shapes' old and new bounds; a change of
 *   everything (another image, label colours, a hidden label) starts a new generation.
 */

/**
 * Side of a raster tile in CSS pixels. 128, not 256: a 256 px tile with see-through fills took
 * 2-3 ms to draw, more than a frame's whole budget, in one piece that cannot be split.
 */
export const RASTER_TILE_PX = 128;
/** The picture reaches this far beyond the stage on every side (CSS pixels). */
export const MARGIN_PX = 256;
/**
 * A zoom counts as finished when the scale has not changed for this long: three frames at 60 Hz. 50 ms,
 * not 120: the steps of a wheel spun by hand come 10-40 ms apart, and the longer wait was most of the
 * time shapes stayed soft after the last step. A generation started between two slower steps is
 * dropped at the next one (its work came from idle frames). Counted between the frames' own
 * timestamps (FrameBudget.frameStart, on the display's beat), and 48 rather than 50: measured from
 * when the shape layer ran within each frame, the third frame after the last step came a little under
 * 50 ms later whenever that step's frame had more to do before it (the image layer), so the rest lasted four
 * frames (67 ms), not three.
 */
export const ZOOM_SETTLE_MS = 48;
/**
 * While the shapes on screen are soft (the old picture scaled) and the camera has rested
 * ZOOM_SETTLE_MS, the shape layer works until this long after its frame began
 * instead of within the shared FRAME_BUDGET_MS: nobody is moving anything, the frame has the time,
 * and at 2 ms a frame a dense view at a new scale took 0.6-1.5 s to come back sharp. A deadline from
 * the frame's start (not from now) leaves what the frame already spent (input, the image's redraw) out
 * of it, so the frame still ends well within 16.7 ms.
 */
export const CATCH_UP_FRAME_MS = 10;
/**
 * The budget while no shapes show at all (an image just opened): finish sooner, still no long task.
 * 40 ms, not 24: with 128 px tiles an opened dense image needs ~4x as many tiles, and at 24 ms a
 * frame its first picture came ~250 ms later (1,400 ms against 1,150 ms measured). Otherwise the shape layer draws from the frame's budget shared with the image (frame-scheduler.ts).
 */
export const FIRST_FRAME_BUDGET_MS = 40;
/**
 * A raster tile whose image side is at most this many fine cells draws from the fine grid of cached
 * paths: at 1:1 a 256 px tile under the coarse grid stroked the paths of thousands of shapes outside
 * it (4-7 ms for one tile); under the fine grid it strokes the few hundred it reaches.
 */
export const FINE_MAX_CELLS = 6;

export interface RasterTileCtx<P extends PathLike> extends TileCtx<P> {
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
}

/** An offscreen tile. */
export interface HostTile<P extends PathLike, S> {
  readonly ctx: RasterTileCtx<P>;
  /** What pictures are composed from. */
  readonly source: S;
  /** Rasterises what was drawn now instead of at the next paint. */
  flush(): void;
}

/** The picture on screen, and the one being composed offscreen. */
export interface HostPicture<S> {
  /**
   * Starts composing a new picture of `width` x `height` device pixels. With `backdrop`, it starts
   * from the picture on screen, scaled by k and moved by (x, y) device pixels, with `clear` (device
   * pixels) left empty — when the host still holds that picture's pixels.
   */
  begin(
    width: number,
    height: number,
    backdrop?: { k: number; x: number; y: number; clear: { x: number; y: number; w: number; h: number } },
  ): void;
  draw(source: S, x: number, y: number): void;
  /** Rasterises what was drawn so far (spreads a composition over several frames). */
  flush(): void;
  /** Shows the composed picture, `dpr` device pixels per CSS pixel, placed at (-margin, -margin). */
  show(dpr: number, margin: number): void;
  /**
   * Optional: starts copying the composed picture out, so that a `show()` once the promise resolves
   * reuses the composing canvas instead of handing its pixels over (a canvas that lost its pixels
   * allocates new ones on its next draw: 8-20 ms in one frame for a window-sized picture).
   */
  prepare?(): Promise<void>;
  /** screen = shown picture * k + (x, y), in CSS pixels. */
  setTransform(x: number, y: number, k: number): void;
  setVisible(visible: boolean): void;
  remove(): void;
}

/** Where the pixels go: the DOM in the app (domRasterHost), a recorder in tests. */
export interface RasterHost<P extends PathLike, S> {
  picture: HostPicture<S>;
  createTile(sidePx: number): HostTile<P, S>;
  /**
   * Takes back a tile no generation holds any more (evicted, or its generation replaced), for a later
   * createTile to reuse: drawn pictures hold copies of their tiles, never the tiles themselves.
   */
  releaseTile?(tile: HostTile<P, S>): void;
  /** The context of the picture being composed (after picture.begin()), to draw shapes straight in. */
  pictureContext(): RasterTileCtx<P>;
}

export interface RasterInput extends TileInput {
  viewport: Viewport;
  stage: Size;
  pixelRatio: number;
}

export interface RasterStats {
  /** Shapes in view once the view is fully rendered at the current scale; 0 while it is not. */
  shapesDrawn: number;
  /** Frames in which the shape layer moved or changed. */
  shapesDraws: number;
  /** Main-thread time of the last such frame, and when it ended (performance.now()). */
  lastShapesMs: number;
  lastShapesAt: number;
  /** Tiles rendered since start, and the main-thread time they took (ms). */
  tileRenders: number;
  tileMs: number;
  /** Pictures shown since start; of those composed in a single frame (edits, fast pans). */
  pictures: number;
  urgentPictures: number;
  /** False while frames are still needed (tiles to render, a picture to compose, a zoom to settle). */
  settled: boolean;
  /**
   * When (performance.now()) the picture on screen last became whole at the current scale: the end
   * of a zoom's soft, scaled picture. The bench times it from the last wheel event.
   */
  sharpAt: number;
}

interface Slot<P extends PathLike, S> {
  /** null: nothing to draw there. */
  tile: HostTile<P, S> | null;
  stale: boolean;
  /** Bumped on every render, so a picture knows whether it holds the tile's latest pixels. */
  version: number;
}

interface Generation<P extends PathLike, S> {
  scale: number;
  dpr: number;
  fill: boolean;
  slots: Map<string, Slot<P, S>>;
}

/** A picture: which generation, drawn for which camera, holding which tile versions. */
interface Picture<P extends PathLike, S> {
  gen: Generation<P, S>;
  camera: Viewport;
  stage: Size;
  /** The tiles it covers, with the version drawn (-1: not drawn yet). */
  tiles: Map<string, number>;
  /** Image area of the view's tiles (drawn first), and of all its tiles (the view and the margin). */
  viewArea: Bounds;
  area: Bounds;
  /**
   * Shown with only the view drawn (the first picture of a new scale is shown as soon as the view is
   * sharp; a whole one follows): it covers `viewArea`, not `area`.
   */
  partial: boolean;
  /**
   * Drawn straight from the shapes' paths, cell by cell, not from tiles (the view of a new scale:
   * each shape is stroked once, where the tiles stroke the shapes of every cell they overlap, 2-3x as
   * many at fit). It holds no tile versions; `stale` says an edit came after it.
   */
  direct: boolean;
  /** Drawn from the paths over its whole area, the margin too (a jump): it needs no tiles. */
  whole: boolean;
  stale: boolean;
}

export interface TileRange {
  i0: number;
  i1: number;
  j0: number;
  j1: number;
}

const keyOf = (i: number, j: number) => `${i},${j}`;
const cellOf = (key: string) => key.split(",").map(Number) as [number, number];

/** The tiles (at `scale`, `px` CSS pixels each) that cover `view` (image pixels), grown by `rings`. */
export const tileRange = (view: Bounds, scale: number, px: number, rings = 0): TileRange => {
  const side = px / scale;
  return {
    i0: Math.floor(view.minX / side) - rings,
    i1: Math.floor(view.maxX / side) + rings,
    j0: Math.floor(view.minY / side) - rings,
    j1: Math.floor(view.maxY / side) + rings,
  };
};

/** Image-pixel area of tile (i, j) at `scale`. */
export const tileBounds = (i: number, j: number, scale: number, px: number): Bounds => {
  const side = px / scale;
  return { minX: i * side, minY: j * side, maxX: (i + 1) * side, maxY: (j + 1) * side };
};

/** The image area a picture drawn for `camera` covers: the stage and the margin around it. */
export const pictureArea = (camera: Viewport, stage: Size, margin = MARGIN_PX): Bounds => ({
  minX: (-margin - camera.offsetX) / camera.scale,
  minY: (-margin - camera.offsetY) / camera.scale,
  maxX: (stage.width + margin - camera.offsetX) / camera.scale,
  maxY: (stage.height + margin - camera.offsetY) / camera.scale,
});

const overlaps = (a: Bounds, b: Bounds) =>
  a.minX < b.maxX && b.minX < a.maxX && a.minY < b.maxY && b.minY < a.maxY;

const covers = (outer: Bounds, inner: Bounds) =>
  outer.minX <= inner.minX &&
  outer.minY <= inner.minY &&
  outer.maxX >= inner.maxX &&
  outer.maxY >= inner.maxY;

function* cells(r: TileRange): Generator<[number, number]> {
  for (let j = r.j0; j <= r.j1; j++) for (let i = r.i0; i <= r.i1; i++) yield [i, j];
}

export class ShapeRaster<P extends PathLike, S> {
  /** The generation of tiles at the current (or, during a zoom, the last settled) scale. */
  private gen: Generation<P, S> | null = null;
  /** A generation being rendered at a new scale. */
  private pending: Generation<P, S> | null = null;
  private shown: Picture<P, S> | null = null;
  /**
   * The picture being composed offscreen: the tiles still to draw into it (the view's first, from its
   * centre out; `view` of them are the view's), and the state of its copy (HostPicture.prepare).
   */
  private building: {
    pic: Picture<P, S>;
    todo: string[];
    view: number;
    /** For a direct picture, the cells (ShapeTiles.cellsIn) still to draw. */
    cells: number[];
    copy: "none" | "copying" | "ready";
  } | null = null;
  private transform = "";
  private image: RasterInput["image"] | null = null;
  private lastScale = Number.NaN;
  private scaleChangedAt = Number.NEGATIVE_INFINITY;
  private lastOffset = { x: Number.NaN, y: Number.NaN };
  private cameraChangedAt = Number.NEGATIVE_INFINITY;
  /** Whether the last frame's picture was whole at its scale (sharpAt marks the change to true). */
  private whole = false;
  /** The generations some reference held at the end of the last frame (see retireGenerations). */
  private live: Generation<P, S>[] = [];

  constructor(
    private readonly tiles: ShapeTiles<P>,
    private readonly host: RasterHost<P, S>,
    private readonly stats: RasterStats,
    private readonly now: () => number = () => performance.now(),
    private readonly tilePx = RASTER_TILE_PX,
    private readonly margin = MARGIN_PX,
    /** Finer cells of the same shapes for zoomed-in tiles (null: always the coarse ones). */
    private readonly fine: ShapeTiles<P> | null = null,
  ) {}

  /**
   * Brings the shape layer up to date with the editor for this frame. Returns true while more frames
   * are needed (tiles left to render, a picture to compose, a zoom to settle).
   */
  frame(input: RasterInput, budget?: FrameBudget): boolean {
    const start = this.now();
    // When this frame began (its animation frame's timestamp), for the zoom's rest (ZOOM_SETTLE_MS).
    const frameAt = budget?.frameStart ?? start;
    let changed = false;
    let more = false;
    this.tiles.sync(input);
    const dirty = this.tiles.takeDirty();
    if (this.fine) {
      // Same input, same changes: the coarse grid's dirty areas stand for both.
      this.fine.sync(input);
      this.fine.takeDirty();
    }
    const otherImage = input.image !== this.image;
    this.image = input.image;
    if (dirty.all || otherImage) {
      // Everything changes. Another image's shapes must not show over this one: take the picture away
      // at once. A restyle of this image (colours, a hidden label) keeps it until the new one is ready.
      this.gen = null;
      this.pending = null;
      this.building = null;
      if (otherImage) {
        this.shown = null;
        this.transform = "";
        this.host.picture.setVisible(false);
      }
      changed = true;
    } else if (dirty.rects.length > 0) {
      for (const g of [this.gen, this.pending]) if (g) this.markStale(g, dirty.rects);
      // Pictures drawn straight from the paths follow no tile versions: any edit outdates them.
      if (this.shown?.direct) this.shown.stale = true;
      if (this.building?.pic.direct) this.building = null;
    }

    const { scale } = input.viewport;
    if (scale !== this.lastScale) {
      this.lastScale = scale;
      this.scaleChangedAt = frameAt;
    }
    const { offsetX, offsetY } = input.viewport;
    if (offsetX !== this.lastOffset.x || offsetY !== this.lastOffset.y) {
      this.lastOffset = { x: offsetX, y: offsetY };
      this.cameraChangedAt = frameAt;
    }
    const settled = frameAt - this.scaleChangedAt >= ZOOM_SETTLE_MS;
    const resting = settled && frameAt - this.cameraChangedAt >= ZOOM_SETTLE_MS;
    const view = visibleImageBounds(input.viewport, input.stage);
    const dpr = input.pixelRatio;
    const exact = (g: Generation<P, S> | null): g is Generation<P, S> =>
      g !== null && g.scale === scale && g.dpr === dpr;

    // The camera left everything the picture on screen holds (a step onto an object far away, at
    // another scale): no scaled picture stands in for the new one, so there is no rest to wait for.
    const away = this.shown !== null && !overlaps(this.coverage(this.shown), view);
    if (exact(this.gen)) this.pending = null;
    else if (!exact(this.pending) && (settled || away || (!this.pending && !this.gen)))
      this.pending = this.newGeneration(scale, dpr, view);

    // The frame's budget is shared with the image layer (frame-scheduler.ts); an image that shows no
    // shapes yet gets a larger one of its own, and so do soft shapes after a gesture while the camera
    // rests (CATCH_UP_FRAME_MS). A pan keeps the shared budget: its frames come first.
    const before = this.shown;
    const soft = before !== null && !exact(before.gen) && resting;
    // Only until the view is sharp: the margin's tiles that follow are not on screen, and frames of
    // 10 ms for all of them raised the dense bench's 1:1 zoom work per frame (p95) past its 8 ms.
    const catchUp = soft;
    const budgetEnd = !before
      ? start + FIRST_FRAME_BUDGET_MS
      : catchUp
        ? Math.max(budget?.end ?? start + FRAME_BUDGET_MS, (budget?.frameStart ?? start) + CATCH_UP_FRAME_MS)
        : budget
          ? budget.end
          : start + FRAME_BUDGET_MS;
    let spent = false;
    const mayWork = () => this.now() < budgetEnd;
    const ensureTile = (g: Generation<P, S>, key: string, urgent: boolean): boolean => {
      const slot = g.slots.get(key);
      if (slot && !slot.stale) return true;
      if (!urgent && !mayWork()) return false;
      const [i, j] = cellOf(key);
      this.renderTile(g, i, j);
      spent = true;
      return true;
    };

    // Which picture should be on screen: the current generation drawn for (about) this camera.
    const target = exact(this.gen)
      ? this.gen
      : exact(this.pending)
        ? this.pending
        : (this.shown?.gen ?? null);
    if (target) {
      const shown = this.shown;
      const sameGen = shown?.gen === target;
      const sameStage =
        shown !== null &&
        shown.stage.width === input.stage.width &&
        shown.stage.height === input.stage.height;
      const onScale = target.scale === scale;
      // Urgent: nothing of this generation shows, the view left the picture, or an edit changed what
      // it holds. Soon: the view is past half the margin.
      const outdated = sameGen && shown !== null && this.outdated(shown);
      const uncovered = !sameGen || !sameStage || !covers(this.coverage(shown), view);
      const drift =
        sameGen && shown !== null && onScale
          ? Math.max(
              Math.abs(input.viewport.offsetX - shown.camera.offsetX),
              Math.abs(input.viewport.offsetY - shown.camera.offsetY),
            )
          : 0;
      const wantNew = uncovered || outdated || drift > this.margin / 2 || shown?.partial === true;
      // A new generation (zoom settled) is built without hurry while the old picture shows, scaled.
      // A view that moves past the part of a new scale's first picture drawn so far sees the old
      // picture, scaled, there (the backdrop) until the rest comes, rather than rendering the margin's
      // tiles in one long frame.
      const urgent = onScale && sameGen && (outdated || (uncovered && !shown?.partial));
      // The first picture of a new scale shows once its view is drawn (straight from the paths); the
      // margin follows from tiles. An edit on a picture drawn from the paths draws its view again, at once.
      const early = !sameGen && !urgent;
      // A jump (a step onto a prediction or an object far away, a pan far past the picture) finds few
      // of the view's tiles rendered: rendering the picture's 150-200 tiles in one frame took 100-250
      // ms (a new canvas each, cleared, stroked, read back); drawn straight from the paths, view and
      // margin, each shape once, it is one frame's work. Pans on from such a picture draw the next one
      // the same way (cell by cell within the budget); tiles come back with the next zoom.
      const jump =
        (urgent && uncovered && !outdated && this.mostlyMissing(target, view)) || (!sameGen && away);
      // Drawn in this frame: an edit, a view past the picture, a jump (nothing else shows there).
      const now = urgent || jump;
      const chained = !urgent && sameGen && shown?.direct === true && !shown.partial && !outdated;
      const whole = jump || chained;
      const direct = early || whole || (urgent && shown?.direct === true);
      if (wantNew && (onScale || !sameGen)) {
        const b = this.building;
        // A picture under way is finished rather than restarted when it still fits: only an edit or a
        // view beyond it needs a fresh one.
        const keep =
          b !== null &&
          b.pic.gen === target &&
          b.pic.direct === direct &&
          b.pic.whole === whole &&
          b.pic.stage === input.stage &&
          !this.outdated(b.pic) &&
          (!urgent || covers(pictureArea(b.pic.camera, b.pic.stage, this.margin), view));
        if (!keep) this.startPicture(target, input.viewport, input.stage, direct, whole);
        const building = this.building;
        if (building?.pic.direct) {
          const ctx = this.host.pictureContext();
          const { gen: g, camera } = building.pic;
          const k = g.scale * g.dpr;
          for (;;) {
            const cell = building.cells[0];
            if (cell === undefined) break;
            if (!now && this.now() >= budgetEnd) break;
            ctx.setTransform(
              k,
              0,
              0,
              k,
              (camera.offsetX + this.margin) * g.dpr,
              (camera.offsetY + this.margin) * g.dpr,
            );
            this.tiles.drawCell(ctx, cell, g.scale, g.fill);
            ctx.setTransform(1, 0, 0, 1, 0, 0);
            if (!now) this.host.picture.flush();
            building.cells.shift();
            spent = true;
          }
          if (building.cells.length === 0) building.view = 0;
        }
        if (building) {
          // A whole picture from the paths has no tiles to wait for, only its cells.
          let complete = !(building.pic.whole && building.cells.length > 0);
          for (;;) {
            if (!complete) break;
            const key = building.todo[0];
            if (key === undefined || ((early || building.pic.direct) && building.view === 0)) break;
            if (building.pic.direct) {
              complete = false;
              break;
            }
            if ((!urgent && this.now() >= budgetEnd) || !ensureTile(building.pic.gen, key, urgent)) {
              complete = false;
              break;
            }
            this.drawInto(building.pic, key);
            // Copies are deferred like all canvas drawing: rasterise each one now so the budget sees it.
            if (!urgent) this.host.picture.flush();
            building.todo.shift();
            if (building.view > 0) building.view -= 1;
            spent = true;
          }
          const partial = complete && building.todo.length > 0;
          if (partial && building.copy === "copying") {
            // The view part is being copied out (the canvas must not change meanwhile): render the
            // margin's tiles for the whole picture that follows.
            for (const key of building.todo)
              if (!ensureTile(building.pic.gen, key, false)) {
                more = true;
                break;
              }
          }
          // A picture composed ahead is copied out before it shows (HostPicture.prepare), a frame or
          // two later; one needed at once shows now.
          const prepare = this.host.picture.prepare;
          if (complete && !now && prepare && building.copy !== "ready") {
            if (building.copy === "none") {
              building.copy = "copying";
              prepare.call(this.host.picture).then(
                () => {
                  if (this.building === building) building.copy = "ready";
                },
                () => {
                  if (this.building === building) building.copy = "ready";
                },
              );
            }
            complete = false;
          }
          if (complete) {
            this.host.picture.show(target.dpr, this.margin);
            building.pic.partial = partial;
            this.shown = building.pic;
            this.building = null;
            this.transform = "";
            this.stats.pictures += 1;
            if (urgent) this.stats.urgentPictures += 1;
            if (target === this.pending) {
              this.gen = target;
              this.pending = null;
            }
            changed = true;
          } else more = true;
        }
      }
      // Tiles the next pictures will need: a ring around the picture area, within the budget.
      // Not round a picture drawn from the paths (a jump): a pan past it draws the next one the same way.
      if (this.gen && exact(this.gen) && this.building === null && !this.shown?.direct) {
        const ahead = tileRange(
          pictureArea(input.viewport, input.stage, this.margin),
          this.gen.scale,
          this.tilePx,
          1,
        );
        for (const [i, j] of cells(ahead)) {
          if (!ensureTile(this.gen, keyOf(i, j), false)) {
            more = true;
            break;
          }
        }
        this.evict(this.gen, ahead);
      }
    }
    if (this.pending || (this.gen && !exact(this.gen)) || this.shown?.partial) more = true;

    const shown = this.shown;
    if (shown) {
      this.host.picture.setVisible(true);
      changed = this.place(shown, input.viewport) || changed;
    }
    const whole =
      shown !== null && exact(shown.gen) && !this.outdated(shown) && covers(this.coverage(shown), view);
    this.stats.shapesDrawn = whole ? this.tiles.countIn(view) : 0;
    if (whole && !this.whole) this.stats.sharpAt = this.now();
    this.whole = whole;
    this.stats.settled = !more;
    this.retireGenerations();
    if (spent) budget?.spend();
    if (changed || spent) {
      const end = this.now();
      this.stats.shapesDraws += 1;
      this.stats.lastShapesMs = end - start;
      this.stats.lastShapesAt = end;
    }
    return more;
  }

  /**
   * Hands the tiles of every generation that nothing refers to any more (the current one, the one
   * being rendered, the shown picture's, the one being composed from) back to the host. Each zoom that
   * comes to rest renders a new generation, 150-250 tiles at a 1440 x 900 window; made new each time
   * and dropped a zoom later, their canvases were what the browser's major collections (10-15 ms
   * frames, most of it tracing the page's canvases) were busy with during zooms and pans.
   */
  private retireGenerations() {
    const live = [this.gen, this.pending, this.shown?.gen ?? null, this.building?.pic.gen ?? null].filter(
      (g): g is Generation<P, S> => g !== null,
    );
    for (const g of this.live) {
      if (live.includes(g)) continue;
      for (const slot of g.slots.values()) if (slot.tile) this.release(slot.tile);
      g.slots.clear();
    }
    this.live = [...new Set(live)];
  }

  private release(tile: HostTile<P, S>) {
    this.host.releaseTile?.(tile);
  }

  /** Takes the shape layer off the page (the canvas unmounts). */
  dispose() {
    this.gen = null;
    this.pending = null;
    this.shown = null;
    this.building = null;
    this.host.picture.remove();
  }

  private newGeneration(scale: number, dpr: number, view: Bounds): Generation<P, S> {
    return {
      scale,
      dpr,
      // Translucent fills cost a coverage pass per shape: only where few shapes share the screen.
      fill: this.tiles.countIn(view) <= FILL_MAX_SHAPES,
      slots: new Map(),
    };
  }

  /** The image area a shown picture has drawn. */
  private coverage(pic: Picture<P, S>): Bounds {
    return pic.partial ? pic.viewArea : pic.area;
  }

  /**
   * Whether a tile in the picture has been re-rendered (or is stale) since the picture was drawn.
   * Tiles not drawn into it yet are not: they take the latest version when they are.
   */
  private outdated(pic: Picture<P, S>): boolean {
    if (pic.direct) return pic.stale;
    for (const [key, version] of pic.tiles) {
      if (version < 0) continue;
      const slot = pic.gen.slots.get(key);
      if (slot && (slot.stale || slot.version !== version)) return true;
    }
    return false;
  }

  /**
   * Whether more than half the tiles of `view` are not rendered (or stale) in `g`: drawing the view
   * straight from the paths then costs less than rendering them.
   */
  private mostlyMissing(g: Generation<P, S>, view: Bounds): boolean {
    const r = tileRange(view, g.scale, this.tilePx);
    let missing = 0;
    let all = 0;
    for (const [i, j] of cells(r)) {
      all += 1;
      const slot = g.slots.get(keyOf(i, j));
      if (!slot || slot.stale) missing += 1;
    }
    return missing * 2 > all;
  }

  /**
   * Starts composing a picture of `gen` for camera `at`: from tiles, or `direct`ly from the shapes'
   * paths, the view only (the margin follows from tiles) or, `whole`, the view and the margin.
   */
  private startPicture(gen: Generation<P, S>, at: Viewport, stage: Size, direct: boolean, whole = false) {
    const snap = (t: number) => Math.round(t * gen.dpr) / gen.dpr;
    const camera = { scale: gen.scale, offsetX: snap(at.offsetX), offsetY: snap(at.offsetY) };
    const area = pictureArea(camera, stage, this.margin);
    const view = visibleImageBounds(camera, stage);
    const inView = tileRange(view, gen.scale, this.tilePx);
    // The view's tiles first, then the margin's, each from the view's centre out: what the eye is on
    // is sharp first.
    const side = this.tilePx / gen.scale;
    const cx = (view.minX + view.maxX) / 2;
    const cy = (view.minY + view.maxY) / 2;
    const order: { key: string; inView: boolean; d: number }[] = [];
    for (const [i, j] of cells(tileRange(area, gen.scale, this.tilePx))) {
      const dx = (i + 0.5) * side - cx;
      const dy = (j + 0.5) * side - cy;
      const isIn = i >= inView.i0 && i <= inView.i1 && j >= inView.j0 && j <= inView.j1;
      order.push({ key: keyOf(i, j), inView: isIn, d: dx * dx + dy * dy });
    }
    order.sort((a, b) => (a.inView === b.inView ? a.d - b.d : a.inView ? -1 : 1));
    const tiles = new Map<string, number>(order.map((o) => [o.key, -1]));
    const w = Math.round((stage.width + 2 * this.margin) * gen.dpr);
    const h = Math.round((stage.height + 2 * this.margin) * gen.dpr);
    const viewArea = {
      minX: inView.i0 * side,
      minY: inView.j0 * side,
      maxX: (inView.i1 + 1) * side,
      maxY: (inView.j1 + 1) * side,
    };
    // A view drawn straight at a new scale starts from the old picture, scaled, so that a pan before
    // the margin's tiles come shows soft shapes there rather than none.
    const old = this.shown;
    const toPx = (x: number, off: number) => (x * gen.scale + off + this.margin) * gen.dpr;
    const backdrop =
      direct && !whole && old && old.gen.dpr === gen.dpr && old.stage === stage
        ? {
            k: gen.scale / old.gen.scale,
            x:
              gen.dpr *
              (this.margin +
                camera.offsetX -
                (gen.scale / old.gen.scale) * (this.margin + old.camera.offsetX)),
            y:
              gen.dpr *
              (this.margin +
                camera.offsetY -
                (gen.scale / old.gen.scale) * (this.margin + old.camera.offsetY)),
            clear: {
              x: toPx(viewArea.minX, camera.offsetX),
              y: toPx(viewArea.minY, camera.offsetY),
              w: (viewArea.maxX - viewArea.minX) * gen.scale * gen.dpr,
              h: (viewArea.maxY - viewArea.minY) * gen.scale * gen.dpr,
            },
          }
        : undefined;
    this.host.picture.begin(w, h, backdrop);
    this.building = {
      pic: { gen, camera, stage, tiles, viewArea, area, partial: false, direct, whole, stale: false },
      todo: whole ? [] : order.map((o) => o.key),
      view: order.filter((o) => o.inView).length,
      cells: direct ? this.tiles.cellsIn(whole ? area : viewArea, { x: cx, y: cy }) : [],
      copy: "none",
    };
  }

  private drawInto(pic: Picture<P, S>, key: string) {
    const slot = pic.gen.slots.get(key);
    pic.tiles.set(key, slot?.version ?? 0);
    if (!slot?.tile) return;
    const [i, j] = cellOf(key);
    // Tile (i, j) starts at screen x = i * tile + offset for the picture's camera; the picture starts
    // at -margin. The camera's offset is whole device pixels (startPicture), so tiles land on pixels.
    const x = Math.round((i * this.tilePx + pic.camera.offsetX + this.margin) * pic.gen.dpr);
    const y = Math.round((j * this.tilePx + pic.camera.offsetY + this.margin) * pic.gen.dpr);
    this.host.picture.draw(slot.tile.source, x, y);
  }

  private markStale(g: Generation<P, S>, rects: Bounds[]) {
    // Strokes reach half a line beyond a shape's bounds.
    const pad = 2 / g.scale;
    for (const r of rects) {
      const grown = { minX: r.minX - pad, minY: r.minY - pad, maxX: r.maxX + pad, maxY: r.maxY + pad };
      for (const [i, j] of cells(tileRange(grown, g.scale, this.tilePx))) {
        const slot = g.slots.get(keyOf(i, j));
        if (slot) slot.stale = true;
      }
    }
  }

  private renderTile(g: Generation<P, S>, i: number, j: number) {
    const t0 = this.now();
    const key = keyOf(i, j);
    const prev = g.slots.get(key);
    const version = (prev?.version ?? 0) + 1;
    const box = tileBounds(i, j, g.scale, this.tilePx);
    const pad = 2 / g.scale;
    const reach = { minX: box.minX - pad, minY: box.minY - pad, maxX: box.maxX + pad, maxY: box.maxY + pad };
    const fine = this.fine;
    const source =
      fine && fine.cellSide > 0 && this.tilePx / g.scale <= FINE_MAX_CELLS * fine.cellSide
        ? fine
        : this.tiles;
    if (source.countIn(reach) === 0) {
      if (prev?.tile) this.release(prev.tile);
      g.slots.set(key, { tile: null, stale: false, version });
      return;
    }
    const side = Math.round(this.tilePx * g.dpr);
    const tile = prev?.tile ?? this.host.createTile(side);
    const ctx = tile.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, side, side);
    const s = g.scale * g.dpr;
    ctx.setTransform(s, 0, 0, s, -i * side, -j * side);
    source.draw(ctx, reach, g.scale, g.fill);
    tile.flush();
    g.slots.set(key, { tile, stale: false, version });
    this.stats.tileRenders += 1;
    this.stats.tileMs += this.now() - t0;
  }

  /** Releases tiles outside `keep` (and those the shown picture holds stay until it is replaced). */
  private evict(g: Generation<P, S>, keep: TileRange) {
    const grown = { i0: keep.i0 - 1, i1: keep.i1 + 1, j0: keep.j0 - 1, j1: keep.j1 + 1 };
    for (const key of g.slots.keys()) {
      const [i, j] = cellOf(key);
      if (i < grown.i0 || i > grown.i1 || j < grown.j0 || j > grown.j1) {
        const tile = g.slots.get(key)?.tile;
        if (tile) this.release(tile);
        g.slots.delete(key);
      }
    }
  }

  /** Moves the shown picture to the camera; true when its transform changed. */
  private place(pic: Picture<P, S>, v: Viewport): boolean {
    const d = pic.camera;
    const k = v.scale / d.scale;
    const m = this.margin;
    // The picture's top-left sits at (-m, -m) of its camera; it lands at (p - d.offset) * k + v.offset.
    const dpr = pic.gen.dpr;
    const snap = (t: number) => (k === 1 ? Math.round(t * dpr) / dpr : t);
    const x = snap(m * (1 - k) + v.offsetX - k * d.offsetX);
    const y = snap(m * (1 - k) + v.offsetY - k * d.offsetY);
    const t = `${x},${y},${k}`;
    if (t === this.transform) return false;
    this.transform = t;
    this.host.picture.setTransform(x, y, k);
    return true;
  }
}

/**
 * The DOM host: the picture shown by a "bitmaprenderer" canvas in `root` (its pixels are handed over
 * without a copy and not copied again while it moves), composed and tiled in offscreen canvases.
 */
/**
 * Tiles the DOM host keeps for reuse: a 1920 x 1080 window's picture and its margin take ~300 tiles of
 * 128 px, a generation being rendered as many again.
 */
export const MAX_SPARE_TILES = 600;

export const domRasterHost = (root: HTMLElement): RasterHost<Path2D, OffscreenCanvas> => {
  const el = document.createElement("canvas");
  el.className = "ed-raster__picture";
  el.width = 0;
  el.height = 0;
  el.style.visibility = "hidden";
  const shown = el.getContext("bitmaprenderer");
  if (!shown) throw new Error("the browser cannot show bitmaps in a canvas (bitmaprenderer)");
  root.appendChild(el);
  moveOnCompositor(el);
  /**
   * Pictures are composed in two canvases in turn: one whose snapshot is on screen would copy it on
   * its next draw, and one whose pixels were handed over allocates new ones (each 8-20 ms for a
   * window-sized picture in software).
   */
  type Scratch = { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D };
  const scratches: Scratch[] = [];
  let scratch: Scratch | null = null;
  let onScreen: Scratch | null = null;
  /** Whether `onScreen` still holds the pixels shown (a copy of them was shown, not the pixels). */
  let onScreenKept = false;
  /** A copy of what the scratch canvas holds (prepare), valid until the next begin(). */
  let copy: { ready: ImageBitmap | null; pending: Promise<ImageBitmap> | null } = {
    ready: null,
    pending: null,
  };
  const dropCopy = () => {
    copy.ready?.close();
    copy.pending?.then(
      (b) => b.close(),
      () => {},
    );
    copy = { ready: null, pending: null };
  };
  /** Tiles given back (releaseTile), reused before new canvases are made. */
  const spareTiles: HostTile<Path2D, OffscreenCanvas>[] = [];
  const context = (c: OffscreenCanvas, willReadFrequently = false) => {
    const ctx = c.getContext("2d", { willReadFrequently });
    if (!ctx) throw new Error("the browser gave no 2D context for an offscreen canvas");
    return ctx;
  };
  return {
    picture: {
      begin(width, height, backdrop) {
        dropCopy();
        const fits = (x: Scratch) => x.canvas.width === width && x.canvas.height === height;
        if (!scratches.every(fits)) scratches.length = 0;
        scratch = scratches.find((x) => x !== onScreen) ?? null;
        if (!scratch) {
          const canvas = new OffscreenCanvas(width, height);
          // Kept in memory the page reads: prepare() snapshots it without a readback.
          scratch = { canvas, ctx: context(canvas, true) };
          scratches.push(scratch);
        }
        const ctx = scratch.ctx;
        ctx.clearRect(0, 0, width, height);
        // The picture on screen is still in its canvas when it was shown from a copy (prepare).
        if (backdrop && onScreen && onScreenKept && scratches.includes(onScreen)) {
          // Only the ring round `clear` (the view, drawn afresh): scaling the whole old picture and
          // clearing the view again cost twice the pixels, in one frame that no budget bounds (the
          // heaviest of a zoom's re-render at 1920 x 1080).
          const c = backdrop.clear;
          const x0 = Math.max(0, Math.round(c.x));
          const y0 = Math.max(0, Math.round(c.y));
          const x1 = Math.min(width, Math.round(c.x + c.w));
          const y1 = Math.min(height, Math.round(c.y + c.h));
          const { k, x, y } = backdrop;
          const src = onScreen.canvas;
          const strip = (dx: number, dy: number, dw: number, dh: number) => {
            if (dw <= 0 || dh <= 0) return;
            // The old picture's pixels that land on this strip (drawImage clips them to the picture).
            ctx.drawImage(src, (dx - x) / k, (dy - y) / k, dw / k, dh / k, dx, dy, dw, dh);
          };
          if (x1 <= x0 || y1 <= y0) strip(0, 0, width, height);
          else {
            strip(0, 0, width, y0);
            strip(0, y1, width, height - y1);
            strip(0, y0, x0, y1 - y0);
            strip(x1, y0, width - x1, y1 - y0);
          }
        }
      },
      prepare() {
        if (!scratch) return Promise.reject(new Error("no picture composed"));
        dropCopy();
        const mine = createImageBitmap(scratch.canvas);
        const entry = { ready: null as ImageBitmap | null, pending: mine as Promise<ImageBitmap> | null };
        copy = entry;
        return mine.then((bitmap) => {
          if (copy !== entry) {
            bitmap.close();
            return;
          }
          entry.ready = bitmap;
          entry.pending = null;
        });
      },
      draw(source, x, y) {
        scratch?.ctx.drawImage(source, x, y);
      },
      flush() {
        scratch?.ctx.getImageData(0, 0, 1, 1);
      },
      show(dpr, margin) {
        if (!scratch) return;
        const { width, height } = scratch.canvas;
        // The prepared copy when there is one (the scratch canvas keeps its pixels for the next
        // picture); else the pixels are handed over without a copy, leaving the scratch canvas blank.
        const bitmap = copy.ready ?? scratch.canvas.transferToImageBitmap();
        // Shown or handed over, it is the other canvas that composes the next picture.
        onScreenKept = copy.ready !== null;
        onScreen = scratch;
        copy = { ready: null, pending: null };
        if (el.width !== width || el.height !== height) {
          el.width = width;
          el.height = height;
          el.style.width = `${width / dpr}px`;
          el.style.height = `${height / dpr}px`;
        }
        const left = `${-margin}px`;
        if (el.style.left !== left) {
          el.style.left = left;
          el.style.top = left;
        }
        shown.transferFromImageBitmap(bitmap);
      },
      setTransform(x, y, k) {
        el.style.transform = `translate(${x}px, ${y}px) scale(${k})`;
      },
      setVisible(visible) {
        const v = visible ? "" : "hidden";
        if (el.style.visibility !== v) el.style.visibility = v;
      },
      remove() {
        el.remove();
      },
    },
    pictureContext() {
      if (!scratch) throw new Error("no picture is being composed");
      return scratch.ctx;
    },
    createTile(side) {
      const kept = spareTiles.findIndex((t) => t.source.width === side);
      if (kept >= 0) return spareTiles.splice(kept, 1)[0] as (typeof spareTiles)[number];
      const c = new OffscreenCanvas(side, side);
      const ctx = context(c);
      return {
        ctx,
        source: c,
        flush: () => {
          ctx.getImageData(0, 0, 1, 1);
        },
      };
    },
    releaseTile(tile) {
      // renderTile clears a tile before drawing it, so a kept one needs nothing else.
      if (spareTiles.length < MAX_SPARE_TILES) spareTiles.push(tile);
    },
  };
};
