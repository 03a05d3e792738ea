import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RewardsInputError, RewardsOptionError } from "./errors.js";
import { prefixScores, type Reward, rougeReward, squadF1Reward, stepRewards } from "./index.js";

describe("stepRewards", () => {
  // m_0..m_3 = 0, 0.5, 0.8, 0.6 (T = 3)
  const m = Float64Array.of(0, 0.5, 0.8, 0.6);

  test("prefix: r_t = m_{t+1}", () => {
    expect(Array.from(stepRewards(m, "prefix"))).toEqual([0.5, Math.fround(0.8), Math.fround(0.6)]);
  });

  test("delta: r_t = m_{t+1} − m_t, summing to m_T − m_0", () => {
    const r = stepRewards(m, "delta");
    expect(Array.from(r)).toEqual([0.5, Math.fround(0.8 - 0.5), Math.fround(0.6 - 0.8)]);
    expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(0.6, 6);
  });

  test("terminal: zeros, then m_T on the last action", () => {
    expect(Array.from(stepRewards(m, "terminal"))).toEqual([0, 0, Math.fround(0.6)]);
  });

  test("T = 0 gives an empty Float32Array; input checks", () => {
    expect(stepRewards(Float64Array.of(0.3), "delta")).toEqual(new Float32Array(0));
    expect(() => stepRewards(new Float64Array(0), "prefix")).toThrow(RewardsInputError);
    expect(() => stepRewards(m, "sparse" as never)).toThrow(RewardsOptionError);
    expect(() => stepRewards(m, undefined as never)).toThrow(/form/);
    expect(() => stepRewards([0, Number.NaN], "prefix")).toThrow(/m\[1\]/);
  });

  test("delta telescopes for any scores (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (xs) => {
          const r = stepRewards(Float64Array.from(xs), "delta");
          expect(r.length).toBe(xs.length - 1);
          const sum = r.reduce((a, b) => a + b, 0);
          expect(Math.abs(sum - (xs[xs.length - 1]! - xs[0]!))).toBeLessThan(1e-5);
        },
      ),
      { seed: 71, numRuns: 200 },
    );
  });
});

describe("prefixScores", () => {
  const refs = ["the cat sat on the mat"];
  const prefixes = ["", "the", "the cat", "the cat sa", "the cat sat", "the cat sat."];

  test("worked example (ROUGE-1 F1)", () => {
    // "the" vs 6 target tokens: P = 1, R = 1/6 → F = 2/7; "the cat": P = 1, R = 2/6 → F = 0.5
    const m = prefixScores(rougeReward({ type: "rouge1" }), ["", "the", "the cat"], refs);
    expect(Array.from(m)).toEqual([0, (2 * 1 * (1 / 6)) / (1 + 1 / 6), (2 * 1 * (2 / 6)) / (1 + 2 / 6)]);
  });

  test("the incremental path equals rescoring, also when a prefix does not extend the previous one", () => {
    const r = rougeReward({ type: "rouge2" });
    let rescored = 0;
    const plain: Reward = {
      name: r.name,
      config: r.config,
      score: (h, rs) => {
        rescored++;
        return r.score(h, rs);
      },
    };
    // "the cat sat" → "the cat sad" rewrites the last character (as a byte-level BPE decode can)
    const odd = [...prefixes, "the cat sad on", "the cat sad on the"];
    const fast = prefixScores(r, odd, refs);
    const slow = prefixScores(plain, odd, refs);
    expect(Array.from(fast)).toEqual(Array.from(slow));
    expect(rescored).toBe(odd.length);
  });

  test("uses the incremental scorer when the reward has one", () => {
    let pushes = 0;
    let scores = 0;
    const spy: Reward = {
      name: "spy",
      config: {},
      score: () => {
        scores++;
        return 0;
      },
      incremental: () => ({
        push: (p: string) => {
          pushes++;
          return p.length;
        },
        reset: () => {},
        score: 0,
      }),
    };
    const m = prefixScores(spy, ["", "ab", "abc"], ["x"]);
    expect(scores).toBe(0);
    expect(pushes).toBe(2);
    expect(Array.from(m)).toEqual([0, 2, 1]); // push returns the piece length in this fake
  });

  test("rescoring path for rewards without one; input checks", () => {
    const m = prefixScores(squadF1Reward(), ["", "Eiffel", "Eiffel Tower"], ["Eiffel Tower"]);
    expect(Array.from(m)).toEqual([0, (2 * 1 * 0.5) / 1.5, 1]);
    expect(() => prefixScores(squadF1Reward(), [], ["a"])).toThrow(RewardsInputError);
    expect(() => prefixScores({} as never, [""], ["a"])).toThrow(/Reward/);
    expect(() => prefixScores(squadF1Reward(), ["", 3 as never], ["a"])).toThrow(/prefixes\[1\]/);
  });
});
