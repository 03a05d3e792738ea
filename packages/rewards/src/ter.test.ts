import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RewardsInputError, RewardsOptionError } from "./errors.js";
import { corpusTer, sentenceTer } from "./index.js";

describe("sentenceTer", () => {
  test("one substitution in six reference words: TER = 100 · 1/6", () => {
    const r = sentenceTer("the cat sat on the mat", ["the cat is on the mat"]);
    expect(r.numEdits).toBe(1);
    expect(r.refLength).toBe(6);
    expect(r.score).toBe((1 / 6) * 100);
    expect(r.signature).toBe("nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0");
  });

  test("a block of three words moved costs one shift, not six edits", () => {
    // Levenshtein alone would need 6 edits; one shift of "on the mat" to the end fixes everything
    expect(sentenceTer("on the mat the cat sat", "the cat sat on the mat").numEdits).toBe(1);
  });

  test("lowercases by default (Python str.lower), keeps case with caseSensitive", () => {
    expect(sentenceTer("THE CAT", "the cat").numEdits).toBe(0);
    const cs = sentenceTer("THE CAT", "the cat", { caseSensitive: true });
    expect(cs.numEdits).toBe(2);
    expect(cs.signature).toContain("case:mixed");
  });

  test("empty reference: 100 for a non-empty hypothesis, 0 when both are empty", () => {
    expect(sentenceTer("a b c", "").score).toBe(100);
    expect(sentenceTer("a b c", "").numEdits).toBe(3);
    expect(sentenceTer("", "").score).toBe(0);
    // an empty hypothesis deletes nothing and inserts every reference word
    expect(sentenceTer("", "a b").score).toBe(100);
  });

  test("several references: edits of the best one, length averaged", () => {
    const r = sentenceTer("a b c d", ["a b c d e f", "x y"]);
    expect(r.numEdits).toBe(2); // two insertions against the first reference
    expect(r.refLength).toBe(4); // (6 + 2) / 2
    expect(r.score).toBe(50);
    expect(r.signature.startsWith("nrefs:2|")).toBe(true);
  });

  test("normalized splits punctuation; noPunct deletes it", () => {
    expect(sentenceTer("hello, world.", "hello world").numEdits).toBe(2);
    expect(sentenceTer("hello, world.", "hello , world .", { normalized: true }).numEdits).toBe(0);
    expect(sentenceTer("hello, world.", "hello world", { noPunct: true }).numEdits).toBe(0);
  });

  test("Python whitespace: NBSP and \\x1c split words, BOM does not", () => {
    expect(sentenceTer("a\u00a0b\x1cc", "a b c").numEdits).toBe(0);
    expect(sentenceTer("a\ufeffb", "a b").numEdits).toBe(2);
  });
});

describe("corpusTer", () => {
  test("sums edits and average reference lengths over segments; nrefs:var for ragged refs", () => {
    const r = corpusTer(["a b c", "x"], [["a b d"], ["x", "x y z"]]);
    expect(r.numEdits).toBe(1);
    expect(r.refLength).toBe(3 + 2);
    expect(r.score).toBe(20);
    expect(r.signature.startsWith("nrefs:var|")).toBe(true);
  });

  test("typed errors name the field", () => {
    expect(() => corpusTer(["a"], [])).toThrow(RewardsInputError);
    try {
      corpusTer(["a", 3 as unknown as string], [["a"], ["b"]]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RewardsInputError);
      expect((e as RewardsInputError).field).toBe("hyps[1]");
      expect((e as RewardsInputError).code).toBe("DQNLM_REWARDS_BAD_INPUT");
    }
    try {
      sentenceTer("a", ["a"], { lowercase: true } as never);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RewardsOptionError);
      expect((e as RewardsOptionError).field).toBe("lowercase");
    }
    expect(() => sentenceTer("a", [])).toThrow(/at least one string/);
    expect(() => sentenceTer("a", "a", { normalized: "yes" as never })).toThrow(RewardsOptionError);
  });
});

describe("TER properties", () => {
  const words = fc.array(fc.constantFrom("a", "b", "c", "d", "the", "cat"), { maxLength: 12 });
  test("score ≥ 0, identical hypothesis and reference → 0", () => {
    fc.assert(
      fc.property(words, words, (h, r) => {
        const hyp = h.join(" ");
        const ref = r.join(" ");
        expect(sentenceTer(hyp, ref).score).toBeGreaterThanOrEqual(0);
        expect(sentenceTer(ref, ref).score).toBe(0);
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  test("edits never exceed plain Levenshtein (shifts only help) and reference order is irrelevant", () => {
    fc.assert(
      fc.property(words, words, words, (h, r1, r2) => {
        const hyp = h.join(" ");
        const a = sentenceTer(hyp, [r1.join(" "), r2.join(" ")]);
        const b = sentenceTer(hyp, [r2.join(" "), r1.join(" ")]);
        expect(a.numEdits).toBe(b.numEdits);
        expect(a.score).toBe(b.score);
        expect(sentenceTer(hyp, r1.join(" ")).numEdits).toBeLessThanOrEqual(Math.max(h.length, r1.length));
      }),
      { seed: 12, numRuns: 200 },
    );
  });

  test("never throws on arbitrary Unicode, in every option combination", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 40 }),
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (h, r, normalized, noPunct, asianSupport, caseSensitive) => {
          const s = sentenceTer(h, [r], { normalized, noPunct, asianSupport, caseSensitive }).score;
          expect(Number.isFinite(s)).toBe(true);
          expect(s).toBeGreaterThanOrEqual(0);
        },
      ),
      { seed: 13, numRuns: 300 },
    );
  });
});
