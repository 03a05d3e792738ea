/**
 * Text tasks: (prompt, references) examples become a token-level task. The state s_0 is prompt ⊕ SEP (the
 * prompt cut from the left to `data.maxPromptTokens`); per-step rewards come from the sequence metric of every
 * decoded prefix (rewards' `prefixScores` + `stepRewards`, so incremental scorers are used when the reward has
 * one); demonstrations are the references ⊕ EOS.
 */
import type { Tokenizer } from "@dqnlm/mdp";
import { prefixScores, type Reward, stepRewards } from "@dqnlm/rewards";
import type { TrainerConfig, TruncationSide } from "./config.js";
import { OutputTrie } from "./constraint.js";
import type { Split, TokenTask } from "./dqn.js";
import { TrainerInputError } from "./errors.js";

/** One training example: a prompt and one or more reference outputs. */
export interface Example {
  readonly prompt: string;
  readonly references: readonly string[];
  /**
   * Restricts generation to these outputs (a token trie of `output ⊕ EOS`; see `OutputTrie`): the actor, greedy
   * decoding and the learner's bootstrap all use the constrained action sets. Omitted: any output.
   */
  readonly allowedOutputs?: readonly string[];
}

/** Examples per split (validation and test may be empty). */
export interface DataSplits {
  readonly train: readonly Example[];
  readonly validation?: readonly Example[];
  readonly test?: readonly Example[];
}

function checkExamples(xs: readonly Example[] | undefined, split: string): readonly Example[] {
  if (xs === undefined) return [];
  if (!Array.isArray(xs))
    throw new TrainerInputError(`data.${split}`, `data.${split} must be an array of {prompt, references}.`);
  xs.forEach((x, i) => {
    if (!x || typeof x.prompt !== "string")
      throw new TrainerInputError(
        `data.${split}[${i}].prompt`,
        `data.${split}[${i}].prompt must be a string, received ${typeof x?.prompt}. Example: {"prompt": "a b c", "references": ["c b a"]}`,
      );
    if (
      !Array.isArray(x.references) ||
      x.references.length === 0 ||
      (x.references as unknown[]).some((r) => typeof r !== "string")
    )
      throw new TrainerInputError(
        `data.${split}[${i}].references`,
        `data.${split}[${i}].references must be a non-empty array of strings. Example: {"prompt": "a b c", "references": ["c b a"]}`,
      );
    if (
      x.allowedOutputs !== undefined &&
      (!Array.isArray(x.allowedOutputs) || (x.allowedOutputs as unknown[]).some((r) => typeof r !== "string"))
    )
      throw new TrainerInputError(
        `data.${split}[${i}].allowedOutputs`,
        `data.${split}[${i}].allowedOutputs must be an array of strings (the outputs generation may produce) or omitted.`,
      );
  });
  return xs;
}

/**
 * Encodes a prompt as the initial state: prompt tokens ⊕ SEP, a prompt longer than `maxPromptTokens` cut from
 * `side` (`"left"`: its first tokens are dropped, the end kept; `"right"`: its end is dropped, the beginning kept).
 */
export function encodePrompt(
  tok: Tokenizer,
  prompt: string,
  maxPromptTokens: number,
  side: TruncationSide = "left",
): Int32Array {
  const ids = tok.encode(prompt);
  const cut =
    ids.length <= maxPromptTokens
      ? ids
      : side === "left"
        ? ids.subarray(ids.length - maxPromptTokens)
        : ids.subarray(0, maxPromptTokens);
  const out = new Int32Array(cut.length + 1);
  out.set(cut);
  out[cut.length] = tok.sepId;
  return out;
}

/** Encodes a reference as a generated continuation: reference tokens (cut to leave room) ⊕ EOS. */
export function encodeTarget(tok: Tokenizer, reference: string, maxNewTokens: number): Int32Array {
  const ids = tok.encode(reference).subarray(0, Math.max(0, maxNewTokens - 1));
  const out = new Int32Array(ids.length + 1);
  out.set(ids);
  out[ids.length] = tok.eosId;
  return out;
}

/** A {@link TokenTask} over text examples plus its encoded pieces. */
export interface TextTask extends TokenTask {
  readonly examples: Readonly<Record<Split, readonly Example[]>>;
  /** Encoded (prompt ⊕ SEP, reference ⊕ EOS) pairs per split, one per reference. */
  readonly pairs: Readonly<Record<Split, readonly { prompt: Int32Array; target: Int32Array }[]>>;
  /** Decodes a generated continuation to text (special tokens dropped). */
  decode(generated: Int32Array): string;
}

/** Builds the text task for `data` with `tokenizer` and `reward`. */
export function buildTextTask(
  tokenizer: Tokenizer,
  reward: Reward,
  data: DataSplits,
  cfg: TrainerConfig,
): TextTask {
  const examples = {
    train: checkExamples(data.train, "train"),
    validation: checkExamples(data.validation, "validation"),
    test: checkExamples(data.test, "test"),
  };
  if (examples.train.length === 0)
    throw new TrainerInputError(
      "data.train",
      "data.train is empty; pass at least one {prompt, references} example.",
    );
  const { maxPromptTokens, maxNewTokens, truncationSide } = cfg.data;
  const enc = (x: { prompt: string }): Int32Array =>
    encodePrompt(tokenizer, x.prompt, maxPromptTokens, truncationSide);
  const prompts = {
    train: examples.train.map(enc),
    validation: examples.validation.map(enc),
    test: examples.test.map(enc),
  };
  const pairsOf = (split: Split) =>
    examples[split].flatMap((x, i) =>
      x.references.map((r) => ({
        prompt: prompts[split][i] as Int32Array,
        target: encodeTarget(tokenizer, r, maxNewTokens),
      })),
    );
  const pairs = { train: pairsOf("train"), validation: pairsOf("validation"), test: pairsOf("test") };
  const decode = (g: Int32Array): string => tokenizer.decode(g, { skipSpecial: true });
  const allowed = exampleConstraints(tokenizer, examples, maxNewTokens);
  return {
    vocabSize: tokenizer.vocabSize,
    eosId: tokenizer.eosId,
    padId: tokenizer.padId,
    prompts,
    examples,
    pairs,
    decode,
    score(split, index, generated) {
      const refs = (examples[split][index] as Example).references;
      const prefixes = new Array<string>(generated.length + 1);
      prefixes[0] = "";
      for (let t = 1; t <= generated.length; t++) prefixes[t] = decode(generated.subarray(0, t));
      const m = prefixScores(reward, prefixes, refs);
      return { rewards: stepRewards(m, cfg.reward.form), metric: m[m.length - 1] as number };
    },
    ...(allowed ? { allowed } : {}),
    demonstrations(index) {
      return (examples.train[index] as Example).references.map((r) =>
        encodeTarget(tokenizer, r, maxNewTokens),
      );
    },
  };
}

/**
 * The `allowed` function of a task whose examples carry `allowedOutputs` (undefined when none does). Tries are
 * built on first use per example; an example whose outputs all fail to fit (empty trie) is unconstrained.
 */
export function exampleConstraints(
  tokenizer: Tokenizer,
  examples: Readonly<Partial<Record<Split, readonly Pick<Example, "allowedOutputs">[]>>>,
  maxNewTokens: number,
): ((split: Split, index: number, prefix: readonly number[]) => readonly number[] | null) | undefined {
  const any = Object.values(examples).some((xs) => xs?.some((x) => x.allowedOutputs !== undefined));
  if (!any) return undefined;
  const cache = new Map<string, OutputTrie | null>();
  return (split, index, prefix) => {
    const key = `${split}:${index}`;
    let t = cache.get(key);
    if (t === undefined) {
      const outs = examples[split]?.[index]?.allowedOutputs;
      const built = outs ? OutputTrie.fromOutputs(tokenizer, outs, maxNewTokens) : null;
      t = built && built.size > 0 ? built : null;
      cache.set(key, t);
    }
    return t ? t.allowed(prefix) : null;
  };
}
