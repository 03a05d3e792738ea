/**
 * Export of a pretraining run's checkpoint as a Hugging Face model folder (config.json, model.safetensors,
 * tokenizer.json, tokenizer_config.json), optionally with float16 weights (half the size; qnet reads F16 and
 * widens to float32 on load).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@dqnlm/core";
import { readSafetensors } from "@dqnlm/qnet";
import { BaseInputError } from "./errors.js";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of `x`, rounded to nearest even (overflow → ±Inf, tiny → subnormal or ±0). */
export function toHalfBits(x: number): number {
  f32[0] = x;
  const b = u32[0] as number;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1) === 1)) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1) === 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** The float value of binary16 bits `h`. */
export function fromHalfBits(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** A safetensors file with every tensor stored as F16. */
export function writeSafetensorsF16(
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: "F16", shape: t.shape, data_offsets: [offset, offset + t.data.length * 2] };
    offset += t.data.length * 2;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++, p += 2) view.setUint16(p, toHalfBits(t.data[i] as number), true);
  }
  return out;
}

/** Options of {@link exportBase}. */
export interface ExportOptions {
  readonly runDir: string;
  readonly to: string;
  /** @default "f16" */
  readonly dtype?: "f16" | "f32";
}

/** Writes the run's newest checkpoint to `to`; returns the weight file's size and the largest rounding error. */
export async function exportBase(
  o: ExportOptions,
): Promise<{ bytes: number; dtype: "f16" | "f32"; maxAbsError: number }> {
  const dtype = o.dtype ?? "f16";
  const ckpt = ["checkpoint", "checkpoint.old"]
    .map((n) => join(o.runDir, n))
    .find((d) => existsSync(join(d, "state.json")));
  if (!ckpt) throw new BaseInputError("run", `${o.runDir} holds no complete checkpoint yet.`);
  mkdirSync(o.to, { recursive: true });
  const weights = readSafetensors(
    new Uint8Array(readFileSync(join(ckpt, "model.safetensors"))),
    ckpt,
  ).tensors;
  let maxAbsError = 0;
  if (dtype === "f16") {
    for (const t of weights.values())
      for (const x of t.data) maxAbsError = Math.max(maxAbsError, Math.abs(fromHalfBits(toHalfBits(x)) - x));
    writeFileAtomic(join(o.to, "model.safetensors"), writeSafetensorsF16(weights, { format: "pt" }));
  } else {
    copyFileSync(join(ckpt, "model.safetensors"), join(o.to, "model.safetensors"));
  }
  copyFileSync(join(ckpt, "config.json"), join(o.to, "config.json"));
  for (const f of ["tokenizer.json", "tokenizer_config.json"]) {
    const src = join(o.runDir, "tokenizer", f);
    if (existsSync(src)) copyFileSync(src, join(o.to, f));
  }
  return { bytes: statSync(join(o.to, "model.safetensors")).size, dtype, maxAbsError };
}
