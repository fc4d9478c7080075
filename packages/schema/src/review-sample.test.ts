import { describe, expect, it } from "vitest";
import { inReviewSample, reviewSampleHash } from "./review-sample.js";

const ids = Array.from({ length: 100_000 }, (_, i) => i + 1);
const share = (seed: number, percent: number) =>
  ids.filter((id) => inReviewSample(seed, id, percent)).length / ids.length;

describe("inReviewSample", () => {
  it("is the documented hash: FNV-1a over `seed:id`, then fmix32 (pinned values)", () => {
    // Computed by hand from the steps in review-sample.ts; a change here moves every project's sample.
    expect(reviewSampleHash(1, 1)).toBe(fnvFmix("1:1"));
    expect(reviewSampleHash(42, 123456)).toBe(fnvFmix("42:123456"));
    expect([reviewSampleHash(1, 1), reviewSampleHash(1, 2), reviewSampleHash(7, 1)]).toEqual(PINNED);
  });

  it("selects about percent % of the images, none at 0 and all at 100", () => {
    expect(share(1, 0)).toBe(0);
    expect(share(1, 100)).toBe(1);
    for (const p of [1, 10, 12.5, 50]) expect(Math.abs(share(3, p) - p / 100)).toBeLessThan(0.005);
  });

  it("grows with the percentage: the smaller sample is inside the larger", () => {
    for (const id of ids.slice(0, 20_000))
      if (inReviewSample(9, id, 10)) expect(inReviewSample(9, id, 20)).toBe(true);
  });

  it("is another sample with another seed", () => {
    const a = ids.filter((id) => inReviewSample(1, id, 10));
    const b = new Set(ids.filter((id) => inReviewSample(2, id, 10)));
    const both = a.filter((id) => b.has(id)).length;
    // Independent 10 % samples share about 1 % of the ids, not 10 %.
    expect(both / ids.length).toBeLessThan(0.02);
  });
});

/** The documented steps written out again, independently of the implementation's loop. */
function fnvFmix(text: string): number {
  let h = 2166136261;
  for (const byte of new TextEncoder().encode(text)) h = Number((BigInt(h ^ byte) * 16777619n) & 0xffffffffn);
  const mul = (a: number, b: number) => Number((BigInt(a) * BigInt(b)) & 0xffffffffn);
  h = (h ^ (h >>> 16)) >>> 0;
  h = mul(h, 0x85ebca6b);
  h = (h ^ (h >>> 13)) >>> 0;
  h = mul(h, 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return h;
}
const PINNED = [3672338301, 4271168225, 2500418515];
