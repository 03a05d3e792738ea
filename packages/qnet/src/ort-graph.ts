/**
 * qnet's GPT-2 as ONNX graphs for onnxruntime-node, with every weight a graph *input* (no re-export and no
 * session rebuild when the weights change) and a hand-written backward pass made of standard ops, so that
 * onnxruntime (an inference engine: no autodiff) can compute gradients.
 *
 * The forward pass matches {@link QNetwork.forward} exactly: pre-LN blocks, LayerNorm with the config's ε,
 * causal attention with an additive −1e9 mask and scale 1/√dh, GELU `gelu_new` (computed as x·σ(2u), the same
 * function), tied (wte) or untied (`lm_head.weight`) head, the dueling head Q = V + A − mean A when configured.
 * Activations are batch-major here (rows of 2-D tensors are (b, t) pairs).
 *
 * Models built from one emitted graph:
 * - `forward`: ids [B, T] int32 + weights → logits [B, T, V];
 * - `ce`: ids, targets [B, T] int32 (−1 = no loss at that position) + weights → `loss` (mean cross-entropy over
 *   the positions with a target) and the gradient of every weight, forward and backward in one run;
 * - `splitForward` / `splitBackward`: the generic path. The first gives logits plus the activations the backward
 *   pass reads; the second takes them back with dL/dlogits [B, T, V] (any objective: TD, soft-Q, …) and gives
 *   the gradient of every weight.
 */
import { type GPT2Config, resolveConfig } from "./config.js";
import { OnnxGraph, OnnxType } from "./onnx.js";
import { parameterSpecs } from "./qnetwork.js";

/** Output name of the gradient of the weight `name`. */
export const gradName = (name: string): string => `${name}.grad`;
/** Output name (forward) / input name (backward) prefix of the activations a split pass hands across. */
const SAVED = "saved:";

/** The ONNX models of one config (see the module comment). */
export interface Gpt2OnnxModels {
  /** Weight names (HF), in {@link parameterSpecs} order, with their shapes. */
  readonly weights: ReadonlyArray<{ readonly name: string; readonly shape: readonly number[] }>;
  readonly forward: Uint8Array;
  readonly ce: Uint8Array;
  readonly splitForward: Uint8Array;
  readonly splitBackward: Uint8Array;
  /** Saved activations: output `SAVED + t` of splitForward is input `t` of splitBackward. */
  readonly saved: ReadonlyArray<{ readonly output: string; readonly input: string }>;
}

interface LnSaved {
  x: string;
  y: string;
  mean: string;
  rstd: string;
  gamma: string;
}

function emit(config: GPT2Config, mode: "ce" | "dlogits") {
  const c = resolveConfig(config);
  const { nEmbd: d, nHead: H, nLayer: L, vocabSize: V, nPositions: P, layerNormEpsilon: eps } = c;
  const dh = d / H;
  const g = new OnnxGraph();
  g.phase = "forward";
  const ids = g.input("ids", OnnxType.int32, ["B", "T"]);
  const specs = parameterSpecs(c);
  for (const s of specs) g.input(s.name, OnnxType.float, s.shape);
  const axis = (i: number) => [{ name: "axis", i }];
  const perm = (...ints: number[]) => [{ name: "perm", ints }];
  const keep = (i: number) => [{ name: "keepdims", i }];
  const T = g.op(
    "Shape",
    [ids],
    [
      { name: "start", i: 1 },
      { name: "end", i: 2 },
    ],
  );
  const flatD = g.i64([-1, d]);
  const shape4 = g.op("Concat", [g.i64([-1]), T, g.i64([H, dh])], axis(0)); // [B, T, H, dh]
  const TT = g.op("Concat", [T, T], axis(0));
  const maskData = new Float32Array(P * P);
  for (let i = 0; i < P; i++) for (let j = i + 1; j < P; j++) maskData[i * P + j] = -1e9;
  const mask = g.op("Slice", [g.f32(maskData, [P, P]), g.i64([0, 0]), TT, g.i64([0, 1])]);
  const scale = g.f32([1 / Math.sqrt(dh)]);
  const GELU_C = Math.sqrt(2 / Math.PI);
  const c1 = 0.044715 * 2 * GELU_C;
  const c2 = 2 * GELU_C;

  const wpeT = g.op("Slice", ["transformer.wpe.weight", g.i64([0]), T, g.i64([0])]);
  let x = g.op("Reshape", [g.op("Add", [g.op("Gather", ["transformer.wte.weight", ids]), wpeT]), flatD]);
  const ln = (z: string, gamma: string, beta: string): LnSaved => {
    const [y, mean, rstd] = g.opN("LayerNormalization", [z, gamma, beta], 3, [
      { name: "axis", i: -1 },
      { name: "epsilon", f: eps },
    ]) as [string, string, string];
    return { x: z, y, mean, rstd, gamma };
  };
  const layers: Array<{
    ln1: LnSaved;
    ln2: LnSaved;
    q: string;
    k: string;
    v: string;
    p: string;
    merged: string;
    f: string;
    s: string;
    act: string;
  }> = [];
  for (let i = 0; i < L; i++) {
    const pre = `transformer.h.${i}.`;
    const ln1 = ln(x, `${pre}ln_1.weight`, `${pre}ln_1.bias`);
    const qkv = g.op("Gemm", [ln1.y, `${pre}attn.c_attn.weight`, `${pre}attn.c_attn.bias`]); // [N, 3d]
    const parts = g.opN("Split", [qkv, g.i64([d, d, d])], 3, axis(1));
    const [q, k, v] = parts.map((t) =>
      g.op("Transpose", [g.op("Reshape", [t, shape4])], perm(0, 2, 1, 3)),
    ) as [string, string, string]; // [B, H, T, dh]
    const s = g.op("Add", [
      g.op("Mul", [g.op("MatMul", [q, g.op("Transpose", [k], perm(0, 1, 3, 2))]), scale]),
      mask,
    ]);
    const p = g.op("Softmax", [s], axis(-1));
    const o = g.op("MatMul", [p, v]);
    const merged = g.op("Reshape", [g.op("Transpose", [o], perm(0, 2, 1, 3)), flatD]);
    const x1 = g.op("Add", [x, g.op("Gemm", [merged, `${pre}attn.c_proj.weight`, `${pre}attn.c_proj.bias`])]);
    const ln2 = ln(x1, `${pre}ln_2.weight`, `${pre}ln_2.bias`);
    const f = g.op("Gemm", [ln2.y, `${pre}mlp.c_fc.weight`, `${pre}mlp.c_fc.bias`]);
    const u = g.op("Mul", [f, g.op("Add", [g.op("Mul", [g.op("Mul", [f, f]), g.f32([c1])]), g.f32([c2])])]);
    const sg = g.op("Sigmoid", [u]);
    const act = g.op("Mul", [f, sg]);
    x = g.op("Add", [x1, g.op("Gemm", [act, `${pre}mlp.c_proj.weight`, `${pre}mlp.c_proj.bias`])]);
    layers.push({ ln1, ln2, q, k, v, p, merged, f, s: sg, act });
  }
  const lnf = ln(x, "transformer.ln_f.weight", "transformer.ln_f.bias");
  const headW = c.tieWordEmbeddings ? "transformer.wte.weight" : "lm_head.weight";
  let q2 = g.op("Gemm", [lnf.y, headW], [{ name: "transB", i: 1 }]); // [N, V]
  if (c.dueling) {
    const a = q2;
    const val = g.op("Gemm", [lnf.y, "value_head.weight", "value_head.bias"]); // [N, 1]
    q2 = g.op("Add", [
      g.op("Sub", [a, g.op("ReduceMean", [a], [{ name: "axes", ints: [-1] }, ...keep(1)])]),
      val,
    ]);
  }
  const logits = g.op("Reshape", [q2, g.op("Concat", [g.i64([-1]), T, g.i64([V])], axis(0))]);

  // ---- dL/dQ [N, V] ----
  let dq: string;
  let loss: string | undefined;
  if (mode === "ce") {
    g.phase = "loss";
    const targets = g.input("targets", OnnxType.int32, ["B", "T"]);
    const t1 = g.op("Reshape", [targets, g.i64([-1])]);
    const has = g.op("GreaterOrEqual", [t1, g.i32([0], [])]);
    const valid = g.op("Cast", [has], [{ name: "to", i: OnnxType.float }]);
    const t64 = g.op("Cast", [g.op("Where", [has, t1, g.i32([0], [])])], [{ name: "to", i: OnnxType.int64 }]);
    const lsm = g.op("LogSoftmax", [q2], axis(1));
    const picked = g.op("Reshape", [
      g.op("GatherElements", [lsm, g.op("Unsqueeze", [t64, g.i64([1])])], axis(1)),
      g.i64([-1]),
    ]);
    const count = g.op("Max", [g.op("ReduceSum", [valid, g.i64([0])], keep(0)), g.f32([1])]);
    loss = g.op("Neg", [
      g.op("Div", [g.op("ReduceSum", [g.op("Mul", [picked, valid]), g.i64([0])], keep(0)), count]),
    ]);
    const rowScale = g.op("Unsqueeze", [g.op("Div", [valid, count]), g.i64([1])]);
    const onehot = g.op("OneHot", [t64, g.i64([V], []), g.f32([0, 1])], axis(-1));
    dq = g.op("Mul", [g.op("Sub", [g.op("Exp", [lsm]), onehot]), rowScale]);
  } else {
    g.phase = "backward";
    const dl = g.input("dlogits", OnnxType.float, ["B", "T", V]);
    dq = g.op("Reshape", [dl, g.i64([-1, V])]);
  }

  // ---- backward ----
  g.phase = "backward";
  const grads = new Map<string, string>();
  const rowSum = (t: string): string => g.op("ReduceSum", [t, g.i64([0])], keep(0));
  const lastMean = (t: string): string => g.op("ReduceMean", [t], [{ name: "axes", ints: [-1] }, ...keep(1)]);
  const lnBack = (s: LnSaved, dy: string, gammaName: string, betaName: string): string => {
    const xhat = g.op("Mul", [g.op("Sub", [s.x, s.mean]), s.rstd]);
    grads.set(gammaName, rowSum(g.op("Mul", [dy, xhat])));
    grads.set(betaName, rowSum(dy));
    const dxhat = g.op("Mul", [dy, s.gamma]);
    const m1 = lastMean(dxhat);
    const m2 = lastMean(g.op("Mul", [dxhat, xhat]));
    return g.op("Mul", [g.op("Sub", [g.op("Sub", [dxhat, m1]), g.op("Mul", [xhat, m2])]), s.rstd]);
  };
  /** Gradients of y = xin·W + b (W [in, out]) from dy; returns dxin. */
  const linBack = (xin: string, dy: string, wName: string, bName: string): string => {
    grads.set(wName, g.op("Gemm", [xin, dy], [{ name: "transA", i: 1 }]));
    grads.set(bName, rowSum(dy));
    return g.op("Gemm", [dy, wName], [{ name: "transB", i: 1 }]);
  };

  let dA = dq;
  let dhfVal: string | undefined;
  if (c.dueling) {
    const dval = g.op("ReduceSum", [dq, g.i64([-1])], keep(1)); // [N, 1]
    dA = g.op("Sub", [dq, lastMean(dq)]);
    grads.set("value_head.weight", g.op("Gemm", [lnf.y, dval], [{ name: "transA", i: 1 }]));
    grads.set("value_head.bias", rowSum(dval));
    dhfVal = g.op("Gemm", [dval, "value_head.weight"], [{ name: "transB", i: 1 }]);
  }
  let dhf = g.op("MatMul", [dA, headW]); // [N, d]
  if (dhfVal) dhf = g.op("Add", [dhf, dhfVal]);
  const headGrad = g.op("Gemm", [dA, lnf.y], [{ name: "transA", i: 1 }]); // [V, d]
  let dx = lnBack(lnf, dhf, "transformer.ln_f.weight", "transformer.ln_f.bias");
  for (let i = L - 1; i >= 0; i--) {
    const pre = `transformer.h.${i}.`;
    const S = layers[i] as (typeof layers)[number];
    // MLP
    const dact = linBack(S.act, dx, `${pre}mlp.c_proj.weight`, `${pre}mlp.c_proj.bias`);
    // d/df [f·σ(u)] = σ + f·σ(1−σ)·u',  u' = c2 + 3·c1·f²
    const du = g.op("Add", [g.op("Mul", [g.op("Mul", [S.f, S.f]), g.f32([3 * c1])]), g.f32([c2])]);
    const gp = g.op("Add", [
      S.s,
      g.op("Mul", [g.op("Mul", [S.f, g.op("Mul", [S.s, g.op("Sub", [g.f32([1]), S.s])])]), du]),
    ]);
    const df = g.op("Mul", [dact, gp]);
    const dh2 = linBack(S.ln2.y, df, `${pre}mlp.c_fc.weight`, `${pre}mlp.c_fc.bias`);
    dx = g.op("Add", [dx, lnBack(S.ln2, dh2, `${pre}ln_2.weight`, `${pre}ln_2.bias`)]);
    // attention
    const dmerged = linBack(S.merged, dx, `${pre}attn.c_proj.weight`, `${pre}attn.c_proj.bias`);
    const dO = g.op("Transpose", [g.op("Reshape", [dmerged, shape4])], perm(0, 2, 1, 3)); // [B, H, T, dh]
    const dP = g.op("MatMul", [dO, g.op("Transpose", [S.v], perm(0, 1, 3, 2))]);
    const dV = g.op("MatMul", [g.op("Transpose", [S.p], perm(0, 1, 3, 2)), dO]);
    const dS = g.op("Mul", [
      g.op("Mul", [
        S.p,
        g.op("Sub", [dP, g.op("ReduceSum", [g.op("Mul", [dP, S.p]), g.i64([-1])], keep(1))]),
      ]),
      scale,
    ]);
    const dQ = g.op("MatMul", [dS, S.k]);
    const dK = g.op("MatMul", [g.op("Transpose", [dS], perm(0, 1, 3, 2)), S.q]);
    const back = (t: string): string => g.op("Reshape", [g.op("Transpose", [t], perm(0, 2, 1, 3)), flatD]);
    const dqkv = g.op("Concat", [back(dQ), back(dK), back(dV)], axis(1)); // [N, 3d]
    const dh1 = linBack(S.ln1.y, dqkv, `${pre}attn.c_attn.weight`, `${pre}attn.c_attn.bias`);
    dx = g.op("Add", [dx, lnBack(S.ln1, dh1, `${pre}ln_1.weight`, `${pre}ln_1.bias`)]);
  }
  // embeddings: wpe rows 0..T−1 get Σ_b dx; wte rows get a scatter-add of dx by token id (onto the head's
  // gradient when tied)
  const dwpeT = g.op(
    "ReduceSum",
    [g.op("Reshape", [dx, g.op("Concat", [g.i64([-1]), T, g.i64([d])], axis(0))]), g.i64([0])],
    keep(0),
  );
  const pads = g.op("Concat", [g.i64([0, 0]), g.op("Sub", [g.i64([P]), T]), g.i64([0])], axis(0));
  grads.set("transformer.wpe.weight", g.op("Pad", [dwpeT, pads]));
  const idx = g.op("Reshape", [g.op("Cast", [ids], [{ name: "to", i: OnnxType.int64 }]), g.i64([-1, 1])]);
  const base = c.tieWordEmbeddings ? headGrad : g.op("ConstantOfShape", [g.i64([V, d])]);
  grads.set("transformer.wte.weight", g.op("ScatterND", [base, idx, dx], [{ name: "reduction", s: "add" }]));
  if (!c.tieWordEmbeddings) grads.set("lm_head.weight", headGrad);

  for (const s of specs) if (!grads.has(s.name)) throw new Error(`ort-graph: no gradient for ${s.name}`);
  return { g, logits, loss, grads, specs };
}

/** Builds the four ONNX models of `config` (see {@link Gpt2OnnxModels}). */
export function buildGpt2OnnxModels(config: GPT2Config): Gpt2OnnxModels {
  const V = resolveConfig(config).vocabSize;
  const ce = emit(config, "ce");
  const gradOutputs = ce.specs.map((s) => ({
    tensor: ce.grads.get(s.name) as string,
    name: gradName(s.name),
    dims: s.shape,
  }));
  const ceModel = ce.g.toModel([{ tensor: ce.loss as string, name: "loss", dims: [] }, ...gradOutputs], {
    name: "gpt2_ce",
  });
  const forward = ce.g.toModel([{ tensor: ce.logits, name: "logits", dims: ["B", "T", V] }], {
    phases: ["forward"],
    name: "gpt2_forward",
  });

  const sp = emit(config, "dlogits");
  const crossing = sp.g.crossing(["forward"], ["backward"]);
  const bwd = sp.g.toModel(
    sp.specs.map((s) => ({ tensor: sp.grads.get(s.name) as string, name: gradName(s.name), dims: s.shape })),
    { phases: ["backward"], extraInputs: crossing, name: "gpt2_backward" },
  );
  const cross = new Set(crossing);
  const saved = bwd.inputs.filter((n) => cross.has(n)).map((n) => ({ output: `${SAVED}${n}`, input: n }));
  const fwd = sp.g.toModel(
    [
      { tensor: sp.logits, name: "logits", dims: ["B", "T", V] },
      ...saved.map((s) => ({ tensor: s.input, name: s.output })),
    ],
    { phases: ["forward"], name: "gpt2_forward_saving" },
  );
  return {
    weights: ce.specs.map((s) => ({ name: s.name, shape: s.shape })),
    forward: forward.bytes,
    ce: ceModel.bytes,
    splitForward: fwd.bytes,
    splitBackward: bwd.bytes,
    saved,
  };
}
