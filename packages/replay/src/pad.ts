/**
 * Packing sampled episodes for one forward pass: a causal Q-network scores every prefix of a sequence at once
 * (output position p holds Q(tokens[0..p], ·)), so a batch of transitions needs one right-padded row per
 * distinct episode plus, per transition, the flat position of its state and bootstrap state.
 */
import type { Episode } from "@dqnlm/core";
import type { NStepBatch, TransitionBatch } from "./buffer.js";
import { ReplayInputError } from "./errors.js";

/** Episodes right-padded into one [count × width] matrix (row-major). */
export interface PaddedEpisodes {
  /** Number of rows. */
  readonly count: number;
  /** Row length (the longest episode, or the requested width). */
  readonly width: number;
  /** Token ids, [count × width], padded with `padId`. */
  readonly tokens: Int32Array;
  /** Full length P + T of each row. */
  readonly lengths: Int32Array;
  /** Prompt length P of each row. */
  readonly promptLengths: Int32Array;
  /** Number of actions T of each row. */
  readonly steps: Int32Array;
  /** Longest T. */
  readonly maxSteps: number;
  /** Rewards, [count × maxSteps], 0 past each row's end. */
  readonly rewards: Float32Array;
  /** 1 where the episode ended on EOS. */
  readonly terminated: Uint8Array;
}

/**
 * Right-pads `episodes` (e.g. `buffer.getEpisodes(batch.episodeIds)` or `sampleEpisodes(...).episodes`) into
 * fresh typed arrays.
 */
export function padEpisodes(
  episodes: readonly Episode[],
  options: { padId?: number; width?: number } = {},
): PaddedEpisodes {
  const padId = options.padId ?? 0;
  const count = episodes.length;
  let width = 0;
  let maxSteps = 0;
  for (const e of episodes) {
    width = Math.max(width, e.tokens.length);
    maxSteps = Math.max(maxSteps, e.tokens.length - e.promptLength);
  }
  if (options.width !== undefined) {
    if (!Number.isInteger(options.width) || options.width < width)
      throw new ReplayInputError(
        "DQNLM_REPLAY_BAD_ARGUMENT",
        `width must be an integer ≥ the longest episode (${width}), received ${options.width}`,
        "width",
      );
    width = options.width;
  }
  const tokens = new Int32Array(count * width).fill(padId);
  const rewards = new Float32Array(count * maxSteps);
  const lengths = new Int32Array(count);
  const promptLengths = new Int32Array(count);
  const steps = new Int32Array(count);
  const terminated = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const e = episodes[r] as Episode;
    tokens.set(e.tokens, r * width);
    rewards.set(e.rewards, r * maxSteps);
    lengths[r] = e.tokens.length;
    promptLengths[r] = e.promptLength;
    steps[r] = e.tokens.length - e.promptLength;
    terminated[r] = e.terminated ? 1 : 0;
  }
  return { count, width, tokens, lengths, promptLengths, steps, maxSteps, rewards, terminated };
}

/** Flat positions into a [count × width] forward output for each sampled transition. */
export interface TransitionPositions {
  /** Position of Q(s_t, ·): row·width + P + t − 1. */
  readonly state: Int32Array;
  /** The action a_t = tokens[P + t]. */
  readonly action: Int32Array;
  /** Position of Q(s_j, ·) for the bootstrap state j (row·width + P + j − 1), or −1 when there is none. */
  readonly bootstrap: Int32Array;
}

/**
 * Positions for `batch` in `padded` (built from `getEpisodes(batch.episodeIds)` in that order). Without
 * `nStep`, the bootstrap state is s_{t+1} (one-step TD), none for the terminal step of a terminated episode.
 */
export function transitionPositions(
  batch: TransitionBatch,
  padded: PaddedEpisodes,
  nStep?: NStepBatch,
): TransitionPositions {
  if (padded.count !== batch.episodeIds.length)
    throw new ReplayInputError(
      "DQNLM_REPLAY_BAD_ARGUMENT",
      `padded has ${padded.count} rows but the batch has ${batch.episodeIds.length} distinct episodes; pad ` +
        "getEpisodes(batch.episodeIds) in that order",
      "padded",
    );
  const n = batch.size;
  const state = new Int32Array(n);
  const action = new Int32Array(n);
  const bootstrap = new Int32Array(n);
  const W = padded.width;
  for (let i = 0; i < n; i++) {
    const row = batch.rows[i] as number;
    const t = batch.steps[i] as number;
    const P = padded.promptLengths[row] as number;
    const base = row * W + P;
    state[i] = base + t - 1;
    action[i] = padded.tokens[base + t] as number;
    let j: number;
    if (nStep !== undefined) j = nStep.bootstrapSteps[i] as number;
    else j = t + 1 === padded.steps[row] && padded.terminated[row] === 1 ? -1 : t + 1;
    bootstrap[i] = j < 0 ? -1 : base + j - 1;
  }
  return { state, action, bootstrap };
}
