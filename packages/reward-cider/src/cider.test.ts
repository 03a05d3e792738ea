import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isReward, prefixScores } from "@dqnlm/rewards";
import { describe, expect, test } from "vitest";
import ciderDefault, { CiderD, CiderOptionError, ciderD, ciderReward } from "./index.js";

interface Corpus {
  readonly name: string;
  readonly n: number;
  readonly sigma: number;
  readonly hyps: readonly string[];
  readonly refs: readonly (readonly string[])[];
  readonly expected: number;
  readonly expected_scores: readonly number[];
}

// Printed by scripts/make-vectors.py: pycocoevalcap's cider_scorer.py (run from a mirror), numpy 1.24. 1e-9.
const { corpora } = JSON.parse(readFileSync(new URL("../test/vectors.json", import.meta.url), "utf8")) as {
  readonly corpora: readonly Corpus[];
};

describe("CIDEr-D = pycocoevalcap", () => {
  test.each(corpora.map((c) => [c.name, c] as const))(
    "corpus %s: corpus score and every per-image score",
    (_, c) => {
      const got = ciderD(c.hyps, c.refs, { n: c.n, sigma: c.sigma });
      expect(Math.abs(got.score - c.expected)).toBeLessThanOrEqual(1e-9);
      expect(got.scores.length).toBe(c.expected_scores.length);
      got.scores.forEach((s, i) => {
        if (Math.abs(s - (c.expected_scores[i] as number)) > 1e-9)
          throw new Error(`${c.name}[${i}]: ${s} vs ${c.expected_scores[i]}`);
      });
    },
  );

  test("there are 173 images in 4 corpora, with an empty and one-word hypotheses", () => {
    expect(corpora.reduce((a, c) => a + c.hyps.length, 0)).toBe(173);
    expect(corpora.some((c) => c.hyps.includes(""))).toBe(true);
  });

  test("n < 4 is rejected (pycocoevalcap raises IndexError there)", () => {
    expect(() => new CiderD([["a b"], ["c d"]], { n: 3 })).toThrow(/n must be an integer ≥ 4/);
  });

  test("document frequencies count images, not references", () => {
    const c = new CiderD([["a dog", "a cat"], ["a dog runs"]]);
    expect(c.documentFrequency("a")).toBe(2);
    expect(c.documentFrequency("a dog")).toBe(2);
    expect(c.documentFrequency("cat")).toBe(1);
  });
});

describe("the reward", () => {
  const c0 = corpora[0] as Corpus;
  test("CIDEr-D / 10 per sentence with the corpus's document frequencies", () => {
    const r = ciderReward({ corpus: c0.refs });
    expect(isReward(r)).toBe(true);
    expect(ciderDefault).toBe(ciderReward);
    expect(r.config.signature).toBe(
      "cider-d|n:4|sigma:6|df:corpus-80|tok:split|scale:0.1|version:pycocoevalcap-ad63453",
    );
    expect(
      Math.abs(
        r.score(c0.hyps[3] as string, c0.refs[3] as string[]) - (c0.expected_scores[3] as number) / 10,
      ),
    ).toBeLessThan(1e-12);
    expect(prefixScores(r, ["", c0.hyps[3] as string], c0.refs[3] as string[])[0]).toBe(0);
  });

  test("corpusFile: dqnlm JSONL", () => {
    const dir = mkdtempSync(join(tmpdir(), "cider-"));
    try {
      const f = join(dir, "train.jsonl");
      writeFileSync(f, c0.refs.map((refs) => JSON.stringify({ prompt: "p", references: refs })).join("\n"));
      const r = ciderReward({ corpusFile: f });
      expect(r.score(c0.hyps[5] as string, c0.refs[5] as string[])).toBe(
        ciderReward({ corpus: c0.refs }).score(c0.hyps[5] as string, c0.refs[5] as string[]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("typed errors", () => {
    expect(() => ciderReward({})).toThrow(/needs the reference corpus/);
    expect(() => ciderReward({ corpus: [["a"]] })).toThrow(/at least 2/);
    expect(() => ciderReward({ corpus: c0.refs, n: 2 })).toThrow(CiderOptionError);
    try {
      ciderReward({ corpus: c0.refs, sigm: 1 });
    } catch (e) {
      expect((e as CiderOptionError).code).toBe("DQNLM_REWARD_CIDER_BAD_OPTION");
      expect((e as CiderOptionError).field).toBe("sigm");
    }
  });
});
