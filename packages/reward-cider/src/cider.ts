/**
 * CIDEr-D exactly as pycocoevalcap's `Cider` (cider/cider_scorer.py, salaniz/pycocoevalcap @ ad63453) computes it,
 * on pre-tokenised text (tokens = Python `str.split()`; pycocoevalcap's `PTBTokenizer` — Stanford CoreNLP 3.4.1,
 * lowercasing, punctuation removed — is not ported: tokenise the same way before scoring to compare with
 * published COCO numbers). For n-grams of order 1..n:
 *
 * - document frequency df(g) = number of images whose reference set contains g; idf = log(N) − log(max(1, df)),
 *   N = number of images of the reference corpus;
 * - vectors of tf·idf per order; similarity = Σ_g min(h_g, r_g)·r_g / (‖h‖·‖r‖) (clipping, "-D"), times the
 *   Gaussian length penalty exp(−δ²/(2σ²)) — where δ is, as in the code, the difference of the numbers of
 *   *bigrams* (`length` counts n-grams of index 1), not of words;
 * - n-grams are counted up to order 4 whatever n is (see `precook`);
 * - score = 10 · mean over orders of (Σ over references of the similarity) / number of references;
 * - the corpus score is the mean of the per-image scores.
 */

/** Options of CIDEr-D. */
export interface CiderOptions {
  /** Largest n-gram order. @default 4 */
  readonly n?: number;
  /** Standard deviation of the length penalty. @default 6 */
  readonly sigma?: number;
}

type Counts = Map<string, number>[]; // per order (index k = order k+1): n-gram (joined by U+0001) → count

// biome-ignore lint/suspicious/noControlCharactersInRegex: Python's whitespace includes \x1c-\x1f
const PY_WS = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
/** Python's `str.split()` (no argument): pycocoevalcap's `precook` tokenisation. */
export function pySplit(text: string): string[] {
  return text.split(PY_WS).filter((t) => t !== "");
}

/**
 * pycocoevalcap's `precook`: n-gram counts of orders 1..4. Its scorer calls `cook_refs`/`cook_test` without
 * passing its own `n`, so counts always stop at 4-grams: with n < 4 pycocoevalcap fails (IndexError), with
 * n > 4 the orders above 4 are empty and count as 0 in the mean. Both reproduced (n < 4 is rejected).
 */
function precook(s: string, n: number): Counts {
  const words = pySplit(s);
  const out: Counts = Array.from({ length: n }, () => new Map<string, number>());
  for (let k = 1; k <= n; k++) {
    const m = out[k - 1] as Map<string, number>;
    if (k > PRECOOK_ORDER) break;
    for (let i = 0; i + k <= words.length; i++) {
      const g = words.slice(i, i + k).join("\u0001");
      m.set(g, (m.get(g) ?? 0) + 1);
    }
  }
  return out;
}

const PRECOOK_ORDER = 4;

interface Vec {
  readonly vec: Map<string, number>[];
  readonly norm: number[];
  readonly length: number;
}

/**
 * Document frequencies of a reference corpus, and per-sentence CIDEr-D against them. `score(hyp, refs)` of the
 * i-th image equals `ciderD(hyps, corpus).scores[i]` when built from the same corpus.
 */
export class CiderD {
  readonly n: number;
  readonly sigma: number;
  /** Number of images (reference sets) of the corpus. */
  readonly documents: number;
  readonly #df = new Map<string, number>();
  readonly #refLen: number;

  constructor(corpus: readonly (readonly string[])[], options: CiderOptions = {}) {
    this.n = options.n ?? 4;
    this.sigma = options.sigma ?? 6;
    if (!Number.isInteger(this.n) || this.n < 4)
      throw new RangeError(
        `CIDEr-D: n must be an integer ≥ 4 (pycocoevalcap counts n-grams up to 4 whatever n is and fails for n < 4), received ${this.n}`,
      );
    if (!(this.sigma > 0)) throw new RangeError(`CIDEr-D: sigma must be > 0, received ${this.sigma}`);
    for (const refs of corpus) {
      const seen = new Set<string>();
      for (const r of refs) {
        const c = precook(r, this.n);
        c.forEach((m, k) => {
          for (const g of m.keys()) seen.add(`${k}\u0002${g}`);
        });
      }
      for (const key of seen) this.#df.set(key, (this.#df.get(key) ?? 0) + 1);
    }
    this.documents = corpus.length;
    this.#refLen = Math.log(corpus.length);
  }

  /** Document frequency of an n-gram (tokens joined by spaces) in the reference corpus. */
  documentFrequency(ngram: string): number {
    const w = pySplit(ngram);
    return this.#df.get(`${w.length - 1}\u0002${w.join("\u0001")}`) ?? 0;
  }

  #vec(counts: Counts): Vec {
    const vec = counts.map(() => new Map<string, number>());
    const norm = counts.map(() => 0);
    let length = 0;
    counts.forEach((m, k) => {
      const v = vec[k] as Map<string, number>;
      for (const [g, tf] of m) {
        const df = Math.log(Math.max(1, this.#df.get(`${k}\u0002${g}`) ?? 0));
        const x = tf * (this.#refLen - df);
        v.set(g, x);
        norm[k] = (norm[k] as number) + x ** 2;
        if (k === 1) length += tf;
      }
    });
    return { vec, norm: norm.map(Math.sqrt), length };
  }

  #sim(h: Vec, r: Vec): number[] {
    const delta = h.length - r.length;
    const val: number[] = [];
    for (let k = 0; k < this.n; k++) {
      let s = 0;
      const rv = r.vec[k] as Map<string, number>;
      for (const [g, x] of h.vec[k] as Map<string, number>) {
        const y = rv.get(g) ?? 0;
        s += Math.min(x, y) * y;
      }
      const nh = h.norm[k] as number;
      const nr = r.norm[k] as number;
      if (nh !== 0 && nr !== 0) s /= nh * nr;
      s *= Math.E ** (-(delta ** 2) / (2 * this.sigma ** 2));
      val.push(s);
    }
    return val;
  }

  /** CIDEr-D (0–10) of one hypothesis against its references, with the corpus's document frequencies. */
  score(hyp: string, refs: readonly string[]): number {
    const h = this.#vec(precook(hyp, this.n));
    const acc = new Array<number>(this.n).fill(0);
    for (const ref of refs) {
      const v = this.#sim(h, this.#vec(precook(ref, this.n)));
      for (let k = 0; k < this.n; k++) acc[k] = (acc[k] as number) + (v[k] as number);
    }
    // numpy: np.mean(score) (pairwise summation; exact for n ≤ 8) / len(refs) * 10
    let sum = 0;
    for (const x of acc) sum += x;
    return (sum / this.n / refs.length) * 10;
  }
}

/** Corpus CIDEr-D as pycocoevalcap's `Cider().compute_score`: the mean and the per-image scores (0–10). */
export function ciderD(
  hyps: readonly string[],
  refsList: readonly (readonly string[])[],
  options: CiderOptions = {},
): { readonly score: number; readonly scores: number[] } {
  if (hyps.length !== refsList.length)
    throw new RangeError(`ciderD: ${hyps.length} hypotheses but ${refsList.length} reference sets`);
  const c = new CiderD(refsList, options);
  const scores = hyps.map((h, i) => c.score(h, refsList[i] as readonly string[]));
  let sum = 0;
  for (const s of scores) sum += s;
  return { score: scores.length === 0 ? Number.NaN : sum / scores.length, scores };
}
