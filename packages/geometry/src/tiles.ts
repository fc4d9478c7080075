import type { Bounds, Rect, Size } from "./types.js";

/**
 * Tile pyramids for gigapixel images. Level 0 is the image at full resolution; every next level
 * halves the previous one, rounding up (a 5-pixel-wide level becomes 3), until a level fits in one
 * tile. That is exactly the rule libvips' dzsave follows with `depth: "onetile"`, so the server can
 * write tiles with it and both ends address them with this one module. Tiles are `tileSize` square
 * except on the right and bottom edges, where they are cut at the level's size (no padding, no
 * overlap).
 */
export interface TileLevel {
  /** 0 = full resolution. */
  readonly level: number;
  /** The level's size in its own pixels. */
  readonly width: number;
  readonly height: number;
  /** Tiles across and down. */
  readonly columns: number;
  readonly rows: number;
  /**
   * Image pixels per level pixel. About 2^level, not exactly: a level rounded up covers the image
   * with slightly fewer image pixels per level pixel. The level is drawn over [0,W]x[0,H] exactly.
   */
  readonly scaleX: number;
  readonly scaleY: number;
}

export interface TilePyramid {
  /** Image size (= level 0), EXIF orientation applied. */
  readonly width: number;
  readonly height: number;
  readonly tileSize: number;
  /** Finest first: `levels[0]` is full resolution, the last one fits in one tile. */
  readonly levels: readonly TileLevel[];
}

export interface TileCoord {
  readonly level: number;
  /** Column and row of the tile within its level. */
  readonly x: number;
  readonly y: number;
}

const positiveInt = (n: number) => Number.isInteger(n) && n > 0;

/** The pyramid of an image; throws on non-integer or non-positive sizes (a bug in the caller). */
export const tilePyramid = (image: Size, tileSize: number): TilePyramid => {
  if (!positiveInt(image.width) || !positiveInt(image.height) || !positiveInt(tileSize)) {
    throw new RangeError(
      `tilePyramid needs positive integer sizes, got ${image.width}x${image.height} tiles of ${tileSize}`,
    );
  }
  const levels: TileLevel[] = [];
  let w = image.width;
  let h = image.height;
  for (let level = 0; ; level++) {
    levels.push({
      level,
      width: w,
      height: h,
      columns: Math.ceil(w / tileSize),
      rows: Math.ceil(h / tileSize),
      scaleX: image.width / w,
      scaleY: image.height / h,
    });
    if (w <= tileSize && h <= tileSize) break;
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
  }
  return { width: image.width, height: image.height, tileSize, levels };
};

/** How many tiles the whole pyramid holds. */
export const tileCount = (p: TilePyramid): number => p.levels.reduce((n, l) => n + l.columns * l.rows, 0);

/** True when the pyramid has this tile (integer level, column and row within range). */
export const hasTile = (p: TilePyramid, t: TileCoord): boolean => {
  const l = Number.isInteger(t.level) ? p.levels[t.level] : undefined;
  return (
    l !== undefined &&
    Number.isInteger(t.x) &&
    Number.isInteger(t.y) &&
    t.x >= 0 &&
    t.y >= 0 &&
    t.x < l.columns &&
    t.y < l.rows
  );
};

const levelOf = (p: TilePyramid, level: number): TileLevel => {
  const l = p.levels[level];
  if (!l) throw new RangeError(`level ${level} is outside the pyramid (0..${p.levels.length - 1})`);
  return l;
};

/** A tile's size in its level's pixels (edge tiles are cut at the level's size). */
export const tilePixelSize = (p: TilePyramid, t: TileCoord): Size => {
  const l = levelOf(p, t.level);
  return {
    width: Math.min(p.tileSize, l.width - t.x * p.tileSize),
    height: Math.min(p.tileSize, l.height - t.y * p.tileSize),
  };
};

/** The part of the image a tile shows, in image pixels. */
export const tileImageRect = (p: TilePyramid, t: TileCoord): Rect => {
  const l = levelOf(p, t.level);
  const px = tilePixelSize(p, t);
  return {
    x: t.x * p.tileSize * l.scaleX,
    y: t.y * p.tileSize * l.scaleY,
    width: px.width * l.scaleX,
    height: px.height * l.scaleY,
  };
};

/**
 * The level to draw at `scale` screen pixels per image pixel (multiply the viewport's scale by the
 * device pixel ratio first): the coarsest level that still has at least one level pixel per screen
 * pixel, so nothing is magnified until level 0 itself is. The small tolerance keeps a fit-to-window
 * scale that lands exactly on a level boundary from flipping between two levels.
 */
export const levelForScale = (p: TilePyramid, scale: number): number => {
  if (!(scale > 0) || !Number.isFinite(scale)) return 0;
  const wanted = 1 / scale;
  let best = 0;
  for (const l of p.levels) {
    if (Math.max(l.scaleX, l.scaleY) <= wanted * 1.0001) best = l.level;
    else break;
  }
  return best;
};

/**
 * The tiles of `level` that intersect `bounds` (image pixels, e.g. the visible part of the stage),
 * nearest the centre of `bounds` first so the middle of the screen fills in first.
 */
export const tilesInBounds = (p: TilePyramid, level: number, bounds: Bounds): TileCoord[] => {
  const l = levelOf(p, level);
  const tw = p.tileSize * l.scaleX;
  const th = p.tileSize * l.scaleY;
  const minX = Math.max(0, bounds.minX);
  const minY = Math.max(0, bounds.minY);
  const maxX = Math.min(p.width, bounds.maxX);
  const maxY = Math.min(p.height, bounds.maxY);
  if (!(maxX > minX && maxY > minY)) return [];
  const x0 = Math.max(0, Math.floor(minX / tw));
  const y0 = Math.max(0, Math.floor(minY / th));
  const x1 = Math.min(l.columns - 1, Math.ceil(maxX / tw) - 1);
  const y1 = Math.min(l.rows - 1, Math.ceil(maxY / th) - 1);
  const cx = (minX + maxX) / 2 / tw - 0.5;
  const cy = (minY + maxY) / 2 / th - 0.5;
  const out: { t: TileCoord; d: number }[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) out.push({ t: { level, x, y }, d: (x - cx) ** 2 + (y - cy) ** 2 });
  }
  out.sort((a, b) => a.d - b.d || a.t.y - b.t.y || a.t.x - b.t.x);
  return out.map((o) => o.t);
};

/** One piece of a coarser tile standing in for a finer one that is not loaded yet. */
export interface FallbackPiece {
  readonly tile: TileCoord;
  /** Source rectangle within `tile`, in that tile's own pixels. */
  readonly source: Rect;
  /** Where it goes, in image pixels (a part of the finer tile's rectangle). */
  readonly target: Rect;
}

/**
 * How to paint the area of tile `t` from the coarser `level`: the covering tiles there and the
 * part of each to stretch over the area. Usually one piece; two or four when rounding makes a
 * coarse tile edge fall inside `t`.
 */
export const fallbackPieces = (p: TilePyramid, t: TileCoord, level: number): FallbackPiece[] => {
  const area = tileImageRect(p, t);
  const l = levelOf(p, level);
  const covering = tilesInBounds(p, level, {
    minX: area.x,
    minY: area.y,
    maxX: area.x + area.width,
    maxY: area.y + area.height,
  });
  const pieces: FallbackPiece[] = [];
  for (const c of covering) {
    const r = tileImageRect(p, c);
    const x0 = Math.max(r.x, area.x);
    const y0 = Math.max(r.y, area.y);
    const x1 = Math.min(r.x + r.width, area.x + area.width);
    const y1 = Math.min(r.y + r.height, area.y + area.height);
    if (x1 <= x0 || y1 <= y0) continue;
    pieces.push({
      tile: c,
      source: {
        x: (x0 - r.x) / l.scaleX,
        y: (y0 - r.y) / l.scaleY,
        width: (x1 - x0) / l.scaleX,
        height: (y1 - y0) / l.scaleY,
      },
      target: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
    });
  }
  return pieces;
};

/** One drawImage call: `source` within the tile's own pixels (null = all of it) onto `target` (image pixels). */
export interface TileDraw {
  readonly tile: TileCoord;
  readonly source: Rect | null;
  readonly target: Rect;
}

export interface TilePlan {
  /** The level that matches the current scale. */
  readonly level: number;
  /** In paint order: stand-ins from other levels first, then the level's own tiles on top. */
  readonly draws: readonly TileDraw[];
  /**
   * Tiles to fetch, most urgent first: the one-tile top level (the stand-in of last resort), the
   * visible tiles of `level` from the centre out, then a ring around the view for panning.
   */
  readonly wanted: readonly TileCoord[];
}

export interface TilePlanInput {
  /** Visible part of the image, in image pixels (e.g. visibleImageBounds(viewport, stage)). */
  readonly view: Bounds;
  /** Screen (device) pixels per image pixel: the viewport's scale times the device pixel ratio. */
  readonly scale: number;
  readonly isLoaded: (t: TileCoord) => boolean;
  /** Extra margin around the view to prefetch, as a fraction of the view's size (default 0.25). */
  readonly prefetch?: number;
}

/**
 * What to draw this frame and what to load next. A visible tile that is not loaded yet is painted
 * from the finest loaded coarser level (a blurry stand-in that sharpens when the tile arrives) or,
 * when zooming out, from its four loaded children one level finer; the rest stays background.
 */
export const planTiles = (p: TilePyramid, input: TilePlanInput): TilePlan => {
  const level = levelForScale(p, input.scale);
  const visible = tilesInBounds(p, level, input.view);
  const top = p.levels.length - 1;
  const draws: TileDraw[] = [];
  const own: TileDraw[] = [];
  const wanted: TileCoord[] = [];
  const topTile: TileCoord = { level: top, x: 0, y: 0 };
  if (!input.isLoaded(topTile)) wanted.push(topTile);
  for (const t of visible) {
    if (input.isLoaded(t)) {
      own.push({ tile: t, source: null, target: tileImageRect(p, t) });
      continue;
    }
    if (t.level !== top) wanted.push(t);
    const children = t.level > 0 ? childrenOf(p, t) : [];
    if (children.length > 0 && children.every(input.isLoaded)) {
      for (const c of children) draws.push({ tile: c, source: null, target: tileImageRect(p, c) });
      continue;
    }
    for (let l = t.level + 1; l <= top; l++) {
      const pieces = fallbackPieces(p, t, l);
      if (pieces.every((x) => input.isLoaded(x.tile))) {
        for (const x of pieces) draws.push({ tile: x.tile, source: x.source, target: x.target });
        break;
      }
    }
  }
  const margin = input.prefetch ?? 0.25;
  if (margin > 0) {
    const v = input.view;
    const mx = (v.maxX - v.minX) * margin;
    const my = (v.maxY - v.minY) * margin;
    const seen = new Set(visible.map((t) => `${t.x},${t.y}`));
    const ring = tilesInBounds(p, level, {
      minX: v.minX - mx,
      minY: v.minY - my,
      maxX: v.maxX + mx,
      maxY: v.maxY + my,
    });
    for (const t of ring) if (!seen.has(`${t.x},${t.y}`) && !input.isLoaded(t)) wanted.push(t);
  }
  return { level, draws: [...draws, ...own], wanted };
};

/** The tiles one level finer that cover tile `t` (up to four). */
const childrenOf = (p: TilePyramid, t: TileCoord): TileCoord[] => {
  const r = tileImageRect(p, t);
  return tilesInBounds(p, t.level - 1, { minX: r.x, minY: r.y, maxX: r.x + r.width, maxY: r.y + r.height });
};
