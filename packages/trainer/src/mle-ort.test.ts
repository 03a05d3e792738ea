import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@dqnlm/core";
import { loadOnnxRuntime, QNetwork, selectBackend } from "@dqnlm/qnet";
import { bleuReward } from "@dqnlm/rewards";
import { beforeAll, describe, expect, it } from "vitest";
import { WordTokenizer } from "./__fixtures__/word-tokenizer.js";
import {
  type MlePair,
  mleWarmStart,
  mleWarmStartOrt,
  resolveConfig,
  TrainerConfigError,
  train as trainRun,
} from "./index.js";
import type { LogRecord } from "./metrics.js";

let why = "";
try {
  loadOnnxRuntime();
} catch (err) {
  why = (err as Error).message;
}
if (why)
  console.warn(
    `\n!!! onnxruntime-node cannot be loaded (${why}):\n!!! the mle.engine "ort" tests are SKIPPED\n`,
  );
const itOrt = why ? it.skip : it;

const V = 20;
function pairs(n: number, seed: number): MlePair[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => {
    const p = 2 + (r.nextUint32() % 3);
    const t = 2 + (r.nextUint32() % 3);
    const prompt = Int32Array.from({ length: p }, () => 1 + (r.nextUint32() % (V - 1)));
    // the continuation is a function of the prompt: learnable
    const target = Int32Array.from({ length: t }, (_, j) => ((prompt[0] as number) + 3 * j) % V);
    return { prompt, target };
  });
}

describe('mle.engine: "ort"', () => {
  beforeAll(async () => {
    await selectBackend({ backend: "cpu" });
  });

  it("is a validated option, tfjs by default in every preset", () => {
    expect(resolveConfig({}).mle.engine).toBe("auto");
    expect(resolveConfig({ preset: "seed" }).mle.engine).toBe("auto");
    expect(resolveConfig({ mle: { engine: "ort" } }).mle.engine).toBe("ort");
    let e: unknown;
    try {
      resolveConfig({ mle: { engine: "gpu" } } as never);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(TrainerConfigError);
    expect((e as TrainerConfigError).field).toBe("mle.engine");
  });

  itOrt(
    "runs the same warm start as tfjs: same steps, losses, early stopping and weights (to 1e-4)",
    async () => {
      const train = pairs(20, 1);
      const valid = pairs(6, 2);
      const cfg = resolveConfig({
        preset: "stable",
        mle: { epochs: 3, batchSize: 8, learningRate: 3e-3, patience: 1, engine: "ort" },
      });
      const a = QNetwork.random({ vocabSize: V, nPositions: 16, nEmbd: 16, nLayer: 2, nHead: 2 }, 4);
      const b = a.clone();
      const logA: LogRecord[] = [];
      const logB: LogRecord[] = [];
      const ra = mleWarmStart(a, train, valid, cfg, 0, new Rng(9), (r) => logA.push(r));
      const rb = await mleWarmStartOrt(b, train, valid, cfg, 0, new Rng(9), (r) => logB.push(r));
      expect(rb.steps).toBe(ra.steps);
      expect(rb.epochs).toBe(ra.epochs);
      expect(rb.stoppedEarly).toBe(ra.stoppedEarly);
      expect(Math.abs(rb.bestValidLoss - ra.bestValidLoss)).toBeLessThan(1e-4);
      const epochsA = logA.filter((r) => r.phase === "mle");
      const epochsB = logB.filter((r) => r.phase === "mle");
      expect(epochsB.length).toBe(epochsA.length);
      for (const [i, r] of epochsA.entries()) {
        const o = epochsB[i] as LogRecord;
        expect(Math.abs((o.trainLoss as number) - (r.trainLoss as number))).toBeLessThan(1e-4);
        expect(Math.abs((o.validLoss as number) - (r.validLoss as number))).toBeLessThan(1e-4);
      }
      // the loss went down, and the weights written back into the tfjs network match the tfjs run's
      expect(epochsA.at(-1)?.trainLoss as number).toBeLessThan(epochsA[0]?.trainLoss as number);
      for (const [name, v] of a.namedVariables) {
        const x = v.dataSync();
        const y = b.namedVariables.get(name)?.dataSync() as Float32Array;
        let d = 0;
        let s = 0;
        for (let i = 0; i < x.length; i++) {
          d = Math.max(d, Math.abs((x[i] as number) - (y[i] as number)));
          s = Math.max(s, Math.abs(x[i] as number));
        }
        expect(d, name).toBeLessThanOrEqual(1e-4 * s + 1e-6);
      }
      a.dispose();
      b.dispose();
    },
  );

  itOrt(
    "train() honours it: an MLE-only run on the ort engine lowers the loss and saves the warm-started model",
    async () => {
      const WORDS = ["a", "b", "c", "d", "e", "f"];
      const rng = new Rng(5);
      const mk = (n: number) =>
        Array.from({ length: n }, () => {
          const p = Array.from({ length: 4 }, () => WORDS[rng.nextInt(WORDS.length)] as string).join(" ");
          return { prompt: p, references: [p] };
        });
      const runDir = join(mkdtempSync(join(tmpdir(), "dqnlm-mle-ort-")), "run");
      await trainRun({
        runDir,
        config: {
          preset: "stable",
          seed: 3,
          backend: "cpu",
          data: { maxPromptTokens: 4, maxNewTokens: 5 },
          mle: { epochs: 3, batchSize: 16, learningRate: 3e-3, engine: "ort" },
          dqn: { updates: 0 },
          log: { every: 20, progress: "off", curves: false },
        },
        data: { train: mk(64), validation: mk(16), test: mk(8) },
        tokenizer: new WordTokenizer(WORDS),
        reward: bleuReward(),
        init: { type: "random", config: { nEmbd: 32, nLayer: 1, nHead: 2, nPositions: 12 } },
      });
      const recs = readFileSync(join(runDir, "metrics.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as LogRecord)
        .filter((r) => r.phase === "mle");
      expect(recs.length).toBe(3);
      expect(recs[2]?.validLoss as number).toBeLessThan(recs[0]?.validLoss as number);
      expect(readFileSync(join(runDir, "checkpoints", "mle", "config.json"), "utf8")).toContain("n_embd");
    },
  );
});
