/**
 * n-step returns over episodes stored as plain data.
 *
 * For transition t of an episode with T steps and rewards r_0..r_{T−1}, with k = min(n, T − t):
 *   R_t^{(n)} = Σ_{i<k} γ^i r_{t+i}
 * and the target is R + γ^k · max_a Q(s_{t+k}, a) unless the episode terminated (EOS) at or before step t+k−1,
 * in which case there is no bootstrap. An episode cut at the length limit (`terminated === false`) bootstraps
 * from its final state s_T: the cut is not part of the MDP, so the value beyond it is estimated, not zero.
 */
import type { Episode } from "@dqnlm/core";
import { ReplayInputError } from "./errors.js";

/** The n-step target pieces of one transition. */
export interface NStepTarget {
  /** Σ_{i<k} γ^i r_{t+i}. */
  readonly ret: number;
  /**
   * Index j of the bootstrap state s_j = tokens[0 .. P + j) (t < j ≤ T), or −1 when the episode terminated
   * within the window and nothing is bootstrapped. Q(s_j, ·) is the causal network's output at position P + j − 1.
   */
  readonly bootstrapStep: number;
  /** γ^k, the factor in front of the bootstrap value (0 when `bootstrapStep` is −1). */
  readonly discount: number;
}

/** Checks n and γ once, with messages that say how to fix them. */
export function checkNStep(n: number, gamma: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new ReplayInputError(
      "DQNLM_REPLAY_BAD_ARGUMENT",
      `n must be an integer ≥ 1 (1 = one-step TD), received ${n}`,
      "n",
    );
  if (!(gamma >= 0 && gamma <= 1))
    throw new ReplayInputError(
      "DQNLM_REPLAY_BAD_ARGUMENT",
      `gamma must be in [0, 1], received ${gamma}; e.g. 0.99`,
      "gamma",
    );
}

/**
 * Core computation shared by {@link nStepReturn} and the buffer: `rewards[off .. off+T)` are r_0..r_{T−1}.
 * Returns the discount γ^k (0 for no bootstrap) and writes R and j through `out`.
 */
export function nStepInto(
  rewards: Float32Array,
  off: number,
  T: number,
  terminated: boolean,
  t: number,
  n: number,
  gamma: number,
  out: { ret: number; bootstrapStep: number; discount: number },
): void {
  const k = Math.min(n, T - t);
  let ret = 0;
  let g = 1;
  for (let i = 0; i < k; i++) {
    ret += g * (rewards[off + t + i] as number);
    g *= gamma;
  }
  out.ret = ret;
  if (t + k === T && terminated) {
    out.bootstrapStep = -1;
    out.discount = 0;
  } else {
    out.bootstrapStep = t + k;
    out.discount = g;
  }
}

/**
 * The n-step return of transition `t` of `episode` (see the module comment for the exact definition).
 *
 * @example nStepReturn({ tokens, promptLength: 1, rewards: new Float32Array([1, 2, 3]), terminated: true }, 0, 2, 0.5)
 *   // → { ret: 2, bootstrapStep: 2, discount: 0.25 }
 */
export function nStepReturn(episode: Episode, t: number, n: number, gamma: number): NStepTarget {
  checkNStep(n, gamma);
  const T = episode.tokens.length - episode.promptLength;
  if (!Number.isInteger(t) || t < 0 || t >= T)
    throw new ReplayInputError(
      "DQNLM_REPLAY_BAD_ARGUMENT",
      `t must be an integer in [0, ${T}) for an episode with ${T} steps, received ${t}`,
      "t",
    );
  const out = { ret: 0, bootstrapStep: -1, discount: 0 };
  nStepInto(episode.rewards, 0, T, episode.terminated, t, n, gamma, out);
  return out;
}
