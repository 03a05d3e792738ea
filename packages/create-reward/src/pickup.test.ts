import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT_CODES, generationCli, runTaskCli, smokeArgs } from "@dqnlm/appkit";
import { afterAll, describe, expect, test } from "vitest";
import { summarizeTask } from "../../../apps/summarize/src/task.js";
// the CLI module itself (the package exports the library API; bin/dqnlm.js runs this module)
import { runCli } from "../../trainer/src/cli-lib.js";
import { generate } from "./fixture.js";

// A package straight from the generator, with no other edit, named by path on the command lines.
const g = generate("len-ratio");
const spec = `${g.dir}#lenRatioReward`;
afterAll(() => rmSync(g.root, { recursive: true, force: true }));

describe("a generated reward package is picked up with no other edit", () => {
  test("dqnlm train --reward <path>#lenRatioReward --reward-options: trains, records package, version, options, signature", async () => {
    const lines = Array.from({ length: 12 }, (_, i) => {
      const w = ["red", "green", "blue", "cat", "dog"];
      const p = `${w[i % 5]} ${w[(i * 2) % 5]}`;
      return JSON.stringify({ prompt: p, reference: p });
    }).join("\n");
    writeFileSync(join(g.root, "train.jsonl"), `${lines}\n`);
    writeFileSync(
      join(g.root, "cfg.json"),
      JSON.stringify({
        trainer: {
          backend: "wasm",
          data: { maxPromptTokens: 4, maxNewTokens: 4 },
          mle: { epochs: 1, batchSize: 6 },
          dqn: { updates: 4, batchSize: 4, rolloutBatch: 4, warmupTransitions: 4 },
          validation: { every: 2 },
          log: { every: 2, progress: "off", curves: false },
        },
        tokenizer: { vocabSize: 40, kind: "wordlevel" },
        init: { type: "random", config: { nEmbd: 8, nLayer: 1, nHead: 1, nPositions: 12 } },
      }),
    );
    const run = join(g.root, "run-cli");
    const out: string[] = [];
    const argv = ["train", "--config", join(g.root, "cfg.json"), "--train", join(g.root, "train.jsonl")];
    const code = await runCli(
      [...argv, "--run", run, "--reward", spec, "--reward-options", '{"lowercase":true}'],
      (l) => out.push(l),
    );
    expect(code).toBe(0);
    expect(JSON.parse(out.join("\n")).updates).toBe(4);
    const config = JSON.parse(readFileSync(join(run, "config.json"), "utf8"));
    expect(config.reward.name).toBe("len-ratio");
    expect(config.reward.plugin).toMatchObject({
      package: "@dqnlm/reward-len-ratio",
      version: "0.1.0",
      export: "lenRatioReward",
      kind: "factory",
      options: { lowercase: true },
      signature: "len-ratio|lc:yes|tok:whitespace|version:example",
    });
    const cli = JSON.parse(readFileSync(join(run, "cli.json"), "utf8"));
    expect(cli.reward).toEqual({ name: spec, options: { lowercase: true } });
  });

  test("an app (dqnlm-summarize) trains on it and reports it next to ROUGE", async () => {
    const out = join(g.root, "run-app");
    const log: string[] = [];
    const io = { stdout: (t: string) => log.push(t), stderr: (t: string) => log.push(t) };
    const cli = generationCli(summarizeTask, "dqnlm-summarize");
    const code = await runTaskCli(cli, [...smokeArgs(out), "--reward", spec], io);
    expect(code, log.join("")).toBe(EXIT_CODES.ok);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      systems: { scores: { name: string; value: number }[] }[];
    };
    for (const s of results.systems)
      expect(s.scores.map((m) => m.name)).toEqual(["ROUGE-1", "ROUGE-2", "ROUGE-L", "LEN-RATIO"]);
    const report = readFileSync(join(out, "report.md"), "utf8");
    expect(report).toContain(
      "optimised: len-ratio (@dqnlm/reward-len-ratio@0.1.0#lenRatioReward, signature len-ratio|lc:no|tok:whitespace|version:example)",
    );
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).reward.plugin.package).toBe(
      "@dqnlm/reward-len-ratio",
    );
  });
});
