import { SPLITS, type SplitName, type SplitRatios } from "./types.js";

export type SplitParse = { ok: true; value: SplitRatios } | { ok: false; reason: string };

/**
 * Reads `80,10,10` (train, val, test percentages; missing parts are 0): whole numbers that add
 * up to 100.
 */
export const parseSplit = (text: string): SplitParse => {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length > 3) return { ok: false, reason: "give at most three numbers: train,val,test" };
  const nums = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  if (nums.some((n) => Number.isNaN(n)))
    return { ok: false, reason: `"${text}" is not a list of whole percentages like 80,10,10` };
  const [train = 0, val = 0, test = 0] = nums;
  if (train + val + test !== 100)
    return { ok: false, reason: `percentages must add up to 100, not ${train + val + test}` };
  return { ok: true, value: { train, val, test } };
};

export const formatSplit = (r: SplitRatios): string => `${r.train},${r.val},${r.test}`;

/**
 * The split rank of one image: FNV-1a (32 bit) over the UTF-8 bytes of `<seed>:<sha256>`, then
 * MurmurHash3's fmix32 finalizer so nearby inputs spread evenly. Reproducible in a few lines of
 * Python (docs/formats.md shows them). The bytes are hashed as they are encoded: an array of
 * them per image cost ~0.2 s of a 100,000-image export.
 */
export const splitHash = (seed: string, key: string): number => {
  const text = `${seed}:${key}`;
  let h = 0x811c9dc5;
  const byte = (b: number) => {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i) ?? 0;
    if (c < 0x80) byte(c);
    else if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 63));
    } else if (c < 0x10000) {
      byte(0xe0 | (c >> 12));
      byte(0x80 | ((c >> 6) & 63));
      byte(0x80 | (c & 63));
    } else {
      byte(0xf0 | (c >> 18));
      byte(0x80 | ((c >> 12) & 63));
      byte(0x80 | ((c >> 6) & 63));
      byte(0x80 | (c & 63));
      i++; // the low surrogate was part of this code point
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** Exact split sizes for `n` images: floors, then the remainders by largest fraction (train first on ties). */
export const splitCounts = (n: number, r: SplitRatios): Record<SplitName, number> => {
  const exact = SPLITS.map((s) => (n * r[s]) / 100);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = [0, 1, 2].sort(
    (a, b) => (exact[b] ?? 0) - (counts[b] ?? 0) - ((exact[a] ?? 0) - (counts[a] ?? 0)),
  );
  for (const i of order) {
    if (left <= 0) break;
    if ((exact[i] ?? 0) > (counts[i] ?? 0)) {
      counts[i] = (counts[i] ?? 0) + 1;
      left--;
    }
  }
  return { train: counts[0] ?? 0, val: counts[1] ?? 0, test: counts[2] ?? 0 };
};

/**
 * Assigns splits: images are ranked by `splitHash(seed, sha256)` (ties by sha256), the first
 * `splitCounts.train` go to train, the next to val, the rest to test. Which image goes where
 * depends only on the seed and the set of images (their content hashes), never on upload order;
 * proportions are exact.
 */
export const assignSplits = (
  images: readonly { id: number; sha256: string }[],
  ratios: SplitRatios,
  seed: string,
): Map<number, SplitName> => {
  const ranked = images
    .map((img) => ({ id: img.id, key: img.sha256, h: splitHash(seed, img.sha256) }))
    .sort((a, b) => a.h - b.h || (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id - b.id));
  const counts = splitCounts(ranked.length, ratios);
  const out = new Map<number, SplitName>();
  ranked.forEach((r, i) => {
    out.set(r.id, i < counts.train ? "train" : i < counts.train + counts.val ? "val" : "test");
  });
  return out;
};
