/**
 * SQuAD v1.1 exact match and token F1, as the official `evaluate-v1.1.py` computes them.
 *
 * `normalize_answer` = Python `str.lower()` → delete ASCII `string.punctuation` → replace the words
 * `a|an|the` (Python's Unicode-aware `\b`, where letters, digits and `_` are word characters but combining marks
 * are not) by a space → collapse whitespace with Python `str.split()`.
 */

import { RewardsInputError } from "./errors.js";
import { checkString, checkStringList, toStringList } from "./reward-validate.js";
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
// Python `re` `\w` on str: str.isalnum() or "_"; isalnum = letters (L*) and numeric characters (N*).
const ARTICLES_RE = /(?<![\p{L}\p{N}_])(a|an|the)(?![\p{L}\p{N}_])/gu;

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
  return pySplit(noPunc.replace(ARTICLES_RE, " ")).join(" ");
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
