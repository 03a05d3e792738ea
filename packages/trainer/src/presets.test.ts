import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@dqnlm/core";
import { chrfReward } from "@dqnlm/rewards";
import { describe, expect, test } from "vitest";
import { WordTokenizer } from "./__fixtures__/word-tokenizer.js";
import { type LogRecord, type PresetName, readMetrics, train } from "./index.js";

const WORDS = ["a", "b", "c", "d"];

describe.each<PresetName>(["seed", "stable"])("train() end to end with the %s preset", (preset) => {
  test("runs MLE + DQN and logs finite diagnostics, validation, test and curves", async () => {
    const tok = new WordTokenizer(WORDS);
    const rng = new Rng(9);
    const mk = (n: number) =>
      Array.from({ length: n }, () => {
        const p = Array.from({ length: 3 }, () => WORDS[rng.nextInt(4)]!).join(" ");
        return { prompt: p, references: [p] };
      });
    const runDir = join(mkdtempSync(join(tmpdir(), `dqnlm-${preset}-`)), "run");
    const res = await train({
      runDir,
      config: {
        preset,
        backend: "wasm",
        data: { maxPromptTokens: 3, maxNewTokens: 4 },
        mle: { epochs: 1, batchSize: 8 },
        dqn: { updates: 16, batchSize: 8, rolloutBatch: 4, warmupTransitions: 8, targetUpdateEvery: 4 },
        validation: { every: 8 },
        log: { every: 4, progress: "off" },
      },
      data: { train: mk(16), validation: mk(4), test: mk(4) },
      tokenizer: tok,
      reward: chrfReward(),
      init: { type: "random", config: { nEmbd: 8, nLayer: 1, nHead: 1, nPositions: 8 } },
    });
    expect(res.stopped).toBe("done");
    expect(res.updates).toBe(16);
    expect(res.curves.map((c) => c.slice(runDir.length + 1)).sort()).toEqual([
      "curves/loss.svg",
      "curves/q-vs-return.svg",
      "curves/reward.svg",
      "curves/validation.svg",
    ]);
    const recs = readMetrics(join(runDir, "metrics.jsonl"));
    const dqn = recs.filter((r: LogRecord) => r.phase === "dqn");
    expect(dqn.map((r) => r.step)).toEqual([4, 8, 12, 16]);
    for (const r of dqn)
      for (const k of ["loss", "tdLoss", "meanQ", "q0", "mcReturn", "entropy", "gradNorm", "episodeMetric"])
        expect(Number.isFinite(r[k] as number)).toBe(true);
    // the preset's switches show in the diagnostics: ε-greedy only for seed; margin/KL terms only for stable
    expect(dqn[0]!.epsilon).toBe(preset === "seed" ? 0.2 - (0.15 * 4) / 1000 : 0);
    expect((dqn.at(-1)!.kl as number) > 0).toBe(preset === "stable");
    expect(recs.filter((r) => r.phase === "validation").map((r) => r.step)).toEqual([0, 8, 16]);
    expect(recs.filter((r) => r.phase === "test").map((r) => r.when)).toEqual(["before", "after"]);
    expect(res.test!.after.metric).toBeGreaterThanOrEqual(0);
  }, 120_000);
});
