/**
 * Per-actor exploration and seeds (Ape-X, Horgan et al. 2018): actor i of N explores with
 * ε_i = ε^(1 + α·i/(N−1)) (ε = 0.4, α = 7 in the paper), so a few actors explore a lot and most stay close to
 * greedy. For the `sample` policy (softmax(Q/T) over the top-k/top-p mask) the same idea spreads the
 * temperature geometrically: T_i = T · c^(1 − 2i/(N−1)), from c·T (actor 0) down to T/c (actor N−1).
 */

/** Ape-X's ε_i = ε^(1 + α·i/(N−1)); ε_0 = ε for a single actor. */
export function apexEpsilon(i: number, n: number, epsilon = 0.4, alpha = 7): number {
  if (n <= 1) return epsilon;
  return epsilon ** (1 + (alpha * i) / (n - 1));
}

/** T_i = T · c^(1 − 2i/(N−1)); T for a single actor. */
export function actorTemperature(i: number, n: number, temperature: number, spread = 2): number {
  if (n <= 1) return temperature;
  return temperature * spread ** (1 - (2 * i) / (n - 1));
}

/** A 32-bit seed for actor slot `slot` of a run seeded `seed` (distinct per slot; never 0). */
export function actorSeed(seed: number, slot: number): number {
  // splitmix32-style mix of (seed, slot)
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(slot + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h === 0 ? 1 : h;
}

/**
 * Initial priorities from the Q-values the actor saw while acting (no extra forward pass): for step t with
 * k = min(n, T − t), y_t = Σ_{i<k} γ^i r_{t+i} + γ^k · max_a Q(s_{t+k}, a) (no bootstrap past a terminal end, or
 * past the last step, where the actor saw no Q), δ_t = y_t − Q(s_t, a_t). Returns |δ_t| per step.
 */
export function initialTdErrors(
  rewards: Float32Array,
  qTaken: Float32Array,
  qMax: Float32Array,
  nStep: number,
  gamma: number,
): Float32Array {
  const T = rewards.length;
  const out = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    const k = Math.min(nStep, T - t);
    let g = 1;
    let y = 0;
    for (let j = 0; j < k; j++) {
      y += g * (rewards[t + j] as number);
      g *= gamma;
    }
    if (t + k < T) y += g * (qMax[t + k] as number);
    out[t] = Math.abs(y - (qTaken[t] as number));
  }
  return out;
}
