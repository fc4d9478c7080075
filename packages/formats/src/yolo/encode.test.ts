import { seededRandom } from "@labelbench/geometry";
import { describe, expect, it } from "vitest";
import { yoloAxis, yoloBoxLine } from "./encode.js";

/** How a micro-unit value was printed before the faster printer: the reference. */
const reference = (m: number) => `${Math.floor(m / 1e6)}.${String(m % 1e6).padStart(6, "0")}`;

describe("yoloBoxLine's numbers", () => {
  it("print every micro-unit value as six decimals, 0 and 1 included", () => {
    const r = seededRandom(5);
    const wrong: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const size = 1 + Math.floor(r() * 5000);
      const x = r() * size * 1.1 - size * 0.05;
      const w = r() * size;
      const [c, s] = yoloAxis(x, w, size);
      const line = yoloBoxLine(3, { x, y: x, width: w, height: w }, size, size);
      const want = `3 ${reference(c)} ${reference(c)} ${reference(s)} ${reference(s)}`;
      if (line !== want) wrong.push(`${line} != ${want}`);
    }
    expect(wrong).toEqual([]);
    // The edges: a box covering the whole image, and the smallest span.
    expect(yoloBoxLine(0, { x: 0, y: 0, width: 100, height: 100 }, 100, 100)).toBe(
      "0 0.500000 0.500000 1.000000 1.000000",
    );
    expect(yoloBoxLine(0, { x: 0, y: 0, width: 1e-9, height: 1e-9 }, 100, 100)).toBe(
      "0 0.000001 0.000001 0.000001 0.000001",
    );
  });
});
