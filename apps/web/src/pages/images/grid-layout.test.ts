import { describe, expect, it } from "vitest";
import { gridMetrics, moveFocus, scrollToReveal, visibleRows } from "./grid-layout";

const spec = { minTileWidth: 180, gap: 16, captionHeight: 52, aspect: 0.75 };

describe("gridMetrics", () => {
  it.each([
    // width, columns: as many 180px tiles as fit with 16px gaps
    [1000, 5],
    [963, 4],
    [964, 5],
    [100, 1],
    [0, 1],
  ])("width %i holds %i columns", (width, columns) => {
    expect(gridMetrics(width, 10, spec).columns).toBe(columns);
  });

  it("stretches tiles to fill the row and sizes 100,000 images without rendering them", () => {
    const m = gridMetrics(1000, 100_000, spec);
    expect(m.tileWidth).toBeCloseTo((1000 - 4 * 16) / 5);
    expect(m.tileHeight).toBe(Math.round(187.2 * 0.75 + 52));
    expect(m.rows).toBe(20_000);
    expect(m.totalHeight).toBe(20_000 * m.rowHeight - 16);
  });

  it("has no rows for no images", () => {
    expect(gridMetrics(1000, 0, spec)).toMatchObject({ rows: 0, totalHeight: 0 });
  });
});

describe("visibleRows", () => {
  const m = { rowHeight: 200, rows: 1000 };
  it("covers the viewport plus overscan", () => {
    expect(visibleRows(0, 600, m, 2)).toEqual({ first: 0, last: 4 });
    expect(visibleRows(10_050, 600, m, 2)).toEqual({ first: 48, last: 55 });
  });
  it("clamps at the end and is empty for an empty grid", () => {
    expect(visibleRows(199_900, 600, m, 2)).toEqual({ first: 997, last: 999 });
    expect(visibleRows(0, 600, { rowHeight: 200, rows: 0 })).toEqual({ first: 0, last: -1 });
  });
  it("renders a bounded number of rows wherever the scroll is", () => {
    for (const top of [0, 12_345, 150_000, 199_400]) {
      const r = visibleRows(top, 720, m, 2);
      expect(r.last - r.first + 1).toBeLessThanOrEqual(Math.ceil(720 / 200) + 1 + 4);
    }
  });
});

describe("moveFocus", () => {
  // 5 columns, 12 items: the last row holds 10 and 11.
  it.each([
    [0, "ArrowLeft", 0],
    [0, "ArrowRight", 1],
    [4, "ArrowRight", 5],
    [11, "ArrowRight", 11],
    [7, "ArrowUp", 2],
    [2, "ArrowUp", 2],
    [3, "ArrowDown", 8],
    [8, "ArrowDown", 8],
    [6, "ArrowDown", 11],
    [6, "Home", 0],
    [6, "End", 11],
    [1, "PageDown", 11],
    [11, "PageUp", 1],
  ] as const)("from %i on %s goes to %i", (from, key, to) => {
    expect(moveFocus(from, key, 5, 12, 2)).toBe(to);
  });
});

describe("scrollToReveal", () => {
  const m = { rowHeight: 200, tileHeight: 184 };
  it("scrolls up or down just enough, or not at all", () => {
    expect(scrollToReveal(2, 1000, 600, m)).toBe(400);
    expect(scrollToReveal(9, 1000, 600, m)).toBe(1800 + 184 - 600);
    expect(scrollToReveal(6, 1000, 600, m)).toBeNull();
  });
});
