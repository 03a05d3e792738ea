/**
 * MLE warm start: cross-entropy on prompt ⊕ SEP ⊕ reference ⊕ EOS with the loss on the target tokens only
 * (the output at position P−1+j predicts target token j). Batched, shuffled with the seeded RNG every epoch,
 * early-stopped on validation loss (the best weights are restored at the end). This is how tiny models trained
 * here become "pretrained"; the Q-head starts as this LM head.
 */
import type { Rng } from "@dqnlm/core";
import { loadOnnxRuntime, OrtLearner, type QNetwork } from "@dqnlm/qnet";
import * as tf from "@tensorflow/tfjs-core";
import type { TrainerConfig } from "./config.js";
import type { QModel } from "./learner.js";
import type { LogRecord } from "./metrics.js";
import { Adam, globalNorm } from "./optim.js";
import { readVariables, writeVariables } from "./tensors.js";

/** One (state, continuation) pair. */
export interface MlePair {
  readonly prompt: Int32Array;
  readonly target: Int32Array;
}

function batchTensors(pairs: readonly MlePair[], padId: number) {
  const len = pairs.reduce((m, p) => Math.max(m, p.prompt.length + p.target.length - 1), 1);
  const B = pairs.length;
  const ids = new Int32Array(B * len).fill(padId);
  const rows: number[] = [];
  const labels: number[] = [];
  pairs.forEach((p, b) => {
    const seq = new Int32Array(p.prompt.length + p.target.length);
    seq.set(p.prompt);
    seq.set(p.target, p.prompt.length);
    ids.set(seq.subarray(0, Math.min(len, seq.length)), b * len);
    for (let j = 0; j < p.target.length; j++) {
      rows.push(b * len + p.prompt.length - 1 + j);
      labels.push(p.target[j] as number);
    }
  });
  return {
    ids,
    shape: [B, len] as [number, number],
    rows: Int32Array.from(rows),
    labels: Int32Array.from(labels),
  };
}

/** Mean cross-entropy (nats per target token) as a tensor. */
function ceLoss(model: QModel, pairs: readonly MlePair[], padId: number): tf.Scalar {
  const t = batchTensors(pairs, padId);
  const q = model.forward(tf.tensor2d(t.ids, t.shape, "int32"));
  const V = q.shape[2];
  const rows = tf.gather(tf.reshape(q, [t.shape[0] * t.shape[1], V]), tf.tensor1d(t.rows, "int32"));
  const logp = tf.logSoftmax(rows);
  const pick = Int32Array.from(t.labels, (a, i) => i * V + a);
  return tf.neg(tf.mean(tf.gather(tf.reshape(logp, [-1]), tf.tensor1d(pick, "int32")))) as tf.Scalar;
}

/** Mean cross-entropy over `pairs` (no gradient), in batches. */
export function evalCrossEntropy(
  model: QModel,
  pairs: readonly MlePair[],
  padId: number,
  batchSize: number,
): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < pairs.length; i += batchSize) {
    const chunk = pairs.slice(i, i + batchSize);
    const toks = chunk.reduce((s, p) => s + p.target.length, 0);
    const l = tf.tidy(() => ceLoss(model, chunk, padId));
    sum += ((l.dataSync() as Float32Array)[0] as number) * toks;
    n += toks;
    l.dispose();
  }
  return n > 0 ? sum / n : Number.NaN;
}

/** Result of the warm start. */
export interface MleResult {
  readonly steps: number;
  readonly epochs: number;
  readonly bestValidLoss: number;
  readonly stoppedEarly: boolean;
}

type Progress = (step: number, total: number, live: Record<string, number>) => void;

/**
 * The warm start's schedule, shared by both engines: the seeded shuffle of every epoch, batches, the
 * `mle.maxSteps` cap, the per-epoch log record and early stopping on the validation loss (keeping the best
 * weights, of whatever form the engine snapshots).
 */
class MleSchedule<W> {
  step = 0;
  epoch = 0;
  best = Number.POSITIVE_INFINITY;
  bestWeights: W | null = null;
  stoppedEarly = false;
  /** The step cap was reached (no validation for the epoch it cut). */
  capped = false;
  readonly totalSteps: number;
  readonly #order: number[];
  #bad = 0;
  #sum = 0;
  #cnt = 0;

  constructor(
    readonly train: readonly MlePair[],
    readonly hasValidation: boolean,
    readonly m: TrainerConfig["mle"],
    readonly rng: Rng,
    readonly log: (r: LogRecord) => void,
    readonly progress?: Progress,
  ) {
    this.#order = train.map((_, i) => i);
    const perEpoch = Math.ceil(train.length / m.batchSize);
    this.totalSteps = m.maxSteps > 0 ? Math.min(m.maxSteps, perEpoch * m.epochs) : perEpoch * m.epochs;
  }

  /** Whether another epoch runs. */
  get running(): boolean {
    return !this.capped && !this.stoppedEarly && this.epoch < this.m.epochs;
  }

  /** This epoch's batches in a fresh shuffled order; ends early (setting `capped`) at `mle.maxSteps`. */
  *batches(): Generator<MlePair[]> {
    this.rng.shuffle(this.#order);
    this.#sum = 0;
    this.#cnt = 0;
    for (let i = 0; i < this.#order.length; i += this.m.batchSize) {
      if (this.m.maxSteps > 0 && this.step >= this.m.maxSteps) {
        this.capped = true;
        return;
      }
      yield this.#order.slice(i, i + this.m.batchSize).map((k) => this.train[k] as MlePair);
    }
  }

  /** One step done: its loss counts when `applied`, else a guard record says it was skipped (non-finite). */
  stepped(loss: number, applied: boolean): void {
    if (applied) {
      this.#sum += loss;
      this.#cnt++;
    } else {
      this.log({ phase: "guard", step: this.step, event: "mle-non-finite", loss });
    }
    this.step++;
    this.progress?.(this.step, this.totalSteps, { loss });
  }

  /** Ends the epoch: its log record, then early stopping (`snapshot` is called when the loss is a new best). */
  endEpoch(validLoss: number, snapshot: () => W): void {
    const trainLoss = this.#cnt > 0 ? this.#sum / this.#cnt : Number.NaN;
    this.log({ phase: "mle", step: this.step, epoch: this.epoch + 1, trainLoss, validLoss });
    this.epoch++;
    if (!this.hasValidation) return;
    if (validLoss < this.best) {
      this.best = validLoss;
      this.#bad = 0;
      this.bestWeights = snapshot();
    } else if (++this.#bad >= this.m.patience && this.m.patience > 0) {
      this.stoppedEarly = true;
    }
  }

  result(): MleResult {
    return {
      steps: this.step,
      epochs: this.epoch,
      bestValidLoss: this.best,
      stoppedEarly: this.stoppedEarly,
    };
  }
}

/** Runs the MLE warm start on `model` in place. */
export function mleWarmStart(
  model: QModel,
  train: readonly MlePair[],
  validation: readonly MlePair[],
  cfg: TrainerConfig,
  padId: number,
  rng: Rng,
  log: (r: LogRecord) => void,
  progress?: Progress,
): MleResult {
  const m = cfg.mle;
  const vars = model.trainableVariables as tf.Variable[];
  const opt = new Adam(vars, m.learningRate);
  const s = new MleSchedule<Map<string, Float32Array>>(train, validation.length > 0, m, rng, log, progress);
  try {
    while (s.running) {
      for (const chunk of s.batches()) {
        const { value, grads } = tf.variableGrads(() => ceLoss(model, chunk, padId), vars);
        const loss = (value.dataSync() as Float32Array)[0] as number;
        value.dispose();
        const list = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
        const norm = globalNorm(list);
        const ok = Number.isFinite(loss) && Number.isFinite(norm);
        if (ok) opt.apply(list, norm > 1 ? 1 / norm : 1);
        for (const g of list) g.dispose();
        s.stepped(loss, ok);
      }
      if (s.capped) break;
      const validLoss =
        validation.length > 0 ? evalCrossEntropy(model, validation, padId, m.batchSize) : Number.NaN;
      s.endEpoch(validLoss, () => readVariables(vars, "mle"));
    }
    if (s.bestWeights) writeVariables(vars, s.bestWeights, "mle", "MLE best weights");
  } finally {
    opt.dispose();
  }
  return s.result();
}

/** Row-major targets [B, T] for the ORT engine: the label at each loss row, −1 elsewhere. */
function ortTargets(t: ReturnType<typeof batchTensors>): Int32Array {
  const targets = new Int32Array(t.ids.length).fill(-1);
  for (let i = 0; i < t.rows.length; i++) targets[t.rows[i] as number] = t.labels[i] as number;
  return targets;
}

/** Mean cross-entropy over `pairs` from the learner's logits (no gradient), in batches. */
async function evalCrossEntropyOrt(
  learner: OrtLearner,
  pairs: readonly MlePair[],
  padId: number,
  batchSize: number,
): Promise<number> {
  const V = learner.config.vocabSize;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < pairs.length; i += batchSize) {
    const t = batchTensors(pairs.slice(i, i + batchSize), padId);
    const q = await learner.forward({ ids: t.ids, batch: t.shape[0], seq: t.shape[1] });
    for (let k = 0; k < t.rows.length; k++) {
      const o = (t.rows[k] as number) * V;
      let m = Number.NEGATIVE_INFINITY;
      for (let a = 0; a < V; a++) m = Math.max(m, q[o + a] as number);
      let z = 0;
      for (let a = 0; a < V; a++) z += Math.exp((q[o + a] as number) - m);
      sum += m + Math.log(z) - (q[o + (t.labels[k] as number)] as number);
      n++;
    }
  }
  return n > 0 ? sum / n : Number.NaN;
}

/**
 * {@link mleWarmStart} on qnet's onnxruntime-node learner engine (`mle.engine: "ort"`): the same shuffles,
 * batches, loss (mean cross-entropy over the target tokens), global-norm clip to 1, Adam update rule and early
 * stopping, with forward + backward in one native onnxruntime run per step (1 thread). The weights live in the
 * engine during the warm start and are written into `model` at the end (the best ones when there is a
 * validation set). Needs the optional peer `onnxruntime-node` (a typed `DQNLM_MISSING_DEPENDENCY` error names it).
 */
export async function mleWarmStartOrt(
  model: QNetwork,
  train: readonly MlePair[],
  validation: readonly MlePair[],
  cfg: TrainerConfig,
  padId: number,
  rng: Rng,
  log: (r: LogRecord) => void,
  progress?: Progress,
): Promise<MleResult> {
  const m = cfg.mle;
  const ort = loadOnnxRuntime('The trainer option mle.engine: "ort"');
  const learner = await OrtLearner.create(model, {
    ort,
    learningRate: m.learningRate,
    clipNorm: 1,
    threads: 1,
  });
  const s = new MleSchedule<Map<string, Float32Array>>(train, validation.length > 0, m, rng, log, progress);
  try {
    while (s.running) {
      for (const chunk of s.batches()) {
        const t = batchTensors(chunk, padId);
        const { loss, grads } = await learner.lossAndGradients(
          { ids: t.ids, batch: t.shape[0], seq: t.shape[1] },
          ortTargets(t),
        );
        s.stepped(loss, Number.isFinite(loss) && learner.applyGradients(grads).applied);
      }
      if (s.capped) break;
      const validLoss =
        validation.length > 0
          ? await evalCrossEntropyOrt(learner, validation, padId, m.batchSize)
          : Number.NaN;
      s.endEpoch(validLoss, () => new Map([...learner.weights].map(([k, v]) => [k, v.slice()])));
    }
    if (s.bestWeights) for (const [k, v] of s.bestWeights) learner.weights.get(k)?.set(v);
    learner.writeTo(model);
  } finally {
    await learner.dispose();
  }
  return s.result();
}
