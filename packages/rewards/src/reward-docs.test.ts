/**
 * The usage examples of the README's TER / ROUGE / SQuAD / rewards / per-step sections, with the outputs the
 * README prints, so the documentation cannot drift from the code.
 */
import { describe, expect, test } from "vitest";
import {
  bleuReward,
  clip,
  corpusTer,
  distinctN,
  normalizeAnswer,
  prefixScores,
  repetitionRate,
  rouge,
  rougeNIncremental,
  rougeReward,
  rougeSignature,
  scale,
  sentenceTer,
  squad,
  squadCorpus,
  stepRewards,
  terReward,
  weightedSum,
} from "./index.js";

describe("README examples", () => {
  test("TER", () => {
    expect(sentenceTer("on the mat the cat sat", ["the cat sat on the mat"])).toEqual({
      score: 16.666666666666664,
      numEdits: 1,
      refLength: 6,
      signature: "nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0",
    });
    expect(
      corpusTer(
        ["the cat sat on the mat", "a dog barked"],
        [["the cat is on the mat"], ["the dog barked", "a dog was barking"]],
        { normalized: true },
      ),
    ).toEqual({
      score: 21.052631578947366,
      numEdits: 2,
      refLength: 9.5,
      signature: "nrefs:var|case:lc|tok:tercom|norm:yes|punct:yes|asian:no|version:2.6.0",
    });
  });

  test("ROUGE", () => {
    const r = rouge("The cats were running on the mat.", ["A cat ran on the mat", "Dogs sleep"], {
      useStemmer: true,
    });
    const l = { precision: 0.5714285714285714, recall: 0.6666666666666666, fmeasure: 0.6153846153846153 };
    expect(r).toEqual({
      rouge1: l,
      rouge2: { precision: 0.3333333333333333, recall: 0.4, fmeasure: 0.3636363636363636 },
      rougeL: l,
      rougeLsum: l,
    });
    expect(rougeSignature("rougeL", { useStemmer: true, nrefs: 2 })).toBe(
      "nrefs:2|rouge:L|stem:yes|tok:rouge-score|version:0.1.2",
    );
    const s = rougeNIncremental(["the cat sat on the mat"], { n: 2 });
    expect(s.score).toBe(0);
    expect(s.push("the ca")).toBe(0);
    expect(s.push("t sat")).toBe(0.5714285714285715);
  });

  test("SQuAD and dialogue", () => {
    expect(normalizeAnswer("The  Eiffel-Tower!")).toBe("eiffeltower");
    expect(squad("the Eiffel Tower in Paris", ["Eiffel Tower", "The tower"])).toEqual({
      exactMatch: 0,
      f1: 0.6666666666666666,
    });
    expect(squadCorpus(["Denver Broncos", "1990"], [["Denver Broncos", "Broncos"], ["1991"]])).toEqual({
      exactMatch: 50,
      f1: 50,
    });
    expect(distinctN(["I can help", "i can help", "sure thing"], 1)).toBe(0.625);
    expect(distinctN(["I can help", "i can help", "sure thing"], 2)).toBe(0.6);
    expect(repetitionRate("thank you thank you thank you", 2)).toBe(0.6);
  });

  test("rewards and combinators", () => {
    const refs = ["the cat sat on the mat"];
    const hyp = "the cat was on the mat";
    expect(bleuReward().score(hyp, refs)).toBe(0.3799178428257963);
    expect(terReward().score(hyp, refs)).toBe(0.8333333333333334);
    expect(rougeReward().score(hyp, refs)).toBe(0.8333333333333334);
    const mix = clip(
      scale(
        weightedSum([
          [0.5, bleuReward()],
          [0.5, rougeReward()],
        ]),
        2,
        -0.5,
      ),
      0,
      1,
    );
    expect(mix.name).toBe("clip(scale(weightedSum(0.5*bleu,0.5*rougeL.fmeasure),2,-0.5),0,1)");
    expect(mix.score(hyp, refs)).toBe(0.7132511761591296);
    expect(typeof mix.incremental).toBe("function");
    expect(bleuReward().config).toEqual({
      metric: "bleu",
      signature: "case:mixed|eff:yes|tok:13a|smooth:exp|version:2.6.0",
    });
  });

  test("per-step rewards", () => {
    const m = prefixScores(
      rougeReward({ type: "rouge1" }),
      ["", "the", "the cat", "the cat was", "the cat was on", "the cat was on the", "the cat was on the mat"],
      ["the cat sat on the mat"],
    );
    expect(Array.from(m)).toEqual([
      0, 0.2857142857142857, 0.5, 0.4444444444444444, 0.6, 0.7272727272727272, 0.8333333333333334,
    ]);
    expect(Array.from(stepRewards(m, "prefix"))).toEqual([
      0.2857142984867096, 0.5, 0.4444444477558136, 0.6000000238418579, 0.7272727489471436, 0.8333333134651184,
    ]);
    expect(Array.from(stepRewards(m, "delta"))).toEqual([
      0.2857142984867096, 0.2142857164144516, -0.0555555559694767, 0.15555556118488312, 0.12727272510528564,
      0.10606060922145844,
    ]);
    expect(Array.from(stepRewards(m, "terminal"))).toEqual([0, 0, 0, 0, 0, 0.8333333134651184]);
  });
});
