import { seededRandom } from "@labelbench/geometry";
import { describe, expect, it } from "vitest";
import { matchImage } from "./match-image.js";
import { qualityMetrics } from "./metrics.js";
import type { QualityShape } from "./types.js";

const LABELS = [1, 2, 3];
const CELL = 100;

/**
 * A reference image: objects on a grid of 100 px cells, one per cell, never reaching a neighbour's
 * cell (so no two objects can be confused), sizes and labels at random.
 */
const referenceImage = (rand: () => number, side: number): QualityShape[] => {
  const shapes: QualityShape[] = [];
  for (let row = 0; row < side; row++)
    for (let col = 0; col < side; col++) {
      const width = 20 + rand() * 40;
      const height = 20 + rand() * 40;
      shapes.push({
        labelId: LABELS[Math.floor(rand() * LABELS.length)]!,
        geometry: { type: "box", x: col * CELL + 20, y: row * CELL + 20, width, height },
      });
    }
  return shapes;
};

interface Mistakes {
  drop: number;
  add: number;
  relabel: number;
  /** Boxes grown about their centre by this factor in width and height: IoU exactly 1 / factor². */
  loosen: number;
  factor: number;
}

/**
 * An annotator who copies the reference but makes exactly the given mistakes on distinct objects,
 * and adds boxes in cells of an empty row below the grid. Returns the checked shapes, shuffled.
 */
const annotate = (rand: () => number, reference: QualityShape[], side: number, m: Mistakes) => {
  const order = reference.map((_, i) => i).sort(() => rand() - 0.5);
  const dropped = new Set(order.slice(0, m.drop));
  const relabelled = new Set(order.slice(m.drop, m.drop + m.relabel));
  const loosened = new Set(order.slice(m.drop + m.relabel, m.drop + m.relabel + m.loosen));
  const checked: QualityShape[] = [];
  reference.forEach((s, i) => {
    if (dropped.has(i) || s.geometry.type !== "box") return;
    const g = s.geometry;
    if (relabelled.has(i)) {
      const other = LABELS.find((l) => l !== s.labelId)!;
      checked.push({ labelId: other, geometry: g });
    } else if (loosened.has(i)) {
      const w = g.width * m.factor;
      const h = g.height * m.factor;
      checked.push({
        labelId: s.labelId,
        geometry: {
          type: "box",
          x: g.x - (w - g.width) / 2,
          y: g.y - (h - g.height) / 2,
          width: w,
          height: h,
        },
      });
    } else checked.push(s);
  });
  for (let k = 0; k < m.add; k++)
    checked.push({
      labelId: LABELS[k % LABELS.length]!,
      geometry: {
        type: "box",
        x: (k % side) * CELL + 30,
        y: (side + Math.floor(k / side)) * CELL + 30,
        width: 30,
        height: 30,
      },
    });
  return checked.sort(() => rand() - 0.5);
};

describe("injected errors are counted exactly", () => {
  const rand = seededRandom(42);
  const side = 12;

  it.each([
    { drop: 7, add: 5, relabel: 9, loosen: 11, factor: 1.2 },
    { drop: 0, add: 0, relabel: 0, loosen: 20, factor: 1.1 },
    { drop: 30, add: 13, relabel: 1, loosen: 0, factor: 1 },
  ])("drop $drop, add $add, relabel $relabel, loosen $loosen by $factor", (m) => {
    const reference = referenceImage(rand, side);
    const checked = annotate(rand, reference, side, m);
    const r = matchImage({ shapes: reference, tags: [] }, { shapes: checked, tags: [] });
    const total = side * side;
    expect(r.missing).toHaveLength(m.drop);
    expect(r.extra).toHaveLength(m.add);
    expect(r.mismatches).toHaveLength(m.relabel);
    expect(r.matches).toHaveLength(total - m.drop - m.relabel);
    const loose = r.matches.filter((p) => p.iou < 1);
    expect(loose).toHaveLength(m.loosen);
    for (const p of loose) expect(p.iou).toBeCloseTo(1 / m.factor ** 2, 9);
    // 1/1.2² ≈ 0.694 is under the 0.75 low-overlap line; 1/1.1² ≈ 0.826 is not.
    expect(r.matches.filter((p) => p.lowOverlap)).toHaveLength(1 / m.factor ** 2 < 0.75 ? m.loosen : 0);
    // Each report names the right shapes: a missing one's label is the reference's.
    for (const s of r.missing) expect(reference[s.index]!.labelId).toBe(s.labelId);
    for (const x of r.mismatches) {
      expect(reference[x.reference]!.labelId).toBe(x.referenceLabelId);
      expect(checked[x.checked]!.labelId).toBe(x.checkedLabelId);
    }
    const metrics = qualityMetrics(r);
    const tp = total - m.drop - m.relabel;
    expect(metrics.accuracy.value).toBeCloseTo(tp / (tp + m.add + m.drop + m.relabel), 12);
  });

  it("a box loosened past the match threshold is one missing and one extra", () => {
    // Factor 1.5: IoU 1/2.25 ≈ 0.444 < 0.5.
    const reference = referenceImage(rand, 4);
    const checked = annotate(rand, reference, 4, { drop: 0, add: 0, relabel: 0, loosen: 3, factor: 1.5 });
    const r = matchImage({ shapes: reference, tags: [] }, { shapes: checked, tags: [] });
    expect(r.missing).toHaveLength(3);
    expect(r.extra).toHaveLength(3);
    expect(r.matches).toHaveLength(13);
    // CVAT's threshold 0.4 accepts them, as low overlap.
    const cvat = matchImage({ shapes: reference, tags: [] }, { shapes: checked, tags: [] }, "cvat");
    expect(cvat.matches.filter((p) => p.lowOverlap)).toHaveLength(3);
    expect(cvat.missing).toHaveLength(0);
  });
});
