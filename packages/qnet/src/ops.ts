/**
 * Differentiable building blocks with hand-written gradients, shaped around the wasm backend's fast paths.
 * On wasm only a non-transposed, batch-1 matMul runs on XNNPACK (~30 GFLOP/s); a transposed or batched one
 * falls into a naive loop (~1–2.5 GFLOP/s). tfjs' own matMul gradient uses transposed matMuls, so `linear`
 * materialises the transposes (a cheap memory copy) before multiplying. Batched attention matmuls are run as
 * depthwise convolutions, which XNNPACK executes as grouped GEMMs (~12 GFLOP/s, 5× the naive loop).
 * All tensors here are time-major: rows of 2-D activations are (t, b) pairs.
 */
import * as tf from "@tensorflow/tfjs-core";

type Grad = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/** tf.customGrad with the inputs as an array and the save function passed separately. */
function custom<T extends tf.Tensor>(
  // Typed as a 4-tuple for destructuring; an op reads only as many inputs as it is called with.
  fn: (
    inputs: [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor],
    save: tf.GradSaveFunc,
  ) => { value: T; gradFunc: Grad },
): (...inputs: tf.Tensor[]) => T {
  const g = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return fn(args.slice(0, -1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor], save);
  });
  return (...inputs: tf.Tensor[]) => g(...inputs) as T;
}

/**
 * Σ over rows of a 2-D tensor as ones[1, N] @ y: wasm reduces over axis 0 by transposing first (~25 ms for
 * [1024, 1024]) while this matMul runs on XNNPACK (<1 ms).
 */
export function sumRows(y: tf.Tensor2D): tf.Tensor1D {
  const n = y.shape[0];
  return tf.reshape(tf.matMul(tf.ones([1, n]), y), [y.shape[1]]);
}

/** `x @ w (+ b)` for 2-D `x` [N, in] and `w` [in, out], with transposes materialised in the gradient. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const f = custom((args, save) => {
    const xi = args[0] as tf.Tensor2D;
    const wi = args[1] as tf.Tensor2D;
    save([xi, wi]);
    const bi = (args as tf.Tensor[]).length === 3 ? (args[2] as tf.Tensor1D) : undefined;
    const y = bi ? tf.add(tf.matMul(xi, wi), bi) : tf.matMul(xi, wi);
    return {
      value: y as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dy2 = dy as tf.Tensor2D;
        const dx = tf.matMul(dy2, tf.transpose(sw));
        // dW = xᵀ·dy computed as (dyᵀ·x)ᵀ: XNNPACK streams its right operand once per row tile, so the
        // small x [N, in] on the right is 1.3–1.9× faster than the wide dy [N, out] (measured on wasm).
        const dyT = tf.transpose(dy2);
        const dw = tf.transpose(tf.matMul(dyT, sx));
        // The bias gradient reuses dyᵀ: a reduction over its innermost axis is fast on every backend.
        return bi ? [dx, dw, tf.sum(dyT, 1)] : [dx, dw];
      },
    };
  });
  return (b ? f(x, w, b) : f(x, w)) as tf.Tensor2D;
}

/**
 * `x @ wᵀ` for `w` stored [out, in] (a tied embedding or an HF Linear weight). The gradient multiplies by
 * `w` directly, and dw = dyᵀ·x comes out in w's own layout.
 */
export function linearT(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const f = custom(([xi, wi], save) => {
    save([xi, wi]);
    return {
      value: tf.matMul(xi as tf.Tensor2D, tf.transpose(wi as tf.Tensor2D)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const sx = saved[0] as tf.Tensor2D;
        const sw = saved[1] as tf.Tensor2D;
        const dy2 = dy as tf.Tensor2D;
        return [tf.matMul(dy2, sw), tf.matMul(tf.transpose(dy2), sx)];
      },
    };
  });
  return f(x, w) as tf.Tensor2D;
}

const GELU_C = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (Hugging Face `gelu_new`): 0.5·x·(1 + tanh(c·(x + 0.044715·x³))). Computed as
 * x·σ(2c·(x + 0.044715·x³)), which is the same function: wasm's sigmoid is ~10× faster than its tanh.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  const f = custom(([xi], save) => {
    const x2 = tf.square(xi);
    const inner = tf.mul(xi, tf.add(tf.mul(x2, 0.044715 * 2 * GELU_C), 2 * GELU_C));
    const s = tf.sigmoid(inner);
    save([xi, x2, s]);
    return {
      value: tf.mul(xi, s),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sx2, ss] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        // d/dx [x·σ(u)] = σ + x·σ(1−σ)·u',  u' = 2c(1 + 3·0.044715·x²)
        const du = tf.add(tf.mul(sx2, 3 * 0.044715 * 2 * GELU_C), 2 * GELU_C);
        const g = tf.add(ss, tf.mul(tf.mul(sx, tf.mul(ss, tf.sub(1, ss))), du));
        return tf.mul(dy, g);
      },
    };
  });
  return f(x);
}

/** Layer normalisation over the last axis of a 2-D tensor, with a fused hand-written gradient. */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  const f = custom(([xi, g, bt], save) => {
    const mean = tf.mean(xi, 1, true);
    const xc = tf.sub(xi, mean);
    const variance = tf.mean(tf.square(xc), 1, true);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), bt) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, srstd, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dxhat = tf.mul(dy, sg);
        // dx = rstd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat))
        const m1 = tf.mean(dxhat, 1, true);
        const m2 = tf.mean(tf.mul(dxhat, sxhat), 1, true);
        const dx = tf.mul(tf.sub(tf.sub(dxhat, m1), tf.mul(sxhat, m2)), srstd);
        return [dx, sumRows(tf.mul(dy, sxhat) as tf.Tensor2D), sumRows(dy as tf.Tensor2D)];
      },
    };
  });
  return f(x, gamma, beta) as tf.Tensor2D;
}

/**
 * Per-channel matmul as a depthwise convolution: `input` (i, k, c) [M, K, C] and `filter` (k, c, j) [K, C, N]
 * give out (i, c, j) [M, C, N] with out[i,c,j] = Σ_k input[i,k,c]·filter[k,c,j].
 */
export function channelMatMul(input: tf.Tensor3D, filter: tf.Tensor3D): tf.Tensor3D {
  const [m, k, c] = input.shape;
  const n = filter.shape[2];
  const out = tf.depthwiseConv2d(
    tf.reshape(input, [1, m, k, c]) as tf.Tensor4D,
    tf.reshape(filter, [1, k, c, n]) as tf.Tensor4D,
    1,
    "valid",
  );
  return tf.reshape(out, [m, c, n]);
}

/** Additive causal mask [T, 1, T]: 0 where j ≤ i, −1e9 above the diagonal (call inside a tidy). */
function causalMask(t: number): tf.Tensor3D {
  const v = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) v[i * t + j] = -1e9;
  return tf.tensor3d(v, [t, 1, t]);
}

/**
 * Causal self-attention core, time-major: q, k, v are [T, C, dh] with C = batch·heads; returns [T, C, dh].
 * On wasm the four batched matmuls (two forward, four backward) run as depthwise convolutions; elsewhere
 * as batched matMuls (native backends have fast batched kernels).
 */
export function causalAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  const [t, , dh] = q.shape;
  const scale = 1 / Math.sqrt(dh);
  const mask = causalMask(t);
  if (tf.getBackend() !== "wasm") {
    const qb = tf.transpose(q, [1, 0, 2]);
    const kb = tf.transpose(k, [1, 0, 2]);
    const vb = tf.transpose(v, [1, 0, 2]);
    const s = tf.add(tf.mul(tf.matMul(qb, kb, false, true), scale), tf.transpose(mask, [1, 0, 2]));
    const p = tf.softmax(s);
    return tf.transpose(tf.matMul(p, vb), [1, 0, 2]) as tf.Tensor3D;
  }
  const f = custom(([qi, ki, vi], save) => {
    const q3 = qi as tf.Tensor3D;
    const k3 = ki as tf.Tensor3D;
    const v3 = vi as tf.Tensor3D;
    const s = channelMatMul(tf.transpose(q3, [0, 2, 1]), tf.transpose(k3, [2, 1, 0])); // (i, c, j)
    const p = tf.softmax(tf.add(tf.mul(s, scale), mask)) as tf.Tensor3D;
    save([q3, k3, v3, p]);
    return {
      value: channelMatMul(tf.transpose(p, [0, 2, 1]), v3), // (i, c, e)
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, sk, sv, sp] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        const dO = dy as tf.Tensor3D;
        const dP = channelMatMul(tf.transpose(dO, [0, 2, 1]), tf.transpose(sv, [2, 1, 0])); // (i, c, j)
        const dV = channelMatMul(tf.transpose(sp, [2, 0, 1]), dO); // (j, c, e)
        const dS = tf.mul(tf.mul(sp, tf.sub(dP, tf.sum(tf.mul(dP, sp), -1, true))), scale) as tf.Tensor3D;
        const dQ = channelMatMul(tf.transpose(dS, [0, 2, 1]), sk); // (i, c, k)
        const dK = channelMatMul(tf.transpose(dS, [2, 0, 1]), sq); // (j, c, k)
        return [dQ, dK, dV];
      },
    };
  });
  return f(q, k, v) as tf.Tensor3D;
}
