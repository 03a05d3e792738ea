/**
 * The per-step reward cost of the translate task reward (0.5 · sentence BLEU + 0.5 · sentence chrF): scoring every prefix of 100 generated outputs
 * (the trainer's per-step rewards) with the rewards package's `prefixScores`, which uses the incremental
 * scorers, against a baseline that rescores every prefix from scratch, measured in the same run.
 * Outputs are the demonstration references with two words swapped (so scores are neither 0 nor 1).
 * Run: npx -y pnpm@10 --filter @dqnlm/app-translate bench
 */
import { prefixScores } from "@dqnlm/rewards";
import { bench, describe } from "vitest";
import { translateDemoData } from "../src/demo-data.js";
import { translateReward } from "../src/task.js";

const reward = translateReward({ "bleu-weight": 0.5, "chrf-weight": 0.5, "bleu-smooth": "exp" });
const examples = translateDemoData(0).test.slice(0, 100);
const cases = examples.map((e) => {
  const words = e.target.split(" ");
  if (words.length > 3) [words[1], words[2]] = [words[2] as string, words[1] as string];
  // Word-level prefixes, as a word-level decode would produce them.
  const prefixes = [""];
  for (let k = 1; k <= words.length; k++) prefixes.push(words.slice(0, k).join(" "));
  return { prefixes, refs: e.references };
});

describe("per-step rewards of 100 outputs (0.5 · sentence BLEU + 0.5 · sentence chrF)", () => {
  bench("rescore every prefix (baseline)", () => {
    for (const c of cases) for (const p of c.prefixes) reward.score(p, c.refs);
  });
  bench("prefixScores (incremental)", () => {
    for (const c of cases) prefixScores(reward, c.prefixes, c.refs);
  });
});
