/**
 * `compare` (issue #13): systems are scored with the task's metrics, seeds are aggregated, and the p-values are
 * exactly those of @dqnlm/rewards' paired bootstrap on the same inputs; misaligned or missing predictions and
 * unknown metrics are usage errors.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@dqnlm/core";
import { chrfReward, corpusBleu, pairedBootstrap, pairedBootstrapScores } from "@dqnlm/rewards";
import { describe, expect, test } from "vitest";
import { toyTask } from "./__fixtures__/toy-task.js";
import {
  compareSystems,
  EXIT_CODES,
  generationCli,
  meanStd,
  parseSystemSpec,
  RunFolder,
  runTaskCli,
  UsageError,
} from "./index.js";
import type { GenerationTask } from "./task.js";

const WORDS = "the a cat dog sat ran on under mat tree red blue big small house park".split(" ");
const root = mkdtempSync(join(tmpdir(), "appkit-compare-"));
const chrf = chrfReward();

/** BLEU (corpus, tested from its statistics), chrF (mean of sentence scores) and an untested length. */
const task: GenerationTask = {
  ...toyTask,
  metrics: (hyps, refs) => {
    const b = corpusBleu(hyps, refs);
    const c = hyps.reduce((s, h, i) => s + chrf.score(h, refs[i] ?? []), 0) / hyps.length;
    const len = hyps.reduce((s, h) => s + h.split(" ").length, 0) / hyps.length;
    return [
      { name: "BLEU", value: b.score, signature: b.signature },
      { name: "chrF", value: 100 * c },
      { name: "length", value: len, digits: 1 },
    ];
  },
  significance: {
    main: "BLEU",
    tests: () => ({
      BLEU: { metric: "bleu" },
      chrF: { sentence: (h, r) => chrf.score(h, r), scale: 100 },
    }),
  },
};

const rng = new Rng(7);
const sentence = (n: number): string =>
  Array.from({ length: n }, () => WORDS[rng.nextInt(WORDS.length)] as string).join(" ");
const N = 40;
const refs = Array.from({ length: N }, () => sentence(8));
/** A system that keeps each reference word with probability `keep` (else a random word). */
const noisy = (keep: number): string[] =>
  refs.map((r) =>
    r
      .split(" ")
      .map((w) => (rng.next() < keep ? w : (WORDS[rng.nextInt(WORDS.length)] as string)))
      .join(" "),
  );
const write = (name: string, hyps: readonly string[], ids = refs.map((_, i) => `test-${i}`)): string => {
  const dir = join(root, name);
  new RunFolder(dir).writePredictions(
    "test",
    "eval",
    hyps.map((h, i) => ({
      id: ids[i] as string,
      source: "",
      references: [refs[i] as string],
      prediction: h,
    })),
  );
  return dir;
};
const mle = noisy(0.5);
const rl = [noisy(0.7), noisy(0.65), noisy(0.6)];
const mleDir = write("mle", mle);
const rlDirs = rl.map((h, k) => write(`rl-s${k + 1}`, h));
const refLists = refs.map((r) => [r]);

describe("compareSystems", () => {
  test("metrics equal the task's; p-values equal the rewards API's paired bootstrap on the same inputs", () => {
    const r = compareSystems(task, {
      reference: { name: "MLE", paths: [mleDir] },
      systems: [{ name: "RL", paths: rlDirs }],
      resamples: 200,
      seed: 3,
    });
    expect(r.n).toBe(N);
    expect(r.tested).toEqual(["BLEU", "chrF"]);
    expect(r.main).toBe("BLEU");
    const [ref, sys] = r.systems;
    expect(ref?.reference).toBe(true);
    expect(ref?.mean.BLEU?.mean).toBe(corpusBleu(mle, refLists).score);
    expect(ref?.p.BLEU).toBeNull();
    const bleus = rl.map((h) => corpusBleu(h, refLists).score);
    expect(sys?.seeds.map((s) => s.scores.BLEU)).toEqual(bleus);
    expect(sys?.mean.BLEU).toEqual(meanStd(bleus));
    // each seed's p is a direct call of the rewards API
    const direct = rl.map(
      (h) =>
        pairedBootstrap({
          metric: "bleu",
          baseline: mle,
          systems: { rl: h },
          refs: refLists,
          resamples: 200,
          seed: 3,
        }).systems[0]?.pValue,
    );
    expect(sys?.seeds.map((s) => s.p.BLEU)).toEqual(direct);
    expect(sys?.p.BLEU).toBe(Math.max(...(direct as number[])));
    const per = (h: readonly string[]) => h.map((x, i) => chrf.score(x, [refs[i] as string]));
    const directChrf = pairedBootstrapScores({
      baseline: per(mle),
      systems: { rl: per(rl[0] as string[]) },
      resamples: 200,
      seed: 3,
    }).systems[0]?.pValue;
    expect(sys?.seeds[0]?.p.chrF).toBe(directChrf);
    expect(r.testSignatures.BLEU).toContain("bs:200|seed:3");
    // untested metrics are still reported (every output has 8 words)
    expect(sys?.seeds[0]?.scores.length).toBe(8);
    expect(sys?.p.length).toBeUndefined();
  });

  test("outputs scoring exactly as the reference (Δ = 0) get p = 1, not sacreBLEU's 1/(B+1)", () => {
    const copy = write("mle-copy", mle);
    const r = compareSystems(task, {
      reference: { name: "MLE", paths: [mleDir] },
      systems: [{ name: "same", paths: [copy] }],
      resamples: 100,
    });
    expect(r.systems[1]?.p).toEqual({ BLEU: 1, chrF: 1 });
    expect(r.systems[1]?.seeds[0]?.identical).toBe(true);
    // different strings with the same scores: extra spaces, which BLEU's and chrF's tokenisation ignore
    const spaced = write(
      "mle-spaced",
      mle.map((h) => ` ${h} `),
    );
    const r2 = compareSystems(task, {
      reference: { name: "MLE", paths: [mleDir] },
      systems: [{ name: "spaced", paths: [spaced] }],
      resamples: 100,
      metrics: ["BLEU"],
    });
    expect(r2.systems[1]?.seeds[0]?.identical).toBe(false);
    expect(r2.systems[1]?.p.BLEU).toBe(1);
    const raw = pairedBootstrap({
      metric: "bleu",
      baseline: mle,
      systems: { s: mle },
      refs: refLists,
      resamples: 100,
    });
    expect(raw.systems[0]?.pValue).toBe(1 / 101);
  });

  test("a reference with as many seeds is paired seed by seed", () => {
    const mles = [mleDir, write("mle-s2", noisy(0.5)), write("mle-s3", noisy(0.5))];
    const r = compareSystems(task, {
      reference: { name: "MLE", paths: mles },
      systems: [{ name: "RL", paths: rlDirs }],
      resamples: 100,
      metrics: ["BLEU"],
    });
    expect(r.systems[1]?.seeds.map((s) => s.pairedWith)).toEqual(
      mles.map((d) => join(d, "predictions", "test.eval.jsonl")),
    );
    expect(r.systems[0]?.seeds.length).toBe(3);
    expect(r.tested).toEqual(["BLEU"]);
  });

  test("mismatched ids, missing folders, unknown or untested metrics are usage errors", () => {
    const shuffled = write(
      "shuffled",
      rl[0] as string[],
      refs.map((_, i) => `test-${(i + 1) % N}`),
    );
    const bad = (o: Partial<Parameters<typeof compareSystems>[1]>) => () =>
      compareSystems(task, {
        reference: { name: "MLE", paths: [mleDir] },
        systems: [{ name: "RL", paths: rlDirs }],
        resamples: 10,
        ...o,
      });
    expect(bad({ systems: [{ name: "X", paths: [shuffled] }] })).toThrow(UsageError);
    expect(bad({ systems: [{ name: "X", paths: [shuffled] }] })).toThrow(
      /Invalid --system: expected the reference's example ids in the same order/,
    );
    expect(bad({ systems: [{ name: "X", paths: [join(root, "absent")] }] })).toThrow(
      /No such file or folder/,
    );
    expect(bad({ metrics: ["ROUGE-L"] })).toThrow(/expected a metric of the toy task \(BLEU, chrF, length\)/);
    expect(bad({ metrics: ["length"] })).toThrow(/expected a metric with a paired test \(BLEU, chrF\)/);
    expect(bad({ split: "validation" })).toThrow(/predictions\/validation/);
    // a test that does not recompute the task's metric is caught
    const wrong: GenerationTask = {
      ...task,
      significance: { main: "BLEU", tests: () => ({ BLEU: { metric: "chrf" } }) },
    };
    expect(() =>
      compareSystems(wrong, { reference: { name: "MLE", paths: [mleDir] }, systems: [], resamples: 10 }),
    ).not.toThrow(); // the reference alone is never tested
    expect(() =>
      compareSystems(wrong, {
        reference: { name: "MLE", paths: [mleDir] },
        systems: [{ name: "RL", paths: [rlDirs[0] as string] }],
        resamples: 10,
      }),
    ).toThrow(/does not match its metric/);
  });

  test("parseSystemSpec", () => {
    expect(parseSystemSpec("RL (soft)=a, b,c")).toEqual({ name: "RL (soft)", paths: ["a", "b", "c"] });
    expect(parseSystemSpec("runs/x")).toEqual({ name: "runs/x", paths: ["runs/x"] });
    expect(() => parseSystemSpec("RL=a,,b")).toThrow(/Invalid --system/);
  });
});

describe("the compare command", () => {
  const cli = generationCli(task, "dqnlm-toy");
  const log: string[] = [];
  const io = { stdout: (t: string) => log.push(t), stderr: (t: string) => log.push(t) };

  test("writes the markdown table and its JSON; exit 2 on misaligned predictions", async () => {
    const out = join(root, "tables", "results.md");
    const args = [
      "compare",
      "--reference",
      `MLE=${mleDir}`,
      "--system",
      `RL=${rlDirs.join(",")}`,
      "--system",
      `RL s1=${rlDirs[0]}`,
      "--resamples",
      "100",
      "--out",
      out,
    ];
    expect(await runTaskCli(cli, args, io), log.join("")).toBe(EXIT_CODES.ok);
    const md = readFileSync(out, "utf8");
    expect(md).toBe(log.join(""));
    const lines = md.split("\n");
    expect(lines[2]).toBe("| system | seeds | BLEU | chrF | length | p BLEU | p chrF |");
    expect(lines[4]).toMatch(/^\| MLE \(reference\) \| 1 \| \d+\.\d\d \| \d+\.\d\d \| \d\.\d \| — \| — \|$/);
    expect(lines[5]).toMatch(/^\| RL \| 3 \| \d+\.\d\d ± \d+\.\d\d \|/);
    expect(md).toContain("its p is the largest per-seed p");
    const json = JSON.parse(readFileSync(join(root, "tables", "results.json"), "utf8")) as {
      systems: { name: string; p: Record<string, number> }[];
    };
    expect(json.systems.map((s) => s.name)).toEqual(["MLE", "RL", "RL s1"]);
    expect(json.systems[2]?.p.BLEU).toBeGreaterThan(0);

    log.length = 0;
    const shuffled = write(
      "shuffled2",
      rl[0] as string[],
      refs.map((_, i) => `x-${i}`),
    );
    const code = await runTaskCli(
      cli,
      ["compare", "--reference", `MLE=${mleDir}`, "--system", `X=${shuffled}`],
      io,
    );
    expect(code).toBe(EXIT_CODES.usage);
    expect(log.join("")).toMatch(/error\[DQNLM_APPKIT_BAD_OPTION\]: Invalid --system/);
    expect(existsSync(join(root, "tables", "results.json"))).toBe(true);
  });
});
