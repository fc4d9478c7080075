import { consensus } from "@labelbench/quality";
import type { Geometry } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { disagreementIssues, regionOf } from "./disagreement-issues.js";

const box = (x: number, y: number, width: number, height: number): Geometry => ({
  type: "box",
  x,
  y,
  width,
  height,
});
const facts = (uids: string[]) => ({
  width: 100,
  height: 50,
  shapeUids: uids,
  labelName: (id: number) => ["", "car", "truck"][id] ?? `label ${id}`,
});

describe("disagreementIssues (pure)", () => {
  it("kept objects are pinned on their merged shape, a tag on the whole image, with the numbers said", () => {
    // Two annotators: an object only the first drew (kept at quorum 0.5, no majority), a tag only
    // the second gave (kept likewise).
    const c = consensus([
      { shapes: [{ labelId: 1, geometry: box(10, 10, 20, 20) }], tags: [] },
      { shapes: [], tags: [2] },
    ]);
    expect(disagreementIssues(c, facts(["u-1"]))).toEqual([
      {
        anchor: { kind: "shape", annotationId: "u-1", box: { x: 10, y: 10, width: 20, height: 20 } },
        category: "extra",
        severity: "minor",
        comment: "Drawn by only 1 of 2 annotators; the merged annotations keep it. Check that it belongs.",
      },
      {
        anchor: { kind: "region", x: 0, y: 0, width: 100, height: 50 },
        category: "wrong_tag",
        severity: "minor",
        comment: "Tag truck given by only 1 of 2 annotators; the merged annotations keep it. Check it.",
      },
    ]);
  });

  it("loose outlines are 'loose' with their mean IoU", () => {
    const c = consensus([
      { shapes: [{ labelId: 1, geometry: box(0, 0, 10, 10) }], tags: [] },
      { shapes: [{ labelId: 1, geometry: box(3, 0, 10, 10) }], tags: [] },
      { shapes: [{ labelId: 1, geometry: box(1, 2, 10, 10) }], tags: [] },
    ]);
    const [issue] = disagreementIssues(c, facts(["u"]));
    expect(issue?.category).toBe("loose");
    expect(issue?.comment).toMatch(/mean IoU 0\.\d+/);
  });

  it("regionOf cuts a region to the image, and falls back to a point when nothing is inside", () => {
    expect(regionOf(box(-10, 40, 30, 30), { width: 100, height: 50 })).toEqual({
      kind: "region",
      x: 0,
      y: 40,
      width: 20,
      height: 10,
    });
    expect(regionOf(box(120, 10, 5, 5), { width: 100, height: 50 })).toEqual({
      kind: "point",
      x: 100,
      y: 12.5,
    });
  });
});
