import { geometryBounds } from "@labelbench/editor";
import {
  type Bounds,
  centreOn,
  imagePoint,
  type Size,
  unionBounds,
  type Viewport,
} from "@labelbench/geometry";
import type { QualityComparison } from "@labelbench/schema";

/**
 * What the comparison view draws: every reference and checked shape of one image, each with the
 * outcome the matcher gave it. The checked shape of a pair carries the pair's outcome and the
 * reference shape is drawn beside it as its ghost, so a loose box shows both outlines.
 */
type Compared = Pick<
  QualityComparison,
  "reference" | "checked" | "matches" | "mismatches" | "missing" | "extra"
>;
export type ComparedShape = QualityComparison["reference"]["shapes"][number];

export type Outcome = "matched" | "lowOverlap" | "mismatched" | "missing" | "extra";

export interface Mark {
  /** `r3` (reference index 3) or `c5` (checked index 5): stable for the list and the focus. */
  key: string;
  side: "reference" | "checked";
  index: number;
  outcome: Outcome;
  shape: ComparedShape;
  /** The other shape of a pair (matched, low overlap, mismatched); null for missing and extra. */
  partner: Mark["key"] | null;
  /** IoU of the pair, null when unpaired. */
  iou: number | null;
}

/** One style per outcome, chosen to tell apart without colour too: missing is dashed, extra solid. */
export const OUTCOME_STYLE: Record<Outcome, { colour: string; dash: readonly number[]; label: string }> = {
  matched: { colour: "#16a34a", dash: [], label: "Matched" },
  lowOverlap: { colour: "#eab308", dash: [], label: "Low overlap" },
  mismatched: { colour: "#8b5cf6", dash: [], label: "Wrong label" },
  missing: { colour: "#f97316", dash: [8, 5], label: "Missing" },
  extra: { colour: "#ef4444", dash: [], label: "Extra" },
};

/** The order the differences are listed in: what most needs a look first. */
export const OUTCOME_ORDER: readonly Outcome[] = ["missing", "extra", "mismatched", "lowOverlap", "matched"];

/** Every shape of both sides with its outcome, from the server's comparison (indexes into each side). */
export const comparisonMarks = (c: Compared): Mark[] => {
  const reference = c.reference.shapes;
  const checked = c.checked.shapes;
  const marks: Mark[] = [];
  const pair = (r: number, k: number, outcome: Outcome, iou: number) => {
    const rs = reference[r];
    const ks = checked[k];
    if (!rs || !ks)
      throw new RangeError(`the comparison pairs r${r} with c${k}, which the sides do not hold`);
    marks.push({ key: `c${k}`, side: "checked", index: k, outcome, shape: ks, partner: `r${r}`, iou });
    marks.push({ key: `r${r}`, side: "reference", index: r, outcome, shape: rs, partner: `c${k}`, iou });
  };
  for (const m of c.matches) pair(m.reference, m.checked, m.lowOverlap ? "lowOverlap" : "matched", m.iou);
  for (const m of c.mismatches) pair(m.reference, m.checked, "mismatched", m.iou);
  const single = (side: Mark["side"], index: number, outcome: Outcome) => {
    const shape = (side === "reference" ? reference : checked)[index];
    if (!shape)
      throw new RangeError(`the comparison names ${side} shape ${index}, which that side does not hold`);
    const key = `${side === "reference" ? "r" : "c"}${index}`;
    marks.push({ key, side, index, outcome, shape, partner: null, iou: null });
  };
  for (const i of c.missing) single("reference", i, "missing");
  for (const i of c.extra) single("checked", i, "extra");
  return marks;
};

/** How many shapes of each outcome (pairs count once: by their checked shape). */
export const outcomeCounts = (marks: readonly Mark[]): Record<Outcome, number> => {
  const counts: Record<Outcome, number> = { matched: 0, lowOverlap: 0, mismatched: 0, missing: 0, extra: 0 };
  for (const m of marks) if (m.side === "checked" || m.outcome === "missing") counts[m.outcome]++;
  return counts;
};

/**
 * The entries of the list beside the picture: one per pair (its checked shape) and one per unpaired
 * shape, the differences first, then top to bottom and left to right as a reader scans an image.
 */
export const differenceList = (marks: readonly Mark[], withMatches: boolean): Mark[] => {
  const rank = (o: Outcome) => OUTCOME_ORDER.indexOf(o);
  return marks
    .filter(
      (m) => (m.side === "checked" || m.outcome === "missing") && (withMatches || m.outcome !== "matched"),
    )
    .map((m) => ({ m, b: geometryBounds(m.shape.geometry) }))
    .sort((a, b) => rank(a.m.outcome) - rank(b.m.outcome) || a.b.minY - b.b.minY || a.b.minX - b.b.minX)
    .map(({ m }) => m);
};

/** The area a focused entry shows: the shape and its partner together. */
export const focusBounds = (marks: readonly Mark[], key: string): Bounds | null => {
  const m = marks.find((x) => x.key === key);
  if (!m) return null;
  const partner = m.partner === null ? undefined : marks.find((x) => x.key === m.partner);
  const own = geometryBounds(m.shape.geometry);
  return partner ? unionBounds(own, geometryBounds(partner.shape.geometry)) : own;
};

/** The draw order: matches underneath, the differences on top where they catch the eye. */
export const drawOrder = (marks: readonly Mark[]): Mark[] => {
  const rank = (o: Outcome) => OUTCOME_ORDER.length - OUTCOME_ORDER.indexOf(o);
  return [...marks].sort(
    (a, b) =>
      rank(a.outcome) - rank(b.outcome) ||
      (a.side === "reference" ? -1 : 1) - (b.side === "reference" ? -1 : 1),
  );
};

/** A picked difference fills this share of the stage's shorter side. */
export const FOCUS_SHARE = 0.45;

/**
 * The camera that shows a picked entry (with its partner) centred and large enough to read the
 * difference: its longer side FOCUS_SHARE of the stage's shorter one, within the zoom range. Unlike
 * the editor's Tab (focusViewport), it does not keep the current zoom: a drill-down's purpose is to
 * look closely at one thing.
 */
export const focusCamera = (bounds: Bounds, stage: Size, range: { min: number; max: number }): Viewport => {
  const side = Math.max(bounds.maxX - bounds.minX, bounds.maxY - bounds.minY, 1);
  const scale = Math.min(
    range.max,
    Math.max(range.min, (FOCUS_SHARE * Math.min(stage.width, stage.height)) / side),
  );
  const centre = imagePoint((bounds.minX + bounds.maxX) / 2, (bounds.minY + bounds.maxY) / 2);
  return centreOn({ scale, offsetX: 0, offsetY: 0 }, centre, stage);
};
