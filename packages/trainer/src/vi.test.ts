import { Rng } from "@dqnlm/core";
import { QNetwork, selectBackend } from "@dqnlm/qnet";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  DqnLoop,
  type FiniteTokenMdp,
  initTarget,
  type PresetName,
  resolveConfig,
  solveTokenMdp,
  type TokenTask,
} from "./index.js";

/**
 * Value iteration check. A random finite-horizon MDP is written as a token MDP: the prompt is token 0, every
 * action appends one of V tokens, the episode ends after H actions, and r(s, a) ~ U(0, 1) (a fixed table per
 * (prefix, action)) at the chosen steps, 0 elsewhere. DQN must learn Q* — computed here by exact backward
 * induction — on EVERY reachable state within 1% of the reward scale (max |Q*|).
 *
 * Per-test settings, as the issue allows (learning rate and its cosine decay to 3e-5, steps, batch size,
 * exploration): uniform exploration (ε = 1 for
 * `seed`; softmax(Q/T) with T = 10 over the full vocabulary for `stable`) so every state is visited, an untied
 * Q-head (a tied LM head fits arbitrary values much more slowly), and for `stable`: n = 1 (an n-step return
 * without off-policy correction estimates the exploring policy's value, not Q*), no KL to a reference model
 * (it pulls Q towards the reference) and no demonstrations (a random MDP has no reference text). Everything
 * else is the preset's own mechanics: `seed` = MSE, N(0, 0.02) target then hard copy, uniform replay;
 * `stable` = Huber, Double DQN, prioritized replay, gradient clipping, masked target max.
 */
interface Case {
  preset: PresetName;
  V: number;
  H: number;
  seed: number;
  rewardSteps: number[];
  updates: number;
  sampleUnit?: "transition" | "episode";
}

const CASES: Case[] = [
  { preset: "seed", V: 3, H: 3, seed: 1, rewardSteps: [0, 2], updates: 1000 },
  { preset: "seed", V: 5, H: 2, seed: 2, rewardSteps: [0, 1], updates: 1000 },
  { preset: "stable", V: 3, H: 3, seed: 3, rewardSteps: [1, 2], updates: 1000 },
  { preset: "stable", V: 6, H: 2, seed: 4, rewardSteps: [1], updates: 1000 },
  // whole-episode sampling (all steps of episodes drawn ∝ length) with the seed preset's uniform replay
  { preset: "seed", V: 4, H: 3, seed: 5, rewardSteps: [0, 2], updates: 2000, sampleUnit: "episode" },
];

beforeAll(async () => {
  await selectBackend({ backend: "wasm" });
});

function randomMdp(c: Case): FiniteTokenMdp {
  const rng = new Rng(c.seed * 7919);
  const table = new Map<string, number>();
  return {
    vocabSize: c.V,
    horizon: c.H,
    gamma: 1,
    reward(prefix, a) {
      if (!c.rewardSteps.includes(prefix.length)) return 0;
      const k = `${prefix.join(",")}|${a}`;
      let r = table.get(k);
      if (r === undefined) {
        r = rng.next();
        table.set(k, r);
      }
      return r;
    },
  };
}

describe("DQN learns Q* of random finite-horizon token MDPs (value iteration check)", () => {
  test.each(CASES)(
    "$preset preset, V=$V, H=$H, seed $seed, rewards at steps $rewardSteps",
    async (c) => {
      const mdp = randomMdp(c);
      const qstar = solveTokenMdp(mdp); // also fills the reward table in a fixed order
      const scale = Math.max(...[...qstar.values()].flatMap((q) => Array.from(q, Math.abs)));
      const cfg = resolveConfig({
        preset: c.preset,
        seed: c.seed,
        data: { maxNewTokens: c.H },
        dqn: {
          updates: c.updates,
          batchSize: 64,
          learningRate: 3e-3,
          rolloutBatch: 16,
          updatesPerRollout: 4,
          warmupTransitions: 64,
          targetUpdateEvery: 50,
          nStep: 1,
          klWeight: 0,
          demonstrations: false,
          marginWeight: 0,
          lrSchedule: "cosine",
          learningRateEnd: 3e-5,
        },
        explore: { epsilonStart: 1, epsilonEnd: 1, temperature: 10, topK: 0, topP: 1 },
        replay: { sampleUnit: c.sampleUnit ?? "transition" },
        validation: { every: 1_000_000 },
        log: { every: 100 },
      });
      const rng = new Rng(c.seed);
      const online = QNetwork.random(
        { vocabSize: c.V, nPositions: c.H + 1, nEmbd: 32, nLayer: 1, nHead: 2, tieWordEmbeddings: false },
        rng.nextUint32(),
      );
      const target = online.clone();
      initTarget(cfg, online, target, rng.fork());
      const optimizer = new Adam(online.trainableVariables, cfg.dqn.learningRate);
      const task: TokenTask = {
        vocabSize: c.V,
        eosId: null,
        padId: 0,
        prompts: { train: [Int32Array.of(0)], validation: [], test: [] },
        score: (_s, _i, g) => {
          const acts = Array.from(g);
          const rewards = Float32Array.from(acts, (a, t) => mdp.reward(acts.slice(0, t), a));
          return { rewards, metric: rewards.reduce((x, y) => x + y, 0) };
        },
      };
      const loop = new DqnLoop(cfg, task, { online, target, optimizer }, { log: () => {} }, rng.fork());
      expect(await loop.run()).toBe("done");
      let maxErr = 0;
      let worst = "";
      for (const [key, q] of qstar) {
        const acts = key === "" ? [] : key.split(",").map(Number);
        const ids = [0, ...acts];
        const out = tf.tidy(
          () =>
            tf
              .slice(
                online.forward(tf.tensor2d([ids], [1, ids.length], "int32")),
                [0, ids.length - 1, 0],
                [1, 1, c.V],
              )
              .dataSync() as Float32Array,
        );
        for (let a = 0; a < c.V; a++) {
          const e = Math.abs((out[a] as number) - (q[a] as number));
          if (e > maxErr) {
            maxErr = e;
            worst = `s=[${key}] a=${a}: Q=${out[a]} Q*=${q[a]}`;
          }
        }
      }
      console.log(
        `${c.preset} V=${c.V} H=${c.H}: ${qstar.size} states, max |Q−Q*| = ${maxErr.toFixed(5)} = ${((100 * maxErr) / scale).toFixed(2)}% of ${scale.toFixed(3)} (worst ${worst})`,
      );
      expect(maxErr / scale).toBeLessThan(0.01);
      optimizer.dispose();
      online.dispose();
      target.dispose();
    },
    300_000,
  );
});
