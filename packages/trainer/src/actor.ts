/**
 * Batched rollouts of the token MDP. Prompts of different lengths share one KV-cache decoder: at position i
 * every row feeds its own token i (prompt token, generated token, or PAD once finished), and a row starts acting
 * once its prompt is consumed. Q rows are downloaded once per step and actions are chosen in plain JS by a
 * {@link ActionSelector} (greedy, ε-greedy, masked sampling). Models without a decoder fall back to recomputing
 * the full prefix each step.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { QModel } from "./learner.js";

/** Incremental decoder with a KV cache: feed one token per row, get Q of the extended state. */
export interface Decoder {
  step(ids: Int32Array): tf.Tensor2D;
  /** Row r continues from row rows[r]'s cache (beam search); optional. */
  reorder?(rows: Int32Array): void;
  dispose(): void;
}

/** A Q-model that may offer an incremental decoder (qnet's `QNetwork.decoder(batchSize)`). */
export interface DecodingModel extends QModel {
  decoder?(batchSize: number): Decoder;
}

/** Picks the action of row `row` from Q-values q[off .. off+V); `prefix` = the tokens it generated so far. */
export type ActionSelector = (
  q: Float32Array,
  off: number,
  V: number,
  row: number,
  prefix: readonly number[],
) => number;

/** Result of a batched rollout. */
export interface RolloutResult {
  /** Generated tokens per row (EOS included when it was chosen). */
  readonly generated: Int32Array[];
  /** True when the row ended on EOS. */
  readonly endedOnEos: boolean[];
  /** Q(s_0, a_0) per row (the value the network predicted for its first action). */
  readonly q0: Float32Array;
  /** Mean entropy of softmax(Q/T) over the acting steps (for diagnostics), if `temperature` was given. */
  readonly entropy: number;
  /** Tokens fed through the network (prompt + generated, over all rows). */
  readonly tokensProcessed: number;
}

/** Options of {@link rollout}. */
export interface RolloutOptions {
  readonly maxNewTokens: number;
  /** Ends a row when chosen; null = no EOS (fixed-horizon MDPs). */
  readonly eosId: number | null;
  readonly padId: number;
  readonly select: ActionSelector;
  /** When set, the policy entropy of softmax(Q/temperature) is averaged over acting steps. */
  readonly entropyTemperature?: number;
}

function rowEntropy(q: Float32Array, off: number, V: number, temp: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < V; i++) m = Math.max(m, q[off + i] as number);
  let z = 0;
  for (let i = 0; i < V; i++) z += Math.exp(((q[off + i] as number) - m) / temp);
  let h = 0;
  const lz = Math.log(z);
  for (let i = 0; i < V; i++) {
    const lp = ((q[off + i] as number) - m) / temp - lz;
    h -= Math.exp(lp) * lp;
  }
  return h;
}

/**
 * Q(s, ·) of every row's state after position `i`, downloaded as [B·V]: one `dec.step` of the tokens at position i
 * when a decoder is given (it must already hold positions 0..i−1), else a full forward pass over positions 0..i.
 * Shared by rollouts and beam search.
 */
export function qRowsAt(
  model: DecodingModel,
  dec: Decoder | null,
  B: number,
  i: number,
  tokenAt: (row: number, position: number) => number,
): { q: Float32Array; V: number } {
  const out = dec
    ? dec.step(Int32Array.from({ length: B }, (_, b) => tokenAt(b, i)))
    : tf.tidy(() => {
        const ids = new Int32Array(B * (i + 1));
        for (let b = 0; b < B; b++) for (let j = 0; j <= i; j++) ids[b * (i + 1) + j] = tokenAt(b, j);
        const full = model.forward(tf.tensor2d(ids, [B, i + 1], "int32"));
        return tf.squeeze(tf.slice(full, [0, i, 0], [B, 1, -1]), [1]) as tf.Tensor2D;
      });
  const V = out.shape[1] as number;
  const q = out.dataSync() as Float32Array;
  out.dispose();
  return { q, V };
}

/** Rolls out one batch of episodes from `prompts` (each non-empty). */
export function rollout(
  model: DecodingModel,
  prompts: readonly Int32Array[],
  o: RolloutOptions,
): RolloutResult {
  const B = prompts.length;
  const generated: number[][] = prompts.map(() => []);
  const done = new Array<boolean>(B).fill(false);
  const endedOnEos = new Array<boolean>(B).fill(false);
  const q0 = new Float32Array(B);
  const maxP = prompts.reduce((m, p) => Math.max(m, p.length), 0);
  const steps = maxP + o.maxNewTokens - 1;
  const dec = model.decoder ? model.decoder(B) : null;
  let entSum = 0;
  let entN = 0;
  let tokensProcessed = 0;
  const tokenAt = (b: number, i: number): number => {
    const p = prompts[b] as Int32Array;
    if (i < p.length) return p[i] as number;
    const g = generated[b] as number[];
    return i - p.length < g.length ? (g[i - p.length] as number) : o.padId;
  };
  try {
    for (let i = 0; i < steps; i++) {
      if (done.every(Boolean)) break;
      const { q, V } = qRowsAt(model, dec, B, i, tokenAt);
      for (let b = 0; b < B; b++) {
        const p = prompts[b] as Int32Array;
        if (done[b]) continue;
        tokensProcessed++;
        if (i < p.length - 1) continue;
        const off = b * V;
        const g = generated[b] as number[];
        const a = o.select(q, off, V, b, g);
        if (g.length === 0) q0[b] = q[off + a] as number;
        if (o.entropyTemperature !== undefined) {
          entSum += rowEntropy(q, off, V, o.entropyTemperature);
          entN++;
        }
        g.push(a);
        if (o.eosId !== null && a === o.eosId) {
          done[b] = true;
          endedOnEos[b] = true;
        } else if (g.length >= o.maxNewTokens) {
          done[b] = true;
        }
      }
    }
  } finally {
    dec?.dispose();
  }
  return {
    generated: generated.map((g) => Int32Array.from(g)),
    endedOnEos,
    q0,
    entropy: entN > 0 ? entSum / entN : 0,
    tokensProcessed,
  };
}
