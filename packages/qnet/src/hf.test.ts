import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@dqnlm/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCheckpoint, QNetwork, readSafetensors, saveCheckpoint, selectBackend, tf } from "./index.js";

/**
 * A tiny GPT-2 in the Hugging Face layout, generated here with its own safetensors writer (independent of
 * qnet's): names without the `transformer.` prefix (as in openai-community/gpt2), Conv1D weights [in, out],
 * the `h.N.attn.bias` mask buffer HF checkpoints carry, and one tensor stored as F16 and one as BF16.
 */
const CFG = { vocab_size: 23, n_positions: 12, n_embd: 16, n_layer: 2, n_head: 2, layer_norm_epsilon: 1e-5 };
type Arr = { shape: number[]; data: Float64Array };

function makeWeights(seed: number): Map<string, Arr> {
  const rng = new Rng(seed);
  const { vocab_size: V, n_positions: P, n_embd: d, n_layer: L } = CFG;
  const w = new Map<string, Arr>();
  const add = (name: string, shape: number[], scale: number, mean = 0): void => {
    const n = shape.reduce((p, q) => p * q, 1);
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.fround(mean + scale * rng.nextNormal());
    w.set(name, { shape, data });
  };
  add("wte.weight", [V, d], 0.5);
  add("wpe.weight", [P, d], 0.3);
  for (let l = 0; l < L; l++) {
    const p = `h.${l}.`;
    add(`${p}ln_1.weight`, [d], 0.2, 1);
    add(`${p}ln_1.bias`, [d], 0.1);
    add(`${p}attn.c_attn.weight`, [d, 3 * d], 0.3);
    add(`${p}attn.c_attn.bias`, [3 * d], 0.1);
    add(`${p}attn.c_proj.weight`, [d, d], 0.2);
    add(`${p}attn.c_proj.bias`, [d], 0.1);
    add(`${p}ln_2.weight`, [d], 0.2, 1);
    add(`${p}ln_2.bias`, [d], 0.1);
    add(`${p}mlp.c_fc.weight`, [d, 4 * d], 0.2);
    add(`${p}mlp.c_fc.bias`, [4 * d], 0.1);
    add(`${p}mlp.c_proj.weight`, [4 * d, d], 0.1);
    add(`${p}mlp.c_proj.bias`, [d], 0.1);
  }
  add("ln_f.weight", [d], 0.2, 1);
  add("ln_f.bias", [d], 0.1);
  return w;
}

/** float32 → bfloat16 by truncation, and → float16 by rounding; values chosen to be exact in both. */
function toBF16(x: number): number {
  const f = new Float32Array([x]);
  return new Uint32Array(f.buffer)[0]! >>> 16;
}

function writeFixture(dir: string, w: Map<string, Arr>): void {
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  const chunks: Uint8Array[] = [];
  let off = 0;
  const push = (name: string, dtype: string, shape: number[], bytes: Uint8Array): void => {
    header[name] = { dtype, shape, data_offsets: [off, off + bytes.length] };
    chunks.push(bytes);
    off += bytes.length;
  };
  for (const [name, a] of w) {
    if (name === "h.1.ln_2.bias") {
      // BF16: store exactly representable values (the loader must widen them, not reinterpret)
      const u = new Uint16Array(a.data.length);
      for (let i = 0; i < a.data.length; i++) {
        a.data[i] = Math.round(a.data[i]! * 64) / 64; // 6 fractional bits: exact in bf16
        u[i] = toBF16(a.data[i]!);
      }
      push(name, "BF16", a.shape, new Uint8Array(u.buffer));
    } else if (name === "h.0.ln_1.bias") {
      // F16 with hand-encoded halves: 0.25 = 0x3400, −1.5 = 0xBE00, 2 = 0x4000
      const vals = [0.25, -1.5, 2];
      const bits = [0x3400, 0xbe00, 0x4000];
      const u = new Uint16Array(a.data.length);
      for (let i = 0; i < a.data.length; i++) {
        a.data[i] = vals[i % 3]!;
        u[i] = bits[i % 3]!;
      }
      push(name, "F16", a.shape, new Uint8Array(u.buffer));
    } else {
      push(name, "F32", a.shape, new Uint8Array(Float32Array.from(a.data).buffer));
    }
    if (name.endsWith("attn.c_proj.bias")) {
      // the causal-mask buffer real GPT-2 checkpoints carry; it must be ignored
      const l = name.split(".")[1];
      push(`h.${l}.attn.bias`, "F32", [1, 1, 2, 2], new Uint8Array(new Float32Array([1, 0, 1, 1]).buffer));
    }
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  writeFileSync(join(dir, "model.safetensors"), out);
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({ ...CFG, model_type: "gpt2", activation_function: "gelu_new", n_inner: null }),
  );
}

/** The GPT-2 forward pass in plain Float64 loops, straight from the HF modeling code's maths. */
function referenceLogits(w: Map<string, Arr>, ids: number[]): number[][] {
  const { vocab_size: V, n_embd: d, n_layer: L, n_head: H, layer_norm_epsilon: eps } = CFG;
  const g = (n: string): Float64Array => w.get(n)!.data;
  const T = ids.length;
  const dh = d / H;
  const ln = (x: number[], gain: Float64Array, bias: Float64Array): number[] => {
    const mu = x.reduce((a, b) => a + b, 0) / d;
    const v = x.reduce((a, b) => a + (b - mu) ** 2, 0) / d;
    return x.map((xi, i) => ((xi - mu) / Math.sqrt(v + eps)) * gain[i]! + bias[i]!);
  };
  // Conv1D: y[j] = b[j] + Σ_i x[i] W[i, j] with W stored [in, out]
  const conv = (x: number[], W: Float64Array, b: Float64Array, nOut: number): number[] => {
    const y = Array.from(b);
    for (let i = 0; i < x.length; i++) for (let j = 0; j < nOut; j++) y[j]! += x[i]! * W[i * nOut + j]!;
    return y;
  };
  const gelu = (x: number): number =>
    0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  let hs = ids.map((id, t) =>
    Array.from({ length: d }, (_, i) => g("wte.weight")[id * d + i]! + g("wpe.weight")[t * d + i]!),
  );
  for (let l = 0; l < L; l++) {
    const p = `h.${l}.`;
    const qkv = hs.map((x) =>
      conv(
        ln(x, g(`${p}ln_1.weight`), g(`${p}ln_1.bias`)),
        g(`${p}attn.c_attn.weight`),
        g(`${p}attn.c_attn.bias`),
        3 * d,
      ),
    );
    const att = hs.map(() => new Array<number>(d).fill(0));
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const s: number[] = [];
        for (let j = 0; j <= i; j++) {
          let dot = 0;
          for (let e = 0; e < dh; e++) dot += qkv[i]![h * dh + e]! * qkv[j]![d + h * dh + e]!;
          s.push(dot / Math.sqrt(dh));
        }
        const m = Math.max(...s);
        const ex = s.map((x) => Math.exp(x - m));
        const z = ex.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= i; j++)
          for (let e = 0; e < dh; e++) att[i]![h * dh + e]! += (ex[j]! / z) * qkv[j]![2 * d + h * dh + e]!;
      }
    }
    hs = hs.map((x, t) => {
      const a = conv(att[t]!, g(`${p}attn.c_proj.weight`), g(`${p}attn.c_proj.bias`), d);
      const r = x.map((xi, i) => xi + a[i]!);
      const m = conv(
        ln(r, g(`${p}ln_2.weight`), g(`${p}ln_2.bias`)),
        g(`${p}mlp.c_fc.weight`),
        g(`${p}mlp.c_fc.bias`),
        4 * d,
      ).map(gelu);
      const o = conv(m, g(`${p}mlp.c_proj.weight`), g(`${p}mlp.c_proj.bias`), d);
      return r.map((ri, i) => ri + o[i]!);
    });
  }
  const wte = g("wte.weight");
  return hs.map((x) => {
    const y = ln(x, g("ln_f.weight"), g("ln_f.bias"));
    return Array.from({ length: V }, (_, v) => y.reduce((acc, yi, i) => acc + yi * wte[v * d + i]!, 0));
  });
}

const SEQS = [
  [3, 17, 5, 22, 0, 9, 9, 1, 14, 2],
  [20, 4, 4, 11, 7, 13, 6, 0, 18, 21],
];

describe("Hugging Face GPT-2 folders", () => {
  let dir: string;
  let weights: Map<string, Arr>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "qnet-hf-"));
    weights = makeWeights(42);
    writeFixture(join(dir), weights);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await selectBackend({ backend: "cpu" });
  });

  for (const backend of ["cpu", "wasm"] as const) {
    it(`forward matches an independent Float64 GPT-2 to 1e-4 (${backend})`, async () => {
      await selectBackend({ backend, strict: true });
      const net = await QNetwork.fromPretrained(dir);
      expect(net.config).toMatchObject({
        vocabSize: 23,
        nEmbd: 16,
        nLayer: 2,
        nHead: 2,
        tieWordEmbeddings: true,
      });
      const x = tf.tensor2d(SEQS, [2, 10], "int32");
      const q = net.forward(x).arraySync();
      let worst = 0;
      let scale = 0;
      for (let b = 0; b < 2; b++) {
        const ref = referenceLogits(weights, SEQS[b]!);
        for (let t = 0; t < 10; t++)
          for (let v = 0; v < 23; v++) {
            worst = Math.max(worst, Math.abs(q[b]![t]![v]! - ref[t]![v]!));
            scale = Math.max(scale, Math.abs(ref[t]![v]!));
          }
      }
      expect(scale).toBeGreaterThan(1); // logits of this random model are O(1–10), not ~0
      expect(worst).toBeLessThan(1e-4 * scale);
      x.dispose();
      net.dispose();
    });
  }

  it("reads F16 and BF16 tensors and ignores attn.bias buffers", () => {
    const f = readSafetensors(readFileSync(join(dir, "model.safetensors")));
    expect(Array.from(f.tensors.get("h.0.ln_1.bias")!.data.slice(0, 4))).toEqual([0.25, -1.5, 2, 0.25]);
    expect(f.tensors.get("h.1.ln_2.bias")!.dtype).toBe("BF16");
    expect(Array.from(f.tensors.get("h.1.ln_2.bias")!.data)).toEqual(
      Array.from(weights.get("h.1.ln_2.bias")!.data),
    );
    const net = QNetwork.load(dir);
    expect(net.namedVariables.has("transformer.h.0.attn.bias")).toBe(false);
    net.dispose();
  });

  it("save → load round-trips every weight bit-exactly, with HF GPT2LMHeadModel names", async () => {
    const a = QNetwork.load(dir);
    const out = join(dir, "saved");
    await a.save(out);
    const header = readSafetensors(readFileSync(join(out, "model.safetensors")));
    expect([...header.tensors.keys()]).toContain("transformer.h.1.attn.c_attn.weight");
    expect(header.tensors.get("transformer.h.1.attn.c_attn.weight")!.shape).toEqual([16, 48]);
    const cfg = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(cfg).toMatchObject({ model_type: "gpt2", n_embd: 16, n_head: 2, vocab_size: 23, n_positions: 12 });
    const b = QNetwork.load(out);
    const wa = await a.getWeights();
    const wb = await b.getWeights();
    expect([...wb.keys()]).toEqual([...wa.keys()]);
    for (const [n, t] of wa) expect(Array.from(wb.get(n)!.data)).toEqual(Array.from(t.data));
    a.dispose();
    b.dispose();
  });

  it("fromPretrained rejects something that is neither a folder nor a hub id, without touching the network", async () => {
    await expect(QNetwork.fromPretrained("./no/such folder")).rejects.toMatchObject({
      code: "DQNLM_QNET_CHECKPOINT_INVALID",
      field: "dirOrHubId",
    });
  });

  it("rejects a folder without model.safetensors with a typed error", () => {
    expect(() => QNetwork.load(join(dir, "nope"))).toThrow(
      expect.objectContaining({ code: "DQNLM_QNET_CHECKPOINT_INVALID" }),
    );
  });

  it("checkpoints online, target and Adam state atomically and resume to identical steps", async () => {
    await selectBackend({ backend: "cpu" });
    const online = QNetwork.random({ vocabSize: 11, nPositions: 8, nEmbd: 8, nLayer: 1, nHead: 2 }, 5);
    const target = online.clone();
    const opt = tf.train.adam(0.01);
    const x = tf.tensor2d([[1, 2, 3, 4]], [1, 4], "int32");
    const loss = (net: QNetwork) => () => tf.mean(tf.square(net.forward(x))) as tf.Scalar;
    online.trainStep(opt, loss(online));
    online.trainStep(opt, loss(online));
    const ck = join(dir, "ck");
    await saveCheckpoint(ck, { online, target, optimizer: opt, extra: { step: 2 } });
    await saveCheckpoint(ck, { online, target, optimizer: opt, extra: { step: 2 } }); // replaces in place
    const r = await loadCheckpoint(ck);
    expect(r.extra).toEqual({ step: 2 });
    expect(r.optimizer?.getClassName()).toBe("Adam");
    // the next step from the restored state equals the next step of the original
    const la = online.trainStep(opt, loss(online));
    const lb = r.online.trainStep(r.optimizer!, loss(r.online));
    expect(lb).toBeCloseTo(la, 6);
    const wa = await online.getWeights();
    const wb = await r.online.getWeights();
    // Not bit-exact: tfjs' Adam.setWeights recomputes β^t with pow() where the live optimizer multiplied
    // β in every step, so the bias corrections differ in the last float bits.
    let worst = 0;
    for (const [n, t] of wa) {
      const other = wb.get(n)!.data;
      for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(t.data[i]! - other[i]!));
    }
    expect(worst).toBeLessThan(1e-6);
    // a corrupted file is detected
    const p = join(ck, "extra.json");
    writeFileSync(p, '{"step":3}');
    await expect(loadCheckpoint(ck)).rejects.toMatchObject({ code: "DQNLM_QNET_CHECKPOINT_INVALID" });
    for (const n of [online, target, r.online, r.target!]) n.dispose();
    opt.dispose();
    r.optimizer?.dispose();
    x.dispose();
  });
});
