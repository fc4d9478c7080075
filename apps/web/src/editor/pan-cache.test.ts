import { describe, expect, it } from "vitest";
import { CACHE_MARGIN_PX, cacheSize, PanCache, type PanCacheInput } from "./pan-cache";

const frame = (over: Partial<PanCacheInput> = {}): PanCacheInput => ({
  image: { width: 4000, height: 3000 },
  stage: { width: 1000, height: 800 },
  viewport: { scale: 0.2, offsetX: 100.4, offsetY: 50 },
  pixelRatio: 1,
  contentVersion: 1,
  ...over,
});

describe("pan cache", () => {
  it("caches only views whose whole image is about window-sized", () => {
    expect(cacheSize(frame())).toEqual({
      width: 800 + 2 * CACHE_MARGIN_PX,
      height: 600 + 2 * CACHE_MARGIN_PX,
    });
    expect(cacheSize(frame({ viewport: { scale: 1, offsetX: 0, offsetY: 0 } }))).toBeNull();
  });

  it("renders once at a stable scale, then blits at whole device pixels while panning", () => {
    const c = new PanCache();
    expect(c.frame(frame())).toEqual({ kind: "direct" });
    const second = c.frame(frame({ viewport: { scale: 0.2, offsetX: 120.4, offsetY: 50 } }));
    expect(second).toEqual({ kind: "blit", render: true, x: 120 - CACHE_MARGIN_PX, y: 50 - CACHE_MARGIN_PX });
    expect(c.frame(frame({ viewport: { scale: 0.2, offsetX: 140.6, offsetY: 60 } }))).toMatchObject({
      kind: "blit",
      render: false,
      x: 141 - CACHE_MARGIN_PX,
    });
  });

  it("draws directly while zooming and re-renders after an edit", () => {
    const c = new PanCache();
    c.frame(frame());
    c.frame(frame());
    expect(c.frame(frame({ viewport: { scale: 0.21, offsetX: 0, offsetY: 0 } }))).toEqual({ kind: "direct" });
    expect(c.frame(frame({ viewport: { scale: 0.22, offsetX: 0, offsetY: 0 } }))).toEqual({ kind: "direct" });
    expect(c.frame(frame({ viewport: { scale: 0.22, offsetX: 0, offsetY: 0 } }))).toMatchObject({
      render: true,
    });
    expect(
      c.frame(frame({ viewport: { scale: 0.22, offsetX: 0, offsetY: 0 }, contentVersion: 2 })),
    ).toMatchObject({
      render: true,
    });
  });
});
