import type { ModelEvaluation, ModelVersionMetrics, SecondsPerImage } from "@labelbench/schema";

/**
 * The Models page's pure parts (issue 17): the learning curve's series and their SVG geometry, and
 * how a model version's numbers read. ModelsPage.tsx draws them.
 */

export interface Series {
  key: "map" | "ap50" | "acceptance";
  label: string;
  /** One value per version (oldest first); null where nothing was measured. */
  values: (number | null)[];
}

export const curveSeries = (versions: readonly ModelVersionMetrics[]): Series[] => [
  { key: "map", label: "mAP@[.5:.95]", values: versions.map((v) => v.gold.bbox.map) },
  { key: "ap50", label: "AP50", values: versions.map((v) => v.gold.bbox.ap50) },
  { key: "acceptance", label: "Acceptance", values: versions.map((v) => v.acceptance.value) },
];

export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** x of the i-th of n versions: spread across the plot, a single version in the middle. */
export const xOf = (i: number, n: number, box: ChartBox): number => {
  const span = box.width - box.left - box.right;
  return n <= 1 ? box.left + span / 2 : box.left + (span * i) / (n - 1);
};

/** y of a value on 0..1 (1 at the top). */
export const yOf = (v: number, box: ChartBox): number => {
  const span = box.height - box.top - box.bottom;
  return box.top + span * (1 - Math.min(1, Math.max(0, v)));
};

/**
 * SVG path data through the measured values: a gap (an unmeasured version) breaks the line rather
 * than joining across it, so a missing number is never drawn as if it had been measured.
 */
export const linePath = (values: readonly (number | null)[], box: ChartBox): string => {
  let d = "";
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? "L" : "M"}${xOf(i, values.length, box).toFixed(1)} ${yOf(v, box).toFixed(1)}`;
    pen = true;
  });
  return d;
};

/** A score of 0..1 as COCO papers print it (three decimals), or an en dash. */
export const formatScore = (v: number | null): string => (v === null ? "–" : v.toFixed(3));

/** "42 s (median 38 s, n = 12)" or "not measured yet (n = 0)". */
export const formatSeconds = (s: SecondsPerImage): string =>
  s.mean === null || s.median === null
    ? "not measured yet (n = 0)"
    : `${Math.round(s.mean)} s (median ${Math.round(s.median)} s, n = ${s.n.toLocaleString("en-US")})`;

/** The time saved per image against the no-prediction baseline, as a share; null without both. */
export const timeSaved = (withRun: SecondsPerImage, without: SecondsPerImage): number | null =>
  withRun.mean === null || without.mean === null || without.mean === 0
    ? null
    : 1 - withRun.mean / without.mean;

/** What the chart says, for its accessible name: the first and last version's mAP. */
export const curveSentence = (e: ModelEvaluation): string => {
  const measured = e.versions.filter((v) => v.gold.bbox.map !== null);
  const first = measured[0];
  const last = measured[measured.length - 1];
  if (!first || !last) return "Learning curve: no version scored on gold images yet";
  if (first === last) return `Learning curve: one version scored, mAP ${formatScore(first.gold.bbox.map)}`;
  return `Learning curve over ${measured.length} versions: mAP from ${formatScore(first.gold.bbox.map)} (${first.modelVersion}) to ${formatScore(last.gold.bbox.map)} (${last.modelVersion})`;
};
