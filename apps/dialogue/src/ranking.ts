/**
 * Ranking metrics of response selection: recall@k (the true response is among the k best-scored candidates),
 * with ties broken uniformly at random and counted exactly (as an expectation, not a draw), and the exact value
 * of a random ranking.
 */
import { invalidOption } from "./errors.js";

/**
 * Probability that the true candidate is ranked in the top `k` when candidates are sorted by `scores`
 * (higher first) and ties are broken uniformly at random: with g scores strictly above the truth's and e other
 * scores equal to it, the truth's 0-based position is uniform on g … g+e, so the value is
 * clamp((k − g) / (e + 1), 0, 1). NaN scores rank last.
 */
export function recallAtK(scores: ArrayLike<number>, truth: number, k: number): number {
  if (!(Number.isInteger(k) && k >= 1)) throw invalidOption("k", "an integer ≥ 1", k);
  if (!(Number.isInteger(truth) && truth >= 0 && truth < scores.length))
    throw invalidOption("truth", `an index in [0, ${scores.length})`, truth);
  const val = (x: number): number => (Number.isNaN(x) ? Number.NEGATIVE_INFINITY : x);
  const st = val(scores[truth]!);
  let above = 0;
  let tied = 0;
  for (let i = 0; i < scores.length; i++) {
    if (i === truth) continue;
    const s = val(scores[i]!);
    if (s > st) above++;
    else if (s === st) tied++;
  }
  return Math.min(1, Math.max(0, (k - above) / (tied + 1)));
}

/** Mean {@link recallAtK} × 100 over episodes (scores[i] are the candidate scores of episode i). */
export function meanRecallAtK(
  scores: readonly ArrayLike<number>[],
  truths: readonly number[],
  k: number,
): number {
  if (scores.length !== truths.length)
    throw invalidOption("truths", `${scores.length} truth indices (one per episode)`, truths.length);
  let sum = 0;
  scores.forEach((s, i) => {
    sum += recallAtK(s, truths[i]!, k);
  });
  return (100 * sum) / Math.max(1, scores.length);
}

/** Expected recall@k × 100 of a uniformly random ranking of K candidates: 100 · min(k, K) / K. */
export function randomRecallAtK(candidates: number, k: number): number {
  if (!(Number.isInteger(candidates) && candidates >= 1))
    throw invalidOption("candidates", "an integer ≥ 1", candidates);
  return (100 * Math.min(k, candidates)) / candidates;
}
