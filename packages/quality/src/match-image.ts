import { StaticGridIndex } from "@labelbench/geometry";
import type { Id } from "@labelbench/schema";
import { maxWeightMatching, type WeightedEdge } from "./assignment.js";
import { type PreparedShape, preparedIou, prepareShape } from "./iou.js";
import { type MatchOptionsInput, resolveMatchOptions } from "./options.js";
import type {
  ImageAnnotations,
  ImageMatch,
  LabelMismatch,
  MatchedPair,
  QualityShape,
  TagComparison,
  UnmatchedShape,
} from "./types.js";

/** Tags compared as sets; duplicates in either list count once. */
export const compareTags = (reference: readonly Id[], checked: readonly Id[]): TagComparison => {
  const ref = new Set(reference);
  const chk = new Set(checked);
  const matched = [...ref].filter((t) => chk.has(t)).sort((a, b) => a - b);
  const missing = [...ref].filter((t) => !chk.has(t)).sort((a, b) => a - b);
  const extra = [...chk].filter((t) => !ref.has(t)).sort((a, b) => a - b);
  return { matched, missing, extra, agree: missing.length === 0 && extra.length === 0 };
};

const finiteGeometry = (s: QualityShape): boolean => {
  const g = s.geometry;
  if (g.type === "box") return [g.x, g.y, g.width, g.height].every(Number.isFinite);
  return g.points.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
};

/** The schema's Geometry admits only finite numbers; a caller that skipped it hears which shape. */
const assertFinite = (shapes: readonly QualityShape[], side: "reference" | "checked") => {
  shapes.forEach((s, i) => {
    if (!finiteGeometry(s))
      throw new RangeError(`${side} shape ${i}: every coordinate must be a finite number`);
  });
};

/**
 * Every (reference, checked) pair whose IoU reaches the threshold, whatever the labels. Candidates
 * come from a grid index over the checked shapes' bounds, so only shapes whose bounds meet are
 * measured.
 */
const candidateEdges = (
  reference: readonly QualityShape[],
  checked: readonly QualityShape[],
  threshold: number,
): WeightedEdge[] => {
  if (reference.length === 0 || checked.length === 0) return [];
  const chk = checked.map((s) => prepareShape(s.geometry));
  const index = new StaticGridIndex(chk.map((s) => s.bounds));
  const edges: WeightedEdge[] = [];
  let i = 0;
  let ref: PreparedShape | undefined;
  const measure = (j: number) => {
    const iou = preparedIou(ref as PreparedShape, chk[j] as PreparedShape, threshold);
    if (iou > 0 && iou >= threshold) edges.push({ r: i, c: j, weight: iou });
  };
  for (; i < reference.length; i++) {
    ref = prepareShape((reference[i] as QualityShape).geometry);
    const from = edges.length;
    index.forEachIntersecting(ref.bounds, measure);
    // Edges in (reference, checked) index order, whatever order the grid visits cells in: the
    // assignment breaks ties between equally good pairings by that order.
    for (let k = from + 1; k < edges.length; k++) {
      const e = edges[k] as WeightedEdge;
      let h = k - 1;
      for (; h >= from && (edges[h] as WeightedEdge).c > e.c; h--) edges[h + 1] = edges[h] as WeightedEdge;
      edges[h + 1] = e;
    }
  }
  return edges;
};

/**
 * Compares a checked annotator's shapes and tags on one image with the reference's.
 *
 * As CVAT does, in two passes: an optimal (maximum total IoU) pairing among pairs of the same label
 * whose IoU reaches `matchThreshold`; then, among the shapes still unpaired, an optimal pairing
 * across labels — those pairs are label mismatches. What is left is missing (reference) or extra
 * (checked). Pairs under `lowOverlapThreshold` are flagged as low overlap. Every shape is
 * reported by its index in the input arrays.
 */
export const matchImage = (
  reference: ImageAnnotations,
  checked: ImageAnnotations,
  options?: MatchOptionsInput,
): ImageMatch => {
  const { matchThreshold, lowOverlapThreshold } = resolveMatchOptions(options);
  const refShapes = reference.shapes;
  const chkShapes = checked.shapes;
  assertFinite(refShapes, "reference");
  assertFinite(chkShapes, "checked");
  const edges = candidateEdges(refShapes, chkShapes, matchThreshold);
  const sameLabel = (e: WeightedEdge) => refShapes[e.r]!.labelId === chkShapes[e.c]!.labelId;

  const refPaired = new Uint8Array(refShapes.length);
  const chkPaired = new Uint8Array(chkShapes.length);

  const matches: MatchedPair[] = maxWeightMatching(edges.filter(sameLabel))
    .map((e) => {
      refPaired[e.r] = 1;
      chkPaired[e.c] = 1;
      return {
        reference: e.r,
        checked: e.c,
        labelId: refShapes[e.r]!.labelId,
        iou: e.weight,
        lowOverlap: e.weight < lowOverlapThreshold,
      };
    })
    .sort((a, b) => a.reference - b.reference);

  const leftovers = edges.filter((e) => !sameLabel(e) && !refPaired[e.r] && !chkPaired[e.c]);
  const mismatches: LabelMismatch[] = maxWeightMatching(leftovers)
    .map((e) => {
      refPaired[e.r] = 1;
      chkPaired[e.c] = 1;
      return {
        reference: e.r,
        checked: e.c,
        referenceLabelId: refShapes[e.r]!.labelId,
        checkedLabelId: chkShapes[e.c]!.labelId,
        iou: e.weight,
        lowOverlap: e.weight < lowOverlapThreshold,
      };
    })
    .sort((a, b) => a.reference - b.reference);

  const unpaired = (shapes: readonly QualityShape[], paired: Uint8Array): UnmatchedShape[] => {
    const out: UnmatchedShape[] = [];
    shapes.forEach((s, index) => {
      if (!paired[index]) out.push({ index, labelId: s.labelId });
    });
    return out;
  };

  return {
    matches,
    mismatches,
    missing: unpaired(refShapes, refPaired),
    extra: unpaired(chkShapes, chkPaired),
    tags: compareTags(reference.tags, checked.tags),
  };
};
