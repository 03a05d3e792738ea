// examples/compare-presets.ts — run from packages/trainer:
//   nice -n 10 node --conditions=source --import tsx examples/compare-presets.ts [seeds=1,2,3] [presets=seed,stable,soft] [overrides JSON]
// The copy task of examples/copy-task.ts (same data, model and budget: one short MLE epoch, then 300 updates)
// once per (seed, preset), each preset fine-tuning the SAME MLE start of its seed; prints one JSON line per run
// and a summary table: test BLEU before (MLE) and after, and the paired difference after − before.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@dqnlm/core";
import { trainTokenizer } from "@dqnlm/mdp";
import { bleuReward } from "@dqnlm/rewards";
import { type PresetName, train } from "@dqnlm/trainer";

const seeds = (process.argv[2] ?? "1,2,3").split(",").map(Number);
const presets = (process.argv[3] ?? "seed,stable,soft").split(",") as PresetName[];
const extra = JSON.parse(process.argv[4] ?? "{}") as { dqn?: Record<string, unknown> };

const words = ["red", "green", "blue", "cat", "dog", "sun"];
const rng = new Rng(5);
const examples = (n: number) =>
  Array.from({ length: n }, () => {
    const p = Array.from({ length: 4 }, () => words[rng.nextInt(words.length)]).join(" ");
    return { prompt: p, references: [p] };
  });
const data = { train: examples(128), validation: examples(16), test: examples(32) };
const tokenizer = trainTokenizer(
  data.train.map((e) => e.prompt),
  { vocabSize: 32, kind: "wordlevel" },
);
const root = mkdtempSync(join(tmpdir(), "copy-presets-"));
const rows: { seed: number; preset: string; before: number; after: number; seconds: number }[] = [];
for (const seed of seeds) {
  // The MLE start of this seed (MLE only), shared by every preset.
  const mle = await train({
    runDir: join(root, `s${seed}-mle`),
    config: {
      seed,
      data: { maxPromptTokens: 4, maxNewTokens: 5 },
      mle: { epochs: 1, batchSize: 16, learningRate: 3e-3 },
      dqn: { updates: 0 },
      log: { progress: "off", curves: false },
    },
    data,
    tokenizer,
    reward: bleuReward(),
    init: { type: "random", config: { nEmbd: 32, nLayer: 1, nHead: 2, nPositions: 12 } },
  });
  for (const preset of presets) {
    const res = await train({
      runDir: join(root, `s${seed}-${preset}`),
      config: {
        preset,
        seed,
        data: { maxPromptTokens: 4, maxNewTokens: 5 },
        mle: { enabled: false },
        dqn: {
          updates: 300,
          batchSize: 32,
          learningRate: 1e-3,
          rolloutBatch: 16,
          warmupTransitions: 64,
          targetUpdateEvery: 20,
          ...(extra.dqn ?? {}),
        },
        validation: { every: 20, patience: 0 },
        log: { every: 50, progress: "off", curves: false },
      },
      data,
      tokenizer,
      reward: bleuReward(),
      init: { type: "checkpoint", dir: join(mle.finalCheckpoint as string) },
    });
    const row = {
      seed,
      preset,
      before: res.test?.before.metric ?? Number.NaN,
      after: res.test?.after.metric ?? Number.NaN,
      seconds: res.seconds,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
const stat = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
};
console.log("| preset | test BLEU before (MLE) | after | paired after − before |");
console.log("| --- | --- | --- | --- |");
for (const p of presets) {
  const r = rows.filter((x) => x.preset === p);
  console.log(
    `| \`${p}\` | ${stat(r.map((x) => x.before))} | ${stat(r.map((x) => x.after))} | ${stat(r.map((x) => x.after - x.before))} |`,
  );
}
