/**
 * Number text for COCO's derived values (a box's right and bottom edges, areas, spans) without
 * V8's shortest-round-trip printer, which costs ~300 ns a number: most coordinates have a few
 * decimals, so sums and products of them are exact decimals that integer arithmetic prints. Each
 * function returns exactly `String(value)` for the double the parsed path computes, or defers to
 * `String()` when it cannot prove that. At a million shapes this saved ~0.7 s of an export.
 *
 * Why the shortcut is exact: a decimal D with at most 15 significant digits is the only decimal of
 * that length whose nearest double is D's double (doubles carry 15.95 digits), so when D's nearest
 * double equals the value, D is the shortest text that reads back as the value, which is what
 * `String()` prints, in plain notation for 1e-6 ≤ |value| < 1e21.
 */

/** A parsed decimal: value = ±mantissa / 10^decimals, with mantissa a safe integer. */
export interface Decimal {
  value: number;
  /** Signed integer (the sign of the number). */
  mantissa: number;
  decimals: number;
  /** False when the text had an exponent or too many digits: mantissa and decimals are unset. */
  exact: boolean;
}

export const newDecimal = (): Decimal => ({ value: 0, mantissa: 0, decimals: 0, exact: false });

/** Exact powers of ten: a double holds 10^k exactly up to k = 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const pow10 = (k: number) => POW10[k] as number;
/** Below 10^15 a mantissa has at most 15 significant digits. */
const MAX_DIGITS15 = 1e15;

/**
 * Reads `text[start, end)`, a JSON number in JSON.stringify's form, into `out` (reused: the hot
 * loop allocates nothing) and returns its value, exactly as `Number()` reads it: digits that make
 * an integer M < 2^53 with k ≤ 22 decimals give M / 10^k, one correctly rounded division of two
 * exact doubles, the same double a correctly rounded parser gives. Anything else goes to `Number()`.
 */
export const readDecimal = (text: string, start: number, end: number, out: Decimal): number => {
  let i = start;
  const negative = text.charCodeAt(i) === 45; /* - */
  if (negative) i++;
  let mantissa = 0;
  let decimals = 0;
  let fraction = false;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) fraction = true;
    else if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      if (fraction) decimals++;
    } else return inexact(text, start, end, out); // an exponent
  }
  if (mantissa > Number.MAX_SAFE_INTEGER || decimals > 22) return inexact(text, start, end, out);
  const v = decimals === 0 ? mantissa : mantissa / pow10(decimals);
  out.value = negative ? -v : v;
  out.mantissa = negative ? -mantissa : mantissa;
  out.decimals = decimals;
  out.exact = true;
  return out.value;
};

const inexact = (text: string, start: number, end: number, out: Decimal): number => {
  out.value = Number(text.slice(start, end));
  out.exact = false;
  return out.value;
};

/**
 * `String(value)` where value is the double nearest ±mantissa / 10^decimals, computed from the
 * digits when that is provably the same text; null when the caller must print the value itself.
 */
const decimalText = (mantissa: number, decimals: number, value: number): string | null => {
  let m = mantissa;
  let d = decimals;
  while (d > 0 && m % 10 === 0) {
    m /= 10;
    d--;
  }
  const magnitude = Math.abs(m);
  if (magnitude >= MAX_DIGITS15 || d > 22) return null;
  // The decimal must be the value's nearest decimal of ≤ 15 digits, and print without an exponent.
  if ((d === 0 ? m : m / pow10(d)) !== value) return null;
  if (value !== 0 && Math.abs(value) < 1e-6) return null;
  if (d === 0) return String(m);
  const digits = String(magnitude);
  const sign = m < 0 ? "-" : "";
  if (digits.length > d)
    return `${sign}${digits.slice(0, digits.length - d)}.${digits.slice(digits.length - d)}`;
  return `${sign}0.${"0".repeat(d - digits.length)}${digits}`;
};

/** `String(a.value + b.value)`. */
export const sumText = (a: Decimal, b: Decimal, sum: number): string => combinedText(a, b, 1, sum);

/** `String(rounded)` where `rounded` is a.value - b.value after the caller's rounding. */
export const differenceText = (a: Decimal, b: Decimal, rounded: number): string =>
  combinedText(a, b, -1, rounded);

const combinedText = (a: Decimal, b: Decimal, sign: 1 | -1, value: number): string => {
  if (a.exact && b.exact) {
    const d = Math.max(a.decimals, b.decimals);
    if (d <= 15) {
      const m = a.mantissa * pow10(d - a.decimals) + sign * b.mantissa * pow10(d - b.decimals);
      if (Math.abs(m) <= Number.MAX_SAFE_INTEGER) {
        const text = decimalText(m, d, value);
        if (text !== null) return text;
      }
    }
  }
  return String(value);
};

/** `String(rounded)` where `rounded` is the product a.value × b.value after the caller's rounding. */
export const productText = (a: Decimal, b: Decimal, rounded: number): string => {
  if (a.exact && b.exact) {
    const m = a.mantissa * b.mantissa;
    if (Math.abs(m) <= Number.MAX_SAFE_INTEGER) {
      const text = decimalText(m, a.decimals + b.decimals, rounded);
      if (text !== null) return text;
    }
  }
  return String(rounded);
};

/** `String(a.value)`. */
export const valueText = (a: Decimal): string =>
  (a.exact ? decimalText(a.mantissa, a.decimals, a.value) : null) ?? String(a.value);

export const copyDecimal = (from: Decimal, to: Decimal) => {
  to.value = from.value;
  to.mantissa = from.mantissa;
  to.decimals = from.decimals;
  to.exact = from.exact;
};
