import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CliUsageError, formatError, readJsonl, runCli } from "./cli-lib.js";
import { TrainerConfigError } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "dqnlm-cli-"));
const lines = (n: number, off: number) =>
  Array.from({ length: n }, (_, i) => {
    const w = ["red", "green", "blue", "cat", "dog"];
    const p = `${w[(i + off) % 5]} ${w[(i * 2 + off) % 5]}`;
    return JSON.stringify(i % 2 ? { prompt: p, reference: p } : { prompt: p, references: [p] });
  }).join("\n");
writeFileSync(join(dir, "train.jsonl"), `${lines(12, 0)}\n`);
writeFileSync(join(dir, "test.jsonl"), `${lines(4, 1)}\n`);
writeFileSync(
  join(dir, "cfg.json"),
  JSON.stringify({
    trainer: {
      backend: "wasm",
      data: { maxPromptTokens: 4, maxNewTokens: 4 },
      mle: { epochs: 1, batchSize: 6 },
      dqn: { updates: 6, batchSize: 4, rolloutBatch: 4, warmupTransitions: 4 },
      validation: { every: 3 },
      log: { every: 3, progress: "off", curves: false },
    },
    tokenizer: { vocabSize: 40, kind: "wordlevel" },
    reward: { name: "chrf" },
    init: { type: "random", config: { nEmbd: 8, nLayer: 1, nHead: 1, nPositions: 12 } },
  }),
);

describe("dqnlm CLI", () => {
  test("train → eval → generate → resume on JSONL files", async () => {
    const out: string[] = [];
    const run = join(dir, "run");
    const argv = [
      "train",
      "--config",
      join(dir, "cfg.json"),
      "--train",
      join(dir, "train.jsonl"),
      "--test",
      join(dir, "test.jsonl"),
      "--run",
      run,
    ];
    expect(await runCli(argv, (l) => out.push(l))).toBe(0);
    const res = JSON.parse(out.join("\n"));
    expect(res.updates).toBe(6);
    expect(res.stopped).toBe("done");
    expect(typeof res.test.after).toBe("number");
    for (const f of [
      "config.json",
      "cli.json",
      "metrics.jsonl",
      "tokenizer/tokenizer.json",
      "checkpoints/last/state.json",
      "checkpoints/final/model.safetensors",
      "test.json",
    ])
      expect(existsSync(join(run, f))).toBe(true);

    out.length = 0;
    const model = join(run, "checkpoints/mle");
    const tokArgs = ["--model", model, "--tokenizer", join(run, "tokenizer")];
    expect(
      await runCli(
        ["eval", ...tokArgs, "--data", join(dir, "test.jsonl"), "--reward", "chrf", "--max-new-tokens", "4"],
        (l) => out.push(l),
      ),
    ).toBe(0);
    expect(JSON.parse(out.join("\n")).n).toBe(4);

    out.length = 0;
    expect(
      await runCli(["generate", ...tokArgs, "--prompt", "red cat", "--max-new-tokens", "3"], (l) =>
        out.push(l),
      ),
    ).toBe(0);
    expect(out.length).toBe(1);

    // a finished run resumes to the same end without new updates
    out.length = 0;
    expect(await runCli(["resume", "--run", run], (l) => out.push(l))).toBe(0);
    expect(JSON.parse(out.join("\n")).updates).toBe(6);
  }, 240_000);

  test("bad config and bad data give typed errors naming the field / file:line", async () => {
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ trainer: { dqn: { gamma: 2 } } }));
    const e = await runCli([
      "train",
      "--config",
      join(dir, "bad.json"),
      "--train",
      join(dir, "train.jsonl"),
      "--run",
      join(dir, "bad"),
    ]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TrainerConfigError);
    expect(formatError(e)).toMatch(
      /^error DQNLM_CONFIG_INVALID \(dqn\.gamma\): config\.dqn\.gamma: expected/,
    );
    writeFileSync(join(dir, "broken.jsonl"), '{"prompt": "a", "reference": "b"}\n{"prompt": 3}\n');
    expect(() => readJsonl(join(dir, "broken.jsonl"))).toThrow(/broken\.jsonl:2: expected a string "prompt"/);
    await expect(runCli(["fly"])).rejects.toBeInstanceOf(CliUsageError);
  });
});
