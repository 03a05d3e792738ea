import { Rng } from "@dqnlm/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GPT2Config, QNetwork, selectBackend, softmaxCrossEntropy, tf } from "./index.js";

const tiny: GPT2Config = { vocabSize: 50, nPositions: 16, nEmbd: 32, nLayer: 2, nHead: 4 };
const B = 4;
const T = 12;

/** A fixed batch: every row counts up modulo V from its own start, so the next token is learnable. */
function batch(): { ids: tf.Tensor2D; targets: tf.Tensor1D } {
  const V = tiny.vocabSize;
  const ids = new Int32Array(B * T);
  const tg = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      ids[b * T + t] = (7 * b + t) % V;
      tg[b * T + t] = (7 * b + t + 1) % V;
    }
  }
  return { ids: tf.tensor2d(ids, [B, T], "int32"), targets: tf.tensor1d(tg, "int32") };
}

const lmLoss = (net: QNetwork, ids: tf.Tensor2D, targets: tf.Tensor1D) => (): tf.Scalar =>
  tf.mean(softmaxCrossEntropy(tf.reshape(net.forward(ids), [B * T, tiny.vocabSize]), targets));

/** Loss and gradient of every variable of a seeded tiny LM under softmaxCrossEntropy, on the active backend. */
function lmGrads(seed: number): { loss: number; grads: Float32Array[] } {
  const net = QNetwork.random(tiny, seed);
  const { ids, targets } = batch();
  const { value, grads } = tf.variableGrads(lmLoss(net, ids, targets), net.trainableVariables);
  const out = {
    loss: value.dataSync()[0] as number,
    grads: net.trainableVariables.map((v) => grads[v.name]?.dataSync() as Float32Array),
  };
  tf.dispose([ids, targets, value, grads]);
  net.dispose();
  return out;
}

describe("softmaxCrossEntropy on wasm (OneHot dtype defect of tfjs-backend-wasm 4.22)", () => {
  beforeAll(async () => {
    await selectBackend({ backend: "cpu" });
  });
  afterAll(async () => {
    await selectBackend({ backend: "cpu" });
  });

  it("gives the cpu backend's per-row gradient softmax − onehot on wasm", async () => {
    await selectBackend({ backend: "wasm", strict: true });
    const x = tf.tensor2d([2, 0, -1, 0.5, 0.5, 3], [2, 3]);
    const y = tf.tensor1d([0, 2], "int32");
    const g = tf.grad((z: tf.Tensor) => tf.sum(softmaxCrossEntropy(z as tf.Tensor2D, y)))(x);
    const v = g.dataSync();
    // row 0: softmax(2, 0, −1) − e₀ = (e²/z − 1, 1/z, e⁻¹/z), z = e² + 1 + e⁻¹ = 8.7569…
    const z = Math.exp(2) + 1 + Math.exp(-1);
    expect(v[0]).toBeCloseTo(Math.exp(2) / z - 1, 5); // −0.1562…: the −1 term that the defect dropped
    expect(v[1]).toBeCloseTo(1 / z, 5);
    // row 1: target 2 → e³/(2e^0.5 + e³) − 1 = −0.1527…
    expect(v[5]).toBeCloseTo(Math.exp(3) / (2 * Math.exp(0.5) + Math.exp(3)) - 1, 5);
    tf.dispose([x, y, g]);
  });

  it("float32 tf.oneHot with on/off values equals cpu's on wasm (qnet's OneHot kernel patch)", async () => {
    const run = () =>
      tf.tidy(() =>
        Array.from(tf.oneHot(tf.tensor1d([0, 2, -1], "int32"), 3, 0.5, -0.25, "float32").dataSync()),
      );
    await selectBackend({ backend: "cpu", strict: true });
    const onCpu = run();
    await selectBackend({ backend: "wasm", strict: true });
    const onWasm = run();
    expect(onCpu).toEqual([0.5, -0.25, -0.25, -0.25, -0.25, 0.5, -0.25, -0.25, -0.25]);
    expect(onWasm).toEqual(onCpu);
    expect(Array.from(tf.tidy(() => tf.oneHot(tf.tensor1d([1], "int32"), 2).dataSync()))).toEqual([0, 1]);
  });

  it("trains a GPT-2 LM with the same loss and gradients (to 1e-4) on wasm as on cpu", async () => {
    await selectBackend({ backend: "cpu", strict: true });
    const onCpu = lmGrads(11);
    await selectBackend({ backend: "wasm", strict: true });
    const onWasm = lmGrads(11);
    // A random init predicts ~uniformly: loss ≈ log 50 = 3.91.
    expect(onCpu.loss).toBeGreaterThan(3.8);
    expect(Math.abs(onCpu.loss - onWasm.loss)).toBeLessThan(1e-4);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < onCpu.grads.length; i++) {
      const a = onCpu.grads[i] as Float32Array;
      const b = onWasm.grads[i] as Float32Array;
      expect(b.length).toBe(a.length);
      for (let j = 0; j < a.length; j++) {
        worst = Math.max(worst, Math.abs((a[j] as number) - (b[j] as number)));
        scale = Math.max(scale, Math.abs(a[j] as number));
      }
    }
    expect(scale).toBeGreaterThan(1e-3); // the gradients are not trivially zero
    expect(worst).toBeLessThan(1e-4);
  });

  it("lowers a tiny LM's loss on wasm (the defect left it at log V)", async () => {
    await selectBackend({ backend: "wasm", strict: true });
    const net = QNetwork.random(tiny, new Rng(5));
    const { ids, targets } = batch();
    const opt = tf.train.adam(1e-2);
    const n0 = tf.memory().numTensors;
    const first = net.trainStep(opt, lmLoss(net, ids, targets));
    let last = first;
    for (let s = 0; s < 40; s++) last = net.trainStep(opt, lmLoss(net, ids, targets));
    // Adam's two slots per variable are the only new tensors.
    expect(tf.memory().numTensors).toBe(n0 + 2 * net.trainableVariables.length);
    expect(first).toBeGreaterThan(3.8); // ≈ log 50
    expect(last).toBeLessThan(1.0); // a deterministic successor rule is learnt fast
    tf.dispose([ids, targets]);
    opt.dispose();
    net.dispose();
  });
});
