/**
 * Whether the review policy's sample holds an image (mode `sample`, issue 15). Reproducible: the
 * same on every process and every run, so the server, the web and a later audit agree on which
 * images were meant for review, and raising the percentage only adds images (the sample at 10 % is
 * inside the sample at 20 % with the same seed).
 *
 * The hash, fixed once and for all (changing it would move images in and out of every sample):
 *   1. the text `${seed}:${imageId}` (decimal, ASCII);
 *   2. FNV-1a, 32 bits, over its bytes (offset basis 0x811c9dc5, prime 0x01000193);
 *   3. MurmurHash3's 32-bit finalizer (fmix32), so the low digits of consecutive ids spread evenly;
 *   4. in the sample iff `hash mod 10000 < round(percent × 100)`.
 */
export const reviewSampleHash = (seed: number, imageId: number): number =>
  textSampleHash(`${seed}:${imageId}`);

/** Steps 2 and 3 above over any ASCII text. */
export const textSampleHash = (text: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** `percent` in 0..100 (hundredths count: 12.5 % is 1250 of 10000). */
export const inReviewSample = (seed: number, imageId: number, percent: number): boolean =>
  reviewSampleHash(seed, imageId) % 10_000 < Math.round(percent * 100);

/**
 * Whether an accepted image is in the project's audit sample (issue 16): the same hash over the
 * text `audit:${seed}:${imageId}`, so the audit sample is drawn apart from the review sample (an
 * image's place in one says nothing of the other) and is as reproducible.
 */
export const inAuditSample = (seed: number, imageId: number, percent: number): boolean =>
  textSampleHash(`audit:${seed}:${imageId}`) % 10_000 < Math.round(percent * 100);
