import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BLEU_TOKENIZERS,
  type BleuOptions,
  bleuIncremental,
  type ChrfOptions,
  chrfIncremental,
  corpusBleu,
  corpusChrf,
  RewardsError,
  RewardsInputError,
  RewardsOptionError,
  sentenceBleu,
  sentenceChrf,
} from "./index.js";

const SEED = 20261129;
const words = fc.constantFrom(
  "Ein",
  "Hund",
  "läuft",
  "über",
  "die",
  "Wiese",
  ".",
  ",",
  "5.",
  "3,5",
  "(hi)",
  "ΣΟΦΟΣ",
  "你好",
  "😀",
);
const sentence = fc.array(words, { minLength: 0, maxLength: 12 }).map((w) => w.join(" "));
const nonEmptySentence = fc.array(words, { minLength: 1, maxLength: 12 }).map((w) => w.join(" "));
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  sentence,
);
const bleuOpts: fc.Arbitrary<BleuOptions> = fc.record({
  tokenize: fc.constantFrom(...BLEU_TOKENIZERS),
  lowercase: fc.boolean(),
  smoothMethod: fc.constantFrom("exp", "floor", "add-k", "none"),
  effectiveOrder: fc.boolean(),
});
const chrfOpts: fc.Arbitrary<ChrfOptions> = fc.record({
  wordOrder: fc.constantFrom(0, 1, 2),
  lowercase: fc.boolean(),
  whitespace: fc.boolean(),
  epsSmoothing: fc.boolean(),
});

describe("properties (fast-check, seeded)", () => {
  it("scores stay in [0, 100] and never throw on arbitrary Unicode (lone surrogates included)", () => {
    fc.assert(
      fc.property(
        anyText,
        fc.array(anyText, { minLength: 1, maxLength: 3 }),
        bleuOpts,
        chrfOpts,
        (h, refs, bo, co) => {
          const b = sentenceBleu(h, refs, bo).score;
          const c = sentenceChrf(h, refs, co).score;
          // 100 can come out as 100.00000000000004 (exp(log(100))), in sacreBLEU as well.
          return b >= 0 && b <= 100 + 1e-9 && c >= 0 && c <= 100 + 1e-9;
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("a hypothesis identical to its reference scores 100", () => {
    fc.assert(
      // eps smoothing (chrF++.py style) counts unreached orders as ~0, so "Ein" alone scores 50 there: the maximum
      // is only reached with effective-order averaging (sacreBLEU's default) or long enough texts.
      fc.property(nonEmptySentence, fc.constantFrom(...BLEU_TOKENIZERS), chrfOpts, (t, tok, co0) => {
        const co = { ...co0, epsSmoothing: false };
        expect(sentenceBleu(t, [t], { tokenize: tok }).score).toBeCloseTo(100, 9);
        expect(sentenceChrf(t, [t], co).score).toBeCloseTo(100, 9);
        expect(corpusChrf([t, t], [[t], [t]], co).score).toBeCloseTo(100, 9);
      }),
      { seed: SEED, numRuns: 200 },
    );
    // Corpus BLEU without effective order needs 4-grams: use ≥ 4 tokens.
    const long = "Ein Hund läuft über die Wiese";
    expect(corpusBleu([long, long], [[long], [long]]).score).toBeCloseTo(100, 9);
    expect(sentenceChrf(long, [long], { epsSmoothing: true, wordOrder: 2 }).score).toBeCloseTo(100, 9);
  });

  it("corpus BLEU does not depend on the order of each hypothesis' references", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(sentence, fc.array(sentence, { minLength: 1, maxLength: 4 })), {
          minLength: 1,
          maxLength: 5,
        }),
        bleuOpts,
        (segs, o) => {
          const hyps = segs.map((s) => s[0]);
          const refs = segs.map((s) => s[1]);
          const reversed = refs.map((r) => [...r].reverse());
          expect(corpusBleu(hyps, reversed, o)).toEqual(corpusBleu(hyps, refs, o));
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("corpus chrF does not depend on reference order unless a segment's best F is tied between references", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(sentence, fc.array(sentence, { minLength: 1, maxLength: 4 })), {
          minLength: 1,
          maxLength: 5,
        }),
        chrfOpts,
        (segs, o) => {
          // sacreBLEU keeps the *first* best reference; with a tie between references whose statistics differ,
          // the summed corpus statistics (not the segment score) depend on the order. Exclude those inputs.
          for (const [h, refs] of segs) {
            const singles = refs.map((r) => sentenceChrf(h, [r], o));
            const best = Math.max(...singles.map((s) => s.score));
            const top = singles.filter((s) => s.score === best).map((s) => JSON.stringify(s.stats));
            fc.pre(new Set(top).size === 1);
          }
          const hyps = segs.map((s) => s[0]);
          const refs = segs.map((s) => s[1]);
          const reversed = refs.map((r) => [...r].reverse());
          expect(corpusChrf(hyps, reversed, o)).toEqual(corpusChrf(hyps, refs, o));
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("sentence chrF is the best single-reference score, whatever the order", () => {
    fc.assert(
      fc.property(sentence, fc.array(sentence, { minLength: 1, maxLength: 4 }), chrfOpts, (h, refs, o) => {
        const best = Math.max(...refs.map((r) => sentenceChrf(h, [r], o).score));
        expect(sentenceChrf(h, refs, o).score).toBe(best);
        expect(sentenceChrf(h, [...refs].reverse(), o).score).toBe(best);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("incremental scorers equal rescoring for arbitrary Unicode text cut anywhere", () => {
    fc.assert(
      fc.property(
        fc.array(anyText, { minLength: 1, maxLength: 6 }),
        fc.array(anyText, { minLength: 1, maxLength: 2 }),
        bleuOpts,
        chrfOpts,
        (pieces, refs, bo, co) => {
          const b = bleuIncremental(refs, bo);
          const c = chrfIncremental(refs, co);
          let text = "";
          for (const p of pieces) {
            text += p;
            expect(b.push(p)).toBe(sentenceBleu(text, refs, bo).score);
            expect(c.push(p)).toBe(sentenceChrf(text, refs, co).score);
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("incremental = rescoring on adversarial text", () => {
  it("random pieces over an alphabet aimed at 13a/zh/lowercasing corner cases", () => {
    // Found a real bug once (pieces "-\n", " ", "5.": the `-\n` join must stop the new-word fast path).
    const atoms = fc.constantFrom(
      ..."aZ5.,- \t\n\r()'$&;ΣσK\u212aİ中文“”—…€😀\u00a0\u2009\u3000\x1c<>".split(""),
      "&amp;",
      "<skipped>",
      "-\n",
      "Σ.",
      "5.",
      ".5",
      "  ",
      "ΟΔΟΣ",
      "\ud83d",
      "\ude00",
    );
    const text = fc.array(atoms, { maxLength: 14 }).map((a) => a.join(""));
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 8 }),
        fc.array(text, { minLength: 1, maxLength: 2 }),
        bleuOpts,
        chrfOpts,
        (pieces, refs, bo, co) => {
          const b = bleuIncremental(refs, bo);
          const c = chrfIncremental(refs, co);
          let t = "";
          for (const p of pieces) {
            t += p;
            expect(b.push(p)).toBe(sentenceBleu(t, refs, bo).score);
            expect(c.push(p)).toBe(sentenceChrf(t, refs, co).score);
          }
        },
      ),
      { seed: 99, numRuns: 600 },
    );
  });
});

describe("hand-checked values", () => {
  it("sentence BLEU with exp smoothing (worked example)", () => {
    // hyp "the cat sat on a mat" vs ref "the cat sat on the mat": 6 tokens each, bp = 1.
    // 1-grams: 5/6 (the, cat, sat, on, mat); 2-grams: 3/5 (the cat, cat sat, sat on); 3-grams: 2/4; 4-grams: 1/3.
    // BLEU = (5/6 · 3/5 · 2/4 · 1/3)^(1/4) · 100 = (1/12)^(1/4) · 100 = 53.7284965911771
    const r = sentenceBleu("the cat sat on a mat", ["the cat sat on the mat"]);
    expect(r.counts).toEqual([5, 3, 2, 1]);
    expect(r.totals).toEqual([6, 5, 4, 3]);
    expect(r.score).toBeCloseTo(100 * (1 / 12) ** 0.25, 10);
    expect(r.bp).toBe(1);
  });
  it("chrF: a segment's best reference is the first on ties", () => {
    // Both references share nothing with "q": F = 0 for each; the first one's statistics are kept.
    const r = sentenceChrf("q", ["xy", "abcdefgh"]);
    expect(r.score).toBe(0);
    expect(r.stats[0]).toEqual([1, 2, 0]);
  });
});

describe("typed errors", () => {
  function thrown(f: () => unknown): RewardsError {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(RewardsError);
      return e as RewardsError;
    }
    throw new Error("expected a throw");
  }
  it("non-string input", () => {
    const e = thrown(() => sentenceBleu(42 as unknown as string, ["x"]));
    expect(e).toBeInstanceOf(RewardsInputError);
    expect(e.code).toBe("DQNLM_REWARDS_BAD_INPUT");
    expect(e.field).toBe("hyp");
    expect(thrown(() => corpusChrf(["a", null as unknown as string], [["a"], ["b"]])).field).toBe("hyps[1]");
    expect(thrown(() => sentenceChrf("a", "ref" as unknown as string[])).message).toContain(
      '["the reference"]',
    );
    expect(thrown(() => corpusBleu(["a"], [[]])).field).toBe("refs[0]");
  });
  it("mismatched lengths", () => {
    const e = thrown(() => corpusBleu(["a", "b"], [["a"]]));
    expect(e.field).toBe("refs");
    expect(e.message).toContain("2 hypotheses but 1 reference lists");
  });
  it("unknown options and bad values", () => {
    const e = thrown(() => corpusBleu(["a"], [["a"]], { smooth: "exp" } as unknown as BleuOptions));
    expect(e).toBeInstanceOf(RewardsOptionError);
    expect(e.code).toBe("DQNLM_REWARDS_BAD_OPTION");
    expect(e.field).toBe("smooth");
    expect(e.message).toContain("`smoothMethod`");
    expect(thrown(() => sentenceBleu("a", ["a"], { tokenize: "13b" as never })).field).toBe("tokenize");
    expect(thrown(() => sentenceBleu("a", ["a"], { smoothMethod: "add-one" as never })).field).toBe(
      "smoothMethod",
    );
    expect(thrown(() => sentenceBleu("a", ["a"], { maxNgramOrder: 0 })).field).toBe("maxNgramOrder");
    expect(thrown(() => sentenceBleu("a", ["a"], { smoothValue: -1 })).field).toBe("smoothValue");
    expect(thrown(() => sentenceChrf("a", ["a"], { charOrder: 2.5 })).field).toBe("charOrder");
    expect(thrown(() => chrfIncremental(["a"], { beta: "2" as unknown as number })).field).toBe("beta");
  });
  it("signature smoothing values are formatted like Python's .2f (round half to even)", () => {
    expect(sentenceBleu("a", ["a"], { smoothMethod: "floor", smoothValue: 0.125 }).signature).toContain(
      "floor[0.12]",
    );
    expect(sentenceBleu("a", ["a"], { smoothMethod: "add-k", smoothValue: 0.375 }).signature).toContain(
      "add-k[0.38]",
    );
    expect(sentenceBleu("a", ["a"], { smoothMethod: "add-k", smoothValue: 2 }).signature).toContain(
      "add-k[2.00]",
    );
  });
});
