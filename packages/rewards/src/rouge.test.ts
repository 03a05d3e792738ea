import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RewardsInputError, RewardsOptionError } from "./errors.js";
import { PorterStemmer, rouge, rougeSignature, rougeTokenize } from "./index.js";

describe("PorterStemmer (NLTK 3.8, NLTK_EXTENSIONS)", () => {
  test("the NLTK stem howto example list", () => {
    // nltk/test/stem.doctest: the plurals and their stems printed by PorterStemmer()
    const plurals =
      "caresses flies dies mules denied died agreed owned humbled sized meeting stating siezing itemization sensational traditional reference colonizer plotted";
    const stems =
      "caress fli die mule deni die agre own humbl size meet state siez item sensat tradit refer colon plot";
    const s = new PorterStemmer();
    expect(
      plurals
        .split(" ")
        .map((w) => s.stem(w))
        .join(" "),
    ).toBe(stems);
  });

  test("irregular forms and the short-word rule are NLTK extensions only", () => {
    const nltk = new PorterStemmer();
    const martin = new PorterStemmer("MARTIN_EXTENSIONS");
    expect(nltk.stem("skies")).toBe("sky");
    expect(nltk.stem("dying")).toBe("die");
    expect(martin.stem("skies")).toBe("ski");
    expect(martin.stem("dying")).toBe("dy");
    expect(nltk.stem("generously")).toBe("gener");
    expect(() => new PorterStemmer("PORTER2" as never)).toThrow(TypeError);
  });
});

describe("rougeTokenize", () => {
  test("lowercases, splits on anything outside [a-z0-9], drops non-ASCII letters", () => {
    expect(rougeTokenize("Hello, World! Don't stop—3.5 café")).toEqual([
      "hello",
      "world",
      "don",
      "t",
      "stop",
      "3",
      "5",
      "caf",
    ]);
  });
  test("Python str.lower: the Kelvin sign becomes k, İ becomes i + U+0307 (a separator)", () => {
    expect(rougeTokenize("\u212Aey \u0130s")).toEqual(["key", "i", "s"]);
  });
  test("stems only tokens longer than 3 characters", () => {
    expect(rougeTokenize("The runners ran, running dogs!", true)).toEqual([
      "the",
      "runner",
      "ran",
      "run",
      "dog",
    ]);
    expect(rougeTokenize("ties dies", true)).toEqual(["tie", "die"]);
    expect(rougeTokenize("was has", true)).toEqual(["was", "has"]); // length 3: untouched (NLTK would give "wa", "ha")
  });
});

describe("rouge", () => {
  test("worked example: unigram, bigram, LCS", () => {
    // pred: the cat sat on the mat (6 tokens); target: the cat was on the mat (6 tokens)
    // unigram overlap 5 (the×2, cat, on, mat) → P = R = 5/6; bigrams 5 each, 3 shared (the cat, on the, the mat)
    // LCS = the cat on the mat = 5
    const r = rouge("the cat sat on the mat", "the cat was on the mat");
    expect(r.rouge1).toEqual({
      precision: 5 / 6,
      recall: 5 / 6,
      fmeasure: (2 * (5 / 6) * (5 / 6)) / (5 / 6 + 5 / 6),
    });
    expect(r.rouge2.precision).toBe(3 / 5);
    expect(r.rouge2.recall).toBe(3 / 5);
    expect(r.rougeL.fmeasure).toBeCloseTo(5 / 6, 15);
    expect(r.rougeLsum).toEqual(r.rougeL); // one line: summary-level LCS = LCS
  });

  test("rougeLsum uses the union LCS over newline-separated sentences", () => {
    // ROUGE paper §3.2 example: r = w1 w2 w3 w4 w5; c1 = w1 w2 w6 w7 w8, c2 = w1 w3 w8 w9 w5
    // union LCS of r with {c2, c1} = {w1 w3 w5} ∪ {w1 w2} = w1 w2 w3 w5 → 4 hits; recall 4/5, precision 4/10
    const r = rouge("w1 w3 w8 w9 w5\nw1 w2 w6 w7 w8", "w1 w2 w3 w4 w5", {
      rougeTypes: ["rougeLsum", "rougeL"],
    });
    expect(r.rougeLsum.recall).toBe(4 / 5);
    expect(r.rougeLsum.precision).toBe(4 / 10);
    // flat LCS over the concatenation "w1 w3 w8 w9 w5 w1 w2 w6 w7 w8" is only w1 w3 w5
    expect(r.rougeL.recall).toBe(3 / 5);
  });

  test("several targets: per type, the target with the best F (first on ties)", () => {
    const r = rouge("a b c", ["a x y", "a b z", "a b q"], { rougeTypes: ["rouge1", "rouge2"] });
    expect(r.rouge1.fmeasure).toBeCloseTo(2 / 3, 15);
    expect(r.rouge2).toEqual({ precision: 0.5, recall: 0.5, fmeasure: 0.5 });
  });

  test("no tokens on a side → zeros", () => {
    const r = rouge("¿¡", "the cat");
    expect(r.rouge1).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
    expect(r.rougeL).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
    expect(r.rougeLsum).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
  });

  test("only the requested types are returned", () => {
    expect(Object.keys(rouge("a", "a", { rougeTypes: ["rouge3", "rougeL"] }))).toEqual(["rouge3", "rougeL"]);
  });

  test("typed errors name the field", () => {
    const fieldOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return (e as RewardsInputError).field;
      }
      return undefined;
    };
    expect(() => rouge(1 as never, "a")).toThrow(RewardsInputError);
    expect(fieldOf(() => rouge(1 as never, "a"))).toBe("prediction");
    expect(fieldOf(() => rouge("a", ["a", null as never]))).toBe("targets[1]");
    expect(fieldOf(() => rouge("a", []))).toBe("targets");
    expect(() => rouge("a", "a", { rougeTypes: ["rougeX" as never] })).toThrow(RewardsOptionError);
    expect(fieldOf(() => rouge("a", "a", { rougeTypes: ["rouge0" as never] }))).toBe("rougeTypes");
    expect(fieldOf(() => rouge("a", "a", { stem: true } as never))).toBe("stem");
  });

  test("signature", () => {
    expect(rougeSignature("rougeL", { useStemmer: true })).toBe(
      "rouge:L|stem:yes|tok:rouge-score|version:0.1.2",
    );
    expect(rougeSignature("rouge2", { nrefs: 1 })).toBe(
      "nrefs:1|rouge:2|stem:no|tok:rouge-score|version:0.1.2",
    );
  });
});

describe("ROUGE properties", () => {
  const vocab = fc.constantFrom("the", "cat", "sat", "on", "mat", "dogs", "running", "ran", "a", "Mat.");
  const text = fc.array(vocab, { maxLength: 15 }).map((w) => w.join(" "));
  const types = ["rouge1", "rouge2", "rougeL", "rougeLsum"] as const;

  test("all values in [0, 1]; identical non-empty text → 1", () => {
    fc.assert(
      fc.property(text, text, fc.boolean(), (p, t, useStemmer) => {
        const r = rouge(p, t, { useStemmer });
        for (const k of types) {
          for (const v of Object.values(r[k])) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
        }
        if (rougeTokenize(t).length >= 2) {
          const same = rouge(t, t, { useStemmer });
          for (const k of types) expect(same[k].fmeasure).toBe(1);
        }
      }),
      { seed: 21, numRuns: 300 },
    );
  });

  test("the best F over targets does not depend on their order", () => {
    fc.assert(
      fc.property(text, fc.array(text, { minLength: 1, maxLength: 4 }), (p, ts) => {
        const a = rouge(p, ts);
        const b = rouge(p, [...ts].reverse());
        for (const k of types) expect(a[k].fmeasure).toBe(b[k].fmeasure);
      }),
      { seed: 22, numRuns: 200 },
    );
  });

  test("never throws on arbitrary Unicode", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 60 }),
        fc.string({ unit: "grapheme", maxLength: 60 }),
        fc.boolean(),
        (p, t, useStemmer) => {
          const r = rouge(p, [t, p], { useStemmer });
          for (const k of types) expect(Number.isFinite(r[k].fmeasure)).toBe(true);
        },
      ),
      { seed: 23, numRuns: 300 },
    );
  });
});
