/**
 * A tiny causal Q-model for engine tests that must not depend on qnet's transformer: position-specific token
 * embeddings, a causal cumulative sum over positions, and a 2-layer MLP head. It represents any function of the
 * prefix for small vocabularies and horizons, which is all the DP tests need.
 */
import type { Rng } from "@dqnlm/core";
import * as tf from "@tensorflow/tfjs";
import type { QModel } from "../learner.js";

export class TinyCausalQ implements QModel {
  readonly vocabSize: number;
  readonly maxLen: number;
  readonly emb: tf.Variable;
  readonly w1: tf.Variable;
  readonly b1: tf.Variable;
  readonly w2: tf.Variable;
  readonly b2: tf.Variable;

  constructor(vocabSize: number, maxLen: number, hidden: number, rng: Rng, name = "tiny") {
    this.vocabSize = vocabSize;
    this.maxLen = maxLen;
    const init = (shape: number[], std: number, n: string): tf.Variable =>
      tf.variable(tf.randomNormal(shape, 0, std, "float32", rng.tfSeed()), true, `${name}/${n}`);
    this.emb = init([maxLen * vocabSize, hidden], 0.5, "emb");
    this.w1 = init([hidden, hidden], 1 / Math.sqrt(hidden), "w1");
    this.b1 = tf.variable(tf.zeros([hidden]), true, `${name}/b1`);
    this.w2 = init([hidden, vocabSize], 0.02, "w2");
    this.b2 = tf.variable(tf.zeros([vocabSize]), true, `${name}/b2`);
  }

  get trainableVariables(): readonly tf.Variable[] {
    return [this.emb, this.w1, this.b1, this.w2, this.b2];
  }

  forward(ids: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = ids.shape;
      const pos = tf.mul(tf.range(0, T, 1, "int32"), tf.scalar(this.vocabSize, "int32")).reshape([1, T]);
      const idx = tf.add(ids, pos);
      const e = tf.gather(this.emb, tf.reshape(idx, [B * T]));
      // Causal prefix sum over positions as a matmul with an upper-triangular ones matrix (tfjs's cumsum
      // gradient is wrong for a non-last axis).
      const d = e.shape[1] as number;
      const upper = tf.linalg.bandPart(tf.ones([T, T]), 0, -1);
      const et = tf.reshape(tf.transpose(tf.reshape(e, [B, T, d]), [0, 2, 1]), [B * d, T]);
      const h = tf.transpose(tf.reshape(tf.matMul(et, upper), [B, d, T]), [0, 2, 1]);
      const h1 = tf.relu(tf.add(tf.matMul(tf.reshape(h, [B * T, -1]), this.w1), this.b1));
      return tf.reshape(tf.add(tf.matMul(h1, this.w2), this.b2), [B, T, this.vocabSize]) as tf.Tensor3D;
    });
  }

  copyFrom(o: TinyCausalQ): void {
    this.trainableVariables.forEach((v, i) => {
      v.assign(o.trainableVariables[i] as tf.Variable);
    });
  }

  dispose(): void {
    for (const v of this.trainableVariables) v.dispose();
  }
}
