import { seededRandom } from "@labelbench/geometry";
import type { Geometry } from "@labelbench/schema";

/**
 * A coordinate of every form a stored number takes: whole, two decimals, a full double, tiny,
 * negative with up to `maxPrecision` significant digits, zero.
 */
export const coordinateOf = (r: () => number, maxPrecision: number): number => {
  const kind = Math.floor(r() * 6);
  const v = r() * 4000;
  if (kind === 0) return Math.round(v);
  if (kind === 1) return Math.round(v * 100) / 100;
  if (kind === 2) return v;
  if (kind === 3) return r() * 1e-7;
  if (kind === 4)
    return Number(((v - 2000) / 10 ** Math.floor(r() * 4)).toPrecision(1 + Math.floor(r() * maxPrecision)));
  return 0;
};

/** `n` seeded shapes: a polygon of 3-22 vertices every `polygonEvery`th, boxes between (sizes plus `pad`). */
export const randomGeometries = (
  n: number,
  o: { seed: number; polygonEvery: number; maxPrecision: number; pad?: { width: number; height: number } },
): Geometry[] => {
  const r = seededRandom(o.seed);
  const num = () => coordinateOf(r, o.maxPrecision);
  return Array.from({ length: n }, (_, i): Geometry => {
    if (i % o.polygonEvery === 0) {
      const k = 3 + Math.floor(r() * 20);
      return { type: "polygon", points: Array.from({ length: k }, () => [num(), num()]) };
    }
    const x = num();
    const y = num();
    const width = num() + (o.pad?.width ?? 0);
    return { type: "box", x, y, width, height: num() + (o.pad?.height ?? 0) };
  });
};
