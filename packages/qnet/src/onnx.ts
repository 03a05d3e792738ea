/**
 * A minimal ONNX model writer. onnxruntime-node has no graph-building API (a model must be an ONNX protobuf),
 * so qnet writes the protobuf itself: a ~60-line encoder for the few messages a graph needs (ModelProto,
 * GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto; field numbers from onnx.proto), and
 * {@link OnnxGraph}, which records nodes with their element types and phases so that one emitted graph can be
 * pruned to some outputs or split into two models (forward / backward) that hand tensors across.
 */

// ---- protobuf wire format ------------------------------------------------------------------------------
type Bytes = Uint8Array;
const utf8 = new TextEncoder();

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
function cat(parts: readonly Bytes[]): Bytes {
  let n = 0;
  for (const p of parts) n += p.length;
  const o = new Uint8Array(n);
  let k = 0;
  for (const p of parts) {
    o.set(p, k);
    k += p.length;
  }
  return o;
}
const fInt = (no: number, v: number | bigint): Bytes => new Uint8Array([...varint(no << 3), ...varint(v)]);
const fBytes = (no: number, b: Bytes): Bytes =>
  cat([new Uint8Array([...varint((no << 3) | 2), ...varint(b.length)]), b]);
const fStr = (no: number, s: string): Bytes => fBytes(no, utf8.encode(s));
function fFloat(no: number, x: number): Bytes {
  const b = new Uint8Array(5);
  b[0] = (no << 3) | 5;
  new DataView(b.buffer).setFloat32(1, x, true);
  return b;
}

// ---- ONNX messages ---------------------------------------------------------------------------------------
/** ONNX TensorProto.DataType codes used here. */
export const OnnxType = { float: 1, int32: 6, int64: 7, bool: 9 } as const;
/** An ONNX element type code ({@link OnnxType}). */
export type OnnxElemType = (typeof OnnxType)[keyof typeof OnnxType];

/** A node attribute: exactly one of `i`, `f`, `ints`, `s` (an int when none is given). */
export interface OnnxAttr {
  readonly name: string;
  readonly i?: number;
  readonly f?: number;
  readonly ints?: readonly number[];
  readonly s?: string;
}

/** One node of a graph. */
export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: readonly OnnxAttr[];
  /** Free-form phase label (e.g. "forward", "backward") used by {@link OnnxGraph.toModel}. */
  readonly phase: string;
}

/** A graph input or output: name, element type, dimensions (numbers or symbolic names; omitted = unknown). */
export interface OnnxValue {
  readonly name: string;
  readonly type: OnnxElemType;
  readonly dims?: ReadonlyArray<number | string>;
}

/** A constant tensor stored in the model. */
export interface OnnxConstant {
  readonly name: string;
  readonly type: OnnxElemType;
  readonly dims: readonly number[];
  readonly data: Float32Array | Int32Array | BigInt64Array;
}

function encodeAttr(a: OnnxAttr): Bytes {
  const parts = [fStr(1, a.name)];
  if (a.f !== undefined) parts.push(fFloat(2, a.f), fInt(20, 1));
  else if (a.s !== undefined) parts.push(fStr(4, a.s), fInt(20, 3));
  else if (a.ints !== undefined) parts.push(...a.ints.map((x) => fInt(8, x)), fInt(20, 7));
  else parts.push(fInt(3, a.i ?? 0), fInt(20, 2));
  return cat(parts);
}
function encodeNode(n: OnnxNode): Bytes {
  return cat([
    ...n.inputs.map((s) => fStr(1, s)),
    ...n.outputs.map((s) => fStr(2, s)),
    fStr(4, n.op),
    ...n.attrs.map((a) => fBytes(5, encodeAttr(a))),
  ]);
}
function encodeValue(v: OnnxValue): Bytes {
  const tensorType = [fInt(1, v.type)];
  if (v.dims) {
    const shape = cat(v.dims.map((d) => fBytes(1, typeof d === "number" ? fInt(1, d) : fStr(2, d))));
    tensorType.push(fBytes(2, shape));
  }
  return cat([fStr(1, v.name), fBytes(2, fBytes(1, cat(tensorType)))]);
}
function encodeConstant(c: OnnxConstant): Bytes {
  return cat([
    ...c.dims.map((d) => fInt(1, d)),
    fInt(2, c.type),
    fStr(8, c.name),
    fBytes(9, new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength)),
  ]);
}

/** Serialises a model (IR version 8, default-domain opset `opset`) to ONNX protobuf bytes. */
export function encodeOnnxModel(model: {
  readonly nodes: readonly OnnxNode[];
  readonly constants: readonly OnnxConstant[];
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly name?: string;
  readonly opset?: number;
}): Uint8Array {
  const graph = cat([
    ...model.nodes.map((n) => fBytes(1, encodeNode(n))),
    fStr(2, model.name ?? "graph"),
    ...model.constants.map((t) => fBytes(5, encodeConstant(t))),
    ...model.inputs.map((t) => fBytes(11, encodeValue(t))),
    ...model.outputs.map((t) => fBytes(12, encodeValue(t))),
  ]);
  return cat([
    fInt(1, 8),
    fStr(2, "dqnlm"),
    fBytes(7, graph),
    fBytes(8, cat([fStr(1, ""), fInt(2, model.opset ?? 17)])),
  ]);
}

// ---- graph builder ---------------------------------------------------------------------------------------
/** Ops whose output element type is not their first input's. */
const OUT_TYPE: Record<string, OnnxElemType> = {
  Shape: OnnxType.int64,
  Size: OnnxType.int64,
  Greater: OnnxType.bool,
  GreaterOrEqual: OnnxType.bool,
  Less: OnnxType.bool,
  Equal: OnnxType.bool,
  ConstantOfShape: OnnxType.float,
};

/**
 * Records a graph: inputs, constants and nodes (each tagged with the current {@link phase}), tracking every
 * tensor's element type so that {@link toModel} can prune to chosen outputs and cut it into two models joined
 * by the tensors the second phase reads from the first ({@link crossing}).
 */
export class OnnxGraph {
  /** Phase label given to the nodes emitted from now on. */
  phase = "main";
  readonly #nodes: OnnxNode[] = [];
  readonly #constants = new Map<string, OnnxConstant>();
  readonly #inputs = new Map<string, OnnxValue>();
  readonly #types = new Map<string, OnnxElemType>();
  #k = 0;

  /** Declares a graph input and returns its name. */
  input(name: string, type: OnnxElemType, dims?: ReadonlyArray<number | string>): string {
    this.#inputs.set(name, { name, type, ...(dims ? { dims } : {}) });
    this.#types.set(name, type);
    return name;
  }

  /** An int64 constant (1-D unless `dims` says otherwise). */
  i64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.#constant(OnnxType.int64, BigInt64Array.from(values.map((v) => BigInt(v))), dims);
  }

  /** An int32 constant (1-D unless `dims` says otherwise). */
  i32(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.#constant(OnnxType.int32, Int32Array.from(values), dims);
  }

  /** A float32 constant (a scalar for one value unless `dims` says otherwise). */
  f32(
    values: readonly number[] | Float32Array,
    dims: readonly number[] = values.length === 1 ? [] : [values.length],
  ): string {
    return this.#constant(OnnxType.float, Float32Array.from(values), dims);
  }

  #constant(
    type: OnnxElemType,
    data: Float32Array | Int32Array | BigInt64Array,
    dims: readonly number[],
  ): string {
    // Identical small constants share one tensor.
    const key = `c${type}_${dims.join("x")}_${data.length <= 16 ? Array.from(data as ArrayLike<number | bigint>).join("_") : `u${this.#k++}`}`;
    if (!this.#constants.has(key)) this.#constants.set(key, { name: key, type, dims, data });
    this.#types.set(key, type);
    return key;
  }

  /** Appends a node with one output and returns the output's name. */
  op(
    type: string,
    inputs: readonly string[],
    attrs: readonly OnnxAttr[] = [],
    outType?: OnnxElemType,
  ): string {
    return this.opN(type, inputs, 1, attrs, outType)[0] as string;
  }

  /** Appends a node with `n` outputs. */
  opN(
    type: string,
    inputs: readonly string[],
    n: number,
    attrs: readonly OnnxAttr[] = [],
    outType?: OnnxElemType,
  ): string[] {
    for (const i of inputs) {
      if (i !== "" && !this.#types.has(i)) throw new Error(`OnnxGraph: ${type} reads unknown tensor ${i}`);
    }
    let t: OnnxElemType | undefined = outType ?? OUT_TYPE[type];
    if (t === undefined && type === "Cast") t = attrs.find((a) => a.name === "to")?.i as OnnxElemType;
    if (t === undefined && type === "OneHot") t = this.#types.get(inputs[2] as string);
    t ??= this.#types.get(inputs[0] as string) ?? OnnxType.float;
    const outs = Array.from({ length: n }, () => `t${this.#k++}`);
    for (const o of outs) this.#types.set(o, t);
    this.#nodes.push({ op: type, inputs: [...inputs], outputs: outs, attrs: [...attrs], phase: this.phase });
    return outs;
  }

  /** Element type of a tensor. */
  typeOf(name: string): OnnxElemType {
    const t = this.#types.get(name);
    if (t === undefined) throw new Error(`OnnxGraph: unknown tensor ${name}`);
    return t;
  }

  /**
   * A model computing `outputs` (graph tensor name → output name) from the nodes of `phases` (all when
   * omitted), pruned to what the outputs need. `extraInputs` are tensors produced outside these phases that
   * become inputs (see {@link crossing}). Only the inputs and constants actually read are declared; their
   * names come back in `inputs`.
   */
  toModel(
    outputs: ReadonlyArray<{ tensor: string; name: string; dims?: ReadonlyArray<number | string> }>,
    opts: { phases?: readonly string[]; extraInputs?: readonly string[]; name?: string } = {},
  ): { bytes: Uint8Array; inputs: string[] } {
    const nodes = this.#nodes.filter((n) => !opts.phases || opts.phases.includes(n.phase));
    const extra = new Set(opts.extraInputs ?? []);
    const producer = new Map<string, OnnxNode>();
    for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
    const need = new Set<string>();
    const keep = new Set<OnnxNode>();
    const stack = outputs.map((o) => o.tensor);
    while (stack.length) {
      const t = stack.pop() as string;
      if (need.has(t)) continue;
      need.add(t);
      const p = extra.has(t) ? undefined : producer.get(t);
      if (p && !keep.has(p)) {
        keep.add(p);
        for (const i of p.inputs) if (i !== "") stack.push(i);
      }
    }
    const kept = nodes.filter((n) => keep.has(n));
    // Output names differ from the tensors' own names: an Identity renames each.
    const renames: OnnxNode[] = outputs.map((o) => ({
      op: "Identity",
      inputs: [o.tensor],
      outputs: [o.name],
      attrs: [],
      phase: "output",
    }));
    const inputs: OnnxValue[] = [];
    for (const t of need) {
      const declared = this.#inputs.get(t);
      if (declared) inputs.push(declared);
      else if (extra.has(t)) inputs.push({ name: t, type: this.typeOf(t) });
      else if (!producer.has(t) && !this.#constants.has(t))
        throw new Error(`OnnxGraph: ${t} is neither produced, an input, nor a constant`);
    }
    const bytes = encodeOnnxModel({
      nodes: [...kept, ...renames],
      constants: [...this.#constants.values()].filter((c) => need.has(c.name)),
      inputs,
      outputs: outputs.map((o) => ({
        name: o.name,
        type: this.typeOf(o.tensor),
        ...(o.dims ? { dims: o.dims } : {}),
      })),
      ...(opts.name ? { name: opts.name } : {}),
    });
    return { bytes, inputs: inputs.map((i) => i.name) };
  }

  /**
   * Tensors produced by nodes of `first` phases and read by nodes of `second` phases: what a split model may
   * hand across (pass them as `extraInputs` of the second model; the `inputs` it returns are the ones needed).
   */
  crossing(first: readonly string[], second: readonly string[]): string[] {
    const fromFirst = new Set<string>();
    for (const n of this.#nodes) if (first.includes(n.phase)) for (const o of n.outputs) fromFirst.add(o);
    const out = new Set<string>();
    for (const n of this.#nodes) {
      if (!second.includes(n.phase)) continue;
      for (const i of n.inputs) if (fromFirst.has(i)) out.add(i);
    }
    return [...out];
  }
}
