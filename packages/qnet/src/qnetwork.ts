/**
 * The GPT-2 Q-network. Q_θ(s_t, ·) is the vector of next-token values; initialised from a pretrained LM, it
 * starts as the LM's logits (the Q-head is the LM head, tied to the token embedding as in HF GPT-2).
 * Parameters are tf.Variables named exactly as Hugging Face's GPT2LMHeadModel (`transformer.h.0.attn.c_attn.weight`,
 * Conv1D orientation [in, out]), so checkpoints round-trip. Internally activations are time-major (rows are
 * (t, b) pairs), which lets attention run without per-head transposes (see ops.ts).
 */

import { Rng } from "@dqnlm/core";
import * as tf from "@tensorflow/tfjs-core";
import { type GPT2Config, type ResolvedGPT2Config, resolveConfig } from "./config.js";
import { QnetCheckpointError, QnetInputError, QnetStateError } from "./errors.js";
import { type PretrainedOptions, readHFFolder, resolvePretrained, writeHFFolder } from "./hf.js";
import { causalAttention, channelMatMul, gelu, layerNorm, linear, linearT } from "./ops.js";

/** Normalises a Hugging Face tensor name to its `transformer.`-prefixed form. */
export function hfName(name: string): string {
  return name.startsWith("transformer.") || name === "lm_head.weight" || name.startsWith("value_head.")
    ? name
    : `transformer.${name}`;
}

/** How a parameter is initialised by {@link QNetwork.random}. */
type Init = "normal" | "proj" | "zeros" | "ones";

/** Name, shape and initialiser of every parameter of a config, in a fixed order. */
export function parameterSpecs(config: GPT2Config): Array<{ name: string; shape: number[]; init: Init }> {
  const c = resolveConfig(config);
  const d = c.nEmbd;
  const specs: Array<{ name: string; shape: number[]; init: Init }> = [
    { name: "transformer.wte.weight", shape: [c.vocabSize, d], init: "normal" },
    { name: "transformer.wpe.weight", shape: [c.nPositions, d], init: "normal" },
  ];
  for (let i = 0; i < c.nLayer; i++) {
    const p = `transformer.h.${i}.`;
    specs.push(
      { name: `${p}ln_1.weight`, shape: [d], init: "ones" },
      { name: `${p}ln_1.bias`, shape: [d], init: "zeros" },
      { name: `${p}attn.c_attn.weight`, shape: [d, 3 * d], init: "normal" },
      { name: `${p}attn.c_attn.bias`, shape: [3 * d], init: "zeros" },
      { name: `${p}attn.c_proj.weight`, shape: [d, d], init: "proj" },
      { name: `${p}attn.c_proj.bias`, shape: [d], init: "zeros" },
      { name: `${p}ln_2.weight`, shape: [d], init: "ones" },
      { name: `${p}ln_2.bias`, shape: [d], init: "zeros" },
      { name: `${p}mlp.c_fc.weight`, shape: [d, c.nInner], init: "normal" },
      { name: `${p}mlp.c_fc.bias`, shape: [c.nInner], init: "zeros" },
      { name: `${p}mlp.c_proj.weight`, shape: [c.nInner, d], init: "proj" },
      { name: `${p}mlp.c_proj.bias`, shape: [d], init: "zeros" },
    );
  }
  specs.push(
    { name: "transformer.ln_f.weight", shape: [d], init: "ones" },
    { name: "transformer.ln_f.bias", shape: [d], init: "zeros" },
  );
  if (!c.tieWordEmbeddings) specs.push({ name: "lm_head.weight", shape: [c.vocabSize, d], init: "normal" });
  if (c.dueling) {
    specs.push(
      { name: "value_head.weight", shape: [d, 1], init: "normal" },
      { name: "value_head.bias", shape: [1], init: "zeros" },
    );
  }
  return specs;
}

/** Options of {@link QNetwork.random}. */
export interface RandomInitOptions {
  /** Standard deviation of the normal weights (HF `initializer_range`). @default 0.02 */
  std?: number;
  /** Draw every tensor, including LayerNorms and biases, from N(0, std) (the method's literal target init). @default false */
  allNormal?: boolean;
}

interface LayerWeights {
  ln1g: tf.Variable;
  ln1b: tf.Variable;
  attnW: tf.Variable;
  attnB: tf.Variable;
  projW: tf.Variable;
  projB: tf.Variable;
  ln2g: tf.Variable;
  ln2b: tf.Variable;
  fcW: tf.Variable;
  fcB: tf.Variable;
  mlpW: tf.Variable;
  mlpB: tf.Variable;
}

/**
 * Per-layer decoder cache: keys stored (t, e, c) = [t, dh, B·H] and values (t, c, e) = [t, B·H, dh], the
 * layouts the per-channel matmuls of one-token attention read directly; both grow along axis 0, the only
 * axis wasm concatenates with plain block copies.
 */
interface KV {
  kT: tf.Tensor3D;
  v: tf.Tensor3D;
}

/** Weight-derived tensors a decoder computes once (see `QNetwork.decoder`). */
interface FrozenWeights {
  headT: tf.Tensor2D;
  layers: Array<{ w: tf.Tensor2D[]; b: tf.Tensor1D[] }>;
}

/** Incremental decoder with a key/value cache, from {@link QNetwork.decoder}. */
export interface Decoder {
  /** Batch size B. */
  readonly batchSize: number;
  /** Number of tokens consumed so far. */
  readonly position: number;
  /**
   * Feeds one token per sequence ([B] ids) and returns Q(s, ·) for the extended states, [B, V]. The caller
   * owns (and disposes) the returned tensor.
   */
  step(ids: Int32Array): tf.Tensor2D;
  /**
   * Feeds a whole prompt block ([B, P] int32, same length for every row) in one pass and returns Q(s, ·) at its
   * last position, [B, V]. Equivalent to P calls of `step`.
   */
  prefill(ids: tf.Tensor2D): tf.Tensor2D;
  /**
   * Reorders the cached sequences: row r continues from the cache of row `rows[r]` (rows may repeat or be
   * dropped; the batch size stays B). Beam search calls this after choosing which hypotheses survive.
   */
  reorder(rows: Int32Array): void;
  /** Frees the cache. */
  dispose(): void;
}

/** Options of {@link QNetwork.trainStep}. */
export interface TrainStepOptions {
  /** Clip gradients to this global L2 norm before applying them. @default undefined (no clipping) */
  clipNorm?: number;
}

/** A GPT-2-family causal transformer whose output head gives Q(s_t, a) for every next token a. */
export class QNetwork {
  /** The resolved configuration. */
  readonly config: ResolvedGPT2Config;
  #vars: Map<string, tf.Variable>;
  #order: string[];
  #layers: LayerWeights[];
  #disposed = false;

  private constructor(config: ResolvedGPT2Config, tensors: ReadonlyMap<string, tf.Tensor>) {
    this.config = config;
    this.#vars = new Map();
    this.#order = [];
    for (const spec of parameterSpecs(config)) {
      const t = tensors.get(spec.name);
      if (!t) throw new QnetCheckpointError(`Missing parameter ${spec.name}`, spec.name);
      if (t.shape.join(",") !== spec.shape.join(",")) {
        throw new QnetCheckpointError(
          `Parameter ${spec.name} has shape [${t.shape}], expected [${spec.shape}] for this config`,
          spec.name,
        );
      }
      // tf.variable shares the input's data; clone so the caller keeps (and frees) its own tensor.
      this.#vars.set(
        spec.name,
        tf.tidy(() => tf.variable(tf.cast(t, "float32").clone(), true)),
      );
      this.#order.push(spec.name);
    }
    this.#layers = [];
    for (let i = 0; i < config.nLayer; i++) {
      const g = (n: string): tf.Variable => this.#vars.get(`transformer.h.${i}.${n}`) as tf.Variable;
      this.#layers.push({
        ln1g: g("ln_1.weight"),
        ln1b: g("ln_1.bias"),
        attnW: g("attn.c_attn.weight"),
        attnB: g("attn.c_attn.bias"),
        projW: g("attn.c_proj.weight"),
        projB: g("attn.c_proj.bias"),
        ln2g: g("ln_2.weight"),
        ln2b: g("ln_2.bias"),
        fcW: g("mlp.c_fc.weight"),
        fcB: g("mlp.c_fc.bias"),
        mlpW: g("mlp.c_proj.weight"),
        mlpB: g("mlp.c_proj.bias"),
      });
    }
  }

  /**
   * Builds a network from named weights (HF names, with or without the `transformer.` prefix). Takes
   * ownership of nothing: the tensors are copied into variables and the caller keeps its own.
   */
  static fromTensors(config: GPT2Config, weights: ReadonlyMap<string, tf.Tensor>): QNetwork {
    const c = resolveConfig(config);
    const map = new Map<string, tf.Tensor>();
    for (const [name, t] of weights) map.set(hfName(name), t);
    return new QNetwork(c, map);
  }

  /** Builds a network from named Float32Arrays (HF names); shapes come from the config. */
  static fromArrays(config: GPT2Config, weights: ReadonlyMap<string, Float32Array>): QNetwork {
    const c = resolveConfig(config);
    const m = new Map<string, tf.Tensor>();
    try {
      const byName = new Map<string, Float32Array>();
      for (const [n, a] of weights) byName.set(hfName(n), a);
      for (const s of parameterSpecs(c)) {
        const a = byName.get(s.name);
        if (!a) throw new QnetCheckpointError(`Missing parameter ${s.name}`, s.name);
        const size = s.shape.reduce((p, q) => p * q, 1);
        if (a.length !== size) {
          throw new QnetCheckpointError(
            `Parameter ${s.name} has ${a.length} values, expected ${size} ([${s.shape}])`,
            s.name,
          );
        }
        m.set(s.name, tf.tensor(a, s.shape, "float32"));
      }
      return new QNetwork(c, m);
    } finally {
      tf.dispose([...m.values()]);
    }
  }

  /**
   * Loads a Hugging Face GPT-2 folder (`config.json` + `model.safetensors`; names with or without the
   * `transformer.` prefix; F32/F16/BF16). `overrides` change config fields: `{ dueling: true }` adds a value
   * head initialised to zero, so Q starts as the centred LM logits.
   */
  static load(dir: string, overrides: Partial<GPT2Config> = {}): QNetwork {
    const f = readHFFolder(dir, overrides);
    if (f.config.dueling) {
      if (!f.weights.has("value_head.weight"))
        f.weights.set("value_head.weight", new Float32Array(f.config.nEmbd));
      if (!f.weights.has("value_head.bias")) f.weights.set("value_head.bias", new Float32Array(1));
    }
    return QNetwork.fromArrays(f.config, f.weights);
  }

  /**
   * The method's "online net from the LLM" step: loads a local folder, or downloads `dirOrHubId` (e.g.
   * `openai-community/gpt2`) from the Hugging Face hub into a local cache first. The Q-head is the LM head.
   */
  static async fromPretrained(dirOrHubId: string, opts: PretrainedOptions = {}): Promise<QNetwork> {
    const dir = await resolvePretrained(dirOrHubId, opts);
    return QNetwork.load(dir, opts.overrides);
  }

  /**
   * A randomly initialised network, as HF GPT-2 initialises one: weights N(0, std), residual projections
   * N(0, std/√(2·nLayer)), biases 0, LayerNorm gains 1. Draws come from `rng` (or `new Rng(seed)`), so the
   * same seed gives the same weights on every backend.
   */
  static random(config: GPT2Config, rng: Rng | number, opts: RandomInitOptions = {}): QNetwork {
    const c = resolveConfig(config);
    const r = typeof rng === "number" ? new Rng(rng) : rng;
    const std = opts.std ?? 0.02;
    const arrays = new Map<string, Float32Array>();
    for (const s of parameterSpecs(c)) {
      const n = s.shape.reduce((p, q) => p * q, 1);
      const a = new Float32Array(n);
      const init: Init = opts.allNormal ? "normal" : s.init;
      if (init === "ones") a.fill(1);
      else if (init !== "zeros") {
        const sd = init === "proj" ? std / Math.sqrt(2 * c.nLayer) : std;
        for (let i = 0; i < n; i++) a[i] = r.nextNormal() * sd;
      }
      arrays.set(s.name, a);
    }
    return QNetwork.fromArrays(c, arrays);
  }

  #check(): void {
    if (this.#disposed)
      throw new QnetStateError(
        "DQNLM_QNET_DISPOSED",
        "This QNetwork was disposed; create or clone a new one.",
      );
  }

  #v(name: string): tf.Variable {
    return this.#vars.get(name) as tf.Variable;
  }

  /** Trainable variables in a fixed order (parameterSpecs order). */
  get trainableVariables(): tf.Variable[] {
    this.#check();
    return this.#order.map((n) => this.#v(n));
  }

  /** Parameters by HF name (read-only view; do not dispose). */
  get namedVariables(): ReadonlyMap<string, tf.Variable> {
    this.#check();
    return this.#vars;
  }

  /** Total number of scalar parameters. */
  get numParameters(): number {
    let n = 0;
    for (const v of this.#vars.values()) n += v.size;
    return n;
  }

  /** Whether {@link dispose} was called. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  #validateIds(ids: tf.Tensor, field = "ids"): void {
    if (ids.rank !== 2 || ids.dtype !== "int32") {
      throw new QnetInputError(
        `${field} must be an int32 tensor of shape [B, T], received ${ids.dtype} [${ids.shape}]; ` +
          "e.g. tf.tensor2d([[50256, 15496]], [1, 2], 'int32')",
        field,
      );
    }
    const t = ids.shape[1] as number;
    if (t < 1 || t > this.config.nPositions) {
      throw new QnetInputError(
        `${field} length T=${t} must be in 1..nPositions (${this.config.nPositions})`,
        field,
      );
    }
  }

  /**
   * The transformer trunk, time-major. Returns ln_f output [T·B, d]; when `kv` is given, pushes each layer's
   * keys and values ([T, B·H, dh]) into it.
   */
  #trunk(ids: tf.Tensor2D, offset: number, past?: KV[], kvOut?: KV[], frozen?: FrozenWeights): tf.Tensor2D {
    const { nEmbd: d, nHead: H, layerNormEpsilon: eps } = this.config;
    const [B, T] = ids.shape as [number, number];
    const dh = d / H;
    const C = B * H;
    const wte = this.#v("transformer.wte.weight");
    const wpe = this.#v("transformer.wpe.weight");
    const flat = tf.reshape(tf.transpose(ids), [T * B]);
    const tok = tf.reshape(tf.gather(wte, flat), [T, B, d]);
    const pos = tf.reshape(tf.slice(wpe, [offset, 0], [T, d]), [T, 1, d]);
    let x = tf.reshape(tf.add(tok, pos), [T * B, d]) as tf.Tensor2D;
    for (let i = 0; i < this.#layers.length; i++) {
      const L = this.#layers[i] as LayerWeights;
      const h = layerNorm(x, L.ln1g as tf.Tensor1D, L.ln1b as tf.Tensor1D, eps);
      // Slicing the [d, 3d] weight (small) instead of the [N, 3d] activation (large): wasm's Slice copies
      // its whole input, and column slices of activations are slow there.
      const fz = frozen?.layers[i];
      const part = (j: number): tf.Tensor3D =>
        tf.reshape(
          fz
            ? tf.add(tf.matMul(h, fz.w[j] as tf.Tensor2D), fz.b[j] as tf.Tensor1D)
            : linear(
                h,
                tf.slice(L.attnW, [0, j * d], [d, d]) as tf.Tensor2D,
                tf.slice(L.attnB, [j * d], [d]) as tf.Tensor1D,
              ),
          [T, C, dh],
        );
      const q = part(0);
      const k = part(1);
      let v = part(2);
      let a: tf.Tensor3D;
      if (past) {
        const p = past[i] as KV;
        const kT = tf.concat([p.kT, tf.transpose(k, [0, 2, 1])], 0);
        v = tf.concat([p.v, v], 0);
        if (kvOut) kvOut[i] = { kT, v };
        a = T === 1 ? attendOne(q, kT, v) : causalAttentionWithPast(q, tf.transpose(kT, [0, 2, 1]), v);
      } else {
        if (kvOut) kvOut[i] = { kT: tf.transpose(k, [0, 2, 1]), v };
        a = causalAttention(q, k, v);
      }
      x = tf.add(x, linear(tf.reshape(a, [T * B, d]), L.projW as tf.Tensor2D, L.projB as tf.Tensor1D));
      const h2 = layerNorm(x, L.ln2g as tf.Tensor1D, L.ln2b as tf.Tensor1D, eps);
      const m = gelu(linear(h2, L.fcW as tf.Tensor2D, L.fcB as tf.Tensor1D)) as tf.Tensor2D;
      x = tf.add(x, linear(m, L.mlpW as tf.Tensor2D, L.mlpB as tf.Tensor1D));
    }
    return layerNorm(
      x,
      this.#v("transformer.ln_f.weight") as tf.Tensor1D,
      this.#v("transformer.ln_f.bias") as tf.Tensor1D,
      eps,
    );
  }

  /** Snapshot of the weight-derived tensors a decoder reuses at every step (kept; freed by the decoder). */
  #freeze(): FrozenWeights {
    const d = this.config.nEmbd;
    return tf.tidy(() => {
      const w = this.config.tieWordEmbeddings ? this.#v("transformer.wte.weight") : this.#v("lm_head.weight");
      const f: FrozenWeights = {
        headT: tf.keep(tf.transpose(w) as tf.Tensor2D),
        layers: this.#layers.map((L) => ({
          w: [0, 1, 2].map((j) => tf.keep(tf.slice(L.attnW, [0, j * d], [d, d]) as tf.Tensor2D)),
          b: [0, 1, 2].map((j) => tf.keep(tf.slice(L.attnB, [j * d], [d]) as tf.Tensor1D)),
        })),
      };
      return f as unknown as tf.TensorContainer;
    }) as unknown as FrozenWeights;
  }

  /** Q-head on batch-major hidden rows [N, d] → [N, V]. */
  #head(h: tf.Tensor2D, frozen?: FrozenWeights): tf.Tensor2D {
    const w = this.config.tieWordEmbeddings ? this.#v("transformer.wte.weight") : this.#v("lm_head.weight");
    let q = frozen ? tf.matMul(h, frozen.headT) : linearT(h, w as tf.Tensor2D);
    if (this.config.dueling) {
      const val = linear(
        h,
        this.#v("value_head.weight") as tf.Tensor2D,
        this.#v("value_head.bias") as tf.Tensor1D,
      );
      q = tf.add(tf.sub(q, tf.mean(q, 1, true)), val);
    }
    return q as tf.Tensor2D;
  }

  /**
   * Q-values for every prefix of every sequence in one pass: output[b, t] = Q(s, ·) for the state
   * s = ids[b, 0..t] (causal, so right padding does not change earlier positions). `ids` is int32 [B, T];
   * returns [B, T, V]. Runs inside its own tidy: only the result survives.
   */
  forward(ids: tf.Tensor2D): tf.Tensor3D {
    this.#check();
    this.#validateIds(ids);
    const [B, T] = ids.shape as [number, number];
    const { nEmbd: d, vocabSize: V } = this.config;
    return tf.tidy(() => {
      const h = this.#trunk(ids, 0);
      const hb = tf.reshape(tf.transpose(tf.reshape(h, [T, B, d]), [1, 0, 2]), [B * T, d]) as tf.Tensor2D;
      return tf.reshape(this.#head(hb), [B, T, V]) as tf.Tensor3D;
    });
  }

  /** Alias of {@link forward}: Q(s_t, ·) for all t of a batch of whole episodes, [B, T, V]. */
  qValues(ids: tf.Tensor2D): tf.Tensor3D {
    return this.forward(ids);
  }

  /**
   * One optimisation step: computes `loss()` (which should call `forward` on this network), its gradients
   * with respect to {@link trainableVariables}, optionally clips them, applies them with `optimizer` and
   * frees every intermediate tensor. Returns the loss value.
   */
  trainStep(optimizer: tf.Optimizer, loss: () => tf.Scalar, opts: TrainStepOptions = {}): number {
    this.#check();
    const vars = this.trainableVariables;
    const { value, grads } = tf.variableGrads(loss, vars);
    try {
      if (opts.clipNorm !== undefined) {
        const clipped = tf.tidy(() => {
          const names = Object.keys(grads);
          const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n] as tf.Tensor)))));
          const scale = tf.minimum(1, tf.div(opts.clipNorm as number, tf.add(norm, 1e-12)));
          const out: tf.NamedTensorMap = {};
          for (const n of names) out[n] = tf.mul(grads[n] as tf.Tensor, scale);
          return out;
        });
        optimizer.applyGradients(clipped);
        tf.dispose(clipped);
      } else {
        optimizer.applyGradients(grads);
      }
      return value.dataSync()[0] as number;
    } finally {
      tf.dispose(grads);
      value.dispose();
    }
  }

  /** A deep copy with its own variables. */
  clone(): QNetwork {
    this.#check();
    return new QNetwork(this.config, this.#vars);
  }

  /**
   * A copy with a dueling value head whose Q-values equal this network's: Q = A − mean_a A + V(s) with
   * V(s) = h·w + b, w = the mean of the head's token rows and b = 0, so V(s) = mean_a A(s, a) and Q = A (to float
   * rounding, ~1e-6). The head lets training move every Q(s, ·) of a state together through d + 1 parameters
   * (a state value) without touching the policy softmax(Q). The soft objective of the trainer uses it
   * (`dqn.softValueHead`). Throws on a network that already has a value head.
   */
  withValueHead(): QNetwork {
    this.#check();
    if (this.config.dueling)
      throw new QnetStateError(
        "DQNLM_QNET_ALREADY_DUELING",
        "withValueHead: this network already has a value head (config.dueling is true); use clone() instead",
        "dueling",
      );
    const d = this.config.nEmbd;
    const w = this.config.tieWordEmbeddings ? this.#v("transformer.wte.weight") : this.#v("lm_head.weight");
    const m = new Map<string, tf.Tensor>(this.#vars);
    const extra = tf.tidy(() => ({
      w: tf.reshape(tf.mean(w, 0), [d, 1]),
      b: tf.zeros([1]),
    }));
    m.set("value_head.weight", extra.w);
    m.set("value_head.bias", extra.b);
    try {
      return new QNetwork({ ...this.config, dueling: true }, m);
    } finally {
      extra.w.dispose();
      extra.b.dispose();
    }
  }

  #assertSameShape(other: QNetwork): void {
    other.#check();
    this.#check();
    for (const [n, v] of this.#vars) {
      const o = other.#vars.get(n);
      if (!o || o.shape.join(",") !== v.shape.join(",")) {
        throw new QnetStateError(
          "DQNLM_QNET_SHAPE_MISMATCH",
          `Networks differ at ${n}: [${v.shape}] vs [${o?.shape ?? "missing"}]; both need the same config`,
          n,
        );
      }
    }
  }

  /**
   * Multiplies every Q(s, a) by `factor` (> 0) exactly, through the final layer norm's gain and bias (the only
   * input of the head; for a dueling head the value bias is scaled too), so the greedy policy is unchanged and a
   * tied input embedding is untouched. The trainer uses it to hand an LM (Q = logits) to DQN on the scale of its
   * returns and of the KL term's softmax(Q/T).
   */
  scaleOutput(factor: number): void {
    this.#check();
    if (!(Number.isFinite(factor) && factor > 0)) {
      throw new QnetInputError(
        `scaleOutput factor must be a finite number > 0, received ${factor}`,
        "factor",
      );
    }
    for (const name of ["transformer.ln_f.weight", "transformer.ln_f.bias", "value_head.bias"]) {
      const v = this.#vars.get(name);
      if (v) tf.tidy(() => v.assign(tf.mul(v, factor)));
    }
  }

  /** Copies every parameter of `other` into this network (hard target update). */
  copyFrom(other: QNetwork): void {
    this.#assertSameShape(other);
    tf.tidy(() => {
      for (const [n, v] of this.#vars) v.assign(other.#vars.get(n) as tf.Variable);
    });
  }

  /** Polyak averaging: θ ← τ·θ_other + (1 − τ)·θ. */
  polyakFrom(other: QNetwork, tau: number): void {
    if (!(tau >= 0 && tau <= 1)) throw new QnetInputError(`tau must be in [0, 1], received ${tau}`, "tau");
    this.#assertSameShape(other);
    tf.tidy(() => {
      for (const [n, v] of this.#vars) {
        v.assign(tf.add(tf.mul(other.#vars.get(n) as tf.Variable, tau), tf.mul(v, 1 - tau)));
      }
    });
  }

  /** Copies the weights out as Float32Arrays keyed by HF name (in parameter order). */
  async getWeights(): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
    this.#check();
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const n of this.#order) {
      const v = this.#v(n);
      out.set(n, { shape: [...v.shape], data: (await v.data()) as Float32Array });
    }
    return out;
  }

  /**
   * Saves `config.json` + `model.safetensors` (F32, HF GPT2LMHeadModel names, each file written atomically)
   * into `dir`; `QNetwork.load` and `transformers`' `GPT2LMHeadModel.from_pretrained` read it back.
   */
  async save(dir: string): Promise<void> {
    writeHFFolder(dir, this.config, await this.getWeights());
  }

  /**
   * A batched incremental decoder with a key/value cache. Each `step` costs O(current length) instead of a
   * full forward pass, and returns the same Q-values as `forward` at that position (to ~1e-6). The decoder
   * snapshots weight-derived tensors when created: make a new decoder after the weights change (e.g. per
   * rollout batch).
   */
  decoder(batchSize: number): Decoder {
    this.#check();
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new QnetInputError(
        `decoder batchSize must be a positive integer, received ${batchSize}`,
        "batchSize",
      );
    }
    const net = this;
    let cache: KV[] | undefined;
    let position = 0;
    let disposed = false;
    // Weight-derived tensors (q/k/v slices of c_attn, the transposed head) are made once per decoder, not per
    // step: on wasm each fresh weight tensor is also re-packed by XNNPACK, which costs as much as the GEMM at
    // decode batch sizes.
    const frozen = net.#freeze();
    const run = (ids: tf.Tensor2D): tf.Tensor2D => {
      if (disposed) throw new QnetStateError("DQNLM_QNET_DISPOSED", "This decoder was disposed.");
      net.#check();
      const T = ids.shape[1] as number;
      if (position + T > net.config.nPositions) {
        throw new QnetInputError(
          `decoder would exceed nPositions (${net.config.nPositions}): at ${position}, feeding ${T}`,
          "ids",
        );
      }
      const { nEmbd: d } = net.config;
      const kvOut: KV[] = [];
      const out = tf.tidy(() => {
        const h = net.#trunk(ids, position, cache, kvOut, frozen);
        // Last time step's rows are the last B rows (time-major).
        const last = tf.slice(h, [(T - 1) * batchSize, 0], [batchSize, d]) as tf.Tensor2D;
        const q = net.#head(last, frozen);
        return [q, ...kvOut.flatMap((e) => [e.kT, e.v])];
      });
      const [q, ...kv] = out;
      if (cache) for (const e of cache) tf.dispose([e.kT, e.v]);
      cache = [];
      for (let i = 0; i < kv.length; i += 2)
        cache.push({ kT: kv[i] as tf.Tensor3D, v: kv[i + 1] as tf.Tensor3D });
      position += T;
      return q as tf.Tensor2D;
    };
    return {
      batchSize,
      get position() {
        return position;
      },
      step(ids: Int32Array): tf.Tensor2D {
        if (ids.length !== batchSize) {
          throw new QnetInputError(
            `step expects ${batchSize} ids (one per sequence), received ${ids.length}`,
            "ids",
          );
        }
        const t = tf.tensor2d(ids, [batchSize, 1], "int32");
        try {
          return run(t);
        } finally {
          t.dispose();
        }
      },
      prefill(ids: tf.Tensor2D): tf.Tensor2D {
        net.#validateIds(ids);
        if (ids.shape[0] !== batchSize) {
          throw new QnetInputError(`prefill expects ${batchSize} rows, received ${ids.shape[0]}`, "ids");
        }
        return run(ids);
      },
      reorder(rows: Int32Array): void {
        if (disposed) throw new QnetStateError("DQNLM_QNET_DISPOSED", "This decoder was disposed.");
        if (rows.length !== batchSize) {
          throw new QnetInputError(
            `reorder expects ${batchSize} row indices, received ${rows.length}`,
            "rows",
          );
        }
        for (const r of rows) {
          if (!Number.isInteger(r) || r < 0 || r >= batchSize) {
            throw new QnetInputError(`reorder row index ${r} is outside [0, ${batchSize})`, "rows");
          }
        }
        if (!cache) return;
        // Cache channels are batch-major (b·H + h): row r takes channels rows[r]·H … rows[r]·H + H − 1.
        const H = net.config.nHead;
        const channels = new Int32Array(batchSize * H);
        for (let r = 0; r < batchSize; r++)
          for (let h = 0; h < H; h++) channels[r * H + h] = rows[r]! * H + h;
        const idx = tf.tensor1d(channels, "int32");
        const next = cache.map((e) => ({
          kT: tf.gather(e.kT, idx, 2) as tf.Tensor3D,
          v: tf.gather(e.v, idx, 1) as tf.Tensor3D,
        }));
        idx.dispose();
        for (const e of cache) tf.dispose([e.kT, e.v]);
        cache = next;
      },
      dispose(): void {
        if (cache) for (const e of cache) tf.dispose([e.kT, e.v]);
        if (!disposed) {
          tf.dispose(frozen.headT);
          for (const l of frozen.layers) tf.dispose([...l.w, ...l.b]);
        }
        cache = undefined;
        disposed = true;
      },
    };
  }

  /** Frees every variable. */
  dispose(): void {
    if (this.#disposed) return;
    for (const v of this.#vars.values()) v.dispose();
    this.#vars.clear();
    this.#disposed = true;
  }
}

/**
 * Attention of one new position per sequence (q [1, C, dh]) over the cache (kT [t, dh, C], v [t, C, dh]):
 * two per-channel matmuls (depthwise convolutions: XNNPACK on wasm) around a softmax over t.
 */
function attendOne(q: tf.Tensor3D, kT: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  const [, C, dh] = q.shape;
  const t = kT.shape[0];
  // scores (j, c, 1): input (j, e, c) = kT, filter (e, c, 1) = qᵀ
  const s = channelMatMul(kT, tf.reshape(tf.transpose(q, [2, 1, 0]), [dh, C, 1]) as tf.Tensor3D);
  const p = tf.softmax(tf.mul(tf.transpose(tf.reshape(s, [t, C])), 1 / Math.sqrt(dh))); // [C, t]
  // out (1, c, e): input (1, j, c) = pᵀ, filter (j, c, e) = v
  return channelMatMul(tf.reshape(tf.transpose(p), [1, t, C]) as tf.Tensor3D, v);
}

/** Causal attention of T new positions over P cached + T new keys (prefill after earlier steps). */
function causalAttentionWithPast(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  const [T, , dh] = q.shape;
  const S = k.shape[0];
  const P = S - T;
  const mask = new Float32Array(T * S);
  for (let i = 0; i < T; i++) for (let j = P + i + 1; j < S; j++) mask[i * S + j] = -1e9;
  const qb = tf.transpose(q, [1, 0, 2]);
  const kb = tf.transpose(k, [1, 0, 2]);
  const vb = tf.transpose(v, [1, 0, 2]);
  const s = tf.add(tf.mul(tf.matMul(qb, kb, false, true), 1 / Math.sqrt(dh)), tf.tensor3d(mask, [1, T, S]));
  return tf.transpose(tf.matMul(tf.softmax(s), vb), [1, 0, 2]) as tf.Tensor3D;
}
