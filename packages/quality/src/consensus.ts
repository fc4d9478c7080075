import { geometryJson } from "@labelbench/geometry";
import type { Geometry, Id } from "@labelbench/schema";
import { geometryBounds, shapeIou } from "./iou.js";
import { matchImage } from "./match-image.js";
import { type MatchOptionsInput, resolveMatchOptions } from "./options.js";
import type { ImageAnnotations, QualityShape } from "./types.js";

export interface ConsensusOptions {
  /**
   * Share of the annotators that must have drawn an object (or given a tag) for it to enter the
   * consensus, in [0, 1]; at least one annotator always. Default 0.5.
   */
  readonly quorum?: number;
  /** The matcher's thresholds (`matchImage`'s options); low overlap also marks loose objects. */
  readonly match?: MatchOptionsInput;
}

export const DEFAULT_QUORUM = 0.5;

/** One annotator's shape in an object: which annotator (index in `sets`) and which of their shapes. */
export interface ConsensusMember {
  readonly annotator: number;
  readonly shape: number;
}

export interface LabelVote {
  readonly labelId: Id;
  readonly votes: number;
}

/** The shapes k annotators drew for one object, and what the consensus makes of them. */
export interface ConsensusObject {
  /** At most one shape per annotator, by annotator. */
  readonly members: readonly ConsensusMember[];
  /** Votes per label, most first (ties by label id). */
  readonly labelVotes: readonly LabelVote[];
  /** The majority label; on a tie, the lowest tied id (and the object is a `label_tie`). */
  readonly labelId: Id;
  /** Coordinate-wise median box when every member is a box, otherwise the medoid shape. */
  readonly geometry: Geometry;
  /** Mean IoU over the pairs of members; null with one member. */
  readonly meanIou: number | null;
  /** Index of the object in the consensus `shapes`, or null when it is below the quorum. */
  readonly shape: number | null;
}

/**
 * Where the annotators did not agree, each with where it is (the object's consensus geometry, and
 * its index in the consensus shapes when it is there), so a reviewer can be sent to it.
 */
export type ConsensusDisagreement =
  | {
      /** Fewer annotators drew it than the quorum needs: left out of the consensus. */
      readonly kind: "below_quorum";
      readonly object: number;
      readonly labelId: Id;
      readonly geometry: Geometry;
      readonly drawnBy: number;
      readonly needed: number;
    }
  | {
      /** Two or more labels share the most votes; the consensus holds the lowest tied id. */
      readonly kind: "label_tie";
      readonly object: number;
      readonly shape: number;
      readonly labelIds: readonly Id[];
      readonly geometry: Geometry;
    }
  | {
      /**
       * In the consensus, but weakly: no strict majority of the annotators drew it, or its shapes
       * overlap each other less than the low-overlap threshold on average.
       */
      readonly kind: "low_agreement";
      readonly object: number;
      readonly shape: number;
      readonly labelId: Id;
      readonly geometry: Geometry;
      readonly drawnBy: number;
      readonly meanIou: number | null;
    }
  | {
      /** An image tag left out (below the quorum) or kept without a strict majority. */
      readonly kind: "tag";
      readonly labelId: Id;
      readonly drawnBy: number;
      readonly kept: boolean;
    };

export interface Consensus {
  readonly annotators: number;
  /** Annotators an object or tag needs: max(1, ceil(quorum · k)). */
  readonly needed: number;
  /** The merged set: the objects that met the quorum, in object order. */
  readonly shapes: readonly QualityShape[];
  readonly tags: readonly Id[];
  /** Every object found, in or out of the consensus, ordered by position (top, left) then label. */
  readonly objects: readonly ConsensusObject[];
  readonly disagreements: readonly ConsensusDisagreement[];
}

/**
 * A shape's identity by value: label and geometry as stored JSON. Orders are broken by it, never
 * by the annotator's index, so permuting the annotators cannot change the result.
 */
const keyOf = (s: QualityShape): string => `${s.labelId}|${geometryJson(s.geometry)}`;
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** IoUs rounded, so that a computation of IoU(a, b) and of IoU(b, a) differing in its last bit order alike. */
const rounded = (x: number) => Math.round(x * 1e12) / 1e12;

const median = (values: number[]): number => {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
};

/**
 * Coordinate-wise median of boxes: of their x, y, width and height, each on its own (a box of
 * negative size read as the same rectangle). Medians of the size rather than of the right and bottom
 * edges, so that k equal boxes give that box to the last bit (x + width - x need not be width).
 */
export const medianBox = (boxes: readonly Extract<Geometry, { type: "box" }>[]): Geometry => {
  const bounds = boxes.map(geometryBounds);
  return {
    type: "box",
    x: median(bounds.map((b) => b.minX)),
    y: median(bounds.map((b) => b.minY)),
    width: median(boxes.map((b) => Math.abs(b.width))),
    height: median(boxes.map((b) => Math.abs(b.height))),
  };
};

interface Grouped {
  shape: QualityShape;
  key: string;
  member: ConsensusMember;
}

/** The member with the greatest summed IoU to the others (ties: the smallest key); members sorted by key. */
const medoid = (sorted: readonly Grouped[], iou: readonly (readonly number[])[]): Geometry => {
  let best = 0;
  let bestSum = -1;
  sorted.forEach((_, i) => {
    let sum = 0;
    sorted.forEach((__, j) => {
      if (i !== j) sum += iou[i]![j]!;
    });
    sum = rounded(sum);
    if (sum > bestSum) {
      best = i;
      bestSum = sum;
    }
  });
  return sorted[best]!.shape.geometry;
};

/** Groups the k sets' shapes into objects: see `consensus`. */
const groupObjects = (sets: readonly ImageAnnotations[], options: MatchOptionsInput | undefined) => {
  const k = sets.length;
  const offset: number[] = [];
  let total = 0;
  for (const s of sets) {
    offset.push(total);
    total += s.shapes.length;
  }
  const nodes: Grouped[] = [];
  sets.forEach((s, annotator) => {
    s.shapes.forEach((shape, i) => {
      nodes.push({ shape, key: keyOf(shape), member: { annotator, shape: i } });
    });
  });
  // Every pair of annotators through the matcher: each pairing (same label or across labels) says
  // "these two shapes are the same object".
  const edges: { u: number; v: number; weight: number; lo: string; hi: string }[] = [];
  for (let a = 0; a < k; a++)
    for (let b = a + 1; b < k; b++) {
      const m = matchImage(sets[a]!, sets[b]!, options);
      for (const p of [...m.matches, ...m.mismatches]) {
        const u = offset[a]! + p.reference;
        const v = offset[b]! + p.checked;
        const [lo, hi] = [nodes[u]!.key, nodes[v]!.key].sort(byKey) as [string, string];
        edges.push({ u, v, weight: rounded(p.iou), lo, hi });
      }
    }
  // Strongest pairings first; two groups join only if no annotator is in both (a chain of
  // pairings must not put two shapes of one annotator in one object).
  edges.sort((x, y) => y.weight - x.weight || byKey(x.lo, y.lo) || byKey(x.hi, y.hi));
  const parent = nodes.map((_, i) => i);
  const annotatorsOf = nodes.map((n) => new Set([n.member.annotator]));
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (const e of edges) {
    const ru = find(e.u);
    const rv = find(e.v);
    if (ru === rv) continue;
    const su = annotatorsOf[ru]!;
    const sv = annotatorsOf[rv]!;
    if ([...sv].some((a) => su.has(a))) continue;
    parent[rv] = ru;
    for (const a of sv) su.add(a);
  }
  const groups = new Map<number, Grouped[]>();
  nodes.forEach((n, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.push(n);
    else groups.set(root, [n]);
  });
  return [...groups.values()];
};

const checkQuorum = (quorum: number) => {
  if (!(quorum >= 0 && quorum <= 1))
    throw new RangeError(`quorum must be a number between 0 and 1, got ${String(quorum)}`);
};

/**
 * Merges k annotators' work on one image into one set (docs/quality-metrics.md, "Consensus").
 *
 * Objects: every pair of annotators is compared with `matchImage`; each pairing links two shapes,
 * and links are taken strongest (highest IoU) first, joining two groups only when no annotator
 * has a shape in both. Each group is an object, drawn by as many annotators as it has shapes.
 * An object drawn by at least `needed` annotators enters the consensus with its majority label and
 * its median box (all members boxes) or medoid shape; the others, and every object or tag the
 * annotators did not clearly agree on, are listed as disagreements — never silently dropped.
 * Nothing depends on the order of the annotators.
 */
export const consensus = (sets: readonly ImageAnnotations[], options: ConsensusOptions = {}): Consensus => {
  const k = sets.length;
  if (k === 0) throw new RangeError("consensus needs at least one annotator's set");
  const quorum = options.quorum ?? DEFAULT_QUORUM;
  checkQuorum(quorum);
  const { lowOverlapThreshold } = resolveMatchOptions(options.match);
  const needed = Math.max(1, Math.ceil(rounded(quorum * k)));

  const built = groupObjects(sets, options.match).map((group) => {
    const sorted = [...group].sort((a, b) => byKey(a.key, b.key));
    const iou = sorted.map((a) => sorted.map((b): number => (a === b ? 1 : 0)));
    let iouSum = 0;
    for (let i = 0; i < sorted.length; i++)
      for (let j = i + 1; j < sorted.length; j++) {
        const v = rounded(shapeIou(sorted[i]!.shape.geometry, sorted[j]!.shape.geometry));
        iou[i]![j] = v;
        iou[j]![i] = v;
        iouSum += v;
      }
    const pairs = (sorted.length * (sorted.length - 1)) / 2;
    const votes = new Map<Id, number>();
    for (const g of sorted) votes.set(g.shape.labelId, (votes.get(g.shape.labelId) ?? 0) + 1);
    const labelVotes = [...votes.entries()]
      .map(([labelId, n]) => ({ labelId, votes: n }))
      .sort((a, b) => b.votes - a.votes || a.labelId - b.labelId);
    const top = labelVotes[0]!;
    const tied = labelVotes.filter((v) => v.votes === top.votes).map((v) => v.labelId);
    const boxes = sorted.flatMap((g) => (g.shape.geometry.type === "box" ? [g.shape.geometry] : []));
    const geometry = boxes.length === sorted.length ? medianBox(boxes) : medoid(sorted, iou);
    return {
      members: group.map((g) => g.member).sort((a, b) => a.annotator - b.annotator),
      labelVotes,
      labelId: top.labelId,
      tied,
      geometry,
      meanIou: pairs === 0 ? null : rounded(iouSum / pairs),
    };
  });

  // Objects in reading order of their consensus geometry; equal places by label, then geometry.
  const placed = built.map((o) => ({ o, b: geometryBounds(o.geometry), key: keyOf(o) }));
  placed.sort(
    (x, y) =>
      x.b.minY - y.b.minY ||
      x.b.minX - y.b.minX ||
      x.b.maxY - y.b.maxY ||
      x.b.maxX - y.b.maxX ||
      byKey(x.key, y.key),
  );

  const shapes: QualityShape[] = [];
  const objects: ConsensusObject[] = [];
  const disagreements: ConsensusDisagreement[] = [];
  placed.forEach(({ o }, object) => {
    const drawnBy = o.members.length;
    if (drawnBy < needed) {
      objects.push({ ...pick(o), shape: null });
      disagreements.push({
        kind: "below_quorum",
        object,
        labelId: o.labelId,
        geometry: o.geometry,
        drawnBy,
        needed,
      });
      return;
    }
    const shape = shapes.length;
    shapes.push({ labelId: o.labelId, geometry: o.geometry });
    objects.push({ ...pick(o), shape });
    if (o.tied.length > 1)
      disagreements.push({ kind: "label_tie", object, shape, labelIds: o.tied, geometry: o.geometry });
    if (2 * drawnBy <= k || (o.meanIou !== null && o.meanIou < lowOverlapThreshold))
      disagreements.push({
        kind: "low_agreement",
        object,
        shape,
        labelId: o.labelId,
        geometry: o.geometry,
        drawnBy,
        meanIou: o.meanIou,
      });
  });

  const tagVotes = new Map<Id, number>();
  for (const s of sets) for (const t of new Set(s.tags)) tagVotes.set(t, (tagVotes.get(t) ?? 0) + 1);
  const tags: Id[] = [];
  for (const [labelId, drawnBy] of [...tagVotes.entries()].sort(([a], [b]) => a - b)) {
    const kept = drawnBy >= needed;
    if (kept) tags.push(labelId);
    if (!kept || 2 * drawnBy <= k) disagreements.push({ kind: "tag", labelId, drawnBy, kept });
  }

  return { annotators: k, needed, shapes, tags, objects, disagreements };
};

const pick = (o: {
  members: ConsensusMember[];
  labelVotes: LabelVote[];
  labelId: Id;
  geometry: Geometry;
  meanIou: number | null;
}) => ({
  members: o.members,
  labelVotes: o.labelVotes,
  labelId: o.labelId,
  geometry: o.geometry,
  meanIou: o.meanIou,
});
