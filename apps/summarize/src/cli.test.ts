import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT_CODES, generationCli, runTaskCli, smokeArgs } from "@dqnlm/appkit";
import { describe, expect, it } from "vitest";
import { summarizeTask } from "./task.js";

describe("dqnlm-summarize end to end (smoke: tiny model, few steps)", () => {
  it("trains, evaluates and writes the run folder with finite metrics", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "summarize-smoke-")), "run");
    const log: string[] = [];
    const io = { stdout: (t: string) => log.push(t), stderr: (t: string) => log.push(t) };
    const cli = generationCli(summarizeTask, "dqnlm-summarize");
    const code = await runTaskCli(
      cli,
      [...smokeArgs(out), "--source-words", "12", "--max-prompt-tokens", "24"],
      io,
    );
    expect(code, log.join("")).toBe(EXIT_CODES.ok);
    for (const f of [
      "report.md",
      "results.json",
      "metrics.jsonl",
      "app-config.json",
      "tokenizer/tokenizer.json",
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(existsSync(join(out, "predictions", "test.mle.jsonl"))).toBe(true);
    expect(existsSync(join(out, "predictions", "test.dqn-soft.jsonl"))).toBe(true);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      systems: { system: string; scores: { name: string; value: number }[] }[];
    };
    expect(results.systems.map((s) => s.system)).toEqual(["MLE", "DQN (soft)"]);
    for (const s of results.systems) {
      expect(s.scores.map((m) => m.name)).toEqual(["ROUGE-1", "ROUGE-2", "ROUGE-L"]);
      for (const m of s.scores) {
        expect(Number.isFinite(m.value)).toBe(true);
        expect(m.value).toBeGreaterThanOrEqual(0);
        expect(m.value).toBeLessThanOrEqual(100);
      }
    }
    const report = readFileSync(join(out, "report.md"), "utf8");
    expect(report).toContain("| system | ROUGE-1 | ROUGE-2 | ROUGE-L |");
    expect(report).toContain("rouge:L|stem:yes");
    const preds = readFileSync(join(out, "predictions", "test.mle.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(preds).toHaveLength(6);
    // long abstracts are cut at their end (the title's words are in the first sentences), and the run says so
    const appConfig = JSON.parse(readFileSync(join(out, "app-config.json"), "utf8")) as {
      options: Record<string, unknown>;
    };
    expect(appConfig.options["truncation-side"]).toBe("right");
    const trainerConfig = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as {
      config: { data: { truncationSide: string } };
    };
    expect(trainerConfig.config.data.truncationSide).toBe("right");

    // eval on the trained run reproduces a metric table; a bad option is a usage error (exit 2).
    log.length = 0;
    const evalCode = await runTaskCli(
      cli,
      [
        "eval",
        "--model",
        out,
        "--test-limit",
        "6",
        "--max-new-tokens",
        "8",
        "--source-words",
        "12",
        "--max-prompt-tokens",
        "24",
      ],
      io,
    );
    expect(evalCode, log.join("")).toBe(EXIT_CODES.ok);
    expect(log.join("")).toMatch(/ROUGE-L\t\d+\.\d\d\tnrefs:1\|rouge:L/);
    expect(await runTaskCli(cli, ["train", "--rouge-weights", "1,2"], io)).toBe(EXIT_CODES.usage);
  });
});
