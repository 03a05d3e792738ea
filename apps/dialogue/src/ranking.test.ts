import { describe, expect, it } from "vitest";
import { meanRecallAtK, randomRecallAtK, recallAtK } from "./ranking.js";

describe("recall@k", () => {
  it("is exact on a hand-built ranking", () => {
    // Truth (index 2) has score 0.7; two candidates score higher: rank 3.
    const s = [0.9, 0.1, 0.7, 0.8, 0.2, 0.3];
    expect(recallAtK(s, 2, 1)).toBe(0);
    expect(recallAtK(s, 2, 2)).toBe(0);
    expect(recallAtK(s, 2, 3)).toBe(1);
    expect(recallAtK(s, 2, 5)).toBe(1);
    expect(recallAtK(s, 0, 1)).toBe(1);
    // Ties are broken uniformly: truth tied with 3 others after 1 above → positions 1..4 equally likely.
    const t = [5, 2, 2, 2, 2, 1];
    expect(recallAtK(t, 1, 1)).toBe(0);
    expect(recallAtK(t, 1, 2)).toBe(0.25);
    expect(recallAtK(t, 1, 3)).toBe(0.5);
    expect(recallAtK(t, 1, 5)).toBe(1);
    // NaN ranks last.
    expect(recallAtK([Number.NaN, 0, 1], 0, 2)).toBe(0);
    expect(meanRecallAtK([s, t, [3, 1]], [2, 1, 0], 2)).toBeCloseTo((100 * (0 + 0.25 + 1)) / 3, 10);
  });

  it("gives the exact random expectation", () => {
    expect(randomRecallAtK(10, 1)).toBe(10);
    expect(randomRecallAtK(10, 5)).toBe(50);
    expect(randomRecallAtK(100, 5)).toBe(5);
    expect(randomRecallAtK(3, 5)).toBe(100);
    // All-equal scores give exactly the random expectation.
    expect(meanRecallAtK([Array(100).fill(0)], [17], 5)).toBeCloseTo(5, 10);
  });

  it("rejects bad k and truth", () => {
    expect(() => recallAtK([1, 2], 2, 1)).toThrow(/truth/u);
    expect(() => recallAtK([1, 2], 0, 0)).toThrow(/"k"/u);
  });
});
