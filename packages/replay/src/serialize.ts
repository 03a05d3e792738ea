/**
 * The versioned binary replay format (little-endian):
 *
 *   [0, 8)        magic "DQNLMRPL"
 *   [8, 12)       u32 format version (1)
 *   [12, 16)      u32 byte length H of the header JSON
 *   [16, 16 + H)  header JSON: options, ring head, next id, max priority, counts
 *   then, each section starting on an 8-byte boundary:
 *     ids f64[E] · meta i32[4E] (promptLength, T, position, refIndex or −1) · flags u8[E] (1 terminated, 2 demo)
 *     · tokens i32[Σ(P+T)] · rewards f32[ΣT] · leaves f64[ΣT] (sum-tree leaves, prioritized buffers only)
 *   [end − 4, end) u32 CRC-32 of every byte before it
 *
 * Episodes are listed in canonical order (demonstrations, then regular episodes oldest first).
 */
import { crc32 } from "@dqnlm/core";
import type { PrioritizedOptions, StoredEpisode } from "./buffer.js";
import { ReplayFileError } from "./errors.js";

const MAGIC = "DQNLMRPL";

/** Everything a buffer needs to rebuild itself bit-for-bit. */
export interface ReplaySnapshot {
  version: number;
  options: {
    capacity: number;
    demoCapacity: number;
    vocabSize: number | undefined;
    prioritized: false | Required<PrioritizedOptions>;
  };
  ringHead: number;
  nextId: number;
  maxPriority: number;
  episodes: StoredEpisode[];
  positions: number[];
  leaves: Float64Array | undefined;
}

interface Header {
  options: ReplaySnapshot["options"];
  ringHead: number;
  nextId: number;
  maxPriority: number;
  episodes: number;
  tokens: number;
  transitions: number;
  leaves: boolean;
}

const align8 = (n: number): number => (n + 7) & ~7;

function layout(h: Header, headerBytes: number) {
  const E = h.episodes;
  let off = align8(16 + headerBytes);
  const ids = off;
  off = align8(off + 8 * E);
  const meta = off;
  off = align8(off + 16 * E);
  const flags = off;
  off = align8(off + E);
  const tokens = off;
  off = align8(off + 4 * h.tokens);
  const rewards = off;
  off = align8(off + 4 * h.transitions);
  const leaves = off;
  if (h.leaves) off = align8(off + 8 * h.transitions);
  return { ids, meta, flags, tokens, rewards, leaves, crc: off, total: off + 4 };
}

/** Encodes a snapshot into the binary format. */
export function encodeReplay(s: ReplaySnapshot): Uint8Array {
  let tokens = 0;
  let transitions = 0;
  for (const e of s.episodes) {
    tokens += e.tokens.length;
    transitions += e.rewards.length;
  }
  const header: Header = {
    options: s.options,
    ringHead: s.ringHead,
    nextId: s.nextId,
    maxPriority: s.maxPriority,
    episodes: s.episodes.length,
    tokens,
    transitions,
    leaves: s.leaves !== undefined,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const L = layout(header, json.length);
  const buf = new ArrayBuffer(L.total);
  const u8 = new Uint8Array(buf);
  const dv = new DataView(buf);
  for (let i = 0; i < 8; i++) u8[i] = MAGIC.charCodeAt(i);
  dv.setUint32(8, s.version, true);
  dv.setUint32(12, json.length, true);
  u8.set(json, 16);
  const E = s.episodes.length;
  const ids = new Float64Array(buf, L.ids, E);
  const meta = new Int32Array(buf, L.meta, 4 * E);
  const flags = new Uint8Array(buf, L.flags, E);
  const tok = new Int32Array(buf, L.tokens, tokens);
  const rew = new Float32Array(buf, L.rewards, transitions);
  let to = 0;
  let ro = 0;
  for (let k = 0; k < E; k++) {
    const e = s.episodes[k] as StoredEpisode;
    ids[k] = e.id;
    meta[4 * k] = e.promptLength;
    meta[4 * k + 1] = e.rewards.length;
    meta[4 * k + 2] = s.positions[k] as number;
    meta[4 * k + 3] = e.refIndex ?? -1;
    flags[k] = (e.terminated ? 1 : 0) | (e.demo ? 2 : 0);
    tok.set(e.tokens, to);
    rew.set(e.rewards, ro);
    to += e.tokens.length;
    ro += e.rewards.length;
  }
  if (s.leaves !== undefined) new Float64Array(buf, L.leaves, transitions).set(s.leaves);
  dv.setUint32(L.crc, crc32(u8.subarray(0, L.crc)), true);
  return u8;
}

/** Decodes and verifies the binary format; throws {@link ReplayFileError} with a precise reason. */
export function decodeReplay(bytes: Uint8Array, path: string): ReplaySnapshot {
  const corrupt = (why: string, cause?: unknown): ReplayFileError =>
    new ReplayFileError(
      "DQNLM_REPLAY_FILE_CORRUPT",
      `replay file ${path} is corrupt: ${why}; restore it from a backup or rebuild the buffer (the writer ` +
        "replaces files atomically, so a corrupt file comes from outside it)",
      path,
      cause,
    );
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(0, 8)) !== MAGIC)
    throw new ReplayFileError(
      "DQNLM_REPLAY_FILE_FORMAT",
      `${path} is not a dqnlm replay file (expected magic "${MAGIC}", found ${JSON.stringify(
        String.fromCharCode(...bytes.subarray(0, Math.min(8, bytes.length))),
      )}); pass a file written by ReplayBuffer.save`,
      path,
    );
  if (bytes.length < 20) throw corrupt(`truncated to ${bytes.length} bytes`);
  // Copy into an aligned buffer so typed-array views can be taken at 8-byte offsets.
  const buf = new ArrayBuffer(bytes.length);
  const u8 = new Uint8Array(buf);
  u8.set(bytes);
  const dv = new DataView(buf);
  const version = dv.getUint32(8, true);
  if (version !== 1)
    throw new ReplayFileError(
      "DQNLM_REPLAY_FILE_VERSION",
      `${path} has replay format version ${version}; this @dqnlm/replay reads version 1 — upgrade the package ` +
        "or re-save the buffer with this version",
      path,
    );
  const hLen = dv.getUint32(12, true);
  if (16 + hLen + 4 > bytes.length)
    throw corrupt(`header length ${hLen} exceeds the file size ${bytes.length}`);
  let header: Header;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(u8.subarray(16, 16 + hLen)),
    ) as Header;
  } catch (cause) {
    throw corrupt("the header is not valid JSON", cause);
  }
  const L = layout(header, hLen);
  if (!Number.isFinite(L.total) || L.total !== bytes.length)
    throw corrupt(`expected ${L.total} bytes from its header, found ${bytes.length} (truncated or padded)`);
  const stored = dv.getUint32(L.crc, true);
  const actual = crc32(u8.subarray(0, L.crc));
  if (stored !== actual)
    throw corrupt(`checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})`);
  const E = header.episodes;
  const ids = new Float64Array(buf, L.ids, E);
  const meta = new Int32Array(buf, L.meta, 4 * E);
  const flags = new Uint8Array(buf, L.flags, E);
  const tok = new Int32Array(buf, L.tokens, header.tokens);
  const rew = new Float32Array(buf, L.rewards, header.transitions);
  const episodes: StoredEpisode[] = [];
  const positions: number[] = [];
  let to = 0;
  let ro = 0;
  for (let k = 0; k < E; k++) {
    const P = meta[4 * k] as number;
    const T = meta[4 * k + 1] as number;
    const ref = meta[4 * k + 3] as number;
    if (P < 1 || T < 1 || to + P + T > header.tokens || ro + T > header.transitions)
      throw corrupt(`episode ${k} has inconsistent lengths (P=${P}, T=${T})`);
    episodes.push({
      id: ids[k] as number,
      demo: ((flags[k] as number) & 2) !== 0,
      tokens: tok.slice(to, to + P + T),
      promptLength: P,
      rewards: rew.slice(ro, ro + T),
      terminated: ((flags[k] as number) & 1) !== 0,
      ...(ref >= 0 ? { refIndex: ref } : {}),
    });
    positions.push(meta[4 * k + 2] as number);
    to += P + T;
    ro += T;
  }
  return {
    version,
    options: header.options,
    ringHead: header.ringHead,
    nextId: header.nextId,
    maxPriority: header.maxPriority,
    episodes,
    positions,
    leaves: header.leaves ? new Float64Array(buf, L.leaves, header.transitions).slice() : undefined,
  };
}
