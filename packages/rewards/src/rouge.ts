/**
 * ROUGE-N, ROUGE-L and ROUGE-Lsum exactly as rouge-score 0.1.2 (`rouge_scorer.py`, `tokenize.py`,
 * `scoring.py`) computes them with its default tokenizer: lowercase (Python `str.lower`), every run of
 * characters outside `[a-z0-9]` becomes a separator (so non-ASCII letters vanish), optional NLTK 3.8 Porter
 * stemming of tokens longer than 3 characters. Several targets: per ROUGE type, the target with the highest
 * F-measure (the first on ties), as `RougeScorer.score_multi`.
 */

import { RewardsOptionError } from "./errors.js";
import { PorterStemmer } from "./porter.js";
import { boolOption, checkOptions, checkString, toStringList } from "./reward-validate.js";
import { pyLower } from "./tokenizers/python.js";

/** The rouge-score version this module reproduces. */
export const ROUGE_SCORE_VERSION = "0.1.2";

/** A ROUGE type: n-gram overlap `rouge1`…`rouge9`, sentence LCS `rougeL`, summary-level LCS `rougeLsum`. */
export type RougeType =
  | "rouge1"
  | "rouge2"
  | "rouge3"
  | "rouge4"
  | "rouge5"
  | "rouge6"
  | "rouge7"
  | "rouge8"
  | "rouge9"
  | "rougeL"
  | "rougeLsum";

/** The types computed when `rougeTypes` is not given. */
export type DefaultRougeType = "rouge1" | "rouge2" | "rougeL" | "rougeLsum";

/** Precision, recall and F1 on a 0–1 scale (rouge-score's `Score` tuple). */
export interface RougeScore {
  readonly precision: number;
  readonly recall: number;
  readonly fmeasure: number;
}

/** Options of {@link rouge}. */
export interface RougeOptions<T extends RougeType = DefaultRougeType> {
  /** Which ROUGE types to compute. @default ["rouge1", "rouge2", "rougeL", "rougeLsum"] */
  readonly rougeTypes?: readonly T[];
  /** Porter-stem tokens longer than 3 characters (NLTK 3.8, `NLTK_EXTENSIONS` mode). @default false */
  readonly useStemmer?: boolean;
}

const DEFAULT_TYPES: readonly DefaultRougeType[] = ["rouge1", "rouge2", "rougeL", "rougeLsum"];
const ROUGE_TYPE_RE = /^rouge[1-9]$/;

/** True for a valid {@link RougeType} name. */
export function isRougeType(t: unknown): t is RougeType {
  return typeof t === "string" && (t === "rougeL" || t === "rougeLsum" || ROUGE_TYPE_RE.test(t));
}

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer

const stemmer = new PorterStemmer();
const STEM_CACHE_MAX = 100_000;
const stemCache = new Map<string, string>();

/** Porter stem with a bounded memo (the same words recur across prefixes and references). */
function stemCached(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = stemmer.stem(word);
    if (stemCache.size >= STEM_CACHE_MAX) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

const VALID_TOKEN_RE = /^[a-z0-9]+$/;

/**
 * Turns one raw `[a-z0-9]+` run into the final token (stemmed when `useStemmer` and longer than 3), or `null`
 * when rouge-score's final validity check would drop it.
 * @internal
 */
export function finishRougeToken(run: string, useStemmer: boolean): string | null {
  // an unstemmed run is valid by construction (non-empty, [a-z0-9] only)
  if (!useStemmer || run.length <= 3) return run;
  const t = stemCached(run);
  return VALID_TOKEN_RE.test(t) ? t : null;
}

/** True for the UTF-16 code unit of `[a-z0-9]`. */
export function isRougeTokenChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

/**
 * rouge-score's default tokenizer (`tokenize.tokenize`).
 *
 * @example
 * rougeTokenize("The runners ran, running!", true) // ["the", "runner", "ran", "run"]
 */
export function rougeTokenize(text: string, useStemmer = false): string[] {
  const lower = pyLower(text);
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= lower.length; i++) {
    if (i < lower.length && isRougeTokenChar(lower.charCodeAt(i))) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      const t = finishRougeToken(lower.slice(start, i), useStemmer);
      if (t !== null) out.push(t);
      start = -1;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Scores

/** rouge-score's `scoring.fmeasure`. */
export function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0.0;
}

const ZERO: RougeScore = Object.freeze({ precision: 0, recall: 0, fmeasure: 0 });

/** n-gram counts keyed by the tokens joined with a space (tokens never contain one). */
export function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = n === 1 ? tokens[i]! : tokens.slice(i, i + n).join(" ");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** rouge-score's `_score_ngrams`. */
function scoreNgrams(target: Map<string, number>, prediction: Map<string, number>): RougeScore {
  let overlap = 0;
  let targetCount = 0;
  let predCount = 0;
  for (const [g, c] of target) {
    overlap += Math.min(c, prediction.get(g) ?? 0);
    targetCount += c;
  }
  for (const c of prediction.values()) predCount += c;
  const precision = overlap / Math.max(predCount, 1);
  const recall = overlap / Math.max(targetCount, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Maps tokens to small integers so the LCS loops compare numbers. */
function intern(seqs: readonly (readonly string[])[]): Int32Array[] {
  const ids = new Map<string, number>();
  return seqs.map((s) => {
    const out = new Int32Array(s.length);
    for (let i = 0; i < s.length; i++) {
      let id = ids.get(s[i]!);
      if (id === undefined) {
        id = ids.size;
        ids.set(s[i]!, id);
      }
      out[i] = id;
    }
    return out;
  });
}

/** Length of the longest common subsequence (elements compared with `===`), in O(|b|) memory. */
export function lcsLength<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  const m = b.length;
  let prev = new Int32Array(m + 1);
  let cur = new Int32Array(m + 1);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    for (let j = 1; j <= m; j++) {
      cur[j] = x === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[m]!;
}

/** rouge-score's `_score_lcs`. */
function scoreLcs(target: readonly string[], prediction: readonly string[]): RougeScore {
  if (target.length === 0 || prediction.length === 0) return ZERO;
  // tokens are short strings: comparing them directly is cheaper than interning both sides first
  const lcs = lcsLength(target, prediction);
  const precision = lcs / prediction.length;
  const recall = lcs / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Indices into `ref` of one LCS with `can`, chosen by rouge-score's `_backtrack_norec` tie-breaking. */
function lcsIndices(ref: Int32Array, can: Int32Array): number[] {
  const rows = ref.length;
  const cols = can.length;
  const w = cols + 1;
  const t = new Int32Array((rows + 1) * w);
  for (let i = 1; i <= rows; i++) {
    for (let j = 1; j <= cols; j++) {
      t[i * w + j] =
        ref[i - 1] === can[j - 1]
          ? t[(i - 1) * w + j - 1]! + 1
          : Math.max(t[(i - 1) * w + j]!, t[i * w + j - 1]!);
    }
  }
  const lcs: number[] = [];
  let i = rows;
  let j = cols;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      lcs.push(i - 1);
      i--;
      j--;
    } else if (t[i * w + j - 1]! > t[(i - 1) * w + j]!) {
      j--;
    } else {
      i--;
    }
  }
  return lcs.reverse();
}

/** rouge-score's `_summary_level_lcs` (union LCS, hits capped by token counts as in ROUGE-1.5.5). */
function summaryLevelLcs(
  refSents: readonly (readonly string[])[],
  canSents: readonly (readonly string[])[],
): RougeScore {
  if (refSents.length === 0 || canSents.length === 0) return ZERO;
  let m = 0;
  let n = 0;
  for (const s of refSents) m += s.length;
  for (const s of canSents) n += s.length;
  if (n === 0 || m === 0) return ZERO;

  const all = intern([...refSents, ...canSents]);
  const refIds = all.slice(0, refSents.length);
  const canIds = all.slice(refSents.length);
  // token counts prevent double counting
  const cntR = new Map<number, number>();
  const cntC = new Map<number, number>();
  for (const s of refIds) for (const x of s) cntR.set(x, (cntR.get(x) ?? 0) + 1);
  for (const s of canIds) for (const x of s) cntC.set(x, (cntC.get(x) ?? 0) + 1);

  let hits = 0;
  for (const r of refIds) {
    const union = new Set<number>();
    for (const c of canIds) for (const k of lcsIndices(r, c)) union.add(k);
    const idx = [...union].sort((a, b) => a - b);
    for (const k of idx) {
      const tok = r[k]!;
      const cc = cntC.get(tok) ?? 0;
      const cr = cntR.get(tok) ?? 0;
      if (cc > 0 && cr > 0) {
        hits++;
        cntC.set(tok, cc - 1);
        cntR.set(tok, cr - 1);
      }
    }
  }
  const recall = hits / m;
  const precision = hits / n;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** rougeLsum sentences: split on `"\n"` only, empty lines dropped, each tokenized. */
function lsumSentences(text: string, useStemmer: boolean): string[][] {
  return text
    .split("\n")
    .filter((s) => s.length > 0)
    .map((s) => rougeTokenize(s, useStemmer));
}

/** Pre-tokenized text, so that one prediction scored against several targets is tokenized once. */
interface Prepared {
  readonly tokens: readonly string[];
  readonly text: string;
  sents?: string[][];
}

function scoreOne(type: RougeType, target: Prepared, prediction: Prepared, useStemmer: boolean): RougeScore {
  if (type === "rougeL") return scoreLcs(target.tokens, prediction.tokens);
  if (type === "rougeLsum") {
    target.sents ??= lsumSentences(target.text, useStemmer);
    prediction.sents ??= lsumSentences(prediction.text, useStemmer);
    return summaryLevelLcs(target.sents, prediction.sents);
  }
  const n = Number(type.slice(5));
  return scoreNgrams(ngramCounts(target.tokens, n), ngramCounts(prediction.tokens, n));
}

function resolveTypes<T extends RougeType>(types: unknown, fn: string): readonly T[] {
  if (types === undefined) return DEFAULT_TYPES as readonly RougeType[] as readonly T[];
  if (!Array.isArray(types) || types.length === 0) {
    throw new RewardsOptionError(
      "rougeTypes",
      `${fn}: option \`rougeTypes\` must be a non-empty array such as ["rouge1", "rougeL"], received ${JSON.stringify(types)}.`,
    );
  }
  for (const t of types) {
    if (!isRougeType(t)) {
      throw new RewardsOptionError(
        "rougeTypes",
        `${fn}: unknown ROUGE type ${JSON.stringify(t)}; expected "rouge1"…"rouge9", "rougeL" or "rougeLsum".`,
      );
    }
  }
  return types as readonly T[];
}

/**
 * ROUGE scores of `prediction` against one or several `targets` (rouge-score `RougeScorer.score` /
 * `score_multi`), each type on a 0–1 scale.
 *
 * @example
 * rouge("the cat sat on the mat", "the cat was on the mat").rougeL
 * // { precision: 0.8333333333333334, recall: 0.8333333333333334, fmeasure: 0.8333333333333334 }
 */
export function rouge<T extends RougeType = DefaultRougeType>(
  prediction: string,
  targets: string | readonly string[],
  opts?: RougeOptions<T>,
): Record<T, RougeScore> {
  const fn = "rouge";
  checkString(prediction, "prediction", fn);
  const list = toStringList(targets, "targets", fn);
  checkOptions(opts, ["rougeTypes", "useStemmer"], fn);
  const types = resolveTypes<T>(opts?.rougeTypes, fn);
  const useStemmer = boolOption(opts?.useStemmer, "useStemmer", fn, false);

  const needTokens = types.some((t) => t !== "rougeLsum");
  const prep = (text: string): Prepared => ({
    text,
    tokens: needTokens ? rougeTokenize(text, useStemmer) : [],
  });
  const pred = prep(prediction);
  const perTarget = list.map(prep);

  const out = {} as Record<T, RougeScore>;
  for (const type of types) {
    let best: RougeScore | undefined;
    for (const target of perTarget) {
      const s = scoreOne(type, target, pred, useStemmer);
      // np.argmax: the first maximum wins
      if (best === undefined || s.fmeasure > best.fmeasure) best = s;
    }
    out[type] = best!;
  }
  return out;
}

/**
 * A sacreBLEU-style signature for a ROUGE configuration, e.g.
 * `nrefs:1|rouge:L|stem:yes|tok:rouge-score|version:0.1.2` (`rouge:1`, `rouge:2`, `rouge:L`, `rouge:Lsum`;
 * `tok:rouge-score` is rouge-score's default tokenizer, `version` the rouge-score version reproduced).
 */
export function rougeSignature(
  type: RougeType,
  opts: { useStemmer?: boolean; nrefs?: number | "var" } = {},
): string {
  if (!isRougeType(type)) {
    throw new RewardsOptionError("type", `rougeSignature: unknown ROUGE type ${JSON.stringify(type)}.`);
  }
  const nrefs = opts.nrefs === undefined ? "" : `nrefs:${opts.nrefs}|`;
  return `${nrefs}rouge:${type.slice(5)}|stem:${opts.useStemmer === true ? "yes" : "no"}|tok:rouge-score|version:${ROUGE_SCORE_VERSION}`;
}
