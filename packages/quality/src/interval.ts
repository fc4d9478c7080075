/** The normal quantile for a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;

/** A share measured on `n` trials, with its 95 % interval; `value` is null when n is 0. */
export interface Estimate {
  readonly value: number | null;
  readonly n: number;
  readonly low: number;
  readonly high: number;
}

/**
 * Wilson score interval for `successes` out of `n`: unlike the normal approximation it stays inside
 * [0, 1] and is honest at 0 %, 100 % and small n. With no trials nothing is known: [0, 1].
 */
export const wilsonInterval = (successes: number, n: number, z = Z_95): Estimate => {
  if (!Number.isInteger(n) || n < 0 || !(successes >= 0 && successes <= n))
    throw new RangeError(`wilsonInterval needs 0 <= successes <= n, got ${successes} of ${n}`);
  if (n === 0) return { value: null, n, low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 and n the bound is exactly 0 or 1; rounding must not leave it a hair off.
  return {
    value: p,
    n,
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
  };
};

/**
 * The mean of values in [0, 1] (IoUs) with a normal-approximation 95 % interval on the mean
 * (sample standard deviation), clipped to [0, 1]; under two values the spread is unknown: [0, 1].
 */
export const meanInterval = (values: readonly number[], z = Z_95): Estimate => {
  const n = values.length;
  if (n === 0) return { value: null, n, low: 0, high: 1 };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n < 2) return { value: mean, n, low: 0, high: 1 };
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  const half = z * Math.sqrt(squares / (n - 1) / n);
  return { value: mean, n, low: Math.max(0, mean - half), high: Math.min(1, mean + half) };
};
