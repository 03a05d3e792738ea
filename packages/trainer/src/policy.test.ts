import { Rng } from "@dqnlm/core";
import { describe, expect, test } from "vitest";
import { argmax, epsilonAt, epsilonGreedy, maskIndices, sampleMasked } from "./index.js";

describe("action selection", () => {
  const q = Float32Array.of(0.1, 2, -1, 2, 0.5);

  test("argmax breaks ties towards the lowest id", () => {
    expect(argmax(q, 0, 5)).toBe(1);
  });

  test("top-k mask keeps the k largest in descending order", () => {
    expect(maskIndices(q, 0, 5, 3, 1, 1)).toEqual([1, 3, 4]);
    expect(maskIndices(q, 0, 5, 0, 1, 1)).toEqual([1, 3, 4, 0, 2]);
  });

  test("top-p keeps the smallest prefix reaching the mass", () => {
    // softmax(2, 2, 0.5, 0.1, -1): the two 2's hold 2e²/(2e² + e^.5 + e^.1 + e^-1) = 14.78/18.13 = 0.815
    expect(maskIndices(q, 0, 5, 0, 0.8, 1)).toEqual([1, 3]);
    expect(maskIndices(q, 0, 5, 0, 0.85, 1)).toEqual([1, 3, 4]);
  });

  test("masked sampling follows softmax(Q/T) over the mask (chi-square on a fixed seed)", () => {
    const rng = new Rng(11);
    const counts = [0, 0, 0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[sampleMasked(q, 0, 5, 3, 1, 0.5, rng)]! += 1;
    expect(counts[0]).toBe(0);
    expect(counts[2]).toBe(0);
    // weights exp(Q/0.5): e^4, e^4, e^1 → p = 0.4872, 0.4872, 0.0256
    const p = [0, Math.exp(4), 0, Math.exp(4), Math.exp(1)];
    const z = p.reduce((a, b) => a + b, 0);
    let chi = 0;
    for (const i of [1, 3, 4]) {
      const e = (n * p[i]!) / z;
      chi += (counts[i]! - e) ** 2 / e;
    }
    expect(chi).toBeLessThan(13.8); // 2 dof, p = 0.001
  });

  test("ε-greedy explores at rate ε and ε decays linearly", () => {
    const rng = new Rng(3);
    let greedy = 0;
    for (let i = 0; i < 10000; i++) if (epsilonGreedy(q, 0, 5, 0.5, rng) === 1) greedy++;
    // P(greedy) = 0.5 + 0.5/5 = 0.6
    expect(Math.abs(greedy / 10000 - 0.6)).toBeLessThan(0.02);
    expect(epsilonAt(0, 1, 0.1, 100)).toBe(1);
    expect(epsilonAt(50, 1, 0.1, 100)).toBeCloseTo(0.55, 12);
    expect(epsilonAt(500, 1, 0.1, 100)).toBeCloseTo(0.1, 12);
  });
});
