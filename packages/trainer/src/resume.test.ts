import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@dqnlm/core";
import { bleuReward } from "@dqnlm/rewards";
import { describe, expect, test } from "vitest";
import { WordTokenizer } from "./__fixtures__/word-tokenizer.js";
import { type LogRecord, readMetrics, resume, type TrainInput, train } from "./index.js";

const WORDS = ["a", "b", "c", "d", "e"];
const tok = new WordTokenizer(WORDS);

function data(seed: number) {
  const rng = new Rng(seed);
  const mk = (n: number) =>
    Array.from({ length: n }, () => {
      const p = Array.from({ length: 3 }, () => WORDS[rng.nextInt(WORDS.length)]!).join(" ");
      return { prompt: p, references: [p] };
    });
  return { train: mk(24), validation: mk(6), test: mk(6) };
}

const TIMING = new Set([
  "updatesPerSec",
  "learnerTokensPerSec",
  "actorTokensPerSec",
  "shareReward",
  "shareReplay",
  "shareNetwork",
  "shareActor",
  "shareLearner",
]);
const strip = (rs: LogRecord[]) =>
  rs.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !TIMING.has(k) && k !== "backend")));

function input(runDir: string, backend = "cpu"): TrainInput {
  return {
    runDir,
    config: {
      preset: "stable",
      seed: 7,
      backend,
      data: { maxPromptTokens: 4, maxNewTokens: 4 },
      mle: { epochs: 1, batchSize: 8 },
      dqn: {
        updates: 24,
        batchSize: 8,
        rolloutBatch: 4,
        updatesPerRollout: 3,
        warmupTransitions: 8,
        targetUpdateEvery: 5,
      },
      validation: { every: 8, patience: 0 },
      checkpoint: { every: 0 },
      guards: { snapshotEvery: 4 },
      log: { every: 4, progress: "off", curves: false },
    },
    data: data(3),
    tokenizer: tok,
    reward: bleuReward(),
    init: { type: "random", config: { nEmbd: 8, nLayer: 1, nHead: 2, nPositions: 10 } },
  };
}

describe("resume", () => {
  test.each(["cpu", "wasm"])(
    "interrupt + resume ends bit-exactly equal to an uninterrupted run (%s)",
    async (backend) => {
      const base = mkdtempSync(join(tmpdir(), "dqnlm-resume-"));
      const full = await train(input(join(base, "full"), backend));
      expect(full.stopped).toBe("done");
      expect(full.updates).toBe(24);

      let seen = 0;
      const part = await train(input(join(base, "cut"), backend), {
        onLog: (r) => {
          if (r.phase === "dqn") seen = r.step;
        },
        // stop mid-cycle (update 13 is not a multiple of updatesPerRollout = 3)
        shouldStop: () => seen >= 12,
      });
      expect(part.stopped).toBe("callback");
      expect(part.updates).toBe(12);
      const again = await resume(join(base, "cut"), { data: data(3), tokenizer: tok, reward: bleuReward() });
      expect(again.stopped).toBe("done");
      expect(again.updates).toBe(24);

      const a = readFileSync(join(base, "full/checkpoints/last/tensors.safetensors"));
      const b = readFileSync(join(base, "cut/checkpoints/last/tensors.safetensors"));
      expect(b.equals(a)).toBe(true); // online, target, reference, Adam moments, best weights: every bit
      const ra = readFileSync(join(base, "full/checkpoints/last/replay.bin"));
      const rb = readFileSync(join(base, "cut/checkpoints/last/replay.bin"));
      expect(rb.equals(ra)).toBe(true);
      expect(strip(readMetrics(join(base, "cut/metrics.jsonl")))).toEqual(
        strip(readMetrics(join(base, "full/metrics.jsonl"))),
      );
      expect(again.test?.after.predictions).toEqual(full.test?.after.predictions);
      expect(again.test?.after.metric).toBe(full.test?.after.metric);
    },
  );
});
