/**
 * The onnxruntime-node learner engine (issue #12): qnet's GPT-2 training step — forward, backward, Adam — on
 * onnxruntime's native CPU kernels (MLAS GEMMs) instead of tfjs. The graphs come from ort-graph.ts (every
 * weight a graph input, the backward pass written as ordinary ONNX ops); the weights and Adam's moments live
 * here as Float32Arrays and the update runs in JavaScript, with exactly the update rule of the trainer's Adam
 * (packages/trainer/src/optim.ts). `readFrom` / `writeTo` move weights from / into a tfjs {@link QNetwork}.
 *
 * `onnxruntime-node` is an optional peer dependency: {@link OrtLearner.create} throws
 * {@link QnetMissingDependencyError} (code `DQNLM_MISSING_DEPENDENCY`) naming it when it cannot be loaded.
 */
import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs-core";
import type { ResolvedGPT2Config } from "./config.js";
import { QnetInputError, QnetMissingDependencyError, QnetStateError } from "./errors.js";
import { buildGpt2OnnxModels, type Gpt2OnnxModels, gradName } from "./ort-graph.js";
import type { QNetwork } from "./qnetwork.js";

/** The slice of an onnxruntime `Tensor` used here. */
export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** The slice of an onnxruntime `InferenceSession` used here. */
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

/** The slice of the `onnxruntime-node` module used here (pass your own as {@link OrtLearnerOptions.ort}). */
export interface OrtModuleLike {
  readonly env: { readonly versions?: { readonly common?: string } };
  readonly Tensor: new (
    type: "float32" | "int32",
    data: Float32Array | Int32Array,
    dims: readonly number[],
  ) => OrtTensorLike;
  readonly InferenceSession: {
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSessionLike>;
  };
}

/**
 * Loads `onnxruntime-node` (resolved from qnet's location, i.e. the app's dependencies), or throws
 * {@link QnetMissingDependencyError} naming the package and the install command.
 */
export function loadOnnxRuntime(feature = "The onnxruntime-node learner engine (OrtLearner)"): OrtModuleLike {
  try {
    return createRequire(import.meta.url)("onnxruntime-node") as OrtModuleLike;
  } catch (err) {
    throw new QnetMissingDependencyError("onnxruntime-node", feature, err);
  }
}

/** Options of {@link OrtLearner.create}. */
export interface OrtLearnerOptions {
  /** onnxruntime intra-op threads. @default 1 */
  threads?: number;
  /**
   * Let idle onnxruntime worker threads spin-wait (onnxruntime's own default). Off here: on a machine whose
   * cores are all busy, spinning threads steal the time of the thread doing the work. @default false
   */
  spinning?: boolean;
  /** Adam learning rate. @default 1e-4 */
  learningRate?: number;
  /** @default 0.9 */
  beta1?: number;
  /** @default 0.999 */
  beta2?: number;
  /** @default 1e-8 */
  epsilon?: number;
  /** Clip gradients to this global L2 norm before Adam in {@link OrtLearner.step} and `applyGradients`. */
  clipNorm?: number;
  /** The onnxruntime module to use instead of `require("onnxruntime-node")`. */
  ort?: OrtModuleLike;
  /**
   * Forward passes only (e.g. a target or reference network): no Adam moments are allocated, the forward session
   * is compiled instead of the training one, and the training methods throw. @default false
   */
  forwardOnly?: boolean;
}

/** Token ids [B, T]: an int32 tfjs tensor, or the values row-major with the shape. */
export type TokenBatch =
  | tf.Tensor2D
  | { readonly ids: Int32Array; readonly batch: number; readonly seq: number };

/** Adam's state (same layout as the trainer's `AdamState`: moments in parameter order). */
export interface OrtAdamState {
  readonly step: number;
  readonly learningRate: number;
  readonly m: readonly Float32Array[];
  readonly v: readonly Float32Array[];
}

/** Gradients by HF weight name. */
export type OrtGradients = Map<string, Float32Array>;

/** dL/dlogits from the logits ([B, T, V] row-major, shape given): a Float32Array of the same size. */
export type DlogitsFn = (
  logits: Float32Array,
  shape: readonly [number, number, number],
) => Float32Array | Promise<Float32Array>;

type SessionKind = "forward" | "ce" | "splitForward" | "splitBackward";

/** A GPT-2 learner on onnxruntime-node: LM cross-entropy steps, generic gradients from dL/dlogits, Adam. */
export class OrtLearner {
  /** The network's configuration. */
  readonly config: ResolvedGPT2Config;
  /** Adam learning rate (may be changed between steps). */
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Global-norm clip of {@link step} / {@link applyGradients} (undefined: none). */
  clipNorm: number | undefined;
  /** onnxruntime intra-op threads. */
  readonly threads: number;
  /** Created with {@link OrtLearnerOptions.forwardOnly}: forward passes only. */
  readonly forwardOnly: boolean;
  readonly #ort: OrtModuleLike;
  readonly #models: Gpt2OnnxModels;
  readonly #spinning: boolean;
  readonly #w: Map<string, Float32Array>;
  readonly #shapes: Map<string, readonly number[]>;
  readonly #m: Float32Array[];
  readonly #v: Float32Array[];
  readonly #sessions = new Map<SessionKind, Promise<OrtSessionLike>>();
  #t = 0;
  #disposed = false;

  private constructor(ort: OrtModuleLike, config: ResolvedGPT2Config, opts: OrtLearnerOptions) {
    this.#ort = ort;
    this.config = config;
    this.threads = opts.threads ?? 1;
    this.#spinning = opts.spinning ?? false;
    this.learningRate = opts.learningRate ?? 1e-4;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-8;
    this.clipNorm = opts.clipNorm;
    this.#models = buildGpt2OnnxModels(config);
    this.#w = new Map();
    this.#shapes = new Map();
    for (const w of this.#models.weights) {
      this.#w.set(w.name, new Float32Array(w.shape.reduce((p, q) => p * q, 1)));
      this.#shapes.set(w.name, w.shape);
    }
    this.forwardOnly = opts.forwardOnly ?? false;
    const moment = (w: { name: string }) =>
      new Float32Array(this.forwardOnly ? 0 : (this.#w.get(w.name)?.length ?? 0));
    this.#m = this.#models.weights.map(moment);
    this.#v = this.#models.weights.map(moment);
  }

  /**
   * A learner for `net`'s architecture starting from its current weights (copied; `net` is not tied to the
   * learner: call {@link writeTo} to put trained weights back). Throws {@link QnetMissingDependencyError}
   * when onnxruntime-node cannot be loaded.
   */
  static async create(net: QNetwork, opts: OrtLearnerOptions = {}): Promise<OrtLearner> {
    const threads = opts.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new QnetInputError(`threads must be a positive integer, received ${threads}`, "threads");
    }
    for (const k of ["learningRate", "beta1", "beta2", "epsilon", "clipNorm"] as const) {
      const v = opts[k];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
        throw new QnetInputError(`${k} must be a finite number ≥ 0, received ${v}`, k);
      }
    }
    const ort = opts.ort ?? loadOnnxRuntime();
    const learner = new OrtLearner(ort, net.config, opts);
    learner.readFrom(net);
    // Compile the cross-entropy (or forward) session now so that a broken runtime fails here, not mid-training.
    await learner.#session(learner.forwardOnly ? "forward" : "ce");
    return learner;
  }

  /** onnxruntime's version string. */
  get ortVersion(): string {
    return this.#ort.env.versions?.common ?? "unknown";
  }

  /** The weights by HF name (live arrays in parameterSpecs order; modify only between calls). */
  get weights(): ReadonlyMap<string, Float32Array> {
    return this.#w;
  }

  /** Number of Adam updates applied. */
  get updates(): number {
    return this.#t;
  }

  #check(): void {
    if (this.#disposed) {
      throw new QnetStateError("DQNLM_QNET_DISPOSED", "This OrtLearner was disposed; create a new one.");
    }
  }

  #checkTrainable(what: string): void {
    this.#check();
    if (this.forwardOnly) {
      throw new QnetStateError(
        "DQNLM_QNET_FORWARD_ONLY",
        `This OrtLearner was created with forwardOnly: true; ${what} needs a training learner (forwardOnly: false).`,
      );
    }
  }

  #session(kind: SessionKind): Promise<OrtSessionLike> {
    let s = this.#sessions.get(kind);
    if (!s) {
      s = this.#ort.InferenceSession.create(this.#models[kind], {
        intraOpNumThreads: this.threads,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
        ...(this.#spinning
          ? {}
          : { extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } } }),
      });
      this.#sessions.set(kind, s);
    }
    return s;
  }

  /** Copies `net`'s weights into the learner (same config required). */
  readFrom(net: QNetwork): void {
    this.#check();
    const vars = net.namedVariables;
    for (const [name, arr] of this.#w) {
      const v = vars.get(name);
      if (!v || v.size !== arr.length) {
        throw new QnetStateError(
          "DQNLM_QNET_SHAPE_MISMATCH",
          `The network differs from the learner at ${name}: [${v?.shape ?? "missing"}] vs [${this.#shapes.get(name)}]`,
          name,
        );
      }
      arr.set(v.dataSync() as Float32Array);
    }
  }

  /** Writes the learner's weights into `net`'s variables (same config required). */
  writeTo(net: QNetwork): void {
    this.#check();
    const vars = net.namedVariables;
    tf.tidy(() => {
      for (const [name, arr] of this.#w) {
        const v = vars.get(name);
        if (!v || v.size !== arr.length) {
          throw new QnetStateError(
            "DQNLM_QNET_SHAPE_MISMATCH",
            `The network differs from the learner at ${name}: [${v?.shape ?? "missing"}] vs [${this.#shapes.get(name)}]`,
            name,
          );
        }
        // A copy: tfjs's cpu backend keeps the array it is given (no copy), so the variable — and any variable
        // later assigned from it, e.g. a hard-copied target — would alias the learner's live weights.
        v.assign(tf.tensor(arr.slice(), v.shape, "float32"));
      }
    });
  }

  #ids(ids: TokenBatch): { data: Int32Array; batch: number; seq: number } {
    let data: Int32Array;
    let batch: number;
    let seq: number;
    if (ids instanceof tf.Tensor) {
      if (ids.rank !== 2 || ids.dtype !== "int32") {
        throw new QnetInputError(
          `ids must be an int32 tensor [B, T], received ${ids.dtype} [${ids.shape}]`,
          "ids",
        );
      }
      [batch, seq] = ids.shape as [number, number];
      data = ids.dataSync() as Int32Array;
    } else {
      ({ ids: data, batch, seq } = ids);
      if (!(data instanceof Int32Array) || data.length !== batch * seq || !(batch >= 1)) {
        throw new QnetInputError(
          `ids must be an Int32Array of batch·seq = ${batch}·${seq} values, received ${data?.length}`,
          "ids",
        );
      }
    }
    if (seq < 1 || seq > this.config.nPositions) {
      throw new QnetInputError(
        `ids length T=${seq} must be in 1..nPositions (${this.config.nPositions})`,
        "ids",
      );
    }
    const V = this.config.vocabSize;
    for (const t of data) {
      if (!(t >= 0 && t < V)) throw new QnetInputError(`token id ${t} is outside [0, ${V})`, "ids");
    }
    return { data, batch, seq };
  }

  #feeds(ids: { data: Int32Array; batch: number; seq: number }): Record<string, OrtTensorLike> {
    const f: Record<string, OrtTensorLike> = {
      ids: new this.#ort.Tensor("int32", ids.data, [ids.batch, ids.seq]),
    };
    for (const [name, arr] of this.#w) {
      f[name] = new this.#ort.Tensor("float32", arr, this.#shapes.get(name) as readonly number[]);
    }
    return f;
  }

  async #run(kind: SessionKind, pool: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>> {
    const s = await this.#session(kind);
    const feeds: Record<string, OrtTensorLike> = {};
    for (const n of s.inputNames) {
      const t = pool[n];
      if (!t) throw new Error(`OrtLearner: no value for graph input ${n}`);
      feeds[n] = t;
    }
    return s.run(feeds);
  }

  #grads(out: Record<string, OrtTensorLike>): OrtGradients {
    const g: OrtGradients = new Map();
    for (const name of this.#w.keys()) g.set(name, out[gradName(name)]?.data as Float32Array);
    return g;
  }

  /** Q-values / logits [B, T, V] (row-major) for `ids`, from the learner's weights. */
  async forward(ids: TokenBatch): Promise<Float32Array> {
    this.#check();
    const out = await this.#run("forward", this.#feeds(this.#ids(ids)));
    return out.logits?.data as Float32Array;
  }

  /**
   * Mean next-token cross-entropy over the positions whose target is ≥ 0 (`targets` [B, T] row-major:
   * `targets[b·T + t]` is the token predicted at (b, t); −1 = no loss there) and its gradient for every weight,
   * in one onnxruntime run (forward, loss and backward in one graph).
   */
  async lossAndGradients(
    ids: TokenBatch,
    targets: Int32Array,
  ): Promise<{ loss: number; grads: OrtGradients }> {
    this.#checkTrainable("lossAndGradients");
    const x = this.#ids(ids);
    if (!(targets instanceof Int32Array) || targets.length !== x.data.length) {
      throw new QnetInputError(
        `targets must be an Int32Array of B·T = ${x.data.length} values, received ${targets?.length}`,
        "targets",
      );
    }
    const V = this.config.vocabSize;
    for (const t of targets) {
      if (!(t < V) || !Number.isInteger(t))
        throw new QnetInputError(`target ${t} is not in −1..${V - 1}`, "targets");
    }
    const pool = this.#feeds(x);
    pool.targets = new this.#ort.Tensor("int32", targets, [x.batch, x.seq]);
    const out = await this.#run("ce", pool);
    const loss = out.loss ? ((out.loss.data as Float32Array)[0] as number) : Number.NaN;
    return { loss, grads: this.#grads(out) };
  }

  /**
   * The generic path for any objective: runs the forward pass, calls `dlogits(logits, [B, T, V])` for
   * dL/dlogits (e.g. computed with tfjs from the logits: TD or soft-Q losses), then the backward pass. Returns
   * the logits and the gradient of every weight. The forward pass hands the activations the backward pass
   * reads across (no recomputation).
   */
  async gradients(
    ids: TokenBatch,
    dlogits: DlogitsFn,
  ): Promise<{ logits: Float32Array; grads: OrtGradients }> {
    this.#checkTrainable("gradients");
    const x = this.#ids(ids);
    const pool = this.#feeds(x);
    const fwd = await this.#run("splitForward", pool);
    const logits = fwd.logits?.data as Float32Array;
    const shape = [x.batch, x.seq, this.config.vocabSize] as const;
    const dl = await dlogits(logits, shape);
    if (!(dl instanceof Float32Array) || dl.length !== logits.length) {
      throw new QnetInputError(
        `dlogits must return a Float32Array of B·T·V = ${logits.length} values, received ${(dl as { length?: number })?.length}`,
        "dlogits",
      );
    }
    pool.dlogits = new this.#ort.Tensor("float32", dl, shape);
    for (const s of this.#models.saved) pool[s.input] = fwd[s.output] as OrtTensorLike;
    const out = await this.#run("splitBackward", pool);
    return { logits, grads: this.#grads(out) };
  }

  /**
   * One Adam update from `grads` (by weight name), after clipping to `clipNorm` (the learner's when omitted):
   * scale = clipNorm / ‖g‖ when ‖g‖ > clipNorm. Skipped (weights and moments untouched) when the norm is not
   * finite. Returns the global norm before clipping and whether the update was applied.
   */
  applyGradients(
    grads: ReadonlyMap<string, Float32Array>,
    opts: { clipNorm?: number } = {},
  ): {
    norm: number;
    applied: boolean;
  } {
    this.#checkTrainable("applyGradients");
    const list: Float32Array[] = [];
    let sq = 0;
    for (const [name, w] of this.#w) {
      const g = grads.get(name);
      if (!g || g.length !== w.length) {
        throw new QnetInputError(
          `gradient of ${name} is missing or has ${g?.length} values, expected ${w.length}`,
          name,
        );
      }
      for (let i = 0; i < g.length; i++) sq += (g[i] as number) * (g[i] as number);
      list.push(g);
    }
    const norm = Math.sqrt(sq);
    if (!Number.isFinite(norm)) return { norm, applied: false };
    const clip = opts.clipNorm ?? this.clipNorm;
    const scale = clip !== undefined && norm > clip ? clip / norm : 1;
    this.#t += 1;
    const t = this.#t;
    const { beta1: b1, beta2: b2, epsilon: eps } = this;
    // The trainer's Adam: lr_t = lr·√(1−β2ᵗ)/(1−β1ᵗ), x −= lr_t·m/(√v + ε).
    const lrT = (this.learningRate * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    let k = 0;
    for (const w of this.#w.values()) {
      const g = list[k] as Float32Array;
      const m = this.#m[k] as Float32Array;
      const v = this.#v[k] as Float32Array;
      for (let i = 0; i < w.length; i++) {
        const gi = (g[i] as number) * scale;
        const mi = b1 * (m[i] as number) + (1 - b1) * gi;
        const vi = b2 * (v[i] as number) + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] = (w[i] as number) - (lrT * mi) / (Math.sqrt(vi) + eps);
      }
      k++;
    }
    return { norm, applied: true };
  }

  /**
   * One LM training step: {@link lossAndGradients}, clip, Adam ({@link applyGradients}). Returns the loss
   * (NaN-safe: a non-finite loss or gradient norm skips the update).
   */
  async step(ids: TokenBatch, targets: Int32Array): Promise<number> {
    const { loss, grads } = await this.lossAndGradients(ids, targets);
    if (Number.isFinite(loss)) this.applyGradients(grads);
    return loss;
  }

  /** A copy of Adam's state. */
  getState(): OrtAdamState {
    return {
      step: this.#t,
      learningRate: this.learningRate,
      m: this.#m.map((a) => a.slice()),
      v: this.#v.map((a) => a.slice()),
    };
  }

  /** Restores Adam's state (e.g. from {@link getState} or the trainer's `Adam.getState()`). */
  setState(s: OrtAdamState): void {
    this.#checkTrainable("setState");
    if (s.m.length !== this.#m.length || s.v.length !== this.#v.length) {
      throw new QnetStateError(
        "DQNLM_QNET_SHAPE_MISMATCH",
        `optimizer state has ${s.m.length} moments, the model has ${this.#m.length} weights`,
      );
    }
    for (const [i, a] of s.m.entries()) (this.#m[i] as Float32Array).set(a);
    for (const [i, a] of s.v.entries()) (this.#v[i] as Float32Array).set(a);
    this.#t = s.step;
    this.learningRate = s.learningRate;
  }

  /** Releases the onnxruntime sessions. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    const all = [...this.#sessions.values()];
    this.#sessions.clear();
    for (const s of all) await (await s).release();
  }
}
