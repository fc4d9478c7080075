import type { Shape } from "@labelbench/editor";
import { describe, expect, it } from "vitest";
import { type PathLike, SHAPE_LINE_PX, ShapeTiles, type TileInput } from "./shape-tiles";

class FakePath implements PathLike {
  ops: string[] = [];
  rect(x: number, y: number, w: number, h: number) {
    this.ops.push(`rect ${x},${y},${w},${h}`);
  }
  moveTo(x: number, y: number) {
    this.ops.push(`M${x},${y}`);
  }
  lineTo(x: number, y: number) {
    this.ops.push(`L${x},${y}`);
  }
  closePath() {
    this.ops.push("Z");
  }
}

const ctx = () => {
  const calls: { op: "fill" | "stroke"; path: FakePath; style: string; width: number }[] = [];
  const c = {
    fillStyle: "" as string | CanvasGradient | CanvasPattern,
    strokeStyle: "" as string | CanvasGradient | CanvasPattern,
    lineWidth: 1,
    globalAlpha: 1,
    lineJoin: "miter" as CanvasLineJoin,
    save: () => {},
    restore: () => {},
    fill: (p: FakePath) =>
      calls.push({ op: "fill", path: p, style: String(c.fillStyle), width: c.lineWidth }),
    stroke: (p: FakePath) =>
      calls.push({ op: "stroke", path: p, style: String(c.strokeStyle), width: c.lineWidth }),
  };
  return { c, calls };
};

const box = (id: string, x: number, y: number, labelId = 1): Shape => ({
  id,
  labelId,
  geometry: { type: "box", x, y, width: 10, height: 10 },
});

const colours: Record<number, string> = { 1: "#ff0000", 2: "#00ff00" };
const input = (shapes: Shape[], over: Partial<TileInput> = {}): TileInput => ({
  image: { width: 1600, height: 1600 },
  shapes: new Map(shapes.map((s) => [s.id, s])),
  excluded: new Set(),
  hiddenLabels: new Set(),
  colourOf: (l) => colours[l] ?? "#999999",
  coloursKey: colours,
  ...over,
});
const everything = { minX: -1e9, minY: -1e9, maxX: 1e9, maxY: 1e9 };

describe("ShapeTiles", () => {
  it("draws many shapes with one fill and one stroke per colour and tile, lines constant on screen", () => {
    const tiles = new ShapeTiles(() => new FakePath());
    const shapes = Array.from({ length: 500 }, (_, i) =>
      box(`s${i}`, (i % 10) * 2, Math.floor(i / 10), (i % 2) + 1),
    );
    tiles.sync(input(shapes));
    const { c, calls } = ctx();
    expect(tiles.draw(c, everything, 4)).toBe(500);
    // All 500 centres fall in the first 100 px tile: 2 colours x (fill + stroke).
    expect(calls).toHaveLength(4);
    expect(calls.every((x) => x.width === SHAPE_LINE_PX / 4)).toBe(true);
    expect(calls.reduce((n, x) => n + (x.op === "stroke" ? x.path.ops.length : 0), 0)).toBe(500);
  });

  it("drops the translucent fills when very many shapes are in view", () => {
    const tiles = new ShapeTiles(() => new FakePath());
    const shapes = Array.from({ length: 2001 }, (_, i) =>
      box(`s${i}`, (i % 40) * 40, Math.floor(i / 40) * 30),
    );
    tiles.sync(input(shapes));
    const { c, calls } = ctx();
    expect(tiles.draw(c, everything, 1)).toBe(2001);
    expect(calls.filter((x) => x.op === "fill")).toHaveLength(0);
    expect(calls.filter((x) => x.op === "stroke").length).toBeGreaterThan(0);
    const few = ctx();
    expect(tiles.draw(few.c, { minX: 0, minY: 0, maxX: 300, maxY: 300 }, 1)).toBeLessThan(2000);
    expect(few.calls.filter((x) => x.op === "fill").length).toBeGreaterThan(0);
  });

  it("culls tiles outside the view", () => {
    const tiles = new ShapeTiles(() => new FakePath());
    tiles.sync(input([box("a", 10, 10), box("b", 1500, 1500)]));
    const { c } = ctx();
    expect(tiles.draw(c, { minX: 0, minY: 0, maxX: 200, maxY: 200 }, 1)).toBe(1);
    // A shape whose centre lies in a far tile but reaches into the view is still drawn.
    const wide: Shape = {
      id: "w",
      labelId: 1,
      geometry: { type: "box", x: 150, y: 0, width: 600, height: 10 },
    };
    tiles.sync(input([wide]));
    expect(tiles.draw(c, { minX: 0, minY: 0, maxX: 160, maxY: 50 }, 1)).toBe(1);
  });

  it("rebuilds only the tiles of changed, selected or unselected shapes", () => {
    const tiles = new ShapeTiles(() => new FakePath());
    const a = box("a", 10, 10);
    const b = box("b", 1500, 1500);
    const first = input([a, b]);
    tiles.sync(first);
    expect(tiles.lastRebuilt).toBe(256);
    tiles.sync({ ...first });
    expect(tiles.lastRebuilt).toBe(0);
    // Selecting b leaves it out of the batch: its tile only.
    tiles.sync({ ...first, excluded: new Set(["b"]) });
    expect(tiles.lastRebuilt).toBe(1);
    const { c } = ctx();
    expect(tiles.draw(c, everything, 1)).toBe(1);
    // Moving a to another tile dirties both tiles.
    const moved = box("a", 800, 800);
    tiles.sync({
      ...first,
      excluded: new Set(["b"]),
      shapes: new Map([
        ["a", moved],
        ["b", b],
      ]),
    });
    expect(tiles.lastRebuilt).toBe(2);
    // Deleting a.
    tiles.sync({ ...first, excluded: new Set(["b"]), shapes: new Map([["b", b]]) });
    expect(tiles.lastRebuilt).toBe(1);
    expect(tiles.draw(c, everything, 1)).toBe(0);
  });

  it("leaves out shapes of hidden labels and rebuilds when colours change", () => {
    const tiles = new ShapeTiles(() => new FakePath());
    const base = input([box("a", 10, 10, 1), box("b", 20, 20, 2)]);
    tiles.sync({ ...base, hiddenLabels: new Set([2]) });
    const { c, calls } = ctx();
    expect(tiles.draw(c, everything, 1)).toBe(1);
    expect(calls.map((x) => x.style)).toEqual(["#ff0000", "#ff0000"]);
    const recoloured = { 1: "#0000ff", 2: "#00ff00" };
    tiles.sync({ ...base, colourOf: (l) => recoloured[l as 1 | 2], coloursKey: recoloured });
    const again = ctx();
    tiles.draw(again.c, everything, 1);
    expect(new Set(again.calls.map((x) => x.style))).toEqual(new Set(["#0000ff", "#00ff00"]));
  });

  it("traces polygons with one winding so a shared fill has no holes", () => {
    const tiles = new ShapeTiles(() => new FakePath());
    const cw: [number, number][] = [
      [0, 0],
      [10, 0],
      [10, 10],
    ];
    tiles.sync(
      input([
        { id: "p", labelId: 1, geometry: { type: "polygon", points: cw } },
        { id: "q", labelId: 1, geometry: { type: "polygon", points: [...cw].reverse() } },
      ]),
    );
    const { c, calls } = ctx();
    tiles.draw(c, everything, 1);
    const ops = calls[0]?.path.ops ?? [];
    expect(ops.slice(0, 4)).toEqual(ops.slice(4, 8));
  });

  it("reports what changed on screen: everything at first, then the old and new bounds of each change", () => {
    const tiles = new ShapeTiles(() => new FakePath());
    const a = box("a", 10, 10);
    const b = box("b", 500, 500);
    const first = input([a, b]);
    tiles.sync(first);
    expect(tiles.takeDirty()).toEqual({ all: true });
    tiles.sync({ ...first });
    expect(tiles.takeDirty()).toEqual({ all: false, rects: [] });
    const moved = new Map([
      ["a", box("a", 300, 10)],
      ["b", b],
    ]);
    tiles.sync({ ...first, shapes: moved });
    expect(tiles.takeDirty()).toEqual({
      all: false,
      rects: [
        { minX: 10, minY: 10, maxX: 20, maxY: 20 },
        { minX: 300, minY: 10, maxX: 310, maxY: 20 },
      ],
    });
    // Leaving a shape out of the batch (being dragged, hidden) dirties its bounds too.
    tiles.sync({ ...first, shapes: moved, excluded: new Set(["b"]) });
    expect(tiles.takeDirty()).toEqual({
      all: false,
      rects: [{ minX: 500, minY: 500, maxX: 510, maxY: 510 }],
    });
    tiles.sync({ ...first, hiddenLabels: new Set([2]) });
    expect(tiles.takeDirty()).toEqual({ all: true });
  });

  it("uses the shape map's own change list instead of comparing every shape", () => {
    const tiles = new ShapeTiles(() => new FakePath());
    const base = new Map([
      ["a", box("a", 10, 10)],
      ["b", box("b", 500, 500)],
    ]);
    const first = input([...base.values()]);
    tiles.sync(first);
    tiles.takeDirty();
    const moved = box("b", 900, 900);
    // The only change it reports is b's, so a's new (equal but unknown) object is never looked at.
    const next = Object.assign(new Map([...base, ["a", box("a", 10, 10)], ["b", moved]]), {
      changedSince: () => ["b"],
    });
    tiles.sync({ ...first, shapes: next });
    expect(tiles.takeDirty()).toEqual({
      all: false,
      rects: [
        { minX: 500, minY: 500, maxX: 510, maxY: 510 },
        { minX: 900, minY: 900, maxX: 910, maxY: 910 },
      ],
    });
  });
});
