import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  argmaxQ,
  createTarget,
  gatherQ,
  maskedMaxQ,
  maxQ,
  QNetwork,
  selectBackend,
  softmaxCrossEntropy,
  syncTarget,
  tf,
  topKMask,
} from "./index.js";

const cfg = { vocabSize: 29, nPositions: 8, nEmbd: 16, nLayer: 1, nHead: 2 };
const W = "transformer.h.0.mlp.c_fc.weight";
const values = (n: QNetwork, name = W): Float32Array =>
  n.namedVariables.get(name)!.dataSync() as Float32Array;

describe("target network", () => {
  beforeAll(async () => {
    await selectBackend({ backend: "cpu" });
  });
  afterAll(async () => {
    await selectBackend({ backend: "cpu" });
  });

  it("init copy equals the online net; init random is N(0, 0.02) everywhere, independent of it", () => {
    const online = QNetwork.random(cfg, 1);
    const n0 = tf.memory().numTensors;
    const copy = createTarget(online);
    expect(Array.from(values(copy))).toEqual(Array.from(values(online)));
    const rnd = createTarget(online, { init: "random", std: 0.02, seed: 9 });
    expect(tf.memory().numTensors).toBe(n0 + 2 * online.trainableVariables.length);
    // pool every parameter (LayerNorm gains and biases too: the literal N(0, 0.02) form)
    let n = 0;
    let s = 0;
    let s2 = 0;
    for (const v of rnd.trainableVariables)
      for (const x of v.dataSync()) {
        n++;
        s += x;
        s2 += x * x;
      }
    const mean = s / n;
    const std = Math.sqrt(s2 / n - mean * mean);
    // n = 3904 draws: standard errors 0.02/√n ≈ 3.2e-4 (mean) and 0.02/√(2n) ≈ 2.3e-4 (std)
    expect(n).toBe(3904);
    expect(Math.abs(mean)).toBeLessThan(1.5e-3);
    expect(Math.abs(std - 0.02)).toBeLessThan(1e-3);
    expect(values(rnd, "transformer.ln_f.weight")[0]).not.toBe(1);
    // same seed, same target
    const rnd2 = createTarget(online, { init: "random", seed: 9 });
    expect(Array.from(values(rnd2))).toEqual(Array.from(values(rnd)));
    for (const x of [online, copy, rnd, rnd2]) x.dispose();
  });

  it("hard sync copies; polyak moves by τ; neither leaks", () => {
    const online = QNetwork.random(cfg, 1);
    const target = createTarget(online, { init: "random", seed: 3 });
    const o = values(online);
    const t0 = values(target);
    const n0 = tf.memory().numTensors;
    syncTarget(target, online, { mode: "polyak", tau: 0.1 });
    const t1 = values(target);
    for (const i of [0, 5, 100]) expect(t1[i]).toBeCloseTo(0.1 * o[i]! + 0.9 * t0[i]!, 7);
    syncTarget(target, online, { mode: "polyak", tau: 0.1 });
    const t2 = values(target);
    // after two steps the gap shrinks by 0.9² = 0.81
    for (const i of [0, 5, 100]) expect(t2[i]! - o[i]!).toBeCloseTo(0.81 * (t0[i]! - o[i]!), 7);
    syncTarget(target, online);
    expect(Array.from(values(target))).toEqual(Array.from(o));
    expect(tf.memory().numTensors).toBe(n0);
    online.dispose();
    target.dispose();
  });
});

describe("Q-value helpers", () => {
  it("gatherQ, maxQ, argmaxQ, topKMask and maskedMaxQ pick the right entries", () => {
    const q = tf.tensor3d(
      [
        [
          [1, 5, 3, 4],
          [9, 2, 8, 0],
        ],
      ],
      [1, 2, 4],
    );
    const a = tf.tensor2d([[2, 0]], [1, 2], "int32");
    expect(gatherQ(q, a).arraySync()).toEqual([[3, 9]]);
    expect(maxQ(q).arraySync()).toEqual([[5, 9]]);
    expect(argmaxQ(q).arraySync()).toEqual([[1, 0]]);
    const lm = tf.tensor3d(
      [
        [
          [0.1, 0.2, 0.9, 0.8],
          [0.5, 0.1, 0.3, 0.7],
        ],
      ],
      [1, 2, 4],
    );
    const mask = topKMask(lm, 2);
    expect(mask.arraySync()).toEqual([
      [
        [0, 0, 1, 1],
        [1, 0, 0, 1],
      ],
    ]);
    expect(maskedMaxQ(q, mask).arraySync()).toEqual([[4, 9]]);
    expect(() => topKMask(lm, 5)).toThrow(
      expect.objectContaining({ code: "DQNLM_QNET_INPUT_INVALID", field: "k" }),
    );
    tf.dispose([q, a, lm, mask]);
  });

  it("gatherQ is differentiable (gradient 1 at the taken action) on wasm too", async () => {
    await selectBackend({ backend: "wasm", strict: true });
    const q = tf.tensor3d(
      [
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      ],
      [1, 2, 3],
    );
    const a = tf.tensor2d([[2, 1]], [1, 2], "int32");
    const g = tf.grad((x: tf.Tensor) => tf.sum(gatherQ(x as tf.Tensor3D, a)))(q);
    expect(g.arraySync()).toEqual([
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
    ]);
    tf.dispose([q, a, g]);
    await selectBackend({ backend: "cpu" });
  });

  it("softmaxCrossEntropy equals −log softmax and has gradient softmax − onehot", () => {
    const x = tf.tensor2d(
      [
        [2, 0, -1],
        [0.5, 0.5, 3],
      ],
      [2, 3],
    );
    const y = tf.tensor1d([0, 1], "int32");
    const l = softmaxCrossEntropy(x, y).arraySync() as number[];
    // row 0: log(e² + 1 + e⁻¹) − 2 = 0.17437…; row 1: log(2e^0.5 + e³) − 0.5 = 2.66536…
    expect(l[0]).toBeCloseTo(Math.log(Math.exp(2) + 1 + Math.exp(-1)) - 2, 5);
    expect(l[1]).toBeCloseTo(Math.log(2 * Math.exp(0.5) + Math.exp(3)) - 0.5, 5);
    const g = tf
      .grad((z: tf.Tensor) => tf.sum(softmaxCrossEntropy(z as tf.Tensor2D, y)))(x)
      .arraySync() as number[][];
    const z0 = Math.exp(2) + 1 + Math.exp(-1);
    expect(g[0]![0]).toBeCloseTo(Math.exp(2) / z0 - 1, 5);
    expect(g[0]![2]).toBeCloseTo(Math.exp(-1) / z0, 5);
    tf.dispose([x, y]);
  });
});
