/**
 * BLEU (Papineni et al., 2002) exactly as sacreBLEU 2.6.0 computes it: same tokenizers, same clipping, same
 * closest-reference length, same smoothing arithmetic in the same order (so scores agree to the last bit or
 * so), same signature string.
 */
import {
  boolOpt,
  checkCorpus,
  checkOptionKeys,
  checkRefList,
  checkString,
  choiceOpt,
  intOpt,
  nrefsOf,
  numberOpt,
  SACREBLEU_VERSION,
} from "./bleu-validate.js";
import {
  allocFloat64,
  allocInt32,
  EMPTY,
  NgramStack,
  NgramTrie,
  ngramBound,
  ngramCount,
  SymbolTable,
  scratchInt32,
} from "./incremental-ngrams.js";
import { type BleuTokenizer, type BleuTokenizerName, getBleuTokenizer } from "./tokenizers/index.js";
import { pyFixed, pyLower, pyRstrip } from "./tokenizers/python.js";

/** BLEU smoothing methods (Chen & Cherry, 2014), as in sacreBLEU. */
export type BleuSmoothMethod = "exp" | "floor" | "add-k" | "none";

/** BLEU options; the names mirror sacreBLEU's `BLEU(...)` keyword arguments in camelCase. */
export interface BleuOptions {
  /** Tokenizer. @default "13a" */
  tokenize?: BleuTokenizerName;
  /** Lowercase hypotheses and references (Python `str.lower()`). @default false */
  lowercase?: boolean;
  /** Smoothing: `exp` (NIST/mteval), `floor`, `add-k` or `none`. @default "exp" */
  smoothMethod?: BleuSmoothMethod;
  /** Value for `floor` (default 0.1) and `add-k` (default 1); `null`/absent = the method's default. @default null */
  smoothValue?: number | null;
  /** Largest n-gram order. @default 4 */
  maxNgramOrder?: number;
  /**
   * Average only over the n-gram orders the hypothesis side reaches (for short sentences).
   * @default false for corpusBleu, true for sentenceBleu (like `sacrebleu.sentence_bleu`)
   */
  effectiveOrder?: boolean;
}

/** A BLEU result, with the fields of sacreBLEU's `BLEUScore`. */
export interface BleuScore {
  /** BLEU on the 0–100 scale. */
  score: number;
  /** Matching (clipped) hypothesis n-grams per order, summed over the corpus; raw, without add-k. */
  counts: number[];
  /** Hypothesis n-grams per order, summed over the corpus; raw, without add-k. */
  totals: number[];
  /** Smoothed precisions per order on the 0–100 scale (0 for orders not reached). */
  precisions: number[];
  /** Brevity penalty. */
  bp: number;
  /** Hypothesis length in tokens (corpus sum). */
  sysLen: number;
  /** Closest reference length in tokens (corpus sum; ties → the shorter reference). */
  refLen: number;
  /** sacreBLEU signature, e.g. `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`. */
  signature: string;
}

const BLEU_OPTION_KEYS: readonly string[] = [
  "tokenize",
  "lowercase",
  "smoothMethod",
  "smoothValue",
  "maxNgramOrder",
  "effectiveOrder",
];
const SMOOTH_METHODS: readonly BleuSmoothMethod[] = ["exp", "floor", "add-k", "none"];
/** `BLEU.SMOOTH_DEFAULTS`. */
const SMOOTH_DEFAULTS: Readonly<Record<BleuSmoothMethod, number | null>> = {
  none: null,
  floor: 0.1,
  "add-k": 1,
  exp: null,
};

/** Options after validation and defaulting. */
export interface ResolvedBleuOptions {
  readonly tokenizer: BleuTokenizer;
  readonly lowercase: boolean;
  readonly smoothMethod: BleuSmoothMethod;
  /** The value the arithmetic uses (method default applied; 0 when the method takes none). */
  readonly smoothValue: number;
  readonly maxNgramOrder: number;
  readonly effectiveOrder: boolean;
  /** The signature without the leading `nrefs:…|`. */
  readonly signatureTail: string;
}

/** Validates and defaults BLEU options (`fn` names the public function in error messages). */
export function resolveBleuOptions(
  opts: BleuOptions | undefined,
  sentence: boolean,
  fn: string,
): ResolvedBleuOptions {
  checkOptionKeys(opts, BLEU_OPTION_KEYS, fn);
  const o: BleuOptions = opts ?? {};
  const tokenizer = getBleuTokenizer(o.tokenize ?? "13a");
  const lowercase = boolOpt(o.lowercase, "lowercase", fn, false);
  const smoothMethod = choiceOpt(o.smoothMethod, "smoothMethod", fn, SMOOTH_METHODS, "exp");
  const rawValue = numberOpt(o.smoothValue, "smoothValue", fn, null, 0);
  const maxNgramOrder = intOpt(o.maxNgramOrder, "maxNgramOrder", fn, 4, 1, 64);
  const effectiveOrder = boolOpt(o.effectiveOrder, "effectiveOrder", fn, sentence);
  const dflt = SMOOTH_DEFAULTS[smoothMethod];
  const smoothValue = rawValue ?? dflt ?? 0;
  let smooth: string = smoothMethod;
  if (dflt !== null) smooth += `[${pyFixed(smoothValue, 2)}]`;
  const signatureTail =
    `case:${lowercase ? "lc" : "mixed"}|eff:${effectiveOrder ? "yes" : "no"}|tok:${tokenizer.name}|` +
    `smooth:${smooth}|version:${SACREBLEU_VERSION}`;
  return { tokenizer, lowercase, smoothMethod, smoothValue, maxNgramOrder, effectiveOrder, signatureTail };
}

/** `BLEU._preprocess_segment` followed by `.split()`: optional lowercasing, right-strip, tokenization. */
export function bleuTokens(o: ResolvedBleuOptions, text: string): string[] {
  return o.tokenizer.line(pyRstrip(o.lowercase ? pyLower(text) : text));
}

/** `my_log`: `log`, floored to −9999999999 at 0. */
function myLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

/** BLEU's brevity penalty: `exp(1 − r/c)` when the hypothesis side is shorter, 0 when it is empty. */
export function brevityPenalty(sysLen: number, refLen: number): number {
  if (sysLen < refLen) return sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0.0;
  return 1.0;
}

/**
 * `BLEU.compute_bleu`'s score, writing the smoothed precisions to `precisions` (length maxNgramOrder, zeroed
 * here): sacreBLEU's order of operations (add-k before the zero-total check, `exp` doubling per zero-match order,
 * sequential `sum` of the logs). Allocates nothing, for the per-token scorers.
 */
export function bleuScoreInto(
  correct: ArrayLike<number>,
  total: ArrayLike<number>,
  sysLen: number,
  refLen: number,
  o: Pick<ResolvedBleuOptions, "smoothMethod" | "smoothValue" | "maxNgramOrder" | "effectiveOrder">,
  precisions: number[],
): number {
  const N = o.maxNgramOrder;
  const bp = brevityPenalty(sysLen, refLen);
  let anyMatch = false;
  for (let i = 0; i < N; i++) {
    precisions[i] = 0;
    if ((correct[i] as number) !== 0) anyMatch = true;
  }
  if (!anyMatch) return 0.0;

  const method = o.smoothMethod;
  const v = o.smoothValue;
  let smoothMteval = 1.0;
  let effOrder = N;
  for (let n = 1; n <= N; n++) {
    let c = correct[n - 1] as number;
    let t = total[n - 1] as number;
    if (method === "add-k" && n > 1) {
      c += v;
      t += v;
    }
    if (t === 0) break;
    if (o.effectiveOrder) effOrder = n;
    if (c === 0) {
      if (method === "exp") {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * t);
      } else if (method === "floor") {
        precisions[n - 1] = (100 * v) / t;
      }
    } else {
      precisions[n - 1] = (100 * c) / t;
    }
  }
  let logSum = 0;
  for (let i = 0; i < effOrder; i++) logSum += myLog(precisions[i] as number);
  return bp * Math.exp(logSum / effOrder);
}

/** `BLEU.compute_bleu`: the score, smoothed precisions and brevity penalty from corpus statistics. */
export function computeBleu(
  correct: ArrayLike<number>,
  total: ArrayLike<number>,
  sysLen: number,
  refLen: number,
  o: Pick<ResolvedBleuOptions, "smoothMethod" | "smoothValue" | "maxNgramOrder" | "effectiveOrder">,
): { score: number; precisions: number[]; bp: number } {
  const precisions: number[] = new Array<number>(o.maxNgramOrder).fill(0);
  const score = bleuScoreInto(correct, total, sysLen, refLen, o, precisions);
  return { score, precisions, bp: brevityPenalty(sysLen, refLen) };
}

/** `BLEU._get_closest_ref_len`: the reference length closest to `hypLen`, ties → the shorter. */
export function closestRefLen(hypLen: number, refLens: ArrayLike<number>): number {
  let closestDiff = -1;
  let closestLen = -1;
  for (let i = 0; i < refLens.length; i++) {
    const refLen = refLens[i] as number;
    const diff = Math.abs(hypLen - refLen);
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLen = refLen;
    } else if (diff === closestDiff && refLen < closestLen) {
      closestLen = refLen;
    }
  }
  return closestLen;
}

/**
 * The references of one segment, preprocessed: interned tokens, the trie of their n-grams and, per n-gram, the
 * maximum count over the references (the clipping limit).
 */
export class BleuReferenceSet {
  readonly vocab: SymbolTable<string> = new SymbolTable<string>();
  readonly trie: NgramTrie = new NgramTrie(0, 1, 0);
  /** Clipping limit per n-gram id: the max count over the references. */
  refMax: Int32Array = EMPTY;
  /** Token count of each reference. */
  refLens: number[] = [];
  #counts: Int32Array = EMPTY;

  constructor(refTokens: readonly (readonly string[])[], maxOrder: number) {
    this.load(refTokens, maxOrder);
  }

  /** Replaces the references (reusing this object's buffers; the batch scorers keep one instance). */
  load(refTokens: readonly (readonly string[])[], maxOrder: number): void {
    const vocab = this.vocab;
    vocab.clear();
    let total = 0;
    let maxOcc = 0;
    const refLens = this.refLens;
    refLens.length = 0;
    for (let r = 0; r < refTokens.length; r++) {
      const len = (refTokens[r] as readonly string[]).length;
      refLens.push(len);
      total += len;
      maxOcc = Math.max(maxOcc, ngramCount(len, maxOrder));
    }
    const syms = scratchInt32("a", total);
    let k = 0;
    for (const toks of refTokens) for (const t of toks) syms[k++] = vocab.intern(t);
    const bound = ngramBound(vocab.size, refLens, maxOrder);
    const trie = this.trie;
    trie.reset(vocab.size, maxOrder, bound);
    const ids = scratchInt32("b", maxOcc);
    if (this.refMax.length < bound) this.refMax = allocInt32(bound);
    else this.refMax.fill(0, 0, bound);
    if (refTokens.length > 1 && this.#counts.length < bound) this.#counts = allocInt32(bound);
    const refMax = this.refMax;
    const counts = this.#counts;
    let off = 0;
    for (let r = 0; r < refTokens.length; r++) {
      const len = refLens[r] as number;
      const n = trie.insertAll(syms.subarray(off, off + len), ids, 0);
      off += len;
      if (refTokens.length === 1) {
        for (let i = 0; i < n; i++) refMax[ids[i] as number] = (refMax[ids[i] as number] as number) + 1;
        continue;
      }
      for (let i = 0; i < n; i++) counts[ids[i] as number] = (counts[ids[i] as number] as number) + 1;
      for (let i = 0; i < n; i++) {
        const id = ids[i] as number;
        const c = counts[id] as number;
        if (c > (refMax[id] as number)) refMax[id] = c;
      }
      for (let i = 0; i < n; i++) counts[ids[i] as number] = 0;
    }
    this.numRefs = refTokens.length;
  }

  /** The number of references loaded. */
  numRefs = 0;

  /** The closest reference length to `hypLen` (ties → the shorter). */
  closestRefLen(hypLen: number): number {
    return closestRefLen(hypLen, this.refLens);
  }
}

/**
 * Hypothesis-side BLEU statistics against one {@link BleuReferenceSet}, updated one token at a time (push/pop).
 * Used by the batch scorers (push every token) and by the incremental scorer (pop the changed tail, push the new).
 */
export class BleuHypState {
  readonly refs: BleuReferenceSet;
  readonly stack: NgramStack;
  /** Clipped matches per order (index n-1). */
  correct: Float64Array;

  constructor(refs: BleuReferenceSet, capacity = 64) {
    this.refs = refs;
    this.stack = new NgramStack(refs.trie, capacity);
    this.correct = allocFloat64(refs.trie.maxOrder);
  }

  /** Starts an empty hypothesis after `refs` was reloaded. */
  reset(capacity: number): void {
    this.stack.reset(capacity);
    if (this.correct.length !== this.refs.trie.maxOrder) this.correct = allocFloat64(this.refs.trie.maxOrder);
    else this.correct.fill(0);
  }

  /** The symbol id of `token` (−1 when no reference contains it). */
  sym(token: string): number {
    return this.refs.vocab.lookup(token);
  }

  /** Appends one token symbol. */
  push(sym: number): void {
    const st = this.stack;
    const found = st.push(sym);
    const pos = st.length - 1;
    const counts = st.counts;
    const refMax = this.refs.refMax;
    const correct = this.correct;
    for (let n = 1; n <= found; n++) {
      const id = st.idAt(pos, n);
      const c = (counts[id] as number) + 1;
      counts[id] = c;
      if (c <= (refMax[id] as number)) correct[n - 1] = (correct[n - 1] as number) + 1;
    }
  }

  /** Removes the last token. */
  pop(): void {
    const st = this.stack;
    const pos = st.length - 1;
    const counts = st.counts;
    const refMax = this.refs.refMax;
    const correct = this.correct;
    for (let n = 1; n <= st.maxOrder; n++) {
      const id = st.idAt(pos, n);
      if (id < 0) break;
      const c = counts[id] as number;
      counts[id] = c - 1;
      if (c <= (refMax[id] as number)) correct[n - 1] = (correct[n - 1] as number) - 1;
    }
    st.pop();
  }

  /** Empties the hypothesis. */
  clear(): void {
    while (this.stack.length > 0) this.pop();
  }
}

/** One reusable reference set + hypothesis state for the batch scorers (scoring is synchronous, never re-entered). */
let shared: BleuHypState | undefined;

/** One segment's statistics `[hypLen, refLen, correct…, total…]` (sacreBLEU's `_compute_segment_statistics`). */
function segmentStats(
  refTokens: readonly (readonly string[])[],
  hypTokens: readonly string[],
  maxOrder: number,
  out: Float64Array,
): void {
  if (shared === undefined) shared = new BleuHypState(new BleuReferenceSet(refTokens, maxOrder));
  else shared.refs.load(refTokens, maxOrder);
  const st = shared;
  st.reset(hypTokens.length + 1);
  const vocab = st.refs.vocab;
  for (const t of hypTokens) st.push(vocab.lookup(t));
  const N = maxOrder;
  const len = hypTokens.length;
  out[0] = (out[0] as number) + len;
  out[1] = (out[1] as number) + st.refs.closestRefLen(len);
  for (let n = 1; n <= N; n++) {
    out[1 + n] = (out[1 + n] as number) + (st.correct[n - 1] as number);
    out[1 + N + n] = (out[1 + N + n] as number) + Math.max(0, len - n + 1);
  }
}

/** Builds the result object from summed statistics. */
function bleuFromStats(stats: Float64Array, o: ResolvedBleuOptions, nrefs: number | "var"): BleuScore {
  const N = o.maxNgramOrder;
  const counts = Array.from(stats.subarray(2, 2 + N));
  const totals = Array.from(stats.subarray(2 + N, 2 + 2 * N));
  const sysLen = stats[0] as number;
  const refLen = stats[1] as number;
  const { score, precisions, bp } = computeBleu(counts, totals, sysLen, refLen, o);
  return {
    score,
    counts,
    totals,
    precisions,
    bp,
    sysLen,
    refLen,
    signature: `nrefs:${nrefs}|${o.signatureTail}`,
  };
}

/**
 * Corpus BLEU (sacreBLEU `BLEU(...).corpus_score`): n-gram statistics are summed over all segments before the
 * score is computed.
 *
 * @param hyps one hypothesis per segment.
 * @param refs `refs[i]` lists the references of `hyps[i]` (any number ≥ 1; `""` is a real, empty reference).
 * @param opts see {@link BleuOptions}; `effectiveOrder` defaults to false here.
 * @throws RewardsInputError for non-strings or mismatched lengths; RewardsOptionError for bad options.
 */
export function corpusBleu(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
  opts?: BleuOptions,
): BleuScore {
  const o = resolveBleuOptions(opts, false, "corpusBleu");
  checkCorpus(hyps, refs, "corpusBleu");
  const N = o.maxNgramOrder;
  const stats = allocFloat64(2 + 2 * N);
  for (let i = 0; i < hyps.length; i++) {
    const refTokens = (refs[i] as readonly string[]).map((r) => bleuTokens(o, r));
    segmentStats(refTokens, bleuTokens(o, hyps[i] as string), N, stats);
  }
  return bleuFromStats(stats, o, nrefsOf(refs));
}

/**
 * Sentence BLEU (sacreBLEU `sentence_bleu` / `BLEU(...).sentence_score`).
 *
 * @param hyp the hypothesis.
 * @param refs its references (at least one).
 * @param opts see {@link BleuOptions}; `effectiveOrder` defaults to true here.
 */
export function sentenceBleu(hyp: string, refs: readonly string[], opts?: BleuOptions): BleuScore {
  const o = resolveBleuOptions(opts, true, "sentenceBleu");
  checkString(hyp, "hyp", "sentenceBleu");
  checkRefList(refs, "refs", "sentenceBleu");
  const N = o.maxNgramOrder;
  const stats = allocFloat64(2 + 2 * N);
  segmentStats(
    refs.map((r) => bleuTokens(o, r)),
    bleuTokens(o, hyp),
    N,
    stats,
  );
  return bleuFromStats(stats, o, refs.length);
}
