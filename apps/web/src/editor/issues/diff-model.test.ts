import type { Shape } from "@labelbench/editor";
import { describe, expect, it } from "vitest";
import { diffMarks, hasBaseline } from "./diff-model";
import { makeDiff } from "./test-fixtures";

const box = (id: string, x: number): Shape => ({
  id,
  labelId: 1,
  geometry: { type: "box", x, y: 0, width: 10, height: 10 },
});

describe("re-review diff marks", () => {
  it("added and changed shapes are drawn where the editor holds them now; removed ones where they were", () => {
    const shapes = new Map([
      ["n", box("n", 500)],
      ["c", box("c", 300)],
    ]);
    const before = { type: "box", x: 1, y: 2, width: 3, height: 4 };
    const marks = diffMarks(
      makeDiff({
        added: ["n", "deleted-since"],
        changed: [
          { id: "c", labelChanged: false, geometryChanged: true, before: { labelId: 1, geometry: before } },
        ],
        removed: [
          {
            id: "r",
            labelId: 1,
            geometry: {
              type: "polygon",
              points: [
                [0, 0],
                [5, 0],
                [0, 5],
              ],
            },
          },
        ],
        tagsAdded: [4],
      }),
      shapes,
    );
    expect(marks.added).toEqual([{ id: "n", geometry: box("n", 500).geometry }]);
    expect(marks.changed).toEqual([
      { id: "c", geometry: box("c", 300).geometry, before, labelChanged: false },
    ]);
    expect(marks.removed).toEqual([
      {
        id: "r",
        geometry: {
          type: "polygon",
          points: [
            [0, 0],
            [5, 0],
            [0, 5],
          ],
        },
      },
    ]);
    // The legend counts what the server found, also a shape the editor no longer holds.
    expect(marks.counts).toEqual({ added: 2, changed: 1, removed: 1, tagsAdded: 1, tagsRemoved: 0 });
  });

  it("a geometry that is not one is left out rather than drawn wrong", () => {
    const marks = diffMarks(
      makeDiff({ removed: [{ id: "r", labelId: 1, geometry: { type: "circle" } }] }),
      new Map(),
    );
    expect(marks.removed).toEqual([]);
    expect(marks.counts.removed).toBe(1);
  });

  it("the overlay starts on only for an image decided before", () => {
    expect(hasBaseline(makeDiff())).toBe(true);
    expect(hasBaseline(makeDiff({ baseRevision: null }))).toBe(false);
    expect(hasBaseline(null)).toBe(false);
  });
});
