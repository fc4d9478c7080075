import { describe, expect, it } from "vitest";
import { type GeometryValue, geometryJson, num } from "./geometry-json.js";
import { seededRandom } from "./random.js";

/** Coordinates of every printed form: few decimals mostly, full doubles, tiny, huge, negative, zero. */
const numberOf = (r: () => number): number => {
  const v = (r() - 0.2) * 5000;
  switch (Math.floor(r() * 9)) {
    case 0:
      return Math.round(v);
    case 1:
      return Math.round(v * 100) / 100;
    case 2:
      return Math.round(v * 10 ** Math.floor(r() * 9)) / 10 ** Math.floor(r() * 9);
    case 3:
      return v;
    case 4:
      return (r() - 0.5) * 1e-5;
    case 5:
      return Number(v.toPrecision(1 + Math.floor(r() * 17)));
    case 6:
      return Math.round(r() * 1e16) / 10 ** Math.floor(r() * 8);
    case 7:
      return v * 1e18;
    default:
      return r() < 0.5 ? 0 : -0;
  }
};

describe("geometryJson", () => {
  it("prints numbers exactly as JSON.stringify does", () => {
    const r = seededRandom(11);
    const wrong: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const v = numberOf(r);
      if (num(v) !== JSON.stringify(v)) wrong.push(`${JSON.stringify(v)} printed ${num(v)}`);
    }
    for (const v of [0.1, 0.3, 1e-6, 1.5e-6, 1e-7, 123456789.123456, 1e21, 1e300, -0.05, 5e-324, 0.1 + 0.2])
      if (num(v) !== JSON.stringify(v)) wrong.push(`${JSON.stringify(v)} printed ${num(v)}`);
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it("gives JSON.stringify's text for boxes and polygons", () => {
    const r = seededRandom(12);
    for (let i = 0; i < 2000; i++) {
      const g: GeometryValue =
        i % 2 === 0
          ? { type: "box", x: numberOf(r), y: numberOf(r), width: numberOf(r), height: numberOf(r) }
          : {
              type: "polygon",
              points: Array.from({ length: 3 + (i % 40) }, () => [numberOf(r), numberOf(r)] as const),
            };
      expect(geometryJson(g)).toBe(JSON.stringify(g));
    }
  });
});
