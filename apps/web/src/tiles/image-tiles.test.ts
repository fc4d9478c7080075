import { describe, expect, it } from "vitest";
import { keyOf, previewUrlOf, pyramidOfImage, tileUrlOf } from "./image-tiles";

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
});
