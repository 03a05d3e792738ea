import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The trainer's Adam (the reference the engine's update must match). A relative import: @dqnlm/trainer depends
// on qnet, so qnet cannot list it as a dependency; optim.ts itself imports only tfjs-core.
import { Adam } from "../../trainer/src/optim.js";
import {
  type GPT2Config,
  gatherQ,
  loadOnnxRuntime,
  OrtLearner,
  type OrtModuleLike,
  QNetwork,
  selectBackend,
  softmaxCrossEntropy,
} from "./index.js";

let ort: OrtModuleLike | undefined;
let why = "";
try {
  ort = loadOnnxRuntime();
} catch (err) {
  why = (err as Error).message;
}
if (!ort) {
  console.warn(`\n!!! onnxruntime-node cannot be loaded (${why}):\n!!! the OrtLearner tests are SKIPPED\n`);
}
const itOrt = ort ? it : it.skip;

const base: GPT2Config = { vocabSize: 29, nPositions: 12, nEmbd: 16, nLayer: 2, nHead: 4 };
const B = 3;
const T = 7;
const idsArr = Int32Array.from({ length: B * T }, (_, i) => (i * 11 + 5) % 29);
const targetsArr = Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 2) % 29);

/** max |a − b| ≤ rel · max |b| + abs */
function expectClose(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  rel: number,
  abs: number,
  what: string,
): void {
  expect(a.length, what).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  expect(diff, `${what}: max |Δ| ${diff} vs max |ref| ${scale}`).toBeLessThanOrEqual(rel * scale + abs);
}

/** tfjs reference: loss and gradients by HF name of `loss(q [B, T, V])`. */
function tfjsGrads(
  net: QNetwork,
  loss: (q: tf.Tensor3D) => tf.Scalar,
): { loss: number; grads: Map<string, Float32Array> } {
  const ids = tf.tensor2d(idsArr, [B, T], "int32");
  const { value, grads } = tf.variableGrads(() => loss(net.forward(ids)), net.trainableVariables);
  const out = new Map<string, Float32Array>();
  for (const [name, v] of net.namedVariables) out.set(name, grads[v.name]?.dataSync() as Float32Array);
  const l = value.dataSync()[0] as number;
  tf.dispose([ids, value, grads]);
  return { loss: l, grads: out };
}

describe("OrtLearner (onnxruntime-node learner engine)", () => {
  beforeAll(async () => {
    await selectBackend({ backend: "cpu" });
  });
  afterAll(async () => {
    await selectBackend({ backend: "cpu" });
  });

  for (const [label, extra] of [
    ["tied head", {}],
    ["untied head", { tieWordEmbeddings: false }],
    ["dueling head", { dueling: true }],
  ] as const) {
    itOrt(`${label}: forward, cross-entropy loss and every gradient equal qnet's tfjs ones`, async () => {
      const config = { ...base, ...extra };
      const net = QNetwork.random(config, 5, { allNormal: true });
      const learner = await OrtLearner.create(net);
      // forward
      const ids = tf.tensor2d(idsArr, [B, T], "int32");
      const q = net.forward(ids);
      expectClose(
        await learner.forward({ ids: idsArr, batch: B, seq: T }),
        q.dataSync(),
        1e-5,
        1e-6,
        "logits",
      );
      expectClose(await learner.forward(ids), q.dataSync(), 1e-5, 1e-6, "logits (tensor ids)");
      tf.dispose([q, ids]);
      // cross-entropy over every position, and with ignored positions (−1)
      const masked = targetsArr.map((t, i) => (i % 3 === 1 ? -1 : t));
      for (const targets of [targetsArr, masked]) {
        const rows = [...targets.keys()].filter((i) => (targets[i] as number) >= 0);
        const rowsT = tf.tensor1d(Int32Array.from(rows), "int32");
        const tgtT = tf.tensor1d(
          Int32Array.from(rows, (i) => targets[i] as number),
          "int32",
        );
        const ref = tfjsGrads(net, (qq) =>
          tf.mean(
            softmaxCrossEntropy(
              tf.gather(tf.reshape(qq, [B * T, config.vocabSize]), rowsT) as tf.Tensor2D,
              tgtT,
            ),
          ),
        );
        tf.dispose([rowsT, tgtT]);
        const got = await learner.lossAndGradients({ ids: idsArr, batch: B, seq: T }, targets);
        expect(Math.abs(got.loss - ref.loss)).toBeLessThan(1e-5 * Math.abs(ref.loss));
        expect([...got.grads.keys()]).toEqual([...ref.grads.keys()]);
        for (const [name, g] of ref.grads)
          expectClose(got.grads.get(name) as Float32Array, g, 1e-4, 1e-7, name);
      }
      await learner.dispose();
      net.dispose();
    });
  }

  itOrt(
    "generic path: gradients from a dL/dlogits computed with tfjs (DQN TD loss) equal tfjs' own",
    async () => {
      for (const extra of [{}, { tieWordEmbeddings: false }]) {
        const config = { ...base, ...extra };
        const V = config.vocabSize;
        const net = QNetwork.random(config, 9, { allNormal: true });
        const learner = await OrtLearner.create(net);
        const actions = tf.tensor2d(
          Int32Array.from({ length: B * T }, (_, i) => (i * 5) % V),
          [B, T],
          "int32",
        );
        const y = tf.tensor2d(
          Float32Array.from({ length: B * T }, (_, i) => Math.sin(i)),
          [B, T],
        );
        const td = (q: tf.Tensor3D): tf.Scalar => tf.losses.huberLoss(y, gatherQ(q, actions)) as tf.Scalar;
        const ref = tfjsGrads(net, td);
        const got = await learner.gradients({ ids: idsArr, batch: B, seq: T }, (logits, shape) => {
          const q = tf.tensor3d(logits, [...shape]);
          const dq = tf.grad((x: tf.Tensor) => td(x as tf.Tensor3D))(q);
          const out = dq.dataSync() as Float32Array;
          tf.dispose([q, dq]);
          return out;
        });
        expect(got.logits.length).toBe(B * T * V);
        for (const [name, g] of ref.grads)
          expectClose(got.grads.get(name) as Float32Array, g, 1e-4, 1e-7, name);
        tf.dispose([actions, y]);
        await learner.dispose();
        net.dispose();
      }
    },
  );

  itOrt(
    "Adam steps (with clipping) give the trainer's Adam weights to 1e-4, and writeTo puts them back",
    async () => {
      const net = QNetwork.random(base, 21);
      const ref = net.clone();
      const lr = 3e-3;
      const learner = await OrtLearner.create(net, { learningRate: lr, clipNorm: 1 });
      const adam = new Adam(ref.trainableVariables, lr);
      const ids = tf.tensor2d(idsArr, [B, T], "int32");
      const tgt = tf.tensor1d(targetsArr, "int32");
      for (let s = 0; s < 4; s++) {
        // the trainer's MLE path: variableGrads, global norm, scale = 1/norm when norm > 1, Adam.apply
        const vars = ref.trainableVariables;
        const { value, grads } = tf.variableGrads(
          () =>
            tf.mean(
              softmaxCrossEntropy(tf.reshape(ref.forward(ids), [B * T, base.vocabSize]) as tf.Tensor2D, tgt),
            ),
          vars,
        );
        const list = vars.map((v) => grads[v.name] as tf.Tensor);
        const norm = tf.tidy(
          () => tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))).dataSync()[0] as number,
        );
        adam.apply(list, norm > 1 ? 1 / norm : 1);
        const refLoss = value.dataSync()[0] as number;
        tf.dispose([value, grads]);
        const loss = await learner.step({ ids: idsArr, batch: B, seq: T }, targetsArr);
        expect(Math.abs(loss - refLoss)).toBeLessThan(1e-4);
      }
      expect(learner.updates).toBe(4);
      for (const [name, v] of ref.namedVariables) {
        expectClose(learner.weights.get(name) as Float32Array, v.dataSync(), 1e-4, 1e-6, name);
      }
      const state = learner.getState();
      const refState = adam.getState();
      expect(state.step).toBe(refState.step);
      for (const [i, m] of state.m.entries())
        expectClose(m, refState.m[i] as Float32Array, 1e-3, 1e-7, `m[${i}]`);
      // write back into a third network: its forward equals the learner's
      const other = QNetwork.random(base, 99);
      learner.writeTo(other);
      const q = other.forward(ids);
      expectClose(await learner.forward(ids), q.dataSync(), 1e-5, 1e-6, "logits after writeTo");
      // writeTo copies: a later step changes the learner's weights, not the network's (the cpu backend keeps
      // the arrays it is given, so without the copy `other` would silently follow the learner)
      const written = other.trainableVariables.map((v) => (v.dataSync() as Float32Array).slice());
      await learner.step({ ids: idsArr, batch: B, seq: T }, targetsArr);
      other.trainableVariables.forEach((v, i) => {
        expect(Array.from(v.dataSync()), v.name).toEqual(Array.from(written[i] as Float32Array));
      });
      tf.dispose([q, ids, tgt]);
      adam.dispose();
      await learner.dispose();
      for (const n of [net, ref, other]) n.dispose();
    },
  );

  itOrt("forwardOnly: same logits as a training learner, no moments, training methods throw", async () => {
    const net = QNetwork.random(base, 5);
    const full = await OrtLearner.create(net);
    const fwd = await OrtLearner.create(net, { forwardOnly: true });
    const ids = { ids: idsArr, batch: B, seq: T };
    expect(Array.from(await fwd.forward(ids))).toEqual(Array.from(await full.forward(ids)));
    expect(fwd.getState().m.every((m) => m.length === 0)).toBe(true);
    const { grads } = await full.gradients(ids, (l) => new Float32Array(l.length));
    expect(() => fwd.applyGradients(grads)).toThrow(
      expect.objectContaining({ code: "DQNLM_QNET_FORWARD_ONLY" }),
    );
    await expect(fwd.gradients(ids, (l) => l)).rejects.toMatchObject({ code: "DQNLM_QNET_FORWARD_ONLY" });
    await fwd.dispose();
    await full.dispose();
    net.dispose();
  });

  itOrt("trains a tiny LM: 50 steps lower the loss a lot", async () => {
    const config: GPT2Config = { vocabSize: 16, nPositions: 16, nEmbd: 32, nLayer: 2, nHead: 4 };
    const net = QNetwork.random(config, 3);
    const learner = await OrtLearner.create(net, { learningRate: 1e-2, clipNorm: 1 });
    // sequences counting up by 1 or 3 mod 16 from a random start: the next token follows from the last two
    const Bt = 8;
    const Tt = 12;
    const ids = new Int32Array(Bt * Tt);
    const targets = new Int32Array(Bt * Tt);
    for (let b = 0; b < Bt; b++) {
      const step = b % 2 ? 3 : 1;
      for (let t = 0; t < Tt; t++) {
        ids[b * Tt + t] = (b * 5 + t * step) % 16;
        targets[b * Tt + t] = t === Tt - 1 ? -1 : (b * 5 + (t + 1) * step) % 16;
      }
    }
    const batch = { ids, batch: Bt, seq: Tt };
    const first = await learner.step(batch, targets);
    let last = first;
    for (let s = 1; s < 50; s++) last = await learner.step(batch, targets);
    expect(first).toBeGreaterThan(2.5); // ≈ ln 16
    expect(last).toBeLessThan(0.5 * first);
    await learner.dispose();
    net.dispose();
  });

  itOrt("rejects bad inputs with typed errors, and use after dispose", async () => {
    const net = QNetwork.random(base, 1);
    const learner = await OrtLearner.create(net);
    await expect(
      learner.forward({ ids: Int32Array.from([1, 2, 99]), batch: 1, seq: 3 }),
    ).rejects.toMatchObject({
      code: "DQNLM_QNET_INPUT_INVALID",
    });
    await expect(learner.forward({ ids: new Int32Array(13), batch: 1, seq: 13 })).rejects.toMatchObject({
      code: "DQNLM_QNET_INPUT_INVALID",
    });
    await expect(
      learner.lossAndGradients({ ids: idsArr, batch: B, seq: T }, new Int32Array(3)),
    ).rejects.toMatchObject({
      code: "DQNLM_QNET_INPUT_INVALID",
      field: "targets",
    });
    await expect(
      learner.gradients({ ids: idsArr, batch: B, seq: T }, () => new Float32Array(2)),
    ).rejects.toMatchObject({ code: "DQNLM_QNET_INPUT_INVALID", field: "dlogits" });
    await expect(OrtLearner.create(net, { threads: 0 })).rejects.toMatchObject({
      code: "DQNLM_QNET_INPUT_INVALID",
    });
    const other = QNetwork.random({ ...base, nEmbd: 8 }, 1);
    expect(() => learner.writeTo(other)).toThrow(
      expect.objectContaining({ code: "DQNLM_QNET_SHAPE_MISMATCH" }),
    );
    await learner.dispose();
    await expect(learner.forward({ ids: idsArr, batch: B, seq: T })).rejects.toMatchObject({
      code: "DQNLM_QNET_DISPOSED",
    });
    other.dispose();
    net.dispose();
  });
});
