import { describe, expect, it } from "vitest";
import { seededRandom } from "./random.js";
import { boundsIntersect } from "./rect.js";
import { StaticGridIndex } from "./static-grid.js";
import type { Bounds } from "./types.js";

const randomBounds = (rand: () => number, span: number, size: number): Bounds => {
  const minX = rand() * span - span / 10;
  const minY = rand() * span - span / 10;
  // Now and then a point, a line, or an item ten times the usual size (spanning many cells).
  const big = rand() < 0.05 ? 10 : 1;
  const w = rand() < 0.05 ? 0 : rand() * size * big;
  const h = rand() < 0.05 ? 0 : rand() * size * big;
  return { minX, minY, maxX: minX + w, maxY: minY + h };
};

describe("StaticGridIndex", () => {
  it("finds exactly what a scan of every item finds, each item once", { timeout: 30_000 }, () => {
    const rand = seededRandom(99);
    for (let round = 0; round < 40; round++) {
      const count = Math.floor(rand() * 400);
      const span = 100 + rand() * 5000;
      const items = Array.from({ length: count }, () => randomBounds(rand, span, span / 20));
      const index = new StaticGridIndex(items, round % 3 === 0 ? span / 7 : undefined);
      for (let q = 0; q < 60; q++) {
        // Queries inside, across and wholly outside the items' extent.
        const query = randomBounds(rand, span * 1.4, span / (q % 2 ? 5 : 30));
        const got = index.search(query);
        expect(new Set(got).size, `round ${round}, query ${q}: an item twice`).toBe(got.length);
        const want = items.flatMap((b, i) => (boundsIntersect(b, query) ? [i] : []));
        expect(
          got.sort((a, b) => a - b),
          `round ${round}, query ${q}`,
        ).toEqual(want);
      }
    }
  });

  it("edges that touch count, as boundsIntersect says; an empty index finds nothing", () => {
    const index = new StaticGridIndex([{ minX: 0, minY: 0, maxX: 10, maxY: 10 }]);
    expect(index.search({ minX: 10, minY: 10, maxX: 20, maxY: 20 })).toEqual([0]);
    expect(index.search({ minX: 10.5, minY: 0, maxX: 20, maxY: 20 })).toEqual([]);
    expect(new StaticGridIndex([]).search({ minX: 0, minY: 0, maxX: 1, maxY: 1 })).toEqual([]);
  });

  it("refuses bounds that are not finite, naming the item", () => {
    expect(
      () =>
        new StaticGridIndex([
          { minX: 0, minY: 0, maxX: 1, maxY: 1 },
          { minX: 0, minY: 0, maxX: Number.NaN, maxY: 1 },
        ]),
    ).toThrow(/finite.*at 1/);
  });
});
