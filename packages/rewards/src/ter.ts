/**
 * TER (translation edit rate, Snover et al. 2006) exactly as sacreBLEU 2.6.0 computes it: a port of
 * `sacrebleu/metrics/ter.py`, `lib_ter.py` (its Tercom re-implementation: greedy shifts chosen by a beam-limited
 * edit distance with a prefix cache) and `tokenizers/tokenizer_ter.py`. The constants, the shift ranking and the
 * loop limits are sacreBLEU's; the results agree with it on every reference vector, ties included.
 */

import { RewardsInputError } from "./errors.js";
import { boolOption, checkOptions, checkString, checkStringList, toStringList } from "./reward-validate.js";
import { pyLower, pyRstrip, pySplit } from "./tokenizers/python.js";

// Tercom-inspired limits (lib_ter.py).
const MAX_SHIFT_SIZE = 10;
const MAX_SHIFT_DIST = 50;
const BEAM_WIDTH = 25;
// sacreBLEU's own limits.
const MAX_CACHE_SIZE = 10000;
const MAX_SHIFT_CANDIDATES = 1000;

// Edit operations, as char codes of sacreBLEU's one-letter names.
const OP_INS = 0x69; // 'i'
const OP_DEL = 0x64; // 'd'
const OP_NOP = 0x20; // ' '
const OP_SUB = 0x73; // 's'
const OP_UNDEF = 0x78; // 'x'

/** The sacreBLEU version whose TER this module reproduces; it ends every signature. */
export const SACREBLEU_VERSION = "2.6.0";

/** Options of {@link corpusTer} / {@link sentenceTer} (sacreBLEU `TER(...)` keyword arguments). */
export interface TerOptions {
  /** Tercom normalisation: join lines, unescape `&quot; &amp; &lt; &gt;`, split off punctuation. @default false */
  readonly normalized?: boolean;
  /** Remove the punctuation characters `.,?:;!"()` (and CJK punctuation with `asianSupport`). @default false */
  readonly noPunct?: boolean;
  /** Split CJK characters (with `normalized`) and remove CJK/full-width punctuation (with `noPunct`). @default false */
  readonly asianSupport?: boolean;
  /** Keep case; when false, both sides are lowercased with Python `str.lower()` semantics. @default false */
  readonly caseSensitive?: boolean;
}

/** A TER result, as sacreBLEU's `TERScore`. */
export interface TerResult {
  /** 100 · edits / reference length; can exceed 100. 100 for an empty reference and non-empty hypothesis. */
  readonly score: number;
  /** Total number of edits (per segment: the minimum over its references). */
  readonly numEdits: number;
  /** Sum over segments of the average reference length in words. */
  readonly refLength: number;
  /** sacreBLEU signature, e.g. `nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0`. */
  readonly signature: string;
}

const TER_OPTION_KEYS = ["normalized", "noPunct", "asianSupport", "caseSensitive"] as const;

interface ResolvedTerOptions {
  normalized: boolean;
  noPunct: boolean;
  asianSupport: boolean;
  caseSensitive: boolean;
}

function resolveTerOptions(opts: TerOptions | undefined, fn: string): ResolvedTerOptions {
  checkOptions(opts, TER_OPTION_KEYS, fn);
  return {
    normalized: boolOption(opts?.normalized, "normalized", fn, false),
    noPunct: boolOption(opts?.noPunct, "noPunct", fn, false),
    asianSupport: boolOption(opts?.asianSupport, "asianSupport", fn, false),
    caseSensitive: boolOption(opts?.caseSensitive, "caseSensitive", fn, false),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer (tokenizer_ter.py). Python's `re` works on code points, hence the `u` flags.

const ASIAN_PUNCT = /([\u3001\u3002\u3008-\u3011\u3014-\u301f\uff61-\uff65\u30fb])/gu;
const FULL_WIDTH_PUNCT = /([\uff0e\uff0c\uff1f\uff1a\uff1b\uff01\uff02\uff08\uff09])/gu;

function normalizeGeneralAndWestern(sent: string): string {
  // language-independent part: strip end-of-line hyphenation, join lines, unescape XML
  sent = sent.replace(/\n-/gu, "");
  sent = sent.replace(/\n/gu, " ");
  sent = sent.replace(/&quot;/gu, '"');
  sent = sent.replace(/&amp;/gu, "&");
  sent = sent.replace(/&lt;/gu, "<");
  sent = sent.replace(/&gt;/gu, ">");
  // language-dependent (Western) part
  sent = ` ${sent} `;
  // Python: r"([{-~[-` -&(-+:-@/])" — the ASCII ranges {-~, [-`, space-&, (-+, :-@ and '/'
  sent = sent.replace(/([\x7b-\x7e\x5b-\x60\x20-\x26\x28-\x2b\x3a-\x40/])/gu, " $1 ");
  // possessives ("'s$" can never match: the string ends with the space added above)
  sent = sent.replace(/'s /gu, " 's ");
  sent = sent.replace(/'s$/gu, " 's");
  // period and comma unless preceded by a digit, then unless followed by a digit
  sent = sent.replace(/([^0-9])([.,])/gu, "$1 $2 ");
  sent = sent.replace(/([.,])([^0-9])/gu, " $1 $2");
  // dash when preceded by a digit
  sent = sent.replace(/([0-9])(-)/gu, "$1 $2 ");
  return sent;
}

function normalizeAsian(sent: string): string {
  // CJK Unified Ideographs (+ Extension A), strokes, radicals, compatibility blocks; sacreBLEU's ranges verbatim
  sent = sent.replace(/([\u4e00-\u9fff\u3400-\u4dbf])/gu, " $1 ");
  sent = sent.replace(/([\u31c0-\u31ef\u2e80-\u2eff])/gu, " $1 ");
  sent = sent.replace(/([\u3300-\u33ff\uf900-\ufaff\ufe30-\ufe4f])/gu, " $1 ");
  sent = sent.replace(/([\u3200-\u3f22])/gu, " $1 ");
  // Hiragana / Katakana / Katakana Phonetic Extensions "only when adjacent to something else". As written in
  // sacreBLEU these patterns are anchored at the very start and end of the string, which after the general
  // normalisation always starts with a space, so they only fire on a whole-string kana run; kept as written.
  sent = sent.replace(/(^|^[\u3040-\u309f])([\u3040-\u309f]+)(?=$|^[\u3040-\u309f])/gu, "$1 $2 ");
  sent = sent.replace(/(^|^[\u30a0-\u30ff])([\u30a0-\u30ff]+)(?=$|^[\u30a0-\u30ff])/gu, "$1 $2 ");
  sent = sent.replace(/(^|^[\u31f0-\u31ff])([\u31f0-\u31ff]+)(?=$|^[\u31f0-\u31ff])/gu, "$1 $2 ");
  sent = sent.replace(ASIAN_PUNCT, " $1 ");
  sent = sent.replace(FULL_WIDTH_PUNCT, " $1 ");
  return sent;
}

function removePunct(sent: string): string {
  return sent.replace(/[.,?:;!"()]/gu, "");
}

function removeAsianPunct(sent: string): string {
  return sent.replace(ASIAN_PUNCT, "").replace(FULL_WIDTH_PUNCT, "");
}

/**
 * sacreBLEU's `TercomTokenizer` applied after `rstrip()` (TER's `_preprocess_segment`), returning the words.
 * @internal exported for tests and the TER reward.
 */
export function terTokenize(sent: string, o: ResolvedTerOptions): string[] {
  sent = pyRstrip(sent);
  if (sent.length === 0) return [];
  if (!o.caseSensitive) sent = pyLower(sent);
  if (o.normalized) {
    sent = normalizeGeneralAndWestern(sent);
    if (o.asianSupport) sent = normalizeAsian(sent);
  }
  if (o.noPunct) {
    sent = removePunct(sent);
    if (o.asianSupport) sent = removeAsianPunct(sent);
  }
  // `' '.join(sent.split())` followed by TER's own `.split()`
  return pySplit(sent);
}

// ---------------------------------------------------------------------------------------------------------------
// lib_ter.py. Words are interned to integers per segment so comparisons are cheap; equality is unchanged.

/**
 * One row of the edit-distance matrix: costs and the operation that produced each cell, stored at `off` in
 * blocks shared by all the rows one call creates (one allocation per call instead of two per row).
 */
interface Row {
  readonly cost: Float64Array;
  readonly op: Uint8Array;
  readonly off: number;
}

/** Prefix cache: hypothesis word → (next node, matrix row after that word). */
interface CacheNode {
  readonly children: Map<number, { readonly next: CacheNode; readonly row: Row }>;
}

/**
 * Beam-limited Levenshtein distance against a fixed reference with sacreBLEU's row cache and trace
 * (lib_ter.py `BeamEditDistance`).
 */
class BeamEditDistance {
  readonly #ref: Int32Array;
  readonly #initialRow: Row;
  readonly #cache: CacheNode = { children: new Map() };
  #cacheSize = 0;

  constructor(ref: Int32Array) {
    this.#ref = ref;
    const n = ref.length;
    const cost = new Float64Array(n + 1);
    const op = new Uint8Array(n + 1).fill(OP_INS);
    for (let i = 0; i <= n; i++) cost[i] = i; // one insertion per reference word
    this.#initialRow = { cost, op, off: 0 };
  }

  /** Returns `[edit distance, trace]`, where trace holds op codes from the start. */
  call(hyp: Int32Array): [number, Uint8Array] {
    // skip initial words for which the rows are cached
    let node = this.#cache;
    const dist: Row[] = [this.#initialRow];
    for (let k = 0; k < hyp.length; k++) {
      const hit = node.children.get(hyp[k]!);
      if (hit === undefined) break;
      node = hit.next;
      dist.push(hit.row);
    }
    const startH = dist.length - 1;
    const [ed, trace] = this.#editDistance(hyp, startH, dist);
    this.#addCache(hyp, startH, dist);
    return [ed, trace];
  }

  #editDistance(wordsH: Int32Array, startH: number, dist: Row[]): [number, Uint8Array] {
    const ref = this.#ref;
    const nRef = ref.length;
    const nH = wordsH.length;
    const width = nRef + 1;
    const nNew = nH - startH;
    if (nNew > 0) {
      // "empty" rows hold infinities so that the beam never reads uninitialised cells
      const costBlock = new Float64Array(nNew * width).fill(Number.POSITIVE_INFINITY);
      const opBlock = new Uint8Array(nNew * width).fill(OP_UNDEF);
      for (let k = 0; k < nNew; k++) dist.push({ cost: costBlock, op: opBlock, off: k * width });
    }
    const lengthRatio = nH > 0 ? nRef / nH : 1;
    // in some crazy sentences the difference in length is so large that we may end up with zero overlap with
    // the previous row
    const beamWidth = BEAM_WIDTH < lengthRatio / 2 ? Math.ceil(lengthRatio / 2 + BEAM_WIDTH) : BEAM_WIDTH;

    for (let i = startH + 1; i <= nH; i++) {
      const pseudoDiag = Math.floor(i * lengthRatio);
      const minJ = Math.max(0, pseudoDiag - beamWidth);
      const maxJ = i === nH ? nRef + 1 : Math.min(nRef + 1, pseudoDiag + beamWidth);
      const prev = dist[i - 1]!;
      const cur = dist[i]!;
      const pc = prev.cost;
      const po = prev.off;
      const cc = cur.cost;
      const co = cur.op;
      const o = cur.off;
      const w = wordsH[i - 1]!;
      for (let j = minJ; j < maxJ; j++) {
        if (j === 0) {
          cc[o] = pc[po]! + 1;
          co[o] = OP_DEL;
          continue;
        }
        // Tercom prefers no-op/sub, then insertion, then deletion; the trace is flipped later, hence this order
        const same = w === ref[j - 1];
        let best = cc[o + j]!;
        let bestOp = co[o + j]!;
        let c = pc[po + j - 1]! + (same ? 0 : 1);
        if (best > c) {
          best = c;
          bestOp = same ? OP_NOP : OP_SUB;
        }
        c = pc[po + j]! + 1;
        if (best > c) {
          best = c;
          bestOp = OP_DEL;
        }
        c = cc[o + j - 1]! + 1;
        if (best > c) {
          best = c;
          bestOp = OP_INS;
        }
        cc[o + j] = best;
        co[o + j] = bestOp;
      }
    }

    // read the trace back from the bottom-right cell
    const rev: number[] = [];
    let i = nH;
    let j = nRef;
    while (i > 0 || j > 0) {
      const row = dist[i]!;
      const op = row.op[row.off + j]!;
      rev.push(op);
      if (op === OP_SUB || op === OP_NOP) {
        i--;
        j--;
      } else if (op === OP_INS) {
        j--;
      } else if (op === OP_DEL) {
        i--;
      } else {
        throw new Error(
          `TER: unknown edit operation ${JSON.stringify(String.fromCharCode(op))} in the trace`,
        );
      }
    }
    const trace = new Uint8Array(rev.length);
    for (let k = 0; k < rev.length; k++) trace[k] = rev[rev.length - 1 - k]!;
    const last = dist[nH]!;
    return [last.cost[last.off + nRef]!, trace];
  }

  #addCache(wordsH: Int32Array, startH: number, dist: readonly Row[]): void {
    if (this.#cacheSize >= MAX_CACHE_SIZE) return;
    let node = this.#cache;
    for (let k = 0; k < startH; k++) node = node.children.get(wordsH[k]!)!.next;
    for (let k = startH; k < wordsH.length; k++) {
      const word = wordsH[k]!;
      let entry = node.children.get(word);
      if (entry === undefined) {
        entry = { next: { children: new Map() }, row: dist[k + 1]! };
        node.children.set(word, entry);
        this.#cacheSize++;
      }
      node = entry.next;
    }
  }
}

/** Yields `(startH, startR, length)` for matching word runs, in sacreBLEU's order (`_find_shifted_pairs`). */
function* findShiftedPairs(wordsH: Int32Array, wordsR: Int32Array): Generator<[number, number, number]> {
  const nH = wordsH.length;
  const nR = wordsR.length;
  for (let startH = 0; startH < nH; startH++) {
    for (let startR = 0; startR < nR; startR++) {
      // slightly different from Tercom; only kicks in in degenerate cases
      if (Math.abs(startR - startH) > MAX_SHIFT_DIST) continue;
      let length = 0;
      while (wordsH[startH + length] === wordsR[startR + length] && length < MAX_SHIFT_SIZE) {
        length++;
        yield [startH, startR, length];
        // if one sequence is consumed, stop
        if (nH === startH + length || nR === startR + length) break;
      }
    }
  }
}

/** Moves `words[start, start+length)` to before `target` (`_perform_shift`, Python slice semantics). */
function performShift(words: Int32Array, start: number, length: number, target: number): Int32Array {
  const out = new Int32Array(words.length);
  let o = 0;
  const put = (from: number, to: number): void => {
    const a = Math.min(Math.max(from, 0), words.length);
    const b = Math.min(Math.max(to, 0), words.length);
    for (let k = a; k < b; k++) out[o++] = words[k]!;
  };
  if (target < start) {
    put(0, target);
    put(start, start + length);
    put(target, start);
    put(start + length, words.length);
  } else if (target > start + length) {
    put(0, start);
    put(start + length, target);
    put(start, start + length);
    put(target, words.length);
  } else {
    put(0, start);
    put(start + length, length + target);
    put(start, start + length);
    put(length + target, words.length);
  }
  return out;
}

/** `_shift`: the best single shift, as `[delta, shifted words, checked candidates]`. */
function shift(
  wordsH: Int32Array,
  wordsR: Int32Array,
  cachedEd: BeamEditDistance,
  checked: number,
): [number, Int32Array, number] {
  const [preScore, invTrace] = cachedEd.call(wordsH);

  // Alignment from the flipped trace (we pretend to rewrite the reference into the hypothesis).
  const nR = wordsR.length;
  const align = new Int32Array(nR);
  const hasAlign = new Uint8Array(nR);
  const hypErr: number[] = [];
  const refErr: number[] = [];
  let posHyp = -1;
  let posRef = -1;
  for (let k = 0; k < invTrace.length; k++) {
    let op = invTrace[k]!;
    if (op === OP_INS) op = OP_DEL;
    else if (op === OP_DEL) op = OP_INS;
    if (op === OP_NOP || op === OP_SUB) {
      posHyp++;
      posRef++;
      align[posRef] = posHyp;
      hasAlign[posRef] = 1;
      const e = op === OP_SUB ? 1 : 0;
      hypErr.push(e);
      refErr.push(e);
    } else if (op === OP_INS) {
      posHyp++;
      hypErr.push(1);
    } else {
      posRef++;
      align[posRef] = posHyp;
      hasAlign[posRef] = 1;
      refErr.push(1);
    }
  }
  const anyErr = (errs: number[], from: number, len: number): boolean => {
    const to = Math.min(from + len, errs.length);
    for (let k = from; k < to; k++) if (errs[k] !== 0) return true;
    return false;
  };

  let best:
    | { score: number; length: number; negStartH: number; negIdx: number; words: Int32Array }
    | undefined;

  for (const [startH, startR, length] of findShiftedPairs(wordsH, wordsR)) {
    // only shift if the hypothesis was wrong there and the reference doesn't match at the target
    if (!anyErr(hypErr, startH, length)) continue;
    if (!anyErr(refErr, startR, length)) continue;
    // don't shift within the subsequence
    const a = align[startR]!;
    if (startH <= a && a < startH + length) continue;

    let prevIdx = -1;
    for (let offset = -1; offset < length; offset++) {
      let idx: number;
      if (startR + offset === -1) {
        idx = 0; // insert before the beginning
      } else if (startR + offset < nR && hasAlign[startR + offset] === 1) {
        idx = align[startR + offset]! + 1; // unlike Tercom, insert *before* the index
      } else {
        break; // aims past the reference
      }
      if (idx === prevIdx) continue;
      prevIdx = idx;

      const shifted = performShift(wordsH, startH, length, idx);
      const score = preScore - cachedEd.call(shifted)[0];
      checked++;
      // Tercom ranking: biggest gain, then longest, then earliest start, then earliest target. Equal keys mean
      // the same shift, so the word lists (sacreBLEU's last tuple element) never decide.
      if (
        best === undefined ||
        score > best.score ||
        (score === best.score &&
          (length > best.length ||
            (length === best.length &&
              (-startH > best.negStartH || (-startH === best.negStartH && -idx > best.negIdx)))))
      ) {
        best = { score, length, negStartH: -startH, negIdx: -idx, words: shifted };
      }
    }
    if (checked >= MAX_SHIFT_CANDIDATES) break;
  }

  if (best === undefined) return [0, wordsH, checked];
  return [best.score, best.words, checked];
}

/**
 * Number of edits (shifts + Levenshtein edits after them) to turn `hyp` into `ref`, and the reference length:
 * sacreBLEU's `translation_edit_rate`. An empty reference costs one edit per hypothesis word.
 * @internal
 */
export function translationEditRate(hyp: Int32Array, ref: Int32Array): [numEdits: number, refLength: number] {
  if (ref.length === 0) return [hyp.length, 0];
  const cachedEd = new BeamEditDistance(ref);
  let shifts = 0;
  let input = hyp;
  let checked = 0;
  for (;;) {
    // shift until it stops reducing the edit distance
    const [delta, next, c] = shift(input, ref, cachedEd, checked);
    checked = c;
    if (checked >= MAX_SHIFT_CANDIDATES) break;
    if (delta <= 0) break;
    shifts++;
    input = next;
  }
  const [ed] = cachedEd.call(input);
  return [shifts + ed, ref.length];
}

class Interner {
  readonly #ids = new Map<string, number>();
  ids(words: readonly string[]): Int32Array {
    const out = new Int32Array(words.length);
    for (let k = 0; k < words.length; k++) {
      const w = words[k]!;
      let id = this.#ids.get(w);
      if (id === undefined) {
        id = this.#ids.size;
        this.#ids.set(w, id);
      }
      out[k] = id;
    }
    return out;
  }
}

/** Per-segment TER statistics: `[min edits over refs, average ref length]`. */
function segmentStats(hyp: string, refs: readonly string[], o: ResolvedTerOptions): [number, number] {
  const interner = new Interner();
  const wordsHyp = interner.ids(terTokenize(hyp, o));
  let best = Number.POSITIVE_INFINITY;
  let refLengths = 0;
  for (const ref of refs) {
    const [numEdits, refLen] = translationEditRate(wordsHyp, interner.ids(terTokenize(ref, o)));
    refLengths += refLen;
    if (numEdits < best) best = numEdits;
  }
  return [best, refLengths / refs.length];
}

function terSignature(nrefs: number | "var", o: ResolvedTerOptions): string {
  const yn = (b: boolean): string => (b ? "yes" : "no");
  return (
    `nrefs:${nrefs}|case:${o.caseSensitive ? "mixed" : "lc"}|tok:tercom|norm:${yn(o.normalized)}` +
    `|punct:${yn(!o.noPunct)}|asian:${yn(o.asianSupport)}|version:${SACREBLEU_VERSION}`
  );
}

function scoreFromStats(totalEdits: number, sumRefLengths: number): number {
  let score: number;
  if (sumRefLengths > 0) score = totalEdits / sumRefLengths;
  else if (totalEdits > 0)
    score = 1.0; // empty reference(s), non-empty hypothesis
  else score = 0.0; // both empty
  return 100 * score;
}

/**
 * Corpus-level TER (sacreBLEU `TER(...).corpus_score`). `refs[i]` holds the references of `hyps[i]` (any number
 * ≥ 1 per hypothesis; `""` is a real, empty reference). Edits are summed over segments, each taking its
 * best reference; the denominator sums each segment's average reference length.
 *
 * @example
 * corpusTer(["the cat sat on the mat"], [["the cat is on the mat"]]).score // 16.666666666666664
 */
export function corpusTer(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
  opts?: TerOptions,
): TerResult {
  const fn = "corpusTer";
  checkStringList(hyps, "hyps", fn, false);
  if (!Array.isArray(refs)) {
    throw new RewardsInputError(
      "refs",
      `${fn}: expected \`refs\` to be an array with one array of references per hypothesis, e.g. [["a cat"]].`,
    );
  }
  if (refs.length !== hyps.length) {
    throw new RewardsInputError(
      "refs",
      `${fn}: \`refs\` must hold one list of references per hypothesis: got ${hyps.length} hypotheses and ${refs.length} reference lists.`,
    );
  }
  for (let i = 0; i < refs.length; i++) checkStringList(refs[i], `refs[${i}]`, fn, true);
  const o = resolveTerOptions(opts, fn);
  let totalEdits = 0;
  let sumRefLengths = 0;
  const nrefs = new Set<number>();
  for (let i = 0; i < hyps.length; i++) {
    const r = refs[i]!;
    nrefs.add(r.length);
    const [e, l] = segmentStats(hyps[i]!, r, o);
    totalEdits += e;
    sumRefLengths += l;
  }
  const nr: number | "var" = nrefs.size === 1 ? [...nrefs][0]! : nrefs.size === 0 ? 0 : "var";
  return {
    score: scoreFromStats(totalEdits, sumRefLengths),
    numEdits: totalEdits,
    refLength: sumRefLengths,
    signature: terSignature(nr, o),
  };
}

/**
 * Sentence-level TER (sacreBLEU `TER(...).sentence_score`) against one or several references.
 *
 * @example
 * sentenceTer("the cat sat on the mat", "the cat is on the mat").numEdits // 1
 */
export function sentenceTer(hyp: string, refs: string | readonly string[], opts?: TerOptions): TerResult {
  const fn = "sentenceTer";
  checkString(hyp, "hyp", fn);
  const list = toStringList(refs, "refs", fn);
  return corpusTer([hyp], [list], opts);
}
