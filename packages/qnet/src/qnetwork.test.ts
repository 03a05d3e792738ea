import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GPT2Config, QNetwork, selectBackend } from "./index.js";

const small: GPT2Config = {
  vocabSize: 37,
  nPositions: 16,
  nEmbd: 32,
  nLayer: 2,
  nHead: 4,
  layerNormEpsilon: 1e-5,
};

function ids(): tf.Tensor2D {
  return tf.tensor2d(
    [
      [1, 5, 9, 2, 36, 0, 7],
      [3, 3, 3, 8, 1, 30, 12],
    ],
    [2, 7],
    "int32",
  );
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Forward values and gradients (of a fixed scalar loss) for every variable, on the active backend. */
function forwardAndGrads(seed: number): { q: Float32Array; grads: Float32Array[] } {
  const net = QNetwork.random(small, seed);
  const x = ids();
  const q = net.forward(x);
  const w = tf.tidy(() => tf.sin(tf.range(0, small.vocabSize, 1, "float32")));
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(net.forward(x), w)) as tf.Scalar,
    net.trainableVariables,
  );
  const out = {
    q: q.dataSync() as Float32Array,
    grads: net.trainableVariables.map((v) => grads[v.name]?.dataSync() as Float32Array),
  };
  tf.dispose([q, x, w, value, grads]);
  net.dispose();
  return out;
}

describe("QNetwork", () => {
  beforeAll(async () => {
    await selectBackend({ backend: "cpu" });
  });
  afterAll(async () => {
    await selectBackend({ backend: "cpu" });
  });

  it("gives the same weights and outputs for the same seed, and different ones for another seed", () => {
    const a = forwardAndGrads(7);
    const b = forwardAndGrads(7);
    const c = forwardAndGrads(8);
    expect(maxAbsDiff(a.q, b.q)).toBe(0);
    expect(maxAbsDiff(a.q, c.q)).toBeGreaterThan(1e-3);
  });

  it("gives equal forward values and gradients on cpu and wasm", async () => {
    await selectBackend({ backend: "cpu", strict: true });
    const onCpu = forwardAndGrads(3);
    await selectBackend({ backend: "wasm", strict: true });
    const onWasm = forwardAndGrads(3);
    await selectBackend({ backend: "cpu" });
    expect(maxAbsDiff(onCpu.q, onWasm.q)).toBeLessThan(1e-5);
    expect(onCpu.grads.length).toBe(onWasm.grads.length);
    let worst = 0;
    let norm = 0;
    for (let i = 0; i < onCpu.grads.length; i++) {
      const g = onCpu.grads[i] as Float32Array;
      worst = Math.max(worst, maxAbsDiff(g, onWasm.grads[i] as Float32Array));
      for (const v of g) norm = Math.max(norm, Math.abs(v));
    }
    expect(norm).toBeGreaterThan(1e-2); // the gradients are not trivially zero
    expect(worst).toBeLessThan(1e-4 * Math.max(1, norm));
  });

  it("is causal: Q at position t does not depend on later tokens", () => {
    const net = QNetwork.random(small, 1);
    const a = tf.tensor2d([[4, 5, 6, 7]], [1, 4], "int32");
    const b = tf.tensor2d([[4, 5, 20, 21]], [1, 4], "int32");
    const qa = net.forward(a).arraySync();
    const qb = net.forward(b).arraySync();
    expect(maxAbsDiff(qa[0]?.[1] as number[], qb[0]?.[1] as number[])).toBeLessThan(1e-6);
    expect(maxAbsDiff(qa[0]?.[2] as number[], qb[0]?.[2] as number[])).toBeGreaterThan(1e-4);
    tf.dispose([a, b]);
    net.dispose();
  });

  for (const backend of ["cpu", "wasm"] as const) {
    it(`leaks no tensors in forward, train step, sync and decode (${backend})`, async () => {
      await selectBackend({ backend, strict: true });
      const nStart = tf.memory().numTensors;
      const net = QNetwork.random({ ...small, dueling: true }, 2);
      const target = net.clone();
      const x = ids();
      const opt = tf.train.adam(1e-3);
      const loss = (): tf.Scalar => tf.mean(tf.square(net.forward(x))) as tf.Scalar;
      net.trainStep(opt, loss); // creates Adam's 2 slots per variable (+ its step counters)
      const n0 = tf.memory().numTensors;
      net.forward(x).dispose();
      expect(tf.memory().numTensors).toBe(n0);
      const l1 = net.trainStep(opt, loss, { clipNorm: 1 });
      const l2 = net.trainStep(opt, loss);
      expect(tf.memory().numTensors).toBe(n0);
      expect(l2).toBeLessThan(l1);
      target.copyFrom(net);
      target.polyakFrom(net, 0.1);
      expect(tf.memory().numTensors).toBe(n0);
      const dec = net.decoder(2);
      for (let t = 0; t < 3; t++) dec.step(Int32Array.from([t + 1, t + 2])).dispose();
      dec.dispose();
      expect(tf.memory().numTensors).toBe(n0);
      opt.dispose();
      net.dispose();
      target.dispose();
      x.dispose();
      expect(tf.memory().numTensors).toBe(nStart);
      await selectBackend({ backend: "cpu" });
    });
  }

  for (const backend of ["cpu", "wasm"] as const) {
    it(`KV-cache decoding equals the full forward pass to 1e-5 (${backend})`, async () => {
      await selectBackend({ backend, strict: true });
      const net = QNetwork.random({ ...small, nLayer: 3 }, 11);
      const x = ids();
      const full = net.forward(x);
      const fullV = full.arraySync();
      const rows = x.arraySync();
      const dec = net.decoder(2);
      let worst = 0;
      for (let t = 0; t < 7; t++) {
        const q = dec.step(Int32Array.from(rows.map((r) => r[t] as number)));
        const qv = q.arraySync();
        for (let b = 0; b < 2; b++)
          worst = Math.max(worst, maxAbsDiff(qv[b] as number[], fullV[b]?.[t] as number[]));
        q.dispose();
      }
      dec.dispose();
      expect(worst).toBeLessThan(1e-5);
      // prefill 4 tokens then step the rest
      const dec2 = net.decoder(2);
      const pre = tf.tensor2d(
        rows.map((r) => r.slice(0, 4)),
        [2, 4],
        "int32",
      );
      const q3 = dec2.prefill(pre);
      expect(maxAbsDiff(q3.arraySync()[1] as number[], fullV[1]?.[3] as number[])).toBeLessThan(1e-5);
      const q4 = dec2.step(Int32Array.from(rows.map((r) => r[4] as number)));
      expect(maxAbsDiff(q4.arraySync()[0] as number[], fullV[0]?.[4] as number[])).toBeLessThan(1e-5);
      expect(dec2.position).toBe(5);
      // steps first, then a multi-token block on top of the cache
      const dec3 = net.decoder(2);
      for (let t = 0; t < 2; t++) dec3.step(Int32Array.from(rows.map((r) => r[t] as number))).dispose();
      const block = tf.tensor2d(
        rows.map((r) => r.slice(2, 6)),
        [2, 4],
        "int32",
      );
      const q5 = dec3.prefill(block);
      expect(maxAbsDiff(q5.arraySync()[1] as number[], fullV[1]?.[5] as number[])).toBeLessThan(1e-5);
      tf.dispose([q5, block]);
      dec3.dispose();
      tf.dispose([q3, q4, pre, full, x]);
      dec2.dispose();
      net.dispose();
      await selectBackend({ backend: "cpu" });
    });
  }

  for (const backend of ["cpu", "wasm"] as const) {
    it(`decoder.reorder continues each row from the chosen row's cache (${backend})`, async () => {
      await selectBackend({ backend, strict: true });
      const net = QNetwork.random({ ...small, nLayer: 2 }, 5);
      const n0 = tf.memory().numTensors;
      // Three rows with different histories; after 3 tokens, rows become [2, 0, 0] and all are fed 4 more.
      const hist = [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ];
      const tail = [
        [10, 11, 12, 13],
        [14, 15, 16, 17],
        [18, 19, 20, 21],
      ];
      const order = [2, 0, 0];
      const dec = net.decoder(3);
      for (let t = 0; t < 3; t++) dec.step(Int32Array.from(hist.map((r) => r[t]!))).dispose();
      dec.reorder(Int32Array.from(order));
      const got: number[][] = [];
      for (let t = 0; t < 4; t++) {
        const q = dec.step(Int32Array.from(tail.map((r) => r[t]!)));
        got.push(...(q.arraySync() as number[][]));
        q.dispose();
      }
      dec.dispose();
      // Reference: full forward over the spliced sequences hist[order[r]] ⊕ tail[r].
      const seqs = order.map((o, r) => [...hist[o]!, ...tail[r]!]);
      const x = tf.tensor2d(seqs, [3, 7], "int32");
      const fullT = net.forward(x);
      const full = fullT.arraySync();
      let worst = 0;
      for (let t = 0; t < 4; t++)
        for (let r = 0; r < 3; r++) worst = Math.max(worst, maxAbsDiff(got[t * 3 + r]!, full[r]![3 + t]!));
      expect(worst).toBeLessThan(1e-5);
      tf.dispose([x, fullT]);
      expect(tf.memory().numTensors).toBe(n0);
      const bad = net.decoder(3);
      expect(() => bad.reorder(Int32Array.from([0, 1]))).toThrow(/reorder expects 3/);
      expect(() => bad.reorder(Int32Array.from([0, 1, 3]))).toThrow(/outside \[0, 3\)/);
      bad.dispose();
      net.dispose();
      await selectBackend({ backend: "cpu" });
    });
  }

  it("scaleOutput multiplies every Q by the factor (tied, untied and dueling heads), argmax unchanged", () => {
    for (const extra of [{}, { tieWordEmbeddings: false }, { dueling: true }] as const) {
      const net = QNetwork.random({ ...small, ...extra }, 9);
      const x = ids();
      const n0 = tf.memory().numTensors;
      const before = net.forward(x);
      const b = before.dataSync();
      const am = tf.tidy(() => tf.argMax(before, 2).arraySync());
      const wte = net.namedVariables.get("transformer.wte.weight")!.dataSync().slice();
      net.scaleOutput(0.1);
      const after = net.forward(x);
      const a = after.dataSync();
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - 0.1 * b[i]!));
      expect(worst, JSON.stringify(extra)).toBeLessThan(1e-5);
      expect(tf.tidy(() => tf.argMax(after, 2).arraySync())).toEqual(am);
      expect(net.namedVariables.get("transformer.wte.weight")!.dataSync()).toEqual(wte);
      tf.dispose([before, after]);
      expect(tf.memory().numTensors).toBe(n0);
      expect(() => net.scaleOutput(0)).toThrow(/factor must be a finite number > 0/);
      tf.dispose(x);
      net.dispose();
    }
  });

  it("withValueHead keeps every Q (tied and untied heads), adds a trainable state value, and refuses a dueling net", () => {
    for (const extra of [{}, { tieWordEmbeddings: false }] as const) {
      const net = QNetwork.random({ ...small, ...extra }, 4);
      const x = ids();
      const n0 = tf.memory().numTensors;
      const v = net.withValueHead();
      expect(v.config.dueling).toBe(true);
      expect(v.trainableVariables.length).toBe(net.trainableVariables.length + 2);
      const [q0, q1] = [net.forward(x), v.forward(x)];
      expect(maxAbsDiff(q0.dataSync(), q1.dataSync()), JSON.stringify(extra)).toBeLessThan(1e-5);
      // the value bias moves every Q of a state by the same amount (the policy softmax(Q) is unchanged)
      tf.tidy(() => v.namedVariables.get("value_head.bias")!.assign(tf.tensor1d([0.25])));
      const q2 = v.forward(x);
      const d = tf.tidy(() => tf.sub(q2, q0).dataSync());
      for (const z of d) expect(z).toBeCloseTo(0.25, 5);
      expect(() => v.withValueHead()).toThrow(/already has a value head/);
      // the source network is untouched and independent
      expect(net.config.dueling).toBe(false);
      tf.dispose([q0, q1, q2]);
      v.dispose();
      expect(tf.memory().numTensors).toBe(n0);
      tf.dispose(x);
      net.dispose();
    }
  });

  it("clone is independent; copyFrom and polyakFrom set the expected values", () => {
    const a = QNetwork.random(small, 1);
    const b = QNetwork.random(small, 2);
    const c = a.clone();
    const name = "transformer.h.1.mlp.c_fc.weight";
    const get = (n: QNetwork): Float32Array => n.namedVariables.get(name)?.dataSync() as Float32Array;
    const a0 = get(a);
    const b0 = get(b);
    expect(maxAbsDiff(get(c), a0)).toBe(0);
    c.polyakFrom(b, 0.25);
    const p = get(c);
    // θ ← 0.25·θ_b + 0.75·θ_a, checked elementwise
    for (const i of [0, 17, 500])
      expect(p[i]).toBeCloseTo(0.25 * (b0[i] as number) + 0.75 * (a0[i] as number), 6);
    expect(maxAbsDiff(get(a), a0)).toBe(0); // the source is untouched
    c.copyFrom(b);
    expect(maxAbsDiff(get(c), b0)).toBe(0);
    expect(() => a.polyakFrom(b, 1.5)).toThrow(/tau must be in \[0, 1\]/);
    const other = QNetwork.random({ ...small, nLayer: 1 }, 1);
    expect(() => a.copyFrom(other)).toThrow(expect.objectContaining({ code: "DQNLM_QNET_SHAPE_MISMATCH" }));
    for (const n of [a, b, c, other]) n.dispose();
    expect(() => a.forward(ids())).toThrow(expect.objectContaining({ code: "DQNLM_QNET_DISPOSED" }));
  });

  it("rejects bad inputs with a typed error", () => {
    const net = QNetwork.random(small, 1);
    const f = tf.tensor2d([[1, 2]], [1, 2], "float32");
    expect(() => net.forward(f)).toThrow(
      expect.objectContaining({ code: "DQNLM_QNET_INPUT_INVALID", field: "ids" }),
    );
    const long = tf.zeros([1, 17], "int32") as tf.Tensor2D;
    expect(() => net.forward(long)).toThrow(/nPositions \(16\)/);
    tf.dispose([f, long]);
    net.dispose();
    expect(() => QNetwork.random({ ...small, nHead: 5 }, 1)).toThrow(
      expect.objectContaining({ code: "DQNLM_QNET_CONFIG_INVALID", field: "nHead" }),
    );
  });
});
