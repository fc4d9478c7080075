import { matchImage } from "./match-image.js";
import type { MatchOptionsInput } from "./options.js";
import type { ImageAnnotations } from "./types.js";

/** What two annotators' sets on one image share, counted as the matcher counts (shapes and tags). */
export interface PairCounts {
  /** Shapes paired with the same label, plus tags both gave. */
  readonly tp: number;
  /** Shapes and tags only the second annotator gave. */
  readonly fp: number;
  /** Shapes and tags only the first annotator gave. */
  readonly fn: number;
  /** Shapes paired across labels. */
  readonly mismatched: number;
}

export interface PairAgreement {
  /** Annotator indexes, a < b. */
  readonly a: number;
  readonly b: number;
  readonly counts: PairCounts;
  /** 2TP / (2TP + FP + FN + 2M); 1 when neither drew or tagged anything. Symmetric in a and b. */
  readonly f1: number;
}

export interface ImageAgreement {
  readonly annotators: number;
  /** Every unordered pair, a < b, in (a, b) order. */
  readonly pairs: readonly PairAgreement[];
  /** k x k, symmetric, 1 on the diagonal: matrix[a][b] is the pair's F1. */
  readonly matrix: readonly (readonly number[])[];
  /** Mean of the pairs' F1; null with fewer than two annotators (nothing to agree with). */
  readonly meanF1: number | null;
}

/**
 * F1 of two sets with a mismatch counted as both a wrong and a missed object, as in
 * `qualityMetrics`; two sets with nothing in them agree fully.
 */
export const pairF1 = (c: PairCounts): number => {
  const denominator = 2 * c.tp + c.fp + c.fn + 2 * c.mismatched;
  return denominator === 0 ? 1 : (2 * c.tp) / denominator;
};

/**
 * How much k annotators' sets on one image agree: every pair compared with `matchImage` (the
 * first of the two as the reference; F1 does not depend on which side that is), each pair's F1,
 * the annotator x annotator matrix and the image's mean pairwise F1. Tags count as objects, so an
 * image labelled only with tags has an agreement too.
 */
export const agreement = (sets: readonly ImageAnnotations[], options?: MatchOptionsInput): ImageAgreement => {
  const k = sets.length;
  const matrix = sets.map((_, a) => sets.map((__, b): number => (a === b ? 1 : 0)));
  const pairs: PairAgreement[] = [];
  for (let a = 0; a < k; a++)
    for (let b = a + 1; b < k; b++) {
      const m = matchImage(sets[a]!, sets[b]!, options);
      const counts: PairCounts = {
        tp: m.matches.length + m.tags.matched.length,
        fp: m.extra.length + m.tags.extra.length,
        fn: m.missing.length + m.tags.missing.length,
        mismatched: m.mismatches.length,
      };
      const f1 = pairF1(counts);
      matrix[a]![b] = f1;
      matrix[b]![a] = f1;
      pairs.push({ a, b, counts, f1 });
    }
  const meanF1 = pairs.length === 0 ? null : pairs.reduce((sum, p) => sum + p.f1, 0) / pairs.length;
  return { annotators: k, pairs, matrix, meanF1 };
};
