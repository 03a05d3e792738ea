import { describe, expect, it } from "vitest";
import { summarizeDemoData } from "./demo-data.js";
import { parseRougeWeights, summarizeMetrics, summarizeReward } from "./task.js";

describe("summarize demonstration data", () => {
  it("is deterministic in the seed and differs across seeds", () => {
    const a = summarizeDemoData(0);
    const b = summarizeDemoData(0);
    const c = summarizeDemoData(1);
    expect(a).toEqual(b);
    expect(a.test[0]).not.toEqual(c.test[0]);
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([3000, 200, 200]);
  });

  it("has disjoint splits and titles made of phrases from the abstract", () => {
    const d = summarizeDemoData(0);
    const train = new Set(d.train.map((e) => e.source));
    expect(d.test.some((e) => train.has(e.source))).toBe(false);
    expect(d.validation.some((e) => train.has(e.source))).toBe(false);
    for (const e of d.test) {
      const [method, rest] = e.target.split(" : ");
      expect(e.source).toContain(`${method} ,`); // the proposed method is named in the proposal sentence
      const task = rest?.split(" for ")[1] ?? "";
      expect(e.source.startsWith(task) || e.source.includes(`study ${task}`)).toBe(true);
    }
  });

  it("pins the first test example of seed 0", () => {
    expect(summarizeDemoData(0).test[0]).toEqual({
      id: "demo-summarize-test-00000",
      source:
        "protein folding remains hard when data is scarce . existing methods like Nerex use graph pooling but " +
        "scale poorly . in this paper we introduce Vexum , a recurrent sampler for this setting . on three " +
        "benchmarks Vexum improves error over Nerex .",
      target: "Vexum : recurrent sampler for protein folding",
      references: ["Vexum : recurrent sampler for protein folding"],
    });
  });
});

describe("summarize task", () => {
  it("scores ROUGE-1/2/L F × 100 with signatures", () => {
    const m = summarizeMetrics(
      ["Korex : sparse attention for code search"],
      [["Korex : sparse attention for code search"]],
    );
    expect(m.map((s) => [s.name, s.value])).toEqual([
      ["ROUGE-1", 100],
      ["ROUGE-2", 100],
      ["ROUGE-L", 100],
    ]);
    expect(m[2]?.signature).toBe("nrefs:1|rouge:L|stem:yes|tok:rouge-score|version:0.1.2|agg:mean-f");
    // "a b c d" vs "a b x y": unigram P = R = 2/4 → F1 = 0.5; bigram "a b" 1 of 3 → F = 1/3; LCS 2 → 0.5.
    const h = summarizeMetrics(["a b c d"], [["a b x y"]], false);
    expect(h[0]?.value).toBeCloseTo(50, 10);
    expect(h[1]?.value).toBeCloseTo(100 / 3, 10);
    expect(h[2]?.value).toBeCloseTo(50, 10);
  });

  it("builds the ROUGE-L reward by default and a normalised mix on request", () => {
    const r = summarizeReward({ "rouge-weights": "0,0,1", "rouge-stemmer": "no" });
    expect(r.score("a b c d", ["a b x y"])).toBeCloseTo(0.5, 10);
    const mix = summarizeReward({ "rouge-weights": "1,1,2", "rouge-stemmer": "no" });
    // 0.25·0.5 + 0.25·(1/3) + 0.5·0.5 = 0.458333…
    expect(mix.score("a b c d", ["a b x y"])).toBeCloseTo(0.25 * 0.5 + 0.25 / 3 + 0.5 * 0.5, 10);
    expect(() => parseRougeWeights("1,2")).toThrow(/three non-negative weights/);
    expect(() => parseRougeWeights("0,0,0")).toThrow(/not all zero/);
  });
});
