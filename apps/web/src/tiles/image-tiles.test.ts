import { describe, expect, it } from "vitest";
import {
  fresherImage,
  keyOf,
  pictureSourceOf,
  previewUrlOf,
  pyramidOfImage,
  tileProgressText,
  tileUrlOf,
} from "./image-tiles";

const image = (tiles: {
  state: "none" | "pending" | "ready" | "failed";
  tileSize: number | null;
  levels: number | null;
}) => ({
  width: 20_000,
  height: 15_000,
  tiles,
});

describe("image tiles", () => {
  it("builds the pyramid of a ready image, matching the server's level count", () => {
    const p = pyramidOfImage(image({ state: "ready", tileSize: 512, levels: 7 }));
    expect(p?.levels.map((l) => [l.width, l.height])).toEqual([
      [20000, 15000],
      [10000, 7500],
      [5000, 3750],
      [2500, 1875],
      [1250, 938],
      [625, 469],
      [313, 235],
    ]);
  });

  it.each([
    ["pending", { state: "pending", tileSize: null, levels: null }],
    ["untiled", { state: "none", tileSize: null, levels: null }],
    ["failed", { state: "failed", tileSize: null, levels: null }],
    ["a server with other pyramid math", { state: "ready", tileSize: 512, levels: 6 }],
  ] as const)("has no pyramid when %s", (_name, tiles) => {
    expect(pyramidOfImage(image(tiles))).toBeNull();
  });

  it("addresses tiles and the preview through the contract's paths", () => {
    expect(tileUrlOf(7, { level: 2, x: 3, y: 1 })).toBe("/api/v1/images/7/tiles/2/3/1");
    expect(previewUrlOf(7)).toBe("/api/v1/images/7/preview");
    expect(keyOf({ level: 2, x: 3, y: 1 })).toBe("2/3/1");
  });

  it("never has the editor download a tiled image's original or display copy", () => {
    const tiles = (state: "none" | "pending" | "ready" | "failed") => ({
      id: 7,
      tiles: { state, progress: 0, tileSize: null, levels: null },
    });
    expect(pictureSourceOf(tiles("none"))).toEqual({ kind: "display", url: "/api/v1/images/7/display" });
    expect(pictureSourceOf(tiles("pending"))).toEqual({ kind: "preview", url: "/api/v1/images/7/preview" });
    expect(pictureSourceOf(tiles("ready"))).toEqual({ kind: "none" });
    expect(pictureSourceOf(tiles("failed"))).toEqual({ kind: "none" });
  });

  it("keeps the reply further along in tile generation, the first one when level", () => {
    const at = (state: "pending" | "ready" | "failed", progress: number, id = 1) => ({
      id,
      tiles: { state, progress, tileSize: null, levels: null },
    });
    const p30 = at("pending", 0.3);
    const p60 = at("pending", 0.6);
    const ready = at("ready", 1);
    expect(fresherImage(p30, p60)).toBe(p60);
    expect(fresherImage(p60, p30)).toBe(p60);
    expect(fresherImage(ready, p60)).toBe(ready);
    expect(fresherImage(p60, at("failed", 0))).toEqual(at("failed", 0));
    const again = at("pending", 0.3);
    expect(fresherImage(p30, again)).toBe(p30);
    // Another image: the second one is the current one.
    expect(fresherImage(p60, at("pending", 0.1, 2))).toEqual(at("pending", 0.1, 2));
  });

  it("shows progress in whole percent, never 100% before the tiles are ready", () => {
    expect(tileProgressText(0)).toBe("0%");
    expect(tileProgressText(0.426)).toBe("42%");
    expect(tileProgressText(0.999)).toBe("99%");
    expect(tileProgressText(1)).toBe("99%");
  });
});
