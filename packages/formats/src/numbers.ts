/** Number formatting shared by the encoders: deterministic, no locale, no `-0`. */

/** Shortest text that reads back as the same double (JSON's own rule); `-0` becomes `0`. */
export const exact = (v: number): string => (Object.is(v, -0) ? "0" : String(v));

/** Rounds derived values (areas, spans) to 1e-6 so float noise like 12.000000000000002 goes away. */
export const derived = (v: number): string => exact(Math.round(v * 1e6) / 1e6);

/** Six decimals, as Ultralytics writes; callers clamp first so no `-0.000000` appears. */
export const fixed6 = (v: number): string => {
  const s = v.toFixed(6);
  return s === "-0.000000" ? "0.000000" : s;
};

/** The number `fixed6` prints, as a number (for checks on what a reader will see). */
export const round6 = (v: number): number => Math.round(v * 1e6) / 1e6;

/** Parses a decimal the way the formats write them; rejects `""`, `0x10`, `1e`, `NaN`, `Infinity`. */
export const parseDecimal = (s: string): number | null => {
  const t = s.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
};
