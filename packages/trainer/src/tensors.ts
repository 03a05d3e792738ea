/**
 * Weight snapshots of variable lists: copy, Polyak-average, N(0, σ) re-initialisation, and a safetensors file
 * (8-byte little-endian header length, JSON header, raw little-endian float32) used by resumable checkpoints
 * for the optimizer moments and networks. Float32 is stored as-is, so a restore is bit-exact.
 */
import { readFileSync } from "node:fs";
import type { Rng } from "@dqnlm/core";
import { writeFileAtomic } from "@dqnlm/core";
import * as tf from "@tensorflow/tfjs-core";
import { CheckpointError } from "./errors.js";

/** dst ← src, variable by variable (same order and shapes). */
export function copyVariables(dst: readonly tf.Variable[], src: readonly tf.Variable[]): void {
  tf.tidy(() => {
    for (const [i, v] of dst.entries()) v.assign(src[i] as tf.Variable);
  });
}

/** dst ← (1 − τ)·dst + τ·src. */
export function polyakVariables(dst: readonly tf.Variable[], src: readonly tf.Variable[], tau: number): void {
  tf.tidy(() => {
    for (const [i, v] of dst.entries())
      v.assign(tf.add(tf.mul(v, 1 - tau), tf.mul(src[i] as tf.Variable, tau)));
  });
}

/** Every variable ← N(0, std), with a fresh nonzero seed per variable from `rng` (the method's target init). */
export function normalInitVariables(vars: readonly tf.Variable[], std: number, rng: Rng): void {
  tf.tidy(() => {
    for (const v of vars) v.assign(tf.randomNormal(v.shape, 0, std, "float32", rng.tfSeed()));
  });
}

/** Downloads variables as named arrays. */
export function readVariables(vars: readonly tf.Variable[], prefix: string): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [i, v] of vars.entries()) out.set(`${prefix}.${i}`, (v.dataSync() as Float32Array).slice());
  return out;
}

/** Uploads arrays written by {@link readVariables}. */
export function writeVariables(
  vars: readonly tf.Variable[],
  arrays: ReadonlyMap<string, Float32Array>,
  prefix: string,
  file: string,
): void {
  tf.tidy(() =>
    vars.forEach((v, i) => {
      const a = arrays.get(`${prefix}.${i}`);
      if (!a || a.length !== v.size)
        throw new CheckpointError(
          `${prefix}.${i}`,
          `${file}: tensor ${prefix}.${i} is ${a ? `of size ${a.length}` : "missing"}, the model expects ${v.size} ` +
            "values. The checkpoint was written for a different model; resume with the same model config.",
        );
      v.assign(tf.tensor(a, v.shape, "float32"));
    }),
  );
}

/** Writes named float32 arrays as a safetensors file (atomically). */
export function saveSafetensors(path: string, arrays: ReadonlyMap<string, Float32Array>): void {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [name, a] of arrays) {
    header[name] = { dtype: "F32", shape: [a.length], data_offsets: [off, off + a.byteLength] };
    off += a.byteLength;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += " ";
  const hb = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + hb.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const a of arrays.values()) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
    p += a.byteLength;
  }
  writeFileAtomic(path, out);
}

/** Reads a file written by {@link saveSafetensors}. */
export function loadSafetensors(path: string): Map<string, Float32Array> {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (cause) {
    throw new CheckpointError("path", `cannot read ${path}; is the checkpoint complete?`, { cause });
  }
  const bad = (why: string): never => {
    throw new CheckpointError(
      "path",
      `${path} is not a valid safetensors file (${why}); the checkpoint is corrupt.`,
    );
  };
  if (buf.length < 8) bad("shorter than its 8-byte header");
  const n = Number(buf.readBigUInt64LE(0));
  if (8 + n > buf.length) bad("header length beyond the end of the file");
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8"));
  } catch {
    return bad("unreadable JSON header");
  }
  const base = 8 + n;
  const out = new Map<string, Float32Array>();
  for (const [name, h] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [s, e] = h.data_offsets;
    if (h.dtype !== "F32" || base + e > buf.length || e < s) bad(`tensor ${name}`);
    const copy = new Uint8Array(e - s);
    copy.set(buf.subarray(base + s, base + e));
    out.set(name, new Float32Array(copy.buffer));
  }
  return out;
}
