/**
 * Decoding for `eval` and `generate`: greedy argmax-Q decoding (the trainer's `generate`, what `train` reports)
 * or beam search over π = softmax(Q/T) (the trainer's `generateNBest`), both inside the task's output
 * constraints when it has them (QA's `--constrain spans`).
 */
import type { Tokenizer } from "@dqnlm/mdp";
import {
  exampleConstraints,
  generateNBest,
  type TruncationSide,
  generate as trainerGenerate,
} from "@dqnlm/trainer";
import { UsageError } from "./errors.js";
import type { OptionValues } from "./task.js";

/** How to decode. */
export interface DecodingOptions {
  /** Beam width; 1 = greedy argmax-Q decoding. @default 1 */
  readonly beams: number;
  /** α in the beam score Σ log π / length^α (beams > 1 only). @default 1 */
  readonly lengthPenalty: number;
  /** T of π = softmax(Q/T) (beams > 1 only; the greedy argmax does not depend on it). @default 1 */
  readonly temperature: number;
}

/** The decoding options from `--beams`, `--length-penalty` and `--temperature`, checked. */
export function decodingOptions(o: OptionValues): DecodingOptions {
  const beams = o.beams ?? 1;
  if (typeof beams !== "number" || !Number.isInteger(beams) || beams < 1)
    throw new UsageError("beams", "an integer ≥ 1 (1 = greedy)", beams);
  const lengthPenalty = o["length-penalty"] ?? 1;
  if (typeof lengthPenalty !== "number" || !Number.isFinite(lengthPenalty) || lengthPenalty < 0)
    throw new UsageError("length-penalty", "a number ≥ 0", lengthPenalty);
  const temperature = o.temperature ?? 1;
  if (typeof temperature !== "number" || !Number.isFinite(temperature) || !(temperature > 0))
    throw new UsageError("temperature", "a number > 0 (e.g. 0.5 to sharpen π = softmax(Q/T))", temperature);
  return { beams, lengthPenalty, temperature };
}

/** A short label of the decoding, e.g. `greedy` or `beam 4, α 1, T 0.5`. */
export function decodingLabel(d: DecodingOptions): string {
  return d.beams === 1 ? "greedy" : `beam ${d.beams}, α ${d.lengthPenalty}, T ${d.temperature}`;
}

/** What {@link decode} needs besides the decoding options. */
export interface DecodeInput {
  /** A checkpoint folder (`QNetwork.save`). */
  readonly model: string;
  readonly tokenizer: Tokenizer;
  readonly prompts: readonly string[];
  readonly maxNewTokens: number;
  readonly maxPromptTokens: number;
  /** Which end of a longer prompt is cut (the run's `data.truncationSide`). @default "left" */
  readonly truncationSide?: TruncationSide;
  /** Per prompt: the outputs allowed (constrained decoding), undefined = free. @default none */
  readonly allowedOutputs?: readonly (readonly string[] | undefined)[];
}

/**
 * Decodes `prompts`: `beams` 1 runs exactly the trainer's greedy `generate` (the same call `train` and `eval`
 * always made); `beams` > 1 returns the best hypothesis of `generateNBest` (an empty string where every
 * hypothesis was dropped by the constraint).
 */
export async function decode(input: DecodeInput, d: DecodingOptions): Promise<string[]> {
  const base = {
    model: input.model,
    tokenizer: input.tokenizer,
    prompts: input.prompts,
    maxNewTokens: input.maxNewTokens,
    maxPromptTokens: input.maxPromptTokens,
    ...(input.truncationSide ? { truncationSide: input.truncationSide } : {}),
  };
  if (d.beams === 1)
    return trainerGenerate({
      ...base,
      ...(input.allowedOutputs ? { allowedOutputs: input.allowedOutputs } : {}),
    });
  const outs = input.allowedOutputs;
  const allowed = outs
    ? exampleConstraints(
        input.tokenizer,
        { test: input.prompts.map((_, i) => (outs[i] ? { allowedOutputs: outs[i] } : {})) },
        input.maxNewTokens,
      )
    : undefined;
  const hyps = await generateNBest({
    ...base,
    beams: d.beams,
    nBest: 1,
    lengthPenalty: d.lengthPenalty,
    temperature: d.temperature,
    ...(allowed ? { allowed: (i: number, prefix: readonly number[]) => allowed("test", i, prefix) } : {}),
  });
  return hyps.map((h) => h[0]?.text ?? "");
}
