import type { EditorState } from "@labelbench/editor";
import { UNKNOWN_LABEL_COLOUR } from "./draw";
import type { FrameBudget, FrameScheduler } from "./frame-scheduler";
import { domRasterHost, type RasterInput, type RasterStats, ShapeRaster } from "./shape-raster";
import { FINE_MIN_CELL_PX, FINE_TILES_PER_SIDE, ShapeTiles } from "./shape-tiles";

/** Label colours by id, rebuilt only when the labels change. */
export const labelColours = () => {
  let cache: { labels: EditorState["labels"]; map: Map<number, string> } | null = null;
  return (s: Pick<EditorState, "labels">): Map<number, string> => {
    if (cache?.labels !== s.labels)
      cache = { labels: s.labels, map: new Map(s.labels.map((l) => [l.id, l.color])) };
    return cache.map;
  };
};

/**
 * Shapes the batch must leave out: moving ones (the overlay draws them where they go), hidden ones.
 * The same set object while its contents stay equal, so a new preview object does not dirty tiles.
 */
export const excludedShapes = () => {
  let cache: { keys: unknown[]; set: ReadonlySet<string> } | null = null;
  return (s: Pick<EditorState, "preview" | "hiddenShapes">): ReadonlySet<string> => {
    const moving = s.preview?.kind === "transform" ? s.preview : null;
    const keys = [s.hiddenShapes, moving];
    const c = cache;
    if (c?.keys.every((k, i) => k === keys[i])) return c.set;
    const set = new Set<string>(s.hiddenShapes);
    if (moving) for (const m of moving.shapes) set.add(m.id);
    const same = c?.set.size === set.size && [...set].every((id) => c.set.has(id));
    cache = { keys, set: same && c ? c.set : set };
    return cache.set;
  };
};

/** What the shape raster draws for editor state `s` (null: no image). */
export const rasterInputOf = (
  s: EditorState,
  colours: Map<number, string>,
  excluded: ReadonlySet<string>,
  pixelRatio: number,
): RasterInput | null =>
  s.image
    ? {
        image: s.image,
        shapes: s.doc.shapes,
        excluded,
        hiddenLabels: s.hiddenLabels,
        colourOf: (l) => colours.get(l) ?? UNKNOWN_LABEL_COLOUR,
        coloursKey: colours,
        viewport: s.viewport,
        stage: s.stageSize,
        pixelRatio,
      }
    : null;

const movingKey = (s: Pick<EditorState, "preview">) =>
  s.preview?.kind === "transform" ? s.preview.shapes.map((x) => x.id).join(",") : "";

/** Whether a store change alters the shape layer: the camera, or what the batch holds. */
export const shapesChanged = (s: EditorState, prev: EditorState): boolean =>
  s.viewport !== prev.viewport ||
  s.stageSize !== prev.stageSize ||
  s.doc !== prev.doc ||
  s.labels !== prev.labels ||
  s.hiddenShapes !== prev.hiddenShapes ||
  s.hiddenLabels !== prev.hiddenLabels ||
  s.image !== prev.image ||
  movingKey(s) !== movingKey(prev);

/**
 * The unselected shapes: the editor's state fed to a ShapeRaster (shape-raster.ts) in `root`, one
 * frame at a time within the budget shared with the image layer.
 */
export class ShapeLayer {
  private readonly raster: ShapeRaster<Path2D, OffscreenCanvas>;
  private readonly coloursOf = labelColours();
  private readonly excludedOf = excludedShapes();

  constructor(
    root: HTMLElement,
    private readonly frames: Pick<FrameScheduler, "request" | "cancel">,
    private readonly state: () => EditorState,
    stats: RasterStats,
  ) {
    const newPath = () => new Path2D();
    this.raster = new ShapeRaster(
      new ShapeTiles(newPath),
      domRasterHost(root),
      stats,
      undefined,
      undefined,
      undefined,
      new ShapeTiles(newPath, FINE_TILES_PER_SIDE, FINE_MIN_CELL_PX),
    );
    this.request();
  }

  /**
   * Follows a store change. Selected shapes stay in the batch (the overlay draws them on top), so
   * selecting redraws no tiles.
   */
  stateChanged(s: EditorState, prev: EditorState): void {
    if (shapesChanged(s, prev)) this.request();
  }

  /** Asks for a frame of the shape layer. */
  request(): void {
    this.frames.request(this.frame);
  }

  dispose(): void {
    this.frames.cancel(this.frame);
    this.raster.dispose();
  }

  /** The shape layer's share of the frame (frame-scheduler.ts). */
  private readonly frame = (budget: FrameBudget): boolean => {
    const s = this.state();
    const input = rasterInputOf(s, this.coloursOf(s), this.excludedOf(s), window.devicePixelRatio || 1);
    return input ? this.raster.frame(input, budget) : false;
  };
}
