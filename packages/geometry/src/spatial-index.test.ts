import { describe, expect, it } from "vitest";
import { boundsIntersect } from "./rect.js";
import { GridIndex } from "./spatial-index.js";
import type { Bounds } from "./types.js";

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
const rng = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) % 2 ** 32;
  return seed / 2 ** 32;
};

const randomBounds = (rand: () => number, extent: number, maxSize: number): Bounds => {
  const x = rand() * extent - extent * 0.05;
  const y = rand() * extent - extent * 0.05;
  const w = rand() * maxSize;
  const h = rand() * maxSize;
  return { minX: x, minY: y, maxX: x + w, maxY: y + h };
};

const brute = (items: Map<number, Bounds>, q: Bounds) =>
  [...items].filter(([, b]) => boundsIntersect(b, q)).map(([k]) => k);

const sorted = (a: number[]) => [...a].sort((x, y) => x - y);

describe("GridIndex", () => {
  it("refuses a non-positive cell size", () => {
    expect(() => new GridIndex(0)).toThrow(RangeError);
    expect(() => new GridIndex(Number.NaN)).toThrow(RangeError);
  });

  it.each([
    ["small shapes, small cells", 1, 32, 40],
    ["mixed sizes", 2, 64, 400],
    ["shapes larger than cells", 3, 16, 300],
    ["huge cells", 4, 5000, 100],
  ])("search matches brute force on random data: %s", (_name, seed, cellSize, maxSize) => {
    const rand = rng(seed);
    const index = new GridIndex<number>(cellSize);
    const items = new Map<number, Bounds>();
    for (let i = 0; i < 2000; i++) {
      const b = randomBounds(rand, 4000, maxSize);
      index.insert(i, b);
      items.set(i, b);
    }
    // Edits: move some, remove some.
    for (let i = 0; i < 300; i++) {
      const k = Math.floor(rand() * 2000);
      if (rand() < 0.5) {
        index.remove(k);
        items.delete(k);
      } else {
        const b = randomBounds(rand, 4000, maxSize);
        index.insert(k, b);
        items.set(k, b);
      }
    }
    expect(index.size).toBe(items.size);
    for (let q = 0; q < 200; q++) {
      const query = randomBounds(rand, 4400, q % 10 === 0 ? 5000 : 300);
      const got = index.search(query);
      expect(new Set(got).size).toBe(got.length); // no duplicates
      expect(sorted(got)).toEqual(sorted(brute(items, query)));
    }
  });

  it("finds shapes in negative coordinates and touching the query edge", () => {
    const index = new GridIndex<string>(10);
    index.insert("neg", { minX: -25, minY: -25, maxX: -15, maxY: -15 });
    index.insert("edge", { minX: 30, minY: 0, maxX: 40, maxY: 10 });
    expect(index.search({ minX: -20, minY: -20, maxX: -19, maxY: -19 })).toEqual(["neg"]);
    expect(index.search({ minX: 20, minY: 0, maxX: 30, maxY: 5 })).toEqual(["edge"]);
    expect(index.search({ minX: 0, minY: 20, maxX: 10, maxY: 30 })).toEqual([]);
  });

  it("re-inserting a key moves it; remove and clear forget it", () => {
    const index = new GridIndex<string>(10);
    index.insert("a", { minX: 0, minY: 0, maxX: 5, maxY: 5 });
    index.insert("a", { minX: 100, minY: 100, maxX: 105, maxY: 105 });
    expect(index.size).toBe(1);
    expect(index.search({ minX: 0, minY: 0, maxX: 6, maxY: 6 })).toEqual([]);
    expect(index.search({ minX: 99, minY: 99, maxX: 101, maxY: 101 })).toEqual(["a"]);
    expect(index.bounds("a")).toEqual({ minX: 100, minY: 100, maxX: 105, maxY: 105 });
    index.remove("a");
    index.remove("a");
    expect(index.size).toBe(0);
    expect(index.bounds("a")).toBeUndefined();
    index.insert("b", { minX: 0, minY: 0, maxX: 1, maxY: 1 });
    index.clear();
    expect(index.search({ minX: -1e9, minY: -1e9, maxX: 1e9, maxY: 1e9 })).toEqual([]);
  });

  it("answers a whole-scene query (more cells than items) by scanning", () => {
    const index = new GridIndex<number>(1);
    index.insert(1, { minX: 10, minY: 10, maxX: 11, maxY: 11 });
    index.insert(2, { minX: 5000, minY: 5000, maxX: 5001, maxY: 5001 });
    expect(sorted(index.search({ minX: 0, minY: 0, maxX: 1e6, maxY: 1e6 }))).toEqual([1, 2]);
    expect(
      index.search({ minX: Number.NEGATIVE_INFINITY, minY: 0, maxX: Number.POSITIVE_INFINITY, maxY: 10 }),
    ).toEqual([1]);
  });

  it("refuses non-finite bounds on insert instead of looping forever", () => {
    const index = new GridIndex<number>(10);
    expect(() => index.insert(1, { minX: 0, minY: 0, maxX: Number.POSITIVE_INFINITY, maxY: 1 })).toThrow(
      RangeError,
    );
    expect(() => index.insert(2, { minX: Number.NaN, minY: 0, maxX: 1, maxY: 1 })).toThrow(RangeError);
    expect(index.size).toBe(0);
  });
});
