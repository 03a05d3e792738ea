import { expect, test } from "vitest";
import { solveTokenMdp } from "./index.js";

test("backward induction on a hand-solved 2-step MDP", () => {
  // V = 2, H = 2, γ = 0.5. r([], a) = a; r([x], a) = (x === a ? 2 : 0).
  // Q*([x], a) = 2·[x = a]; Q*([], a) = a + 0.5 · 2 = a + 1.
  const q = solveTokenMdp({
    vocabSize: 2,
    horizon: 2,
    gamma: 0.5,
    reward: (p, a) => (p.length === 0 ? a : p[0] === a ? 2 : 0),
  });
  expect(q.size).toBe(3);
  expect(Array.from(q.get("")!)).toEqual([1, 2]);
  expect(Array.from(q.get("0")!)).toEqual([2, 0]);
  expect(Array.from(q.get("1")!)).toEqual([0, 2]);
});

test("EOS is absorbing: no value after it", () => {
  const q = solveTokenMdp({ vocabSize: 2, horizon: 3, gamma: 1, eosId: 0, reward: () => 1 });
  // token 0 ends the episode (Q = 1); token 1 continues: Q([],1) = 1 + max(Q([1],·)) = 1 + 2 = 3
  expect(Array.from(q.get("")!)).toEqual([1, 3]);
  expect(q.has("0")).toBe(false);
  expect(Array.from(q.get("1,1")!)).toEqual([1, 1]);
});
