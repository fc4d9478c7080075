import { seededRandom } from "@labelbench/geometry";
import type { Geometry } from "@labelbench/schema";
import polygonClipping, { type Ring } from "polygon-clipping";
import { describe, expect, it } from "vitest";
import { maxWeightMatching, type WeightedEdge } from "./assignment.js";
import { clippingAreaErrorBound, prepareShape, shapeIou } from "./iou.js";
import { compareTags, matchImage } from "./match-image.js";
import { CVAT_MATCH_OPTIONS, resolveMatchOptions } from "./options.js";
import type { QualityShape } from "./types.js";

const box = (labelId: number, x: number, y: number, width: number, height: number): QualityShape => ({
  labelId,
  geometry: { type: "box", x, y, width, height },
});
const image = (shapes: QualityShape[], tags: number[] = []) => ({ shapes, tags });

describe("matchImage, every outcome by hand", () => {
  it("a matched pair with its IoU, flagged low overlap under 0.75", () => {
    // 10x10 against 10x8 inside it: IoU 0.8 (not low); against 10x6: 0.6 (low).
    const r = matchImage(
      image([box(1, 0, 0, 10, 10), box(1, 50, 0, 10, 10)]),
      image([box(1, 0, 0, 10, 8), box(1, 50, 0, 10, 6)]),
    );
    expect(r.matches).toEqual([
      { reference: 0, checked: 0, labelId: 1, iou: 0.8, lowOverlap: false },
      { reference: 1, checked: 1, labelId: 1, iou: 0.6, lowOverlap: true },
    ]);
    expect(r.mismatches).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.extra).toEqual([]);
  });

  it("a label mismatch: same object, another label", () => {
    const r = matchImage(image([box(1, 0, 0, 10, 10)]), image([box(2, 0, 0, 10, 10)]));
    expect(r.matches).toEqual([]);
    expect(r.mismatches).toEqual([
      { reference: 0, checked: 0, referenceLabelId: 1, checkedLabelId: 2, iou: 1, lowOverlap: false },
    ]);
    expect(r.missing).toEqual([]);
    expect(r.extra).toEqual([]);
    // A loose mismatch is flagged low overlap like a loose match: IoU 0.6.
    const loose = matchImage(image([box(1, 0, 0, 10, 10)]), image([box(2, 0, 0, 10, 6)]));
    expect(loose.mismatches[0]!.lowOverlap).toBe(true);
  });

  it("missing and extra shapes by their index in the input", () => {
    const r = matchImage(
      image([box(1, 0, 0, 10, 10), box(3, 100, 100, 5, 5)]),
      image([box(2, 200, 0, 4, 4), box(1, 0, 0, 10, 10)]),
    );
    expect(r.matches.map((m) => [m.reference, m.checked])).toEqual([[0, 1]]);
    expect(r.missing).toEqual([{ index: 1, labelId: 3 }]);
    expect(r.extra).toEqual([{ index: 0, labelId: 2 }]);
  });

  it("under the match threshold is no pair at all: one missing, one extra", () => {
    // IoU 1/3 (boxes shifted by half): under 0.5, and under CVAT's 0.4 too.
    const ref = image([box(1, 0, 0, 10, 10)]);
    const chk = image([box(1, 5, 0, 10, 10)]);
    const r = matchImage(ref, chk);
    expect(r.matches).toEqual([]);
    expect(r.missing).toEqual([{ index: 0, labelId: 1 }]);
    expect(r.extra).toEqual([{ index: 0, labelId: 1 }]);
    // IoU 0.6 / 1.4 ≈ 0.4286 (shifted by 0.4 of the width): a match for CVAT, and low overlap there.
    const near = matchImage(ref, image([box(1, 4, 0, 10, 10)]), "cvat");
    expect(near.matches).toHaveLength(1);
    expect(near.matches[0]!.lowOverlap).toBe(true);
    expect(matchImage(ref, image([box(1, 4, 0, 10, 10)])).matches).toEqual([]);
  });

  it("the same label is paired first, even when another label overlaps more", () => {
    // Reference label 1 at x=0. Checked: label 2 exactly on it, label 1 at IoU 0.6.
    const r = matchImage(image([box(1, 0, 0, 10, 10)]), image([box(2, 0, 0, 10, 10), box(1, 0, 0, 10, 6)]));
    expect(r.matches.map((m) => [m.reference, m.checked, m.iou])).toEqual([[0, 1, 0.6]]);
    expect(r.mismatches).toEqual([]);
    expect(r.extra).toEqual([{ index: 0, labelId: 2 }]);
  });

  it("the pairing is optimal, not greedy", () => {
    // Greedy takes A-Y (0.8) and leaves B alone; the optimum is A-X + B-Y.
    // A: 0..10. X: 0..6 (IoU 0.6 with A). Y: 2..10 (0.8 with A). B: 2..12 (IoU 8/12 ≈ 0.667 with Y).
    const r = matchImage(
      image([box(1, 0, 0, 10, 1), box(1, 2, 0, 10, 1)]),
      image([box(1, 0, 0, 6, 1), box(1, 2, 0, 8, 1)]),
    );
    expect(r.matches.map((m) => [m.reference, m.checked])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(r.missing).toEqual([]);
  });

  it("tags compare as sets; two empty sets agree", () => {
    expect(compareTags([], [])).toEqual({ matched: [], missing: [], extra: [], agree: true });
    expect(compareTags([3, 1, 1], [1, 3])).toEqual({ matched: [1, 3], missing: [], extra: [], agree: true });
    expect(compareTags([1, 2], [2, 5])).toEqual({ matched: [2], missing: [1], extra: [5], agree: false });
    expect(matchImage(image([], [4]), image([], [])).tags.missing).toEqual([4]);
  });

  it("two empty images agree and have nothing to count", () => {
    expect(matchImage(image([]), image([]))).toEqual({
      matches: [],
      mismatches: [],
      missing: [],
      extra: [],
      tags: { matched: [], missing: [], extra: [], agree: true },
    });
  });

  it("polygons pair with boxes by polygon-area IoU", () => {
    const tri: QualityShape = {
      labelId: 1,
      geometry: {
        type: "polygon",
        points: [
          [0, 0],
          [10, 0],
          [10, 10],
        ],
      },
    };
    // Triangle (area 50) against the 10x10 box around it: IoU 0.5 — a match at the default threshold.
    const r = matchImage(image([box(1, 0, 0, 10, 10)]), image([tri]));
    expect(r.matches).toEqual([{ reference: 0, checked: 0, labelId: 1, iou: 0.5, lowOverlap: true }]);
  });

  it("a shape with a coordinate that is not a finite number is refused by its side and index", () => {
    const bad: QualityShape = {
      labelId: 1,
      geometry: { type: "box", x: 0, y: Number.NaN, width: 5, height: 5 },
    };
    expect(() => matchImage(image([box(1, 0, 0, 5, 5)]), image([box(1, 0, 0, 5, 5), bad]))).toThrow(
      "checked shape 1: every coordinate must be a finite number",
    );
    const far: QualityShape = {
      labelId: 1,
      geometry: {
        type: "polygon",
        points: [
          [0, 0],
          [Number.POSITIVE_INFINITY, 0],
          [1, 1],
        ],
      },
    };
    expect(() => matchImage(image([far]), image([]))).toThrow("reference shape 0: every coordinate");
  });

  it("options: presets, partial overrides, and a clear refusal", () => {
    expect(resolveMatchOptions("cvat")).toEqual(CVAT_MATCH_OPTIONS);
    expect(resolveMatchOptions({ matchThreshold: 0.3 })).toEqual({
      matchThreshold: 0.3,
      lowOverlapThreshold: 0.75,
    });
    expect(() => resolveMatchOptions({ matchThreshold: 1.5 })).toThrow(
      "matchThreshold must be a number between 0 and 1, got 1.5",
    );
  });
});

/** The greatest total weight of a matching, by trying every one (rows each matched or left out). */
const bruteForceBest = (weights: number[][]): number => {
  const cols = weights[0]?.length ?? 0;
  const used = new Array<boolean>(cols).fill(false);
  const go = (r: number): number => {
    if (r === weights.length) return 0;
    let best = go(r + 1);
    for (let c = 0; c < cols; c++) {
      const w = weights[r]![c]!;
      if (used[c] || w <= 0) continue;
      used[c] = true;
      best = Math.max(best, w + go(r + 1));
      used[c] = false;
    }
    return best;
  };
  return go(0);
};

const randomShapes = (rand: () => number, count: number, labels: number): QualityShape[] =>
  Array.from({ length: count }, () => {
    const x = Math.floor(rand() * 12);
    const y = Math.floor(rand() * 12);
    const geometry: Geometry = {
      type: "box",
      x,
      y,
      width: 2 + Math.floor(rand() * 8),
      height: 2 + Math.floor(rand() * 8),
    };
    return { labelId: 1 + Math.floor(rand() * labels), geometry };
  });

describe("Hungarian pairing equals brute force", () => {
  it("maxWeightMatching on thousands of random weight tables, square and rectangular", () => {
    const rand = seededRandom(1616);
    for (let k = 0; k < 3000; k++) {
      const rows = 1 + Math.floor(rand() * 6);
      const cols = 1 + Math.floor(rand() * 6);
      const weights = Array.from({ length: rows }, () =>
        Array.from({ length: cols }, () => (rand() < 0.45 ? 0 : Math.round(rand() * 1000) / 1000)),
      );
      const edges: WeightedEdge[] = [];
      weights.forEach((row, r) => {
        row.forEach((weight, c) => {
          if (weight > 0) edges.push({ r, c, weight });
        });
      });
      const chosen = maxWeightMatching(edges);
      expect(new Set(chosen.map((e) => e.r)).size, `instance ${k}: a row used twice`).toBe(chosen.length);
      expect(new Set(chosen.map((e) => e.c)).size, `instance ${k}: a column used twice`).toBe(chosen.length);
      const total = chosen.reduce((s, e) => s + e.weight, 0);
      expect(total, `instance ${k}`).toBeCloseTo(bruteForceBest(weights), 9);
    }
  });

  it("matchImage's two passes on thousands of random small images", () => {
    const rand = seededRandom(2026);
    const threshold = 0.3;
    for (let k = 0; k < 2000; k++) {
      const ref = randomShapes(rand, Math.floor(rand() * 6), 2);
      const chk = randomShapes(rand, Math.floor(rand() * 6), 2);
      const r = matchImage(image(ref), image(chk), { matchThreshold: threshold });
      const iou = (i: number, j: number) => {
        const v = shapeIou(ref[i]!.geometry, chk[j]!.geometry);
        return v >= threshold ? v : 0;
      };
      // Pass 1: the best same-label pairing over all shapes.
      const same = ref.map((a, i) => chk.map((b, j) => (a.labelId === b.labelId ? iou(i, j) : 0)));
      const pass1 = r.matches.reduce((s, m) => s + m.iou, 0);
      expect(pass1, `image ${k}, same label`).toBeCloseTo(bruteForceBest(same), 9);
      // Pass 2: the best cross-label pairing among what pass 1 left.
      const leftRef = ref.map((_, i) => i).filter((i) => !r.matches.some((m) => m.reference === i));
      const leftChk = chk.map((_, j) => j).filter((j) => !r.matches.some((m) => m.checked === j));
      const cross = leftRef.map((i) =>
        leftChk.map((j) => (ref[i]!.labelId !== chk[j]!.labelId ? iou(i, j) : 0)),
      );
      const pass2 = r.mismatches.reduce((s, m) => s + m.iou, 0);
      expect(pass2, `image ${k}, across labels`).toBeCloseTo(bruteForceBest(cross), 9);
      // Every shape is accounted for exactly once.
      expect(r.matches.length + r.mismatches.length + r.missing.length).toBe(ref.length);
      expect(r.matches.length + r.mismatches.length + r.extra.length).toBe(chk.length);
    }
  });
});

/** IoU by another clipping library (polygon-clipping) called directly for every pair with a polygon. */
const clippedIou = (a: Geometry, b: Geometry): number => {
  if (a.type === "box" && b.type === "box") return shapeIou(a, b);
  const ring = (g: Geometry): Ring =>
    g.type === "box"
      ? [
          [g.x, g.y],
          [g.x + g.width, g.y],
          [g.x + g.width, g.y + g.height],
          [g.x, g.y + g.height],
        ]
      : g.points.map(([x, y]) => [x, y]);
  const area = (r: readonly (readonly [number, number])[]) => {
    const [ox, oy] = r[0] ?? [0, 0];
    let sum = 0;
    for (let k = 0; k < r.length; k++) {
      const [x1, y1] = r[k]!;
      const [x2, y2] = r[(k + 1) % r.length]!;
      sum += (x1 - ox) * (y2 - oy) - (x2 - ox) * (y1 - oy);
    }
    return Math.abs(sum / 2);
  };
  let inter = 0;
  for (const poly of polygonClipping.intersection([ring(a)], [ring(b)]))
    poly.forEach((r, i) => {
      inter += (i === 0 ? 1 : -1) * area(r);
    });
  const union = area(ring(a)) + area(ring(b)) - inter;
  return inter > 0 && union > 0 ? Math.min(1, inter / union) : 0;
};

/** A dense image as the bench draws it: nudged copies, relabelled, dropped and extra shapes, half polygons. */
const denseScene = (rand: () => number, count: number) => {
  const shape = (): QualityShape => {
    const labelId = 1 + Math.floor(rand() * 3);
    const cx = rand() * 300;
    const cy = rand() * 300;
    const size = 15 + rand() * 45;
    if (rand() < 0.5)
      return { labelId, geometry: { type: "box", x: cx, y: cy, width: size, height: size * (0.5 + rand()) } };
    const n = 3 + Math.floor(rand() * 14);
    const points: [number, number][] = Array.from({ length: n }, (_, i) => {
      const t = (2 * Math.PI * i) / n;
      const r = (size / 2) * (0.5 + 0.5 * rand());
      return [cx + r * Math.cos(t), cy + r * Math.sin(t)];
    });
    return { labelId, geometry: { type: "polygon", points } };
  };
  const reference = Array.from({ length: count }, shape);
  const checked: QualityShape[] = [];
  for (const s of reference) {
    const p = rand();
    if (p < 0.05) continue;
    const labelId = p < 0.1 ? 1 + (s.labelId % 3) : s.labelId;
    const dx = (rand() - 0.5) * 6;
    const dy = (rand() - 0.5) * 6;
    const g = s.geometry;
    checked.push({
      labelId,
      geometry:
        g.type === "box"
          ? { ...g, x: g.x + dx, y: g.y + dy }
          : { type: "polygon", points: g.points.map(([x, y]) => [x + dx, y + dy]) },
    });
  }
  for (let k = 0; k < count / 10; k++) checked.push(shape());
  return { reference, checked };
};

describe("matchImage against both passes by hand over every pair", () => {
  it("the same pairs, and IoUs equal within the clipping grid's bound, on dense images of polygons and boxes (the grid misses no candidate)", {
    timeout: 60_000,
  }, () => {
    const rand = seededRandom(1616_2);
    let pairs = 0;
    for (let round = 0; round < 12; round++) {
      const { reference, checked } = denseScene(rand, 60);
      const threshold = round % 2 ? 0.5 : 0.4;
      const got = matchImage(image(reference), image(checked), { matchThreshold: threshold });
      // The two passes by hand over every pair, measured by the library.
      const edges: WeightedEdge[] = [];
      reference.forEach((a, r) => {
        checked.forEach((b, c) => {
          const weight = clippedIou(a.geometry, b.geometry);
          if (weight > 0 && weight >= threshold) edges.push({ r, c, weight });
        });
      });
      const same = (e: WeightedEdge) => reference[e.r]!.labelId === checked[e.c]!.labelId;
      const first = maxWeightMatching(edges.filter(same));
      const usedR = new Set(first.map((e) => e.r));
      const usedC = new Set(first.map((e) => e.c));
      const second = maxWeightMatching(edges.filter((e) => !same(e) && !usedR.has(e.r) && !usedC.has(e.c)));
      const key = (e: { reference: number; checked: number } | WeightedEdge) =>
        "r" in e ? `${e.r}-${e.c}` : `${e.reference}-${e.checked}`;
      expect(got.matches.map(key).sort(), `round ${round}, matches`).toEqual(first.map(key).sort());
      expect(got.mismatches.map(key).sort(), `round ${round}, mismatches`).toEqual(second.map(key).sort());
      const want = new Map([...first, ...second].map((e) => [key(e), e.weight]));
      for (const m of [...got.matches, ...got.mismatches]) {
        // The matcher clips on an integer grid: its intersection is within clippingAreaErrorBound,
        // and IoU = I / (A + B - I) moves by at most (A + B) / U² <= 2 / U per px² of I.
        const a = prepareShape(reference[m.reference]!.geometry);
        const b = prepareShape(checked[m.checked]!.geometry);
        const union = (a.area + b.area) / (1 + m.iou);
        const tolerance = (2 * clippingAreaErrorBound(a, b)) / union + 1e-12;
        expect(Math.abs(m.iou - want.get(key(m))!), `round ${round}, pair ${key(m)}`).toBeLessThanOrEqual(
          tolerance,
        );
        pairs++;
      }
    }
    expect(pairs).toBeGreaterThan(400);
  });
});
