import { describe, expect, test } from "vitest";
import { BatchTokenMDP, type MdpError, type StepContext, TokenMDP } from "./index.js";

function errorOf(fn: () => unknown): MdpError {
  try {
    fn();
  } catch (e) {
    return e as MdpError;
  }
  throw new Error("expected a throw");
}

const EOS = 2;

describe("TokenMDP", () => {
  test("steps append actions; EOS terminates; the episode is plain data", () => {
    const calls: [number[], boolean, number][] = [];
    const mdp = new TokenMDP({
      vocabSize: 10,
      eosId: EOS,
      maxNewTokens: 5,
      stepReward: (g, done, ctx) => {
        calls.push([Array.from(g), done, ctx.t]);
        return g.length + (done ? 10 : 0);
      },
    });
    expect(Array.from(mdp.reset([1, 7], 4))).toEqual([1, 7]);
    const a = mdp.step(5);
    expect([Array.from(a.state), a.reward, a.done, a.terminated, a.truncated]).toEqual([
      [1, 7, 5],
      1,
      false,
      false,
      false,
    ]);
    const b = mdp.step(EOS);
    expect([Array.from(b.state), b.reward, b.done, b.terminated, b.truncated]).toEqual([
      [1, 7, 5, 2],
      12,
      true,
      true,
      false,
    ]);
    expect(calls).toEqual([
      [[5], false, 0],
      [[5, 2], true, 1],
    ]);
    const e = mdp.episode();
    expect(Array.from(e.tokens)).toEqual([1, 7, 5, 2]);
    expect(e.promptLength).toBe(2);
    expect(Array.from(e.rewards)).toEqual([1, 12]);
    expect(e.terminated).toBe(true);
    expect(e.refIndex).toBe(4);
    expect(errorOf(() => mdp.step(3)).code).toBe("DQNLM_MDP_EPISODE_STATE");
  });

  test("maxNewTokens and maxLength truncate (terminated = false, so the learner bootstraps)", () => {
    const mdp = new TokenMDP({ vocabSize: 10, eosId: EOS, maxNewTokens: 3, stepReward: () => 0 });
    mdp.reset([1]);
    mdp.step(4);
    mdp.step(4);
    const r = mdp.step(4);
    expect([r.done, r.terminated, r.truncated]).toEqual([true, false, true]);
    expect(mdp.episode().terminated).toBe(false);
    const short = new TokenMDP({
      vocabSize: 10,
      eosId: EOS,
      maxNewTokens: 8,
      maxLength: 3,
      stepReward: () => 0,
    });
    short.reset([1, 1]);
    expect(short.step(5).truncated).toBe(true);
    expect(short.episode().tokens.length).toBe(3);
  });

  test("bad options and actions throw typed errors with the field", () => {
    expect(
      errorOf(() => new TokenMDP({ vocabSize: 10, eosId: 10, maxNewTokens: 3, stepReward: () => 0 })).field,
    ).toBe("eosId");
    expect(errorOf(() => new TokenMDP({ vocabSize: 10, eosId: 2, maxNewTokens: 3 })).field).toBe(
      "stepReward",
    );
    const mdp = new TokenMDP({ vocabSize: 10, eosId: EOS, maxNewTokens: 3, stepReward: () => 0 });
    expect(errorOf(() => mdp.step(1)).code).toBe("DQNLM_MDP_EPISODE_STATE");
    mdp.reset([1]);
    expect(errorOf(() => mdp.step(10)).code).toBe("DQNLM_MDP_TOKEN_OUT_OF_RANGE");
    expect(errorOf(() => mdp.step(1.5)).code).toBe("DQNLM_MDP_TOKEN_OUT_OF_RANGE");
    expect(errorOf(() => mdp.reset([])).field).toBe("prompts[0]");
    expect(errorOf(() => mdp.reset([1, 12])).code).toBe("DQNLM_MDP_TOKEN_OUT_OF_RANGE");
    const nan = new TokenMDP({ vocabSize: 10, eosId: EOS, maxNewTokens: 3, stepReward: () => Number.NaN });
    nan.reset([1]);
    expect(errorOf(() => nan.step(3)).field).toBe("stepReward");
  });
});

describe("BatchTokenMDP", () => {
  test("ragged prompts, done mask, finished rows ignore actions, Episode[] at the end", () => {
    const seen: StepContext[] = [];
    const mdp = new BatchTokenMDP({
      vocabSize: 20,
      eosId: EOS,
      maxNewTokens: 3,
      stepReward: (g, _done, ctx) => {
        seen.push({ ...ctx, prompt: ctx.prompt.slice() });
        return ctx.row * 10 + g[g.length - 1]!;
      },
    });
    mdp.reset([[1], [1, 5, 6], [1, 9]], [7, 8, 9]);
    expect(Array.from(mdp.lastTokens())).toEqual([1, 6, 9]);
    let r = mdp.step([EOS, 3, 4]); // row 0 ends on EOS
    expect(Array.from(r.rewards)).toEqual([2, 13, 24]);
    expect(Array.from(r.done)).toEqual([1, 0, 0]);
    expect(r.finished).toEqual([0]);
    expect(Array.from(mdp.lastTokens(0))).toEqual([0, 3, 4]);
    r = mdp.step([11, EOS, 4]); // row 0's action is ignored
    expect(Array.from(r.rewards)).toEqual([0, 12, 24]);
    expect(r.allDone).toBe(false);
    const p = mdp.padded(0);
    expect(p.width).toBe(5);
    expect(Array.from(p.ids)).toEqual([1, 2, 0, 0, 0, 1, 5, 6, 3, 2, 1, 9, 4, 4, 0]);
    expect(errorOf(() => mdp.episodes()).code).toBe("DQNLM_MDP_EPISODE_STATE");
    r = mdp.step([0, 0, 7]); // row 2 hits maxNewTokens = 3
    expect(r.allDone).toBe(true);
    expect(r.finished).toEqual([2]);
    const eps = mdp.episodes();
    expect(eps.map((e) => Array.from(e.tokens))).toEqual([
      [1, 2],
      [1, 5, 6, 3, 2],
      [1, 9, 4, 4, 7],
    ]);
    expect(eps.map((e) => e.promptLength)).toEqual([1, 3, 2]);
    expect(eps.map((e) => Array.from(e.rewards))).toEqual([[2], [13, 12], [24, 24, 27]]);
    expect(eps.map((e) => e.terminated)).toEqual([true, true, false]);
    expect(eps.map((e) => e.refIndex)).toEqual([7, 8, 9]);
    expect(seen.map((c) => [c.row, c.t, c.refIndex])).toEqual([
      [0, 0, 7],
      [1, 0, 8],
      [2, 0, 9],
      [1, 1, 8],
      [2, 1, 9],
      [2, 2, 9],
    ]);
    expect(Array.from(seen[1]!.prompt)).toEqual([1, 5, 6]);
  });

  test("episodeReward is called once per episode with all generated tokens", () => {
    const calls: number[][] = [];
    const mdp = new BatchTokenMDP({
      vocabSize: 20,
      eosId: EOS,
      maxNewTokens: 4,
      episodeReward: (g, ctx) => {
        calls.push([ctx.row, ...g]);
        // terminal form: 0 … 0, then the score
        return Array.from(g, (_, t) => (t === g.length - 1 ? (ctx.terminated ? 1 : 0.5) : 0));
      },
    });
    mdp.reset([[1], [1]]);
    mdp.step([5, 6]);
    const r = mdp.step([EOS, 6]);
    expect(Array.from(r.rewards)).toEqual([1, 0]);
    mdp.step([0, 6]);
    mdp.step([0, 6]);
    expect(calls).toEqual([
      [0, 5, 2],
      [1, 6, 6, 6, 6],
    ]);
    expect(mdp.episodes().map((e) => Array.from(e.rewards))).toEqual([
      [0, 1],
      [0, 0, 0, 0.5],
    ]);
    const bad = new BatchTokenMDP({
      vocabSize: 20,
      eosId: EOS,
      maxNewTokens: 4,
      episodeReward: () => [1, 2, 3],
    });
    bad.reset([[1]]);
    expect(errorOf(() => bad.step([EOS])).field).toBe("episodeReward");
  });
});
