/**
 * `eval`/`generate` decoding options (issue #11): `--beams 1` is byte-identical to the old greedy path whatever
 * the temperature and length penalty; beam 4 finds sequences at least as likely as greedy; constrained (QA-style
 * `allowedOutputs`) decoding stays inside the allowed outputs with beams; the options are recorded.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "@dqnlm/qnet";
import { generateNBest, generate as trainerGenerate } from "@dqnlm/trainer";
import { beforeAll, describe, expect, test } from "vitest";
import { toyArgs, toyTask } from "./__fixtures__/toy-task.js";
import { decodingOptions, EXIT_CODES, generationCli, loadRunModel, runTaskCli, UsageError } from "./index.js";
import type { GenerationTask } from "./task.js";

const root = mkdtempSync(join(tmpdir(), "appkit-decoding-"));
const run = join(root, "run");
const log: string[] = [];
const io = { stdout: (t: string) => log.push(t), stderr: (t: string) => log.push(t) };
const cli = generationCli(toyTask, "dqnlm-toy");
const preds = (dir: string): { id: string; prediction: string }[] =>
  readFileSync(join(dir, "predictions", "test.eval.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { id: string; prediction: string });
const evalRun = async (out: string, extra: string[] = [], spec = cli): Promise<void> => {
  log.length = 0;
  const code = await runTaskCli(spec, ["eval", "--model", run, "--out", out, ...extra], io);
  expect(code, log.join("")).toBe(EXIT_CODES.ok);
};
// the toy data's test prompts (4) and, for a wider check, its training prompts (32)
const data = toyTask.demoData(0);

beforeAll(async () => {
  const args = toyArgs(run, ["--backend", "wasm", "--dqn-updates", "0", "--mle-epochs", "4"]);
  const code = await runTaskCli(cli, args, io);
  expect(code, log.join("")).toBe(EXIT_CODES.ok);
}, 120_000);

describe("eval/generate decoding options", () => {
  test("--beams 1 is the old greedy path, whatever --temperature and --length-penalty", async () => {
    await evalRun(join(root, "default"));
    await evalRun(join(root, "beam1"), ["--beams", "1", "--temperature", "0.3", "--length-penalty", "0"]);
    expect(readFileSync(join(root, "beam1", "predictions", "test.eval.jsonl"), "utf8")).toBe(
      readFileSync(join(root, "default", "predictions", "test.eval.jsonl"), "utf8"),
    );
    const { checkpoint, tokenizer } = loadRunModel(run);
    await selectBackend({ backend: "wasm" });
    const direct = await trainerGenerate({
      model: checkpoint,
      tokenizer,
      prompts: data.test.map((e) => e.source),
      maxNewTokens: 4,
      maxPromptTokens: 6,
    });
    expect(preds(join(root, "beam1")).map((r) => r.prediction)).toEqual(direct);
    expect(preds(join(root, "beam1")).map((r) => r.id)).toEqual(data.test.map((e) => e.id));
    const ev = JSON.parse(readFileSync(join(root, "beam1", "eval-test.json"), "utf8")) as {
      decoding: unknown;
    };
    expect(ev.decoding).toEqual({ beams: 1, lengthPenalty: 0, temperature: 0.3 });
  }, 60_000);

  test("beam 4 (α = 0) finds outputs at least as likely as greedy; eval --beams 4 writes its top hypotheses", async () => {
    const { checkpoint, tokenizer } = loadRunModel(run);
    await selectBackend({ backend: "wasm" });
    const prompts = [...data.test, ...data.train].map((e) => e.source);
    const o = {
      model: checkpoint,
      tokenizer,
      prompts,
      maxNewTokens: 4,
      maxPromptTokens: 6,
      lengthPenalty: 0,
    };
    const greedy = await generateNBest({ ...o, beams: 1 });
    const beam = await generateNBest({ ...o, beams: 4 });
    // beam 1 of the beam search is the greedy decoding
    expect(greedy.map((h) => h[0]?.text)).toEqual(await trainerGenerate(o));
    let better = 0;
    for (const [i, g] of greedy.entries()) {
      const b = beam[i]?.[0]?.logProb ?? Number.NEGATIVE_INFINITY;
      expect(b).toBeGreaterThanOrEqual((g[0]?.logProb ?? 0) - 1e-9);
      if (b > (g[0]?.logProb ?? 0) + 1e-9) better++;
    }
    expect(better, "beam 4 should beat greedy on some prompt of this model").toBeGreaterThan(0);

    await evalRun(join(root, "beam4"), ["--beams", "4", "--length-penalty", "0"]);
    expect(preds(join(root, "beam4")).map((r) => r.prediction)).toEqual(
      beam.slice(0, data.test.length).map((h) => h[0]?.text),
    );
    expect(log.join("")).toContain("beam 4, α 0, T 1");
  }, 60_000);

  test("constrained outputs (QA's allowedOutputs) hold with beams", async () => {
    const allowed = (e: { target: string }): string[] => [e.target, "sun sun", "moon"];
    const constrained: GenerationTask = { ...toyTask, allowedOutputs: allowed };
    const spec = generationCli(constrained, "dqnlm-toy");
    for (const beams of ["1", "3"]) {
      const out = join(root, `constrained-${beams}`);
      await evalRun(out, ["--beams", beams], spec);
      const got = preds(out).map((r) => r.prediction);
      got.forEach((p, i) => {
        expect(allowed(data.test[i] as { target: string })).toContain(p);
      });
    }
  }, 60_000);

  test("bad decoding options are usage errors naming the option", () => {
    expect(decodingOptions({})).toEqual({ beams: 1, lengthPenalty: 1, temperature: 1 });
    expect(() => decodingOptions({ temperature: 0 })).toThrow(UsageError);
    expect(() => decodingOptions({ temperature: 0 })).toThrow(/--temperature: expected a number > 0/);
    expect(() => decodingOptions({ beams: 0 })).toThrow(/--beams/);
    expect(() => decodingOptions({ "length-penalty": -1 })).toThrow(/--length-penalty/);
  });
});
