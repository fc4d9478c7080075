import { describe, expect, it } from "vitest";
import { classWiseNms } from "./nms.js";

const box = (x: number, width = 10) => ({ type: "box" as const, x, y: 0, width, height: 10 });
const d = (label: string, x: number, score: number, image = 1) => ({ image, label, geometry: box(x), score });

describe("class-wise NMS", () => {
  it("keeps the best of overlapping shapes of one class and image, and no others", () => {
    const items = [
      d("car", 0, 0.6),
      d("car", 1, 0.9), // IoU with x=0: 9/11 = 0.82
      d("car", 5, 0.7), // IoU with x=1: 6/14 = 0.43
      d("person", 1, 0.5), // another class: untouched
      d("car", 1, 0.8, 2), // another image: untouched
      { image: 1, label: "car", geometry: null, score: 0.1 }, // a tag prediction: never suppressed
    ];
    const out = classWiseNms(items, (i) => `${i.image}:${i.label}`, 0.5);
    expect(out.suppressed).toBe(1);
    expect(out.kept).toEqual([items[1], items[2], items[3], items[4], items[5]]);
    // At 0.4, the x=5 box (IoU 0.43 with the best) goes too.
    expect(classWiseNms(items, (i) => `${i.image}:${i.label}`, 0.4).suppressed).toBe(2);
  });

  it("compares polygons by area, and keeps an IoU equal to the threshold", () => {
    const tri = {
      type: "polygon" as const,
      points: [
        [0, 0],
        [10, 0],
        [0, 10],
      ] as [number, number][],
    };
    const sq = { type: "box" as const, x: 0, y: 0, width: 10, height: 10 };
    const items = [
      { geometry: sq, score: 0.9 },
      { geometry: tri, score: 0.8 },
    ];
    expect(classWiseNms(items, () => "g", 0.5).suppressed).toBe(0);
    expect(classWiseNms(items, () => "g", 0.49).suppressed).toBe(1);
  });
});
