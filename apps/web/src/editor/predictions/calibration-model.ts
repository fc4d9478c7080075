import type { Calibration } from "@labelbench/schema";

/**
 * The calibration chart as data: one bar per score bin, its height the bin's acceptance rate
 * (accepted + edited over decided), its tint how many decisions it rests on; and what the panel says
 * above it. Pure, so the chart component only lays out what this returns.
 */

export interface CalibrationBar {
  from: number;
  to: number;
  /** 0..1 of the chart's height; null: no decision in this bin (drawn as an empty slot). */
  height: number | null;
  /** Readable text for the bar (its title and the screen reader's). */
  title: string;
  /** How sure the bar is: 0.35 for a bin of one decision up to 1 for the bin with the most. */
  opacity: number;
}

export interface CalibrationView {
  bars: CalibrationBar[];
  /** The threshold suggested for the target precision, or null. */
  suggested: number | null;
  /** What the panel prints: the suggestion, or why there is none. */
  summary: string;
  enough: boolean;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

export const calibrationView = (c: Calibration): CalibrationView => {
  const most = Math.max(1, ...c.bins.map((b) => b.decided));
  const bars = c.bins.map((b) => ({
    from: b.from,
    to: b.to,
    height: b.rate,
    title:
      b.rate === null
        ? `${b.from.toFixed(1)}–${b.to.toFixed(1)}: no decisions`
        : `${b.from.toFixed(1)}–${b.to.toFixed(1)}: ${pct(b.rate)} accepted (${b.accepted} of ${b.decided})`,
    opacity: b.decided === 0 ? 0 : 0.35 + 0.65 * (b.decided / most),
  }));
  const enough = c.decided >= c.minDecisions;
  let summary: string;
  if (!enough) summary = `Not enough decisions yet (${c.decided} of ${c.minDecisions})`;
  else if (c.suggestedThreshold === null)
    summary = `No score reaches ${pct(c.targetPrecision)} precision yet`;
  else
    summary = `Scores ≥ ${c.suggestedThreshold.toFixed(2)} were accepted ${pct(c.targetPrecision)} of the time or more`;
  return { bars, suggested: enough ? c.suggestedThreshold : null, summary, enough };
};

/** Parses the target precision input: a number in (0, 1], or a percentage (e.g. "90" or "90%"). */
export const parseTargetPrecision = (text: string): number | null => {
  const t = text.trim().replace(/%$/, "");
  if (t === "") return null;
  const n = Number(t);
  if (!Number.isFinite(n) || n <= 0) return null;
  const v = n > 1 ? n / 100 : n;
  return v > 0 && v <= 1 ? v : null;
};
