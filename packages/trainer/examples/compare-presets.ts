// examples/compare-presets.ts — run from packages/trainer:
//   nice -n 10 node --conditions=source --import tsx examples/compare-presets.ts [seeds=1,2,3] [presets=seed,stable,soft] [overrides JSON]
// The copy task of examples/copy-task.ts (same data, model and budget: one short MLE epoch, then 300 updates)
// once per (seed, preset), each preset fine-tuning the SAME MLE start of its seed; prints one JSON line per run
// and a summary table: test BLEU before (MLE) and after, the paired difference after − before, and paired-bootstrap
// p-values (sacreBLEU's --paired-bs: 1,000 resamples, seed 12345) on the per-sentence BLEU of the test prompts:
// per seed, and pooled over the seeds' test sentences, for "preset vs MLE" and "preset vs stable".
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@dqnlm/core";
import { trainTokenizer } from "@dqnlm/mdp";
import { bleuReward, pairedBootstrapScores } from "@dqnlm/rewards";
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
type Row = {
  seed: number;
  preset: string;
  before: number;
  after: number;
  seconds: number;
  beforeScores: number[];
  afterScores: number[];
};
const rows: Row[] = [];
const reward = bleuReward();
const sentenceScores = (preds: readonly string[]) =>
  preds.map((p, i) => reward.score(p, data.test[i]?.references ?? []));
/**
 * p of "system ≠ baseline" by sacreBLEU's paired bootstrap over per-sentence scores; identical scores give p = 1
 * (sacreBLEU would report its degenerate 1/(B+1), as the apps' `compare` also corrects).
 */
const pValue = (baseline: number[], system: number[]) =>
  baseline.every((b, i) => b === system[i])
    ? 1
    : (pairedBootstrapScores({ baseline, systems: { system } }).systems[0]?.pValue ?? Number.NaN);
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
    const row: Row = {
      seed,
      preset,
      before: res.test?.before.metric ?? Number.NaN,
      after: res.test?.after.metric ?? Number.NaN,
      seconds: res.seconds,
      beforeScores: sentenceScores(res.test?.before.predictions ?? []),
      afterScores: sentenceScores(res.test?.after.predictions ?? []),
    };
    rows.push(row);
    const { beforeScores: _b, afterScores: _a, ...line } = row;
    console.log(JSON.stringify({ ...line, pVsMle: pValue(row.beforeScores, row.afterScores) }));
  }
}
const stat = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
};
const fmtP = (x: number) => x.toFixed(3); // sacreBLEU's smallest p with 1,000 resamples is 1/1001 = 0.001
const pooled = (r: Row[], pick: (x: Row) => number[]) => r.flatMap(pick);
console.log(
  "| preset | test BLEU before (MLE) | after | paired after − before | p vs MLE per seed (pooled) | p vs stable per seed (pooled) |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const p of presets) {
  const r = rows.filter((x) => x.preset === p);
  const st = rows.filter((x) => x.preset === "stable");
  const vsMle = `${r.map((x) => fmtP(pValue(x.beforeScores, x.afterScores))).join(", ")} (${fmtP(
    pValue(
      pooled(r, (x) => x.beforeScores),
      pooled(r, (x) => x.afterScores),
    ),
  )})`;
  const paired = p !== "stable" && st.length === r.length;
  const vsStable = paired
    ? `${r.map((x, i) => fmtP(pValue((st[i] as Row).afterScores, x.afterScores))).join(", ")} (${fmtP(
        pValue(
          pooled(st, (x) => x.afterScores),
          pooled(r, (x) => x.afterScores),
        ),
      )})`
    : "—";
  console.log(
    `| \`${p}\` | ${stat(r.map((x) => x.before))} | ${stat(r.map((x) => x.after))} | ${stat(r.map((x) => x.after - x.before))} | ${vsMle} | ${vsStable} |`,
  );
}
