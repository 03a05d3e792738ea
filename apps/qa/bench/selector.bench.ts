/**
 * One learner update of the selection Q-function (forward, Huber loss, backward, Adam) on a batch of 128 rows with
 * 17 dense + 4,096 sparse features (the dialogue app's sizes), on the tfjs cpu backend: the selector's input as
 * two tensors (dense, sparse) against a baseline that packs one [128, 4113] tensor and slices its columns, as
 * the first version did. Run: npx -y pnpm@10 --filter @dqnlm/app-qa bench
 */
import { Rng } from "@dqnlm/core";
import * as tf from "@tensorflow/tfjs-core";
import { bench, describe } from "vitest";

await tf.setBackend("cpu");
const B = 128;
const D = 17;
const S = 4096;
const H = 32;
const rng = new Rng(1);
const dense = Float32Array.from({ length: B * D }, () => rng.nextNormal());
const sparse = new Float32Array(B * S);
for (let i = 0; i < B; i++) for (let k = 0; k < 40; k++) sparse[i * S + rng.nextInt(S)]! += 1;
const joined = new Float32Array(B * (D + S));
for (let i = 0; i < B; i++) {
  joined.set(dense.subarray(i * D, (i + 1) * D), i * (D + S));
  joined.set(sparse.subarray(i * S, (i + 1) * S), i * (D + S) + D);
}
const y = tf.tensor1d(Float32Array.from({ length: B }, () => rng.next()));
const w1 = tf.variable(tf.randomNormal([D, H], 0, 0.1, "float32", 7));
const w2 = tf.variable(tf.randomNormal([H, 1], 0, 0.1, "float32", 8));
const v = tf.variable(tf.zeros([S, 1]));
const opt = tf.train.adam(0.001);

function update(q: () => tf.Tensor): void {
  tf.tidy(() => {
    opt.minimize(() => tf.losses.huberLoss(y, tf.reshape(q(), [-1])) as tf.Scalar, false, [w1, w2, v]);
  });
}

describe("selector learner update, batch 128, 17 dense + 4,096 sparse features", () => {
  bench("one tensor, columns sliced (baseline)", () => {
    update(() => {
      const x = tf.tensor2d(joined, [B, D + S]);
      const h = tf.relu(tf.matMul(tf.slice(x, [0, 0], [-1, D]), w1));
      return tf.add(tf.matMul(h, w2), tf.matMul(tf.slice(x, [0, D], [-1, S]), v));
    });
  });
  bench("dense and sparse tensors (selector)", () => {
    update(() => {
      const h = tf.relu(tf.matMul(tf.tensor2d(dense, [B, D]), w1));
      return tf.add(tf.matMul(h, w2), tf.matMul(tf.tensor2d(sparse, [B, S]), v));
    });
  });
});
