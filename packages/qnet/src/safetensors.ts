/**
 * A small safetensors reader/writer (format: 8-byte little-endian header length N, N bytes of JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`, then the raw
 * little-endian tensor bytes; offsets are relative to the end of the header). Written here because the npm
 * `safetensors` package ignores buffer offsets. Reads F32, F16, BF16 and F64 (converted to Float32Array);
 * writes F32.
 */
import { QnetCheckpointError } from "./errors.js";

/** A tensor read from or written to a safetensors file. */
export interface NamedArray {
  /** Shape, row-major. */
  shape: number[];
  /** Values, converted to float32. */
  data: Float32Array;
}

/** A parsed safetensors file. */
export interface SafetensorsFile {
  /** Tensors in header order. */
  tensors: Map<string, NamedArray & { dtype: string }>;
  /** The optional `__metadata__` string map. */
  metadata: Record<string, string>;
}

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Parses safetensors bytes. Throws {@link QnetCheckpointError} on malformed input. */
export function readSafetensors(bytes: Uint8Array, source = "safetensors"): SafetensorsFile {
  if (bytes.length < 8)
    throw new QnetCheckpointError(`${source}: file is ${bytes.length} bytes, too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8 || n > 100_000_000) {
    throw new QnetCheckpointError(`${source}: header length ${n} exceeds the file size ${bytes.length}`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (err) {
    throw new QnetCheckpointError(`${source}: header is not valid JSON`, undefined, err);
  }
  const base = 8 + n;
  const tensors = new Map<string, NamedArray & { dtype: string }>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const info = raw as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    const dtype = info.dtype ?? "";
    const width = DTYPE_BYTES[dtype];
    if (width === undefined) {
      throw new QnetCheckpointError(
        `${source}: tensor ${name} has dtype ${JSON.stringify(dtype)}; supported: F32, F16, BF16, F64`,
        name,
      );
    }
    const shape = info.shape ?? [];
    const [b, e] = info.data_offsets ?? [-1, -1];
    const count = shape.reduce((p, q) => p * q, 1);
    if (!(b >= 0 && e >= b && base + e <= bytes.length) || e - b !== count * width) {
      throw new QnetCheckpointError(
        `${source}: tensor ${name} has data_offsets [${b}, ${e}] inconsistent with ${dtype}[${shape}] ` +
          `(${count * width} bytes) or the file size (${bytes.length - base} data bytes)`,
        name,
      );
    }
    // Copy into a fresh buffer: aligned, and independent of the file buffer (Buffer#slice does not copy).
    const chunk = new Uint8Array(e - b);
    chunk.set(bytes.subarray(base + b, base + e));
    let data: Float32Array;
    if (dtype === "F32") data = new Float32Array(chunk.buffer, 0, count);
    else if (dtype === "F64") data = Float32Array.from(new Float64Array(chunk.buffer, 0, count));
    else {
      const u16 = new Uint16Array(chunk.buffer, 0, count);
      data = new Float32Array(count);
      if (dtype === "BF16") {
        const u32 = new Uint32Array(data.buffer);
        for (let i = 0; i < count; i++) u32[i] = (u16[i] as number) << 16;
      } else {
        for (let i = 0; i < count; i++) data[i] = f16ToF32(u16[i] as number);
      }
    }
    tensors.set(name, { dtype, shape: [...shape], data });
  }
  return { tensors, metadata };
}

/**
 * Serialises float32 tensors (in map order) into safetensors bytes, header padded with spaces to a multiple
 * of 8 bytes as the reference implementation does.
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, NamedArray>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const count = t.shape.reduce((p, q) => p * q, 1);
    if (count !== t.data.length) {
      throw new QnetCheckpointError(
        `tensor ${name}: shape [${t.shape}] needs ${count} values, got ${t.data.length}`,
        name,
      );
    }
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hb = enc.encode(json);
  const pad = (8 - (hb.length % 8)) % 8;
  if (pad) {
    json += " ".repeat(pad);
    hb = enc.encode(json);
  }
  const out = new Uint8Array(8 + hb.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    p += t.data.byteLength;
  }
  return out;
}
