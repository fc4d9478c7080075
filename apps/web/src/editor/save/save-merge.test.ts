import { describe, expect, it } from "vitest";
import {
  applyChange,
  contentOf,
  diffContent,
  type Snapshot,
  type SnapshotShape,
  snapshotOfContent,
} from "./save-diff";
import { ancestorsOf, mergeThreeWay, rebuildBase } from "./save-merge";

const box = (id: string, x: number, labelId = 1): SnapshotShape => ({
  id,
  labelId,
  geometry: { type: "box", x, y: 10, width: 20, height: 20 },
});
const snap = (annotations: SnapshotShape[], tags: number[] = []): Snapshot => ({ annotations, tags });
const ids = (s: Snapshot) => s.annotations.map((a) => a.id);
const xOf = (s: Snapshot, id: string) => {
  const g = s.annotations.find((a) => a.id === id)?.geometry;
  return g?.type === "box" ? g.x : undefined;
};

describe("three-way merge", () => {
  it("the reported case: they add a box, I move one of mine; both survive and nothing conflicts", () => {
    const base = snap([box("a", 0), box("b", 100)]);
    const theirs = snap([box("a", 0), box("b", 100), box("theirs-new", 300)]);
    const mine = snap([box("a", 0), box("b", 150)]);
    const m = mergeThreeWay(contentOf(base), mine, theirs);
    expect(m.conflicts).toEqual([]);
    expect(ids(m.merged)).toEqual(["a", "b", "theirs-new"]);
    expect(xOf(m.merged, "b")).toBe(150);
    expect(m.theirs).toEqual({ added: 1, changed: 0, deleted: 0 });
    expect(m.mine).toEqual({ added: 0, changed: 1, deleted: 0 });
  });

  it("edits of different shapes merge: their deletes and changes, my additions and deletes", () => {
    const base = snap([box("a", 0), box("b", 100), box("c", 200), box("d", 300)]);
    const theirs = snap([box("b", 100), box("c", 210), box("d", 300)]);
    const mine = snap([box("a", 0), box("b", 100), box("c", 200), box("mine-new", 400)]);
    const m = mergeThreeWay(contentOf(base), mine, theirs);
    expect(m.conflicts).toEqual([]);
    expect(ids(m.merged)).toEqual(["b", "c", "mine-new"]);
    expect(xOf(m.merged, "c")).toBe(210);
    expect(m.theirs).toEqual({ added: 0, changed: 1, deleted: 1 });
    expect(m.mine).toEqual({ added: 1, changed: 0, deleted: 1 });
  });

  it("a shape changed on both sides is a conflict; mine by default, theirs when chosen", () => {
    const base = snap([box("a", 0), box("b", 100)]);
    const theirs = snap([box("a", 5), box("b", 100)]);
    const mine = snap([box("a", 9), box("b", 120)]);
    const m = mergeThreeWay(contentOf(base), mine, theirs);
    expect(m.conflicts).toEqual([{ id: "a", base: box("a", 0), mine: box("a", 9), theirs: box("a", 5) }]);
    expect(xOf(m.merged, "a")).toBe(9);
    expect(xOf(m.merged, "b")).toBe(120);
    const t = mergeThreeWay(contentOf(base), mine, theirs, new Map([["a", "theirs"]]));
    expect(xOf(t.merged, "a")).toBe(5);
    expect(xOf(t.merged, "b")).toBe(120);
    expect(t.conflicts).toHaveLength(1);
  });

  it("delete against change is a conflict both ways; the same change on both sides is not", () => {
    const base = snap([box("a", 0), box("b", 100), box("c", 200), box("d", 300)]);
    const theirs = snap([box("b", 110), box("c", 250), box("d", 300)]);
    const mine = snap([box("a", 7), box("c", 250)]);
    const m = mergeThreeWay(contentOf(base), mine, theirs);
    expect(m.conflicts.map((c) => [c.id, c.mine?.id ?? null, c.theirs?.id ?? null])).toEqual([
      ["a", "a", null],
      ["b", null, "b"],
    ]);
    // Mine by default: "a" comes back (on top), "b" goes; "d" (only I deleted it) goes.
    expect(ids(m.merged)).toEqual(["c", "a"]);
    const t = mergeThreeWay(
      contentOf(base),
      mine,
      theirs,
      new Map([
        ["a", "theirs"],
        ["b", "theirs"],
      ]),
    );
    expect(ids(t.merged)).toEqual(["b", "c"]);
    expect(xOf(t.merged, "b")).toBe(110);
  });

  it("tags merge tag by tag", () => {
    const base = snap([], [1, 2]);
    const theirs = snap([], [1, 2, 3]);
    const mine = snap([], [2, 4]);
    expect(mergeThreeWay(contentOf(base), mine, theirs).merged.tags.sort()).toEqual([2, 3, 4]);
    // My tags unchanged: theirs stand.
    expect(mergeThreeWay(contentOf(base), snap([], [2, 1]), theirs).merged.tags).toEqual([1, 2, 3]);
  });

  it("a new shape drawn over one keeps its place below the shape above it", () => {
    const base = snap([box("a", 0), box("b", 100)]);
    const theirs = snap([box("a", 0), box("b", 100), box("t", 300)]);
    const mine = snap([box("a", 0), box("m", 50), box("b", 100)]);
    expect(ids(mergeThreeWay(contentOf(base), mine, theirs).merged)).toEqual(["a", "m", "b", "t"]);
  });
});

describe("merging a stored diff (no whole base on this device)", () => {
  it("rebuilds the touched shapes' base from the stored ancestors: the same result as with the whole base", () => {
    const base = snap([box("a", 0), box("b", 100), box("c", 200)]);
    const theirs = snap([box("a", 5), box("c", 200), box("t", 300)]);
    const mine = snap([box("a", 9), box("b", 120), box("c", 200), box("m", 400)], [1]);
    const diff = diffContent(contentOf(base), mine);
    const rebuilt = rebuildBase(theirs, diff, ancestorsOf(contentOf(base), diff));
    const whole = mergeThreeWay(contentOf(base), mine, theirs);
    // On the device only the diff is kept: mine is the diff applied to the rebuilt base.
    const stored = mergeThreeWay(
      rebuilt,
      applyChange(snapshotOfContent(rebuilt), { kind: "diff", diff }),
      theirs,
    );
    expect(stored.conflicts).toEqual(whole.conflicts);
    expect(stored.merged).toEqual(whole.merged);
    expect(stored.conflicts.map((c) => c.id)).toEqual(["a", "b"]);
  });

  it("without ancestors (an older version's copy) a touched shape they hold differently is a conflict, never overwritten", () => {
    const theirs = snap([box("a", 5), box("b", 100)]);
    const mine = snap([box("a", 9), box("b", 100)]);
    const diff = { upsert: [box("a", 9)], delete: [], tags: null };
    const m = mergeThreeWay(rebuildBase(theirs, diff, null), mine, theirs);
    expect(m.conflicts.map((c) => c.id)).toEqual(["a"]);
  });
});
