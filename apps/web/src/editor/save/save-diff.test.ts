import type { Annotation, AnnotationSet } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import {
  applyChange,
  applyPatchResult,
  contentOf,
  diffApplied,
  diffContent,
  isEmptyDiff,
  type Snapshot,
  type SnapshotShape,
} from "./save-diff";

const box = (id: string, x = 1, labelId = 1): SnapshotShape => ({
  id,
  labelId,
  geometry: { type: "box", x, y: 2, width: 10, height: 10 },
});
const tri = (id: string, dx = 0): SnapshotShape => ({
  id,
  labelId: 2,
  geometry: {
    type: "polygon",
    points: [
      [0 + dx, 0],
      [9, 0],
      [5, 9],
    ],
  },
});
const snap = (annotations: SnapshotShape[], tags: number[] = []): Snapshot => ({ annotations, tags });
const stored = (s: SnapshotShape, at = "2024-01-01T00:00:00.000Z"): Annotation => ({
  ...s,
  createdBy: "ann",
  updatedBy: "ann",
  createdAt: "2024-01-01T00:00:00.000Z",
  updatedAt: at,
});

describe("diffContent", () => {
  const base = snap([box("a"), box("b"), tri("c")], [3]);

  it("is empty for equal content, whether the objects are shared or rebuilt", () => {
    expect(isEmptyDiff(diffContent(contentOf(base), base))).toBe(true);
    expect(isEmptyDiff(diffContent(contentOf(base), structuredClone(base)))).toBe(true);
    // Tags compare as a set.
    expect(diffContent(contentOf(base), snap(base.annotations, [3, 3])).tags).toBeNull();
  });

  it("coalesces several edits of one shape into one upsert of its last state", () => {
    const c = contentOf(base);
    let doc = base;
    for (const x of [2, 3, 4])
      doc = snap(
        doc.annotations.map((s) => (s.id === "a" ? box("a", x) : s)),
        [3],
      );
    expect(diffContent(c, doc)).toEqual({ upsert: [box("a", 4)], delete: [], tags: null });
  });

  it("cancels a shape created then deleted, and an edit undone", () => {
    const c = contentOf(base);
    const created = snap([...base.annotations, box("new")], [3]);
    const deletedAgain = snap(
      created.annotations.filter((s) => s.id !== "new"),
      [3],
    );
    expect(isEmptyDiff(diffContent(c, deletedAgain))).toBe(true);
    const undone = snap([box("a", 1), box("b"), tri("c")], [3]);
    expect(isEmptyDiff(diffContent(c, undone))).toBe(true);
  });

  it("lists new, changed (geometry, label, polygon vertex), deleted shapes and new tags", () => {
    const next = snap([box("b", 1, 9), tri("c", 1), box("d")], [4]);
    expect(diffContent(contentOf(base), next)).toEqual({
      upsert: [box("b", 1, 9), tri("c", 1), box("d")],
      delete: ["a"],
      tags: [4],
    });
  });

  it("finds a deletion hidden by an addition of the same count", () => {
    expect(diffContent(contentOf(base), snap([box("a"), box("b"), box("x")], [3]))).toEqual({
      upsert: [box("x")],
      delete: ["c"],
      tags: null,
    });
  });
});

describe("drawing order of new shapes", () => {
  it("names the kept shape just above each new one that is not on top (an undone delete returns to its place)", () => {
    const base = contentOf(snap([box("a"), box("b"), box("c"), box("d")]));
    // b and c deleted and restored where they were, e drawn on top, f between two new shapes.
    const next = snap([box("a"), box("b"), box("f"), box("c"), box("d"), box("e")]);
    const restored = diffContent(contentOf(snap([box("a"), box("d")])), next);
    expect(restored.upsert.map((u) => [u.id, u.before])).toEqual([
      ["b", "d"],
      ["f", "d"],
      ["c", "d"],
      ["e", undefined],
    ]);
    expect(diffContent(base, next).upsert.map((u) => [u.id, u.before])).toEqual([
      ["f", "c"],
      ["e", undefined],
    ]);
  });

  it("applies placements as the server does: base + diff(base, next) is next, in order", () => {
    const base = snap([box("a"), box("d")]);
    const next = snap([box("z"), box("a"), box("b"), box("c"), box("d"), box("e")]);
    const diff = diffContent(contentOf(base), next);
    expect(applyChange(base, { kind: "diff", diff }).annotations.map((s) => s.id)).toEqual([
      "z",
      "a",
      "b",
      "c",
      "d",
      "e",
    ]);
    // The server's set moved on (a conflict resolved as "keep mine"): a missing target puts the shape on top.
    const moved = snap([box("a")]);
    expect(applyChange(moved, { kind: "diff", diff }).annotations.map((s) => s.id)).toEqual([
      "z",
      "a",
      "b",
      "c",
      "e",
    ]);
  });
});

describe("applyChange", () => {
  it("keeps upserted shapes in place, appends new ones, drops deletes, replaces tags when given", () => {
    const base = snap([box("a"), box("b"), box("c")], [1]);
    const out = applyChange(base, {
      kind: "diff",
      diff: { upsert: [box("d"), box("b", 7)], delete: ["a", "not-there"], tags: null },
    });
    expect(out).toEqual(snap([box("b", 7), box("c"), box("d")], [1]));
    expect(applyChange(base, { kind: "diff", diff: { upsert: [], delete: [], tags: [2] } }).tags).toEqual([
      2,
    ]);
    const whole = snap([box("z")]);
    expect(applyChange(base, { kind: "full", snapshot: whole })).toBe(whole);
  });

  it("round-trips: base + diff(base, next) holds next's content", () => {
    const base = snap([box("a"), tri("b"), box("c")], [1]);
    const next = snap([tri("b", 2), box("c"), box("e")], [1, 2]);
    const out = applyChange(base, { kind: "diff", diff: diffContent(contentOf(base), next) });
    expect(out).toEqual(next);
  });
});

describe("diffApplied", () => {
  const set = { annotations: [box("a"), box("b", 5)], tags: [1] };
  it("tells whether the server already holds a diff (a save whose reply was lost)", () => {
    expect(diffApplied(set, { upsert: [box("b", 5)], delete: ["gone"], tags: [1] })).toBe(true);
    expect(diffApplied(set, { upsert: [box("b", 6)], delete: [], tags: null })).toBe(false);
    expect(diffApplied(set, { upsert: [], delete: ["a"], tags: null })).toBe(false);
    expect(diffApplied(set, { upsert: [], delete: [], tags: [2] })).toBe(false);
  });
});

describe("applyPatchResult", () => {
  const set: AnnotationSet = {
    imageId: 5,
    revision: 3,
    annotations: [stored(box("a")), stored(box("b")), stored(box("c"))],
    tags: [1],
  };
  const result = {
    imageId: 5,
    revision: 4,
    annotationCount: 3,
    upserted: [stored(box("b", 8), "2024-02-02T00:00:00.000Z"), stored(box("d"))],
    placed: [],
    deleted: ["a"],
    tags: [2],
  };

  it("builds the acknowledged set from the set at the base revision and the small reply", () => {
    expect(applyPatchResult(set, 3, result)).toEqual({
      imageId: 5,
      revision: 4,
      annotations: [stored(box("b", 8), "2024-02-02T00:00:00.000Z"), stored(box("c")), stored(box("d"))],
      tags: [2],
    });
  });

  it("puts new shapes the server placed below a stored one there, in the order it placed them", () => {
    const placed = {
      ...result,
      annotationCount: 6,
      upserted: [stored(box("x")), stored(box("y")), stored(box("z"))],
      placed: [
        { id: "x", before: "c" },
        { id: "z", before: "a" },
      ],
      deleted: [],
    };
    expect(applyPatchResult(set, 3, placed)?.annotations.map((a) => a.id)).toEqual([
      "z",
      "a",
      "b",
      "x",
      "c",
      "y",
    ]);
    expect(applyPatchResult(set, 3, { ...placed, placed: [{ id: "x", before: "ghost" }] })).toBeNull();
  });

  it("refuses a set at another revision, another image, or one that does not add up", () => {
    expect(applyPatchResult({ ...set, revision: 2 }, 3, result)).toBeNull();
    expect(applyPatchResult({ ...set, imageId: 6 }, 3, result)).toBeNull();
    expect(applyPatchResult(set, 3, { ...result, annotationCount: 7 })).toBeNull();
  });
});
