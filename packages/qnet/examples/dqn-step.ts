// One-pass DQN updates over whole episodes, plus target sync. Run from packages/qnet:
// node --conditions=source --import tsx examples/dqn-step.ts
import { createTarget, gatherQ, maxQ, QNetwork, selectBackend, syncTarget, tf } from "@dqnlm/qnet";

await selectBackend();
const V = 64;
const online = QNetwork.random({ vocabSize: V, nPositions: 32, nEmbd: 64, nLayer: 2, nHead: 4 }, 1);
const target = createTarget(online);
const opt = tf.train.adam(1e-3);
const gamma = 0.99;

// B episodes of T+1 tokens: transition t goes from prefix ids[:, :t+1] via action ids[:, t+1].
const B = 4;
const T = 12;
const ids = tf.tensor2d(
  Int32Array.from({ length: B * (T + 1) }, (_, i) => (i * 7) % V),
  [B, T + 1],
  "int32",
);
const actions = tf.slice(ids, [0, 1], [B, T]) as tf.Tensor2D;
const rewards = tf.tensor2d(
  Float32Array.from({ length: B * T }, (_, i) => (i % T === T - 1 ? 1 : 0)),
  [B, T],
);
const notDone = tf.tensor2d(
  Float32Array.from({ length: B * T }, (_, i) => (i % T === T - 1 ? 0 : 1)),
  [B, T],
);

const loss = (): tf.Scalar => {
  const q = online.forward(ids); // Q(s_t, ·) for every t in one pass
  const qTaken = gatherQ(tf.slice(q, [0, 0, 0], [B, T, V]) as tf.Tensor3D, actions);
  // Gradients flow only to online.trainableVariables, so the target pass needs no stop-gradient.
  const next = maxQ(tf.slice(target.forward(ids), [0, 1, 0], [B, T, V]));
  const y = tf.add(rewards, tf.mul(tf.mul(notDone, gamma), next));
  return tf.losses.huberLoss(y, qTaken) as tf.Scalar;
};
for (let step = 1; step <= 30; step++) {
  const value = online.trainStep(opt, loss, { clipNorm: 1 }); // grads computed, clipped, applied, freed
  syncTarget(target, online, { mode: "polyak", tau: 0.05 });
  if (step % 10 === 0) console.log(`step ${step}: TD loss ${value.toFixed(5)}`);
}
tf.dispose([ids, actions, rewards, notDone]);
opt.dispose();
online.dispose();
target.dispose();
console.log("tensors left:", tf.memory().numTensors);
