/**
 * Diversity measures for generated dialogue responses, used as a mode-collapse alarm during training.
 *
 * Convention (both functions): a text is lowercased with Python `str.lower()` semantics and split on Unicode
 * whitespace (Python `str.split()`); punctuation stays attached to words ("ok." ≠ "ok"); n-grams never cross
 * from one text into the next.
 */
import { RewardsOptionError } from "./errors.js";
import { checkString, checkStringList } from "./reward-validate.js";
import { pyLower, pySplit } from "./tokenizers/python.js";

function checkN(n: unknown, fn: string): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw new RewardsOptionError(
      "n",
      `${fn}: \`n\` must be a positive integer (1 for unigrams), received ${String(n)}.`,
    );
  }
  return n;
}

function words(text: string): string[] {
  return pySplit(pyLower(text));
}

/** An unambiguous key for `w[i..i+n)` (length-prefixed, so no separator can collide with word content). */
function gramKey(w: readonly string[], i: number, n: number): string {
  if (n === 1) return w[i]!;
  let k = "";
  for (let j = i; j < i + n; j++) k += `${w[j]!.length}:${w[j]!}`;
  return k;
}

/**
 * distinct-n (Li et al., 2016) over a set of outputs: the number of distinct n-grams divided by the total
 * number of n-grams, pooled over all `texts`. 0 when there is no n-gram at all. 1 means no n-gram repeats;
 * values near 0 mean the model keeps saying the same thing.
 *
 * @example
 * distinctN(["i can help", "i can help", "sure thing"], 1) // 5 distinct / 8 = 0.625
 */
export function distinctN(texts: readonly string[], n: number): number {
  const fn = "distinctN";
  checkStringList(texts, "texts", fn, false);
  checkN(n, fn);
  const seen = new Set<string>();
  let total = 0;
  for (const t of texts) {
    const w = words(t);
    for (let i = 0; i + n <= w.length; i++) {
      seen.add(gramKey(w, i, n));
      total++;
    }
  }
  return total === 0 ? 0 : seen.size / total;
}

/**
 * Within one output: the fraction of its n-grams that repeat an n-gram seen earlier in the same output.
 * 0 for no repetition (or fewer than n words); approaches 1 for degenerate loops ("the the the the").
 *
 * @example
 * repetitionRate("thank you thank you thank you", 2) // 3 of 5 bigrams repeat = 0.6
 */
export function repetitionRate(text: string, n: number): number {
  const fn = "repetitionRate";
  checkString(text, "text", fn);
  checkN(n, fn);
  const w = words(text);
  const seen = new Set<string>();
  let total = 0;
  let repeats = 0;
  for (let i = 0; i + n <= w.length; i++) {
    const g = gramKey(w, i, n);
    if (seen.has(g)) repeats++;
    else seen.add(g);
    total++;
  }
  return total === 0 ? 0 : repeats / total;
}
