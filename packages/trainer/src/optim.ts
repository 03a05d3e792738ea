/**
 * Adam with global-norm gradient clipping and an adjustable learning rate, written here (rather than
 * `tf.train.adam`) so that its whole state — moments and step count — can be saved and restored bit-exactly
 * and the learning rate lowered by the guards. Moments live in variables updated with `assign` inside `tidy`;
 * `dispose()` frees exactly what the optimizer created.
 */
import * as tf from "@tensorflow/tfjs-core";

/** Serialisable optimizer state (moments in variable order). */
export interface AdamState {
  readonly step: number;
  readonly learningRate: number;
  readonly m: readonly Float32Array[];
  readonly v: readonly Float32Array[];
}

function zeroVariable(like: tf.Variable): tf.Variable {
  const z = tf.zerosLike(like);
  const v = tf.variable(z, false);
  z.dispose(); // the variable holds its own reference to the data
  return v;
}

/** Adam (Kingma & Ba) over a fixed list of variables. */
export class Adam {
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  #step = 0;
  readonly #vars: readonly tf.Variable[];
  readonly #m: tf.Variable[];
  readonly #v: tf.Variable[];

  constructor(
    vars: readonly tf.Variable[],
    learningRate: number,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon = 1e-8,
  ) {
    this.#vars = vars;
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.#m = vars.map((v) => zeroVariable(v));
    this.#v = vars.map((v) => zeroVariable(v));
  }

  /** Number of updates applied. */
  get step(): number {
    return this.#step;
  }

  /** Applies one update from `grads` (same order as the variables). Does not dispose `grads`. */
  apply(grads: readonly tf.Tensor[], scale = 1): void {
    this.#step += 1;
    const t = this.#step;
    const lrT = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    tf.tidy(() => {
      for (let i = 0; i < this.#vars.length; i++) {
        const g = scale === 1 ? (grads[i] as tf.Tensor) : tf.mul(grads[i] as tf.Tensor, scale);
        const m = this.#m[i] as tf.Variable;
        const v = this.#v[i] as tf.Variable;
        const m1 = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        m.assign(m1);
        v.assign(v1);
        const upd = tf.div(tf.mul(m1, lrT), tf.add(tf.sqrt(v1), this.epsilon));
        const x = this.#vars[i] as tf.Variable;
        x.assign(tf.sub(x, upd));
      }
    });
  }

  /** A copy of the state (moments downloaded). */
  getState(): AdamState {
    return {
      step: this.#step,
      learningRate: this.learningRate,
      m: this.#m.map((x) => x.dataSync() as Float32Array).map((a) => a.slice()),
      v: this.#v.map((x) => x.dataSync() as Float32Array).map((a) => a.slice()),
    };
  }

  /** Restores a state from {@link getState}. */
  setState(s: AdamState): void {
    if (s.m.length !== this.#m.length || s.v.length !== this.#v.length)
      throw new RangeError(
        `optimizer state has ${s.m.length} moments, the model has ${this.#m.length} variables`,
      );
    this.#step = s.step;
    this.learningRate = s.learningRate;
    tf.tidy(() => {
      for (const [i, x] of this.#m.entries()) x.assign(tf.tensor(s.m[i] as Float32Array, x.shape, "float32"));
      for (const [i, x] of this.#v.entries()) x.assign(tf.tensor(s.v[i] as Float32Array, x.shape, "float32"));
    });
  }

  /** Frees the moment variables. */
  dispose(): void {
    for (const x of this.#m) x.dispose();
    for (const x of this.#v) x.dispose();
  }
}

/** Global L2 norm of `grads` (synchronous download of one scalar). */
export function globalNorm(grads: readonly tf.Tensor[]): number {
  const t = tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))));
  const n = (t.dataSync() as Float32Array)[0] as number;
  t.dispose();
  return n;
}

/**
 * What the DQN loop and its checkpoints need from an optimizer: the learning rate (lowered by the guards), the
 * step count and the state in {@link AdamState}'s layout. {@link Adam} and the onnxruntime engine
 * (`OrtDqnEngine`, `dqn.engine: "ort"`) implement it.
 */
export interface Optimizer {
  learningRate: number;
  readonly step: number;
  getState(): AdamState;
  setState(s: AdamState): void;
  dispose(): void;
}
