/**
 * Non-learned baselines (issue #13): lead-N picks the N the validation split rewards, the `baseline` command
 * writes predictions in the `eval --out` format that `compare` reads.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@dqnlm/core";
import { rougeReward } from "@dqnlm/rewards";
import { describe, expect, test } from "vitest";
import { toyTask } from "./__fixtures__/toy-task.js";
import type { TextPair } from "./data/read.js";
import {
  chooseOnValidation,
  compareSystems,
  copySourceBaseline,
  EXIT_CODES,
  generationCli,
  leadBaseline,
  leadWords,
  runTaskCli,
} from "./index.js";
import type { GenerationTask } from "./task.js";

const WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi".split(
  " ",
);

/** Sources of 30 words whose reference is their first `lead` words. */
function leadData(seed: number, lead: number, n: number, split: string): TextPair[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const source = Array.from({ length: 30 }, () => WORDS[rng.nextInt(WORDS.length)] as string).join(" ");
    const target = source.split(" ").slice(0, lead).join(" ");
    return { id: `${split}-${i}`, source, target, references: [target] };
  });
}

const rougeL = rougeReward({ type: "rougeL" });
const leadTask = (lead: number): GenerationTask => ({
  ...toyTask,
  name: "lead",
  demoData: (seed) => ({
    train: leadData(seed, lead, 4, "train"),
    validation: leadData(seed + 1, lead, 12, "validation"),
    test: leadData(seed + 2, lead, 8, "test"),
  }),
  reward: () => rougeL,
  baseline: leadBaseline(() => (p, refs) => rougeL.score(p, refs)),
});

describe("lead-N", () => {
  test("leadWords", () => {
    expect(leadWords("  a b\tc  d ", 3)).toBe("a b c");
    expect(leadWords("a b", 5)).toBe("a b");
    expect(leadWords("a b", 0)).toBe("");
  });

  test.each([7, 13])("picks N = %i when the validation references are the first %i words", (lead) => {
    const val = leadData(1, lead, 12, "validation");
    const c = chooseOnValidation(
      Array.from({ length: 16 }, (_, i) => i + 5),
      val,
      (e, n) => leadWords(e.source, n),
      (p, refs) => rougeL.score(p, refs),
    );
    expect(c.best).toBe(lead);
    expect(c.bestScore).toBe(1);
    expect(c.grid.map((g) => g.value)).toEqual(Array.from({ length: 16 }, (_, i) => i + 5));
    expect(c.grid.every((g) => g.value === lead || g.score < 1)).toBe(true);
  });

  test("ties go to the first candidate", () => {
    const c = chooseOnValidation(
      [3, 1, 2],
      leadData(1, 5, 3, "v"),
      () => "",
      () => 0.5,
    );
    expect(c.best).toBe(3);
  });
});

describe("the baseline command", () => {
  const root = mkdtempSync(join(tmpdir(), "appkit-baseline-"));
  const log: string[] = [];
  const io = { stdout: (t: string) => log.push(t), stderr: (t: string) => log.push(t) };

  test("lead-N: chooses N on validation, writes eval-format predictions that compare reads", async () => {
    const cli = generationCli(leadTask(9), "dqnlm-lead");
    const out = join(root, "lead");
    expect(await runTaskCli(cli, ["baseline", "--out", out], io), log.join("")).toBe(EXIT_CODES.ok);
    expect(log.join("")).toContain("→ N = 9");
    expect(log.join("")).toContain("baseline lead-9");
    const rows = readFileSync(join(out, "predictions", "test.baseline.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; prediction: string; references: string[] });
    const test = leadData(2, 9, 8, "test");
    expect(rows.map((r) => r.id)).toEqual(test.map((e) => e.id));
    expect(rows.map((r) => r.prediction)).toEqual(test.map((e) => leadWords(e.source, 9)));
    const meta = JSON.parse(readFileSync(join(out, "baseline-test.json"), "utf8")) as {
      system: string;
      settings: { n: number };
      scores: { name: string; value: number }[];
    };
    expect(meta.system).toBe("lead-9");
    expect(meta.settings.n).toBe(9);
    const r = compareSystems(leadTask(9), { reference: { name: "lead", paths: [out] }, systems: [] });
    expect(r.systems[0]?.mean.chrF?.mean).toBe(meta.scores[0]?.value);

    log.length = 0;
    const fixed = join(root, "lead-5");
    const args = ["baseline", "--out", fixed, "--lead-words", "5", "--split", "validation"];
    expect(await runTaskCli(cli, args, io), log.join("")).toBe(EXIT_CODES.ok);
    expect(log.join("")).toContain("validation (12 examples; baseline lead-5)");
  });

  test("copy source; a task without a baseline has no baseline command", async () => {
    const copy = { ...toyTask, baseline: copySourceBaseline() };
    const out = join(root, "copy");
    log.length = 0;
    expect(
      await runTaskCli(generationCli(copy, "dqnlm-toy"), ["baseline", "--out", out, "--quiet"], io),
    ).toBe(EXIT_CODES.ok);
    const first = JSON.parse(
      readFileSync(join(out, "predictions", "test.baseline.jsonl"), "utf8").split("\n")[0] as string,
    ) as { source: string; prediction: string };
    expect(first.prediction).toBe(first.source);
    log.length = 0;
    expect(await runTaskCli(generationCli(toyTask, "dqnlm-toy"), ["baseline"], io)).toBe(EXIT_CODES.usage);
    expect(log.join("")).toContain('unknown command "baseline"');
  });
});
