import type { AnnotationSet } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import type { SnapshotShape } from "./save-diff";
import { sameContent } from "./save-queue";

const stored = (shape: SnapshotShape): AnnotationSet["annotations"][number] => ({
  ...shape,
  createdBy: null,
  updatedBy: null,
  createdAt: "2024-01-01T00:00:00.000Z",
  updatedAt: "2024-01-01T00:00:00.000Z",
});

// The acknowledgement check compares what the server holds with what was sent through the same
// geometryEquals as the diff and the merge: by value, not by how the objects happen to print.
describe("sameContent compares geometry by value", () => {
  it("takes a box with its keys in another order for the same box", () => {
    const server = {
      annotations: [
        stored({ id: "a", labelId: 1, geometry: { type: "box", x: 1, y: 2, width: 3, height: 4 } }),
      ],
      tags: [],
    };
    const sent: SnapshotShape = {
      id: "a",
      labelId: 1,
      geometry: { height: 4, width: 3, y: 2, x: 1, type: "box" },
    };
    expect(sameContent(server, { annotations: [sent], tags: [] })).toBe(true);
  });

  it("still sees a moved vertex", () => {
    const tri = (y: number): SnapshotShape => ({
      id: "p",
      labelId: 1,
      geometry: {
        type: "polygon",
        points: [
          [0, 0],
          [10, 0],
          [5, y],
        ],
      },
    });
    const server = { annotations: [stored(tri(8))], tags: [] };
    expect(sameContent(server, { annotations: [tri(8)], tags: [] })).toBe(true);
    expect(sameContent(server, { annotations: [tri(8.5)], tags: [] })).toBe(false);
  });
});
