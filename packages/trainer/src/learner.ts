/**
 * The DQN learner step. Sampled transitions are grouped by episode and each distinct episode goes through the
 * online and target networks ONCE: Q(s_t, ·) is the causal output at position P+t−1 and Q(s_{t+n}, ·) at
 * P+t+n−1, so a batch of transitions from a few episodes costs a few sequence passes, not one pass per
 * transition. Targets y are computed in plain JS from the downloaded rows (no gradient flows through them):
 *   y = Σ_{i<k} γ^i r_{t+i} + γ^k · Q_θ'(s_{t+k}, argmax_{a∈mask} Q_θ(s_{t+k}, a))   (Double DQN)
 *   y = Σ_{i<k} γ^i r_{t+i} + γ^k · max_{a∈mask} Q_θ'(s_{t+k}, a)                    (plain)
 * with no bootstrap when the episode ended within the window. The loss is the importance-weighted MSE or Huber
 * TD loss, plus the DQfD large-margin term on demonstration transitions and β·KL(softmax(Q/T) ‖ softmax(ref logits)).
 *
 * With `dqn.objective: "soft"` (see soft.ts) the networks output logits z, Q_θ = τ·(z_θ − z_ref) against the frozen
 * reference network, and the target is the soft (KL-regularised) backup
 *   y = Σ_{i<k} γ^i r_{t+i} − τ·Σ_{0<i<k} γ^i·log(π_θ'/π_ref)(a_{t+i}|s_{t+i}) + γ^k·V(s_{t+k}),
 *   V(s) = τ·[logsumexp_{a∈mask} z_θ'(s,a) − logsumexp_a z_ref(s,a)]      (softTarget "target")
 *   V(s) = min(that, the same with the online z_θ)                            (softTarget "min")
 * (the middle sum, the KL cost of the intermediate actions, is empty for the one-step target).
 */
import type { Episode } from "@dqnlm/core";
import * as tf from "@tensorflow/tfjs-core";
import type { TrainerConfig } from "./config.js";
import { TrainerInputError } from "./errors.js";
import { type Adam, globalNorm } from "./optim.js";
import { argmax, maskIndices } from "./policy.js";
import { logSumExp, softValue } from "./soft.js";

/** What the trainer needs from a Q-network (qnet's `QNetwork` satisfies it). */
export interface QModel {
  /** ids [B, T] int32 → Q [B, T, V]; output[b, t] = Q(ids[b, 0..t], ·). */
  forward(ids: tf.Tensor2D): tf.Tensor3D;
  readonly trainableVariables: readonly tf.Variable[];
}

/** One sampled transition. */
export interface SampledTransition {
  readonly episode: Episode;
  /** Step index t (0-based) within the episode. */
  readonly t: number;
  /** Importance weight (1 for uniform replay). */
  readonly weight: number;
  /** True when the episode is a demonstration (reference text). */
  readonly demo: boolean;
}

/** Diagnostics of one learner update. */
export interface UpdateStats {
  /** True when the update was applied; false when skipped by the NaN/Inf guard. */
  readonly ok: boolean;
  readonly loss: number;
  readonly tdLoss: number;
  readonly marginLoss: number;
  readonly kl: number;
  readonly meanQ: number;
  readonly maxAbsQ: number;
  readonly gradNorm: number;
  /** |δ_i| per transition (for priority updates). */
  readonly tdErrors: Float32Array;
  /** Distinct episodes forwarded (= forward passes per network). */
  readonly episodes: number;
  /** Tokens forwarded through the online network. */
  readonly tokens: number;
}

/** Options of {@link learnerStep}. */
export interface LearnerOptions {
  readonly cfg: TrainerConfig;
  readonly online: QModel;
  readonly target: QModel;
  /**
   * The frozen initial model: the KL term's reference (when `dqn.klWeight > 0`) and π_ref of the soft objective
   * (required when `dqn.objective` is `"soft"`).
   */
  readonly reference?: QModel;
  readonly optimizer: Adam;
  readonly padId: number;
  /**
   * Allowed actions after `prefix` for training example `index` (the episode's `refIndex`); null or [] = all.
   * The bootstrap max / Double-DQN argmax at s_{t+k} runs over them (replacing the top-k/top-p target mask).
   */
  readonly allowed?: (index: number, prefix: readonly number[]) => readonly number[] | null;
}

interface Layout {
  ids: Int32Array;
  rows: number;
  len: number;
  cur: Int32Array;
  actions: Int32Array;
  ret: Float64Array;
  disc: Float64Array;
  /** Row index into the flattened [rows·len] output of the bootstrap state, −1 for none. */
  next: Int32Array;
  /** Allowed actions at each bootstrap state (null: unconstrained). */
  nextAllowed: (readonly number[] | null)[];
  /**
   * Soft n-step only: the intermediate steps j = 1..k−1 of every transition, flattened: row of s_{t+j}, action
   * a_{t+j}, γ^j, the transition it belongs to, and the allowed actions at s_{t+j}.
   */
  mid: {
    row: Int32Array;
    action: Int32Array;
    disc: Float64Array;
    owner: Int32Array;
    allowed: (readonly number[] | null)[];
  };
}

function layout(
  batch: readonly SampledTransition[],
  cfg: TrainerConfig,
  padId: number,
  allowed?: LearnerOptions["allowed"],
  soft = false,
): Layout {
  const eps: Episode[] = [];
  const rowOf = new Map<Episode, number>();
  for (const tr of batch) {
    if (!rowOf.has(tr.episode)) {
      rowOf.set(tr.episode, eps.length);
      eps.push(tr.episode);
    }
  }
  const len = eps.reduce((m, e) => Math.max(m, e.tokens.length), 0);
  const ids = new Int32Array(eps.length * len).fill(padId);
  eps.forEach((e, r) => {
    ids.set(e.tokens, r * len);
  });
  const n = batch.length;
  const cur = new Int32Array(n);
  const actions = new Int32Array(n);
  const ret = new Float64Array(n);
  const disc = new Float64Array(n);
  const next = new Int32Array(n);
  const nextAllowed: (readonly number[] | null)[] = new Array(n).fill(null);
  const midRow: number[] = [];
  const midAction: number[] = [];
  const midDisc: number[] = [];
  const midOwner: number[] = [];
  const midAllowed: (readonly number[] | null)[] = [];
  const allowedAt = (e: Episode, steps: number): readonly number[] | null => {
    if (!allowed || e.refIndex === undefined) return null;
    const P = e.promptLength;
    const a = allowed(e.refIndex, Array.from(e.tokens.subarray(P, P + steps)));
    return a && a.length > 0 ? a : null;
  };
  const { gamma, nStep } = cfg.dqn;
  batch.forEach((tr, i) => {
    const e = tr.episode;
    const r = rowOf.get(e) as number;
    const P = e.promptLength;
    const T = e.tokens.length - P;
    cur[i] = r * len + P + tr.t - 1;
    actions[i] = e.tokens[P + tr.t] as number;
    const k = Math.min(nStep, T - tr.t);
    let g = 1;
    let R = 0;
    for (let j = 0; j < k; j++) {
      if (soft && j > 0) {
        midRow.push(r * len + P + tr.t + j - 1);
        midAction.push(e.tokens[P + tr.t + j] as number);
        midDisc.push(g);
        midOwner.push(i);
        midAllowed.push(allowedAt(e, tr.t + j));
      }
      R += g * (e.rewards[tr.t + j] as number);
      g *= gamma;
    }
    ret[i] = R;
    if (tr.t + k === T && e.terminated) {
      next[i] = -1;
      disc[i] = 0;
    } else {
      next[i] = r * len + P + tr.t + k - 1;
      disc[i] = g;
      nextAllowed[i] = allowedAt(e, tr.t + k);
    }
  });
  const mid = {
    row: Int32Array.from(midRow),
    action: Int32Array.from(midAction),
    disc: Float64Array.from(midDisc),
    owner: Int32Array.from(midOwner),
    allowed: midAllowed,
  };
  return { ids, rows: eps.length, len, cur, actions, ret, disc, next, nextAllowed, mid };
}

function huberOrMse(delta: tf.Tensor1D, cfg: TrainerConfig): tf.Tensor1D {
  if (cfg.dqn.loss === "mse") return tf.square(delta);
  const d = cfg.dqn.huberDelta;
  const a = tf.abs(delta);
  const quad = tf.minimum(a, d);
  return tf.add(tf.mul(tf.square(quad), 0.5), tf.mul(tf.sub(a, quad), d)) as tf.Tensor1D;
}

/**
 * The TD targets y_i for a layout, given the downloaded next-state rows of the target net and (for Double DQN
 * or the target mask) of the online net.
 */
function targets(
  L: Layout,
  cfg: TrainerConfig,
  V: number,
  tNext: Float32Array,
  oNext: Float32Array | null,
): Float64Array {
  const y = new Float64Array(L.cur.length);
  const { doubleDqn, targetMask } = cfg.dqn;
  const { topK, topP, temperature } = cfg.explore;
  let k = 0;
  for (let i = 0; i < y.length; i++) {
    if ((L.next[i] as number) < 0) {
      y[i] = L.ret[i] as number;
      continue;
    }
    const off = k * V;
    k++;
    let boot: number;
    const allowed = L.nextAllowed[i];
    if (allowed) {
      // Constrained MDP: argmax / max over the allowed actions of s_{t+k} only.
      if (doubleDqn) {
        const o = oNext as Float32Array;
        let a = allowed[0] as number;
        for (const b of allowed) if ((o[off + b] as number) > (o[off + a] as number)) a = b;
        boot = tNext[off + a] as number;
      } else {
        boot = Number.NEGATIVE_INFINITY;
        for (const b of allowed) boot = Math.max(boot, tNext[off + b] as number);
      }
    } else if (doubleDqn) {
      const o = oNext as Float32Array;
      const a = targetMask
        ? (maskIndices(o, off, V, topK, topP, temperature)[0] as number)
        : argmax(o, off, V);
      boot = tNext[off + a] as number;
    } else if (targetMask) {
      const cand = maskIndices(oNext as Float32Array, off, V, topK, topP, temperature);
      boot = Number.NEGATIVE_INFINITY;
      for (const a of cand) boot = Math.max(boot, tNext[off + a] as number);
    } else {
      boot = tNext[off] as number;
      for (let a = 1; a < V; a++) boot = Math.max(boot, tNext[off + a] as number);
    }
    y[i] = (L.ret[i] as number) + (L.disc[i] as number) * boot;
  }
  return y;
}

/**
 * Soft (KL-regularised) targets from downloaded logit rows at the auxiliary states: the bootstrap states
 * (`nextCount` rows, in transition order) followed by the intermediate states of the n-step window. `tAux`,
 * `rAux`, `oAux` are the target, reference and (for `softTarget: "min"` or the target mask) online rows.
 */
function softTargets(
  L: Layout,
  cfg: TrainerConfig,
  V: number,
  tAux: Float32Array,
  rAux: Float32Array,
  oAux: Float32Array | null,
): Float64Array {
  const y = new Float64Array(L.cur.length);
  const { softTau: tau, softTarget, targetMask } = cfg.dqn;
  const { topK, topP, temperature } = cfg.explore;
  // The mask of a bootstrap state: the allowed actions (constrained MDP), else the online policy's top-k/top-p
  // mask with `dqn.targetMask`, else every action.
  const maskAt = (off: number, allowed: readonly number[] | null): readonly number[] | null =>
    allowed ?? (targetMask && oAux ? maskIndices(oAux, off, V, topK, topP, temperature) : null);
  let k = 0;
  for (let i = 0; i < y.length; i++) {
    y[i] = L.ret[i] as number;
    if ((L.next[i] as number) < 0) continue;
    const off = k * V;
    k++;
    const mask = maskAt(off, L.nextAllowed[i] as readonly number[] | null);
    let v = softValue(tAux, rAux, off, V, tau, mask);
    if (softTarget === "min") v = Math.min(v, softValue(oAux as Float32Array, rAux, off, V, tau, mask));
    y[i] = (y[i] as number) + (L.disc[i] as number) * v;
  }
  // The KL cost τ·log(π_θ'/π_ref)(a|s) of every intermediate action of an n-step window (the entropy-regularised
  // n-step return; unbiased for actions drawn from the target policy, like any uncorrected n-step return). The
  // policy is normalised over the allowed actions of a constrained state, else over the whole vocabulary.
  for (let j = 0; j < L.mid.row.length; j++) {
    const off = (k + j) * V;
    const a = L.mid.action[j] as number;
    const lpT = (tAux[off + a] as number) - logSumExp(tAux, off, V, L.mid.allowed[j] ?? null);
    const lpR = (rAux[off + a] as number) - logSumExp(rAux, off, V, null);
    const o = L.mid.owner[j] as number;
    y[o] = (y[o] as number) - (L.mid.disc[j] as number) * tau * (lpT - lpR);
  }
  return y;
}

/** Everything an update computes before the online network's differentiable pass. */
interface Prepared {
  readonly L: Layout;
  readonly n: number;
  readonly soft: boolean;
  readonly auxIdx: Int32Array;
  readonly idsShape: [number, number];
  readonly tNext: Float32Array;
  /** z_ref at the current states (a tensor, disposed by the caller) and at the aux states. */
  readonly ref: { cur: tf.Tensor2D; aux: Float32Array } | null;
  readonly needOnlineNext: boolean;
  readonly demoRows: number[];
  readonly weights: Float32Array;
}

/** The diagnostics the loss writes while it is built. */
interface LossStats {
  tdLoss: number;
  marginLoss: number;
  kl: number;
  meanQ: number;
  maxAbsQ: number;
  tdErrors: Float32Array;
}

function checkReference(o: Omit<LearnerOptions, "optimizer" | "online">): boolean {
  const soft = o.cfg.dqn.objective === "soft";
  if (soft && !o.reference)
    throw new TrainerInputError(
      "reference",
      'dqn.objective is "soft", which needs the frozen reference network (π_ref) but none was given. Fix: pass ' +
        '`reference` (a frozen copy of the start model), or set dqn.objective to "dqn".',
    );
  return soft;
}

/** Rows `idx` of a row-major [·, V] array. */
function gatherRows(a: Float32Array, idx: Int32Array, V: number): Float32Array {
  const out = new Float32Array(idx.length * V);
  idx.forEach((r, i) => {
    out.set(a.subarray(r * V, (r + 1) * V), i * V);
  });
  return out;
}

/**
 * Layout, target rows and reference rows of an update (no gradient). `fwd`: the target's (and reference's)
 * whole output [rows·len·V] computed elsewhere (the onnxruntime engine); else tfjs forward passes.
 */
function prepare(
  batch: readonly SampledTransition[],
  o: Omit<LearnerOptions, "optimizer" | "online">,
  L0?: Layout,
  fwd?: { readonly target: Float32Array; readonly reference: Float32Array | null },
): Prepared {
  const { cfg, target } = o;
  const soft = checkReference(o);
  const L = L0 ?? layout(batch, cfg, o.padId, o.allowed, soft);
  const nextIdx = Int32Array.from(Array.from(L.next).filter((x) => x >= 0));
  // Rows read at states after s_t: the bootstrap states, then (soft n-step) the intermediate ones.
  const auxIdx = soft && L.mid.row.length > 0 ? Int32Array.from([...nextIdx, ...L.mid.row]) : nextIdx;
  const idsShape: [number, number] = [L.rows, L.len];

  const Vf = fwd ? fwd.target.length / (L.rows * L.len) : 0;
  // Target rows (and reference rows for KL / the soft objective): no gradient.
  const tNext = fwd
    ? gatherRows(fwd.target, auxIdx, Vf)
    : tf.tidy(() => {
        if (auxIdx.length === 0) return new Float32Array(0);
        const ids = tf.tensor2d(L.ids, idsShape, "int32");
        const q = target.forward(ids);
        const V = q.shape[2];
        return tf
          .gather(tf.reshape(q, [L.rows * L.len, V]), tf.tensor1d(auxIdx, "int32"))
          .dataSync() as Float32Array;
      });
  const klW = cfg.dqn.klWeight;
  // z_ref at the current states (kept as a tensor: Q = τ·(z_θ − z_ref) and the KL term) and at the aux states.
  const fref = fwd?.reference;
  const ref =
    (klW > 0 || soft) && o.reference && fref
      ? {
          cur: tf.tensor2d(gatherRows(fref, L.cur, Vf), [L.cur.length, Vf]),
          aux: soft && auxIdx.length > 0 ? gatherRows(fref, auxIdx, Vf) : new Float32Array(0),
        }
      : (klW > 0 || soft) && o.reference
        ? tf.tidy(() => {
            const refNet = o.reference as QModel;
            const q = refNet.forward(tf.tensor2d(L.ids, idsShape, "int32"));
            const V = q.shape[2];
            const flat = tf.reshape(q, [L.rows * L.len, V]);
            const cur = tf.gather(flat, tf.tensor1d(L.cur, "int32")) as tf.Tensor2D;
            const aux =
              soft && auxIdx.length > 0
                ? (tf.gather(flat, tf.tensor1d(auxIdx, "int32")).dataSync() as Float32Array)
                : new Float32Array(0);
            return { cur, aux };
          })
        : null;

  const needOnlineNext = soft
    ? cfg.dqn.softTarget === "min" || cfg.dqn.targetMask
    : cfg.dqn.doubleDqn || cfg.dqn.targetMask;
  return {
    L,
    n: batch.length,
    soft,
    auxIdx,
    idsShape,
    tNext,
    ref,
    needOnlineNext,
    demoRows: batch.flatMap((tr, i) => (tr.demo ? [i] : [])),
    weights: Float32Array.from(batch, (tr) => tr.weight),
  };
}

/**
 * The update's loss as a function of the online network's output `flat` [rows·len, V] (the padded episode rows
 * flattened): TD loss, DQfD margin, KL term. Both engines differentiate exactly this function — tfjs through the
 * network's variables, the onnxruntime engine w.r.t. `flat` only (then backward through the network on ORT).
 */
function lossOf(P: Prepared, cfg: TrainerConfig, flat: tf.Tensor2D, st: LossStats): tf.Scalar {
  const { L, n, soft, auxIdx, tNext, ref, demoRows, weights } = P;
  const V = flat.shape[1];
  const oNext =
    P.needOnlineNext && auxIdx.length > 0
      ? (tf.gather(flat, tf.tensor1d(auxIdx, "int32")).dataSync() as Float32Array)
      : null;
  const y = soft
    ? softTargets(L, cfg, V, tNext, (ref as { aux: Float32Array }).aux, oNext)
    : targets(L, cfg, V, tNext, oNext);
  const outRows = tf.gather(flat, tf.tensor1d(L.cur, "int32")) as tf.Tensor2D;
  // Q(s_t, ·): the network's output, or the soft objective's residual τ·(z_θ − z_ref).
  const curRows = soft
    ? (tf.mul(tf.sub(outRows, (ref as { cur: tf.Tensor2D }).cur), cfg.dqn.softTau) as tf.Tensor2D)
    : outRows;
  const pick = Int32Array.from(L.actions, (a, i) => i * V + a);
  const qa = tf.gather(tf.reshape(curRows, [n * V]), tf.tensor1d(pick, "int32")) as tf.Tensor1D;
  const qaVals = qa.dataSync() as Float32Array;
  st.maxAbsQ = (tf.max(tf.abs(curRows)).dataSync() as Float32Array)[0] as number;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = (y[i] as number) - (qaVals[i] as number);
    st.tdErrors[i] = Math.abs(d);
    sq += qaVals[i] as number;
  }
  st.meanQ = sq / n;
  const delta = tf.sub(tf.tensor1d(Float32Array.from(y)), qa) as tf.Tensor1D;
  const per = huberOrMse(delta, cfg);
  const td = tf.mean(tf.mul(per, tf.tensor1d(weights)));
  st.tdLoss = (td.dataSync() as Float32Array)[0] as number;
  let total: tf.Scalar = td as tf.Scalar;
  if (cfg.dqn.marginWeight > 0 && demoRows.length > 0) {
    const dIdx = tf.tensor1d(Int32Array.from(demoRows), "int32");
    const dq = tf.gather(curRows, dIdx) as tf.Tensor2D;
    const marg = new Float32Array(demoRows.length * V).fill(cfg.dqn.margin);
    demoRows.forEach((i, j) => {
      marg[j * V + (L.actions[i] as number)] = 0;
    });
    const qE = tf.gather(qa, dIdx);
    const m = tf.mean(tf.sub(tf.max(tf.add(dq, tf.tensor2d(marg, [demoRows.length, V])), 1), qE));
    st.marginLoss = (m.dataSync() as Float32Array)[0] as number;
    total = tf.add(total, tf.mul(m, cfg.dqn.marginWeight)) as tf.Scalar;
  }
  if (ref) {
    // KL(π ‖ π_ref) at the current states. π = softmax(Q/T) for "dqn"; for "soft" the policy itself,
    // softmax(z_θ) (logged always: the soft objective's distance from its start; a penalty only when klWeight > 0).
    const refLogp = tf.logSoftmax(ref.cur);
    const logp = tf.logSoftmax(soft ? outRows : tf.div(curRows, cfg.explore.temperature));
    const k = tf.mean(tf.sum(tf.mul(tf.exp(logp), tf.sub(logp, refLogp)), 1));
    st.kl = (k.dataSync() as Float32Array)[0] as number;
    if (cfg.dqn.klWeight > 0) total = tf.add(total, tf.mul(k, cfg.dqn.klWeight)) as tf.Scalar;
  }
  return total;
}

function newLossStats(n: number): LossStats {
  return { tdLoss: 0, marginLoss: 0, kl: 0, meanQ: 0, maxAbsQ: 0, tdErrors: new Float32Array(n) };
}

/**
 * One learner update on `batch`. Runs one forward pass per distinct episode on the target (and reference)
 * network and one differentiable pass on the online network, applies clipped Adam, and returns diagnostics.
 * A non-finite loss or gradient skips the update (`ok: false`) without touching the weights.
 */
export function learnerStep(batch: readonly SampledTransition[], o: LearnerOptions): UpdateStats {
  const { cfg, online, optimizer } = o;
  const P = prepare(batch, o);
  const { L } = P;
  const st = newLossStats(P.n);
  const vars = online.trainableVariables as tf.Variable[];
  const { value, grads } = tf.variableGrads(() => {
    const q = online.forward(tf.tensor2d(L.ids, P.idsShape, "int32"));
    return lossOf(P, cfg, tf.reshape(q, [L.rows * L.len, q.shape[2]]) as tf.Tensor2D, st);
  }, vars);
  P.ref?.cur.dispose();
  const loss = (value.dataSync() as Float32Array)[0] as number;
  value.dispose();
  // variableGrads omits variables the loss does not reach; they get a zero gradient.
  const zeros: tf.Tensor[] = [];
  const gradList = vars.map((v) => {
    const g = grads[v.name];
    if (g) return g;
    const z = tf.zerosLike(v);
    zeros.push(z);
    return z;
  });
  const gradNorm = globalNorm(gradList);
  const ok = Number.isFinite(loss) && Number.isFinite(gradNorm);
  if (ok) {
    const clip = cfg.dqn.gradClipNorm;
    const scale = clip > 0 && gradNorm > clip ? clip / gradNorm : 1;
    optimizer.apply(gradList, scale);
  }
  for (const g of Object.values(grads)) g.dispose();
  for (const z of zeros) z.dispose();
  return { ok, loss, ...st, gradNorm, episodes: L.rows, tokens: L.rows * L.len };
}

/** A forward pass on onnxruntime: token ids [B, T] → logits [B·T·V] row-major. */
export type OrtForward = (ids: {
  readonly ids: Int32Array;
  readonly batch: number;
  readonly seq: number;
}) => Promise<Float32Array>;

/**
 * What {@link learnerStepOrt} needs from the onnxruntime engine (qnet's `OrtLearner` satisfies it): the online
 * network's forward + backward from dL/dlogits, and clipped Adam on its own copy of the weights.
 */
export interface OrtStepEngine {
  gradients(
    ids: { readonly ids: Int32Array; readonly batch: number; readonly seq: number },
    dlogits: (logits: Float32Array, shape: readonly [number, number, number]) => Float32Array,
  ): Promise<{ logits: Float32Array; grads: ReadonlyMap<string, Float32Array> }>;
  applyGradients(
    grads: ReadonlyMap<string, Float32Array>,
    opts?: { clipNorm?: number },
  ): { norm: number; applied: boolean };
}

/**
 * {@link learnerStep} with the online network's forward and backward passes on onnxruntime (`dqn.engine: "ort"`):
 * the target / reference rows as in the tfjs step, the online logits from ORT, the same loss ({@link lossOf})
 * and its gradient w.r.t. the logits with tfjs (`tf.valueAndGrad` over a [rows·len, V] tensor), the weight
 * gradients from ORT's backward graph, then `dqn.gradClipNorm` and the engine's Adam (the trainer's rule). The
 * engine's weights change; writing them into the tfjs online network is the caller's job. A non-finite loss or
 * gradient skips the update (`ok: false`) without touching the weights or Adam's moments.
 */
export async function learnerStepOrt(
  batch: readonly SampledTransition[],
  o: Omit<LearnerOptions, "optimizer" | "online"> & {
    readonly engine: OrtStepEngine;
    /**
     * Forward passes of the target and reference networks on onnxruntime (ids → [B·T·V] row-major); without
     * them `target` / `reference` run on tfjs. The caller keeps their weights equal to the tfjs networks'.
     */
    readonly forward?: {
      readonly target: OrtForward;
      readonly reference?: OrtForward;
    };
  },
): Promise<UpdateStats> {
  const { cfg, engine } = o;
  let P: Prepared;
  if (o.forward) {
    const soft = checkReference(o);
    const L = layout(batch, cfg, o.padId, o.allowed, soft);
    const ids = { ids: L.ids, batch: L.rows, seq: L.len };
    const needRef = (cfg.dqn.klWeight > 0 || soft) && o.reference !== undefined;
    const target = await o.forward.target(ids);
    const reference = needRef && o.forward.reference ? await o.forward.reference(ids) : null;
    P = prepare(batch, o, L, { target, reference });
  } else {
    P = prepare(batch, o);
  }
  const { L } = P;
  const st = newLossStats(P.n);
  let loss = Number.NaN;
  let grads: ReadonlyMap<string, Float32Array>;
  try {
    ({ grads } = await engine.gradients({ ids: L.ids, batch: L.rows, seq: L.len }, (logits, shape) => {
      let dl: Float32Array = new Float32Array(0);
      // The array leaves the scope by closure, not as tidy's result: tidy walks a returned container
      // element by element, which costs seconds for a [rows·len, V] array.
      tf.tidy(() => {
        const flat = tf.tensor2d(logits, [shape[0] * shape[1], shape[2]], "float32");
        const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => lossOf(P, cfg, x as tf.Tensor2D, st))(flat);
        loss = (value.dataSync() as Float32Array)[0] as number;
        dl = grad.dataSync() as Float32Array;
      });
      return dl;
    }));
  } finally {
    P.ref?.cur.dispose();
  }
  let gradNorm: number;
  let ok = false;
  if (Number.isFinite(loss)) {
    const clip = cfg.dqn.gradClipNorm;
    const r = engine.applyGradients(grads, clip > 0 ? { clipNorm: clip } : {});
    gradNorm = r.norm;
    ok = r.applied;
  } else {
    let sq = 0;
    for (const g of grads.values())
      for (let i = 0; i < g.length; i++) sq += (g[i] as number) * (g[i] as number);
    gradNorm = Math.sqrt(sq);
  }
  return { ok, loss, ...st, gradNorm, episodes: L.rows, tokens: L.rows * L.len };
}
