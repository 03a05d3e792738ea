import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RewardsInputError, RewardsOptionError } from "./errors.js";
import { distinctN, repetitionRate } from "./index.js";

describe("distinctN", () => {
  test("pooled distinct / total n-grams, lowercased, whitespace-tokenised", () => {
    // unigrams: i can help i can help sure thing → 5 distinct of 8
    expect(distinctN(["I can help", "i can help", "sure thing"], 1)).toBe(5 / 8);
    // bigrams: (i can)(can help) ×2 + (sure thing) → 3 distinct of 5; none crosses a text boundary
    expect(distinctN(["I can help", "i can help", "sure thing"], 2)).toBe(3 / 5);
    expect(distinctN(["ok.", "ok"], 1)).toBe(1); // punctuation stays attached
    expect(distinctN([], 1)).toBe(0);
    expect(distinctN(["one"], 2)).toBe(0);
  });

  test("collapse drives it towards 1/total", () => {
    expect(distinctN(Array(10).fill("yes"), 1)).toBe(0.1);
  });

  test("typed errors", () => {
    expect(() => distinctN("abc" as never, 1)).toThrow(RewardsInputError);
    expect(() => distinctN(["a"], 0)).toThrow(RewardsOptionError);
    expect(() => distinctN(["a"], 1.5)).toThrow(/positive integer/);
  });
});

describe("repetitionRate", () => {
  test("fraction of n-grams that repeat an earlier one in the same text", () => {
    expect(repetitionRate("thank you thank you thank you", 2)).toBe(3 / 5);
    expect(repetitionRate("the the the the", 1)).toBe(3 / 4);
    expect(repetitionRate("all different words here", 1)).toBe(0);
    expect(repetitionRate("", 1)).toBe(0);
  });

  test("properties: in [0, 1), never throws on any Unicode, distinct-1 of one text = 1 − repetition-1", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), fc.integer({ min: 1, max: 4 }), (t, n) => {
        const r = repetitionRate(t, n);
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThan(1);
        const d = distinctN([t], n);
        if (d > 0) expect(d + r).toBeCloseTo(1, 12);
      }),
      { seed: 51, numRuns: 300 },
    );
  });
});
