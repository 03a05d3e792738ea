/**
 * Selection episodes with hard negatives: each example gets a fixed, seeded list of negatives from
 * {@link HardNegativeSampler} (hardest level first); the K-candidate episode uses its first K − 1, so the
 * 10-candidate set of an example is a subset of its 100-candidate set. Candidates carry their BM25+ score for the
 * history (the retrieval ranking and the selector's score features) and are shuffled so the position of the
 * true response carries no information.
 */
import { Rng } from "@dqnlm/core";
import { type DialogueEpisode, type DialogueRewardFn, dialogueEpisodeFrom, exactReward } from "./features.js";
import { type HardNegativeOptions, HardNegativeSampler, type ServiceExample } from "./hard-negatives.js";
import type { ResponseIndex, Retrieved } from "./retrieval.js";

/** The drawn negatives of one example. */
export interface HardCandidateSet {
  readonly example: ServiceExample;
  /** Negatives, hardest fallback level first. */
  readonly negatives: readonly string[];
  /** Fallback level of each negative. */
  readonly levels: readonly number[];
}

/** Draws `n` hard negatives for every example (one seeded stream, in example order). */
export function hardCandidateSets(
  examples: readonly ServiceExample[],
  sampler: HardNegativeSampler,
  n: number,
  seed = 0,
): HardCandidateSet[] {
  const rng = new Rng(seed);
  return examples.map((example) => {
    const { texts, levels } = sampler.negatives(example, n, rng);
    return { example, negatives: texts, levels };
  });
}

/** The K-candidate episodes of candidate sets (the truth + the first K − 1 negatives, shuffled with `seed`). */
export function hardEpisodes(
  sets: readonly HardCandidateSet[],
  k: number,
  index: ResponseIndex,
  seed = 0,
  reward: DialogueRewardFn = exactReward,
): DialogueEpisode[] {
  const rng = new Rng(seed);
  return sets.map(({ example, negatives }) => {
    const texts = [...negatives.slice(0, k - 1), example.response];
    const scores = index.scoreTexts(example.history, texts);
    const all: Retrieved[] = texts.map((text, i) => ({ text, score: scores[i]! }));
    const order = rng.shuffle([...all.keys()]);
    return dialogueEpisodeFrom(
      example,
      order.map((i) => all[i]!),
      order.indexOf(all.length - 1),
      reward,
    );
  });
}

/** Builds a sampler over `pool` and the K-candidate hard episodes of `examples` in one call. */
export function buildHardEpisodes(
  pool: readonly ServiceExample[],
  examples: readonly ServiceExample[],
  k: number,
  index: ResponseIndex,
  options: { seed?: number; reward?: DialogueRewardFn; hard?: HardNegativeOptions } = {},
): DialogueEpisode[] {
  const sampler = new HardNegativeSampler(pool, options.hard);
  const seed = options.seed ?? 0;
  return hardEpisodes(hardCandidateSets(examples, sampler, k - 1, seed), k, index, seed + 1, options.reward);
}
