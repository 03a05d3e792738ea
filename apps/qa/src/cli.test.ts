import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT_CODES, generationCli, runTaskCli, smokeArgs } from "@dqnlm/appkit";
import { describe, expect, it } from "vitest";
import { demoCommand } from "./demo-command.js";
import { demoQaData } from "./demo-data.js";
import { selectCommand } from "./select-command.js";
import { spansCommand } from "./spans-command.js";
import { qaTask } from "./task.js";

const base = generationCli(qaTask, "dqnlm-qa", { select: selectCommand, "eval-spans": spansCommand });
const cli = { ...base, commands: { ...base.commands, demo: demoCommand(base.commands.demo!) } };

interface Results {
  agg: Record<"validation" | "test", Record<string, Record<string, number[]>>>;
  data: { trainSkip: number };
  generator: { run: string; features: boolean } | null;
}

describe("dqnlm-qa end to end (smoke: demonstration data, tiny budgets)", () => {
  it("demo runs MLE + DQN generation, then selection with the generator as an answerer, and writes both run folders", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "qa-smoke-")), "run");
    const log: string[] = [];
    const io = { stdout: (t: string) => log.push(t), stderr: (t: string) => log.push(t) };
    const code = await runTaskCli(cli, [...smokeArgs(out), "--selection-steps", "200"], io);
    expect(code, log.join("")).toBe(EXIT_CODES.ok);
    for (const f of ["report.md", "results.json", "app-config.json"]) {
      expect(existsSync(join(out, f)), f).toBe(true);
      expect(existsSync(join(`${out}-select`, f)), `select ${f}`).toBe(true);
    }
    const sel = JSON.parse(readFileSync(join(`${out}-select`, "results.json"), "utf8")) as Results;
    const dqn = sel.agg.test["DQN selector"]!.F1![0]!;
    expect(Number.isFinite(dqn)).toBe(true);
    // The generator learned from the first half of the 48 training questions; the selector trains on the rest.
    expect(sel.generator?.features).toBe(true);
    expect(sel.data.trainSkip).toBe(24);
    const genRow = Object.keys(sel.agg.test).find((k) => k.startsWith("answerer: generator (beam 4"));
    expect(genRow, Object.keys(sel.agg.test).join(", ")).toBeDefined();
    expect(Number.isFinite(sel.agg.test[genRow!]!.F1![0]!)).toBe(true);
    const gen = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      systems: { system: string; scores: { name: string; value: number }[] }[];
    };
    expect(gen.systems.map((s) => s.system)).toEqual(["MLE", "DQN (stable)"]);
    for (const s of gen.systems) {
      expect(s.scores.map((m) => m.name)).toEqual(["EM", "F1"]);
      for (const m of s.scores) expect(Number.isFinite(m.value), m.name).toBe(true);
    }

    // eval-spans: the trained model decoded under the span constraint answers with context spans only.
    log.length = 0;
    const spansOut = `${out}-spans`;
    const code2 = await runTaskCli(
      cli,
      [
        "eval-spans",
        "--model",
        out,
        "--test-limit",
        "6",
        "--beams",
        "2",
        "--out",
        spansOut,
        "--backend",
        "cpu",
      ],
      io,
    );
    expect(code2, log.join("")).toBe(EXIT_CODES.ok);
    expect(log.join("")).toMatch(/span-constrained beam 2:\nEM\t[\d.]+\nF1\t[\d.]+/u);
    const rows = readFileSync(join(spansOut, "predictions", "test.eval-spans.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; prediction: string });
    expect(rows).toHaveLength(6);
    const contexts = new Map(demoQaData(0).test.map((e) => [e.id, e.context]));
    for (const r of rows) expect(contexts.get(r.id)).toContain(r.prediction);

    // `eval --constrain spans` (constrained greedy argmax-Q, the trainer's decoder) = `eval-spans --beams 1`.
    const read = (dir: string, name: string) =>
      readFileSync(join(dir, "predictions", `test.${name}.jsonl`), "utf8")
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { prediction: string }).prediction);
    const common = ["--model", out, "--test-limit", "6", "--backend", "cpu"];
    expect(await runTaskCli(cli, ["eval-spans", ...common, "--beams", "1", "--out", `${out}-b1`], io)).toBe(
      0,
    );
    expect(
      await runTaskCli(
        cli,
        [
          "eval",
          ...common,
          "--constrain",
          "spans",
          "--max-new-tokens",
          "8",
          "--max-prompt-tokens",
          "64",
          "--out",
          `${out}-c`,
        ],
        io,
      ),
      log.join(""),
    ).toBe(0);
    expect(read(`${out}-c`, "eval")).toEqual(read(`${out}-b1`, "eval-spans"));
  });

  it("a bad option is a usage error (exit 2)", async () => {
    const log: string[] = [];
    const io = { stdout: (t: string) => log.push(t), stderr: (t: string) => log.push(t) };
    expect(await runTaskCli(cli, ["select", "--steps", "0"], io)).toBe(EXIT_CODES.usage);
    expect(log.join("")).toContain("steps");
  });
});
