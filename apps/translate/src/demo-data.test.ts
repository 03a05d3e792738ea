import { describe, expect, it } from "vitest";
import { translateDemoData } from "./demo-data.js";
import { translateMetrics, translateReward } from "./task.js";

describe("translate demonstration data", () => {
  it("is deterministic in the seed and has disjoint splits of the requested sizes", () => {
    const a = translateDemoData(0);
    expect(translateDemoData(0)).toEqual(a);
    expect(translateDemoData(1).test[0]).not.toEqual(a.test[0]);
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([4000, 200, 200]);
    const train = new Set(a.train.map((e) => e.source));
    expect(a.test.filter((e) => train.has(e.source))).toEqual([]);
  });

  it("pins the first test pair of seed 0", () => {
    expect(translateDemoData(0).test[0]).toEqual({
      id: "demo-translate-test-00000",
      source: "The books do not wait near the new houses .",
      target: "Die Bücher warten nicht neben den neuen Häusern .",
      references: ["Die Bücher warten nicht neben den neuen Häusern ."],
    });
  });

  it("follows the grammar: accusative articles, verb second after an adverb, nicht, final period", () => {
    const all = translateDemoData(0).train;
    const adverb = all.filter((e) => e.source.startsWith("Today "));
    const negated = all.filter((e) => e.source.includes(" not "));
    const manObject = all.filter((e) => /^(The|A) \w+ (sees|finds|likes|holds) the man \.$/.test(e.source));
    expect(adverb.length).toBeGreaterThan(50);
    expect(negated.length).toBeGreaterThan(200);
    expect(manObject.length).toBeGreaterThan(0);
    for (const e of adverb) expect(e.target).toMatch(/^Heute \S+ (der|die|das|ein|eine) /);
    for (const e of negated) expect(e.target).toContain(" nicht");
    for (const e of manObject) expect(e.target).toMatch(/ den Mann \.$/);
    for (const e of all) expect(e.target.endsWith(" .")).toBe(true);
  });
});

describe("translate task", () => {
  it("reports sacreBLEU corpus BLEU and chrF with signatures", () => {
    const m = translateMetrics(["Der Hund sieht die Katze ."], [["Der Hund sieht die Katze ."]]);
    expect(m.map((s) => s.name)).toEqual(["BLEU", "chrF"]);
    expect(m[0]?.value).toBeCloseTo(100, 6);
    expect(m[1]?.value).toBeCloseTo(100, 6);
    expect(m[0]?.signature).toMatch(/^nrefs:1\|case:mixed\|eff:no\|tok:13a\|smooth:exp\|version:/);
    expect(m[1]?.signature).toMatch(/^nrefs:1\|case:mixed\|eff:yes\|nc:6\|nw:0\|space:no\|version:/);
  });

  it("mixes sentence BLEU and chrF with normalised weights", () => {
    const hyp = "Der Hund sieht eine Katze .";
    const ref = ["Der Hund sieht die Katze ."];
    const bleu = translateReward({ "bleu-weight": 1, "chrf-weight": 0 }).score(hyp, ref);
    const chrf = translateReward({ "bleu-weight": 0, "chrf-weight": 1 }).score(hyp, ref);
    const mix = translateReward({ "bleu-weight": 1, "chrf-weight": 3 }).score(hyp, ref);
    expect(bleu).toBeGreaterThan(0);
    expect(bleu).toBeLessThan(1);
    expect(mix).toBeCloseTo(0.25 * bleu + 0.75 * chrf, 10);
    expect(() => translateReward({ "bleu-weight": 0, "chrf-weight": 0 })).toThrow(/positive sum/);
  });
});
