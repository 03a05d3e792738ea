/**
 * Exact dynamic programming for small finite-horizon token MDPs: the state is the sequence of actions taken so
 * far (after a fixed prompt), an action appends one token, the episode ends after `horizon` actions or on
 * `eosId`. Backward induction gives Q*(s, a) = r(s, a) + γ · max_a' Q*(s ⊕ a, a') (0 after the last step).
 * The trainer's tests compare the learned Q with this on every reachable state.
 */

/** A finite-horizon token MDP for {@link solveTokenMdp}. */
export interface FiniteTokenMdp {
  /** Number of actions (tokens). */
  readonly vocabSize: number;
  /** Maximum number of actions per episode. */
  readonly horizon: number;
  /** Discount. */
  readonly gamma: number;
  /** Reward for taking `action` after the action sequence `prefix`. */
  reward(prefix: readonly number[], action: number): number;
  /** A token that ends the episode when taken (absorbing), if any. */
  readonly eosId?: number;
}

/** Q* for every reachable state, keyed by the state's actions joined with "," ("" = the initial state). */
export type QTable = Map<string, Float64Array>;

/** Solves `mdp` exactly by backward induction over the tree of reachable states. */
export function solveTokenMdp(mdp: FiniteTokenMdp): QTable {
  const table: QTable = new Map();
  const visit = (prefix: number[]): number => {
    const q = new Float64Array(mdp.vocabSize);
    for (let a = 0; a < mdp.vocabSize; a++) {
      let v = mdp.reward(prefix, a);
      const ends = prefix.length + 1 >= mdp.horizon || a === mdp.eosId;
      if (!ends) {
        prefix.push(a);
        v += mdp.gamma * visit(prefix);
        prefix.pop();
      }
      q[a] = v;
    }
    table.set(prefix.join(","), q);
    let m = Number.NEGATIVE_INFINITY;
    for (const x of q) m = Math.max(m, x);
    return m;
  };
  visit([]);
  return table;
}
