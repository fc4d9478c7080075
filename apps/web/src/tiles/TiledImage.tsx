import { planTiles, type TileCoord } from "@labelbench/geometry";
import type { Image } from "@labelbench/schema";
import type Konva from "konva";
import { useEffect, useMemo, useRef } from "react";
import { Shape } from "react-konva";
import { keyOf, pyramidOfImage, tileUrlOf } from "./image-tiles";
import { createTileCache, type LoadTile, loadTileBitmap, type TileCache } from "./tile-cache";

/** What the last frame did; pass an object and read it (benchmarks, the status bar, tests). */
export interface TiledImageStats {
  /** Level drawn last frame (0 = full resolution). */
  level: number;
  /** drawImage calls last frame, of which `standIns` painted a missing tile from another level. */
  drawn: number;
  standIns: number;
  /** Time spent in the last frame's planning and drawing, in ms. */
  lastMs: number;
  frames: number;
  loaded: number;
  loading: number;
  /** Tiles that failed to load (network, 404) since mount. */
  failures: number;
  /**
   * performance.now() of the first frame that put a tile on screen, null before. After a page load
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

/**
 * Props of <TiledImage>.
 *
 * - `image`: the Labelbench image (schema `Image`). Mount this only when `image.tiles.state` is
 *   "ready"; for any other state it draws nothing.
 * - `cacheSize` (default 160): decoded tiles kept, least recently drawn dropped first; a 512 px tile
 *   is about 1 MB decoded.
 * - `maxInFlight` (default 6): tile requests at once.
 * - `stats`: an object updated after every frame (see TiledImageStats).
 * - `loadTile`, `tileUrl`: for tests and embedding; default to fetch + createImageBitmap and the
 *   `imageTile` endpoint. Pass stable functions: a new `loadTile` starts a new, empty cache.
 *
 * No viewport or stage-size props: it reads the camera from Konva at draw time. Put it in a layer
 * whose position/scale is the viewport (screen = image * scale + offset), like the editor's image
 * layer; it draws in image pixels ([0,W]x[0,H], the same space as annotations) and only the tiles
 * visible on the stage, at the level matching the scale times the device pixel ratio. Panning and
 * zooming re-render nothing in React: whoever moves the layer calls `layer.batchDraw()` (react-konva
 * does so when the layer's props change), and arriving tiles redraw the layer themselves. While a
 * tile loads, the area is painted from the finest loaded coarser level (or from finer tiles when
 * zooming out). Image smoothing is off beyond 1:1 so pixels stay crisp (stand-ins stay smooth).
 */
export interface TiledImageProps {
  image: Image;
  cacheSize?: number;
  maxInFlight?: number;
  stats?: TiledImageStats;
  loadTile?: LoadTile;
  tileUrl?: (imageId: number, t: TileCoord) => string;
}

/** Half a device pixel of overlap hides the hairline seams between tiles at fractional positions. */
const BLEED_DEVICE_PX = 0.5;

export function TiledImage({
  image,
  cacheSize = 160,
  maxInFlight = 6,
  stats,
  loadTile = loadTileBitmap,
  tileUrl = tileUrlOf,
}: TiledImageProps) {
  const shapeRef = useRef<Konva.Shape>(null);
  // Keyed by the fields the pyramid depends on, so a refetched but unchanged image keeps its tiles.
  const { width, height } = image;
  const { state, tileSize, levels } = image.tiles;
  const pyramid = useMemo(
    () => pyramidOfImage({ width, height, tiles: { state, tileSize, levels } }),
    [width, height, state, tileSize, levels],
  );
  const cacheRef = useRef<{ imageId: number; cache: TileCache } | null>(null);
  const latest = useRef({ tileUrl, stats });
  latest.current = { tileUrl, stats };

  const imageId = image.id;
  useEffect(() => {
    if (!pyramid) {
      if (state === "ready") {
        console.error(
          `image ${imageId}: the server reports ${levels} tile levels of ${tileSize} px, this client computes another pyramid for ${width}x${height}; reload the page after an upgrade`,
        );
      }
      return;
    }
    const redraw = () => shapeRef.current?.getLayer()?.batchDraw();
    const cache = createTileCache({
      load: loadTile,
      capacity: cacheSize,
      maxInFlight,
      onLoad: redraw,
      onError: () => {
        const s = latest.current.stats;
        if (s) s.failures += 1;
      },
    });
    const entry = { imageId, cache };
    cacheRef.current = entry;
    redraw();
    return () => {
      cache.dispose();
      if (cacheRef.current === entry) cacheRef.current = null;
    };
  }, [loadTile, cacheSize, maxInFlight, pyramid, imageId, state, levels, tileSize, width, height]);

  const draw = (ctx: Konva.Context, shape: Konva.Shape) => {
    const entry = cacheRef.current;
    const stage = shape.getStage();
    if (!entry || entry.imageId !== imageId || !pyramid || !stage) return;
    const { cache } = entry;
    const t0 = performance.now();
    const [a = 1, b = 0, , , e = 0, f = 0] = shape.getAbsoluteTransform().getMatrix();
    const scale = Math.hypot(a, b);
    if (!(scale > 0)) return;
    const ratio = shape.getLayer()?.getCanvas().getPixelRatio() ?? 1;
    const view = {
      minX: -e / scale,
      minY: -f / scale,
      maxX: (stage.width() - e) / scale,
      maxY: (stage.height() - f) / scale,
    };
    const plan = planTiles(pyramid, { view, scale: scale * ratio, isLoaded: (t) => cache.has(keyOf(t)) });
    const url = latest.current.tileUrl;
    cache.want(plan.wanted.map((t) => ({ key: keyOf(t), url: url(imageId, t) })));

    const native = ctx._context;
    const bleed = BLEED_DEVICE_PX / (scale * ratio);
    let standIns = 0;
    let painted = 0;
    for (const d of plan.draws) {
      const tile = cache.get(keyOf(d.tile));
      if (!tile) continue;
      painted++;
      const s = d.source ?? { x: 0, y: 0, width: tile.width, height: tile.height };
      if (d.source) standIns++;
      // Crisp pixels beyond 1:1, except for a stretched stand-in, which looks better blurred than blocky.
      native.imageSmoothingEnabled = d.source !== null || scale < 1;
      native.drawImage(
        tile.image,
        s.x,
        s.y,
        s.width,
        s.height,
        d.target.x - bleed,
        d.target.y - bleed,
        d.target.width + 2 * bleed,
        d.target.height + 2 * bleed,
      );
    }
    const st = latest.current.stats;
    if (st) {
      const sizes = cache.sizes();
      st.level = plan.level;
      st.drawn = plan.draws.length;
      st.standIns = standIns;
      st.lastMs = performance.now() - t0;
      st.frames += 1;
      st.loaded = sizes.loaded;
      st.loading = sizes.loading;
      if (st.firstDrawAt === null && painted > 0) st.firstDrawAt = performance.now();
    }
  };

  return (
    <Shape
      ref={shapeRef}
      sceneFunc={draw}
      width={image.width}
      height={image.height}
      listening={false}
      perfectDrawEnabled={false}
    />
  );
}
