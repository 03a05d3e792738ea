/**
 * SQuAD v1.1 exact match and F1 of one answer (max over the references, 0–1), from `@dqnlm/rewards`' port of
 * the official `evaluate-v1.1.py`.
 */
import { squad } from "@dqnlm/rewards";

/** SQuAD token F1 of `pred`, max over `golds` (0–1). */
export function squadF1(pred: string, golds: readonly string[]): number {
  return squad(pred, golds).f1;
}

/** SQuAD exact match of `pred`, max over `golds` (0 or 1). */
export function squadEm(pred: string, golds: readonly string[]): number {
  return squad(pred, golds).exactMatch;
}
