/**
 * Wire formats. An episode travels as one binary stream field (little-endian, CRC-32 over the payload); the
 * weights travel as a safetensors blob whose SHA-256 is published next to it. Both decoders validate
 * everything they read, so a truncated, corrupted or foreign entry raises a typed error instead of reaching the
 * replay buffer or the network.
 */
import { createHash } from "node:crypto";
import { crc32, type Episode } from "@dqnlm/core";
import { readSafetensors, writeSafetensors } from "@dqnlm/qnet";
import { DistributedError } from "./errors.js";

const EPISODE_MAGIC = 0x31455144; // "DQE1" little-endian
const HEADER_BYTES = 32;

/** An episode as an actor pushes it. */
export interface WireEpisode {
  /** `actorId:seq`, unique per run (the learner's duplicate key). */
  readonly id: string;
  readonly episode: Episode;
  /** Initial priority computed by the actor (raw, before ^α), > 0. */
  readonly priority: number;
  /** Version of the weights that produced it (staleness diagnostics). */
  readonly weightsVersion: number;
  /** Sequence metric of the generated output (diagnostics). */
  readonly metric: number;
}

/**
 * Encodes an episode: header (magic, prompt length, token count, terminated, refIndex, weights version,
 * priority, metric), tokens (int32), rewards (float32), CRC-32 of all the preceding bytes.
 */
export function encodeEpisode(w: WireEpisode): Uint8Array {
  const e = w.episode;
  const n = e.tokens.length;
  const T = n - e.promptLength;
  const bytes = new Uint8Array(HEADER_BYTES + 4 * n + 4 * T + 4);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, EPISODE_MAGIC, true);
  dv.setUint32(4, e.promptLength, true);
  dv.setUint32(8, n, true);
  dv.setUint32(12, e.terminated ? 1 : 0, true);
  dv.setInt32(16, e.refIndex ?? -1, true);
  dv.setUint32(20, w.weightsVersion, true);
  dv.setFloat32(24, w.priority, true);
  dv.setFloat32(28, w.metric, true);
  let o = HEADER_BYTES;
  for (let i = 0; i < n; i++, o += 4) dv.setInt32(o, e.tokens[i] as number, true);
  for (let i = 0; i < T; i++, o += 4) dv.setFloat32(o, e.rewards[i] as number, true);
  dv.setUint32(o, crc32(bytes.subarray(0, o)), true);
  return bytes;
}

function bad(id: string, what: string): DistributedError {
  return new DistributedError(
    "DQNLM_DIST_EPISODE_CORRUPT",
    "episode",
    `stream entry ${JSON.stringify(id)}: ${what}; the entry is acknowledged and dropped (an actor of another dqnlm version, or a corrupted write).`,
  );
}

/**
 * Decodes and validates an episode (`vocabSize` bounds the token ids).
 * @throws DistributedError `DQNLM_DIST_EPISODE_CORRUPT` for a bad magic, size, checksum or value.
 */
export function decodeEpisode(id: string, bytes: Uint8Array, vocabSize: number): WireEpisode {
  if (bytes.length < HEADER_BYTES + 4) throw bad(id, `${bytes.length} bytes, shorter than a header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== EPISODE_MAGIC) throw bad(id, "not a dqnlm episode (magic mismatch)");
  const P = dv.getUint32(4, true);
  const n = dv.getUint32(8, true);
  const T = n - P;
  if (P < 1 || T < 1) throw bad(id, `prompt length ${P} and ${n} tokens leave no action`);
  const size = HEADER_BYTES + 4 * n + 4 * T + 4;
  if (bytes.length !== size)
    throw bad(id, `expected ${size} bytes for ${n} tokens, received ${bytes.length}`);
  const o = size - 4;
  if (dv.getUint32(o, true) !== crc32(bytes.subarray(0, o))) throw bad(id, "CRC-32 mismatch");
  const term = dv.getUint32(12, true);
  if (term > 1) throw bad(id, `terminated flag ${term}`);
  const tokens = new Int32Array(n);
  let p = HEADER_BYTES;
  for (let i = 0; i < n; i++, p += 4) {
    const t = dv.getInt32(p, true);
    if (t < 0 || t >= vocabSize) throw bad(id, `token ${t} outside the vocabulary [0, ${vocabSize})`);
    tokens[i] = t;
  }
  const rewards = new Float32Array(T);
  for (let i = 0; i < T; i++, p += 4) rewards[i] = dv.getFloat32(p, true);
  if (!rewards.every(Number.isFinite)) throw bad(id, "a non-finite reward");
  const priority = dv.getFloat32(24, true);
  if (!(priority > 0 && Number.isFinite(priority))) throw bad(id, `priority ${priority}`);
  const ref = dv.getInt32(16, true);
  const episode: Episode = {
    tokens,
    promptLength: P,
    rewards,
    terminated: term === 1,
    ...(ref >= 0 ? { refIndex: ref } : {}),
  };
  return { id, episode, priority, weightsVersion: dv.getUint32(20, true), metric: dv.getFloat32(28, true) };
}

/** Parses an episode id `actorId:seq`. */
export function parseEpisodeId(id: string): { actor: string; seq: number } | null {
  const i = id.lastIndexOf(":");
  if (i <= 0) return null;
  const seq = Number(id.slice(i + 1));
  if (!Number.isSafeInteger(seq) || seq < 0) return null;
  return { actor: id.slice(0, i), seq };
}

/** Hex SHA-256 of `bytes`. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Weights ready to publish: the blob and its checksum. */
export interface WeightsBlob {
  readonly bytes: Uint8Array;
  readonly sha256: string;
}

/** Serialises named float32 weights (qnet `getWeights()`) as safetensors with its SHA-256. */
export function encodeWeights(
  weights: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
  metadata: Record<string, string> = {},
): WeightsBlob {
  const bytes = writeSafetensors(weights, metadata);
  return { bytes, sha256: sha256(bytes) };
}

/**
 * Verifies `bytes` against `expectedSha256` and parses them.
 * @throws DistributedError `DQNLM_DIST_WEIGHTS_CORRUPT` on a checksum mismatch or a malformed blob (nothing is
 * loaded).
 */
export function decodeWeights(
  bytes: Uint8Array,
  expectedSha256: string,
  source: string,
): Map<string, Float32Array> {
  const got = sha256(bytes);
  if (got !== expectedSha256)
    throw new DistributedError(
      "DQNLM_DIST_WEIGHTS_CORRUPT",
      "weights",
      `${source}: SHA-256 ${got.slice(0, 16)}… does not match the published ${expectedSha256.slice(0, 16)}…; the blob was not loaded. The actor keeps its current weights and retries at the next version.`,
    );
  let f: ReturnType<typeof readSafetensors>;
  try {
    f = readSafetensors(bytes, source);
  } catch (cause) {
    throw new DistributedError("DQNLM_DIST_WEIGHTS_CORRUPT", "weights", `${source}: not a safetensors blob`, {
      cause,
    });
  }
  const out = new Map<string, Float32Array>();
  for (const [k, t] of f.tensors) out.set(k, t.data);
  return out;
}
