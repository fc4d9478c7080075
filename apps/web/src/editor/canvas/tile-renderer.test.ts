import { describe, expect, it } from "vitest";
import type { DecodedTile } from "./tile-cache";
import { emptyTiledImageStats, type TileDrawContext, TileRenderer } from "./tile-renderer";

/** 2048 x 1024 in 512 px tiles: level 0 is 4 x 2 tiles, level 1 2 x 1, level 2 (the top) one tile. */
const IMAGE = {
  id: 7,
  width: 2048,
  height: 1024,
  tiles: { state: "ready" as const, tileSize: 512, levels: 3, progress: 1 },
};

const tile = (key: string, width = 512, height = 512): DecodedTile => ({
  image: { key } as unknown as CanvasImageSource,
  width,
  height,
  close: () => undefined,
});

/** A loader that answers every tile at once, recording the URLs asked for. */
const instantLoader = () => {
  const asked: string[] = [];
  const load = async (url: string) => {
    asked.push(url);
    const [, level, x, y] = url.split("/");
    return tile(`${level}/${x}/${y}`, level === "2" ? 512 : 512, level === "2" ? 256 : 512);
  };
  return { asked, load };
};

const recorder = () => {
  const draws: { key: string; dx: number; dy: number; dw: number; dh: number; smooth: boolean }[] = [];
  const ctx: TileDrawContext = {
    imageSmoothingEnabled: true,
    setTransform: () => undefined,
    drawImage(image, _sx, _sy, _sw, _sh, dx, dy, dw, dh) {
      draws.push({
        key: (image as unknown as { key: string }).key,
        dx,
        dy,
        dw,
        dh,
        smooth: ctx.imageSmoothingEnabled,
      });
    },
  };
  return { ctx, draws };
};

const settle = () => new Promise((r) => setTimeout(r, 0));
const url = (_id: number, t: { level: number; x: number; y: number }) => `t/${t.level}/${t.x}/${t.y}`;

describe("tile renderer", () => {
  it("draws the level the scale needs on whole device pixels, a plain copy at 1:1", async () => {
    const f = instantLoader();
    let redraws = 0;
    const stats = emptyTiledImageStats();
    const r = new TileRenderer(IMAGE, { onTile: () => redraws++, loadTile: f.load, tileUrl: url, stats });
    const view = { minX: 0, minY: 0, maxX: 1000, maxY: 600 };
    const rec = recorder();
    r.draw(rec.ctx, view, { scale: 1, x: 0.4, y: -0.3 });
    await settle();
    expect(redraws).toBeGreaterThan(0);
    expect(f.asked.slice(0, 1)).toEqual(["t/2/0/0"]);
    const again = recorder();
    r.draw(again.ctx, view, { scale: 1, x: 0.4, y: -0.3 });
    const own = again.draws.filter((d) => d.key.startsWith("0/"));
    expect(own.map((d) => d.key).sort()).toEqual(["0/0/0", "0/0/1", "0/1/0", "0/1/1"]);
    for (const d of own) {
      expect([d.dx, d.dy, d.dw, d.dh].every(Number.isInteger)).toBe(true);
      expect([d.dw, d.dh]).toEqual([512, 512]);
      expect(d.smooth).toBe(false);
    }
    expect(stats).toMatchObject({ level: 0, standIns: 0 });
    expect(stats.firstDrawAt).not.toBeNull();
  });

  it("neighbouring tiles meet exactly at fractional scales (no seam, no overlap)", async () => {
    const f = instantLoader();
    const r = new TileRenderer(IMAGE, { onTile: () => undefined, loadTile: f.load, tileUrl: url });
    const view = { minX: 0, minY: 0, maxX: 2048, maxY: 1024 };
    const cam = { scale: 0.43, x: 10.3, y: 5.6 };
    r.draw(recorder().ctx, view, cam);
    await settle();
    const rec = recorder();
    r.draw(rec.ctx, view, cam);
    const level1 = rec.draws.filter((d) => d.key.startsWith("1/"));
    expect(level1.map((d) => d.key).sort()).toEqual(["1/0/0", "1/1/0"]);
    const [a, b] = [...level1].sort((p, q) => p.dx - q.dx);
    expect(a!.dx + a!.dw).toBe(b!.dx);
  });

  it("draws a coarser level mid-zoom and counts it as not sharp yet", async () => {
    const f = instantLoader();
    const stats = emptyTiledImageStats();
    const r = new TileRenderer(IMAGE, { onTile: () => undefined, loadTile: f.load, tileUrl: url, stats });
    const view = { minX: 0, minY: 0, maxX: 2048, maxY: 1024 };
    r.draw(recorder().ctx, view, { scale: 1, x: 0, y: 0 }, { coarser: 1 });
    await settle();
    expect(stats.level).toBe(1);
    expect(stats.standIns).toBeGreaterThan(0);
    expect(f.asked.some((u) => u.startsWith("t/0/"))).toBe(false);
  });

  it("a strip draw (want: false) leaves the wish list alone", async () => {
    const f = instantLoader();
    const r = new TileRenderer(IMAGE, { onTile: () => undefined, loadTile: f.load, tileUrl: url });
    r.draw(
      recorder().ctx,
      { minX: 0, minY: 0, maxX: 100, maxY: 100 },
      { scale: 1, x: 0, y: 0 },
      { want: false },
    );
    await settle();
    expect(f.asked).toEqual([]);
    r.want({ minX: 0, minY: 0, maxX: 100, maxY: 100 }, 1);
    await settle();
    expect(f.asked).toContain("t/0/0/0");
  });

  it("takes over preloaded tiles instead of asking for them again", async () => {
    const f = instantLoader();
    const top = Promise.resolve(tile("2/0/0", 512, 256));
    const r = new TileRenderer(IMAGE, {
      onTile: () => undefined,
      loadTile: f.load,
      tileUrl: url,
      preloaded: new Map([["2/0/0", top]]),
    });
    await settle();
    const rec = recorder();
    r.draw(rec.ctx, { minX: 0, minY: 0, maxX: 2048, maxY: 1024 }, { scale: 0.25, x: 0, y: 0 });
    expect(rec.draws.map((d) => d.key)).toEqual(["2/0/0"]);
    expect(f.asked).not.toContain("t/2/0/0");
  });

  it("draws nothing for an image whose pyramid this client does not compute", () => {
    const errors = console.error;
    console.error = () => undefined;
    try {
      const r = new TileRenderer(
        { ...IMAGE, tiles: { ...IMAGE.tiles, levels: 9 } },
        { onTile: () => undefined, loadTile: instantLoader().load, tileUrl: url },
      );
      const rec = recorder();
      expect(r.draw(rec.ctx, { minX: 0, minY: 0, maxX: 10, maxY: 10 }, { scale: 1, x: 0, y: 0 })).toBe(false);
      expect(rec.draws).toEqual([]);
    } finally {
      console.error = errors;
    }
  });
});
