import { describe, expect, it } from "vitest";
import {
  fallbackPieces,
  hasTile,
  levelForScale,
  planTiles,
  type TileCoord,
  tileCount,
  tileImageRect,
  tilePixelSize,
  tilePyramid,
  tilesInBounds,
} from "./tiles.js";
import { fitViewport, visibleImageBounds } from "./viewport.js";

const sizes = (w: number, h: number, t: number) =>
  tilePyramid({ width: w, height: h }, t).levels.map((l) => [l.width, l.height, l.columns, l.rows]);

describe("tilePyramid", () => {
  // Expected values observed from libvips dzsave (depth "onetile", overlap 0): the server relies on them.
  it.each([
    [
      3001,
      1777,
      256,
      [
        [3001, 1777, 12, 7],
        [1501, 889, 6, 4],
        [751, 445, 3, 2],
        [376, 223, 2, 1],
        [188, 112, 1, 1],
      ],
    ],
    [
      1025,
      513,
      256,
      [
        [1025, 513, 5, 3],
        [513, 257, 3, 2],
        [257, 129, 2, 1],
        [129, 65, 1, 1],
      ],
    ],
    [
      512,
      300,
      256,
      [
        [512, 300, 2, 2],
        [256, 150, 1, 1],
      ],
    ],
    [
      513,
      511,
      512,
      [
        [513, 511, 2, 1],
        [257, 256, 1, 1],
      ],
    ],
    [200, 100, 256, [[200, 100, 1, 1]]],
  ])("%ix%i in tiles of %i halves, rounding up, until one tile", (w, h, t, expected) => {
    expect(sizes(w, h, t)).toEqual(expected);
  });

  it("has 7 levels and 2,139 tiles of 512 for 20,000 x 20,000", () => {
    const p = tilePyramid({ width: 20_000, height: 20_000 }, 512);
    expect(p.levels).toHaveLength(7);
    expect(p.levels.at(-1)).toMatchObject({ width: 313, height: 313, columns: 1, rows: 1 });
    expect(tileCount(p)).toBe(2139);
  });

  it("records image pixels per level pixel so every level covers exactly [0,W]x[0,H]", () => {
    const p = tilePyramid({ width: 3001, height: 1777 }, 256);
    for (const l of p.levels) {
      expect(l.width * l.scaleX).toBeCloseTo(3001, 9);
      expect(l.height * l.scaleY).toBeCloseTo(1777, 9);
      expect(l.scaleX).toBeGreaterThan(2 ** l.level * 0.99);
      expect(l.scaleX).toBeLessThanOrEqual(2 ** l.level);
    }
  });

  it.each([
    [0, 10, 256],
    [10, -1, 256],
    [10.5, 10, 256],
    [10, 10, 0],
    [Number.NaN, 10, 256],
  ])("refuses %s x %s tiles of %s", (w, h, t) => {
    expect(() => tilePyramid({ width: w, height: h }, t)).toThrow(RangeError);
  });
});

describe("tile addressing", () => {
  const p = tilePyramid({ width: 3001, height: 1777 }, 256);

  it.each<[TileCoord, boolean]>([
    [{ level: 0, x: 0, y: 0 }, true],
    [{ level: 0, x: 11, y: 6 }, true],
    [{ level: 0, x: 12, y: 0 }, false],
    [{ level: 0, x: 0, y: 7 }, false],
    [{ level: 4, x: 0, y: 0 }, true],
    [{ level: 5, x: 0, y: 0 }, false],
    [{ level: -1, x: 0, y: 0 }, false],
    [{ level: 0, x: -1, y: 0 }, false],
    [{ level: 0.5, x: 0, y: 0 }, false],
    [{ level: 0, x: 1.5, y: 0 }, false],
  ])("hasTile(%o) is %s", (t, expected) => {
    expect(hasTile(p, t)).toBe(expected);
  });

  it("cuts edge tiles at the level's size", () => {
    expect(tilePixelSize(p, { level: 0, x: 0, y: 0 })).toEqual({ width: 256, height: 256 });
    expect(tilePixelSize(p, { level: 0, x: 11, y: 6 })).toEqual({
      width: 3001 - 11 * 256,
      height: 1777 - 6 * 256,
    });
    expect(tilePixelSize(p, { level: 4, x: 0, y: 0 })).toEqual({ width: 188, height: 112 });
  });

  it("maps tiles to image pixels; a level's tiles tile the image without gaps or overlaps", () => {
    expect(tileImageRect(p, { level: 0, x: 2, y: 1 })).toEqual({ x: 512, y: 256, width: 256, height: 256 });
    for (const l of p.levels) {
      let area = 0;
      for (let y = 0; y < l.rows; y++) {
        for (let x = 0; x < l.columns; x++) {
          const r = tileImageRect(p, { level: l.level, x, y });
          area += r.width * r.height;
          if (x === l.columns - 1) expect(r.x + r.width).toBeCloseTo(3001, 9);
          if (y === l.rows - 1) expect(r.y + r.height).toBeCloseTo(1777, 9);
          if (x > 0) {
            const left = tileImageRect(p, { level: l.level, x: x - 1, y });
            expect(left.x + left.width).toBeCloseTo(r.x, 9);
          }
        }
      }
      expect(area).toBeCloseTo(3001 * 1777, 3);
    }
  });
});

describe("levelForScale", () => {
  const p = tilePyramid({ width: 20_000, height: 20_000 }, 512);

  it.each([
    [8, 0],
    [1, 0],
    [0.75, 0],
    [0.5, 1],
    [0.3, 1],
    [0.25, 2],
    [0.05, 4],
    [1 / 64, 6],
    [1e-6, 6],
  ])("scale %s draws level %i", (scale, level) => {
    // Level 1 of 20,000 is exactly 10,000 (scale 0.5); a level rounded up is slightly finer.
    expect(levelForScale(p, scale)).toBe(level);
  });

  it("never magnifies a coarser level when a finer one exists", () => {
    for (let s = 0.001; s < 2; s *= 1.07) {
      const l = p.levels[levelForScale(p, s)];
      if (!l) throw new Error("no level");
      // level pixels per screen pixel >= 1, unless already at full resolution
      if (l.level > 0) expect(1 / l.scaleX / s).toBeGreaterThanOrEqual(0.9999);
      // and the next finer level would be needlessly detailed (more than 2 level pixels per screen pixel)
      const finer = p.levels[l.level - 1];
      if (finer && l.level < p.levels.length - 1) expect(1 / finer.scaleX / s).toBeGreaterThan(1.99);
    }
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("answers full resolution for scale %s", (s) => {
    expect(levelForScale(p, s)).toBe(0);
  });
});

describe("tilesInBounds", () => {
  const p = tilePyramid({ width: 20_000, height: 20_000 }, 512);

  it("finds the tiles a stage shows, centre first", () => {
    // 1:1 at image point (5000, 5000) centred on a 1280x720 stage
    const bounds = { minX: 5000 - 640, minY: 5000 - 360, maxX: 5000 + 640, maxY: 5000 + 360 };
    const tiles = tilesInBounds(p, 0, bounds);
    const xs = new Set(tiles.map((t) => t.x));
    const ys = new Set(tiles.map((t) => t.y));
    expect([...xs].sort((a, b) => a - b)).toEqual([8, 9, 10, 11]);
    expect([...ys].sort((a, b) => a - b)).toEqual([9, 10]);
    expect(tiles).toHaveLength(8);
    expect(tiles[0]).toEqual({ level: 0, x: 9, y: 9 });
  });

  it("clamps to the image and answers nothing for bounds outside it", () => {
    expect(tilesInBounds(p, 6, { minX: -1e6, minY: -1e6, maxX: 1e6, maxY: 1e6 })).toEqual([
      { level: 6, x: 0, y: 0 },
    ]);
    expect(tilesInBounds(p, 0, { minX: 20_000, minY: 0, maxX: 30_000, maxY: 100 })).toEqual([]);
    expect(tilesInBounds(p, 0, { minX: -500, minY: -500, maxX: -1, maxY: -1 })).toEqual([]);
  });

  it("does not include the neighbour whose edge the bounds only touch", () => {
    expect(tilesInBounds(p, 0, { minX: 0, minY: 0, maxX: 512, maxY: 512 })).toEqual([
      { level: 0, x: 0, y: 0 },
    ]);
  });

  it("keeps the tile count of a fitted view small at the chosen level", () => {
    const stage = { width: 1920, height: 1080 };
    const v = fitViewport(p, stage);
    const level = levelForScale(p, v.scale);
    const tiles = tilesInBounds(p, level, visibleImageBounds(v, stage));
    expect(level).toBe(4);
    expect(tiles).toHaveLength(9);
    // At 1:1 on the same stage: 5x4 tiles at most, never the whole level.
    const at1 = tilesInBounds(p, 0, { minX: 100, minY: 100, maxX: 100 + 1920, maxY: 100 + 1080 });
    expect(at1.length).toBeLessThanOrEqual(5 * 4);
  });
});

describe("fallbackPieces", () => {
  it("paints a fine tile from the matching quarter of its parent", () => {
    const p = tilePyramid({ width: 2048, height: 2048 }, 256);
    const pieces = fallbackPieces(p, { level: 0, x: 3, y: 2 }, 1);
    expect(pieces).toEqual([
      {
        tile: { level: 1, x: 1, y: 1 },
        source: { x: 128, y: 0, width: 128, height: 128 },
        target: { x: 768, y: 512, width: 256, height: 256 },
      },
    ]);
    const fromTop = fallbackPieces(p, { level: 0, x: 3, y: 2 }, 3);
    expect(fromTop).toEqual([
      {
        tile: { level: 3, x: 0, y: 0 },
        source: { x: 96, y: 64, width: 32, height: 32 },
        target: { x: 768, y: 512, width: 256, height: 256 },
      },
    ]);
  });

  it("covers the whole tile, also when rounding makes coarse tile edges fall inside it", () => {
    const p = tilePyramid({ width: 3001, height: 1777 }, 256);
    for (const t of [
      { level: 0, x: 11, y: 6 },
      { level: 0, x: 5, y: 3 },
      { level: 1, x: 2, y: 1 },
    ]) {
      const area = tileImageRect(p, t);
      for (let level = t.level + 1; level < p.levels.length; level++) {
        const pieces = fallbackPieces(p, t, level);
        expect(pieces.length).toBeGreaterThan(0);
        const covered = pieces.reduce((n, x) => n + x.target.width * x.target.height, 0);
        expect(covered).toBeCloseTo(area.width * area.height, 6);
        for (const piece of pieces) {
          const px = tilePixelSize(p, piece.tile);
          expect(piece.source.x).toBeGreaterThanOrEqual(0);
          expect(piece.source.y).toBeGreaterThanOrEqual(0);
          expect(piece.source.x + piece.source.width).toBeLessThanOrEqual(px.width + 1e-9);
          expect(piece.source.y + piece.source.height).toBeLessThanOrEqual(px.height + 1e-9);
        }
      }
    }
  });
});

describe("planTiles", () => {
  // 4096 x 4096 in tiles of 512: levels 4096 (8x8), 2048 (4x4), 1024 (2x2), 512 (1x1).
  const p = tilePyramid({ width: 4096, height: 4096 }, 512);
  const key = (t: TileCoord) => `${t.level}/${t.x}/${t.y}`;
  const loaded = (...tiles: TileCoord[]) => {
    const set = new Set(tiles.map(key));
    return (t: TileCoord) => set.has(key(t));
  };
  // A 1024 x 1024 window onto level 0 at 1:1, from (1024, 1024).
  const view = { minX: 1024, minY: 1024, maxX: 2048, maxY: 2048 };

  it("asks for the top tile first, then the visible tiles, then a ring around them; draws nothing yet", () => {
    const plan = planTiles(p, { view, scale: 1, isLoaded: () => false });
    expect(plan.level).toBe(0);
    expect(plan.draws).toEqual([]);
    expect(plan.wanted[0]).toEqual({ level: 3, x: 0, y: 0 });
    const visible = plan.wanted.slice(1, 5).map(key).sort();
    expect(visible).toEqual(["0/2/2", "0/2/3", "0/3/2", "0/3/3"]);
    // Ring: 25% of 1024 = 256 px each side -> tiles 1..4 in both directions, minus the 4 visible.
    expect(plan.wanted.slice(5).map(key).sort()).toHaveLength(16 - 4);
    expect(new Set(plan.wanted.map(key)).size).toBe(plan.wanted.length);
  });

  it("paints missing tiles from the finest loaded coarser level", () => {
    const plan = planTiles(p, {
      view,
      scale: 1,
      isLoaded: loaded({ level: 3, x: 0, y: 0 }, { level: 1, x: 1, y: 1 }),
      prefetch: 0,
    });
    // Level 1 tile (1,1) covers image 1024..2048 in both axes: all four visible tiles come from it.
    expect(plan.draws).toHaveLength(4);
    for (const d of plan.draws) expect(d.tile).toEqual({ level: 1, x: 1, y: 1 });
    const d22 = plan.draws.find((d) => d.target.x === 1024 && d.target.y === 1024);
    expect(d22?.source).toEqual({ x: 0, y: 0, width: 256, height: 256 });
    expect(plan.wanted.map(key).sort()).toEqual(["0/2/2", "0/2/3", "0/3/2", "0/3/3"]);

    const onlyTop = planTiles(p, { view, scale: 1, isLoaded: loaded({ level: 3, x: 0, y: 0 }), prefetch: 0 });
    expect(onlyTop.draws.map((d) => d.tile.level)).toEqual([3, 3, 3, 3]);
    expect(onlyTop.draws.find((d) => d.target.x === 1536 && d.target.y === 1024)?.source).toEqual({
      x: 192,
      y: 128,
      width: 64,
      height: 64,
    });
  });

  it("draws loaded tiles whole, after the stand-ins, and asks only for what is missing", () => {
    const plan = planTiles(p, {
      view,
      scale: 1,
      isLoaded: loaded({ level: 3, x: 0, y: 0 }, { level: 0, x: 2, y: 2 }, { level: 0, x: 3, y: 3 }),
      prefetch: 0,
    });
    expect(plan.draws.map((d) => `${key(d.tile)}${d.source ? "*" : ""}`)).toEqual([
      "3/0/0*",
      "3/0/0*",
      "0/2/2",
      "0/3/3",
    ]);
    expect(plan.draws.at(-1)?.target).toEqual({ x: 1536, y: 1536, width: 512, height: 512 });
    expect(plan.wanted.map(key).sort()).toEqual(["0/2/3", "0/3/2"]);
  });

  it("when zooming out, paints a coarser tile from its four loaded children", () => {
    const children = [
      { level: 0, x: 2, y: 2 },
      { level: 0, x: 3, y: 2 },
      { level: 0, x: 2, y: 3 },
      { level: 0, x: 3, y: 3 },
    ];
    const plan = planTiles(p, { view, scale: 0.5, isLoaded: loaded(...children), prefetch: 0 });
    expect(plan.level).toBe(1);
    expect(plan.draws.map((d) => key(d.tile)).sort()).toEqual(children.map(key).sort());
    expect(plan.wanted.map(key)).toEqual(["3/0/0", "1/1/1"]);
  });

  it("picks a finer level for a high-density screen", () => {
    expect(planTiles(p, { view, scale: 0.5, isLoaded: () => false }).level).toBe(1);
    expect(planTiles(p, { view, scale: 0.5 * 2, isLoaded: () => false }).level).toBe(0);
  });
});
