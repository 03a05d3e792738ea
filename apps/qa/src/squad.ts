/**
 * The official SQuAD v1.1 answer metrics (exact match and token F1, max over the reference answers), as in
 * `evaluate-v1.1.py`: lower-case, strip punctuation and the articles a/an/the, collapse whitespace.
 */

/** Normalizes an answer like the official SQuAD v1.1 script. */
export function normalizeAnswer(s: string): string {
  return s
    .toLowerCase()
    .replace(/[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/gu, "")
    .replace(/\b(a|an|the)\b/gu, " ")
    .split(/\s+/u)
    .filter((x) => x.length > 0)
    .join(" ");
}

function f1One(pred: string, gold: string): number {
  const p = normalizeAnswer(pred).split(" ").filter(Boolean);
  const g = normalizeAnswer(gold).split(" ").filter(Boolean);
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of p) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      same++;
      counts.set(t, c - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / p.length;
  const recall = same / g.length;
  return (2 * precision * recall) / (precision + recall);
}

/** SQuAD token F1 of `pred`, max over `golds` (0–1). */
export function squadF1(pred: string, golds: readonly string[]): number {
  let best = 0;
  for (const g of golds) best = Math.max(best, f1One(pred, g));
  return best;
}

/** SQuAD exact match of `pred`, max over `golds` (0 or 1). */
export function squadEm(pred: string, golds: readonly string[]): number {
  const p = normalizeAnswer(pred);
  return golds.some((g) => normalizeAnswer(g) === p) ? 1 : 0;
}
