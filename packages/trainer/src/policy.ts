/**
 * Action selection on one row of Q-values (plain arrays; the actor downloads Q once per step): greedy,
 * ε-greedy, and sampling softmax(Q/T) restricted to a top-k / top-p mask. The same mask restricts the max in
 * the TD target (`dqn.targetMask`), so the learner never bootstraps from actions the actor would never take.
 * Ties go to the lowest token id, so greedy decoding is deterministic.
 */
import type { Rng } from "@dqnlm/core";

/** Index of the largest of q[off .. off+n). */
export function argmax(q: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  let bv = q[off] as number;
  for (let i = 1; i < n; i++) {
    const v = q[off + i] as number;
    if (v > bv) {
      bv = v;
      best = i;
    }
  }
  return best;
}

/**
 * The action mask: the `topK` largest Q-values (0 = all), then the smallest prefix (by Q, descending) of those
 * whose softmax(Q/T) mass reaches `topP`. Returns token ids in descending Q order (at least one).
 */
export function maskIndices(
  q: ArrayLike<number>,
  off: number,
  n: number,
  topK: number,
  topP: number,
  temperature: number,
): number[] {
  const k = topK > 0 ? Math.min(topK, n) : n;
  let idx: number[];
  if (k === n) {
    idx = Array.from({ length: n }, (_, i) => i);
  } else {
    // Keep the k best in a small sorted array (k ≪ n in practice): O(n·k) worst case, O(n) typical.
    idx = [];
    for (let i = 0; i < n; i++) {
      const v = q[off + i] as number;
      if (idx.length === k && v <= (q[off + (idx[k - 1] as number)] as number)) continue;
      let j = idx.length < k ? idx.length : k - 1;
      if (idx.length < k) idx.push(i);
      while (j > 0 && (q[off + (idx[j - 1] as number)] as number) < v) {
        idx[j] = idx[j - 1] as number;
        j--;
      }
      idx[j] = i;
    }
  }
  idx.sort((a, b) => (q[off + b] as number) - (q[off + a] as number) || a - b);
  if (topP >= 1) return idx;
  const top = q[off + (idx[0] as number)] as number;
  let z = 0;
  const w = idx.map((i) => {
    const e = Math.exp(((q[off + i] as number) - top) / temperature);
    z += e;
    return e;
  });
  let acc = 0;
  for (let j = 0; j < idx.length; j++) {
    acc += (w[j] as number) / z;
    if (acc >= topP) return idx.slice(0, j + 1);
  }
  return idx;
}

/** Samples from softmax(Q/T) restricted to `maskIndices(...)`. */
export function sampleMasked(
  q: ArrayLike<number>,
  off: number,
  n: number,
  topK: number,
  topP: number,
  temperature: number,
  rng: Rng,
): number {
  const idx = maskIndices(q, off, n, topK, topP, temperature);
  if (idx.length === 1) return idx[0] as number;
  const top = q[off + (idx[0] as number)] as number;
  let z = 0;
  const w = idx.map((i) => {
    const e = Math.exp(((q[off + i] as number) - top) / temperature);
    z += e;
    return e;
  });
  let u = rng.next() * z;
  for (let j = 0; j < idx.length; j++) {
    u -= w[j] as number;
    if (u < 0) return idx[j] as number;
  }
  return idx[idx.length - 1] as number;
}

/** ε-greedy: a uniform random token with probability ε, else the greedy one. */
export function epsilonGreedy(
  q: ArrayLike<number>,
  off: number,
  n: number,
  epsilon: number,
  rng: Rng,
): number {
  if (epsilon > 0 && rng.next() < epsilon) return rng.nextInt(n);
  return argmax(q, off, n);
}

/** Linear ε schedule. */
export function epsilonAt(update: number, start: number, end: number, decayUpdates: number): number {
  if (decayUpdates <= 0) return end;
  const f = Math.min(1, update / decayUpdates);
  return start + (end - start) * f;
}
