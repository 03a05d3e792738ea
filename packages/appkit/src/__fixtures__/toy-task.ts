/** A tiny copy task for appkit's own tests (and a runnable CLI in `toy-cli.ts` for the kill/resume test). */
import { Rng } from "@dqnlm/core";
import { chrfReward } from "@dqnlm/rewards";
import type { TextPair } from "../data/read.js";
import type { GenerationTask } from "../task.js";

const WORDS = ["red", "green", "blue", "cat", "dog", "sun", "moon", "tree"];

function pairs(rng: Rng, n: number, split: string): TextPair[] {
  return Array.from({ length: n }, (_, i) => {
    const w = Array.from({ length: 3 }, () => WORDS[rng.nextInt(WORDS.length)] as string);
    const source = w.join(" ");
    const target = [...w].reverse().join(" ");
    return { id: `${split}-${i}`, source, target, references: [target] };
  });
}

/** Reverse three words; chrF reward and metric. */
export const toyTask: GenerationTask = {
  name: "toy",
  description: "reverse three words (appkit test fixture)",
  demoData: (seed) => {
    const rng = new Rng(seed + 11);
    return {
      train: pairs(rng, 32, "train"),
      validation: pairs(rng, 4, "validation"),
      test: pairs(rng, 4, "test"),
    };
  },
  reward: () => chrfReward(),
  metrics: (hyps, refs) => {
    const r = chrfReward();
    const m = hyps.reduce((a, h, i) => a + r.score(h, refs[i] ?? []), 0) / Math.max(1, hyps.length);
    return [{ name: "chrF", value: 100 * m }];
  },
};

/** CLI arguments of a tiny, fast `demo` run of the toy task into `out` (cpu backend: bit-exact resume). */
export function toyArgs(out: string, extra: readonly string[] = []): string[] {
  return [
    "demo",
    "--out",
    out,
    "--quiet",
    "--backend",
    "cpu",
    "--init",
    "random",
    "--vocab-size",
    "300",
    "--n-embd",
    "8",
    "--n-layer",
    "1",
    "--n-head",
    "1",
    "--max-prompt-tokens",
    "6",
    "--max-new-tokens",
    "4",
    "--mle-epochs",
    "1",
    "--val-every",
    "8",
    "--val-examples",
    "4",
    "--set",
    "dqn.warmupTransitions=8",
    "--set",
    "dqn.rolloutBatch=4",
    "--set",
    "dqn.batchSize=8",
    "--set",
    "mle.batchSize=8",
    "--set",
    "log.every=4",
    "--set",
    "log.curves=false",
    ...extra,
  ];
}
