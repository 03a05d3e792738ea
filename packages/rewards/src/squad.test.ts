import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RewardsInputError } from "./errors.js";
import { normalizeAnswer, squad, squadCorpus } from "./index.js";
import { isPyWordChar } from "./squad-word-chars.js";

describe("normalizeAnswer (official evaluate-v1.1.py)", () => {
  test("lowercase, drop ASCII punctuation, drop a/an/the, collapse whitespace", () => {
    expect(normalizeAnswer("The  Eiffel-Tower!")).toBe("eiffeltower");
    expect(normalizeAnswer("an apple, a pear and THE plum")).toBe("apple pear and plum");
    expect(normalizeAnswer("Theatre an' anthem")).toBe("theatre anthem"); // "an'" → "an" (punct first) → removed
  });

  test("\\b is Python's Unicode-aware boundary: letters keep the article attached, combining marks do not", () => {
    expect(normalizeAnswer("thé anémona")).toBe("thé anémona"); // é is a word character
    expect(normalizeAnswer("the\u0301 cat")).toBe("\u0301 cat"); // U+0301 (Mn) is not, so "the" is a word
    expect(normalizeAnswer("the1 a1 an")).toBe("the1 a1"); // digits are word characters
    expect(normalizeAnswer("the_cat")).toBe("thecat"); // "_" is ASCII punctuation, removed before the articles
  });

  test("word characters are Python 3.11's (Unicode 14.0), whatever Unicode version the JS runtime has", () => {
    expect(isPyWordChar(0x61)).toBe(true);
    expect(isPyWordChar(0x5f)).toBe(true); // _
    expect(isPyWordChar(0x0663)).toBe(true); // ARABIC-INDIC DIGIT THREE (Nd)
    expect(isPyWordChar(0x2160)).toBe(true); // ROMAN NUMERAL ONE (Nl)
    expect(isPyWordChar(0x0301)).toBe(false); // COMBINING ACUTE ACCENT (Mn)
    expect(isPyWordChar(0x2b740)).toBe(true); // CJK Extension D (Unicode 6.0)
    expect(isPyWordChar(0x31350)).toBe(false); // CJK Extension H: assigned in Unicode 15.0, after Python 3.11's 14.0
    expect(isPyWordChar(0x1f600)).toBe(false); // emoji
    // so "the" directly before an Extension H ideograph is still a separate word for Python 3.11
    expect(normalizeAnswer("the\u{31350} cat")).toBe("\u{31350} cat");
    expect(normalizeAnswer("the\u{2b740} cat")).toBe("the\u{2b740} cat");
  });

  test("non-ASCII punctuation stays; Python whitespace collapses (NBSP yes, BOM no)", () => {
    expect(normalizeAnswer("«34–19»")).toBe("«34–19»");
    expect(normalizeAnswer("a\u00a0b\ufeffc")).toBe("b\ufeffc");
  });
});

describe("squad", () => {
  test("EM and F1, max over answers", () => {
    expect(squad("the Eiffel Tower", ["Eiffel Tower", "tower"])).toEqual({ exactMatch: 1, f1: 1 });
    // "eiffel tower in paris" vs "eiffel tower": 2 shared, P = 2/4, R = 1 → F1 = 2/3
    const r = squad("Eiffel Tower in Paris", ["Eiffel Tower", "London"]);
    expect(r.exactMatch).toBe(0);
    expect(r.f1).toBe((2 * 0.5 * 1) / 1.5);
  });

  test("empty after normalisation: exact match but F1 0", () => {
    expect(squad("The", ["a"])).toEqual({ exactMatch: 1, f1: 0 });
  });

  test("repeated tokens count as a multiset", () => {
    // common = min(2, 1) x + min(1, 2) y = 2 → P = R = 2/3
    const r = squad("x x y", ["x y y"]);
    expect(r.f1).toBe((2 * (2 / 3) * (2 / 3)) / (2 / 3 + 2 / 3));
  });
});

describe("squadCorpus", () => {
  test("means × 100, like evaluate()", () => {
    expect(squadCorpus(["Denver Broncos", "1990"], [["Denver Broncos"], ["1991"]])).toEqual({
      exactMatch: 50,
      f1: 50,
    });
  });

  test("typed errors", () => {
    expect(() => squadCorpus(["a"], [])).toThrow(RewardsInputError);
    try {
      squadCorpus(["a", "b"], [["a"], [7 as never]]);
      expect.unreachable();
    } catch (e) {
      expect((e as RewardsInputError).field).toBe("answersList[1][0]");
    }
    expect(() => squad("a", [])).toThrow(/at least one/);
    expect(() => squad(undefined as never, ["a"])).toThrow(RewardsInputError);
  });
});

describe("SQuAD properties", () => {
  test("scores in [0, 1], identical answers → 1/1, answer order irrelevant, any Unicode", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 30 }),
        fc.array(fc.string({ unit: "grapheme", maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        (p, golds) => {
          const a = squad(p, golds);
          const b = squad(p, [...golds].reverse());
          expect(a).toEqual(b);
          expect(a.f1).toBeGreaterThanOrEqual(0);
          expect(a.f1).toBeLessThanOrEqual(1);
          expect(squad(p, [p]).exactMatch).toBe(1);
          if (normalizeAnswer(p).length > 0) expect(squad(p, [p]).f1).toBe(1);
        },
      ),
      { seed: 41, numRuns: 300 },
    );
  });
});
