import { describe, expect, test } from "vitest";
import { BatchSelectionMDP, type MdpError, type SelectionContext, SelectionMDP } from "./index.js";

function errorOf(fn: () => unknown): MdpError {
  try {
    fn();
  } catch (e) {
    return e as MdpError;
  }
  throw new Error("expected a throw");
}

describe("SelectionMDP", () => {
  test("one-step (bandit): the choice's reward, the candidate appended after SEP", () => {
    const mdp = new SelectionMDP({ reward: (c) => (c === 1 ? 1 : 0), sepId: 3 });
    expect(Array.from(mdp.reset({ prompt: [1, 5], candidates: [[7], [8, 9]], refIndex: 2 }))).toEqual([1, 5]);
    expect(mdp.candidates.map((c) => Array.from(c))).toEqual([[7], [8, 9]]);
    const r = mdp.step(1);
    expect([Array.from(r.state), r.reward, r.done]).toEqual([[1, 5, 3, 8, 9], 1, true]);
    const e = mdp.episode();
    expect(e.states.map((s) => Array.from(s))).toEqual([
      [1, 5],
      [1, 5, 3, 8, 9],
    ]);
    expect(Array.from(e.choices)).toEqual([1]);
    expect(Array.from(e.rewards)).toEqual([1]);
    expect([e.terminated, e.refIndex]).toEqual([true, 2]);
    expect(errorOf(() => mdp.step(0)).code).toBe("DQNLM_MDP_EPISODE_STATE");
  });

  test("multi-step: next() offers new candidates with the history; null ends the episode", () => {
    const seen: [number, number[], number][] = [];
    const mdp = new SelectionMDP({
      horizon: 5,
      reward: (c, ctx) => c + ctx.t / 10,
      next: (c, ctx: SelectionContext) => {
        seen.push([ctx.t, [...ctx.history], c]);
        return ctx.t === 0 ? [[20 + c], [30 + c], [40 + c]] : null;
      },
    });
    mdp.reset({ prompt: [1], candidates: [[10], [11]] });
    expect(mdp.step(1).done).toBe(false);
    expect(mdp.candidates.map((c) => c[0])).toEqual([21, 31, 41]);
    expect(errorOf(() => mdp.step(3)).field).toBe("choices");
    const r = mdp.step(2);
    expect(r.done).toBe(true);
    expect(Array.from(r.state)).toEqual([1, 11, 41]);
    expect(seen).toEqual([
      [0, [], 1],
      [1, [1], 2],
    ]);
    const e = mdp.episode();
    expect(Array.from(e.rewards)).toEqual([1, Math.fround(2.1)]);
    expect(e.candidates.length).toBe(2);
  });

  test("horizon ends the episode; without next the same candidates are offered again", () => {
    const mdp = new SelectionMDP({ horizon: 3, reward: () => 1 });
    mdp.reset({ prompt: [1], candidates: [[4], [5]] });
    mdp.step(0);
    mdp.step(1);
    expect(mdp.step(0).done).toBe(true);
    expect(Array.from(mdp.episode().states[3]!)).toEqual([1, 4, 5, 4]);
  });
});

describe("BatchSelectionMDP", () => {
  test("ragged K per row, done mask, finished rows ignore choices", () => {
    const mdp = new BatchSelectionMDP({
      horizon: 2,
      reward: (c, ctx) => ctx.row * 10 + c,
      next: (_c, ctx) => (ctx.row === 0 ? null : [[9], [9], [9]]),
    });
    mdp.reset([
      { prompt: [1], candidates: [[2], [3]] },
      { prompt: [1, 1], candidates: [[4]] },
    ]);
    let r = mdp.step([1, 0]);
    expect(Array.from(r.rewards)).toEqual([1, 10]);
    expect(Array.from(r.done)).toEqual([1, 0]);
    expect(r.finished).toEqual([0]);
    r = mdp.step([99, 2]);
    expect(Array.from(r.rewards)).toEqual([0, 12]);
    expect(r.allDone).toBe(true);
    const eps = mdp.episodes();
    expect(eps.map((e) => Array.from(e.choices))).toEqual([[1], [0, 2]]);
    expect(eps.map((e) => e.states.length)).toEqual([2, 3]);
    expect(errorOf(() => mdp.reset([{ prompt: [1], candidates: [] }])).field).toBe("tasks[0].candidates");
    expect(errorOf(() => new BatchSelectionMDP({ reward: () => 0, horizon: 0 })).field).toBe("horizon");
  });
});
