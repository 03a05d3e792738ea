/**
 * chrF (Popović, 2015) and chrF++ (Popović, 2017) exactly as sacreBLEU 2.6.0 computes them: character n-grams
 * over code points (whitespace removed unless `whitespace`), optional word n-grams with chrF++'s one-character
 * punctuation split, best reference per segment by F-score, corpus score from summed statistics, sacreBLEU's
 * effective-order averaging (or chrF++.py's eps smoothing), same signature string.
 */
import {
  boolOpt,
  checkCorpus,
  checkOptionKeys,
  checkRefList,
  checkString,
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
import { PY_WS_TABLE, pyLower, pySplit } from "./tokenizers/python.js";

/** Module-local copy of Python's whitespace test (see `PY_WS_TABLE`). */
const WS = PY_WS_TABLE;
function isWs(c: number): boolean {
  return c <= 0x3000 && WS[c] === 1;
}

/** chrF options; the names mirror sacreBLEU's `CHRF(...)` keyword arguments in camelCase. */
export interface ChrfOptions {
  /** Character n-gram order. @default 6 */
  charOrder?: number;
  /** Word n-gram order: 0 = chrF, 2 = chrF++. @default 0 */
  wordOrder?: number;
  /** Recall weight β of the F-score. @default 2 */
  beta?: number;
  /** Lowercase hypotheses and references (Python `str.lower()`). @default false */
  lowercase?: boolean;
  /** Keep whitespace characters in character n-grams. @default false */
  whitespace?: boolean;
  /** chrF++.py / Moses / NLTK eps smoothing instead of sacreBLEU's effective-order averaging. @default false */
  epsSmoothing?: boolean;
}

/** A chrF result. */
export interface ChrfScore {
  /** chrF (or chrF++) on the 0–100 scale. */
  score: number;
  /**
   * Summed statistics `[hypNgrams, refNgrams, matches]` per order — character orders 1..charOrder, then word
   * orders 1..wordOrder — taken from each segment's best reference.
   */
  stats: number[][];
  /** sacreBLEU signature, e.g. `nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0`. */
  signature: string;
}

const CHRF_OPTION_KEYS: readonly string[] = [
  "charOrder",
  "wordOrder",
  "beta",
  "lowercase",
  "whitespace",
  "epsSmoothing",
];

/** Options after validation and defaulting. */
export interface ResolvedChrfOptions {
  readonly charOrder: number;
  readonly wordOrder: number;
  readonly beta: number;
  readonly lowercase: boolean;
  readonly whitespace: boolean;
  readonly epsSmoothing: boolean;
  /** The signature without the leading `nrefs:…|`. */
  readonly signatureTail: string;
}

/** Validates and defaults chrF options. */
export function resolveChrfOptions(opts: ChrfOptions | undefined, fn: string): ResolvedChrfOptions {
  checkOptionKeys(opts, CHRF_OPTION_KEYS, fn);
  const o: ChrfOptions = opts ?? {};
  const charOrder = intOpt(o.charOrder, "charOrder", fn, 6, 0, 64);
  const wordOrder = intOpt(o.wordOrder, "wordOrder", fn, 0, 0, 64);
  if (charOrder + wordOrder === 0) {
    intOpt(0, "charOrder", fn, 6, 1, 64); // throws: at least one order is needed
  }
  const beta = numberOpt(o.beta, "beta", fn, 2, 0);
  const lowercase = boolOpt(o.lowercase, "lowercase", fn, false);
  const whitespace = boolOpt(o.whitespace, "whitespace", fn, false);
  const epsSmoothing = boolOpt(o.epsSmoothing, "epsSmoothing", fn, false);
  const signatureTail =
    `case:${lowercase ? "lc" : "mixed"}|eff:${epsSmoothing ? "no" : "yes"}|nc:${charOrder}|nw:${wordOrder}|` +
    `space:${whitespace ? "yes" : "no"}|version:${SACREBLEU_VERSION}`;
  return { charOrder, wordOrder, beta, lowercase, whitespace, epsSmoothing, signatureTail };
}

/** `string.punctuation` as a lookup by char code. */
const PUNCT: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (const ch of "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") t[ch.charCodeAt(0)] = 1;
  return t;
})();

function isPunct(c: number): boolean {
  return c < 128 && PUNCT[c] === 1;
}

/**
 * `CHRF._remove_punctuation` over `text.split()`: a word of ≥ 2 characters loses one trailing ASCII punctuation
 * character, or else one leading one, as a separate word (so `(hi)` → `(hi`, `)`). A single astral character is
 * one Python character and neither of its UTF-16 halves is punctuation, so `w.length` can stand in for `len(w)`.
 */
export function chrfWords(text: string): string[] {
  const out: string[] = [];
  for (const w of pySplit(text)) {
    if (w.length === 1) {
      out.push(w);
    } else if (isPunct(w.charCodeAt(w.length - 1))) {
      out.push(w.slice(0, -1), w.slice(-1));
    } else if (isPunct(w.charCodeAt(0))) {
      out.push(w.slice(0, 1), w.slice(1));
    } else {
      out.push(w);
    }
  }
  return out;
}

/** The code points chrF's character n-grams run over (whitespace dropped unless `keepWhitespace`). */
export function chrfChars(text: string, keepWhitespace: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
      }
    } else if (!keepWhitespace && isWs(c)) {
      continue;
    }
    out.push(c);
  }
  return out;
}

/** `CHRF._compute_f_score`: the 0–100 score of flattened `[hyp, ref, match] × order` statistics. */
export function computeChrf(stats: ArrayLike<number>, beta: number, epsSmoothing: boolean): number {
  const eps = 1e-16;
  const order = stats.length / 3;
  const factor = beta * beta;
  let score = 0.0;
  let effectiveOrder = 0;
  let avgPrec = 0.0;
  let avgRec = 0.0;
  for (let i = 0; i < order; i++) {
    const nHyp = stats[3 * i] as number;
    const nRef = stats[3 * i + 1] as number;
    const nMatch = stats[3 * i + 2] as number;
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    const denom = factor * prec + rec;
    score += denom > 0 ? ((1 + factor) * prec * rec) / denom : eps;
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effectiveOrder += 1;
    }
  }
  if (epsSmoothing) return (100 * score) / order;
  if (effectiveOrder === 0) {
    avgPrec = 0.0;
    avgRec = 0.0;
  } else {
    avgPrec /= effectiveOrder;
    avgRec /= effectiveOrder;
  }
  if (avgPrec + avgRec !== 0) {
    score = (1 + factor) * avgPrec * avgRec;
    score /= factor * avgPrec + avgRec;
    return 100 * score;
  }
  return 0.0;
}

/** One n-gram stream (characters or words) of a segment's references. */
export class ChrfStreamRefs<K extends string | number> {
  readonly vocab: SymbolTable<K> = new SymbolTable<K>();
  readonly trie: NgramTrie = new NgramTrie(0, 1, 0);
  order = 0;
  numRefs = 0;
  /** Row length of {@link refCounts} (an upper bound on the number of n-gram ids). */
  stride = 0;
  /** `refCounts[r * stride + id]`: count of n-gram `id` in reference r. */
  refCounts: Int32Array = EMPTY;
  /** `refTotals[r * order + n - 1]`: number of n-grams of order n in reference r. */
  refTotals: Int32Array = EMPTY;

  constructor(refSeqs: readonly (readonly K[])[], order: number) {
    this.load(refSeqs, order);
  }

  /** Replaces the references, reusing buffers (the batch scorers keep one instance). */
  load(refSeqs: readonly (readonly K[])[], order: number): void {
    const vocab = this.vocab;
    vocab.clear();
    const numRefs = refSeqs.length;
    const maxOrder = Math.max(order, 1);
    const lengths: number[] = [];
    let total = 0;
    let maxOcc = 0;
    for (const seq of refSeqs) {
      lengths.push(seq.length);
      total += seq.length;
      maxOcc = Math.max(maxOcc, ngramCount(seq.length, maxOrder));
    }
    const syms = scratchInt32("a", total);
    let k = 0;
    for (const seq of refSeqs) for (let i = 0; i < seq.length; i++) syms[k++] = vocab.intern(seq[i] as K);
    const bound = ngramBound(vocab.size, lengths, maxOrder);
    this.trie.reset(vocab.size, maxOrder, bound);
    const ids = scratchInt32("b", maxOcc);
    if (this.refCounts.length < numRefs * bound) this.refCounts = allocInt32(numRefs * bound);
    else this.refCounts.fill(0, 0, numRefs * bound);
    if (this.refTotals.length < numRefs * order) this.refTotals = allocInt32(numRefs * order);
    const { refCounts, refTotals } = this;
    let off = 0;
    for (let r = 0; r < numRefs; r++) {
      const len = lengths[r] as number;
      const n = this.trie.insertAll(syms.subarray(off, off + len), ids, 0);
      off += len;
      const base = r * bound;
      for (let i = 0; i < n; i++)
        refCounts[base + (ids[i] as number)] = (refCounts[base + (ids[i] as number)] as number) + 1;
      for (let m = 1; m <= order; m++) refTotals[r * order + m - 1] = Math.max(0, len - m + 1);
    }
    this.order = order;
    this.numRefs = numRefs;
    this.stride = bound;
  }
}

/** Hypothesis side of one stream: per-reference match counts kept up to date under push/pop. */
export class ChrfStreamHyp<K extends string | number> {
  readonly refs: ChrfStreamRefs<K>;
  readonly stack: NgramStack;
  /** `matches[r * order + n - 1]`. */
  matches: Int32Array;

  constructor(refs: ChrfStreamRefs<K>, capacity = 64) {
    this.refs = refs;
    this.stack = new NgramStack(refs.trie, capacity);
    this.matches = allocInt32(Math.max(1, refs.numRefs * refs.order));
  }

  /** Starts an empty hypothesis after `refs` was reloaded. */
  reset(capacity: number): void {
    this.stack.reset(capacity);
    const need = this.refs.numRefs * this.refs.order;
    if (this.matches.length < need) this.matches = allocInt32(need * 2);
    else this.matches.fill(0, 0, need);
  }

  sym(key: K): number {
    return this.refs.vocab.lookup(key);
  }

  push(sym: number): void {
    const st = this.stack;
    const { refCounts, numRefs, order, stride } = this.refs;
    const found = Math.min(st.push(sym), order);
    const pos = st.length - 1;
    const counts = st.counts;
    const matches = this.matches;
    for (let n = 1; n <= found; n++) {
      const id = st.idAt(pos, n);
      const c = (counts[id] as number) + 1;
      counts[id] = c;
      for (let r = 0; r < numRefs; r++) {
        if (c <= (refCounts[r * stride + id] as number))
          matches[r * order + n - 1] = (matches[r * order + n - 1] as number) + 1;
      }
    }
  }

  pop(): void {
    const st = this.stack;
    const pos = st.length - 1;
    const counts = st.counts;
    const { refCounts, numRefs, order, stride } = this.refs;
    const matches = this.matches;
    for (let n = 1; n <= order; n++) {
      const id = st.idAt(pos, n);
      if (id < 0) break;
      const c = counts[id] as number;
      counts[id] = c - 1;
      for (let r = 0; r < numRefs; r++) {
        if (c <= (refCounts[r * stride + id] as number))
          matches[r * order + n - 1] = (matches[r * order + n - 1] as number) - 1;
      }
    }
    st.pop();
  }

  /** Writes `[hyp, ref, match]` for each order of reference `r` into `out` from offset `off`. */
  writeStats(r: number, out: Float64Array, off: number): void {
    const { refTotals, order } = this.refs;
    const len = this.stack.length;
    for (let n = 1; n <= order; n++) {
      const refTotal = refTotals[r * order + n - 1] as number;
      out[off + 3 * (n - 1)] = refTotal > 0 ? Math.max(0, len - n + 1) : 0;
      out[off + 3 * (n - 1) + 1] = refTotal;
      out[off + 3 * (n - 1) + 2] = this.matches[r * order + n - 1] as number;
    }
  }
}

/** `CHRF._preprocess_segment` + n-gram inputs of one text: its code points and (chrF++) its words. */
export function chrfUnits(o: ResolvedChrfOptions, text: string): { chars: number[]; words: string[] } {
  const t = o.lowercase ? pyLower(text) : text;
  return { chars: chrfChars(t, o.whitespace), words: o.wordOrder > 0 ? chrfWords(t) : [] };
}

/** A segment's references, preprocessed into both streams. */
export class ChrfReferenceSet {
  readonly chars: ChrfStreamRefs<number>;
  readonly words: ChrfStreamRefs<string>;
  numRefs: number;

  constructor(o: ResolvedChrfOptions, refs: readonly string[]) {
    const units = refs.map((r) => chrfUnits(o, r));
    this.chars = new ChrfStreamRefs(
      units.map((u) => u.chars),
      o.charOrder,
    );
    this.words = new ChrfStreamRefs(
      units.map((u) => u.words),
      o.wordOrder,
    );
    this.numRefs = refs.length;
  }

  /** Replaces the references, reusing buffers. */
  load(o: ResolvedChrfOptions, refs: readonly string[]): void {
    const units = refs.map((r) => chrfUnits(o, r));
    this.chars.load(
      units.map((u) => u.chars),
      o.charOrder,
    );
    this.words.load(
      units.map((u) => u.words),
      o.wordOrder,
    );
    this.numRefs = refs.length;
  }
}

/** The hypothesis side of a segment: both streams. */
export class ChrfHypState {
  readonly refs: ChrfReferenceSet;
  readonly chars: ChrfStreamHyp<number>;
  readonly words: ChrfStreamHyp<string>;
  #o: ResolvedChrfOptions;
  #scratch: Float64Array;

  constructor(o: ResolvedChrfOptions, refs: ChrfReferenceSet) {
    this.#o = o;
    this.refs = refs;
    this.chars = new ChrfStreamHyp(refs.chars);
    this.words = new ChrfStreamHyp(refs.words);
    this.#scratch = allocFloat64(3 * (o.charOrder + o.wordOrder));
  }

  /** Starts an empty hypothesis after `refs` was reloaded with options `o`. */
  reset(o: ResolvedChrfOptions, charCapacity: number, wordCapacity: number): void {
    this.#o = o;
    if (this.#scratch.length !== 3 * (o.charOrder + o.wordOrder))
      this.#scratch = allocFloat64(3 * (o.charOrder + o.wordOrder));
    this.chars.reset(charCapacity);
    this.words.reset(wordCapacity);
  }

  /**
   * The statistics of the best reference (highest F, first on ties), written to `out` (length 3 × orders);
   * returns the segment's F-score.
   */
  bestStats(out: Float64Array): number {
    const o = this.#o;
    const s = this.#scratch;
    let best = -1.0;
    for (let r = 0; r < this.refs.numRefs; r++) {
      this.chars.writeStats(r, s, 0);
      this.words.writeStats(r, s, 3 * o.charOrder);
      const f = computeChrf(s, o.beta, o.epsSmoothing);
      if (f > best) {
        best = f;
        out.set(s);
      }
    }
    return best;
  }
}

/** One reusable state for the batch scorers (scoring is synchronous, never re-entered). */
let shared: ChrfHypState | undefined;

function segmentState(o: ResolvedChrfOptions, hyp: string, refs: readonly string[]): ChrfHypState {
  if (shared === undefined) shared = new ChrfHypState(o, new ChrfReferenceSet(o, refs));
  else shared.refs.load(o, refs);
  const st = shared;
  const u = chrfUnits(o, hyp);
  st.reset(o, u.chars.length + 1, u.words.length + 1);
  for (const c of u.chars) st.chars.push(st.chars.sym(c));
  for (const w of u.words) st.words.push(st.words.sym(w));
  return st;
}

function chrfResult(o: ResolvedChrfOptions, sums: Float64Array, nrefs: number | "var"): ChrfScore {
  const stats: number[][] = [];
  for (let i = 0; i < sums.length; i += 3)
    stats.push([sums[i] as number, sums[i + 1] as number, sums[i + 2] as number]);
  return {
    score: computeChrf(sums, o.beta, o.epsSmoothing),
    stats,
    signature: `nrefs:${nrefs}|${o.signatureTail}`,
  };
}

/**
 * Corpus chrF / chrF++ (sacreBLEU `CHRF(...).corpus_score`).
 *
 * @param hyps one hypothesis per segment.
 * @param refs `refs[i]` lists the references of `hyps[i]`; the best-scoring one counts for each segment.
 * @param opts see {@link ChrfOptions} (`wordOrder: 2` for chrF++).
 */
export function corpusChrf(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
  opts?: ChrfOptions,
): ChrfScore {
  const o = resolveChrfOptions(opts, "corpusChrf");
  checkCorpus(hyps, refs, "corpusChrf");
  const width = 3 * (o.charOrder + o.wordOrder);
  const sums = allocFloat64(width);
  const best = allocFloat64(width);
  for (let i = 0; i < hyps.length; i++) {
    segmentState(o, hyps[i] as string, refs[i] as readonly string[]).bestStats(best);
    for (let k = 0; k < width; k++) sums[k] = (sums[k] as number) + (best[k] as number);
  }
  return chrfResult(o, sums, nrefsOf(refs));
}

/** Sentence chrF / chrF++ (sacreBLEU `sentence_chrf`). */
export function sentenceChrf(hyp: string, refs: readonly string[], opts?: ChrfOptions): ChrfScore {
  const o = resolveChrfOptions(opts, "sentenceChrf");
  checkString(hyp, "hyp", "sentenceChrf");
  checkRefList(refs, "refs", "sentenceChrf");
  const best = allocFloat64(3 * (o.charOrder + o.wordOrder));
  segmentState(o, hyp, refs).bestStats(best);
  return chrfResult(o, best, refs.length);
}
