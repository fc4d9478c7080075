import { describe, expect, it } from "vitest";
import { reviewDiff } from "./diff.js";

const box = (x: number, y = 0) => ({ type: "box", x, y, width: 10, height: 10 });

describe("reviewDiff", () => {
  it("finds added, removed and changed shapes, and tags added and removed", () => {
    const d = reviewDiff(
      {
        shapes: [
          { id: "a", labelId: 1, geometry: box(0) },
          { id: "b", labelId: 1, geometry: box(20) },
          { id: "c", labelId: 1, geometry: box(40) },
          { id: "d", labelId: 1, geometry: box(60) },
        ],
        tags: [5, 6],
      },
      {
        shapes: [
          { id: "a", labelId: 1, geometry: box(0) },
          { id: "b", labelId: 2, geometry: box(20) },
          { id: "c", labelId: 1, geometry: box(41) },
          { id: "e", labelId: 1, geometry: box(80) },
        ],
        tags: [6, 7],
      },
    );
    expect(d.added).toEqual(["e"]);
    expect(d.removed).toEqual([{ id: "d", labelId: 1, geometry: box(60) }]);
    expect(d.changed).toEqual([
      { id: "b", labelChanged: true, geometryChanged: false, before: { labelId: 1, geometry: box(20) } },
      { id: "c", labelChanged: false, geometryChanged: true, before: { labelId: 1, geometry: box(40) } },
    ]);
    expect(d.tagsAdded).toEqual([7]);
    expect(d.tagsRemoved).toEqual([5]);
  });

  it("sees no change in the same geometry written with its keys in another order", () => {
    const d = reviewDiff(
      {
        shapes: [{ id: "a", labelId: 1, geometry: { type: "box", x: 1, y: 2, width: 3, height: 4 } }],
        tags: [],
      },
      {
        shapes: [{ id: "a", labelId: 1, geometry: { height: 4, width: 3, y: 2, x: 1, type: "box" } }],
        tags: [],
      },
    );
    expect(d).toEqual({ added: [], removed: [], changed: [], tagsAdded: [], tagsRemoved: [] });
  });

  it("tells a polygon's moved vertex", () => {
    const poly = (x: number) => ({ type: "polygon", points: [0, 0, x, 0, 5, 5] });
    const d = reviewDiff(
      { shapes: [{ id: "p", labelId: 1, geometry: poly(10) }], tags: [] },
      { shapes: [{ id: "p", labelId: 1, geometry: poly(11) }], tags: [] },
    );
    expect(d.changed.map((c) => c.id)).toEqual(["p"]);
  });

  it("tells a key one side lacks, a value of another type and a list of another length", () => {
    const changedOf = (before: unknown, after: unknown) =>
      reviewDiff(
        { shapes: [{ id: "s", labelId: 1, geometry: before }], tags: [] },
        { shapes: [{ id: "s", labelId: 1, geometry: after }], tags: [] },
      ).changed.length;
    const box = { type: "box", x: 1, y: 2, width: 3, height: 4 };
    expect(changedOf(box, { ...box })).toBe(0);
    expect(changedOf(box, { ...box, rotation: 0 })).toBe(1);
    expect(changedOf({ ...box, rotation: 0 }, box)).toBe(1);
    expect(changedOf(box, { ...box, x: "1" })).toBe(1);
    expect(changedOf({ points: [[0, 0]] }, { points: { 0: [0, 0] } })).toBe(1);
    expect(
      changedOf(
        { points: [[0, 0]] },
        {
          points: [
            [0, 0],
            [1, 1],
          ],
        },
      ),
    ).toBe(1);
    expect(changedOf({ points: [[0, 0], null] }, { points: [[0, 0], null] })).toBe(0);
  });
});
