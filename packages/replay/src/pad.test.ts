import { Rng } from "@dqnlm/core";
import { expect, test } from "vitest";
import { padEpisodes, ReplayBuffer, transitionPositions } from "./index.js";

test("padEpisodes + transitionPositions address the right prefixes of one forward pass", () => {
  const buf = new ReplayBuffer({ capacity: 100 });
  buf.add({
    tokens: Int32Array.of(1, 10, 11),
    promptLength: 1,
    rewards: Float32Array.of(0, 1),
    terminated: true,
  });
  buf.add({
    tokens: Int32Array.of(1, 2, 20, 21, 22),
    promptLength: 2,
    rewards: Float32Array.of(0, 0, 5),
    terminated: false,
  });
  const batch = buf.sample(5, new Rng(3));
  const padded = padEpisodes(buf.getEpisodes(batch.episodeIds), { padId: 0 });
  expect(padded.width).toBe(5);
  expect(padded.maxSteps).toBe(3);
  const pos = transitionPositions(batch, padded);
  const nstep = buf.nStepTargets(batch, 2, 0.9);
  const pos2 = transitionPositions(batch, padded, nstep);
  for (let i = 0; i < batch.size; i++) {
    const e = buf.getEpisode(batch.episodeIds[batch.rows[i]!]!);
    const t = batch.steps[i]!;
    const row = batch.rows[i]!;
    // Q(s_t) sits at the last token of s_t = tokens[0 .. P+t).
    expect(pos.state[i]).toBe(row * 5 + e.promptLength + t - 1);
    expect(pos.action[i]).toBe(e.tokens[e.promptLength + t]);
    const T = e.tokens.length - e.promptLength;
    const oneStepDone = e.terminated && t === T - 1;
    expect(pos.bootstrap[i]).toBe(oneStepDone ? -1 : row * 5 + e.promptLength + t);
    const j = nstep.bootstrapSteps[i]!;
    expect(pos2.bootstrap[i]).toBe(j < 0 ? -1 : row * 5 + e.promptLength + j - 1);
  }
  // Rows are right-padded with padId and rewards with 0.
  const all = padEpisodes(buf.episodes(), { padId: 7 });
  expect(Array.from(all.tokens)).toEqual([1, 10, 11, 7, 7, 1, 2, 20, 21, 22]);
  expect(Array.from(all.rewards)).toEqual([0, 1, 0, 0, 0, 5]);
  expect(Array.from(all.terminated)).toEqual([1, 0]);
  expect(() => padEpisodes(buf.episodes(), { width: 3 })).toThrow(/width/);
});
