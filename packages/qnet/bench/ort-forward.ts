/**
 * Route measurement for issue #12: onnxruntime-node (MLAS, native multi-threaded GEMMs) as the engine for
 * gradient-free GPT-2 passes (target / reference passes, evaluation), against qnet's wasm forward.
 *
 * onnxruntime-node has no graph-building API: a model must be an ONNX protobuf. This file writes one directly
 * (a ~60-line protobuf encoder below) for qnet's GPT-2, with every weight as a graph *input*, so keeping the
 * ORT copy in sync with training costs only reading the weights out of tfjs per call (measured below) — no
 * re-export, no session rebuild.
 *
 *   node --conditions=source --import tsx packages/qnet/bench/ort-forward.ts [--configs 1,3,5] [--reps 3]
 *
 * Needs `onnxruntime-node` resolvable (DQNLM_ORT_PATH: a folder whose node_modules has it); skips loudly
 * otherwise. Prints forward ms for both engines, the ratio, the weight read-out cost and max |ΔQ|.
 */
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { join } from "node:path";

// ---- minimal protobuf writer ----------------------------------------------------------------------------
type Field = Uint8Array;
const enc = new TextEncoder();
function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const cat = (parts: Field[]): Field => {
  const n = parts.reduce((p, q) => p + q.length, 0);
  const o = new Uint8Array(n);
  let k = 0;
  for (const p of parts) {
    o.set(p, k);
    k += p.length;
  }
  return o;
};
const fInt = (no: number, v: number | bigint): Field => new Uint8Array([...varint(no << 3), ...varint(v)]);
const fBytes = (no: number, b: Field): Field =>
  cat([new Uint8Array([...varint((no << 3) | 2), ...varint(b.length)]), b]);
const fStr = (no: number, s: string): Field => fBytes(no, enc.encode(s));
const fFloat = (no: number, x: number): Field => {
  const b = new Uint8Array(5);
  b[0] = (no << 3) | 5;
  new DataView(b.buffer).setFloat32(1, x, true);
  return b;
};

// ---- ONNX messages (field numbers from onnx.proto) -------------------------------------------------------
const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
type Attr = { name: string; i?: number; f?: number; ints?: number[] };
function attr(a: Attr): Field {
  const parts = [fStr(1, a.name)];
  if (a.f !== undefined) parts.push(fFloat(2, a.f), fInt(20, 1));
  else if (a.ints !== undefined) parts.push(...a.ints.map((x) => fInt(8, x)), fInt(20, 7));
  else parts.push(fInt(3, a.i ?? 0), fInt(20, 2));
  return cat(parts);
}
const node = (op: string, inputs: string[], outputs: string[], attrs: Attr[] = []): Field =>
  cat([
    ...inputs.map((s) => fStr(1, s)),
    ...outputs.map((s) => fStr(2, s)),
    fStr(4, op),
    ...attrs.map((a) => fBytes(5, attr(a))),
  ]);
function valueInfo(name: string, elem: number, dims: Array<number | string>): Field {
  const shape = cat(dims.map((d) => fBytes(1, typeof d === "number" ? fInt(1, d) : fStr(2, d))));
  const tensorType = cat([fInt(1, elem), fBytes(2, shape)]);
  return cat([fStr(1, name), fBytes(2, fBytes(1, tensorType))]);
}
function initializer(name: string, elem: number, dims: number[], raw: ArrayBufferView): Field {
  return cat([
    ...dims.map((d) => fInt(1, d)),
    fInt(2, elem),
    fStr(8, name),
    fBytes(9, new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)),
  ]);
}

interface Cfg {
  d: number;
  layers: number;
  heads: number;
  vocab: number;
  batch: number;
  seq: number;
}

/** qnet's GPT-2 forward (tied head, gelu_new as x·σ(2u)) as an ONNX model with the weights as inputs. */
export function gpt2Onnx(c: Cfg): {
  bytes: Uint8Array;
  weightInputs: Array<{ name: string; shape: number[] }>;
} {
  const { d, heads: H, seq: T } = c;
  const dh = d / H;
  const nodes: Field[] = [];
  const inits: Field[] = [];
  const inputs: Field[] = [valueInfo("ids", INT32, ["B", T])];
  const weightInputs: Array<{ name: string; shape: number[] }> = [];
  const w = (name: string, shape: number[]): string => {
    weightInputs.push({ name, shape });
    inputs.push(valueInfo(name, FLOAT, shape));
    return name;
  };
  const konst = (name: string, v: number[] | Float32Array, elem = INT64): string => {
    const arr = elem === INT64 ? BigInt64Array.from((v as number[]).map(BigInt)) : (v as Float32Array);
    inits.push(initializer(name, elem, [v.length], arr));
    return name;
  };
  let k = 0;
  const op = (type: string, ins: string[], attrs: Attr[] = []): string => {
    const out = `t${k++}`;
    nodes.push(node(type, ins, [out], attrs));
    return out;
  };
  const mask = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = -1e9;
  inits.push(initializer("mask", FLOAT, [T, T], mask));
  const sh = {
    flat: konst("s_flat", [-1, d]),
    heads: konst("s_heads", [-1, T, 3, H, dh]),
    back: konst("s_back", [-1, T, d]),
  };
  const wte = w("transformer.wte.weight", [c.vocab, d]);
  const wpe = w("transformer.wpe.weight", [T, d]);
  let x = op("Add", [op("Gather", [wte, "ids"]), wpe]); // [B, T, d]
  const ln = (z: string, g: string, b: string): string =>
    op(
      "LayerNormalization",
      [z, g, b],
      [
        { name: "axis", i: -1 },
        { name: "epsilon", f: 1e-5 },
      ],
    );
  const cGelu = 2 * Math.sqrt(2 / Math.PI);
  const s1 = konst("g_c1", new Float32Array([0.044715 * cGelu]), FLOAT);
  const s2 = konst("g_c2", new Float32Array([cGelu]), FLOAT);
  const scale = konst("att_scale", new Float32Array([1 / Math.sqrt(dh)]), FLOAT);
  for (let i = 0; i < c.layers; i++) {
    const p = `transformer.h.${i}.`;
    const h = ln(x, w(`${p}ln_1.weight`, [d]), w(`${p}ln_1.bias`, [d]));
    const qkv = op("Add", [
      op("MatMul", [h, w(`${p}attn.c_attn.weight`, [d, 3 * d])]),
      w(`${p}attn.c_attn.bias`, [3 * d]),
    ]);
    // [B, T, 3, H, dh] → [3, B, H, T, dh]
    const t5 = op("Transpose", [op("Reshape", [qkv, sh.heads])], [{ name: "perm", ints: [2, 0, 3, 1, 4] }]);
    const [q, kk, v] = [0, 1, 2].map((j) =>
      op("Squeeze", [
        op("Gather", [t5, konst(`idx${i}_${j}`, [j])], [{ name: "axis", i: 0 }]),
        konst(`ax0_${i}_${j}`, [0]),
      ]),
    ) as [string, string, string];
    const s = op("Add", [
      op("Mul", [op("MatMul", [q, op("Transpose", [kk], [{ name: "perm", ints: [0, 1, 3, 2] }])]), scale]),
      "mask",
    ]);
    const a = op("MatMul", [op("Softmax", [s], [{ name: "axis", i: -1 }]), v]); // [B, H, T, dh]
    const merged = op("Reshape", [op("Transpose", [a], [{ name: "perm", ints: [0, 2, 1, 3] }]), sh.back]);
    x = op("Add", [
      x,
      op("Add", [
        op("MatMul", [merged, w(`${p}attn.c_proj.weight`, [d, d])]),
        w(`${p}attn.c_proj.bias`, [d]),
      ]),
    ]);
    const h2 = ln(x, w(`${p}ln_2.weight`, [d]), w(`${p}ln_2.bias`, [d]));
    const f = op("Add", [
      op("MatMul", [h2, w(`${p}mlp.c_fc.weight`, [d, 4 * d])]),
      w(`${p}mlp.c_fc.bias`, [4 * d]),
    ]);
    const u = op("Mul", [f, op("Add", [op("Mul", [op("Mul", [f, f]), s1]), s2])]);
    const g = op("Mul", [f, op("Sigmoid", [u])]);
    x = op("Add", [
      x,
      op("Add", [op("MatMul", [g, w(`${p}mlp.c_proj.weight`, [4 * d, d])]), w(`${p}mlp.c_proj.bias`, [d])]),
    ]);
  }
  const hf = ln(x, w("transformer.ln_f.weight", [d]), w("transformer.ln_f.bias", [d]));
  const logits = op("Gemm", [op("Reshape", [hf, sh.flat]), wte], [{ name: "transB", i: 1 }]); // [B·T, V]
  nodes.push(node("Identity", [logits], ["q"]));
  const graph = cat([
    ...nodes.map((n) => fBytes(1, n)),
    fStr(2, "gpt2"),
    ...inits.map((t) => fBytes(5, t)),
    ...inputs.map((t) => fBytes(11, t)),
    fBytes(12, valueInfo("q", FLOAT, ["N", c.vocab])),
  ]);
  const model = cat([
    fInt(1, 8),
    fStr(2, "dqnlm"),
    fBytes(7, graph),
    fBytes(8, cat([fStr(1, ""), fInt(2, 17)])),
  ]);
  return { bytes: model, weightInputs };
}

// ---- measurement -----------------------------------------------------------------------------------------
const CONFIGS: Cfg[] = [
  { d: 64, layers: 2, heads: 4, vocab: 1024, batch: 16, seq: 32 },
  { d: 128, layers: 2, heads: 4, vocab: 1024, batch: 16, seq: 32 },
  { d: 128, layers: 4, heads: 4, vocab: 8192, batch: 16, seq: 32 },
  { d: 256, layers: 2, heads: 4, vocab: 1024, batch: 32, seq: 64 },
  { d: 256, layers: 4, heads: 4, vocab: 8192, batch: 32, seq: 64 },
];

/** The slice of onnxruntime-node's API used here (it is not a dependency: loaded from DQNLM_ORT_PATH). */
interface OrtTensor {
  data: unknown;
}
interface Ort {
  env: { versions?: { common?: string } };
  Tensor: new (type: string, data: Float32Array | Int32Array, dims: number[]) => OrtTensor;
  InferenceSession: {
    create(
      bytes: Uint8Array,
      opts: { intraOpNumThreads: number; interOpNumThreads: number; graphOptimizationLevel: string },
    ): Promise<{
      run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
      release(): Promise<void>;
    }>;
  };
}

async function main(): Promise<void> {
  const argv = process.argv;
  const get = (n: string, f: string): string => {
    const i = argv.indexOf(`--${n}`);
    return i >= 0 ? (argv[i + 1] ?? f) : f;
  };
  const req = createRequire(join(process.env.DQNLM_ORT_PATH ?? process.cwd(), "noop.js"));
  let ort: Ort;
  try {
    ort = req("onnxruntime-node") as Ort;
  } catch (err) {
    console.warn(
      `\n!!! onnxruntime-node is not resolvable (${(err as Error).message.split("\n")[0]}): SKIPPED\n`,
    );
    return;
  }
  const { QNetwork, selectBackend, tf } = await import("../src/index.js");
  const backend = await selectBackend({ backend: "wasm", strict: true });
  const threads = Number(get("ort-threads", "2"));
  console.log(
    `qnet: ${backend.reason}; onnxruntime-node ${ort.env.versions?.common ?? "?"}, ${threads} intra-op threads`,
  );
  const reps = Number(get("reps", "3"));
  for (const ci of get("configs", "1,2,3,4,5")
    .split(",")
    .map((s) => Number(s) - 1)) {
    const c = CONFIGS[ci] as Cfg;
    const net = QNetwork.random(
      { vocabSize: c.vocab, nPositions: c.seq, nEmbd: c.d, nLayer: c.layers, nHead: c.heads },
      1,
    );
    const { bytes, weightInputs } = gpt2Onnx(c);
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
    });
    const idsArr = Int32Array.from({ length: c.batch * c.seq }, (_, i) => (i * 7919) % c.vocab);
    const ids = tf.tensor2d(idsArr, [c.batch, c.seq], "int32");
    const vars = net.namedVariables;
    const feedsFromNet = (): Record<string, OrtTensor> => {
      const f: Record<string, OrtTensor> = {
        ids: new ort.Tensor("int32", idsArr, [c.batch, c.seq]),
      };
      for (const wi of weightInputs) {
        const v = vars.get(wi.name) as InstanceType<typeof tf.Variable>;
        f[wi.name] = new ort.Tensor("float32", v.dataSync() as Float32Array, wi.shape);
      }
      return f;
    };
    const tq: number[] = [];
    const to: number[] = [];
    const tsync: number[] = [];
    let diff = 0;
    const l0 = loadavg();
    for (let r = 0; r <= reps; r++) {
      let t0 = performance.now();
      const q = net.forward(ids);
      const qv = q.dataSync() as Float32Array;
      const dq = performance.now() - t0;
      t0 = performance.now();
      const feeds = feedsFromNet();
      const ds = performance.now() - t0;
      t0 = performance.now();
      const out = await session.run(feeds);
      const ov = out.q?.data as Float32Array;
      const dort = performance.now() - t0;
      q.dispose();
      if (r === 0) {
        for (let i = 0; i < qv.length; i++)
          diff = Math.max(diff, Math.abs((qv[i] as number) - (ov[i] as number)));
        continue; // warm-up
      }
      tq.push(dq);
      to.push(dort);
      tsync.push(ds);
    }
    const med = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] as number;
    console.log(
      `(${c.d}, ${c.layers}, ${c.vocab}, ${c.batch}×${c.seq}) forward: qnet wasm ${med(tq).toFixed(1)} ms, ` +
        `onnxruntime ${med(to).toFixed(1)} ms (${(med(tq) / med(to)).toFixed(2)}× faster), weight read-out ` +
        `${med(tsync).toFixed(1)} ms, max |ΔQ| ${diff.toExponential(2)}; load ${l0.map((x) => x.toFixed(1)).join(" ")} → ` +
        `${loadavg()
          .map((x) => x.toFixed(1))
          .join(" ")}`,
    );
    ids.dispose();
    net.dispose();
    await session.release();
  }
}

await main();
