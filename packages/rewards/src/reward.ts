/**
 * The `Reward` contract shared by the trainer and the apps, the built-in rewards (all on a 0–1 scale so that
 * their magnitudes are comparable) and combinators that build new rewards from old ones.
 *
 * A reward is a plain object: `score(hyp, refs)` is the whole contract; `incremental(refs)` is an optional fast
 * path for per-step rewards that scores a growing hypothesis piece by piece. Any object with this shape works
 * with {@link prefixScores} and the trainer, so custom rewards need no base class.
 */
import { type BleuOptions, sentenceBleu } from "./bleu.js";
import { type ChrfOptions, sentenceChrf } from "./chrf.js";
import { RewardsOptionError } from "./errors.js";
import { bleuIncremental, chrfIncremental } from "./incremental.js";
import { checkOptions, checkString, choiceOption, toStringList } from "./reward-validate.js";
import { isRougeType, type RougeType, rouge, rougeSignature } from "./rouge.js";
import { type RougeMeasure, rougeLIncremental, rougeNIncremental } from "./rouge-incremental.js";
import { SQUAD_SIGNATURE, squad } from "./squad.js";
import { sentenceTer, type TerOptions } from "./ter.js";

/**
 * Scores a hypothesis that grows piece by piece (e.g. one decoded token at a time) against fixed references.
 * After any sequence of `push` calls, `score` must equal the owning reward's `score(pieces.join(""), refs)`.
 */
export interface IncrementalScorer {
  /** Appends `piece` to the hypothesis and returns the new score. */
  push(piece: string): number;
  /** Back to the empty hypothesis (`score` becomes the score of `""`). */
  reset(): void;
  /** The score of the hypothesis pushed so far. */
  readonly score: number;
}

/** A sequence-level reward: a metric of a hypothesis against its references. */
export interface Reward {
  /** A short name for logs, e.g. `rougeL.fmeasure`. */
  readonly name: string;
  /** Everything that determines the value (options, metric signature), for run reports. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The reward of `hyp` against `refs` (0–1 for the built-ins). */
  score(hyp: string, refs: readonly string[]): number;
  /** Optional fast path for prefixes: a scorer whose `score` equals `score(text so far, refs)`. */
  incremental?(refs: readonly string[]): IncrementalScorer;
}

function checkScoreArgs(hyp: unknown, refs: unknown, name: string): readonly string[] {
  const fn = `${name}.score`;
  checkString(hyp, "hyp", fn);
  return toStringList(refs, "refs", fn);
}

// ---------------------------------------------------------------------------------------------------------------
// Built-in rewards

/** A 0–100 metric value on the 0–1 reward scale, capped at 1 against floating-point overshoot. */
function toUnit(x: number): number {
  return Math.min(x / 100, 1);
}

/** An incremental scorer on another scale: `f(inner.score)`. */
function mappedScorer(inner: IncrementalScorer, f: (x: number) => number): IncrementalScorer {
  return combinedScorer([inner], (s) => f(s[0]!));
}

/**
 * Sentence BLEU / 100 as a reward (0–1), as `sacrebleu.sentence_bleu`: 13a tokenizer, `exp` smoothing,
 * effective order (all {@link BleuOptions} can be overridden). Capped at 1: sacreBLEU's exp-of-mean-log arithmetic
 * returns e.g. 100.00000000000004 for "the the" against itself. Incremental, exactly equal to rescoring.
 */
export function bleuReward(opts?: BleuOptions): Reward {
  // scoring once validates the options up front and yields the signature
  const signature = sentenceBleu("", [""], opts).signature.replace(/^nrefs:\d+\|/, "");
  return {
    name: "bleu",
    config: { metric: "bleu", ...opts, signature },
    score(hyp, refs) {
      return toUnit(sentenceBleu(hyp, checkScoreArgs(hyp, refs, "bleu"), opts).score);
    },
    incremental: (refs) => mappedScorer(bleuIncremental(refs, opts), toUnit),
  };
}

/**
 * Sentence chrF / 100 as a reward (0–1, capped at 1 like {@link bleuReward}); `{ wordOrder: 2 }` gives
 * chrF++. Incremental, exactly equal to rescoring.
 */
export function chrfReward(opts?: ChrfOptions): Reward {
  const signature = sentenceChrf("", [""], opts).signature.replace(/^nrefs:\d+\|/, "");
  const name = opts?.wordOrder !== undefined && opts.wordOrder > 0 ? "chrf++" : "chrf";
  return {
    name,
    config: { metric: "chrf", ...opts, signature },
    score(hyp, refs) {
      return toUnit(sentenceChrf(hyp, checkScoreArgs(hyp, refs, name), opts).score);
    },
    incremental: (refs) => mappedScorer(chrfIncremental(refs, opts), toUnit),
  };
}

/** Options of {@link rougeReward}. */
export interface RougeRewardOptions {
  /** ROUGE type. @default "rougeL" */
  readonly type?: RougeType;
  /** Which value of the best-F1 target to return. @default "fmeasure" */
  readonly measure?: RougeMeasure;
  /** Porter-stem tokens longer than 3 characters. @default false */
  readonly useStemmer?: boolean;
}

/**
 * ROUGE as a reward, 0–1: `rouge(hyp, refs)[type][measure]`. Incremental for `rouge1`…`rouge9` and `rougeL`
 * (exactly equal to rescoring); `rougeLsum` rescoring only.
 */
export function rougeReward(opts?: RougeRewardOptions): Reward {
  const fn = "rougeReward";
  checkOptions(opts, ["type", "measure", "useStemmer"], fn);
  const type = opts?.type ?? "rougeL";
  if (!isRougeType(type)) {
    throw new RewardsOptionError(
      "type",
      `${fn}: option \`type\` must be "rouge1"…"rouge9", "rougeL" or "rougeLsum", received ${JSON.stringify(type)}.`,
    );
  }
  const measure = choiceOption<RougeMeasure>(
    opts?.measure,
    "measure",
    fn,
    ["fmeasure", "precision", "recall"],
    "fmeasure",
  );
  const useStemmer = opts?.useStemmer ?? false;
  if (typeof useStemmer !== "boolean") {
    throw new RewardsOptionError(
      "useStemmer",
      `${fn}: option \`useStemmer\` must be true or false, received ${String(useStemmer)}.`,
    );
  }
  const name = `${type}.${measure}`;
  const reward: Reward = {
    name,
    config: { metric: "rouge", type, measure, useStemmer, signature: rougeSignature(type, { useStemmer }) },
    score(hyp, refs) {
      const list = checkScoreArgs(hyp, refs, name);
      return rouge(hyp, list, { rougeTypes: [type], useStemmer })[type][measure];
    },
  };
  if (type === "rougeL") {
    return { ...reward, incremental: (refs) => rougeLIncremental(refs, { useStemmer, measure }) };
  }
  if (type !== "rougeLsum") {
    const n = Number(type.slice(5));
    return { ...reward, incremental: (refs) => rougeNIncremental(refs, { n, useStemmer, measure }) };
  }
  return reward;
}

/**
 * TER as a reward, 0–1: `1 − min(TER, 100) / 100`, so a perfect match scores 1 and a hypothesis needing at
 * least as many edits as the reference has words (TER ≥ 100, which TER allows) scores 0.
 */
export function terReward(opts?: TerOptions): Reward {
  // scoring once up front validates the options at construction rather than at the first step
  const signature = sentenceTer("", [""], opts).signature.replace(/^nrefs:\d+\|/, "");
  const config = { metric: "ter", ...opts, signature };
  return {
    name: "ter",
    config,
    score(hyp, refs) {
      const list = checkScoreArgs(hyp, refs, "ter");
      return 1 - Math.min(sentenceTer(hyp, list, opts).score, 100) / 100;
    },
  };
}

/** SQuAD v1.1 token F1 (0–1, max over the gold answers) as a reward. */
export function squadF1Reward(): Reward {
  return {
    name: "squad.f1",
    config: { metric: "squad", measure: "f1", signature: SQUAD_SIGNATURE },
    score(hyp, refs) {
      return squad(hyp, checkScoreArgs(hyp, refs, "squad.f1")).f1;
    },
  };
}

/** SQuAD v1.1 exact match (0 or 1, after the official normalisation) as a reward. */
export function squadEmReward(): Reward {
  return {
    name: "squad.em",
    config: { metric: "squad", measure: "exactMatch", signature: SQUAD_SIGNATURE },
    score(hyp, refs) {
      return squad(hyp, checkScoreArgs(hyp, refs, "squad.em")).exactMatch;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Combinators

function checkFinite(v: unknown, field: string, fn: string): asserts v is number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new RewardsOptionError(
      field,
      `${fn}: \`${field}\` must be a finite number, received ${String(v)}.`,
    );
  }
}

function checkReward(r: unknown, field: string, fn: string): asserts r is Reward {
  const o = r as Partial<Reward> | null;
  if (o === null || typeof o !== "object" || typeof o.score !== "function" || typeof o.name !== "string") {
    throw new RewardsOptionError(
      field,
      `${fn}: \`${field}\` must be a Reward ({ name, config, score(hyp, refs) }), received ${typeof r}. Example: rougeReward().`,
    );
  }
}

/** An incremental scorer that feeds every piece to several scorers and combines their scores. */
function combinedScorer(
  parts: readonly IncrementalScorer[],
  combine: (scores: readonly number[]) => number,
): IncrementalScorer {
  const current = (): number => combine(parts.map((p) => p.score));
  let score = current();
  return {
    push(piece) {
      for (const p of parts) p.push(piece);
      score = current();
      return score;
    },
    reset() {
      for (const p of parts) p.reset();
      score = current();
    },
    get score() {
      return score;
    },
  };
}

/**
 * `Σ wᵢ · rewardᵢ`. Incremental when every part is.
 *
 * @example
 * weightedSum([[0.5, bleuReward()], [0.5, rougeReward({ type: "rougeL" })]])
 */
export function weightedSum(parts: readonly (readonly [number, Reward])[]): Reward {
  const fn = "weightedSum";
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new RewardsOptionError(
      "parts",
      `${fn}: expected a non-empty array of [weight, reward] pairs, e.g. [[1, rougeReward()]].`,
    );
  }
  parts.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2) {
      throw new RewardsOptionError(`parts[${i}]`, `${fn}: \`parts[${i}]\` must be a [weight, reward] pair.`);
    }
    checkFinite(p[0], `parts[${i}][0]`, fn);
    checkReward(p[1], `parts[${i}][1]`, fn);
  });
  const weights = parts.map((p) => p[0]);
  const rewards = parts.map((p) => p[1]);
  const combine = (scores: readonly number[]): number => {
    let s = 0;
    for (let i = 0; i < scores.length; i++) s += weights[i]! * scores[i]!;
    return s;
  };
  const reward: Reward = {
    name: `weightedSum(${parts.map(([w, r]) => `${w}*${r.name}`).join(",")})`,
    config: {
      combinator: "weightedSum",
      parts: parts.map(([w, r]) => ({ weight: w, name: r.name, config: r.config })),
    },
    score(hyp, refs) {
      return combine(rewards.map((r) => r.score(hyp, refs)));
    },
  };
  if (rewards.every((r) => typeof r.incremental === "function")) {
    return {
      ...reward,
      incremental: (refs) =>
        combinedScorer(
          rewards.map((r) => r.incremental!(refs)),
          combine,
        ),
    };
  }
  return reward;
}

/** A unary combinator: `f(reward)`, keeping the incremental path when the inner reward has one. */
function mapReward(
  inner: Reward,
  name: string,
  config: Record<string, unknown>,
  f: (x: number) => number,
): Reward {
  const reward: Reward = {
    name,
    config,
    score(hyp, refs) {
      return f(inner.score(hyp, refs));
    },
  };
  if (typeof inner.incremental === "function") {
    return { ...reward, incremental: (refs) => mappedScorer(inner.incremental!(refs), f) };
  }
  return reward;
}

/** `min(hi, max(lo, reward))`. */
export function clip(reward: Reward, lo: number, hi: number): Reward {
  const fn = "clip";
  checkReward(reward, "reward", fn);
  checkFinite(lo, "lo", fn);
  checkFinite(hi, "hi", fn);
  if (lo > hi) throw new RewardsOptionError("lo", `${fn}: \`lo\` (${lo}) must not exceed \`hi\` (${hi}).`);
  return mapReward(
    reward,
    `clip(${reward.name},${lo},${hi})`,
    { combinator: "clip", lo, hi, inner: reward.config },
    (x) => Math.min(hi, Math.max(lo, x)),
  );
}

/**
 * `k · reward + offset`.
 * @param offset added after scaling. @default 0
 */
export function scale(reward: Reward, k: number, offset = 0): Reward {
  const fn = "scale";
  checkReward(reward, "reward", fn);
  checkFinite(k, "k", fn);
  checkFinite(offset, "offset", fn);
  return mapReward(
    reward,
    `scale(${reward.name},${k},${offset})`,
    { combinator: "scale", k, offset, inner: reward.config },
    (x) => k * x + offset,
  );
}
