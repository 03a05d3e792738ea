/**
 * The generative QA model (a run folder of `dqnlm-qa train`) as a member of the selection mode:
 *
 * - an answerer whose candidates are the model's beam-search hypotheses (`generateNBest` of `@dqnlm/trainer`),
 *   optionally constrained to word spans of the prompt's context sentences (a token trie of every span, so
 *   every hypothesis is extractive), and
 * - a feature for every candidate of every answerer: the mean per-token log π(candidate | prompt) under the
 *   model (teacher forced, `sequenceLogProbs`), so the selection Q-function can use the shared Q-network's
 *   judgement of answers it did not write itself.
 */
import { loadRunModel, UsageError } from "@dqnlm/appkit";
import type { Tokenizer } from "@dqnlm/mdp";
import { QNetwork } from "@dqnlm/qnet";
import { encodePrompt, encodeTarget, generateNBest, OutputTrie, sequenceLogProbs } from "@dqnlm/trainer";
import type { Answerer, Span } from "./answerers.js";
import type { QaEpisode, QaExample } from "./features.js";
import { contextSpans, qaPrompt } from "./task.js";

/** A generative QA model loaded from a run folder, with the prompt settings it was trained with. */
export interface QaGenerator {
  readonly checkpoint: string;
  readonly runDir: string;
  readonly tokenizer: Tokenizer;
  readonly contextWords: number;
  readonly maxPromptTokens: number;
  readonly maxNewTokens: number;
  /** `--train-limit` of the run: the generator saw the first N training questions (undefined = all). */
  readonly trainLimit: number | undefined;
  /** `--data-dir` of the run (undefined = the demonstration data). */
  readonly dataDir: string | undefined;
}

function intOption(o: Readonly<Record<string, unknown>>, name: string, fallback: number): number {
  const v = o[name];
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : fallback;
}

/** Loads the generator behind `run` (a run folder of `train`, or a checkpoint folder inside one). */
export function loadQaGenerator(run: string): QaGenerator {
  let m: ReturnType<typeof loadRunModel>;
  try {
    m = loadRunModel(run);
  } catch (e) {
    throw new UsageError(
      "generator",
      "a generation run folder written by `dqnlm-qa train`",
      run,
      e instanceof Error ? e.message : undefined,
    );
  }
  const o = m.options;
  return {
    checkpoint: m.checkpoint,
    runDir: m.runDir,
    tokenizer: m.tokenizer,
    contextWords: intOption(o, "context-words", 60),
    maxPromptTokens: intOption(o, "max-prompt-tokens", 96),
    maxNewTokens: intOption(o, "max-new-tokens", 8),
    trainLimit: typeof o["train-limit"] === "number" ? o["train-limit"] : undefined,
    dataDir: typeof o["data-dir"] === "string" ? o["data-dir"] : undefined,
  };
}

/** Options of {@link generatorSpans}. */
export interface GeneratorSpanOptions {
  /** Beam width (= hypotheses kept per question). @default 4 */
  readonly beams?: number;
  /** Constrain decoding to word spans of the prompt's context. @default true */
  readonly constrained?: boolean;
  /** Longest constrained span, in words. @default 6 */
  readonly maxSpanWords?: number;
  /** Rows (questions × beams) decoded together. @default 256 */
  readonly batchSize?: number;
}

/** A span object for generated text: its first occurrence in the context (start = end = 0 when absent). */
function spanOf(context: string, text: string, score: number): Span {
  const at = text === "" ? -1 : context.indexOf(text);
  return at < 0 ? { text, start: 0, end: 0, score } : { text, start: at, end: at + text.length, score };
}

/**
 * The generator's hypotheses for every example (best first, duplicates and empty answers dropped), as spans
 * scored by the mean per-token log-probability. Loads the checkpoint on the active tfjs backend.
 */
export async function generatorSpans(
  gen: QaGenerator,
  examples: readonly QaExample[],
  o: GeneratorSpanOptions = {},
): Promise<Span[][]> {
  const beams = o.beams ?? 4;
  if (!Number.isInteger(beams) || beams < 1) throw new UsageError("beams", "an integer ≥ 1", beams);
  const tok = gen.tokenizer;
  const constrained = o.constrained ?? true;
  // Whole spans only: OutputTrie leaves out spans longer than the generation limit (they would be cut).
  const tries = constrained
    ? examples.map((ex) =>
        OutputTrie.fromOutputs(
          tok,
          contextSpans(ex.question, ex.context, gen.contextWords, o.maxSpanWords ?? 6),
          gen.maxNewTokens,
        ),
      )
    : [];
  const allowed = constrained
    ? (p: number, prefix: readonly number[]) => tries[p]!.allowed(prefix)
    : undefined;
  const hyps = await generateNBest({
    model: gen.checkpoint,
    tokenizer: tok,
    prompts: examples.map((e) => qaPrompt(e.question, e.context, gen.contextWords)),
    maxPromptTokens: gen.maxPromptTokens,
    maxNewTokens: gen.maxNewTokens,
    beams,
    nBest: beams,
    batchSize: o.batchSize ?? 256,
    ...(allowed ? { allowed } : {}),
  });
  return hyps.map((hs, i) => {
    const seen = new Set<string>();
    const out: Span[] = [];
    for (const h of hs) {
      // Under the constraint a hypothesis is a whole span only when it ended on EOS.
      if (constrained && !h.endedOnEos) continue;
      const text = h.text.trim();
      if (text === "" || seen.has(text)) continue;
      seen.add(text);
      // h.score = mean token log-probability (generateNBest's default length penalty α = 1).
      out.push(spanOf(examples[i]!.context, text, h.score));
    }
    return out;
  });
}

/** An answerer that returns precomputed spans, looked up by (context, question). */
export function precomputedAnswerer(
  name: string,
  examples: readonly QaExample[],
  spans: readonly (readonly Span[])[],
): Answerer {
  const key = (context: string, question: string): string => `${question}\u0000${context}`;
  const table = new Map<string, readonly Span[]>();
  examples.forEach((e, i) => {
    table.set(key(e.context, e.question), spans[i] ?? []);
  });
  return {
    name,
    answer(context, question, k) {
      const s = table.get(key(context, question));
      if (s === undefined)
        throw new UsageError(
          "generator",
          `candidates computed for this question (${name} has none for "${question.slice(0, 60)}")`,
          question,
        );
      return s.slice(0, k);
    },
  };
}

/**
 * Mean per-token log π(candidate ⊕ EOS | prompt) of every candidate of every episode under the generator, one
 * Float32Array per episode. Loads the checkpoint on the active tfjs backend.
 */
export function generatorCandidateScores(
  gen: QaGenerator,
  episodes: readonly QaEpisode[],
  batchSize = 64,
): Float32Array[] {
  const tok = gen.tokenizer;
  const prompts: Int32Array[] = [];
  const conts: Int32Array[] = [];
  for (const e of episodes) {
    const p = encodePrompt(
      tok,
      qaPrompt(e.example.question, e.example.context, gen.contextWords),
      gen.maxPromptTokens,
    );
    for (const c of e.candidates) {
      prompts.push(p);
      conts.push(encodeTarget(tok, c.text, gen.maxNewTokens));
    }
  }
  const net = QNetwork.load(gen.checkpoint);
  let lp: Float64Array;
  try {
    lp = sequenceLogProbs(net, prompts, conts, { batchSize });
  } finally {
    net.dispose();
  }
  let at = 0;
  return episodes.map((e) =>
    Float32Array.from(e.candidates, () => {
      const v = (lp[at] as number) / Math.max(1, (conts[at] as Int32Array).length);
      at++;
      return v;
    }),
  );
}

/** Episodes with one more dense feature per candidate (`values[i][c]` for candidate c of episode i). */
export function withFeature(episodes: readonly QaEpisode[], values: readonly Float32Array[]): QaEpisode[] {
  return episodes.map((e, i) => ({
    ...e,
    features: e.features.map((f, c) => {
      const g = new Float32Array(f.length + 1);
      g.set(f);
      g[f.length] = values[i]?.[c] ?? 0;
      return g;
    }),
  }));
}

/** Share of hypotheses that are exact substrings of their context (1 under constrained decoding). */
export function extractiveRate(examples: readonly QaExample[], spans: readonly (readonly Span[])[]): number {
  let n = 0;
  let k = 0;
  spans.forEach((ss, i) => {
    for (const s of ss) {
      n++;
      if (examples[i]!.context.includes(s.text)) k++;
    }
  });
  return n === 0 ? 0 : k / n;
}
