import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QNetwork, selectBackend } from "@dqnlm/qnet";
import { bleuReward } from "@dqnlm/rewards";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { WordTokenizer } from "./__fixtures__/word-tokenizer.js";
import { train } from "./index.js";

const WORDS = ["a", "b", "c", "d", "e", "f"];
const tok = new WordTokenizer(WORDS);
const ex = (p: string) => ({ prompt: p, references: [p.split(" ").reverse().join(" ")] });
const data = {
  train: ["a b c", "b c d", "c d e", "d e f", "e f a", "f a b"].map(ex),
  validation: ["a c e", "b d f"].map(ex),
  test: ["a d f", "c e b", "f b d"].map(ex),
};

async function run(scale: number) {
  return train({
    runDir: join(mkdtempSync(join(tmpdir(), "qscale-")), "run"),
    tokenizer: tok,
    reward: bleuReward({ tokenize: "none", effectiveOrder: true }),
    data,
    init: { type: "random", config: { nEmbd: 16, nLayer: 1, nHead: 2, nPositions: 16 } },
    config: {
      preset: "stable",
      seed: 2,
      data: { maxPromptTokens: 4, maxNewTokens: 4 },
      mle: { epochs: 2, batchSize: 4 },
      dqn: { updates: 0, initialQScale: scale },
      checkpoint: { saveReplay: false },
    },
  });
}

describe("dqn.initialQScale", () => {
  beforeAll(async () => {
    await selectBackend({ backend: "cpu" });
  });

  it("hands DQN the MLE network with Q scaled by the factor and the same greedy policy; the MLE checkpoint is unscaled", async () => {
    const plain = await run(1);
    const scaled = await run(0.1);
    expect(scaled.test!.before.predictions).toEqual(plain.test!.before.predictions);
    const mle = QNetwork.load(join(scaled.finalCheckpoint!, "..", "mle"));
    const fin = QNetwork.load(scaled.finalCheckpoint!);
    const x = tf.tensor2d([[4, 5, 6, 3, 7]], [1, 5], "int32");
    const [qm, qf] = [mle.forward(x), fin.forward(x)];
    const a = qm.dataSync();
    const b = qf.dataSync();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(b[i]! - 0.1 * a[i]!));
    expect(worst).toBeLessThan(1e-5);
    // a real difference to detect: 0.9·max|Q| ≫ the 1e-5 tolerance
    expect(Math.max(...Array.from(a, Math.abs))).toBeGreaterThan(0.01);
    tf.dispose([x, qm, qf]);
    mle.dispose();
    fin.dispose();
  }, 120_000);
});
