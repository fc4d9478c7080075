import { type Bounds, planTiles, type TileCoord, type TilePyramid } from "@labelbench/geometry";
import type { Image } from "@labelbench/schema";
import { keyOf, pyramidOfImage, tileUrlOf } from "../../tiles/image-tiles";
import {
  createTileCache,
  type DecodedTile,
  type LoadTile,
  loadTileBitmap,
  type TileCache,
} from "./tile-cache";

/** What the last draw did; pass an object and read it (benchmarks, the status bar, tests). */
export interface TiledImageStats {
  /** Level drawn last frame (0 = full resolution). */
  level: number;
  /** drawImage calls last frame, of which `standIns` painted a missing tile from another level. */
  drawn: number;
  standIns: number;
  /** Time spent in the last draw's planning and drawing, in ms. */
  lastMs: number;
  frames: number;
  loaded: number;
  loading: number;
  /** Tiles that failed to load (network, 404) since the renderer started. */
  failures: number;
  /**
   * performance.now() of the first draw that put a tile on screen, null before. After a page load
   * that is the time since navigation started: the "first tiles on screen" figure.
   */
  firstDrawAt: number | null;
}

export const emptyTiledImageStats = (): TiledImageStats => ({
  level: 0,
  drawn: 0,
  standIns: 0,
  lastMs: 0,
  frames: 0,
  loaded: 0,
  loading: 0,
  failures: 0,
  firstDrawAt: null,
});

/** The 2D context calls a draw makes (a canvas or offscreen canvas context; a recorder in tests). */
export interface TileDrawContext {
  imageSmoothingEnabled: boolean;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  drawImage(
    image: CanvasImageSource,
    sx: number,
    sy: number,
    sw: number,
    sh: number,
    dx: number,
    dy: number,
    dw: number,
    dh: number,
  ): void;
}

export interface TileRendererOptions {
  /** A tile arrived: the owner draws again (once per frame however many arrive: image-layer.ts). */
  onTile: () => void;
  /** Decoded tiles kept, least recently drawn dropped first; a 512 px tile is about 1 MB decoded. */
  cacheSize?: number;
  /** Tile requests at once. */
  maxInFlight?: number;
  stats?: TiledImageStats;
  loadTile?: LoadTile;
  tileUrl?: (imageId: number, t: TileCoord) => string;
  /** Tiles already being fetched (the editor's preload), by key; the renderer takes them over. */
  preloaded?: ReadonlyMap<string, Promise<DecodedTile>>;
}

/** Where image pixels land in the target: device = image * scale + (x, y). */
export interface DeviceCamera {
  scale: number;
  x: number;
  y: number;
}

export interface TileDrawOptions {
  /** Draw this many levels below the one the scale needs (cheaper mid-zoom); 0 by default. */
  coarser?: number;
  /**
   * Whether this draw says which tiles are wanted (default true). A draw of part of the view (a
   * strip of a picture built over several frames) must not, or it would cancel the rest.
   */
  want?: boolean;
}

/**
 * Draws the visible tiles of a tiled image into a 2D context, at the level matching the scale, and
 * loads missing ones (centre first, at most `maxInFlight` at once, aborting what the view left).
 * While a tile loads, its area is painted from the finest loaded coarser level (or from its four
 * children when zooming out). No React, no Konva: the editor calls `draw` for the picture it shows
 * (the image layer, image-layer.ts) with the transform from image pixels already set on the context, and
 * draws again when `onTile` says something arrived.
 */
export class TileRenderer {
  readonly pyramid: TilePyramid | null;
  private readonly cache: TileCache | null;
  private readonly stats: TiledImageStats | undefined;
  private readonly tileUrl: (imageId: number, t: TileCoord) => string;
  private readonly imageId: number;

  constructor(image: Pick<Image, "id" | "width" | "height" | "tiles">, opts: TileRendererOptions) {
    this.imageId = image.id;
    this.stats = opts.stats;
    this.tileUrl = opts.tileUrl ?? tileUrlOf;
    this.pyramid = pyramidOfImage(image);
    if (!this.pyramid) {
      if (image.tiles.state === "ready")
        console.error(
          `image ${image.id}: the server reports ${image.tiles.levels} tile levels of ${image.tiles.tileSize} px, this client computes another pyramid for ${image.width}x${image.height}; reload the page after an upgrade`,
        );
      this.cache = null;
      return;
    }
    const onLoad = () => opts.onTile();
    this.cache = createTileCache({
      load: opts.loadTile ?? loadTileBitmap,
      capacity: opts.cacheSize ?? 160,
      maxInFlight: opts.maxInFlight ?? 6,
      onLoad,
      onError: () => {
        if (this.stats) this.stats.failures += 1;
      },
    });
    for (const [key, tile] of opts.preloaded ?? []) this.cache.adopt(key, tile);
  }

  /**
   * Draws the tiles covering `view` (image pixels) into `ctx` placed by `camera` (device pixels per
   * image pixel times the device pixel ratio, and the offset). Each tile's edges are rounded to whole
   * device pixels, so neighbours meet without seams or overlap and a tile at 1:1 is a plain copy (no
   * resampling). Sets the context's transform to identity. Returns whether anything was painted.
   */
  draw(ctx: TileDrawContext, view: Bounds, camera: DeviceCamera, opts: TileDrawOptions = {}): boolean {
    const cache = this.cache;
    const pyramid = this.pyramid;
    const k = camera.scale;
    if (!cache || !pyramid || !(k > 0)) return false;
    const coarser = opts.coarser ?? 0;
    const t0 = performance.now();
    const plan = planTiles(pyramid, {
      view,
      scale: k / 2 ** coarser,
      isLoaded: (t) => cache.has(keyOf(t)),
    });
    if (opts.want !== false)
      cache.want(plan.wanted.map((t) => ({ key: keyOf(t), url: this.tileUrl(this.imageId, t) })));
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    let standIns = 0;
    let painted = 0;
    for (const d of plan.draws) {
      const tile = cache.get(keyOf(d.tile));
      if (!tile) continue;
      painted++;
      const s = d.source ?? { x: 0, y: 0, width: tile.width, height: tile.height };
      if (d.source) standIns++;
      // Crisp pixels beyond 1:1, except for a stretched stand-in, which looks better blurred than blocky.
      ctx.imageSmoothingEnabled = d.source !== null || k < 1 || coarser > 0;
      const x0 = Math.round(d.target.x * k + camera.x);
      const y0 = Math.round(d.target.y * k + camera.y);
      const x1 = Math.round((d.target.x + d.target.width) * k + camera.x);
      const y1 = Math.round((d.target.y + d.target.height) * k + camera.y);
      if (x1 <= x0 || y1 <= y0) continue;
      ctx.drawImage(tile.image, s.x, s.y, s.width, s.height, x0, y0, x1 - x0, y1 - y0);
    }
    const st = this.stats;
    if (st) {
      const sizes = cache.sizes();
      st.level = plan.level;
      st.drawn = plan.draws.length;
      // A deliberately coarser level counts as a stand-in: the view is not sharp yet.
      st.standIns = coarser > 0 ? Math.max(1, standIns) : standIns;
      st.lastMs = performance.now() - t0;
      st.frames += 1;
      st.loaded = sizes.loaded;
      st.loading = sizes.loading;
      if (st.firstDrawAt === null && painted > 0) st.firstDrawAt = performance.now();
    }
    return painted > 0;
  }

  /** Asks for the tiles a draw of `view` at `deviceScale` would need, without drawing. */
  want(view: Bounds, deviceScale: number) {
    const cache = this.cache;
    const pyramid = this.pyramid;
    if (!cache || !pyramid || !(deviceScale > 0)) return;
    const plan = planTiles(pyramid, { view, scale: deviceScale, isLoaded: (t) => cache.has(keyOf(t)) });
    cache.want(plan.wanted.map((t) => ({ key: keyOf(t), url: this.tileUrl(this.imageId, t) })));
  }

  /** Aborts every load and frees every tile. */
  dispose() {
    this.cache?.dispose();
  }
}
