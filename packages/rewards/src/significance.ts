/**
 * Paired significance tests as sacreBLEU 2.x runs them (`sacrebleu/significance.py`, `--paired-bs`,
 * `--paired-ar`, `--confidence`), reproduced exactly: numpy's `default_rng(12345)` indices (`numpy-random.ts`),
 * segment statistics rounded to float32 and summed per resample, scores recomputed with NumPy 2's scalar
 * promotion rules (NEP 50: a float32 statistic combined with a Python number stays float32), the mean of the
 * resample scores by numpy's pairwise summation, the CI as half the distance between the 26th and 975th sorted
 * scores, and the p-value (c + 1) / (n + 1).
 *
 * BLEU, chrF and TER resample their sufficient statistics, as sacreBLEU does. ROUGE, SQuAD and any per-example
 * score (`pairedBootstrapScores`) are means of sentence scores; a resample's score is the mean over the resampled
 * examples (float64 sum in index order, divided by n, then the metric's scale).
 */
import { type BleuOptions, brevityPenalty, computeBleu, corpusBleu, sentenceBleu } from "./bleu.js";
import { nrefsOf } from "./bleu-validate.js";
import { type ChrfOptions, computeChrf, corpusChrf, sentenceChrf } from "./chrf.js";
import { preview, RewardsInputError, RewardsOptionError } from "./errors.js";
import { NumpyPcg64 } from "./numpy-random.js";
import { isRougeType, type RougeType, rouge, rougeSignature } from "./rouge.js";
import type { RougeMeasure } from "./rouge-incremental.js";
import { SQUAD_SIGNATURE, squad } from "./squad.js";
import { corpusTer, sentenceTer, type TerOptions } from "./ter.js";

/** The metric a paired test recomputes on every resample; a bare name takes the metric's defaults. */
export type SignificanceMetric =
  | "bleu"
  | "chrf"
  | "ter"
  | "rouge"
  | "squad"
  | { readonly name: "bleu"; readonly options?: BleuOptions }
  | { readonly name: "chrf"; readonly options?: ChrfOptions }
  | { readonly name: "ter"; readonly options?: TerOptions }
  | {
      readonly name: "rouge";
      /** @default "rougeL" */
      readonly type?: RougeType;
      /** @default "fmeasure" */
      readonly measure?: RougeMeasure;
      /** @default false */
      readonly useStemmer?: boolean;
    }
  | {
      readonly name: "squad";
      /** @default "f1" */
      readonly measure?: "f1" | "exactMatch";
    };

/** Options of {@link pairedBootstrap} and {@link pairedApproximateRandomization}. */
export interface PairedTestOptions {
  /** The metric, e.g. `"bleu"` or `{ name: "chrf", options: { wordOrder: 2 } }`. */
  readonly metric: SignificanceMetric;
  /** The baseline's outputs, one per example. */
  readonly baseline: readonly string[];
  /** The systems compared with the baseline, by name; each has one output per example. */
  readonly systems: Readonly<Record<string, readonly string[]>>;
  /** `refs[i]` lists the references of example `i` (for SQuAD: its gold answers). */
  readonly refs: readonly (readonly string[])[];
  /** Bootstrap resamples (`--paired-bs-n`) or randomization trials (`--paired-ar-n`). @default 1000 (bs), 10000 (ar) */
  readonly resamples?: number;
  /** Seed of numpy's `default_rng` (sacreBLEU's `SACREBLEU_SEED`). @default 12345 */
  readonly seed?: number;
}

/** Options of {@link pairedBootstrapScores} and {@link pairedApproximateRandomizationScores}. */
export interface PairedScoresOptions {
  /** The baseline's per-example scores. */
  readonly baseline: ArrayLike<number>;
  /** Per-example scores of each compared system, by name, aligned with `baseline`. */
  readonly systems: Readonly<Record<string, ArrayLike<number>>>;
  /** Bootstrap resamples or randomization trials. @default 1000 (bs), 10000 (ar) */
  readonly resamples?: number;
  /** Seed of numpy's `default_rng`. @default 12345 */
  readonly seed?: number;
  /** Multiplies the mean (e.g. 100 for a 0–100 scale). @default 1 */
  readonly scale?: number;
  /** Name shown in the result. @default "mean" */
  readonly name?: string;
}

/** Options of {@link bootstrapConfidence}. */
export interface ConfidenceOptions {
  /** The metric, as for {@link pairedBootstrap}. */
  readonly metric: SignificanceMetric;
  /** The system's outputs. */
  readonly hyps: readonly string[];
  /** `refs[i]` lists the references of `hyps[i]`. */
  readonly refs: readonly (readonly string[])[];
  /** Bootstrap resamples (`--confidence-n`). @default 1000 */
  readonly resamples?: number;
  /** Seed of numpy's `default_rng`. @default 12345 */
  readonly seed?: number;
}

/** One system's line of a paired test. */
export interface SystemSignificance {
  /** `"baseline"` or the key in `systems`. */
  readonly name: string;
  /** The actual corpus score. */
  readonly score: number;
  /** Mean of the bootstrap resample scores (bootstrap only; `null` for approximate randomization). */
  readonly mean: number | null;
  /** Half-width of the 95% interval around `mean` (bootstrap only). */
  readonly ci: number | null;
  /** p-value against the baseline (`null` for the baseline itself). */
  readonly pValue: number | null;
}

/** The result of a paired test: the baseline first, then every system in the order given. */
export interface PairedTestResult {
  /** Display name, e.g. `BLEU`, `chrF2++`, `TER`, `ROUGE-L`, `SQuAD-F1`. */
  readonly metric: string;
  /** sacreBLEU-style signature with `bs:N` or `ar:N` and `seed:S`. */
  readonly signature: string;
  /** `"bs"` (paired bootstrap) or `"ar"` (approximate randomization). */
  readonly test: "bs" | "ar";
  /** Resamples (bs) or trials (ar). */
  readonly n: number;
  /** The seed used. */
  readonly seed: number;
  /** The baseline (its `pValue` is `null`). */
  readonly baseline: SystemSignificance;
  /** The compared systems. */
  readonly systems: readonly SystemSignificance[];
}

/** The result of {@link bootstrapConfidence} (sacreBLEU `--confidence`). */
export interface ConfidenceResult {
  /** Display name of the metric. */
  readonly metric: string;
  /** Signature with `bs:N|seed:S`. */
  readonly signature: string;
  /** The actual corpus score. */
  readonly score: number;
  /** Mean of the resample scores. */
  readonly mean: number;
  /** Half-width of the 95% interval. */
  readonly ci: number;
}

const F = Math.fround;

/** A value and whether numpy holds it as float32 (`true`) or as a Python float/int (`false`). */
interface Np {
  v: number;
  f: boolean;
}
const py = (v: number): Np => ({ v, f: false });
const f32 = (v: number): Np => ({ v, f: true });
/** A binary operation under NEP 50: with a float32 operand, Python operands are cast to float32 and so is the result. */
function op(a: Np, b: Np, fn: (x: number, y: number) => number): Np {
  if (a.f || b.f) return f32(F(fn(a.f ? a.v : F(a.v), b.f ? b.v : F(b.v))));
  return py(fn(a.v, b.v));
}
const add = (a: Np, b: Np): Np => op(a, b, (x, y) => x + y);
const mul = (a: Np, b: Np): Np => op(a, b, (x, y) => x * y);
const div = (a: Np, b: Np): Np => op(a, b, (x, y) => x / y);

/** How a metric is turned into per-example statistics and scored from their sums. */
interface ResampledMetric {
  readonly name: string;
  /** Signature without the test fields (`nrefs:…|…`). */
  readonly signature: string;
  readonly width: number;
  /** Sufficient statistics (float32 sums, NumPy 2 arithmetic) or a mean of sentence scores (float64). */
  readonly kind: "stats" | "mean";
  /** Per-example statistics, `n × width`. */
  extract(hyps: readonly string[]): Float64Array;
  /** The score from exact (float64) sums: the actual score and approximate randomization's trials. */
  score(sums: Float64Array, n: number): number;
  /** The score of a bootstrap resample from float32 sums, with numpy's types (only for `kind: "stats"`). */
  resampleScore(sums: Float64Array): Np;
}

function checkCount(v: unknown, field: string, fn: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 1e7)
    throw new RewardsOptionError(
      field,
      `${fn}: \`${field}\` must be an integer from 1 to 1e7, received ${preview(v)}.`,
    );
  return v;
}

function checkSeed(v: unknown, fn: string): number {
  if (v === undefined) return 12345;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
    throw new RewardsOptionError(
      "seed",
      `${fn}: \`seed\` must be a non-negative integer (numpy's default_rng seed; sacreBLEU uses 12345), received ${preview(v)}.`,
    );
  return v;
}

function checkOutputs(v: unknown, field: string, n: number, fn: string): asserts v is readonly string[] {
  if (!Array.isArray(v))
    throw new RewardsInputError(
      field,
      `${fn}: \`${field}\` must be an array of strings, received ${preview(v)}.`,
    );
  if (v.length !== n)
    throw new RewardsInputError(
      field,
      `${fn}: \`${field}\` has ${v.length} outputs but there are ${n} examples (refs.length); every system needs one output per example.`,
    );
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== "string")
      throw new RewardsInputError(`${field}[${i}]`, `${fn}: expected a string, received ${preview(v[i])}.`);
  }
}

function checkRefs(refs: unknown, fn: string): asserts refs is readonly (readonly string[])[] {
  if (!Array.isArray(refs) || refs.length === 0)
    throw new RewardsInputError(
      "refs",
      `${fn}: \`refs\` must be a non-empty array with one list of references per example, e.g. [["a cat"]], received ${preview(refs)}.`,
    );
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i] as unknown;
    if (!Array.isArray(r) || r.length === 0 || r.some((x) => typeof x !== "string"))
      throw new RewardsInputError(
        `refs[${i}]`,
        `${fn}: \`refs[${i}]\` must be a non-empty array of strings, received ${preview(r)}.`,
      );
  }
}

function withNrefs(signature: string, refs: readonly (readonly string[])[]): string {
  return signature.replace(/^nrefs:[^|]*/, `nrefs:${nrefsOf(refs)}`);
}

/** Builds the resampling view of a metric over fixed references. */
function resampledMetric(
  spec: SignificanceMetric,
  refs: readonly (readonly string[])[],
  fn: string,
): ResampledMetric {
  const m = typeof spec === "string" ? ({ name: spec } as Exclude<SignificanceMetric, string>) : spec;
  if (m === null || typeof m !== "object")
    throw new RewardsOptionError(
      "metric",
      `${fn}: \`metric\` must be a name or an object, received ${preview(spec)}.`,
    );
  const one = [refs[0] as readonly string[]];
  switch (m.name) {
    case "bleu": {
      const opts = m.options ?? {};
      const probe = corpusBleu([""], one, opts); // validates the options; gives the signature
      const N = probe.counts.length;
      const smooth = opts.smoothMethod ?? "exp";
      const smoothValue = opts.smoothValue ?? (smooth === "floor" ? 0.1 : smooth === "add-k" ? 1 : 0);
      const o = {
        smoothMethod: smooth,
        smoothValue,
        maxNgramOrder: N,
        effectiveOrder: opts.effectiveOrder ?? false,
      };
      return {
        name: "BLEU",
        signature: withNrefs(probe.signature, refs),
        width: 2 + 2 * N,
        kind: "stats",
        extract(hyps) {
          const out = new Float64Array(hyps.length * (2 + 2 * N));
          for (let i = 0; i < hyps.length; i++) {
            const s = sentenceBleu(hyps[i] as string, refs[i] as readonly string[], opts);
            const off = i * (2 + 2 * N);
            out[off] = s.sysLen;
            out[off + 1] = s.refLen;
            for (let k = 0; k < N; k++) {
              out[off + 2 + k] = s.counts[k] as number;
              out[off + 2 + N + k] = s.totals[k] as number;
            }
          }
          return out;
        },
        score(sums) {
          return computeBleu(
            sums.subarray(2, 2 + N),
            sums.subarray(2 + N),
            sums[0] as number,
            sums[1] as number,
            o,
          ).score;
        },
        resampleScore(sums) {
          return py(bleuNumpy2(sums, N, o.smoothMethod, o.smoothValue, o.effectiveOrder));
        },
      };
    }
    case "chrf": {
      const opts = m.options ?? {};
      const probe = corpusChrf([""], one, opts);
      const width = probe.stats.length * 3;
      const beta = opts.beta ?? 2;
      const eps = opts.epsSmoothing ?? false;
      return {
        name: `chrF${beta}${"+".repeat(opts.wordOrder ?? 0)}`,
        signature: withNrefs(probe.signature, refs),
        width,
        kind: "stats",
        extract(hyps) {
          const out = new Float64Array(hyps.length * width);
          for (let i = 0; i < hyps.length; i++) {
            const s = sentenceChrf(hyps[i] as string, refs[i] as readonly string[], opts).stats;
            for (let k = 0; k < s.length; k++) out.set(s[k] as number[], i * width + 3 * k);
          }
          return out;
        },
        score(sums) {
          return computeChrf(sums, beta, eps);
        },
        resampleScore(sums) {
          return chrfNumpy2(sums, beta, eps);
        },
      };
    }
    case "ter": {
      const opts = m.options ?? {};
      const probe = corpusTer([""], one, opts);
      return {
        name: "TER",
        signature: withNrefs(probe.signature, refs),
        width: 2,
        kind: "stats",
        extract(hyps) {
          const out = new Float64Array(hyps.length * 2);
          for (let i = 0; i < hyps.length; i++) {
            const s = sentenceTer(hyps[i] as string, refs[i] as readonly string[], opts);
            out[2 * i] = s.numEdits;
            out[2 * i + 1] = s.refLength;
          }
          return out;
        },
        score(sums) {
          const e = sums[0] as number;
          const l = sums[1] as number;
          return 100 * (l > 0 ? e / l : e > 0 ? 1.0 : 0.0);
        },
        resampleScore(sums) {
          // TER._compute_score_from_stats on float32 sums
          const e = f32(sums[0] as number);
          const l = f32(sums[1] as number);
          const s = l.v > 0 ? div(e, l) : py(e.v > 0 ? 1.0 : 0.0);
          return mul(py(100), s);
        },
      };
    }
    case "rouge": {
      const type = m.type ?? "rougeL";
      if (!isRougeType(type))
        throw new RewardsOptionError(
          "metric.type",
          `${fn}: unknown ROUGE type ${preview(type)}; use rouge1…rouge9, rougeL or rougeLsum.`,
        );
      const measure = m.measure ?? "fmeasure";
      if (measure !== "fmeasure" && measure !== "precision" && measure !== "recall")
        throw new RewardsOptionError(
          "metric.measure",
          `${fn}: \`measure\` must be fmeasure, precision or recall, received ${preview(measure)}.`,
        );
      const useStemmer = m.useStemmer ?? false;
      const nrefs = nrefsOf(refs);
      return meanMetric(
        `ROUGE-${type.slice(5)}${measure === "fmeasure" ? "" : `(${measure})`}`,
        rougeSignature(type, { useStemmer, ...(nrefs === "var" ? {} : { nrefs }) }),
        1,
        (hyps) =>
          Float64Array.from(
            hyps,
            (h, i) =>
              rouge(h, refs[i] as readonly string[], { rougeTypes: [type], useStemmer })[type][measure],
          ),
      );
    }
    case "squad": {
      const measure = m.measure ?? "f1";
      if (measure !== "f1" && measure !== "exactMatch")
        throw new RewardsOptionError(
          "metric.measure",
          `${fn}: \`measure\` must be f1 or exactMatch, received ${preview(measure)}.`,
        );
      return meanMetric(measure === "f1" ? "SQuAD-F1" : "SQuAD-EM", SQUAD_SIGNATURE, 100, (hyps) =>
        Float64Array.from(hyps, (h, i) => squad(h, refs[i] as readonly string[])[measure]),
      );
    }
    default:
      throw new RewardsOptionError(
        "metric",
        `${fn}: unknown metric ${preview((m as { name?: unknown }).name)}; expected bleu, chrf, ter, rouge or squad.`,
      );
  }
}

/** A metric that is a scaled mean of per-example scores (`scale · Σ / n`, as squadCorpus computes it). */
function meanMetric(
  name: string,
  signature: string,
  scale: number,
  extract: (hyps: readonly string[]) => Float64Array,
): ResampledMetric {
  return {
    name,
    signature,
    width: 1,
    kind: "mean",
    extract,
    score(sums, n) {
      return (scale * (sums[0] as number)) / n;
    },
    resampleScore() {
      throw new Error("unreachable: mean metrics are resampled in float64");
    },
  };
}

/** `BLEU.compute_bleu` on float32 sums under NumPy 2 promotion (precisions are float32; logs, bp in float64). */
function bleuNumpy2(sums: Float64Array, N: number, method: string, v: number, effective: boolean): number {
  const sysLen = Math.trunc(sums[0] as number);
  const refLen = Math.trunc(sums[1] as number);
  const bp = brevityPenalty(sysLen, refLen);
  let any = false;
  for (let k = 0; k < N; k++) if ((sums[2 + k] as number) !== 0) any = true;
  if (!any) return 0.0;
  const precisions = new Array<number>(N).fill(0);
  let smoothMteval = 1.0;
  let effOrder = N;
  for (let n = 1; n <= N; n++) {
    let c = sums[1 + n] as number;
    let t = sums[1 + N + n] as number;
    if (method === "add-k" && n > 1) {
      c = F(c + F(v));
      t = F(t + F(v));
    }
    if (t === 0) break;
    if (effective) effOrder = n;
    if (c === 0) {
      if (method === "exp") {
        smoothMteval *= 2;
        precisions[n - 1] = F(100 / F(F(smoothMteval) * t));
      } else if (method === "floor") {
        precisions[n - 1] = F(F(100 * v) / t);
      }
    } else {
      precisions[n - 1] = F(F(100 * c) / t);
    }
  }
  let logSum = 0;
  for (let i = 0; i < effOrder; i++) {
    const p = precisions[i] as number;
    logSum += p === 0 ? -9999999999 : Math.log(p);
  }
  return bp * Math.exp(logSum / effOrder);
}

/** `CHRF._compute_f_score` on float32 sums under NumPy 2 promotion. */
function chrfNumpy2(sums: Float64Array, beta: number, epsSmoothing: boolean): Np {
  const eps = py(1e-16);
  const factor = py(beta * beta);
  const onePlus = py(1 + beta * beta);
  const order = sums.length / 3;
  let score = py(0.0);
  let eff = 0;
  let avgPrec = py(0.0);
  let avgRec = py(0.0);
  for (let i = 0; i < order; i++) {
    const nHyp = f32(sums[3 * i] as number);
    const nRef = f32(sums[3 * i + 1] as number);
    const nMatch = f32(sums[3 * i + 2] as number);
    const prec = nHyp.v > 0 ? div(nMatch, nHyp) : eps;
    const rec = nRef.v > 0 ? div(nMatch, nRef) : eps;
    const denom = add(mul(factor, prec), rec);
    score = add(score, denom.v > 0 ? div(mul(mul(onePlus, prec), rec), denom) : eps);
    if (nHyp.v > 0 && nRef.v > 0) {
      avgPrec = add(avgPrec, prec);
      avgRec = add(avgRec, rec);
      eff += 1;
    }
  }
  if (epsSmoothing) return div(mul(py(100), score), py(order));
  if (eff === 0) {
    avgPrec = py(0.0);
    avgRec = py(0.0);
  } else {
    avgPrec = div(avgPrec, py(eff));
    avgRec = div(avgRec, py(eff));
  }
  if (add(avgPrec, avgRec).v !== 0) {
    let s = mul(mul(onePlus, avgPrec), avgRec);
    s = div(s, add(mul(factor, avgPrec), avgRec));
    return mul(py(100), s);
  }
  return py(0.0);
}

/** numpy's `pairwise_sum` (blocks of 8, halves above 128), in float32 when `single`; `np.add.reduce` from 0. */
function pairwiseSum(a: Float64Array, lo: number, n: number, single: boolean): number {
  const r = single ? F : (x: number): number => x;
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = r(res + (a[lo + i] as number));
    return res;
  }
  if (n <= 128) {
    const acc = new Array<number>(8);
    for (let j = 0; j < 8; j++) acc[j] = a[lo + j] as number;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) acc[j] = r((acc[j] as number) + (a[lo + i + j] as number));
    }
    const [a0, a1, a2, a3, a4, a5, a6, a7] = acc as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    let res = r(r(r(a0 + a1) + r(a2 + a3)) + r(r(a4 + a5) + r(a6 + a7)));
    for (; i < n; i++) res = r(res + (a[lo + i] as number));
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return r(pairwiseSum(a, lo, n2, single) + pairwiseSum(a, lo + n2, n - n2, single));
}

/** `np.mean` of a float64 (`single = false`) or float32 array. */
function numpyMean(a: Float64Array, single: boolean): number {
  const s = pairwiseSum(a, 0, a.length, single);
  return single ? F(s / a.length) : s / a.length;
}

/** `significance.estimate_ci`: mean of the sorted scores and half the 95% range. */
function estimateCi(scores: Float64Array, single: boolean): { mean: number; ci: number } {
  const sorted = Float64Array.from(scores).sort();
  const n = sorted.length;
  const lowerIdx = Math.floor(n / 40);
  const lower = sorted[lowerIdx] as number;
  const upper = sorted[n - lowerIdx - 1] as number;
  const ci = single ? F(0.5 * F(upper - lower)) : 0.5 * (upper - lower);
  return { mean: numpyMean(sorted, single), ci };
}

/** The exact mean of doubles, correctly rounded (Python's `statistics.mean` on floats). */
function exactMean(values: Float64Array): number {
  const buf = new DataView(new ArrayBuffer(8));
  const parts: [bigint, number][] = [];
  let minExp = Number.POSITIVE_INFINITY;
  for (const x of values) {
    if (x === 0) continue;
    buf.setFloat64(0, x);
    const hi = buf.getUint32(0);
    const lo = buf.getUint32(4);
    const biased = (hi >>> 20) & 0x7ff;
    let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    let exp: number;
    if (biased === 0) exp = -1074;
    else {
      mant |= 1n << 52n;
      exp = biased - 1075;
    }
    if (hi >>> 31) mant = -mant;
    parts.push([mant, exp]);
    if (exp < minExp) minExp = exp;
  }
  if (parts.length === 0) return 0;
  let total = 0n;
  for (const [m, e] of parts) total += m << BigInt(e - minExp);
  const neg = total < 0n;
  if (neg) total = -total;
  const n = BigInt(values.length);
  // q = total · 2^k / n with ≥ 64 significant bits and a sticky bit for the remainder: Number() then rounds once.
  const k = Math.max(0, 66 - (total.toString(2).length - n.toString(2).length));
  const num = total << BigInt(k);
  let q = num / n;
  if (q * n !== num) q |= 1n;
  const scaleExp = minExp - k;
  // q has ≤ ~67 bits: Number(q) rounds to 53 correctly (the sticky bit decides ties); the power of two is exact
  // for the magnitudes of metric scores.
  const r = Number(q) * 2 ** scaleExp;
  return neg ? -r : r;
}

/** Scores of every bootstrap resample of one system's statistics, and whether numpy holds them as float32. */
function resampleScores(
  metric: ResampledMetric,
  stats: Float64Array,
  n: number,
  idxs: Int32Array,
  B: number,
): { scores: Float64Array; single: boolean } {
  const w = metric.width;
  const scores = new Float64Array(B);
  if (metric.kind === "mean") {
    for (let b = 0; b < B; b++) {
      let s = 0;
      const base = b * n;
      for (let j = 0; j < n; j++) s += stats[idxs[base + j] as number] as number;
      scores[b] = metric.score(Float64Array.of(s), n);
    }
    return { scores, single: false };
  }
  const st = Float64Array.from(Float32Array.from(stats)); // np.array(stats, dtype='float32')
  const sums = new Float64Array(w);
  let single = true;
  // Integer statistics whose every possible sum stays below 2^24 add exactly in float32: skip the rounding.
  let maxAbs = 0;
  for (const x of st) if (Math.abs(x) > maxAbs) maxAbs = Math.abs(x);
  const exact = isIntegral(st) && maxAbs * n < 2 ** 24;
  for (let b = 0; b < B; b++) {
    sums.fill(0);
    const base = b * n;
    if (exact) {
      for (let j = 0; j < n; j++) {
        const off = (idxs[base + j] as number) * w;
        for (let k = 0; k < w; k++) sums[k] = (sums[k] as number) + (st[off + k] as number);
      }
    } else {
      for (let j = 0; j < n; j++) {
        const off = (idxs[base + j] as number) * w;
        for (let k = 0; k < w; k++) sums[k] = F((sums[k] as number) + (st[off + k] as number));
      }
    }
    const r = metric.resampleScore(sums);
    scores[b] = r.v;
    if (!r.f) single = false;
  }
  return { scores, single };
}

/** Whether every statistic is an integer small enough for exact sums in any order. */
function isIntegral(a: Float64Array): boolean {
  for (const x of a) if (!Number.isInteger(x) || Math.abs(x) > 2 ** 40) return false;
  return true;
}

function sumStats(stats: Float64Array, n: number, w: number): Float64Array {
  const sums = new Float64Array(w);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < w; k++) sums[k] = (sums[k] as number) + (stats[i * w + k] as number);
  return sums;
}

/** `_compute_p_value`: (#{stats > realDiff} + 1) / (n + 1), the comparison in the array's precision. */
function pValue(stats: Float64Array, realDiff: number, single: boolean): number {
  const thr = single ? F(realDiff) : realDiff;
  let c = 0;
  for (const s of stats) if (s > thr) c++;
  return (c + 1) / (stats.length + 1);
}

interface Prepared {
  metric: ResampledMetric;
  n: number;
  names: string[];
  stats: Float64Array[];
}

function bootstrapPrepared(p: Prepared, B: number, seed: number): PairedTestResult {
  const { metric, n } = p;
  const idxs = new NumpyPcg64(seed).choiceInto(n, new Int32Array(B * n));
  const real = p.stats.map((s) => metric.score(sumStats(s, n, metric.width), n));
  const rs = p.stats.map((s) => resampleScores(metric, s, n, idxs, B));
  const bl = rs[0] as { scores: Float64Array; single: boolean };
  const blCi = estimateCi(bl.scores, bl.single);
  const systems: SystemSignificance[] = [];
  for (let s = 1; s < p.stats.length; s++) {
    const sy = rs[s] as { scores: Float64Array; single: boolean };
    const single = sy.single && bl.single;
    const diffs = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      const d = (sy.scores[b] as number) - (bl.scores[b] as number);
      diffs[b] = Math.abs(single ? F(d) : d);
    }
    const m = numpyMean(diffs, single);
    for (let b = 0; b < B; b++) diffs[b] = single ? F((diffs[b] as number) - m) : (diffs[b] as number) - m;
    const ci = estimateCi(sy.scores, sy.single);
    systems.push({
      name: p.names[s] as string,
      score: real[s] as number,
      mean: ci.mean,
      ci: ci.ci,
      pValue: pValue(diffs, Math.abs((real[0] as number) - (real[s] as number)), single),
    });
  }
  return {
    metric: metric.name,
    signature: testSignature(metric.signature, "bs", B, seed),
    test: "bs",
    n: B,
    seed,
    baseline: {
      name: p.names[0] as string,
      score: real[0] as number,
      mean: blCi.mean,
      ci: blCi.ci,
      pValue: null,
    },
    systems,
  };
}

function arPrepared(p: Prepared, T: number, seed: number): PairedTestResult {
  const { metric, n } = p;
  const w = metric.width;
  const pos = new NumpyPcg64(seed).boolsInto(new Uint8Array(T * n));
  const real = p.stats.map((s) => metric.score(sumStats(s, n, w), n));
  const bl = p.stats[0] as Float64Array;
  const a = new Float64Array(w);
  const b = new Float64Array(w);
  const systems: SystemSignificance[] = [];
  for (let s = 1; s < p.stats.length; s++) {
    const sy = p.stats[s] as Float64Array;
    const diff = Math.abs((real[0] as number) - (real[s] as number));
    let c = 0;
    // Integer statistics (BLEU, chrF, means of 0/1): a trial's sums are exact in any order, so start from the
    // system's totals and move only the swapped examples' differences. Otherwise sum in example order.
    const exact = isIntegral(bl) && isIntegral(sy);
    const sysTot = sumStats(sy, n, w);
    const blTot = sumStats(bl, n, w);
    for (let t = 0; t < T; t++) {
      const base = t * n;
      if (exact) {
        a.set(sysTot);
        b.set(blTot);
        for (let j = 0; j < n; j++) {
          if (pos[base + j] !== 1) continue;
          const off = j * w;
          for (let k = 0; k < w; k++) {
            const d = (bl[off + k] as number) - (sy[off + k] as number);
            a[k] = (a[k] as number) + d;
            b[k] = (b[k] as number) - d;
          }
        }
      } else {
        a.fill(0);
        b.fill(0);
        for (let j = 0; j < n; j++) {
          const off = j * w;
          const swap = pos[base + j] === 1;
          const x = swap ? bl : sy;
          const y = swap ? sy : bl;
          for (let k = 0; k < w; k++) {
            a[k] = (a[k] as number) + (x[off + k] as number);
            b[k] = (b[k] as number) + (y[off + k] as number);
          }
        }
      }
      if (Math.abs(metric.score(a, n) - metric.score(b, n)) > diff) c++;
    }
    systems.push({
      name: p.names[s] as string,
      score: real[s] as number,
      mean: null,
      ci: null,
      pValue: (c + 1) / (T + 1),
    });
  }
  return {
    metric: metric.name,
    signature: testSignature(metric.signature, "ar", T, seed),
    test: "ar",
    n: T,
    seed,
    baseline: { name: p.names[0] as string, score: real[0] as number, mean: null, ci: null, pValue: null },
    systems,
  };
}

/** Inserts sacreBLEU's `bs:N|seed:S` (or `ar:N|seed:S`) after `nrefs`, where its `Signature.info` puts them. */
function testSignature(signature: string, test: "bs" | "ar", n: number, seed: number): string {
  if (signature === "") return `${test}:${n}|seed:${seed}`;
  const m = /^(nrefs:[^|]*)\|?(.*)$/.exec(signature);
  if (m === null) return `${test}:${n}|seed:${seed}|${signature}`;
  return `${m[1]}|${test}:${n}|seed:${seed}${m[2] ? `|${m[2]}` : ""}`;
}

function prepareStrings(opts: PairedTestOptions, fn: string): Prepared {
  if (opts === null || typeof opts !== "object")
    throw new RewardsInputError("options", `${fn}: expected an options object, received ${preview(opts)}.`);
  checkRefs(opts.refs, fn);
  const n = opts.refs.length;
  const metric = resampledMetric(opts.metric, opts.refs, fn);
  checkOutputs(opts.baseline, "baseline", n, fn);
  if (opts.systems === null || typeof opts.systems !== "object" || Array.isArray(opts.systems))
    throw new RewardsInputError(
      "systems",
      `${fn}: \`systems\` must map names to outputs, e.g. { rl: ["…"] }, received ${preview(opts.systems)}.`,
    );
  const names = Object.keys(opts.systems);
  if (names.length === 0)
    throw new RewardsInputError(
      "systems",
      `${fn}: \`systems\` is empty; give at least one system to compare with the baseline.`,
    );
  const stats = [metric.extract(opts.baseline)];
  for (const name of names) {
    const hyps = opts.systems[name];
    checkOutputs(hyps, `systems.${name}`, n, fn);
    stats.push(metric.extract(hyps));
  }
  return { metric, n, names: ["baseline", ...names], stats };
}

function prepareScores(opts: PairedScoresOptions, fn: string): Prepared {
  if (opts === null || typeof opts !== "object")
    throw new RewardsInputError("options", `${fn}: expected an options object, received ${preview(opts)}.`);
  const toArray = (v: unknown, field: string): Float64Array => {
    if (v === null || typeof v !== "object" || typeof (v as ArrayLike<number>).length !== "number")
      throw new RewardsInputError(
        field,
        `${fn}: \`${field}\` must be an array of numbers, received ${preview(v)}.`,
      );
    const a = Float64Array.from(v as ArrayLike<number>);
    for (let i = 0; i < a.length; i++) {
      const x = (v as ArrayLike<unknown>)[i];
      if (typeof x !== "number" || !Number.isFinite(x))
        throw new RewardsInputError(
          `${field}[${i}]`,
          `${fn}: expected a finite number, received ${preview(x)}.`,
        );
    }
    return a;
  };
  const bl = toArray(opts.baseline, "baseline");
  if (bl.length === 0)
    throw new RewardsInputError("baseline", `${fn}: \`baseline\` is empty; give one score per example.`);
  if (opts.systems === null || typeof opts.systems !== "object" || Array.isArray(opts.systems))
    throw new RewardsInputError(
      "systems",
      `${fn}: \`systems\` must map names to score arrays, received ${preview(opts.systems)}.`,
    );
  const names = Object.keys(opts.systems);
  if (names.length === 0)
    throw new RewardsInputError(
      "systems",
      `${fn}: \`systems\` is empty; give at least one system to compare with the baseline.`,
    );
  const stats = [bl];
  for (const name of names) {
    const a = toArray(opts.systems[name], `systems.${name}`);
    if (a.length !== bl.length)
      throw new RewardsInputError(
        `systems.${name}`,
        `${fn}: \`systems.${name}\` has ${a.length} scores but \`baseline\` has ${bl.length}; the test is paired, so both need one score per example.`,
      );
    stats.push(a);
  }
  const scale = opts.scale ?? 1;
  if (typeof scale !== "number" || !Number.isFinite(scale))
    throw new RewardsOptionError(
      "scale",
      `${fn}: \`scale\` must be a finite number, received ${preview(scale)}.`,
    );
  const metric = meanMetric(opts.name ?? "mean", "", scale, () => new Float64Array(0));
  return { metric, n: bl.length, names: ["baseline", ...names], stats };
}

/**
 * Paired bootstrap resampling (sacreBLEU `--paired-bs`): the baseline and every system are scored on the same
 * `resamples` index sets drawn by numpy's `default_rng(seed).choice(n, (resamples, n))`; the p-value is the share
 * of resamples whose mean-centred |Δ| exceeds the actual |Δ|, plus one, over `resamples + 1`. Bit-identical to
 * sacreBLEU 2.6.0 under NumPy 2 for BLEU, chrF and TER.
 *
 * @example
 * pairedBootstrap({ metric: "bleu", baseline, systems: { rl }, refs }).systems[0].pValue // e.g. 0.000999000999000999
 * @throws RewardsInputError for misaligned or non-string outputs; RewardsOptionError for bad options.
 */
export function pairedBootstrap(opts: PairedTestOptions): PairedTestResult {
  const fn = "pairedBootstrap";
  const p = prepareStrings(opts, fn);
  return bootstrapPrepared(p, checkCount(opts.resamples, "resamples", fn, 1000), checkSeed(opts.seed, fn));
}

/**
 * Paired approximate randomization (sacreBLEU `--paired-ar`): in each of `resamples` trials every example's
 * outputs are swapped between the two systems with probability ½ (numpy `integers(2, dtype=bool)`); the p-value
 * is (#{|Δ_trial| > |Δ|} + 1) / (trials + 1). No confidence interval (sacreBLEU's CLI prints none either).
 */
export function pairedApproximateRandomization(opts: PairedTestOptions): PairedTestResult {
  const fn = "pairedApproximateRandomization";
  const p = prepareStrings(opts, fn);
  return arPrepared(p, checkCount(opts.resamples, "resamples", fn, 10000), checkSeed(opts.seed, fn));
}

/**
 * {@link pairedBootstrap} over arbitrary per-example scores (e.g. sentence rewards of an RL and an MLE model on
 * the same test examples): a resample's score is `scale · Σ(resampled scores) / n`, computed in float64.
 */
export function pairedBootstrapScores(opts: PairedScoresOptions): PairedTestResult {
  const fn = "pairedBootstrapScores";
  const p = prepareScores(opts, fn);
  return bootstrapPrepared(p, checkCount(opts.resamples, "resamples", fn, 1000), checkSeed(opts.seed, fn));
}

/** {@link pairedApproximateRandomization} over arbitrary per-example scores (means, float64). */
export function pairedApproximateRandomizationScores(opts: PairedScoresOptions): PairedTestResult {
  const fn = "pairedApproximateRandomizationScores";
  const p = prepareScores(opts, fn);
  return arPrepared(p, checkCount(opts.resamples, "resamples", fn, 10000), checkSeed(opts.seed, fn));
}

/**
 * Bootstrap confidence interval of one system (sacreBLEU `--confidence`, `Metric.corpus_score(n_bootstrap=…)`):
 * the mean is Python's `statistics.mean` (exact, rounded once) of the resample scores, not numpy's.
 */
export function bootstrapConfidence(opts: ConfidenceOptions): ConfidenceResult {
  const fn = "bootstrapConfidence";
  if (opts === null || typeof opts !== "object")
    throw new RewardsInputError("options", `${fn}: expected an options object, received ${preview(opts)}.`);
  checkRefs(opts.refs, fn);
  const n = opts.refs.length;
  const metric = resampledMetric(opts.metric, opts.refs, fn);
  checkOutputs(opts.hyps, "hyps", n, fn);
  const B = checkCount(opts.resamples, "resamples", fn, 1000);
  const seed = checkSeed(opts.seed, fn);
  const stats = metric.extract(opts.hyps);
  const idxs = new NumpyPcg64(seed).choiceInto(n, new Int32Array(B * n));
  const { scores, single } = resampleScores(metric, stats, n, idxs, B);
  const sorted = Float64Array.from(scores).sort();
  const lowerIdx = Math.floor(B / 40);
  const lower = sorted[lowerIdx] as number;
  const upper = sorted[B - lowerIdx - 1] as number;
  const mean = exactMean(sorted);
  return {
    metric: metric.name,
    signature: testSignature(metric.signature, "bs", B, seed),
    score: metric.score(sumStats(stats, n, metric.width), n),
    mean: single ? F(mean) : mean,
    ci: single ? F(0.5 * F(upper - lower)) : 0.5 * (upper - lower),
  };
}
