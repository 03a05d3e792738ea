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

/** A finite-horizon token MDP with a reference policy, for {@link solveSoftTokenMdp}. */
export interface SoftTokenMdp extends FiniteTokenMdp {
  /** log π_ref(· | prefix): `vocabSize` log-probabilities of the reference policy after `prefix`. */
  refLogProbs(prefix: readonly number[]): ArrayLike<number>;
}

/** The solution of the KL-regularised MDP: Q*, V* and the optimal policy at every reachable state. */
export interface SoftSolution {
  /** Q*(s, a) = r(s, a) + γ·V*(s ⊕ a) (0 after the last step). */
  readonly q: QTable;
  /** V*(s) = τ·log Σ_a π_ref(a|s)·exp(Q*(s, a)/τ). */
  readonly v: Map<string, number>;
  /** π*(a|s) = π_ref(a|s)·exp(Q*(s, a)/τ) / exp(V*(s)/τ). */
  readonly policy: QTable;
}

/**
 * Solves the KL-regularised objective max_π E[Σ γ^t r_t − τ·Σ γ^t KL(π(·|s_t) ‖ π_ref(·|s_t))] exactly by soft
 * backward induction (soft value iteration on the tree of reachable states):
 *   Q*(s,a) = r(s,a) + γ·τ·logsumexp_a'(log π_ref(a'|s') + Q*(s',a')/τ),  π* = π_ref·exp(Q* / τ)/Z.
 */
export function solveSoftTokenMdp(mdp: SoftTokenMdp, tau: number): SoftSolution {
  const q: QTable = new Map();
  const v = new Map<string, number>();
  const policy: QTable = new Map();
  const visit = (prefix: number[]): number => {
    const qs = new Float64Array(mdp.vocabSize);
    for (let a = 0; a < mdp.vocabSize; a++) {
      let x = mdp.reward(prefix, a);
      if (!(prefix.length + 1 >= mdp.horizon || a === mdp.eosId)) {
        prefix.push(a);
        x += mdp.gamma * visit(prefix);
        prefix.pop();
      }
      qs[a] = x;
    }
    const lp = mdp.refLogProbs(prefix);
    const w = Array.from(qs, (x, a) => (lp[a] as number) + x / tau);
    const m = Math.max(...w);
    const lz = m + Math.log(w.reduce((s, x) => s + Math.exp(x - m), 0));
    const key = prefix.join(",");
    q.set(key, qs);
    v.set(key, tau * lz);
    policy.set(
      key,
      Float64Array.from(w, (x) => Math.exp(x - lz)),
    );
    return tau * lz;
  };
  visit([]);
  return { q, v, policy };
}

/**
 * The KL-regularised value of an arbitrary policy, V^π(s) = Σ_a π(a|s)·[r(s,a) − τ·log(π(a|s)/π_ref(a|s)) +
 * γ·V^π(s ⊕ a)], by exact backward induction (to check that π* of {@link solveSoftTokenMdp} is optimal).
 */
export function evaluateSoftPolicy(
  mdp: SoftTokenMdp,
  tau: number,
  policy: (prefix: readonly number[]) => ArrayLike<number>,
): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (prefix: number[]): number => {
    const pi = policy(prefix);
    const lp = mdp.refLogProbs(prefix);
    let val = 0;
    for (let a = 0; a < mdp.vocabSize; a++) {
      const p = pi[a] as number;
      if (p <= 0) continue;
      let x = mdp.reward(prefix, a) - tau * (Math.log(p) - (lp[a] as number));
      if (!(prefix.length + 1 >= mdp.horizon || a === mdp.eosId)) {
        prefix.push(a);
        x += mdp.gamma * visit(prefix);
        prefix.pop();
      }
      val += p * x;
    }
    out.set(prefix.join(","), val);
    return val;
  };
  visit([]);
  return out;
}
