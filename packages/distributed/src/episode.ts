/** Episodes as the single-process trainer stores them (same reward scale and length-limit convention). */
import type { TrainerConfig } from "@dqnlm/trainer";

/** prompt ⊕ generated as a replay episode, with the trainer's reward scale and length-limit convention. */
export function buildEpisode(
  cfg: TrainerConfig,
  prompt: Int32Array,
  gen: Int32Array,
  rewards: Float32Array,
  endedOnEos: boolean,
  ref: number,
): {
  tokens: Int32Array;
  promptLength: number;
  rewards: Float32Array;
  terminated: boolean;
  refIndex: number;
} {
  const tokens = new Int32Array(prompt.length + gen.length);
  tokens.set(prompt);
  tokens.set(gen, prompt.length);
  const scaled = cfg.reward.scale === 1 ? rewards : rewards.map((r) => r * cfg.reward.scale);
  return {
    tokens,
    promptLength: prompt.length,
    rewards: scaled,
    terminated: endedOnEos || cfg.dqn.maxLengthTerminal,
    refIndex: ref,
  };
}
