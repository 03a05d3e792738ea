/**
 * SQuAD v1.1 exact match and token F1, as the official `evaluate-v1.1.py` computes them.
 *
 * `normalize_answer` = Python `str.lower()` → delete ASCII `string.punctuation` → replace the words
 * `a|an|the` (Python's Unicode-aware `\b`, where letters, digits and `_` are word characters but combining marks
 * are not; the exact Python 3.11 / Unicode 14.0 table is in squad-word-chars.ts) by a space → collapse
 * whitespace with Python `str.split()`.
 */

import { RewardsInputError } from "./errors.js";
import { checkString, checkStringList, toStringList } from "./reward-validate.js";
import { isPyWordChar } from "./squad-word-chars.js";
import { pyLower, pySplit } from "./tokenizers/python.js";

/** SQuAD scores. {@link squad} returns them on 0–1, {@link squadCorpus} on 0–100 like the official script. */
export interface SquadResult {
  /** Exact match after normalisation (sentence: 0 or 1, max over the answers). */
  readonly exactMatch: number;
  /** Bag-of-tokens F1 after normalisation (max over the answers); 0 when no token is shared. */
  readonly f1: number;
}

/** The signature of the SQuAD metric as computed here (the official v1.1 evaluation, no options). */
export const SQUAD_SIGNATURE = "squad:v1.1|norm:official|tok:split|version:evaluate-v1.1";

const PUNCT = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

/** Is the code point that starts at UTF-16 index `i` a Python word character? (false at the end) */
function wordAt(s: string, i: number): boolean {
  return i < s.length && isPyWordChar(s.codePointAt(i)!);
}

/** Is the code point that ends just before UTF-16 index `i` a Python word character? (false at the start) */
function wordBefore(s: string, i: number): boolean {
  if (i === 0) return false;
  const lo = s.charCodeAt(i - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
    const hi = s.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return isPyWordChar(((hi - 0xd800) << 10) + (lo - 0xdc00) + 0x10000);
  }
  return isPyWordChar(lo);
}

/**
 * `re.sub(r'\b(a|an|the)\b', ' ', text)`: a left-to-right scan trying `a`, then `an`, then `the` at each
 * position, with `\b` decided by Python 3.11's `\w` (see squad-word-chars.ts).
 */
function removeArticles(s: string): string {
  let out = "";
  let last = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if ((c === 0x61 || c === 0x74) && !wordBefore(s, i)) {
      let len = 0;
      if (c === 0x61) {
        if (!wordAt(s, i + 1)) len = 1;
        else if (s.charCodeAt(i + 1) === 0x6e && !wordAt(s, i + 2)) len = 2;
      } else if (s.startsWith("the", i) && !wordAt(s, i + 3)) {
        len = 3;
      }
      if (len > 0) {
        out += `${s.slice(last, i)} `;
        i += len;
        last = i;
        continue;
      }
    }
    i++;
  }
  return last === 0 ? s : out + s.slice(last);
}

/**
 * The official `normalize_answer`.
 *
 * @example
 * normalizeAnswer("The  Eiffel-Tower!") // "eiffeltower"
 */
export function normalizeAnswer(s: string): string {
  checkString(s, "s", "normalizeAnswer");
  return normalize(s);
}

function normalize(s: string): string {
  const lower = pyLower(s);
  let noPunc = "";
  for (const ch of lower) if (!PUNCT.has(ch)) noPunc += ch;
  return pySplit(removeArticles(noPunc)).join(" ");
}

function f1Tokens(pred: readonly string[], gold: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const t of gold) counts.set(t, (counts.get(t) ?? 0) + 1);
  let numSame = 0;
  for (const t of pred) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      numSame++;
      counts.set(t, c - 1);
    }
  }
  if (numSame === 0) return 0;
  const precision = (1.0 * numSame) / pred.length;
  const recall = (1.0 * numSame) / gold.length;
  return (2 * precision * recall) / (precision + recall);
}

function scoreOne(prediction: string, answers: readonly string[]): SquadResult {
  const np = normalize(prediction);
  const predTokens = pySplit(np);
  let em = 0;
  let f1 = Number.NEGATIVE_INFINITY;
  for (const a of answers) {
    const na = normalize(a);
    if (na === np) em = 1;
    const f = f1Tokens(predTokens, pySplit(na));
    if (f > f1) f1 = f;
  }
  return { exactMatch: em, f1 };
}

/**
 * Exact match (0/1) and F1 (0–1) of one predicted answer, each the maximum over the gold `answers`.
 *
 * @example
 * squad("the Eiffel Tower", ["Eiffel Tower", "tower"]) // { exactMatch: 1, f1: 1 }
 */
export function squad(prediction: string, answers: string | readonly string[]): SquadResult {
  const fn = "squad";
  checkString(prediction, "prediction", fn);
  return scoreOne(prediction, toStringList(answers, "answers", fn));
}

/**
 * The official `evaluate()` over a set of questions: mean exact match and mean F1, × 100.
 *
 * @example
 * squadCorpus(["Denver Broncos", "1990"], [["Denver Broncos"], ["1991"]]) // { exactMatch: 50, f1: 50 }
 */
export function squadCorpus(
  predictions: readonly string[],
  answersList: readonly (readonly string[])[],
): SquadResult {
  const fn = "squadCorpus";
  checkStringList(predictions, "predictions", fn, false);
  if (!Array.isArray(answersList) || answersList.length !== predictions.length) {
    throw new RewardsInputError(
      "answersList",
      `${fn}: expected \`answersList\` to hold one array of gold answers per prediction (${predictions.length}), received ${
        Array.isArray(answersList) ? `${answersList.length} arrays` : typeof answersList
      }.`,
    );
  }
  if (predictions.length === 0) {
    throw new RewardsInputError("predictions", `${fn}: expected at least one prediction, received none.`);
  }
  let em = 0;
  let f1 = 0;
  for (let i = 0; i < predictions.length; i++) {
    checkStringList(answersList[i], `answersList[${i}]`, fn, true);
    const r = scoreOne(predictions[i]!, answersList[i]!);
    em += r.exactMatch;
    f1 += r.f1;
  }
  const total = predictions.length;
  return { exactMatch: (100.0 * em) / total, f1: (100.0 * f1) / total };
}
