/**
 * Backend selection. qnet runs on whichever TensorFlow.js backend is best here: the native `tensorflow`
 * backend from `@tensorflow/tfjs-node-gpu` / `@tensorflow/tfjs-node` (optional peers that download
 * libtensorflow at install time, so they are often absent), then `wasm` (ships its binary in the npm package:
 * the embedded default), then the pure-JS `cpu` backend. It also patches the gaps of the wasm backend that a
 * GPT-2 training step hits (see `registerWasmKernels`).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
// Registers the pure-JS "cpu" backend: the fallback of selectBackend and what plain tfjs-core code runs on.
import "@tensorflow/tfjs-backend-cpu";
// Registers tfjs-core's gradients, which tfjs-core alone does not (see scripts/vendor-gradients.sh).
import "../vendor/tfjs-core-gradients.js";
import { QnetBackendError } from "./errors.js";

let wasmStarted = false;

/** A backend qnet knows how to start. `tensorflow` means the native tfjs-node(-gpu) binding. */
export type BackendName = "tensorflow" | "wasm" | "cpu";

/** One attempt made by {@link selectBackend}. */
export interface BackendAttempt {
  /** The backend tried (`tensorflow-gpu` / `tensorflow` for the two native packages). */
  name: string;
  /** Whether it started. */
  ok: boolean;
  /** Why it was chosen or why it failed. */
  reason: string;
}

/** What {@link selectBackend} did. */
export interface BackendReport {
  /** The backend now active in tfjs (`tf.getBackend()`). */
  name: BackendName;
  /** Why this backend runs (explicit choice, auto-detection, fallback). */
  reason: string;
  /** Every attempt in order, including failures with their reasons. */
  tried: BackendAttempt[];
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * Backend to use. `auto` tries tensorflow-gpu, tensorflow, wasm, cpu in that order.
   * @default process.env.DQNLM_BACKEND ?? "auto"
   */
  backend?: BackendName | "tensorflow-gpu" | "auto";
  /**
   * Throw a {@link QnetBackendError} when an explicitly requested backend cannot start, instead of falling
   * back along the auto-detection order.
   * @default false
   */
  strict?: boolean;
  /**
   * Threads for the wasm backend (XNNPACK's thread pool). Takes effect only if wasm has not been started yet
   * in this process. More than 1 starts the multithreaded binary through the workarounds in `startThreadedWasm`.
   * @default Number(process.env.DQNLM_WASM_THREADS ?? 1)
   */
  wasmThreads?: number;
}

type Candidate = "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";
const ORDER: readonly Candidate[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];

function message(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  const line = m.split("\n")[0] ?? m;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

async function importOptional(pkg: string): Promise<void> {
  // A variable specifier keeps bundlers and tsc from resolving optional peers at build time.
  const spec: string = pkg;
  await import(spec);
}

async function tryStart(c: Candidate, wasmThreads = 1): Promise<BackendAttempt> {
  try {
    if (c === "tensorflow-gpu" || c === "tensorflow") {
      const pkg = c === "tensorflow-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
      try {
        await importOptional(pkg);
      } catch (err) {
        return { name: c, ok: false, reason: `${pkg} is not usable (optional peer): ${message(err)}` };
      }
      if (!tf.findBackend("tensorflow") && !tf.findBackendFactory("tensorflow")) {
        return { name: c, ok: false, reason: `${pkg} loaded but registered no "tensorflow" backend` };
      }
      const ok = await tf.setBackend("tensorflow");
      return ok
        ? { name: c, ok: true, reason: `${pkg} native binding` }
        : { name: c, ok: false, reason: `${pkg}: tf.setBackend("tensorflow") returned false` };
    }
    if (c === "wasm") {
      let wasm: typeof import("@tensorflow/tfjs-backend-wasm");
      try {
        wasm = await import("@tensorflow/tfjs-backend-wasm");
      } catch (err) {
        return {
          name: c,
          ok: false,
          reason: `@tensorflow/tfjs-backend-wasm could not be imported: ${message(err)}`,
        };
      }
      const fresh = !wasmStarted;
      const ok =
        fresh && wasmThreads > 1 ? await startThreadedWasm(wasm, wasmThreads) : await tf.setBackend("wasm");
      if (!ok)
        return { name: c, ok: false, reason: 'tf.setBackend("wasm") returned false (binary failed to load)' };
      wasmStarted = true;
      registerWasmKernels();
      const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
      const n = wasm.getThreadsCount();
      const note = !fresh && wasmThreads !== n ? ` (wasm was already started; ${wasmThreads} requested)` : "";
      return {
        name: c,
        ok: true,
        reason: `XNNPACK wasm binary${simd ? " with SIMD" : ""}, ${n} thread${n === 1 ? "" : "s"}${note}`,
      };
    }
    const ok = await tf.setBackend("cpu");
    return ok
      ? { name: c, ok: true, reason: "pure-JavaScript kernels (slowest)" }
      : { name: c, ok: false, reason: 'tf.setBackend("cpu") returned false' };
  } catch (err) {
    return { name: c, ok: false, reason: message(err) };
  }
}

function normalise(choice: string): Candidate | "auto" {
  const c = choice.trim().toLowerCase();
  if (c === "" || c === "auto") return "auto";
  if (c === "node" || c === "tfjs-node") return "tensorflow";
  if (c === "gpu" || c === "node-gpu" || c === "tfjs-node-gpu") return "tensorflow-gpu";
  if ((ORDER as readonly string[]).includes(c)) return c as Candidate;
  throw new QnetBackendError(
    `Unknown backend ${JSON.stringify(choice)}: expected one of auto, tensorflow-gpu, tensorflow, wasm, cpu ` +
      "(e.g. DQNLM_BACKEND=wasm).",
    "backend",
  );
}

/**
 * Starts the best available backend (or the requested one) and reports why. The choice comes from
 * `opts.backend`, else the `DQNLM_BACKEND` environment variable, else auto-detection. An explicit choice
 * that cannot start falls back along the auto order (tensorflow-gpu → tensorflow → wasm → cpu), unless
 * `strict` is set.
 */
export async function selectBackend(opts: SelectBackendOptions = {}): Promise<BackendReport> {
  const requested = normalise(opts.backend ?? process.env.DQNLM_BACKEND ?? "auto");
  const threads = opts.wasmThreads ?? Number(process.env.DQNLM_WASM_THREADS ?? 1);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new QnetBackendError(
      `wasmThreads must be a positive integer, received ${String(threads)} (e.g. DQNLM_WASM_THREADS=2)`,
      "wasmThreads",
    );
  }
  const tried: BackendAttempt[] = [];
  if (requested !== "auto") {
    const a = await tryStart(requested, threads);
    tried.push(a);
    if (a.ok)
      return { name: tf.getBackend() as BackendName, reason: `requested ${requested}: ${a.reason}`, tried };
    if (opts.strict) {
      throw new QnetBackendError(
        `Backend ${requested} was requested but could not start: ${a.reason}. ` +
          "Install it, or drop `strict` / DQNLM_BACKEND to fall back automatically.",
        "backend",
      );
    }
  }
  for (const c of ORDER) {
    if (c === requested) continue;
    const a = await tryStart(c, threads);
    tried.push(a);
    if (a.ok) {
      const why =
        requested === "auto"
          ? `auto-detected: ${a.reason}`
          : `fell back to ${c} because ${requested} failed (${tried[0]?.reason}): ${a.reason}`;
      return { name: tf.getBackend() as BackendName, reason: why, tried };
    }
  }
  throw new QnetBackendError(
    `No TensorFlow.js backend could start: ${tried.map((t) => `${t.name}: ${t.reason}`).join("; ")}`,
    "backend",
  );
}

/** The report of {@link doctor}: the selection plus versions. */
export interface DoctorReport extends BackendReport {
  /** Versions of the tfjs packages in use. */
  versions: Record<string, string>;
  /** Node version and CPU count. */
  platform: { node: string; cpus: number };
  /** Which engine runs each part of training, and on how many threads. */
  engines: EngineUse[];
}

/** One line of {@link DoctorReport.engines}. */
export interface EngineUse {
  /** The part of the work (learner, gradient-free passes, qnet's JavaScript kernels). */
  part: string;
  /** The engine that runs it, e.g. `wasm (XNNPACK, SIMD)`. */
  engine: string;
  /** Threads it computes on (1 for JavaScript on the main thread). */
  threads: number;
  /** How the thread count was decided, or why an engine is not used. */
  note: string;
}

/**
 * Which engine runs each part on the active backend. Every tensor op (the learner's forward and backward, and
 * every gradient-free pass: rollouts with the KV cache, target and reference passes, evaluation decoding)
 * runs on the tfjs backend; on wasm, qnet's replacement kernels (transpose, scatter-add, one-hot, shared
 * identity) run in JavaScript on the main thread. `onnxruntime-node` is probed and reported: it runs the
 * learner engine {@link OrtLearner} (ort-learner.ts), which the trainer uses by default ("auto") where it loads.
 */
async function engineUse(name: BackendName, cpus: number): Promise<EngineUse[]> {
  let engine: string = name;
  let threads = 1;
  let note = "pure JavaScript on the main thread";
  if (name === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    threads = wasm.getThreadsCount();
    const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
    engine = `wasm (XNNPACK${simd ? ", SIMD" : ""})`;
    note =
      threads > 1
        ? "XNNPACK GEMMs and convolutions on the pool; elementwise kernels on the main thread"
        : "1 thread: the default (DQNLM_WASM_THREADS / selectBackend({ wasmThreads }) to change)";
  } else if (name === "tensorflow") {
    engine = "tensorflow (libtensorflow, native)";
    threads = cpus;
    note = "libtensorflow's default intra-op pool (one thread per core)";
  }
  const out: EngineUse[] = [
    { part: "learner (forward + backward + optimizer)", engine, threads, note },
    {
      part: "gradient-free passes (rollouts with KV cache, target/reference passes, evaluation)",
      engine,
      threads,
      note: "same backend as the learner",
    },
  ];
  if (name === "wasm") {
    out.push({
      part: "qnet's wasm kernels (transpose, scatter-add, one-hot, shared identity)",
      engine: "JavaScript",
      threads: 1,
      note: "main thread, between wasm kernels",
    });
  }
  let ort: EngineUse;
  try {
    const spec: string = "onnxruntime-node";
    const mod = (await import(spec)) as { env?: { versions?: { common?: string } } };
    ort = {
      part: "onnxruntime-node (optional)",
      engine: `onnxruntime ${mod.env?.versions?.common ?? "?"} (MLAS)`,
      threads: 0,
      note: 'loads; learner engine OrtLearner: the trainer\'s default ("auto") for MLE and DQN updates and apps/base pretrain; rollouts and decoding stay on tfjs',
    };
  } catch (err) {
    ort = {
      part: "onnxruntime-node (optional)",
      engine: "none",
      threads: 0,
      note: `not installed: ${message(err)}`,
    };
  }
  out.push(ort);
  return out;
}

/**
 * Selects a backend like {@link selectBackend} and additionally probes every other candidate so the report
 * says why each one is not used. Leaves the selected backend active.
 */
export async function doctor(opts: SelectBackendOptions = {}): Promise<DoctorReport> {
  const report = await selectBackend(opts);
  const seen = new Set(report.tried.map((t) => t.name));
  for (const c of ORDER) {
    if (seen.has(c)) continue;
    const a = await tryStart(c);
    report.tried.push({ ...a, reason: a.ok ? `available, not selected (${a.reason})` : a.reason });
  }
  // Probing switched backends; switch back to the selected one.
  await tf.setBackend(report.name);
  const os = await import("node:os");
  const cpus = os.cpus().length;
  return {
    ...report,
    tried: ORDER.map((c) => report.tried.find((t) => t.name === c)).filter(
      (t): t is BackendAttempt => t !== undefined,
    ),
    versions: { "tfjs-core": tf.version_core },
    platform: { node: process.version, cpus },
    engines: await engineUse(report.name, cpus),
  };
}

interface WasmTensorData {
  shape: number[];
  dtype: tf.DataType;
  dataId: object;
}
interface WasmBackendLike {
  typedArrayFromHeap(t: WasmTensorData): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/**
 * Cache-blocked transpose over a typed array: the input axis that becomes the output's last axis (`q`) and
 * the input's own last axis are walked in 32×32 tiles so both reads and writes stay in cache. Every other
 * axis is iterated by an odometer. Handles any rank and permutation.
 */
export function transposeInto(
  x: Float32Array | Int32Array,
  shape: readonly number[],
  perm: readonly number[],
  out: Float32Array | Int32Array,
): void {
  // Copy 32-bit words through Int32Array views: one element type keeps the loops monomorphic (a mix of
  // Float32Array and Int32Array calls made them ~5× slower), and integer copies are bit-exact for floats.
  const xi = x instanceof Int32Array ? x : new Int32Array(x.buffer, x.byteOffset, x.length);
  const oi = out instanceof Int32Array ? out : new Int32Array(out.buffer, out.byteOffset, out.length);
  transposeWords(xi, shape, perm, oi);
}

function transposeWords(
  x: Int32Array,
  shape: readonly number[],
  perm: readonly number[],
  out: Int32Array,
): void {
  const r = shape.length;
  const inStride = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) {
    inStride[i] = acc;
    acc *= shape[i] as number;
  }
  const outShape = perm.map((p) => shape[p] as number);
  const outStrideByOut = new Array<number>(r);
  acc = 1;
  for (let i = r - 1; i >= 0; i--) {
    outStrideByOut[i] = acc;
    acc *= outShape[i] as number;
  }
  // stride in the output of each *input* axis
  const os = new Array<number>(r);
  for (let i = 0; i < r; i++) os[perm[i] as number] = outStrideByOut[i] as number;
  const last = r - 1;
  const q = perm[last] as number;
  const others: number[] = [];
  for (let a = 0; a < r; a++) if (a !== q && a !== last) others.push(a);
  const idx = new Array<number>(others.length).fill(0);
  const nLast = shape[last] as number;
  const nQ = shape[q] as number;
  const siQ = inStride[q] as number;
  const soLast = os[last] as number;
  const B = 32;
  for (;;) {
    let inBase = 0;
    let outBase = 0;
    for (let k = 0; k < others.length; k++) {
      const a = others[k] as number;
      inBase += (idx[k] as number) * (inStride[a] as number);
      outBase += (idx[k] as number) * (os[a] as number);
    }
    if (q === last) {
      // the last axis stays last: contiguous runs
      out.set(x.subarray(inBase, inBase + nLast), outBase);
    } else {
      for (let i0 = 0; i0 < nQ; i0 += B) {
        const i1 = Math.min(nQ, i0 + B);
        for (let j0 = 0; j0 < nLast; j0 += B) {
          const j1 = Math.min(nLast, j0 + B);
          for (let j = j0; j < j1; j++) {
            const ob = outBase + j * soLast;
            const ib = inBase + j;
            for (let i = i0; i < i1; i++) out[ob + i] = x[ib + i * siQ] as number;
          }
        }
      }
    }
    let k = others.length - 1;
    while (k >= 0) {
      const a = others[k] as number;
      idx[k] = (idx[k] as number) + 1;
      if ((idx[k] as number) < (shape[a] as number)) break;
      idx[k] = 0;
      k--;
    }
    if (k < 0) break;
  }
}

/**
 * The wasm backend lacks `UnsortedSegmentSum`, the gradient of `gather` (embedding lookup). This registers
 * a JavaScript kernel that scatter-adds directly in the wasm heap: O(N·d), negligible next to the matmuls.
 */
export function registerWasmKernels(): void {
  registerFastTranspose();
  registerSharedIdentity();
  registerTypedOneHot();
  if (tf.getKernel("UnsortedSegmentSum", "wasm")) return;
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as unknown as WasmBackendLike;
      const x = inputs.x as WasmTensorData;
      const seg = inputs.segmentIds as WasmTensorData;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      if (x.dtype !== "float32")
        throw new Error(`UnsortedSegmentSum(wasm, qnet): float32 only, got ${x.dtype}`);
      const inner = x.shape.slice(1).reduce((p, q) => p * q, 1);
      const out = b.makeOutput([numSegments, ...x.shape.slice(1)], "float32");
      // Views are taken after makeOutput: allocation may grow (and detach) the wasm heap.
      const xv = b.typedArrayFromHeap(x) as Float32Array;
      const sv = b.typedArrayFromHeap(seg);
      const ov = b.typedArrayFromHeap(out as WasmTensorData) as Float32Array;
      ov.fill(0);
      const n = sv.length;
      for (let i = 0; i < n; i++) {
        const s = sv[i] as number;
        if (s < 0 || s >= numSegments) continue;
        const o = s * inner;
        const xo = i * inner;
        for (let j = 0; j < inner; j++) ov[o + j] = (ov[o + j] as number) + (xv[xo + j] as number);
      }
      return out;
    },
  });
}

let transposePatched = false;

/**
 * wasm's Transpose kernel walks memory naively: a [1024, 4096] transpose takes ~190 ms (vs ~10 ms for a
 * same-size add), and a training step transposes every activation for its weight gradients. This wraps it
 * with the cache-blocked {@link transposeInto} for float32/int32 tensors (others go to the original kernel).
 */
function registerFastTranspose(): void {
  if (transposePatched) return;
  const original = tf.getKernel("Transpose", "wasm");
  if (!original) return;
  transposePatched = true;
  tf.unregisterKernel("Transpose", "wasm");
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const x = args.inputs.x as WasmTensorData;
      const perm = (args.attrs as { perm: number[] }).perm;
      if ((x.dtype !== "float32" && x.dtype !== "int32") || x.shape.length < 2) {
        return original.kernelFunc(args);
      }
      const b = args.backend as unknown as WasmBackendLike;
      const out = b.makeOutput(
        perm.map((p) => x.shape[p] as number),
        x.dtype,
      );
      const xv = b.typedArrayFromHeap(x) as Float32Array | Int32Array;
      const ov = b.typedArrayFromHeap(out as WasmTensorData) as Float32Array | Int32Array;
      transposeInto(xv, x.shape, perm, ov);
      return out;
    },
  });
}

let oneHotPatched = false;

/**
 * tfjs-backend-wasm 4.22's `OneHot` ignores its `dtype` attribute: the C++ kernel always writes int32 bits, so a
 * float32 one-hot reads 1.4e-45 instead of 1 (and on/off values that are not integers come out as 0). This
 * keeps the native kernel for int32 and fills any other dtype in JavaScript (O(N·depth), like the kernel).
 */
function registerTypedOneHot(): void {
  if (oneHotPatched) return;
  const original = tf.getKernel("OneHot", "wasm");
  if (!original) return;
  oneHotPatched = true;
  tf.unregisterKernel("OneHot", "wasm");
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { dtype, depth, onValue, offValue } = args.attrs as {
        dtype: tf.DataType;
        depth: number;
        onValue: number;
        offValue: number;
      };
      if (dtype === "int32" || dtype === "string") return original.kernelFunc(args);
      const b = args.backend as unknown as WasmBackendLike;
      const indices = args.inputs.indices as WasmTensorData;
      const out = b.makeOutput([...indices.shape, depth], dtype);
      // Views after makeOutput: allocation may grow (and detach) the wasm heap.
      const iv = b.typedArrayFromHeap(indices);
      const ov = b.typedArrayFromHeap(out as WasmTensorData);
      ov.fill(offValue);
      for (let i = 0; i < iv.length; i++) {
        const k = iv[i] as number;
        if (k >= 0 && k < depth) ov[i * depth + k] = onValue;
      }
      return out;
    },
  });
}

let identityPatched = false;

/**
 * tfjs clones every tensor it saves for the backward pass (`Identity`); wasm's Identity copies the data,
 * cpu's shares it with a reference count. Tensors are immutable, so sharing is safe: this gives wasm the
 * cpu behaviour and removes a copy of every saved activation.
 */
function registerSharedIdentity(): void {
  if (identityPatched) return;
  const original = tf.getKernel("Identity", "wasm");
  if (!original) return;
  identityPatched = true;
  tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const x = args.inputs.x as WasmTensorData;
      if (x.dtype === "string") return original.kernelFunc(args);
      (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype } as tf.TensorInfo;
    },
  });
}

/**
 * Starts tfjs-backend-wasm's multithreaded binary under Node, which it does not support out of the box:
 * - its `WASM_HAS_MULTITHREAD_SUPPORT` flag is hard-wired to false under Node: we set it;
 * - its pthread workers are created from `blob:` URLs, which Node's `Worker` cannot load: we write the worker
 *   script (with the module factory it would import from a second blob) to a temporary `.cjs` file and hand
 *   out that path instead;
 * - it caps threads at half the logical cores (`os.cpus().length / 2`): `os.cpus` reports twice the cores
 *   while the pool is created, so `threads` is honoured up to the real core count;
 * - the pool's workers keep the event loop alive, so the process never exits: every worker is `unref()`ed and
 *   its `ref()` made a no-op (the main thread blocks on them synchronously during kernels, so they need no ref).
 * Every patch but the Worker class is undone once the backend is up.
 */
async function startThreadedWasm(
  wasm: typeof import("@tensorflow/tfjs-backend-wasm"),
  threads: number,
): Promise<boolean> {
  const g = globalThis as unknown as Record<string, unknown>;
  const OrigBlob = globalThis.Blob;
  const origCreate = URL.createObjectURL;
  const realCpus = os.cpus;
  const captured: string[] = [];
  const dir = mkdtempSync(join(os.tmpdir(), "dqnlm-wasm-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  globalThis.Blob = class extends OrigBlob {
    constructor(...args: ConstructorParameters<typeof OrigBlob>) {
      super(...args);
      const first = args[0]?.[0];
      if (typeof first === "string") captured.push(first);
    }
  };
  URL.createObjectURL = (obj: Blob): string => {
    const factory = captured.find((x) => x.startsWith("var WasmBackendModuleThreadedSimd"));
    const worker = captured.find((x) => x.startsWith('"use strict";var Module={}'));
    if (!factory || !worker) return origCreate(obj);
    // The factory was bundled by rollup: give it the module aliases it refers to.
    const prelude =
      'var require$$0=require("fs"),require$$1=require("path"),require$$3=require("perf_hooks"),' +
      'require$$4=require("os"),commonjsGlobal=globalThis;';
    const body = worker.replace(
      "var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)",
      "",
    );
    const path = join(dir, "tfjs-backend-wasm-threaded-simd.worker.cjs");
    writeFileSync(
      path,
      `${prelude}\n${body}\n${factory.replace("var WasmBackendModuleThreadedSimd", "global.WasmBackendModuleThreadedSimd")}\n`,
    );
    return path;
  };
  type WorkerCtor = new (...args: unknown[]) => { unref(): void };
  let W: unknown = g.Worker;
  Object.defineProperty(globalThis, "Worker", {
    configurable: true,
    get: () => W,
    set: (Base: WorkerCtor) => {
      W = class extends Base {
        constructor(...args: unknown[]) {
          super(...args);
          this.unref();
        }
        ref(): this {
          return this;
        }
      };
    },
  });
  (os as { cpus: typeof os.cpus }).cpus = () => {
    const c = realCpus();
    return [...c, ...c];
  };
  try {
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
    wasm.setThreadsCount(threads);
    return await tf.setBackend("wasm");
  } finally {
    globalThis.Blob = OrigBlob;
    URL.createObjectURL = origCreate;
    (os as { cpus: typeof os.cpus }).cpus = realCpus;
  }
}
