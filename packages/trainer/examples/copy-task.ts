// examples/copy-task.ts — run from packages/trainer:
//   node --conditions=source --import tsx examples/copy-task.ts [runDir]
// Toy task with a known best output (copy a 4-word prompt), sentence BLEU reward, a tiny GPT-2 trained here:
// a short MLE warm start, then DQN with the `stable` preset. Writes a run folder with metrics, checkpoints
// and SVG curves.
import { Rng } from "@dqnlm/core";
import { trainTokenizer } from "@dqnlm/mdp";
import { bleuReward } from "@dqnlm/rewards";
import { train } from "@dqnlm/trainer";

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

const result = await train(
  {
    runDir: process.argv[2] ?? "runs/copy-task",
    config: {
      preset: "stable",
      seed: 1,
      data: { maxPromptTokens: 4, maxNewTokens: 5 },
      mle: { epochs: 1, batchSize: 16, learningRate: 3e-3 },
      dqn: {
        updates: 300,
        batchSize: 32,
        learningRate: 1e-3,
        rolloutBatch: 16,
        warmupTransitions: 64,
        targetUpdateEvery: 20,
      },
      validation: { every: 20, patience: 0 },
      log: { every: 10 },
    },
    data,
    tokenizer,
    reward: bleuReward(),
    init: { type: "random", config: { nEmbd: 32, nLayer: 1, nHead: 2, nPositions: 12 } },
  },
  { onValidation: (v) => console.log(`update ${v.update}: validation BLEU ${v.metric.toFixed(3)}`) },
);
console.log(
  `test BLEU: ${result.test?.before.metric.toFixed(3)} (MLE) → ${result.test?.after.metric.toFixed(3)} (DQN); ` +
    `backend ${result.backend}, ${result.seconds.toFixed(0)} s`,
);
console.log(`"${data.test[0]?.prompt}" → "${result.test?.after.predictions[0]}"`);
