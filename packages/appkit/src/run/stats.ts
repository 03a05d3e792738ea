/** Small statistics for results tables: mean and sample standard deviation over seeds. */

/** Mean, sample standard deviation (n − 1 in the denominator; 0 for one value) and count. */
export interface MeanStd {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
}

/** Mean and sample standard deviation of `values`. Throws on an empty list. */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) throw new RangeError("meanStd needs at least one value");
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n };
}

/** Formats `mean ± std` with `digits` decimals, e.g. `23.41 ± 0.37`. */
export function formatMeanStd(m: MeanStd, digits = 2): string {
  return m.n > 1 ? `${m.mean.toFixed(digits)} ± ${m.std.toFixed(digits)}` : m.mean.toFixed(digits);
}
