/**
 * Helpers over Q-value tensors [..., V] used by DQN losses and action selection. All are plain tfjs ops (so
 * they differentiate and run on every backend); call them inside a tidy or dispose the results.
 */
import * as tf from "@tensorflow/tfjs-core";
import { QnetInputError } from "./errors.js";

/**
 * Q(s_t, a_t): picks `q[b, t, actions[b, t]]` from q [B, T, V] with int32 actions [B, T] → [B, T].
 * Differentiable in q (the gradient is a scatter into [B·T·V]).
 */
export function gatherQ(q: tf.Tensor3D, actions: tf.Tensor2D): tf.Tensor2D {
  const [B, T, V] = q.shape;
  if (actions.dtype !== "int32" || actions.shape[0] !== B || actions.shape[1] !== T) {
    throw new QnetInputError(
      `gatherQ actions must be int32 [${B}, ${T}] to match q [${q.shape}], received ${actions.dtype} [${actions.shape}]`,
      "actions",
    );
  }
  return tf.tidy(() => {
    const base = tf.mul(tf.range(0, B * T, 1, "int32"), tf.scalar(V, "int32"));
    const idx = tf.add(base, tf.reshape(actions, [B * T]));
    return tf.reshape(tf.gather(tf.reshape(q, [B * T * V]), idx), [B, T]) as tf.Tensor2D;
  });
}

/** max_a Q over the last axis. */
export function maxQ<R extends tf.Rank>(q: tf.Tensor<R>): tf.Tensor {
  return tf.max(q, -1);
}

/** argmax_a Q over the last axis (int32). */
export function argmaxQ<R extends tf.Rank>(q: tf.Tensor<R>): tf.Tensor {
  return tf.argMax(q, -1);
}

/**
 * A {0,1} float mask of the k largest entries along the last axis of `scores` (ties at the k-th value are
 * all kept). Used to restrict max/argmax to the LM's top-k tokens.
 */
export function topKMask(scores: tf.Tensor, k: number): tf.Tensor {
  const V = scores.shape[scores.rank - 1] as number;
  if (!Number.isInteger(k) || k < 1 || k > V) {
    throw new QnetInputError(`topKMask k must be an integer in 1..${V}, received ${k}`, "k");
  }
  return tf.tidy(() => {
    const { values } = tf.topk(scores, k, false);
    const kth = tf.min(values, -1, true);
    return tf.cast(tf.greaterEqual(scores, kth), "float32");
  });
}

/** max_a Q over the actions where `mask` is 1 (rows with an empty mask give −1e9). */
export function maskedMaxQ(q: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.max(tf.add(q, tf.mul(tf.sub(1, mask), -1e9)), -1));
}

/** argmax_a Q over the actions where `mask` is 1 (int32). */
export function maskedArgmaxQ(q: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.argMax(tf.add(q, tf.mul(tf.sub(1, mask), -1e9)), -1));
}

/**
 * Per-row softmax cross-entropy −log softmax(logits)[target] for logits [N, V] and int32 targets [N] → [N],
 * with a fused gradient (softmax − onehot). Uses the fast softmax kernel: log Σexp = −log max softmax.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const [N, V] = logits.shape;
  if (targets.dtype !== "int32" || targets.shape[0] !== N) {
    throw new QnetInputError(
      `targets must be int32 [${N}], received ${targets.dtype} [${targets.shape}]`,
      "targets",
    );
  }
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    const save = args[2] as tf.GradSaveFunc;
    const p = tf.softmax(x);
    const idx = tf.add(tf.mul(tf.range(0, N, 1, "int32"), tf.scalar(V, "int32")), targets);
    const xt = tf.gather(tf.reshape(x, [N * V]), idx);
    // −log p_t = (max x − x_t) − log(max p): exact, and never log(0) since max p ≥ 1/V.
    const loss = tf.sub(tf.sub(tf.max(x, 1), xt), tf.log(tf.max(p, 1)));
    save([p]);
    return {
      value: loss as tf.Tensor1D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const sp = saved[0] as tf.Tensor2D;
        // The one-hot is built as int32 and cast: tfjs-backend-wasm 4.22's OneHot ignores its dtype and writes
        // int32 bits, so a float32 one-hot reads 1.4e-45 there and the gradient would lose its −1 term
        // (qnet also patches that kernel in registerWasmKernels; this keeps a plain tf.setBackend("wasm") right).
        const onehot = tf.cast(tf.oneHot(targets, V), "float32");
        const g = tf.mul(tf.sub(sp, onehot), tf.expandDims(dy, 1));
        return [g, tf.zerosLike(targets)];
      },
    };
  });
  return f(logits, targets) as tf.Tensor1D;
}
