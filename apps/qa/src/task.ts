/**
 * The generative QA task for appkit's generation pipeline: prompt = the context (its sentences most relevant
 * to the question, closest to the question) followed by the question; reward = SQuAD F1 of the generated answer;
 * reported metrics = SQuAD EM and F1 (official v1.1 normalization).
 */
import type { GenerationTask, MetricScore, OptionValues, TaskBaseline, TextPair } from "@dqnlm/appkit";
import {
  chooseOnValidation,
  isPunct,
  isStop,
  type Sentence,
  sentences,
  UsageError,
  words,
} from "@dqnlm/appkit";
import { SQUAD_SIGNATURE, squadCorpus, squadF1Reward } from "@dqnlm/rewards";
import { demoQaData } from "./demo-data.js";
import type { QaExample } from "./features.js";
import { defaultAnswerers } from "./selection.js";

/** Packs a QA example into appkit's (source, references) pair: source = question, newline, context. */
export function qaPair(e: QaExample): TextPair {
  return {
    id: e.id,
    source: `${e.question}\n${e.context}`,
    target: e.answers[0] ?? "",
    references: [...e.answers],
  };
}

/** Splits a packed source back into question and context. */
export function unpackSource(source: string): { question: string; context: string } {
  const i = source.indexOf("\n");
  return i < 0
    ? { question: source, context: "" }
    : { question: source.slice(0, i), context: source.slice(i + 1) };
}

/**
 * The context sentences a prompt keeps: ordered by overlap with the question (most relevant last, next to the
 * question), cut to `contextWords` words keeping the most relevant ones.
 */
export function promptSentences(question: string, context: string, contextWords = 60): Sentence[] {
  const q = new Set(
    words(question)
      .map((w) => w.norm)
      .filter((w) => !isStop(w)),
  );
  const ranked = sentences(context)
    .map((s, i) => ({ s, i, o: s.words.filter((w) => q.has(w.norm)).length }))
    .sort((a, b) => b.o - a.o || a.i - b.i);
  const kept: Sentence[] = [];
  let n = 0;
  for (const r of ranked) {
    const len = context.slice(r.s.start, r.s.end).split(/\s+/u).length;
    if (kept.length > 0 && n + len > contextWords) break;
    kept.unshift(r.s);
    n += len;
  }
  return kept;
}

/**
 * Every span of 1..`maxWords` words inside one of the prompt's context sentences ({@link promptSentences}) that
 * neither starts nor ends with punctuation: the outputs of span-constrained (extractive) generation.
 */
export function contextSpans(question: string, context: string, contextWords = 60, maxWords = 6): string[] {
  const out = new Set<string>();
  for (const s of promptSentences(question, context, contextWords)) {
    const ws = s.words;
    for (let i = 0; i < ws.length; i++) {
      if (isPunct(ws[i]!.text)) continue;
      for (let j = i; j < Math.min(ws.length, i + maxWords); j++) {
        if (isPunct(ws[j]!.text)) continue;
        out.add(context.slice(ws[i]!.start, ws[j]!.end));
      }
    }
  }
  return [...out];
}

/**
 * The prompt text: {@link promptSentences} joined, then `question: …`. The trainer cuts long prompts from the
 * left, so the question and the best sentence always survive.
 */
export function qaPrompt(question: string, context: string, contextWords = 60): string {
  const kept = promptSentences(question, context, contextWords).map((s) => context.slice(s.start, s.end));
  return `${kept.join(" ")} question: ${question}`;
}

/** SQuAD EM and F1 × 100 of predictions. */
export function qaMetrics(hyps: readonly string[], refs: readonly (readonly string[])[]): MetricScore[] {
  if (hyps.length === 0)
    return [
      { name: "EM", value: Number.NaN, signature: SQUAD_SIGNATURE },
      { name: "F1", value: Number.NaN, signature: SQUAD_SIGNATURE },
    ];
  const r = squadCorpus(hyps, refs);
  return [
    { name: "EM", value: r.exactMatch, signature: SQUAD_SIGNATURE },
    { name: "F1", value: r.f1, signature: SQUAD_SIGNATURE },
  ];
}

/** Unpacks appkit's (source, references) pair back into a QA example. */
export function qaExampleOf(e: TextPair): QaExample {
  const { question, context } = unpackSource(e.source);
  return { id: e.id, question, context, answers: e.references };
}

/**
 * The extractive baseline: the top span of one of the selection mode's answerers (IDF from the training
 * contexts), `--answerer auto` picking the answerer with the best SQuAD F1 on the validation split.
 */
export const qaBaseline: TaskBaseline = {
  summary:
    "the top span of an extractive answerer (sentence-overlap, sliding-window, answer-type), chosen on validation",
  options: [
    {
      name: "answerer",
      kind: "string",
      choices: ["auto", "sentence-overlap", "sliding-window", "answer-type"],
      default: "auto",
      help: "the extractive answerer (auto = the best SQuAD F1 on the validation split)",
    },
  ],
  run: ({ splits, split, say }, o) => {
    const { answerers } = defaultAnswerers(splits.train.map(qaExampleOf));
    const top = (e: TextPair, a: number): string => {
      const { question, context } = unpackSource(e.source);
      return answerers[a]?.answer(context, question, 1)[0]?.text ?? "";
    };
    const wanted = typeof o.answerer === "string" ? o.answerer : "auto";
    let a = answerers.findIndex((x) => x.name === wanted);
    let settings: Record<string, unknown> = { answerer: wanted, chosen: "fixed (--answerer)" };
    if (wanted === "auto") {
      const f1 = squadF1Reward();
      const c = chooseOnValidation(
        answerers.map((_, i) => i),
        splits.validation,
        top,
        (p, refs) => f1.score(p, refs),
      );
      a = c.best;
      const grid = Object.fromEntries(c.grid.map((g) => [answerers[g.value]?.name ?? "", g.score]));
      say(
        `answerers on validation (${splits.validation.length} questions, mean SQuAD F1): ${Object.entries(
          grid,
        )
          .map(([n, v]) => `${n} ${v.toFixed(4)}`)
          .join(", ")} → ${answerers[a]?.name}`,
      );
      settings = { answerer: answerers[a]?.name, chosen: "validation", grid };
    }
    if (a < 0) throw new UsageError("answerer", answerers.map((x) => x.name).join(" | "), wanted);
    return {
      system: answerers[a]?.name ?? wanted,
      predictions: splits[split].map((e) => top(e, a)),
      settings,
    };
  },
};

function contextWordsOf(o: OptionValues): number {
  const v = o["context-words"] ?? 60;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new UsageError("context-words", "an integer ≥ 1", v);
  return v;
}

/** The generative QA task definition for appkit's CLI. */
export const qaTask: GenerationTask = {
  name: "qa",
  description: "question answering: generative DQN (reward SQuAD F1) and DQN answer selection (`select`)",
  fields: { source: "question", target: "answers", id: "id" },
  mapRecord: (fields) => (r) => {
    const answers = r.texts(fields.target); // an empty answer cannot be scored against
    return {
      id: r.optionalString(fields.id, `${r.file.split("/").pop()}:${r.line}`),
      source: `${r.text(fields.source)}\n${r.text("context")}`,
      target: answers[0]!,
      references: answers,
    };
  },
  prompt: (e, o) => {
    const { question, context } = unpackSource(e.source);
    return qaPrompt(question, context, contextWordsOf(o));
  },
  demoData: (seed) => {
    const d = demoQaData(seed);
    return { train: d.train.map(qaPair), validation: d.validation.map(qaPair), test: d.test.map(qaPair) };
  },
  options: [
    {
      name: "context-words",
      kind: "int",
      min: 1,
      default: 60,
      help: "context words kept in the prompt (the sentences most relevant to the question)",
    },
    {
      name: "constrain",
      kind: "string",
      choices: ["none", "spans"],
      default: "none",
      help: "spans: extractive generation — rollouts, the TD target and decoding stay inside word spans (≤ 6 words) of the prompt's context",
    },
  ],
  allowedOutputs: (e, o) => {
    if (o.constrain !== "spans") return undefined;
    const { question, context } = unpackSource(e.source);
    return contextSpans(question, context, contextWordsOf(o));
  },
  reward: () => squadF1Reward(),
  metrics: (hyps, refs) => qaMetrics(hyps, refs),
  baseline: qaBaseline,
  significance: {
    main: "F1",
    tests: () => ({
      F1: { metric: { name: "squad", measure: "f1" } },
      EM: { metric: { name: "squad", measure: "exactMatch" } },
    }),
  },
  defaults: { "max-prompt-tokens": 96, "max-new-tokens": 8 },
  demoDefaults: {
    // a small random model keeps this demo to a few minutes; train/experiment start from --init base
    init: "random",
    // the README's demo output was measured with `stable`; train/experiment default to `soft`
    preset: "stable",
    "max-prompt-tokens": 64,
    "max-new-tokens": 6,
    "n-embd": 64,
    "n-layer": 2,
    "n-head": 2,
    "vocab-size": 600,
    "mle-epochs": 4,
    "dqn-updates": 150,
    "val-every": 50,
    "val-examples": 64,
    "test-limit": 100,
    out: "runs/demo",
    overwrite: true,
  },
};
