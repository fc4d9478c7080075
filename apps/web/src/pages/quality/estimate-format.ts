import type { Estimate } from "@labelbench/schema";

/**
 * How a measured number is shown: its value, a ± that says how sure it is, and the n it rests on.
 * A rate measured on 12 shapes and one measured on 12,000 must not look alike.
 */
export type EstimateKind = "rate" | "iou";

export interface FormattedEstimate {
  /** "82%", "0.84", or an en dash when nothing was measured. */
  value: string;
  /** "± 6", "± 0.03"; "" when nothing was measured. */
  plusMinus: string;
  /** The interval and n in words, for a tooltip and screen readers. */
  title: string;
}

const half = (e: Estimate) => (e.high - e.low) / 2;

/**
 * A rate in whole percent points unless the interval is narrower than ±2 points, then one decimal:
 * digits beyond what the interval supports would only be noise.
 */
const rateDigits = (e: Estimate) => (half(e) < 0.02 ? 1 : 0);
const iouDigits = (e: Estimate) => (half(e) < 0.005 ? 3 : 2);

const pct = (x: number, digits: number) => (x * 100).toFixed(digits);

/** "± 0.3"; "± <0.1" when the half-width rounds to nothing at these digits (never a bare "± 0"). */
const plusMinus = (text: string, digits: number) =>
  Number(text) === 0 ? `± <${(10 ** -digits).toFixed(digits)}` : `± ${text}`;

export const formatEstimate = (e: Estimate, kind: EstimateKind, unit: string): FormattedEstimate => {
  const nText = `n = ${e.n.toLocaleString("en-US")} ${unit}`;
  if (e.value === null) return { value: "–", plusMinus: "", title: `Nothing measured yet (${nText})` };
  if (kind === "rate") {
    const d = rateDigits(e);
    return {
      value: `${pct(e.value, d)}%`,
      plusMinus: plusMinus(pct(half(e), d), d),
      title: `${pct(e.value, d)}%, 95% interval ${pct(e.low, d)}–${pct(e.high, d)}%, ${nText}`,
    };
  }
  const d = iouDigits(e);
  return {
    value: e.value.toFixed(d),
    plusMinus: plusMinus(half(e).toFixed(d), d),
    title: `${e.value.toFixed(d)}, 95% interval ${e.low.toFixed(d)}–${e.high.toFixed(d)}, ${nText}`,
  };
};

/** Where the small interval bar draws, in percent of its width (0 to 1 maps to 0 to 100). */
export interface IntervalBar {
  low: number;
  high: number;
  /** null: nothing measured, the bar shows the whole unknown range without a marker. */
  value: number | null;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export const intervalBar = (e: Estimate): IntervalBar => ({
  low: clamp01(e.low) * 100,
  high: clamp01(e.high) * 100,
  value: e.value === null ? null : clamp01(e.value) * 100,
});
