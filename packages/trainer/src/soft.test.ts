import { type Episode, Rng } from "@dqnlm/core";
import { QNetwork, selectBackend } from "@dqnlm/qnet";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  DqnLoop,
  type LogRecord,
  learnerStep,
  resolveConfig,
  type SampledTransition,
  type TokenTask,
  TrainerInputError,
} from "./index.js";

const V = 7;
let online: QNetwork;
let target: QNetwork;
let reference: QNetwork;

beforeAll(async () => {
  await selectBackend({ backend: "cpu" });
  const c = { vocabSize: V, nPositions: 12, nEmbd: 16, nLayer: 1, nHead: 2 };
  online = QNetwork.random(c, 1);
  target = QNetwork.random(c, 2);
  reference = QNetwork.random(c, 3);
});

afterAll(() => {
  online.dispose();
  target.dispose();
  reference.dispose();
});

function episodes(): Episode[] {
  return [
    {
      tokens: Int32Array.of(1, 3, 4, 5, 2),
      promptLength: 2,
      rewards: Float32Array.of(0.5, -1, 2),
      terminated: true,
    },
    {
      tokens: Int32Array.of(6, 4, 4, 1),
      promptLength: 1,
      rewards: Float32Array.of(1, 0, 0.25),
      terminated: false,
    },
  ];
}

/** Logit rows of one episode by a separate full forward pass: rows[j·V + a] = z(tokens[0..j], a). */
function rows(net: QNetwork, e: Episode): Float32Array {
  return tf.tidy(
    () => net.forward(tf.tensor2d(e.tokens, [1, e.tokens.length], "int32")).dataSync() as Float32Array,
  );
}

const lse = (z: Float32Array, row: number): number => {
  let m = Number.NEGATIVE_INFINITY;
  for (let a = 0; a < V; a++) m = Math.max(m, z[row * V + a]!);
  let s = 0;
  for (let a = 0; a < V; a++) s += Math.exp(z[row * V + a]! - m);
  return m + Math.log(s);
};

function allTransitions(eps: Episode[]): SampledTransition[] {
  const batch: SampledTransition[] = [];
  for (const e of eps)
    for (let t = 0; t < e.rewards.length; t++) batch.push({ episode: e, t, weight: 1, demo: false });
  return batch;
}

describe("soft objective: learner maths", () => {
  test.each([
    { nStep: 1, softTarget: "target" as const },
    { nStep: 2, softTarget: "target" as const },
    { nStep: 2, softTarget: "min" as const },
  ])(
    "TD errors equal hand-computed soft targets (γ 0.5, τ 0.7, n $nStep, $softTarget)",
    ({ nStep, softTarget }) => {
      const tau = 0.7;
      const g = 0.5;
      const cfg = resolveConfig({
        preset: "soft",
        dqn: { nStep, gamma: g, softTau: tau, softTarget, maxLengthTerminal: false },
      });
      const eps = episodes();
      const expected: number[] = [];
      for (const e of eps) {
        const [zo, zt, zr] = [rows(online, e), rows(target, e), rows(reference, e)];
        const P = e.promptLength;
        const T = e.rewards.length;
        // V(s) at row j: τ·(lse z_θ' − lse z_ref); "min" also takes the online network's soft value.
        const vAt = (j: number): number => {
          const vt = tau * (lse(zt, j) - lse(zr, j));
          return softTarget === "min" ? Math.min(vt, tau * (lse(zo, j) - lse(zr, j))) : vt;
        };
        for (let t = 0; t < T; t++) {
          const k = Math.min(nStep, T - t);
          let y = 0;
          for (let i = 0; i < k; i++) {
            y += g ** i * e.rewards[t + i]!;
            if (i > 0) {
              // KL cost of the intermediate action a_{t+i} at s_{t+i} (row P+t+i−1): τ·log(π_θ'/π_ref)
              const row = P + t + i - 1;
              const a = e.tokens[P + t + i]!;
              y -= g ** i * tau * (zt[row * V + a]! - lse(zt, row) - (zr[row * V + a]! - lse(zr, row)));
            }
          }
          if (!(t + k === T && e.terminated)) y += g ** k * vAt(P + t + k - 1);
          const row = P + t - 1;
          const a = e.tokens[P + t]!;
          const q = tau * (zo[row * V + a]! - zr[row * V + a]!);
          expected.push(Math.abs(y - q));
        }
      }
      const opt = new Adam(online.trainableVariables, 0);
      const s = learnerStep(allTransitions(eps), {
        cfg,
        online,
        target,
        reference,
        optimizer: opt,
        padId: 0,
      });
      opt.dispose();
      expect(s.ok).toBe(true);
      expected.forEach((x, i) => {
        expect(s.tdErrors[i], `transition ${i}`).toBeCloseTo(x, 5);
      });
      expect(s.kl).toBeGreaterThan(0); // online ≠ reference here
    },
  );

  test("Q is exactly 0 and the KL to the reference is 0 while θ = θ_ref; the targets are the rewards", () => {
    const cfg = resolveConfig({ preset: "soft", dqn: { maxLengthTerminal: true } });
    const start = reference.clone();
    const tgt = reference.clone();
    const opt = new Adam(start.trainableVariables, 0);
    const eps = episodes().map((e) => ({ ...e, terminated: true }));
    const s = learnerStep(allTransitions(eps), {
      cfg,
      online: start,
      target: tgt,
      reference,
      optimizer: opt,
      padId: 0,
    });
    expect(s.meanQ).toBe(0);
    expect(s.maxAbsQ).toBe(0);
    expect(Math.abs(s.kl)).toBeLessThan(1e-6);
    // one-step targets bootstrap V(s') = τ·(lse z_ref − lse z_ref) = 0: every TD error is |r_t|
    expect(Array.from(s.tdErrors)).toEqual(eps.flatMap((e) => Array.from(e.rewards, Math.abs)));
    opt.dispose();
    start.dispose();
    tgt.dispose();
  });

  test("the soft objective without a reference network is a typed error", () => {
    const cfg = resolveConfig({ preset: "soft" });
    const opt = new Adam(online.trainableVariables, 0);
    expect(() =>
      learnerStep(allTransitions(episodes()), { cfg, online, target, optimizer: opt, padId: 0 }),
    ).toThrow(TrainerInputError);
    opt.dispose();
  });

  test("no tensor leaks across learner steps, and the loop's tensor count is flat over 200 soft updates", async () => {
    const cfg = resolveConfig({ preset: "soft", dqn: { nStep: 2, softTarget: "min" } });
    const net = online.clone();
    const opt = new Adam(net.trainableVariables, 1e-3);
    const eps = episodes();
    const rng = new Rng(1);
    const step = () =>
      learnerStep(
        Array.from({ length: 8 }, () => {
          const e = eps[rng.nextInt(2)]!;
          return { episode: e, t: rng.nextInt(e.rewards.length), weight: 1, demo: false };
        }),
        { cfg, online: net, target, reference, optimizer: opt, padId: 0 },
      );
    step();
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) expect(step().ok).toBe(true);
    expect(tf.memory().numTensors).toBe(n0);
    opt.dispose();
    net.dispose();

    const logs: LogRecord[] = [];
    const loopCfg = resolveConfig({
      preset: "soft",
      data: { maxNewTokens: 4 },
      dqn: { updates: 200, batchSize: 8, rolloutBatch: 4, warmupTransitions: 8 },
      validation: { every: 50, patience: 0 },
      log: { every: 50 },
    });
    const task: TokenTask = {
      vocabSize: V,
      eosId: 1,
      padId: 0,
      prompts: { train: [Int32Array.of(2), Int32Array.of(3, 4)], validation: [Int32Array.of(2)], test: [] },
      score: (_s, _i, gen) => {
        const r = Float32Array.from(gen, (x) => (x === 3 ? 1 : 0));
        return { rewards: r, metric: r.reduce((a, b) => a + b, 0) };
      },
    };
    const o = reference.clone();
    const t = reference.clone();
    const op = new Adam(o.trainableVariables, loopCfg.dqn.learningRate);
    const counts: number[] = [];
    const loop = new DqnLoop(
      loopCfg,
      task,
      { online: o, target: t, reference, optimizer: op },
      {
        log: (r) => {
          if (r.phase === "dqn") counts.push(tf.memory().numTensors);
          logs.push(r);
        },
      },
      new Rng(1),
    );
    const m0 = tf.memory().numTensors;
    expect(await loop.run()).toBe("done");
    expect(counts.length).toBe(4);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(m0);
    const dqn = logs.filter((r) => r.phase === "dqn");
    for (const r of dqn)
      for (const k of ["tdLoss", "meanQ", "maxAbsQ", "q0", "v0", "kl", "entropy", "gradNorm"])
        expect(Number.isFinite(r[k] as number), `${k} at ${r.step}`).toBe(true);
    // learning moved the policy away from the reference: KL > 0, and the soft value of the start rose
    expect(dqn.at(-1)!.kl as number).toBeGreaterThan(0);
    expect(
      () =>
        new DqnLoop(loopCfg, task, { online: o, target: t, optimizer: op }, { log: () => {} }, new Rng(1)),
    ).toThrow(TrainerInputError);
    op.dispose();
    o.dispose();
    t.dispose();
  });
});
