/**
 * `eval-spans`: decodes a split with a generation run's model under span-constrained decoding — every answer is a
 * word span of the prompt's context sentences (a token trie restricts each step; beam search over π =
 * softmax(Q)) — and prints SQuAD EM / F1. The same model decoded freely (`eval`) can write any string; this is
 * the extractive reading of the same policy.
 */

import { relative } from "node:path";
import { type CliCommand, type CliIo, checkOutputFolder, RunFolder, UsageError } from "@dqnlm/appkit";
import { selectBackend } from "@dqnlm/qnet";
import { loadQaFromOptions, QA_DATA_OPTIONS } from "./data.js";
import { generatorSpans, loadQaGenerator } from "./generator.js";
import { qaMetrics } from "./task.js";

/** Scores of one `eval-spans` run. */
export interface SpanEvalResult {
  readonly split: string;
  readonly n: number;
  readonly em: number;
  readonly f1: number;
  readonly predictions: readonly string[];
}

/** Runs `eval-spans` from parsed options. */
export async function runSpanEval(
  values: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<SpanEvalResult> {
  const model = values.model;
  if (typeof model !== "string")
    throw new UsageError("model", "a generation run folder written by `train`", model);
  const split = String(values.split ?? "test") as "train" | "validation" | "test";
  const beams = values.beams;
  if (typeof beams !== "number") throw new UsageError("beams", "an integer ≥ 1", beams);
  if (typeof values.out === "string") checkOutputFolder(values.out); // before any work
  const backend = await selectBackend({ backend: String(values.backend ?? "wasm") as "wasm" });
  const gen = loadQaGenerator(model);
  const data = await loadQaFromOptions(values);
  const examples = data.splits[split];
  const spans = await generatorSpans(gen, examples, { beams, constrained: true });
  const predictions = spans.map((s) => s[0]?.text ?? "");
  const scores = qaMetrics(
    predictions,
    examples.map((e) => e.answers),
  );
  const em = scores.find((m) => m.name === "EM")?.value ?? Number.NaN;
  const f1 = scores.find((m) => m.name === "F1")?.value ?? Number.NaN;
  const out = values.out;
  if (typeof out === "string") {
    const run = new RunFolder(out);
    run.writePredictions(
      split,
      "eval-spans",
      examples.map((e, i) => ({
        id: e.id,
        source: e.question,
        references: e.answers,
        prediction: predictions[i] ?? "",
      })),
    );
    run.writeJson(`eval-spans-${split}.json`, {
      model: relative(process.cwd(), gen.checkpoint),
      data: data.origin,
      split,
      beams,
      backend: backend.name,
      em,
      f1,
    });
  }
  io.stdout(
    `${data.origin}, ${split} (${examples.length} questions), ${gen.checkpoint}, span-constrained beam ${beams}:\nEM\t${em.toFixed(2)}\nF1\t${f1.toFixed(2)}\n`,
  );
  return { split, n: examples.length, em, f1, predictions };
}

/** The `eval-spans` command. */
export const spansCommand: CliCommand = {
  summary:
    "generation mode, extractive reading: decode a split with span-constrained beam search, print EM/F1",
  options: [
    {
      name: "model",
      kind: "string",
      help: "a run folder of `train` (its best checkpoint) or a checkpoint folder in one",
    },
    {
      name: "split",
      kind: "string",
      choices: ["train", "validation", "test"],
      default: "test",
      help: "split to decode",
    },
    { name: "beams", kind: "int", min: 1, default: 1, help: "beam width (1 = constrained greedy argmax-Q)" },
    ...QA_DATA_OPTIONS,
    { name: "backend", kind: "string", default: "wasm", help: "tfjs backend (cpu | wasm)" },
    { name: "out", kind: "string", help: "write predictions and scores into this run folder" },
  ],
  run: async (p, io) => {
    await runSpanEval(p.values, io);
  },
};
