/**
 * KL-regularised soft Q-learning over a frozen reference model (`dqn.objective: "soft"`).
 *
 * Parametrisation: the online network is a full copy of the start LM and Q is its residual against the frozen
 * reference, Q_θ(s,a) = τ·(z_θ(s,a) − z_ref(s,a)) with z the logits. Then
 *   log π_ref(a|s) + Q_θ(s,a)/τ = z_θ(s,a) − logsumexp z_ref(s,·),
 * so the policy π ∝ π_ref·exp(Q/τ) is softmax(z_θ): acting and greedy decoding read the online network's logits
 * exactly as before, and at θ = θ_ref Q is 0 exactly (the policy IS the start model). The soft value is
 *   V(s) = τ·logsumexp_{a∈mask}(log π_ref(a|s) + Q(s,a)/τ) = τ·[logsumexp_{a∈mask} z_θ(s,a) − logsumexp_a z_ref(s,a)].
 * The helpers here work on downloaded rows (plain arrays); no tensors are created except in {@link softStart}.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { QModel } from "./learner.js";

/** log Σ_{a ∈ idx} exp(q[off + a]) (all n entries when `idx` is null), computed stably. */
export function logSumExp(
  q: ArrayLike<number>,
  off: number,
  n: number,
  idx: readonly number[] | null,
): number {
  let m = Number.NEGATIVE_INFINITY;
  if (idx) for (const a of idx) m = Math.max(m, q[off + a] as number);
  else for (let a = 0; a < n; a++) m = Math.max(m, q[off + a] as number);
  if (!Number.isFinite(m)) return m;
  let z = 0;
  if (idx) for (const a of idx) z += Math.exp((q[off + a] as number) - m);
  else for (let a = 0; a < n; a++) z += Math.exp((q[off + a] as number) - m);
  return m + Math.log(z);
}

/**
 * Soft value of one state from its logit rows: τ·[logsumexp_{mask} z(s,·) − logsumexp z_ref(s,·)], where `z` is
 * the network whose policy is evaluated (target or online) and `mask` the allowed actions (null = all).
 */
export function softValue(
  z: ArrayLike<number>,
  zRef: ArrayLike<number>,
  off: number,
  V: number,
  tau: number,
  mask: readonly number[] | null,
): number {
  return tau * (logSumExp(z, off, V, mask) - logSumExp(zRef, off, V, null));
}

/**
 * Q_θ(s₀, a₀) = τ·(z_θ − z_ref)(s₀, a₀) and V_θ(s₀) = τ·[logsumexp z_θ(s₀) − logsumexp z_ref(s₀)] at the start
 * state of every prompt (diagnostics of the soft objective): one forward pass of each network over the
 * right-padded prompts.
 */
export function softStart(
  online: QModel,
  reference: QModel,
  prompts: readonly Int32Array[],
  firstActions: ArrayLike<number>,
  padId: number,
  tau: number,
): { q0: Float64Array; v0: Float64Array } {
  const B = prompts.length;
  const len = prompts.reduce((m, p) => Math.max(m, p.length), 1);
  const ids = new Int32Array(B * len).fill(padId);
  prompts.forEach((p, b) => {
    ids.set(p, b * len);
  });
  const last = Int32Array.from(prompts, (p, b) => b * len + p.length - 1);
  const [zo, zr] = tf.tidy(() => {
    const x = tf.tensor2d(ids, [B, len], "int32");
    const idx = tf.tensor1d(last, "int32");
    return [online, reference].map((net) => {
      const out = net.forward(x);
      const V = out.shape[2];
      return tf.gather(tf.reshape(out, [B * len, V]), idx).dataSync() as Float32Array;
    });
  }) as unknown as [Float32Array, Float32Array];
  const V = zo.length / Math.max(1, B);
  const q0 = new Float64Array(B);
  const v0 = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const off = b * V;
    const a = firstActions[b] as number;
    q0[b] = tau * ((zo[off + a] as number) - (zr[off + a] as number));
    v0[b] = softValue(zo, zr, off, V, tau, null);
  }
  return { q0, v0 };
}
