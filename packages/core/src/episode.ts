/**
 * An episode of the token MDP as plain data, the unit that replay stores without copying prefixes.
 *
 * Transition t (0 ≤ t < T, T = tokens.length − promptLength): s_t = tokens[0 .. P+t), a_t = tokens[P+t],
 * r_t = rewards[t], s_{t+1} = tokens[0 .. P+t+1), done_t = terminated && t === T − 1.
 */
export interface Episode {
  /** Prompt followed by the generated tokens: the final state s_T. */
  readonly tokens: Int32Array;
  /** Number of prompt tokens P. */
  readonly promptLength: number;
  /** r_t for each action; length T. */
  readonly rewards: Float32Array;
  /** True when the episode ended on EOS (absorbing); false when it was cut at the length limit (bootstrap). */
  readonly terminated: boolean;
  /** Index of the reference example the episode was generated for, for bookkeeping. */
  readonly refIndex?: number;
}

/** Number of actions (transitions) in an episode. */
export function episodeLength(e: Episode): number {
  return e.tokens.length - e.promptLength;
}
