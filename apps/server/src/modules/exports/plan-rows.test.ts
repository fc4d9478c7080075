import { describe, expect, it } from "vitest";
import { type ImageRow, planRows } from "./repo.js";

describe("planRows", () => {
  const image = (id: number): ImageRow => ({
    id,
    file_name: `${id}.png`,
    width: 10,
    height: 10,
    channels: 3,
    sha256: id.toString(16).padStart(64, "0"),
    format: "png",
    byte_size: 1,
    annotation_count: 0,
  });
  const labelIndex = new Map([
    [10, 0],
    [20, 1],
    [30, 2],
  ]);

  it("gives tags as sorted label indices, skips labels outside the set, and images without tags none", () => {
    const rows = planRows(
      [1, 2, 3].map(image),
      [
        { imageId: 1, labelId: 30 },
        { imageId: 1, labelId: 10 },
        { imageId: 1, labelId: 20 },
        { imageId: 2, labelId: 99 },
        { imageId: 3, labelId: 20 },
      ],
      labelIndex,
    );
    expect(rows.map((r) => r.tags)).toEqual([[0, 1, 2], [], [1]]);
  });

  it("shares one list among the images tagged with one label alone (the plan holds them to the end)", () => {
    const rows = planRows(
      [1, 2, 3, 4].map(image),
      [
        { imageId: 1, labelId: 20 },
        { imageId: 2, labelId: 20 },
        { imageId: 3, labelId: 20 },
        { imageId: 3, labelId: 10 },
        { imageId: 4, labelId: 10 },
      ],
      labelIndex,
    );
    expect(rows[1]?.tags).toBe(rows[0]?.tags);
    expect(rows[2]?.tags).toEqual([0, 1]);
    // A list of several tags is the image's own: adding to it did not change the shared ones.
    expect(rows.map((r) => r.tags)).toEqual([[1], [1], [0, 1], [0]]);
  });
});
