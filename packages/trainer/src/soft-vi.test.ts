import { Rng } from "@dqnlm/core";
import { QNetwork, selectBackend } from "@dqnlm/qnet";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  DqnLoop,
  evaluateSoftPolicy,
  resolveConfig,
  type SoftTokenMdp,
  solveSoftTokenMdp,
  type TokenTask,
} from "./index.js";

/**
 * Soft value iteration check. A random finite-horizon token MDP (prompt token 0, V actions, horizon H,
 * r(s, a) ~ U(0, 1) at the chosen steps) with a GIVEN reference policy: π_ref is a random GPT-2 (its logits
 * scaled up so that π_ref is far from uniform), read at every reachable state. The exact KL-regularised
 * solution is computed here by soft backward induction,
 *   Q*(s,a) = r(s,a) + γ·τ·logsumexp_a'(log π_ref(a'|s') + Q*(s',a')/τ),
 * and the soft learner — online network = a copy of the reference, Q_θ = τ·(z_θ − z_ref) — must match Q* within
 * 1% of max |Q*| on EVERY reachable state and action. Its policy softmax(z_θ) must equal π* = π_ref·exp(Q* / τ)/Z.
 * Per-test settings (as vi.test.ts): uniform exploration (ε-greedy with ε = 1: soft Q-learning is off-policy),
 * an untied output head, batch 64, learning rate 3e-3 cosine to 3e-5; everything else is the `soft` preset
 * (Polyak target 0.05, one-step soft targets, Huber, prioritized replay, gradient clipping).
 */
interface Case {
  V: number;
  H: number;
  seed: number;
  tau: number;
  rewardSteps: number[];
  updates: number;
}

const CASES: Case[] = [
  { V: 3, H: 3, seed: 11, tau: 0.5, rewardSteps: [0, 2], updates: 1000 },
  { V: 4, H: 2, seed: 12, tau: 0.2, rewardSteps: [0, 1], updates: 300 },
];

beforeAll(async () => {
  await selectBackend({ backend: "wasm" });
});

/** Logit rows of `net` at the state after `acts` (prompt token 0 first). */
function rowAt(net: QNetwork, acts: readonly number[], V: number): Float32Array {
  const ids = [0, ...acts];
  return tf.tidy(
    () =>
      tf
        .slice(net.forward(tf.tensor2d([ids], [1, ids.length], "int32")), [0, ids.length - 1, 0], [1, 1, V])
        .dataSync() as Float32Array,
  );
}

function logSoftmax(z: ArrayLike<number>): Float64Array {
  const m = Math.max(...Array.from(z));
  const lz = m + Math.log(Array.from(z).reduce((s, x) => s + Math.exp(x - m), 0));
  return Float64Array.from(z, (x) => x - lz);
}

describe("the soft learner matches exact KL-regularised (soft) value iteration", () => {
  test.each(CASES)(
    "V=$V, H=$H, τ=$tau, seed $seed, rewards at steps $rewardSteps",
    async (c) => {
      const rng = new Rng(c.seed);
      const reference = QNetwork.random(
        { vocabSize: c.V, nPositions: c.H + 1, nEmbd: 32, nLayer: 1, nHead: 2, tieWordEmbeddings: false },
        rng.nextUint32(),
      );
      reference.scaleOutput(20); // a peaked, state-dependent π_ref (a random net's logits are near 0)
      const rewardRng = new Rng(c.seed * 7919);
      const table = new Map<string, number>();
      const refCache = new Map<string, Float64Array>();
      const mdp: SoftTokenMdp = {
        vocabSize: c.V,
        horizon: c.H,
        gamma: 1,
        reward(prefix, a) {
          if (!c.rewardSteps.includes(prefix.length)) return 0;
          const k = `${prefix.join(",")}|${a}`;
          let r = table.get(k);
          if (r === undefined) {
            r = rewardRng.next();
            table.set(k, r);
          }
          return r;
        },
        refLogProbs(prefix) {
          const k = prefix.join(",");
          let lp = refCache.get(k);
          if (!lp) {
            lp = logSoftmax(rowAt(reference, prefix, c.V));
            refCache.set(k, lp);
          }
          return lp;
        },
      };
      const sol = solveSoftTokenMdp(mdp, c.tau);
      // π* = π_ref·exp(Q* / τ)/Z is optimal: its regularised value is V* everywhere, and no other policy does better.
      const vStar = evaluateSoftPolicy(mdp, c.tau, (p) => sol.policy.get(p.join(",")) as Float64Array);
      const vRef = evaluateSoftPolicy(mdp, c.tau, (p) => Array.from(mdp.refLogProbs(p), Math.exp));
      const pr = new Rng(c.seed + 1);
      const vRand = evaluateSoftPolicy(mdp, c.tau, (p) => {
        const pi = sol.policy.get(p.join(",")) as Float64Array;
        const w = Array.from(pi, (x) => x * (0.5 + pr.next()));
        const z = w.reduce((s, x) => s + x, 0);
        return w.map((x) => x / z);
      });
      for (const [k, v] of sol.v) {
        expect(vStar.get(k)).toBeCloseTo(v, 10);
        expect(vRef.get(k)!).toBeLessThanOrEqual(v + 1e-12);
        expect(vRand.get(k)!).toBeLessThanOrEqual(v + 1e-12);
      }
      expect(vRef.get("")!).toBeLessThan(sol.v.get("")! - 1e-3); // the reference is not already optimal
      // τ → ∞ recovers π_ref exactly: |π* − π_ref| shrinks like 1/τ (Q* stays bounded by the returns)
      for (const big of [1e3, 1e6]) {
        let d = 0;
        for (const [k, pi] of solveSoftTokenMdp(mdp, big).policy) {
          const ref = mdp.refLogProbs(k === "" ? [] : k.split(",").map(Number));
          pi.forEach((p, a) => {
            d = Math.max(d, Math.abs(p - Math.exp(ref[a] as number)));
          });
        }
        expect(d).toBeLessThan(2 / big);
      }

      const scale = Math.max(...[...sol.q.values()].flatMap((q) => Array.from(q, Math.abs)));
      const cfg = resolveConfig({
        preset: "soft",
        seed: c.seed,
        data: { maxNewTokens: c.H },
        dqn: {
          softTau: c.tau,
          updates: c.updates,
          batchSize: 64,
          learningRate: 3e-3,
          lrSchedule: "cosine",
          learningRateEnd: 3e-5,
          rolloutBatch: 16,
          updatesPerRollout: 4,
          warmupTransitions: 64,
          demonstrations: false,
        },
        explore: { kind: "epsilon-greedy", epsilonStart: 1, epsilonEnd: 1 },
        validation: { every: 1_000_000 },
        log: { every: 100 },
      });
      const online = reference.clone();
      const target = reference.clone();
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
      const loop = new DqnLoop(
        cfg,
        task,
        { online, target, reference, optimizer },
        { log: () => {} },
        rng.fork(),
      );
      expect(await loop.run()).toBe("done");
      let maxErr = 0;
      let maxPiErr = 0;
      let worst = "";
      for (const [key, q] of sol.q) {
        const acts = key === "" ? [] : key.split(",").map(Number);
        const z = rowAt(online, acts, c.V);
        const zr = rowAt(reference, acts, c.V);
        const lp = logSoftmax(z);
        const piStar = sol.policy.get(key) as Float64Array;
        for (let a = 0; a < c.V; a++) {
          const qa = c.tau * ((z[a] as number) - (zr[a] as number));
          const e = Math.abs(qa - (q[a] as number));
          if (e > maxErr) {
            maxErr = e;
            worst = `s=[${key}] a=${a}: Q=${qa.toFixed(4)} Q*=${(q[a] as number).toFixed(4)}`;
          }
          maxPiErr = Math.max(maxPiErr, Math.abs(Math.exp(lp[a] as number) - (piStar[a] as number)));
        }
      }
      console.log(
        `soft V=${c.V} H=${c.H} τ=${c.tau}: ${sol.q.size} states, max |Q−Q*| = ${maxErr.toFixed(5)} = ` +
          `${((100 * maxErr) / scale).toFixed(2)}% of ${scale.toFixed(3)} (worst ${worst}); ` +
          `max |π − π*| = ${maxPiErr.toFixed(4)}`,
      );
      expect(maxErr / scale).toBeLessThan(0.01);
      expect(maxPiErr).toBeLessThan(0.02);
      optimizer.dispose();
      online.dispose();
      target.dispose();
      reference.dispose();
    },
    120_000,
  );
});
