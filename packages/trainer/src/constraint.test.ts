import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@dqnlm/core";
import { selectBackend } from "@dqnlm/qnet";
import { bleuReward } from "@dqnlm/rewards";
import { beforeAll, describe, expect, it } from "vitest";
import { WordTokenizer } from "./__fixtures__/word-tokenizer.js";
import { OutputTrie, selectWithin } from "./constraint.js";
import { TrainerInputError } from "./errors.js";
import { evaluate, train } from "./index.js";

const WORDS = ["red", "green", "blue", "cat", "dog", "fish", "sun", "moon"];
const tok = new WordTokenizer(WORDS);
const id = (w: string): number => tok.encode(w)[0]!;

describe("OutputTrie", () => {
  it("allows exactly the continuations of the listed outputs, each ending with EOS", () => {
    const t = OutputTrie.fromOutputs(tok, ["red cat", "red dog", "blue", "red cat", "sun moon fish cat"], 4);
    expect(t.size).toBe(3); // the duplicate counted once; the 4-token output does not fit 4 − 1 tokens
    expect(t.allowed([])).toEqual([id("red"), id("blue")].sort((a, b) => a - b));
    expect(t.allowed([id("red")])).toEqual([id("cat"), id("dog")].sort((a, b) => a - b));
    expect(t.allowed([id("red"), id("cat")])).toEqual([tok.eosId]);
    expect(t.allowed([id("blue")])).toEqual([tok.eosId]);
    expect(t.allowed([id("green")])).toEqual([]);
    expect(t.allowed([id("red"), id("cat"), tok.eosId])).toEqual([]);
  });

  it("selectWithin applies the selector to the allowed Q-values and maps back", () => {
    const q = Float32Array.of(9, 1, 5, 3, 7);
    const argmax = (x: Float32Array, off: number, n: number): number => {
      let b = 0;
      for (let i = 1; i < n; i++) if (x[off + i]! > x[off + b]!) b = i;
      return b;
    };
    expect(selectWithin(q, 0, 5, [1, 2, 3], argmax)).toBe(2);
    expect(selectWithin(q, 0, 5, [3], argmax)).toBe(3);
    expect(selectWithin(q, 0, 5, null, argmax)).toBe(0);
    expect(selectWithin(q, 0, 5, [], argmax)).toBe(0);
    expect(selectWithin(q, 1, 4, [0, 3], argmax)).toBe(3); // offset rows: q[1 + 3] = 7 > q[1 + 0] = 1
  });
});

describe("constrained generation in training and decoding", () => {
  beforeAll(async () => {
    await selectBackend({ backend: "cpu" });
  });

  it("rollouts, validation and test decode only allowed outputs, and DQN learns the best of them", async () => {
    // Prompt "x y": the reference is the colour-animal pair; the allowed outputs are 3 pairs, one of them right.
    const rng = new Rng(5);
    const colours = ["red", "green", "blue"];
    const animals = ["cat", "dog", "fish"];
    const mk = () => {
      const c = colours[rng.nextInt(3)]!;
      const a = animals[rng.nextInt(3)]!;
      const wrong = [
        `${colours[(colours.indexOf(c) + 1) % 3]} ${a}`,
        `${c} ${animals[(animals.indexOf(a) + 1) % 3]}`,
      ];
      const allowed = [...wrong, `${c} ${a}`].sort(() => rng.next() - 0.5);
      return { prompt: `${c} ${a} sun`, references: [`${c} ${a}`], allowedOutputs: allowed };
    };
    const data = {
      train: Array.from({ length: 24 }, mk),
      validation: Array.from({ length: 8 }, mk),
      test: Array.from({ length: 8 }, mk),
    };
    const runDir = join(mkdtempSync(join(tmpdir(), "constrained-")), "run");
    const res = await train({
      runDir,
      tokenizer: tok,
      reward: bleuReward({ tokenize: "none", effectiveOrder: true }),
      data,
      init: { type: "random", config: { nEmbd: 16, nLayer: 1, nHead: 2, nPositions: 16 } },
      config: {
        preset: "stable",
        seed: 3,
        data: { maxPromptTokens: 6, maxNewTokens: 4 },
        mle: { enabled: false },
        dqn: {
          updates: 400,
          learningRate: 3e-3,
          batchSize: 32,
          rolloutBatch: 8,
          warmupTransitions: 32,
          klWeight: 0,
          marginWeight: 0,
          demonstrations: false,
        },
        validation: { every: 50, maxExamples: 0 },
        checkpoint: { saveReplay: false },
      },
    });
    expect(res.test).toBeDefined();
    for (const [i, p] of res.test!.before.predictions.entries())
      expect(data.test[i]!.allowedOutputs, `before ${i}: ${p}`).toContain(p);
    for (const [i, p] of res.test!.after.predictions.entries())
      expect(data.test[i]!.allowedOutputs, `after ${i}: ${p}`).toContain(p);
    // Random init picks one of 3 allowed outputs (≈ 1/3 right); DQN on BLEU learns to copy the prompt's pair.
    const right = (ps: readonly string[]) => ps.filter((p, i) => p === data.test[i]!.references[0]).length;
    expect(right(res.test!.after.predictions)).toBeGreaterThan(right(res.test!.before.predictions));
    expect(right(res.test!.after.predictions)).toBeGreaterThanOrEqual(6);
    // evaluate() honours the constraint of the examples too.
    const ev = await evaluate({
      model: join(runDir, "checkpoints", "best"),
      tokenizer: tok,
      examples: data.test,
      reward: bleuReward({ tokenize: "none", effectiveOrder: true }),
      maxNewTokens: 4,
      maxPromptTokens: 6,
    });
    expect(ev.predictions).toEqual(res.test!.after.predictions);
    await expect(
      train({
        runDir: join(runDir, "x"),
        tokenizer: tok,
        reward: bleuReward(),
        data: { train: [{ prompt: "a", references: ["b"], allowedOutputs: "b" as unknown as string[] }] },
        init: { type: "random", config: {} },
        config: {},
      }),
    ).rejects.toThrow(TrainerInputError);
  }, 120_000);
});
