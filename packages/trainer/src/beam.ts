/**
 * N-best decoding and sequence scoring with a Q-network read as a Boltzmann policy π(a | s) = softmax(Q(s, ·)/T).
 * For a network fresh from its pretrained / MLE start, Q are the LM logits and π is the language model itself, so
 * beam search here is ordinary LM beam search; after DQN, beam 1 is greedy argmax-Q decoding (the learned
 * policy) and wider beams rank sequences by Σ log π. An optional `allowed` callback restricts every expansion
 * (constrained decoding, e.g. to spans of a context). Prompts share one KV-cache decoder whose rows are reordered
 * as hypotheses survive; models without a decoder (or without `reorder`) recompute the prefix every step.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Decoder, type DecodingModel, qRowsAt } from "./actor.js";
import { TrainerInputError } from "./errors.js";
import { maskIndices } from "./policy.js";

/** One finished hypothesis of {@link beamSearch}. */
export interface BeamHypothesis {
  /** Generated tokens (EOS included when the hypothesis ended on it). */
  readonly tokens: Int32Array;
  /** Σ log π(a_t | s_t) over the generated tokens. */
  readonly logProb: number;
  /** The ranking score: logProb / length^lengthPenalty. */
  readonly score: number;
  /** True when the hypothesis ended on EOS (false: it reached the length limit). */
  readonly endedOnEos: boolean;
}

/** Options of {@link beamSearch}. */
export interface BeamSearchOptions {
  /** Live hypotheses kept per prompt (1 = greedy decoding). */
  readonly beams: number;
  /** Hypotheses returned per prompt, best first. @default beams */
  readonly nBest?: number;
  readonly maxNewTokens: number;
  /** Ends a hypothesis when chosen; null = no EOS. */
  readonly eosId: number | null;
  readonly padId: number;
  /** Temperature T of π = softmax(Q/T). @default 1 */
  readonly temperature?: number;
  /** α in score = logProb / length^α (0 = raw log-probability). @default 1 */
  readonly lengthPenalty?: number;
  /**
   * Tokens allowed after `prefix` (the tokens generated so far) for prompt `prompt`; null = every token. An
   * empty list ends that hypothesis without output (it is dropped).
   */
  readonly allowed?: (prompt: number, prefix: readonly number[]) => readonly number[] | null;
  /** Prompts decoded together (rows = prompts × beams). @default 8 */
  readonly batchSize?: number;
}

interface Live {
  tokens: number[];
  logProb: number;
  row: number;
}

function check(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min)
    throw new TrainerInputError(name, `${name} must be an integer ≥ ${min}, received ${v}.`);
}

/** log Σ_a exp(q[off + a] / T): log π(a) = q[off + a] / T − this. */
function logNormalizer(q: Float32Array, off: number, V: number, T: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < V; i++) m = Math.max(m, (q[off + i] as number) / T);
  let z = 0;
  for (let i = 0; i < V; i++) z += Math.exp((q[off + i] as number) / T - m);
  return m + Math.log(z);
}

/** Beam search from every prompt (each non-empty); returns the n-best hypotheses per prompt, best first. */
export function beamSearch(
  model: DecodingModel,
  prompts: readonly Int32Array[],
  o: BeamSearchOptions,
): BeamHypothesis[][] {
  check("beams", o.beams, 1);
  check("maxNewTokens", o.maxNewTokens, 1);
  const nBest = o.nBest ?? o.beams;
  check("nBest", nBest, 1);
  const T = o.temperature ?? 1;
  if (!(T > 0)) throw new TrainerInputError("temperature", `temperature must be > 0, received ${T}.`);
  const alpha = o.lengthPenalty ?? 1;
  const per = o.batchSize ?? 8;
  check("batchSize", per, 1);
  prompts.forEach((p, i) => {
    if (p.length === 0)
      throw new TrainerInputError(
        `prompts[${i}]`,
        `prompts[${i}] is empty; every prompt needs at least one token.`,
      );
  });
  const out: BeamHypothesis[][] = [];
  for (let s = 0; s < prompts.length; s += per)
    out.push(...searchBatch(model, prompts.slice(s, s + per), s, o, nBest, T, alpha));
  return out;
}

function searchBatch(
  model: DecodingModel,
  prompts: readonly Int32Array[],
  first: number,
  o: BeamSearchOptions,
  nBest: number,
  T: number,
  alpha: number,
): BeamHypothesis[][] {
  const W = o.beams;
  const P = prompts.length;
  const R = P * W;
  const score = (lp: number, len: number): number => lp / Math.max(1, len) ** alpha;
  // Row p·W + j holds beam j of prompt p; until a prompt is consumed only beam 0 is live.
  const live: Live[][] = prompts.map((_, p) => [{ tokens: [], logProb: 0, row: p * W }]);
  const finished: BeamHypothesis[][] = prompts.map(() => []);
  const rowTokens: number[][] = Array.from({ length: R }, () => []);
  const active: boolean[] = new Array<boolean>(P).fill(true);
  const maxP = prompts.reduce((m, p) => Math.max(m, p.length), 0);
  const dec: Decoder | null = model.decoder ? model.decoder(R) : null;
  const cached = dec !== null && typeof dec.reorder === "function";
  const tokenAt = (r: number, i: number): number => {
    const p = prompts[Math.floor(r / W)] as Int32Array;
    if (i < p.length) return p[i] as number;
    const g = rowTokens[r] as number[];
    return i - p.length < g.length ? (g[i - p.length] as number) : o.padId;
  };
  try {
    for (let i = 0; i < maxP + o.maxNewTokens - 1; i++) {
      if (!active.some(Boolean)) break;
      const { q, V } = qRowsAt(model, cached ? dec : null, R, i, tokenAt);
      const parents = Int32Array.from({ length: R }, (_, r) => r);
      let moved = false;
      for (let p = 0; p < P; p++) {
        if (!active[p] || i < (prompts[p] as Int32Array).length - 1) continue;
        // Candidates (beam, token, logProb): the 2W best of each live beam suffice for the W best overall.
        const cands: { from: Live; a: number; lp: number }[] = [];
        for (const b of live[p] as Live[]) {
          const off = b.row * V;
          const lz = logNormalizer(q, off, V, T);
          const allow = o.allowed ? o.allowed(first + p, b.tokens) : null;
          // Best first, ties to the lowest id (the order of greedy decoding); unconstrained rows use the actor's
          // partial top-k selection instead of sorting the vocabulary.
          const top = allow
            ? allow
                .filter((a) => a >= 0 && a < V)
                .sort((x, y) => (q[off + y] as number) - (q[off + x] as number) || x - y)
                .slice(0, 2 * W)
            : maskIndices(q, off, V, 2 * W, 1, T);
          for (const a of top) cands.push({ from: b, a, lp: b.logProb + (q[off + a] as number) / T - lz });
        }
        cands.sort((x, y) => y.lp - x.lp);
        const next: Live[] = [];
        for (const [rank, c] of cands.entries()) {
          if (next.length >= W) break;
          const tokens = [...c.from.tokens, c.a];
          if (o.eosId !== null && c.a === o.eosId) {
            // As in fairseq: an EOS candidate finishes a hypothesis only when it ranks among the W best, so
            // beam 1 is exactly greedy decoding.
            if (rank >= W) continue;
            finished[p]!.push({
              tokens: Int32Array.from(tokens),
              logProb: c.lp,
              score: score(c.lp, tokens.length),
              endedOnEos: true,
            });
          } else if (tokens.length >= o.maxNewTokens) {
            finished[p]!.push({
              tokens: Int32Array.from(tokens),
              logProb: c.lp,
              score: score(c.lp, tokens.length),
              endedOnEos: false,
            });
          } else {
            const row = p * W + next.length;
            parents[row] = c.from.row;
            next.push({ tokens, logProb: c.lp, row });
          }
        }
        for (const b of next) rowTokens[b.row] = b.tokens;
        for (let j = next.length; j < W; j++) rowTokens[p * W + j] = [];
        live[p] = next;
        moved = true;
        // Done when nothing is live or W hypotheses have finished (fairseq's rule).
        if (next.length === 0 || (finished[p] as BeamHypothesis[]).length >= W) active[p] = false;
      }
      if (moved && cached) (dec as Decoder).reorder!(parents);
    }
  } finally {
    dec?.dispose();
  }
  return prompts.map((_, p) => {
    const hyps = [...(finished[p] as BeamHypothesis[])];
    for (const b of live[p] as Live[])
      if (b.tokens.length > 0 && active[p])
        hyps.push({
          tokens: Int32Array.from(b.tokens),
          logProb: b.logProb,
          score: score(b.logProb, b.tokens.length),
          endedOnEos: false,
        });
    return hyps.sort((x, y) => y.score - x.score).slice(0, nBest);
  });
}

/** Options of {@link sequenceLogProbs}. */
export interface SequenceScoreOptions {
  /** Temperature T of π = softmax(Q/T). @default 1 */
  readonly temperature?: number;
  /** Pairs scored per forward pass. @default 32 */
  readonly batchSize?: number;
}

/**
 * Σ_t log π(c_t | prompt ⊕ c_<t) for every (prompt, continuation) pair, by one teacher-forced forward pass per
 * batch (continuations usually end with EOS, see `encodeTarget`). Empty continuations score 0.
 */
export function sequenceLogProbs(
  model: DecodingModel,
  prompts: readonly Int32Array[],
  continuations: readonly Int32Array[],
  o: SequenceScoreOptions = {},
): Float64Array {
  if (prompts.length !== continuations.length)
    throw new TrainerInputError(
      "continuations",
      `continuations has ${continuations.length} entries for ${prompts.length} prompts; pass one per prompt.`,
    );
  const T = o.temperature ?? 1;
  if (!(T > 0)) throw new TrainerInputError("temperature", `temperature must be > 0, received ${T}.`);
  const per = o.batchSize ?? 32;
  check("batchSize", per, 1);
  const out = new Float64Array(prompts.length);
  for (let s = 0; s < prompts.length; s += per) {
    const idx = Array.from({ length: Math.min(per, prompts.length - s) }, (_, k) => s + k).filter(
      (k) => (continuations[k] as Int32Array).length > 0,
    );
    if (idx.length === 0) continue;
    const lens = idx.map(
      (k) => (prompts[k] as Int32Array).length + (continuations[k] as Int32Array).length - 1,
    );
    const L = Math.max(...lens);
    const B = idx.length;
    const ids = new Int32Array(B * L);
    const rows: number[] = [];
    const acts: number[] = [];
    const owner: number[] = [];
    idx.forEach((k, b) => {
      const p = prompts[k] as Int32Array;
      if (p.length === 0)
        throw new TrainerInputError(
          `prompts[${k}]`,
          `prompts[${k}] is empty; every prompt needs at least one token.`,
        );
      const c = continuations[k] as Int32Array;
      const seq = [...p, ...c.subarray(0, c.length - 1)];
      seq.forEach((t, j) => {
        ids[b * L + j] = t;
      });
      c.forEach((a, j) => {
        rows.push(b * L + p.length - 1 + j);
        acts.push(a);
        owner.push(k);
      });
    });
    const picked = tf.tidy(() => {
      const q = model.forward(tf.tensor2d(ids, [B, L], "int32"));
      const V = q.shape[2];
      const sel = tf.gather(tf.reshape(q, [B * L, V]), tf.tensor1d(rows, "int32"));
      const ls = tf.logSoftmax(tf.div(sel, T));
      return tf.sum(tf.mul(ls, tf.oneHot(tf.tensor1d(acts, "int32"), V)), 1);
    });
    const v = picked.dataSync();
    picked.dispose();
    owner.forEach((k, j) => {
      out[k] = (out[k] as number) + (v[j] as number);
    });
  }
  return out;
}
