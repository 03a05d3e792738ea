/**
 * QA selection mode end to end: build the answerers (IDF from the training split), turn every example into a
 * selection episode (the answerers' candidates), train the selection DQN on the training episodes, and score
 * every system on a split: each answerer alone (its top answer), a uniformly random pick, the DQN selector and
 * the oracle (the best candidate, an upper bound).
 */

import {
  argmax,
  Idf,
  type Selector,
  type SelectorLog,
  type SelectorOptions,
  trainSelector,
} from "@dqnlm/appkit";
import { Rng } from "@dqnlm/core";
import {
  type Answerer,
  answerTypeAnswerer,
  sentenceOverlapAnswerer,
  slidingWindowAnswerer,
} from "./answerers.js";
import { QA_SPARSE_DIM, type QaEpisode, type QaExample, qaDenseDim, qaEpisode } from "./features.js";

/** The built-in answerers, with IDF weights from `trainExamples` (contexts and questions). */
export function defaultAnswerers(trainExamples: readonly QaExample[]): { answerers: Answerer[]; idf: Idf } {
  const idf = Idf.fromDocuments(new Set(trainExamples.map((e) => e.context)));
  return {
    idf,
    answerers: [
      sentenceOverlapAnswerer({ idf }),
      slidingWindowAnswerer({ idf }),
      answerTypeAnswerer({ idf }),
    ],
  };
}

/** Options of {@link trainQaSelector}: the selector's options less the feature sizes. */
export type QaSelectorOptions = Omit<SelectorOptions, "denseDim" | "sparseDim"> & {
  /** Use the hashed cross features (question phrase × answerer × answer shape). @default true */
  readonly crossFeatures?: boolean;
};

/** Selection scores of one system on a split (0–100 scale, as SQuAD reports). */
export interface SelectionScores {
  readonly f1: number;
  readonly em: number;
}

/** The picks of one system: a candidate index per episode. */
export type Picks = readonly number[];

/** Default selector hyperparameters of the QA app (chosen on the validation split). */
export const QA_SELECTOR_DEFAULTS: Required<
  Pick<QaSelectorOptions, "steps" | "hidden" | "learningRate" | "batchSize" | "updatesPerStep" | "actorBatch">
> = {
  steps: 20000,
  hidden: 32,
  learningRate: 0.003,
  batchSize: 128,
  updatesPerStep: 0.25,
  actorBatch: 32,
};

function dropSparse(eps: readonly QaEpisode[]): QaEpisode[] {
  return eps.map(({ sparse: _, ...e }) => e);
}

/** Builds the selection episodes of `examples`. */
export function qaEpisodes(
  examples: readonly QaExample[],
  answerers: readonly Answerer[],
  idf: Idf,
  k = 3,
): QaEpisode[] {
  return examples.map((e) => qaEpisode(e, answerers, idf, k));
}

/** Trains the QA selection DQN on training episodes. */
export async function trainQaSelector(
  train: readonly QaEpisode[],
  nAnswerers: number,
  options: QaSelectorOptions = {},
): Promise<Selector> {
  const cross = options.crossFeatures ?? true;
  // Extra dense features (e.g. the generator's log-probability) widen the vector beyond qaDenseDim.
  const dense = train[0]?.features[0]?.length ?? qaDenseDim(nAnswerers);
  const eps = cross ? train : dropSparse(train);
  return trainSelector(eps, {
    ...QA_SELECTOR_DEFAULTS,
    ...options,
    denseDim: dense,
    sparseDim: cross ? QA_SPARSE_DIM : 0,
  });
}

/** The selector's picks on `episodes`. */
export function selectorPicks(net: Selector, episodes: readonly QaEpisode[]): number[] {
  const eps = net.sparseDim > 0 ? episodes : dropSparse(episodes);
  return net.pick(eps);
}

/** Scores picks: mean F1 and EM ×100. */
export function scorePicks(episodes: readonly QaEpisode[], picks: Picks): SelectionScores {
  let f1 = 0;
  let em = 0;
  episodes.forEach((e, i) => {
    const p = picks[i]!;
    f1 += e.rewards[p] ?? 0;
    em += e.em[p] ?? 0;
  });
  const n = Math.max(1, episodes.length);
  return { f1: (100 * f1) / n, em: (100 * em) / n };
}

/** Baseline picks: answerer `a` alone (its top candidate; its first when it produced none, index 0). */
export function answererPicks(episodes: readonly QaEpisode[], a: number): number[] {
  return episodes.map((e) => {
    const i = e.candidates.findIndex((c) => c.answerer === a && c.rank === 0);
    return Math.max(i, 0);
  });
}

/** Uniformly random picks (seeded). */
export function randomPicks(episodes: readonly QaEpisode[], rng: Rng): number[] {
  return episodes.map((e) => rng.nextInt(e.candidates.length));
}

/** Oracle picks: the candidate with the best F1 (an upper bound for any selector over these candidates). */
export function oraclePicks(episodes: readonly QaEpisode[]): number[] {
  return episodes.map((e) => argmax(e.rewards));
}

/** One row of a selection result table. */
export interface SelectionRow {
  readonly system: string;
  readonly scores: SelectionScores;
}

/** Everything {@link runQaSelection} returns. */
export interface QaSelectionResult {
  readonly rows: Readonly<Record<"validation" | "test", SelectionRow[]>>;
  readonly picks: Readonly<Record<"validation" | "test", number[]>>;
  readonly episodes: Readonly<Record<"validation" | "test", QaEpisode[]>>;
  readonly answerers: readonly string[];
  readonly log: readonly SelectorLog[];
  readonly wallTimeS: Readonly<Record<string, number>>;
  readonly meanCandidates: number;
}

/** Runs QA selection mode on train/validation/test splits with one seed. */
export async function runQaSelection(
  splits: Readonly<Record<"train" | "validation" | "test", readonly QaExample[]>>,
  options: QaSelectorOptions & { k?: number; onEpisodes?: (n: number) => void } = {},
  cache?: { answerers: Answerer[]; idf: Idf; episodes: Record<"train" | "validation" | "test", QaEpisode[]> },
): Promise<QaSelectionResult> {
  const t0 = performance.now();
  const built =
    cache ??
    (() => {
      const { answerers, idf } = defaultAnswerers(splits.train);
      const k = options.k ?? 3;
      return {
        answerers,
        idf,
        episodes: {
          train: qaEpisodes(splits.train, answerers, idf, k),
          validation: qaEpisodes(splits.validation, answerers, idf, k),
          test: qaEpisodes(splits.test, answerers, idf, k),
        },
      };
    })();
  const t1 = performance.now();
  const log: SelectorLog[] = [];
  const net = await trainQaSelector(built.episodes.train, built.answerers.length, {
    ...options,
    onLog: (l) => {
      log.push(l);
      options.onLog?.(l);
    },
  });
  const t2 = performance.now();
  const seed = options.seed ?? 1;
  const rows = {} as Record<"validation" | "test", SelectionRow[]>;
  const picks = {} as Record<"validation" | "test", number[]>;
  for (const split of ["validation", "test"] as const) {
    const eps = built.episodes[split];
    const dqn = selectorPicks(net, eps);
    picks[split] = dqn;
    rows[split] = [
      ...built.answerers.map((a, ai) => ({
        system: `answerer: ${a.name}`,
        scores: scorePicks(eps, answererPicks(eps, ai)),
      })),
      { system: "random pick", scores: scorePicks(eps, randomPicks(eps, new Rng(seed * 7919 + 17))) },
      { system: "DQN selector", scores: scorePicks(eps, dqn) },
      { system: "oracle (best candidate)", scores: scorePicks(eps, oraclePicks(eps)) },
    ];
  }
  net.dispose();
  const all = built.episodes.train;
  return {
    rows,
    picks,
    episodes: { validation: built.episodes.validation, test: built.episodes.test },
    answerers: built.answerers.map((a) => a.name),
    log,
    wallTimeS: { candidates: (t1 - t0) / 1000, dqn: (t2 - t1) / 1000, eval: (performance.now() - t2) / 1000 },
    meanCandidates: all.reduce((s, e) => s + e.candidates.length, 0) / Math.max(1, all.length),
  };
}
