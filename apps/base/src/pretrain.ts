/**
 * Causal language-model pretraining of a GPT-2 on a token stream, resumable to the exact step.
 *
 * The training documents are tokenized once, joined with EOS, and stored in the run folder (`tokens.bin`).
 * Every step draws `batchSize` windows of `seqLen + 1` tokens at offsets from the run's seeded RNG and takes
 * one Adam step on the mean next-token cross-entropy over all `batchSize × seqLen` positions, with a linear
 * warm-up, cosine decay to `minLrRatio × learningRate`, and global-norm gradient clipping. Validation
 * perplexity is measured on fixed, non-overlapping windows of the validation stream.
 *
 * Run folder: `pretrain.json` (config and corpus summary), `tokenizer/`, `tokens.bin`, `valid.bin`,
 * `metrics.jsonl`, `checkpoint/` (model in Hugging Face layout + `optimizer.safetensors` + `state.json`, written
 * to `checkpoint.tmp` and swapped in through `checkpoint.old`, so some complete checkpoint always exists).
 */
import { createHash } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { Rng, type RngState, writeFileAtomic } from "@dqnlm/core";
import { type HFTokenizer, loadTokenizer, trainTokenizer } from "@dqnlm/mdp";
import {
  loadOnnxRuntime,
  OrtLearner,
  QNetwork,
  readSafetensors,
  selectBackend,
  tf,
  writeSafetensors,
} from "@dqnlm/qnet";
import { Adam, globalNorm } from "@dqnlm/trainer";
import { BaseInputError } from "./errors.js";

/** Pretraining options. */
export interface PretrainConfig {
  /** Master seed (init, window sampling). @default 1 */
  readonly seed: number;
  /** Byte-level BPE vocabulary size, special tokens included. @default 8000 */
  readonly vocabSize: number;
  /** Width. @default 256 */
  readonly nEmbd: number;
  /** Transformer blocks. @default 4 */
  readonly nLayer: number;
  /** Attention heads. @default 4 */
  readonly nHead: number;
  /** Longest sequence the model accepts (≥ seqLen). @default 256 */
  readonly nPositions: number;
  /** Tokens per training window. @default 128 */
  readonly seqLen: number;
  /** Windows per step. @default 16 */
  readonly batchSize: number;
  /** Peak Adam learning rate. @default 0.001 */
  readonly learningRate: number;
  /** Linear warm-up steps. @default 200 */
  readonly warmupSteps: number;
  /** Steps of the schedule (cosine reaches its floor here; training may stop earlier on the time budget). @default 6000 */
  readonly steps: number;
  /** Learning-rate floor as a fraction of the peak. @default 0.1 */
  readonly minLrRatio: number;
  /** Global gradient-norm clip. @default 1 */
  readonly gradClip: number;
  /** Steps between validations. @default 250 */
  readonly evalEvery: number;
  /** Validation windows (of seqLen tokens). @default 64 */
  readonly evalWindows: number;
  /** Steps between checkpoints. @default 100 */
  readonly checkpointEvery: number;
}

/** The defaults. */
export const PRETRAIN_DEFAULTS: PretrainConfig = Object.freeze({
  seed: 1,
  vocabSize: 8000,
  nEmbd: 256,
  nLayer: 4,
  nHead: 4,
  nPositions: 256,
  seqLen: 128,
  batchSize: 16,
  learningRate: 1e-3,
  warmupSteps: 200,
  steps: 6000,
  minLrRatio: 0.1,
  gradClip: 1,
  evalEvery: 250,
  evalWindows: 64,
  checkpointEvery: 100,
});

/** Text the run is trained and validated on. */
export interface PretrainCorpus {
  readonly train: readonly string[];
  readonly validation: readonly string[];
  /** Free-form description stored in the run (e.g. per-task document counts). */
  readonly summary?: Readonly<Record<string, unknown>>;
}

/** One metrics record. */
export interface PretrainRecord {
  readonly kind: "train" | "validation";
  readonly step: number;
  readonly tokens: number;
  readonly seconds: number;
  readonly loss: number;
  readonly lr?: number;
  readonly gradNorm?: number;
  readonly tokensPerSecond?: number;
  readonly perplexity?: number;
}

/** Options of {@link pretrain}. */
export interface PretrainOptions {
  readonly runDir: string;
  /** Needed to start a run; a resumed run reads its stored token streams and ignores this. */
  readonly corpus?: () => PretrainCorpus;
  readonly config?: Partial<PretrainConfig>;
  /** Stop (checkpointed, resumable) after this many seconds of training in this call (0 = none). @default 0 */
  readonly timeBudgetSeconds?: number;
  /** Stop after this step (overrides `steps` as the end of this call, not the schedule). */
  readonly stopAtStep?: number;
  readonly onRecord?: (r: PretrainRecord) => void;
  /** tfjs backend; default qnet's detection order. */
  readonly backend?: string;
  /**
   * Engine of the training steps: `"tfjs"` (the backend above), or `"ort"` — qnet's `OrtLearner` on the optional
   * peer `onnxruntime-node` (native GEMMs, 1 thread; the fused LM step is 3–4× the wasm step in qnet's anchor
   * bench): same windows, loss, clipping, schedule and Adam rule; validation and checkpoints read the weights back
   * into the tfjs model, and the Adam state keeps its layout, so a run may resume on either engine. `"auto"`:
   * `"ort"` where onnxruntime-node loads, else `"tfjs"` (the result's `engine` says which ran).
   * @default "auto"
   */
  readonly engine?: "auto" | "tfjs" | "ort";
}

/** What a call of {@link pretrain} did. */
export interface PretrainResult {
  readonly step: number;
  readonly tokens: number;
  readonly validationPerplexity: number;
  readonly backend: string;
  /** The engine of the training steps, and why (`"auto"` resolved). */
  readonly engine: "tfjs" | "ort";
  readonly engineNote: string;
  readonly resumedFrom: number;
  readonly stopped: "done" | "time-budget" | "stop-at-step";
}

interface State {
  readonly step: number;
  readonly tokens: number;
  readonly seconds: number;
  readonly rng: RngState;
  readonly validationPerplexity: number;
}

const FILES = {
  config: "pretrain.json",
  tokenizer: "tokenizer",
  tokens: "tokens.bin",
  valid: "valid.bin",
  metrics: "metrics.jsonl",
  checkpoint: "checkpoint",
} as const;

function checkConfig(c: PretrainConfig): void {
  const pos = (k: keyof PretrainConfig, int = true) => {
    const v = c[k];
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || (int && !Number.isInteger(v)))
      throw new BaseInputError(
        k,
        `expected a positive ${int ? "integer" : "number"}, received ${String(v)}.`,
      );
  };
  for (const k of [
    "vocabSize",
    "nEmbd",
    "nLayer",
    "nHead",
    "nPositions",
    "seqLen",
    "batchSize",
    "steps",
    "evalEvery",
    "evalWindows",
    "checkpointEvery",
  ] as const)
    pos(k);
  for (const k of ["learningRate", "gradClip"] as const) pos(k, false);
  if (c.nEmbd % c.nHead !== 0)
    throw new BaseInputError("n-head", `must divide n-embd (${c.nEmbd}), received ${c.nHead}.`);
  if (c.seqLen > c.nPositions)
    throw new BaseInputError("seq-len", `must be ≤ n-positions (${c.nPositions}), received ${c.seqLen}.`);
  if (!(c.minLrRatio >= 0 && c.minLrRatio <= 1))
    throw new BaseInputError("min-lr-ratio", `expected a number in [0, 1], received ${c.minLrRatio}.`);
}

/** Learning rate at `step` (0-based): linear warm-up, then cosine to the floor at `steps`. */
export function learningRateAt(c: PretrainConfig, step: number): number {
  if (step < c.warmupSteps) return (c.learningRate * (step + 1)) / c.warmupSteps;
  const p = Math.min(1, (step - c.warmupSteps) / Math.max(1, c.steps - c.warmupSteps));
  const floor = c.learningRate * c.minLrRatio;
  return floor + (c.learningRate - floor) * 0.5 * (1 + Math.cos(Math.PI * p));
}

/** Tokenizes documents into one stream, each document followed by EOS. */
export function tokenStream(tok: HFTokenizer, docs: readonly string[]): Int32Array {
  const parts: Int32Array[] = [];
  let n = 0;
  for (const d of docs) {
    const ids = tok.encode(d);
    parts.push(ids);
    n += ids.length + 1;
  }
  const out = new Int32Array(n);
  let p = 0;
  for (const ids of parts) {
    out.set(ids, p);
    p += ids.length;
    out[p++] = tok.eosId;
  }
  return out;
}

/** Mean next-token cross-entropy of windows `ids[b] → ids[b] shifted by one` (a scalar tensor). */
/** Windows of T + 1 tokens → inputs (the first T) and labels (the last T), each [B, T] row-major. */
function splitWindows(windows: Int32Array, B: number, T: number): { inputs: Int32Array; labels: Int32Array } {
  const inputs = new Int32Array(B * T);
  const labels = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    inputs.set(windows.subarray(b * (T + 1), b * (T + 1) + T), b * T);
    labels.set(windows.subarray(b * (T + 1) + 1, (b + 1) * (T + 1)), b * T);
  }
  return { inputs, labels };
}

function lmLoss(model: QNetwork, windows: Int32Array, B: number, T: number): tf.Scalar {
  const { inputs, labels } = splitWindows(windows, B, T);
  const q = model.forward(tf.tensor2d(inputs, [B, T], "int32"));
  const V = q.shape[2];
  const logp = tf.logSoftmax(tf.reshape(q, [B * T, V]));
  const pick = Int32Array.from(labels, (a, i) => i * V + a);
  return tf.neg(tf.mean(tf.gather(tf.reshape(logp, [-1]), tf.tensor1d(pick, "int32")))) as tf.Scalar;
}

function sampleWindows(stream: Int32Array, B: number, T: number, rng: Rng): Int32Array {
  const out = new Int32Array(B * (T + 1));
  const span = stream.length - (T + 1);
  for (let b = 0; b < B; b++) {
    const s = rng.nextInt(span + 1);
    out.set(stream.subarray(s, s + T + 1), b * (T + 1));
  }
  return out;
}

/** Validation loss (nats/token) over fixed non-overlapping windows of `stream`. */
export function validationLoss(model: QNetwork, stream: Int32Array, c: PretrainConfig): number {
  const T = c.seqLen;
  const n = Math.min(c.evalWindows, Math.floor((stream.length - 1) / T));
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i += c.batchSize) {
    const B = Math.min(c.batchSize, n - i);
    const w = new Int32Array(B * (T + 1));
    for (let b = 0; b < B; b++) w.set(stream.subarray((i + b) * T, (i + b) * T + T + 1), b * (T + 1));
    const l = tf.tidy(() => lmLoss(model, w, B, T));
    sum += ((l.dataSync() as Float32Array)[0] as number) * B;
    l.dispose();
  }
  return sum / n;
}

const sha = (a: Int32Array): string =>
  createHash("sha256")
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest("hex");

function writeStream(file: string, a: Int32Array): void {
  writeFileAtomic(file, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

function readStream(file: string): Int32Array {
  const b = readFileSync(file);
  if (b.byteLength % 4 !== 0)
    throw new BaseInputError("run", `${file} is truncated (${b.byteLength} bytes, not a multiple of 4).`);
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** The folder of the newest complete checkpoint, or null. */
function checkpointDir(runDir: string): string | null {
  for (const name of [FILES.checkpoint, `${FILES.checkpoint}.old`]) {
    const d = join(runDir, name);
    if (existsSync(join(d, "state.json"))) return d;
  }
  return null;
}

function saveCheckpoint(runDir: string, model: QNetwork, opt: Adam, state: State): Promise<void> {
  const tmp = join(runDir, `${FILES.checkpoint}.tmp`);
  const dst = join(runDir, FILES.checkpoint);
  const old = join(runDir, `${FILES.checkpoint}.old`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  return model.save(tmp).then(() => {
    const s = opt.getState();
    const arrays = new Map<string, { shape: number[]; data: Float32Array }>();
    s.m.forEach((a, i) => {
      arrays.set(`m.${i}`, { shape: [a.length], data: a });
    });
    s.v.forEach((a, i) => {
      arrays.set(`v.${i}`, { shape: [a.length], data: a });
    });
    writeFileAtomic(join(tmp, "optimizer.safetensors"), writeSafetensors(arrays));
    // state.json last: its presence marks the folder complete.
    writeFileAtomic(
      join(tmp, "state.json"),
      `${JSON.stringify({ ...state, adamStep: s.step, learningRate: s.learningRate }, null, 2)}\n`,
    );
    rmSync(old, { recursive: true, force: true });
    if (existsSync(dst)) renameSync(dst, old);
    renameSync(tmp, dst);
    rmSync(old, { recursive: true, force: true });
  });
}

/**
 * Trains (or resumes) a base language model in `runDir`. A run folder with a checkpoint resumes from it; the
 * config is then the stored one (overrides that differ are refused).
 */
export async function pretrain(opts: PretrainOptions): Promise<PretrainResult> {
  const { runDir } = opts;
  const backend = await selectBackend(opts.backend ? { backend: opts.backend as "wasm" } : {});
  mkdirSync(runDir, { recursive: true });
  const cfgFile = join(runDir, FILES.config);
  let cfg: PretrainConfig;
  let tok: HFTokenizer;
  let train: Int32Array;
  let valid: Int32Array;
  if (existsSync(cfgFile)) {
    const stored = JSON.parse(readFileSync(cfgFile, "utf8")) as {
      config: PretrainConfig;
      tokens: { trainSha256: string };
    };
    cfg = stored.config;
    for (const [k, v] of Object.entries(opts.config ?? {})) {
      if (k !== "steps" && (cfg as unknown as Record<string, unknown>)[k] !== v)
        throw new BaseInputError(
          k,
          `the run in ${runDir} was started with ${k} = ${JSON.stringify((cfg as unknown as Record<string, unknown>)[k])}; ` +
            `received ${JSON.stringify(v)}. Fix: drop the option to resume, or use a new --out folder.`,
        );
    }
    if (opts.config?.steps !== undefined) cfg = { ...cfg, steps: opts.config.steps };
    tok = loadTokenizer(join(runDir, FILES.tokenizer));
    train = readStream(join(runDir, FILES.tokens));
    valid = readStream(join(runDir, FILES.valid));
    if (sha(train) !== stored.tokens.trainSha256)
      throw new BaseInputError(
        "run",
        `${join(runDir, FILES.tokens)} changed since the run started (sha256 differs).`,
      );
  } else {
    cfg = { ...PRETRAIN_DEFAULTS, ...opts.config };
    checkConfig(cfg);
    if (!opts.corpus) throw new BaseInputError("data-dir", "a new run needs a corpus.");
    const corpus = opts.corpus();
    tok = trainTokenizer(corpus.train, { vocabSize: cfg.vocabSize });
    tok.save(join(runDir, FILES.tokenizer));
    train = tokenStream(tok, corpus.train);
    valid = tokenStream(tok, corpus.validation);
    if (train.length < cfg.seqLen + 2)
      throw new BaseInputError(
        "data-dir",
        `the training text has ${train.length} tokens; need more than seq-len + 1.`,
      );
    writeStream(join(runDir, FILES.tokens), train);
    writeStream(join(runDir, FILES.valid), valid);
    writeFileAtomic(
      cfgFile,
      `${JSON.stringify(
        {
          config: cfg,
          vocabSize: tok.vocabSize,
          corpus: {
            trainDocuments: corpus.train.length,
            validationDocuments: corpus.validation.length,
            ...corpus.summary,
          },
          tokens: { train: train.length, validation: valid.length, trainSha256: sha(train) },
        },
        null,
        2,
      )}\n`,
    );
  }
  checkConfig(cfg);
  const modelConfig = {
    vocabSize: tok.vocabSize,
    nEmbd: cfg.nEmbd,
    nLayer: cfg.nLayer,
    nHead: cfg.nHead,
    nPositions: cfg.nPositions,
  };
  const ckpt = checkpointDir(runDir);
  let model: QNetwork;
  let state: State;
  rmSync(join(runDir, `${FILES.checkpoint}.tmp`), { recursive: true, force: true });
  if (ckpt) {
    model = QNetwork.load(ckpt);
    state = JSON.parse(readFileSync(join(ckpt, "state.json"), "utf8")) as State;
  } else {
    model = QNetwork.random(modelConfig, cfg.seed);
    state = {
      step: 0,
      tokens: 0,
      seconds: 0,
      rng: new Rng(cfg.seed + 7919).state(),
      validationPerplexity: Number.NaN,
    };
  }
  const vars = model.trainableVariables as tf.Variable[];
  const opt = new Adam(vars, cfg.learningRate, 0.9, 0.98);
  if (ckpt) {
    const st = JSON.parse(readFileSync(join(ckpt, "state.json"), "utf8")) as {
      adamStep: number;
      learningRate: number;
    };
    const arrays = readSafetensors(new Uint8Array(readFileSync(join(ckpt, "optimizer.safetensors")))).tensors;
    const get = (k: string): Float32Array => {
      const t = arrays.get(k);
      if (!t)
        throw new BaseInputError(
          "run",
          `${ckpt}/optimizer.safetensors lacks ${k}; the checkpoint is incomplete.`,
        );
      return t.data;
    };
    opt.setState({
      step: st.adamStep,
      learningRate: st.learningRate,
      m: vars.map((_, i) => get(`m.${i}`)),
      v: vars.map((_, i) => get(`v.${i}`)),
    });
  }
  // Truncate a half-written last line of metrics.jsonl (a kill during append).
  const metricsFile = join(runDir, FILES.metrics);
  if (existsSync(metricsFile)) {
    const text = readFileSync(metricsFile, "utf8");
    const keep = text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .filter((l) => {
        try {
          return (JSON.parse(l) as PretrainRecord).step <= state.step;
        } catch {
          return false;
        }
      });
    writeFileSync(metricsFile, keep.map((l) => `${l}\n`).join(""));
  }
  const emit = (r: PretrainRecord): void => {
    appendFileSync(metricsFile, `${JSON.stringify(r)}\n`);
    opts.onRecord?.(r);
  };
  const rng = Rng.fromState(state.rng);
  const resumedFrom = state.step;
  const T = cfg.seqLen;
  const B = cfg.batchSize;
  const budget = opts.timeBudgetSeconds ?? 0;
  const end = Math.min(cfg.steps, opts.stopAtStep ?? cfg.steps);
  const t0 = performance.now();
  let lastT = t0;
  const startTokens = state.tokens;
  let sumLoss = 0;
  let nLoss = 0;
  let stopped: PretrainResult["stopped"] = "done";
  const logEvery = Math.max(1, Math.min(25, cfg.evalEvery));
  // engine "ort": the learner's own copy of the weights and Adam moments; the tfjs model and `opt` are brought up
  // to date before every validation and checkpoint (and at the end).
  let engine: "tfjs" | "ort" = opts.engine === "ort" ? "ort" : "tfjs";
  let engineNote = "as requested";
  if ((opts.engine ?? "auto") === "auto") {
    try {
      loadOnnxRuntime("pretrain --engine auto");
      engine = "ort";
      engineNote = "auto → ort: onnxruntime-node loads";
    } catch (err) {
      engineNote = `auto → tfjs: onnxruntime-node cannot be loaded (${(err as Error).message.split("\n")[0]})`;
    }
  }
  const ortL =
    engine === "ort"
      ? await OrtLearner.create(model, { learningRate: cfg.learningRate, beta1: 0.9, beta2: 0.98 })
      : null;
  if (ortL) ortL.setState(opt.getState());
  const sync = (): void => {
    if (!ortL) return;
    ortL.writeTo(model);
    opt.setState(ortL.getState());
  };
  try {
    while (state.step < end) {
      if (budget > 0 && (performance.now() - t0) / 1000 >= budget) {
        stopped = "time-budget";
        break;
      }
      const lr = learningRateAt(cfg, state.step);
      opt.learningRate = lr;
      const w = sampleWindows(train, B, T, rng);
      const diverged = (loss: number, norm: number): BaseInputError =>
        new BaseInputError(
          "learning-rate",
          `training diverged at step ${state.step} (loss ${loss}, gradient norm ${norm}). Fix: lower --learning-rate ` +
            "or raise --warmup-steps, then resume from the last checkpoint.",
        );
      let loss: number;
      let norm: number;
      if (ortL) {
        ortL.learningRate = lr;
        const { inputs, labels } = splitWindows(w, B, T);
        const r = await ortL.lossAndGradients({ ids: inputs, batch: B, seq: T }, labels);
        loss = r.loss;
        if (!Number.isFinite(loss)) throw diverged(loss, Number.NaN);
        const applied = ortL.applyGradients(r.grads, { clipNorm: cfg.gradClip });
        norm = applied.norm;
        if (!applied.applied) throw diverged(loss, norm);
      } else {
        const { value, grads } = tf.variableGrads(() => lmLoss(model, w, B, T), vars);
        loss = (value.dataSync() as Float32Array)[0] as number;
        value.dispose();
        const list = vars.map((v) => grads[v.name] as tf.Tensor);
        norm = globalNorm(list);
        if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
          tf.dispose(list);
          throw diverged(loss, norm);
        }
        opt.apply(list, norm > cfg.gradClip ? cfg.gradClip / norm : 1);
        tf.dispose(list);
      }
      sumLoss += loss;
      nLoss++;
      const now = performance.now();
      state = {
        ...state,
        step: state.step + 1,
        tokens: state.tokens + B * T,
        seconds: state.seconds + (now - lastT) / 1000,
        rng: rng.state(),
      };
      lastT = now;
      if (state.step % logEvery === 0) {
        const dt = (performance.now() - t0) / 1000;
        emit({
          kind: "train",
          step: state.step,
          tokens: state.tokens,
          seconds: Number(state.seconds.toFixed(3)),
          loss: sumLoss / nLoss,
          lr,
          gradNorm: norm,
          tokensPerSecond: dt > 0 ? (state.tokens - startTokens) / dt : 0,
        });
        sumLoss = 0;
        nLoss = 0;
      }
      if (state.step % cfg.evalEvery === 0 || state.step === end) {
        sync();
        const vl = validationLoss(model, valid, cfg);
        state = { ...state, validationPerplexity: Math.exp(vl) };
        emit({
          kind: "validation",
          step: state.step,
          tokens: state.tokens,
          seconds: Number(state.seconds.toFixed(3)),
          loss: vl,
          perplexity: Math.exp(vl),
        });
      }
      if (state.step % cfg.checkpointEvery === 0 || state.step === end) {
        sync();
        await saveCheckpoint(runDir, model, opt, state);
      }
    }
  } finally {
    // the tfjs model and Adam state at the last step (a time-budget stop saves them as its checkpoint below)
    sync();
    await ortL?.dispose();
  }
  if (stopped === "done" && state.step < cfg.steps) stopped = "stop-at-step";
  if (stopped === "time-budget") await saveCheckpoint(runDir, model, opt, state);
  opt.dispose();
  model.dispose();
  return {
    step: state.step,
    tokens: state.tokens,
    validationPerplexity: state.validationPerplexity,
    backend: backend.name,
    engine,
    engineNote,
    resumedFrom,
    stopped,
  };
}
