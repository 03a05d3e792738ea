/**
 * Dialogue selection mode end to end: index the training responses, build K-candidate episodes for every
 * example, train the selection DQN on the training episodes, and report recall@1 (the share of histories where
 * the true response is picked) of the DQN selector against a random pick and the BM25+ retrieval ranking.
 */

import { argmax, type Selector, type SelectorLog, type SelectorOptions, trainSelector } from "@dqnlm/appkit";
import { Rng } from "@dqnlm/core";
import {
  DIALOGUE_DENSE_DIM,
  DIALOGUE_SPARSE_DIM,
  type DialogueEpisode,
  type DialogueRewardFn,
  dialogueEpisode,
  exactReward,
} from "./features.js";
import { hardCandidateSets, hardEpisodes } from "./hard-episodes.js";
import { type HardNegativeOptions, HardNegativeSampler, type ServiceExample } from "./hard-negatives.js";
import { type DialogueExample, ResponseIndex, type ResponseIndexOptions } from "./retrieval.js";

/** Options of the dialogue selector (the selector's options less the feature sizes). */
export type DialogueSelectorOptions = Omit<SelectorOptions, "denseDim" | "sparseDim"> & {
  /** Use the hashed word-cross features. @default true */
  readonly crossFeatures?: boolean;
};

/** Default selector hyperparameters of the dialogue app. */
export const DIALOGUE_SELECTOR_DEFAULTS: Required<
  Pick<
    DialogueSelectorOptions,
    "steps" | "hidden" | "learningRate" | "batchSize" | "updatesPerStep" | "actorBatch"
  >
> = {
  steps: 20000,
  hidden: 32,
  learningRate: 0.003,
  batchSize: 128,
  updatesPerStep: 0.25,
  actorBatch: 32,
};

/**
 * Where the negatives of a selection episode come from: `random` (the original, easy setting) takes the K − 1
 * best BM25+ matches among all distinct training responses, whatever their dialogue, service or stage (topped up
 * with random ones); `hard` draws other system turns of the same service domain(s) at the same dialogue stage
 * (see {@link HardNegativeSampler}).
 */
export type NegativesMode = "random" | "hard";

/** Builds the episodes of every split with one index (evaluation responses added as scored-only documents). */
export function buildDialogueEpisodes(
  splits: Readonly<Record<"train" | "validation" | "test", readonly ServiceExample[]>>,
  options: {
    k?: number;
    seed?: number;
    index?: ResponseIndexOptions;
    reward?: DialogueRewardFn;
    /** @default "random" */
    negatives?: NegativesMode;
    hard?: HardNegativeOptions;
  } = {},
): { index: ResponseIndex; episodes: Record<"train" | "validation" | "test", DialogueEpisode[]> } {
  const k = options.k ?? 10;
  const rng = new Rng(options.seed ?? 0);
  const index = new ResponseIndex(
    splits.train.map((e) => e.response),
    options.index,
  );
  for (const s of ["validation", "test"] as const) for (const e of splits[s]) index.addScoredOnly(e.response);
  const reward = options.reward ?? exactReward;
  if (options.negatives === "hard") {
    const sampler = new HardNegativeSampler(splits.train, options.hard);
    const seed = options.seed ?? 0;
    const hard = (xs: readonly ServiceExample[], s: number): DialogueEpisode[] =>
      hardEpisodes(hardCandidateSets(xs, sampler, k - 1, seed + s), k, index, seed + s + 100, reward);
    return {
      index,
      episodes: {
        train: hard(splits.train, 0),
        validation: hard(splits.validation, 1),
        test: hard(splits.test, 2),
      },
    };
  }
  const build = (xs: readonly DialogueExample[]): DialogueEpisode[] =>
    xs.map((e) => dialogueEpisode(e, index, k, rng, reward));
  return {
    index,
    episodes: { train: build(splits.train), validation: build(splits.validation), test: build(splits.test) },
  };
}

/** Trains the dialogue selection DQN. */
export async function trainDialogueSelector(
  train: readonly DialogueEpisode[],
  options: DialogueSelectorOptions = {},
): Promise<Selector> {
  const cross = options.crossFeatures ?? true;
  const eps = cross ? train : train.map(({ sparse: _, ...e }) => e);
  return trainSelector(eps, {
    ...DIALOGUE_SELECTOR_DEFAULTS,
    ...options,
    denseDim: DIALOGUE_DENSE_DIM,
    sparseDim: cross ? DIALOGUE_SPARSE_DIM : 0,
  });
}

/** recall@1 ×100 of picks. */
export function recallAt1(episodes: readonly DialogueEpisode[], picks: readonly number[]): number {
  let hit = 0;
  episodes.forEach((e, i) => {
    if (picks[i] === e.truth) hit++;
  });
  return (100 * hit) / Math.max(1, episodes.length);
}

/** Mean reward ×100 of picks (equals recall@1 with the exact reward). */
export function meanReward(episodes: readonly DialogueEpisode[], picks: readonly number[]): number {
  let r = 0;
  episodes.forEach((e, i) => {
    r += e.rewards[picks[i]!] ?? 0;
  });
  return (100 * r) / Math.max(1, episodes.length);
}

/** The retrieval ranking baseline: the candidate with the highest BM25+ score. */
export function bm25Picks(episodes: readonly DialogueEpisode[]): number[] {
  return episodes.map((e) => argmax(e.candidates.map((c) => c.score)));
}

/** Uniformly random picks (seeded). */
export function randomPicks(episodes: readonly DialogueEpisode[], rng: Rng): number[] {
  return episodes.map((e) => rng.nextInt(e.candidates.length));
}

/** One row of a dialogue selection table. */
export interface DialogueSelectionRow {
  readonly system: string;
  readonly recallAt1: number;
}

/** What {@link runDialogueSelection} returns. */
export interface DialogueSelectionResult {
  readonly rows: Readonly<Record<"validation" | "test", DialogueSelectionRow[]>>;
  readonly picks: Readonly<Record<"validation" | "test", number[]>>;
  readonly log: readonly SelectorLog[];
  readonly wallTimeS: number;
}

/** Trains one seed on prebuilt episodes and scores DQN, random and BM25+ on validation and test. */
export async function runDialogueSelection(
  episodes: Readonly<Record<"train" | "validation" | "test", readonly DialogueEpisode[]>>,
  options: DialogueSelectorOptions = {},
): Promise<DialogueSelectionResult> {
  const t0 = performance.now();
  const log: SelectorLog[] = [];
  const net = await trainDialogueSelector(episodes.train, {
    ...options,
    onLog: (l) => {
      log.push(l);
      options.onLog?.(l);
    },
  });
  const wallTimeS = (performance.now() - t0) / 1000;
  const seed = options.seed ?? 1;
  const rows = {} as Record<"validation" | "test", DialogueSelectionRow[]>;
  const picks = {} as Record<"validation" | "test", number[]>;
  for (const split of ["validation", "test"] as const) {
    const eps = episodes[split];
    const dqn = net.pick(net.sparseDim > 0 ? eps : eps.map(({ sparse: _, ...e }) => e));
    picks[split] = dqn;
    rows[split] = [
      { system: "random pick", recallAt1: recallAt1(eps, randomPicks(eps, new Rng(seed * 7919 + 17))) },
      { system: "BM25+ retrieval ranking", recallAt1: recallAt1(eps, bm25Picks(eps)) },
      { system: "DQN selector", recallAt1: recallAt1(eps, dqn) },
    ];
  }
  net.dispose();
  return { rows, picks, log, wallTimeS };
}
