import { seededRandom } from "@labelbench/geometry";
import type { Geometry } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { agreement } from "./agreement.js";
import { type Consensus, consensus, medianBox } from "./consensus.js";
import { shapeIou } from "./iou.js";
import type { ImageAnnotations, QualityShape } from "./types.js";

const box = (x: number, y: number, width: number, height: number): Geometry => ({
  type: "box",
  x,
  y,
  width,
  height,
});
/** An axis-aligned square as a polygon, so the medoid rule applies. */
const square = (x0: number, x1: number): Geometry => ({
  type: "polygon",
  points: [
    [x0, 0],
    [x1, 0],
    [x1, 10],
    [x0, 10],
  ],
});
const shape = (labelId: number, geometry: Geometry): QualityShape => ({ labelId, geometry });
const set = (shapes: QualityShape[], tags: number[] = []): ImageAnnotations => ({ shapes, tags });

describe("consensus, by hand", () => {
  it("three loose boxes of one object: median box, majority label, low agreement", () => {
    const c = consensus([
      set([shape(1, box(0, 0, 10, 10))]),
      set([shape(1, box(2, 0, 10, 10))]),
      set([shape(2, box(1, 1, 10, 12))]),
    ]);
    expect(c.needed).toBe(2);
    // x median(0, 2, 1) = 1, y median(0, 0, 1) = 0, width 10, height median(10, 10, 12) = 10.
    expect(c.shapes).toEqual([shape(1, box(1, 0, 10, 10))]);
    expect(c.objects).toHaveLength(1);
    const [o] = c.objects;
    expect(o?.labelVotes).toEqual([
      { labelId: 1, votes: 2 },
      { labelId: 2, votes: 1 },
    ]);
    // IoU 80/120, 81/139 and 81/139: mean 0.6107, under the low-overlap threshold 0.75.
    expect(o?.meanIou).toBeCloseTo((80 / 120 + (2 * 81) / 139) / 3, 10);
    expect(c.disagreements).toEqual([
      {
        kind: "low_agreement",
        object: 0,
        shape: 0,
        labelId: 1,
        geometry: box(1, 0, 10, 10),
        drawnBy: 3,
        meanIou: o?.meanIou,
      },
    ]);
  });

  it("tight boxes of one label: no disagreement", () => {
    const c = consensus([
      set([shape(1, box(0, 0, 100, 100))]),
      set([shape(1, box(1, 1, 100, 100))]),
      set([shape(1, box(2, 0, 98, 101))]),
    ]);
    expect(c.shapes).toEqual([shape(1, box(1, 0, 100, 100))]);
    expect(c.disagreements).toEqual([]);
  });

  it("an object only one of three drew is below the quorum: out of the set, listed where it is", () => {
    const c = consensus([
      set([shape(1, box(0, 0, 10, 10)), shape(3, box(50, 50, 10, 10))]),
      set([shape(1, box(0, 0, 10, 10))]),
      set([shape(1, box(0, 0, 10, 10))]),
    ]);
    expect(c.shapes).toEqual([shape(1, box(0, 0, 10, 10))]);
    expect(c.objects.map((o) => o.shape)).toEqual([0, null]);
    expect(c.objects[1]?.members).toEqual([{ annotator: 0, shape: 1 }]);
    expect(c.disagreements).toEqual([
      { kind: "below_quorum", object: 1, labelId: 3, geometry: box(50, 50, 10, 10), drawnBy: 1, needed: 2 },
    ]);
  });

  it("the quorum is a share of the annotators: at 0.34 one of three is enough, and is no majority", () => {
    const sets = [set([shape(3, box(50, 50, 10, 10))]), set([]), set([])];
    const c = consensus(sets, { quorum: 0.34 });
    expect(c.needed).toBe(2);
    expect(consensus(sets, { quorum: 0.33 }).needed).toBe(1);
    const low = consensus(sets, { quorum: 0.2 });
    expect(low.shapes).toEqual([shape(3, box(50, 50, 10, 10))]);
    expect(low.disagreements.map((d) => d.kind)).toEqual(["low_agreement"]);
    // quorum 0: still at least one annotator.
    expect(consensus(sets, { quorum: 0 }).needed).toBe(1);
    expect(consensus(sets, { quorum: 1 }).needed).toBe(3);
  });

  it("two annotators, two labels: a label tie, kept with the lowest id", () => {
    const c = consensus([set([shape(5, box(0, 0, 10, 10))]), set([shape(2, box(0, 0, 10, 10))])]);
    expect(c.shapes).toEqual([shape(2, box(0, 0, 10, 10))]);
    expect(c.disagreements).toEqual([
      { kind: "label_tie", object: 0, shape: 0, labelIds: [2, 5], geometry: box(0, 0, 10, 10) },
    ]);
  });

  it("two annotators, an object only one drew: kept at quorum 0.5, but no majority saw it", () => {
    const c = consensus([set([shape(1, box(0, 0, 10, 10))]), set([])]);
    expect(c.needed).toBe(1);
    expect(c.shapes).toEqual([shape(1, box(0, 0, 10, 10))]);
    expect(c.disagreements).toEqual([
      {
        kind: "low_agreement",
        object: 0,
        shape: 0,
        labelId: 1,
        geometry: box(0, 0, 10, 10),
        drawnBy: 1,
        meanIou: null,
      },
    ]);
  });

  it("polygons: the medoid, the member with the greatest summed IoU to the others", () => {
    // IoU(P1,P2) = 90/110, IoU(P2,P3) = 80/120, IoU(P1,P3) = 70/130: P2 sums highest.
    const c = consensus([
      set([shape(1, square(0, 10))]),
      set([shape(1, square(3, 13))]),
      set([shape(1, square(1, 11))]),
    ]);
    expect(c.shapes).toEqual([shape(1, square(1, 11))]);
  });

  it("a box among polygons: the medoid too (the median box needs every member a box)", () => {
    const c = consensus([
      set([shape(1, box(1, 0, 10, 10))]),
      set([shape(1, square(0, 10))]),
      set([shape(1, square(3, 13))]),
    ]);
    expect(c.shapes).toEqual([shape(1, box(1, 0, 10, 10))]);
  });

  it("a chain of pairings never puts two shapes of one annotator in one object", () => {
    // A's a1 [0,10] pairs with B's b1 [2,12] (IoU 0.667); A's a2 [6,16] with C's c1 [5,15] (0.818);
    // b1 pairs with c1 (0.538). Joining b1-c1 would hold a1 and a2: refused, two objects remain.
    const a1 = shape(1, box(0, 0, 10, 10));
    const a2 = shape(1, box(6, 0, 10, 10));
    const b1 = shape(1, box(2, 0, 10, 10));
    const c1 = shape(1, box(5, 0, 10, 10));
    const c = consensus([set([a1, a2]), set([b1]), set([c1])]);
    expect(c.objects.map((o) => o.members)).toEqual([
      [
        { annotator: 0, shape: 0 },
        { annotator: 1, shape: 0 },
      ],
      [
        { annotator: 0, shape: 1 },
        { annotator: 2, shape: 0 },
      ],
    ]);
    expect(c.shapes).toHaveLength(2);
  });

  it("tags: kept at the quorum; a tag left out or without a majority is a disagreement", () => {
    const c = consensus([set([], [1, 2]), set([], [1, 1]), set([], [1, 3])]);
    expect(c.tags).toEqual([1]);
    expect(c.disagreements).toEqual([
      { kind: "tag", labelId: 2, drawnBy: 1, kept: false },
      { kind: "tag", labelId: 3, drawnBy: 1, kept: false },
    ]);
    const two = consensus([set([], [4]), set([], [])]);
    expect(two.tags).toEqual([4]);
    expect(two.disagreements).toEqual([{ kind: "tag", labelId: 4, drawnBy: 1, kept: true }]);
  });

  it("refuses what it cannot merge, naming it", () => {
    expect(() => consensus([])).toThrow(/at least one annotator/);
    expect(() => consensus([set([])], { quorum: 1.5 })).toThrow(/quorum must be a number between 0 and 1/);
    expect(() => consensus([set([])], { quorum: Number.NaN })).toThrow(/quorum/);
  });

  it("medianBox: of x, y, width and height, each on its own; even counts take the mean of the middle two", () => {
    expect(
      medianBox([
        { type: "box", x: 0, y: 0, width: 10, height: 4 },
        { type: "box", x: 4, y: 2, width: 20, height: 6 },
      ]),
    ).toEqual(box(2, 1, 15, 5));
    // A box of negative size is the same rectangle.
    expect(medianBox([{ type: "box", x: 10, y: 10, width: -10, height: -5 }])).toEqual(box(0, 5, 10, 5));
  });
});

describe("agreement, by hand", () => {
  it("pairwise F1 with mismatches counted twice, tags as objects, and the matrix", () => {
    const a = set([shape(1, box(0, 0, 10, 10)), shape(1, box(50, 0, 10, 10))], [7]);
    const b = set([shape(1, box(0, 0, 10, 10)), shape(2, box(50, 0, 10, 10))], [7]);
    const c = set([shape(1, box(0, 0, 10, 10))], []);
    const g = agreement([a, b, c]);
    // a-b: TP 1 shape + 1 tag, M 1: 2·2 / (2·2 + 2) = 4/6.
    // a-c: TP 1, FN 1 shape + 1 tag: 2 / (2 + 2) = 1/2.  b-c: the same, 1/2.
    expect(g.pairs.map((p) => [p.a, p.b, p.f1])).toEqual([
      [0, 1, 4 / 6],
      [0, 2, 0.5],
      [1, 2, 0.5],
    ]);
    expect(g.pairs[0]?.counts).toEqual({ tp: 2, fp: 0, fn: 0, mismatched: 1 });
    expect(g.matrix).toEqual([
      [1, 4 / 6, 0.5],
      [4 / 6, 1, 0.5],
      [0.5, 0.5, 1],
    ]);
    expect(g.meanF1).toBeCloseTo((4 / 6 + 1) / 3, 12);
  });

  it("empty images agree; one annotator has nobody to agree with", () => {
    expect(agreement([set([]), set([])]).meanF1).toBe(1);
    expect(agreement([set([shape(1, box(0, 0, 1, 1))])])).toEqual({
      annotators: 1,
      pairs: [],
      matrix: [[1]],
      meanF1: null,
    });
    // Disjoint sets: nothing in common.
    expect(agreement([set([shape(1, box(0, 0, 10, 10))]), set([shape(1, box(40, 40, 10, 10))])]).meanF1).toBe(
      0,
    );
  });
});

// ---------------------------------------------------------------- properties

/** A reference image: objects in separate 100 px cells, boxes and polygons, labels 1-3, some tags. */
const reference = (rand: () => number, n: number): ImageAnnotations => {
  const shapes: QualityShape[] = [];
  for (let i = 0; i < n; i++) {
    const x = (i % 8) * 100 + 10 + rand() * 20;
    const y = Math.floor(i / 8) * 100 + 10 + rand() * 20;
    const w = 20 + rand() * 50;
    const h = 20 + rand() * 50;
    const labelId = 1 + Math.floor(rand() * 3);
    shapes.push(
      rand() < 0.7
        ? shape(labelId, box(x, y, w, h))
        : shape(labelId, {
            type: "polygon",
            points: [
              [x, y],
              [x + w, y + rand() * 5],
              [x + w - rand() * 5, y + h],
              [x + rand() * 5, y + h - rand() * 5],
            ],
          }),
    );
  }
  const tags = [4, 5, 6].filter(() => rand() < 0.5);
  return { shapes, tags };
};

/** An annotator's noisy copy: boxes nudged, some objects dropped, relabelled or added, tags changed. */
const noisyCopy = (rand: () => number, ref: ImageAnnotations): ImageAnnotations => {
  const shapes: QualityShape[] = [];
  ref.shapes.forEach((s) => {
    if (rand() < 0.15) return;
    const labelId = rand() < 0.15 ? 1 + ((s.labelId + Math.floor(rand() * 2)) % 3) : s.labelId;
    const g = s.geometry;
    const d = () => (rand() - 0.5) * 6;
    shapes.push(
      shape(
        labelId,
        g.type === "box"
          ? box(g.x + d(), g.y + d(), g.width + d(), g.height + d())
          : { ...g, points: g.points.map(([x, y]) => [x + d(), y + d()]) },
      ),
    );
  });
  if (rand() < 0.5) shapes.push(shape(2, box(rand() * 700, 850 + rand() * 50, 30, 30)));
  // Shuffled: the order an annotator drew in says nothing.
  shapes.sort(() => rand() - 0.5);
  const tags = [4, 5, 6].filter((t) => (ref.tags.includes(t) ? rand() < 0.8 : rand() < 0.2));
  return { shapes, tags };
};

const shuffle = <T>(rand: () => number, xs: readonly T[]): T[] => {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

/** The consensus with members named by the original annotator, for comparison across permutations. */
const unpermuted = (c: Consensus, order: readonly number[]) => ({
  ...c,
  objects: c.objects.map((o) => ({
    ...o,
    members: o.members
      .map((m) => ({ annotator: order[m.annotator]!, shape: m.shape }))
      .sort((a, b) => a.annotator - b.annotator),
  })),
});

describe("consensus and agreement, properties", () => {
  it("k identical sets: the consensus is that set, nothing disagrees, agreement is 1", () => {
    const rand = seededRandom(1601);
    for (let round = 0; round < 60; round++) {
      const ref = reference(rand, 1 + Math.floor(rand() * 20));
      const k = 1 + Math.floor(rand() * 5);
      const sets = Array.from({ length: k }, () => ref);
      const c = consensus(sets);
      const byValue = (xs: readonly QualityShape[]) => [...xs].map((s) => JSON.stringify(s)).sort();
      expect(byValue(c.shapes)).toEqual(byValue(ref.shapes));
      expect(c.tags).toEqual([...ref.tags].sort((a, b) => a - b));
      expect(c.disagreements).toEqual([]);
      const g = agreement(sets);
      expect(g.meanF1).toBe(k === 1 ? null : 1);
      expect(g.matrix.flat().every((v) => v === 1)).toBe(true);
    }
  });

  it("permuting the annotators changes nothing", () => {
    const rand = seededRandom(1602);
    for (let round = 0; round < 60; round++) {
      const ref = reference(rand, 1 + Math.floor(rand() * 24));
      const k = 2 + Math.floor(rand() * 4);
      const sets = Array.from({ length: k }, () => noisyCopy(rand, ref));
      const quorum = [0.3, 0.5, 0.67, 1][Math.floor(rand() * 4)]!;
      const base = consensus(sets, { quorum });
      const order = shuffle(
        rand,
        sets.map((_, i) => i),
      );
      const permuted = consensus(
        order.map((i) => sets[i]!),
        { quorum },
      );
      expect(unpermuted(permuted, order)).toEqual(base);
      const g = agreement(sets);
      const gp = agreement(order.map((i) => sets[i]!));
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++) expect(gp.matrix[a]![b]).toBe(g.matrix[order[a]!]![order[b]!]);
      expect(gp.meanF1).toBeCloseTo(g.meanF1!, 12);
    }
  });

  it("every shape is in exactly one object, each object holds at most one shape per annotator", () => {
    const rand = seededRandom(1603);
    for (let round = 0; round < 40; round++) {
      const ref = reference(rand, 1 + Math.floor(rand() * 24));
      const k = 2 + Math.floor(rand() * 4);
      const sets = Array.from({ length: k }, () => noisyCopy(rand, ref));
      const c = consensus(sets);
      const seen = c.objects.flatMap((o) => o.members.map((m) => `${m.annotator}:${m.shape}`));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(sets.reduce((n, s) => n + s.shapes.length, 0));
      for (const o of c.objects)
        expect(new Set(o.members.map((m) => m.annotator)).size).toBe(o.members.length);
      // Every object is in the consensus or listed as below the quorum: nothing vanishes.
      const out = new Set(c.disagreements.flatMap((d) => (d.kind === "below_quorum" ? [d.object] : [])));
      c.objects.forEach((o, i) => {
        expect(o.shape === null).toBe(out.has(i));
        expect(o.members.length >= c.needed).toBe(o.shape !== null);
      });
    }
  });

  it("a higher quorum never adds a shape; the consensus of noisy copies agrees with the reference", () => {
    const rand = seededRandom(1604);
    for (let round = 0; round < 30; round++) {
      const ref = reference(rand, 4 + Math.floor(rand() * 20));
      const sets = Array.from({ length: 5 }, () => noisyCopy(rand, ref));
      let previous = Number.POSITIVE_INFINITY;
      for (const quorum of [0, 0.2, 0.4, 0.6, 0.8, 1]) {
        const n = consensus(sets, { quorum }).shapes.length;
        expect(n).toBeLessThanOrEqual(previous);
        previous = n;
      }
      // Five annotators who each miss 15 % and relabel some: the majority is closer to the truth
      // than the typical annotator.
      const merged = consensus(sets);
      const mergedF1 = agreement([ref, { shapes: merged.shapes, tags: merged.tags }]).meanF1!;
      const each = sets.map((s) => agreement([ref, s]).meanF1!).sort((a, b) => a - b);
      expect(mergedF1).toBeGreaterThanOrEqual(each[2]!);
    }
  });

  it("the consensus geometry lies among its members: IoU with the medoid member or inside the boxes' span", () => {
    const rand = seededRandom(1605);
    const ref = reference(rand, 24);
    const sets = Array.from({ length: 3 }, () => noisyCopy(rand, ref));
    const c = consensus(sets);
    for (const o of c.objects) {
      const ious = o.members.map((m) => shapeIou(o.geometry, sets[m.annotator]!.shapes[m.shape]!.geometry));
      expect(Math.max(...ious)).toBeGreaterThan(0.5);
    }
  });
});
