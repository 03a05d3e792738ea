/**
 * The generative dialogue task for appkit's generation pipeline: prompt = the last turns of the history with
 * speaker tags; reward = (1 − w)·sentence BLEU to the reference + w·distinct-2 of the response (a diversity
 * term against repeated n-grams; the trainer's repetition alarm stays on); reported metrics = corpus BLEU
 * (sacreBLEU), distinct-1/2 over all responses and the average response length in words.
 */
import type {
  GenerationTask,
  MetricScore,
  OptionValues,
  TaskBaseline,
  TaskReward,
  TextPair,
} from "@dqnlm/appkit";
import { UsageError } from "@dqnlm/appkit";
import { Rng } from "@dqnlm/core";
import { bleuReward, corpusBleu, distinctN, weightedSum } from "@dqnlm/rewards";
import { demoDialogueData } from "./demo-data.js";
import { type DialogueExample, ResponseIndex } from "./retrieval.js";

/** The separator of turns inside a packed source. */
export const TURN_SEPARATOR = "\n";

/** Packs a dialogue example into appkit's (source, references) pair: turns joined by newlines. */
export function dialoguePair(e: DialogueExample): TextPair {
  return { id: e.id, source: e.history.join(TURN_SEPARATOR), target: e.response, references: [e.response] };
}

/**
 * The prompt: the last `turns` turns tagged `user:` / `system:` (the history always ends on a user turn), then
 * `system:` for the model to continue. The trainer cuts long prompts from the left, so the last turn survives.
 */
export function dialoguePrompt(history: readonly string[], turns = 3): string {
  const last = history.slice(-turns);
  const offset = history.length - last.length;
  const tagged = last.map((t, i) => `${(offset + i) % 2 === 0 ? "user" : "system"}: ${t}`);
  return `${tagged.join(" ")} system:`;
}

/** distinct-n of a single response as a reward (0–1): unique n-grams / n-grams (1 for responses shorter than n). */
export function distinctReward(n = 2): TaskReward {
  return {
    name: `distinct-${n}`,
    config: { metric: "distinct", n },
    score: (hyp) => (hyp.trim().split(/\s+/u).length < n ? (hyp.trim() === "" ? 0 : 1) : distinctN([hyp], n)),
  };
}

function diversityWeight(o: OptionValues): number {
  const w = o["diversity-weight"] ?? 0.2;
  if (typeof w !== "number" || !(w >= 0 && w <= 1))
    throw new UsageError("diversity-weight", "a number in [0, 1]", w);
  return w;
}

/** The dialogue training reward: (1 − w)·BLEU + w·distinct-2. */
export function dialogueReward(o: OptionValues): TaskReward {
  const w = diversityWeight(o);
  if (w === 0) return bleuReward();
  return weightedSum([
    [1 - w, bleuReward()],
    [w, distinctReward(2)],
  ]);
}

/** Corpus BLEU, distinct-1/2 (× 100) and average length in words. */
export function dialogueMetrics(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
): MetricScore[] {
  if (hyps.length === 0)
    return ["BLEU", "distinct-1", "distinct-2", "avg length"].map((name) => ({ name, value: Number.NaN }));
  const bleu = corpusBleu(hyps, refs);
  const len =
    hyps.reduce((s, h) => s + (h.trim() === "" ? 0 : h.trim().split(/\s+/u).length), 0) / hyps.length;
  return [
    { name: "BLEU", value: bleu.score, signature: bleu.signature },
    { name: "distinct-1", value: 100 * distinctN(hyps, 1) },
    { name: "distinct-2", value: 100 * distinctN(hyps, 2) },
    { name: "avg length", value: len, digits: 1 },
  ];
}

/** Stands for "no true response" when the retrieval baseline asks the index for its best candidate. */
const NO_RESPONSE = "\u0000";

/**
 * The retrieval baseline: the training response that the selection mode's BM25+ index (`ResponseIndex`,
 * queried with the history weighted toward the last user turn) ranks first; a random training response (seeded)
 * when no query term matches.
 */
export const dialogueBaseline: TaskBaseline = {
  summary: "the BM25+ top training response for the history (the selection mode's ResponseIndex)",
  run: ({ splits, split }) => {
    const index = new ResponseIndex(splits.train.map((e) => e.target));
    const rng = new Rng(1);
    return {
      system: "BM25+ retrieval",
      predictions: splits[split].map((e) => {
        // the two candidates of an example whose true response matches nothing: the best retrieved one, and it
        const ex = { id: e.id, history: e.source.split(TURN_SEPARATOR), response: NO_RESPONSE };
        return index.candidates(ex, 2, rng).candidates.find((c) => c.text !== NO_RESPONSE)?.text ?? "";
      }),
      settings: { index: `${index.size} distinct training responses`, randomFallbackSeed: 1 },
    };
  },
};

/** The generative dialogue task definition for appkit's CLI. */
export const dialogueTask: GenerationTask = {
  name: "dialogue",
  description: "dialogue: generative DQN (reward BLEU + distinct-2) and DQN response selection (`select`)",
  fields: { source: "history", target: "response", id: "id" },
  mapRecord: (fields) => (r) => {
    const h = r.get(fields.source);
    const history = typeof h === "string" ? h.split(" ||| ") : r.strings(fields.source);
    const response = r.text(fields.target); // an empty response cannot be scored against
    return {
      id: r.optionalString(fields.id, `${r.file.split("/").pop()}:${r.line}`),
      source: history.join(TURN_SEPARATOR),
      target: response,
      references: [response],
    };
  },
  prompt: (e, o) => {
    const turns = typeof o["prompt-turns"] === "number" ? o["prompt-turns"] : 3;
    return dialoguePrompt(e.source.split(TURN_SEPARATOR), turns);
  },
  demoData: (seed) => {
    const d = demoDialogueData(seed);
    return {
      train: d.train.map(dialoguePair),
      validation: d.validation.map(dialoguePair),
      test: d.test.map(dialoguePair),
    };
  },
  options: [
    {
      name: "prompt-turns",
      kind: "int",
      min: 1,
      default: 3,
      help: "history turns shown in the prompt (most recent)",
    },
    {
      name: "diversity-weight",
      kind: "number",
      min: 0,
      max: 1,
      default: 0.2,
      help: "weight w of the distinct-2 term in the reward (1 − w)·BLEU + w·distinct-2",
    },
  ],
  reward: dialogueReward,
  metrics: (hyps, refs) => dialogueMetrics(hyps, refs),
  baseline: dialogueBaseline,
  significance: {
    main: "BLEU",
    tests: () => ({
      BLEU: { metric: "bleu" },
      // distinct-n is a corpus ratio the bootstrap cannot recompute from per-example values; length can be
      "avg length": { sentence: (h) => (h.trim() === "" ? 0 : h.trim().split(/\s+/u).length) },
    }),
  },
  defaults: { "max-prompt-tokens": 64, "max-new-tokens": 20 },
  demoDefaults: {
    // a small random model keeps this demo to a few minutes; train/experiment start from --init base
    init: "random",
    // the README's demo output was measured with `stable`; train/experiment default to `soft`
    preset: "stable",
    "max-prompt-tokens": 48,
    "max-new-tokens": 14,
    "n-embd": 64,
    "n-layer": 2,
    "n-head": 2,
    "vocab-size": 500,
    "mle-epochs": 4,
    "dqn-updates": 150,
    "val-every": 50,
    "val-examples": 64,
    "test-limit": 100,
    out: "runs/demo",
    overwrite: true,
  },
};
