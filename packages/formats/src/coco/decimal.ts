import type { ByteChunks } from "../byte-chunks.js";

/**
 * Stored coordinates read from their JSON text, and COCO's derived values (a box's right and
 * bottom edges, areas, spans) printed without V8's shortest-round-trip printer, which costs
 * ~300 ns a number: most coordinates have a few decimals, so sums and products of them are exact
 * decimals that integer arithmetic prints. Each writer writes exactly `String(value)` for the
 * double the parsed path computes, deferring to `String()` when it cannot prove that.
 *
 * Why the shortcut is exact: a decimal D with at most 15 significant digits is the only decimal of
 * that length whose nearest double is D's double (doubles carry 15.95 digits), so when D's nearest
 * double equals the value, D is the shortest text that reads back as the value, which is what
 * `String()` prints, in plain notation for 1e-6 ≤ |value| < 1e21.
 */

/** A parsed decimal: value = mantissa / 10^decimals, with mantissa a signed safe integer. */
export interface Decimal {
  value: number;
  mantissa: number;
  decimals: number;
  /** False when the text had an exponent or too many digits: mantissa and decimals are unset. */
  exact: boolean;
}

export const newDecimal = (): Decimal => ({ value: 0, mantissa: 0, decimals: 0, exact: false });

export const copyDecimal = (from: Decimal, to: Decimal) => {
  to.value = from.value;
  to.mantissa = from.mantissa;
  to.decimals = from.decimals;
  to.exact = from.exact;
};

/** Exact powers of ten: a double holds 10^k exactly up to k = 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const pow10 = (k: number) => POW10[k] as number;
/** Below 10^15 a mantissa has at most 15 significant digits. */
const MAX_DIGITS15 = 1e15;

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Reads the JSON number at `text[at]` if it is written the way JSON.stringify writes numbers:
 * `-?(0|[1-9]\d*)`, no `-0` alone, a fraction without trailing zeros, an exponent `e[+-][1-9]\d*`.
 * Returns where it ends, or -1 (the caller then parses the geometry instead of copying its text).
 * Fills `out` with the value exactly as `Number()` reads it: digits that make an integer M < 2^53
 * with k ≤ 22 decimals give M / 10^k, one correctly rounded division of two exact doubles, the
 * double a correctly rounded parser gives; anything longer, or with an exponent, goes to `Number()`.
 */
export const scanNumber = (text: string, at: number, out: Decimal): number => {
  let i = at;
  const negative = text.charCodeAt(i) === 45; /* - */
  if (negative) i++;
  let mantissa = 0;
  const first = text.charCodeAt(i);
  if (first === 48 /* 0 */) {
    i++;
    if (negative && text.charCodeAt(i) !== 46) return -1; // -0
  } else if (first >= 49 && first <= 57) {
    for (; isDigit(text.charCodeAt(i)); i++) mantissa = mantissa * 10 + (text.charCodeAt(i) - 48);
  } else return -1;
  let decimals = 0;
  if (text.charCodeAt(i) === 46 /* . */) {
    i++;
    const start = i;
    for (; isDigit(text.charCodeAt(i)); i++) mantissa = mantissa * 10 + (text.charCodeAt(i) - 48);
    decimals = i - start;
    if (decimals === 0 || text.charCodeAt(i - 1) === 48) return -1; // "1." or a trailing zero
  }
  if (text.charCodeAt(i) === 101 /* e */) {
    const sign = text.charCodeAt(i + 1);
    const lead = text.charCodeAt(i + 2);
    if ((sign !== 43 && sign !== 45) || !(lead >= 49 && lead <= 57)) return -1;
    for (i += 3; isDigit(text.charCodeAt(i)); i++);
    out.value = Number(text.slice(at, i));
    out.exact = false;
    return i;
  }
  if (mantissa > Number.MAX_SAFE_INTEGER || decimals > 22) {
    out.value = Number(text.slice(at, i));
    out.exact = false;
    return i;
  }
  const v = decimals === 0 ? mantissa : mantissa / pow10(decimals);
  out.value = negative ? -v : v;
  out.mantissa = negative ? -mantissa : mantissa;
  out.decimals = decimals;
  out.exact = true;
  return i;
};

/**
 * Writes `String(value)` where value is the double nearest mantissa / 10^decimals, from the
 * digits, when that is provably the same text; false when the caller must print the value itself.
 */
const writeDigits = (w: ByteChunks, mantissa: number, decimals: number, value: number): boolean => {
  let m = mantissa;
  let d = decimals;
  while (d > 0 && m % 10 === 0) {
    m /= 10;
    d--;
  }
  const magnitude = Math.abs(m);
  if (magnitude >= MAX_DIGITS15 || d > 22) return false;
  // The decimal must be the value's nearest decimal of ≤ 15 digits, and print without an exponent.
  if ((d === 0 ? m : m / pow10(d)) !== value) return false;
  if (value !== 0 && Math.abs(value) < 1e-6) return false;
  if (m < 0) w.byte(45);
  if (d === 0) {
    w.uint(magnitude);
    return true;
  }
  const unit = pow10(d);
  const whole = Math.floor(magnitude / unit);
  w.uint(whole);
  w.byte(46);
  w.padded(magnitude - whole * unit, d);
  return true;
};

const writeString = (w: ByteChunks, value: number) => w.ascii(String(value));

/** `String(a.value + b.value)`. */
export const writeSum = (w: ByteChunks, a: Decimal, b: Decimal, sum: number): void =>
  writeCombined(w, a, b, 1, sum);

/** `String(rounded)` where `rounded` is a.value - b.value after the caller's rounding. */
export const writeDifference = (w: ByteChunks, a: Decimal, b: Decimal, rounded: number): void =>
  writeCombined(w, a, b, -1, rounded);

const writeCombined = (w: ByteChunks, a: Decimal, b: Decimal, sign: 1 | -1, value: number): void => {
  if (a.exact && b.exact) {
    const d = Math.max(a.decimals, b.decimals);
    if (d <= 15) {
      const m = a.mantissa * pow10(d - a.decimals) + sign * b.mantissa * pow10(d - b.decimals);
      if (Math.abs(m) <= Number.MAX_SAFE_INTEGER && writeDigits(w, m, d, value)) return;
    }
  }
  writeString(w, value);
};

/** `String(rounded)` where `rounded` is the product a.value × b.value after the caller's rounding. */
export const writeProduct = (w: ByteChunks, a: Decimal, b: Decimal, rounded: number): void => {
  if (a.exact && b.exact) {
    const m = a.mantissa * b.mantissa;
    if (Math.abs(m) <= Number.MAX_SAFE_INTEGER && writeDigits(w, m, a.decimals + b.decimals, rounded)) return;
  }
  writeString(w, rounded);
};

/** `String(a.value)`. */
export const writeValue = (w: ByteChunks, a: Decimal): void => {
  if (!(a.exact && writeDigits(w, a.mantissa, a.decimals, a.value))) writeString(w, a.value);
};
