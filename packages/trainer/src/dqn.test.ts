import { Rng } from "@dqnlm/core";
import { QNetwork, selectBackend } from "@dqnlm/qnet";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, test } from "vitest";
import {
  Adam,
  DqnLoop,
  type LogRecord,
  resolveConfig,
  type TokenTask,
  TrainingDivergedError,
} from "./index.js";

const V = 5;

function task(reward: (g: Int32Array) => number[]): TokenTask {
  return {
    vocabSize: V,
    eosId: 1,
    padId: 0,
    prompts: { train: [Int32Array.of(2), Int32Array.of(3, 4)], validation: [Int32Array.of(2)], test: [] },
    score: (_s, _i, g) => {
      const r = Float32Array.from(reward(g));
      return { rewards: r, metric: r.reduce((a, b) => a + b, 0) };
    },
  };
}

beforeAll(async () => {
  await selectBackend({ backend: "wasm" });
});

function setup(cfgIn: Parameters<typeof resolveConfig>[0], t: TokenTask, logs: LogRecord[]) {
  const cfg = resolveConfig(cfgIn);
  const online = QNetwork.random({ vocabSize: V, nPositions: 8, nEmbd: 8, nLayer: 1, nHead: 1 }, 1);
  const target = online.clone();
  const reference = online.clone();
  const optimizer = new Adam(online.trainableVariables, cfg.dqn.learningRate);
  const loop = new DqnLoop(
    cfg,
    t,
    { online, target, reference, optimizer },
    { log: (r) => logs.push(r) },
    new Rng(1),
  );
  const dispose = () => {
    optimizer.dispose();
    online.dispose();
    target.dispose();
    reference.dispose();
  };
  return { loop, dispose, online };
}

describe("DqnLoop", () => {
  test("tensor count is flat across 500 updates (rollouts, learner, target sync, validation)", async () => {
    const logs: LogRecord[] = [];
    const { loop, dispose } = setup(
      {
        preset: "stable",
        data: { maxNewTokens: 4 },
        dqn: { updates: 500, batchSize: 8, rolloutBatch: 4, warmupTransitions: 8, targetUpdateEvery: 7 },
        validation: { every: 50, patience: 0 },
        log: { every: 50 },
      },
      task((g) => Array.from(g, (x) => (x === 3 ? 1 : 0))),
      logs,
    );
    const counts: number[] = [];
    const n0 = tf.memory().numTensors;
    const orig = logs.push.bind(logs);
    logs.push = (...r: LogRecord[]) => {
      if (r[0]?.phase === "dqn") counts.push(tf.memory().numTensors);
      return orig(...r);
    };
    expect(await loop.run()).toBe("done");
    expect(loop.state.update).toBe(500);
    expect(counts.length).toBe(10);
    expect(new Set(counts).size).toBe(1); // identical at every log point
    expect(tf.memory().numTensors).toBe(n0);
    const last = logs.filter((r) => r.phase === "dqn").at(-1)!;
    for (const k of [
      "tdLoss",
      "meanQ",
      "maxAbsQ",
      "q0",
      "mcReturn",
      "kl",
      "entropy",
      "repetition",
      "empty",
      "gradNorm",
    ])
      expect(Number.isFinite(last[k] as number)).toBe(true);
    expect(last.replaySize).toBeGreaterThan(0);
    dispose();
  });

  test("NaN/Inf guard: skip, restore the last good weights, lower the LR, then give up with a typed error", async () => {
    const logs: LogRecord[] = [];
    const cfg = resolveConfig({
      preset: "seed",
      data: { maxNewTokens: 3 },
      dqn: { updates: 100, batchSize: 4, rolloutBatch: 4, warmupTransitions: 4, learningRate: 0.01 },
      validation: { every: 1000 },
      guards: { snapshotEvery: 5, maxConsecutiveFailures: 3, lrDecay: 0.5 },
      log: { every: 1000 },
    });
    const net = QNetwork.random({ vocabSize: V, nPositions: 8, nEmbd: 8, nLayer: 1, nHead: 1 }, 1);
    let poison = false;
    // A Q-model whose outputs turn NaN on demand (no decoder: rollouts recompute through forward).
    const online = {
      trainableVariables: net.trainableVariables,
      forward: (ids: tf.Tensor2D) =>
        tf.tidy(() => (poison ? tf.mul(net.forward(ids), Number.NaN) : net.forward(ids)) as tf.Tensor3D),
    };
    const target = net.clone();
    const optimizer = new Adam(net.trainableVariables, cfg.dqn.learningRate);
    let stopAt = 20;
    const loop: DqnLoop = new DqnLoop(
      cfg,
      task((g) => Array.from(g, () => 0.1)),
      { online, target, optimizer },
      { log: (r) => logs.push(r), shouldStop: (): boolean => loop.state.update >= stopAt },
      new Rng(2),
    );
    expect(await loop.run()).toBe("callback");
    expect(loop.state.update).toBe(20);
    const good = net.trainableVariables.map((v) => Array.from(v.dataSync()));
    poison = true;
    stopAt = 1000;
    const err = await loop.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as TrainingDivergedError).code).toBe("DQNLM_TRAINING_DIVERGED");
    const guards = logs.filter((r) => r.event === "non-finite-update");
    expect(guards.map((g) => [g.step, g.restored, g.learningRate])).toEqual([
      [20, true, 0.005],
      [21, true, 0.0025],
      [22, true, 0.00125],
    ]);
    // the snapshot taken at update 20 is what the weights were restored to
    expect(net.trainableVariables.map((v) => Array.from(v.dataSync()))).toEqual(good);
    optimizer.dispose();
    target.dispose();
    net.dispose();
  });
});
