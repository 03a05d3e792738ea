import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT_CODES, generationCli, runTaskCli, smokeArgs } from "@dqnlm/appkit";
import { describe, expect, it } from "vitest";
import { translateTask } from "./task.js";

describe("dqnlm-translate end to end (smoke: tiny model, few steps)", () => {
  it("trains, evaluates, generates and writes the run folder with finite metrics", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "translate-smoke-")), "run");
    const log: string[] = [];
    const io = { stdout: (t: string) => log.push(t), stderr: (t: string) => log.push(t) };
    const cli = generationCli(translateTask, "dqnlm-translate");
    const code = await runTaskCli(cli, [...smokeArgs(out), "--max-prompt-tokens", "16"], io);
    expect(code, log.join("")).toBe(EXIT_CODES.ok);
    for (const f of ["report.md", "results.json", "metrics.jsonl", "predictions/test.dqn-soft.jsonl"])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, "curves", "validation.svg"), "utf8")).toContain("<svg");
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      systems: { system: string; scores: { name: string; value: number; signature: string }[] }[];
      backend: string;
    };
    expect(results.backend).toBe("wasm");
    expect(results.systems.map((s) => s.system)).toEqual(["MLE", "DQN (soft)"]); // the demo runs the default preset
    for (const s of results.systems) {
      expect(s.scores.map((m) => m.name)).toEqual(["BLEU", "chrF"]);
      for (const m of s.scores) {
        expect(Number.isFinite(m.value)).toBe(true);
        expect(m.value).toBeGreaterThanOrEqual(0);
      }
      expect(s.scores[0]?.signature).toMatch(/^nrefs:1\|case:mixed\|eff:no\|tok:13a\|smooth:exp/);
    }

    log.length = 0;
    const gen = await runTaskCli(
      cli,
      ["generate", "--model", out, "--prompt", "The dog sees the cat .", "--max-new-tokens", "8"],
      io,
    );
    expect(gen, log.join("")).toBe(EXIT_CODES.ok);
    const line = JSON.parse(log.join("").trim().split("\n").at(-1) ?? "{}") as {
      prompt: string;
      output: unknown;
    };
    expect(line.prompt).toBe("The dog sees the cat .");
    expect(typeof line.output).toBe("string");
    // A missing data folder is a data error (exit 3).
    expect(await runTaskCli(cli, ["train", "--data-dir", join(out, "absent")], io)).toBe(EXIT_CODES.data);
  });
});
