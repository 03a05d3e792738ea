/**
 * The language-model likelihood ranker of selection mode: scores each candidate response by
 * log p(response | history) under a causal GPT-2 language model (the project's pretrained base model).
 *
 * Text layout (the one the base model was pretrained on, apps/base corpus: a dialogue is its turns joined by
 * newlines, documents separated by EOS): context = [EOS] + "turn\nturn\n…\nlast user turn\n" (only its last
 * `maxContextTokens` tokens, without the EOS when cut), continuation = "response\n" (the newline ends the turn, so
 * a response is not rewarded for being a prefix of a longer one). The score is the sum of the continuation's token
 * log-probabilities (`sum`) and that sum divided by its token count (`mean`, length-normalised).
 *
 * The history is run once per example; its keys and values are shared by all candidates (batched by length),
 * and the output head is applied only at the continuation's positions. The result equals a full forward pass
 * over context + continuation (checked in the tests).
 */
import type { Tokenizer } from "@dqnlm/mdp";
import { type QNetwork, tf } from "@dqnlm/qnet";
import { invalidOption } from "./errors.js";

/** Options of {@link LMScorer}. */
export interface LMScorerOptions {
  /** Most tokens of history kept (the most recent). @default 160 */
  readonly maxContextTokens?: number;
  /** Most tokens of a candidate (with its newline; longer ones are cut). @default 64 */
  readonly maxResponseTokens?: number;
  /** Candidates per batch. @default 50 */
  readonly batchSize?: number;
  /** Text that ends a turn (appended to the candidate and scored). @default "\n" */
  readonly terminator?: string;
}

/** Log-likelihood scores of candidate responses. */
export interface LMScores {
  /** Σ log p(token | prefix) over the candidate's tokens (nats). */
  readonly sum: Float64Array;
  /** `sum` / number of tokens (length-normalised). */
  readonly mean: Float64Array;
  /** Number of scored tokens of each candidate. */
  readonly tokens: Int32Array;
}

interface Layer {
  ln1g: tf.Tensor1D;
  ln1b: tf.Tensor1D;
  w: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  b: [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
  projW: tf.Tensor2D;
  projB: tf.Tensor1D;
  ln2g: tf.Tensor1D;
  ln2b: tf.Tensor1D;
  fcW: tf.Tensor2D;
  fcB: tf.Tensor1D;
  mlpW: tf.Tensor2D;
  mlpB: tf.Tensor1D;
}

const GELU_C = Math.sqrt(2 / Math.PI);

function layerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, eps: number): tf.Tensor2D {
  const mean = tf.mean(x, 1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), 1, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), g), b) as tf.Tensor2D;
}

/** GPT-2's tanh GELU, written x·σ(2c(x + 0.044715x³)). */
function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), 2 * GELU_C)));
}

/** [n, n] additive mask: 0 on and below the diagonal, −1e9 above (a position sees itself and the past). */
function causalMask(n: number): tf.Tensor2D {
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m[i * n + j] = -1e9;
  return tf.tensor2d(m, [n, n]);
}

/** Scores candidate responses by their log-likelihood given the history under a GPT-2 language model. */
export class LMScorer {
  readonly #tok: Tokenizer;
  readonly #o: Required<LMScorerOptions>;
  readonly #d: number;
  readonly #H: number;
  readonly #eps: number;
  readonly #V: number;
  readonly #wte: tf.Tensor2D;
  readonly #wpe: tf.Tensor2D;
  readonly #lnfG: tf.Tensor1D;
  readonly #lnfB: tf.Tensor1D;
  readonly #layers: Layer[];
  readonly #wteIn: tf.Tensor2D | undefined;
  readonly #headT: tf.Tensor2D;
  #disposed = false;

  private constructor(
    net: QNetwork,
    w: Map<string, { shape: number[]; data: Float32Array }>,
    tok: Tokenizer,
    o: LMScorerOptions,
  ) {
    const c = net.config;
    this.#tok = tok;
    this.#o = { maxContextTokens: 160, maxResponseTokens: 64, batchSize: 50, terminator: "\n", ...o };
    if (this.#o.maxContextTokens + this.#o.maxResponseTokens > c.nPositions)
      throw invalidOption(
        "maxContextTokens + maxResponseTokens",
        `at most the model's nPositions (${c.nPositions})`,
        this.#o.maxContextTokens + this.#o.maxResponseTokens,
      );
    if (c.dueling) throw invalidOption("net", "a language model (no dueling value head)", "dueling");
    this.#d = c.nEmbd;
    this.#H = c.nHead;
    this.#eps = c.layerNormEpsilon;
    this.#V = c.vocabSize;
    const t = (name: string): tf.Tensor => {
      const e = w.get(name);
      if (!e) throw invalidOption("net", `a GPT-2 with the weight ${name}`, [...w.keys()].slice(0, 3));
      return tf.tensor(e.data, e.shape);
    };
    this.#wte = t(c.tieWordEmbeddings ? "transformer.wte.weight" : "lm_head.weight") as tf.Tensor2D;
    this.#wpe = t("transformer.wpe.weight") as tf.Tensor2D;
    this.#lnfG = t("transformer.ln_f.weight") as tf.Tensor1D;
    this.#lnfB = t("transformer.ln_f.bias") as tf.Tensor1D;
    const d = this.#d;
    this.#layers = Array.from({ length: c.nLayer }, (_, i) => {
      const p = `transformer.h.${i}.`;
      const aw = t(`${p}attn.c_attn.weight`) as tf.Tensor2D;
      const ab = t(`${p}attn.c_attn.bias`) as tf.Tensor1D;
      const L: Layer = {
        ln1g: t(`${p}ln_1.weight`) as tf.Tensor1D,
        ln1b: t(`${p}ln_1.bias`) as tf.Tensor1D,
        w: [0, 1, 2].map((j) => tf.slice(aw, [0, j * d], [d, d])) as Layer["w"],
        b: [0, 1, 2].map((j) => tf.slice(ab, [j * d], [d])) as Layer["b"],
        projW: t(`${p}attn.c_proj.weight`) as tf.Tensor2D,
        projB: t(`${p}attn.c_proj.bias`) as tf.Tensor1D,
        ln2g: t(`${p}ln_2.weight`) as tf.Tensor1D,
        ln2b: t(`${p}ln_2.bias`) as tf.Tensor1D,
        fcW: t(`${p}mlp.c_fc.weight`) as tf.Tensor2D,
        fcB: t(`${p}mlp.c_fc.bias`) as tf.Tensor1D,
        mlpW: t(`${p}mlp.c_proj.weight`) as tf.Tensor2D,
        mlpB: t(`${p}mlp.c_proj.bias`) as tf.Tensor1D,
      };
      tf.dispose([aw, ab]);
      return L;
    });
    // Untied heads: wte (input embedding) kept apart from lm_head (the output head, in #wte).
    this.#wteIn = c.tieWordEmbeddings ? undefined : (t("transformer.wte.weight") as tf.Tensor2D);
    this.#headT = tf.transpose(this.#wte) as tf.Tensor2D;
  }

  /** A scorer over a copy of `net`'s weights (the network itself is not used afterwards and may be disposed). */
  static async create(net: QNetwork, tokenizer: Tokenizer, options: LMScorerOptions = {}): Promise<LMScorer> {
    return new LMScorer(net, await net.getWeights(), tokenizer, options);
  }

  /** The token ids of the context of `history` (see the module comment). */
  contextIds(history: readonly string[]): Int32Array {
    const ids = this.#tok.encode(history.length > 0 ? `${history.join("\n")}\n` : "");
    const max = this.#o.maxContextTokens;
    if (ids.length + 1 <= max) return Int32Array.from([this.#tok.eosId, ...ids]);
    return ids.slice(ids.length - max);
  }

  /** The token ids of a candidate (with its terminator, cut to `maxResponseTokens`). */
  responseIds(response: string): Int32Array {
    return this.#tok.encode(`${response}${this.#o.terminator}`).slice(0, this.#o.maxResponseTokens);
  }

  /** Scores every response for the history. */
  score(history: readonly string[], responses: readonly string[]): LMScores {
    if (this.#disposed) throw invalidOption("scorer", "not disposed", "disposed");
    const ctx = this.contextIds(history);
    const resp = responses.map((r) => this.responseIds(r));
    const sum = new Float64Array(responses.length);
    const tokens = Int32Array.from(resp, (r) => r.length);
    const { kv, last } = this.#context(ctx);
    try {
      const order = [...resp.keys()].sort((a, b) => resp[a]!.length - resp[b]!.length || a - b);
      for (let s = 0; s < order.length; s += this.#o.batchSize) {
        const rows = order.slice(s, s + this.#o.batchSize);
        const lp = this.#continuation(
          ctx.length,
          kv,
          last,
          rows.map((i) => resp[i]!),
        );
        rows.forEach((i, r) => {
          sum[i] = lp[r]!;
        });
      }
    } finally {
      tf.dispose([last, ...kv.flatMap((e) => [e.k, e.v])]);
    }
    const mean = Float64Array.from(sum, (s, i) => s / Math.max(1, tokens[i]!));
    return { sum, mean, tokens };
  }

  #embed(ids: tf.Tensor1D, offset: number, positions: number, rows: number): tf.Tensor2D {
    const tok = tf.gather(this.#wteIn ?? this.#wte, ids);
    const pos = tf.slice(this.#wpe, [offset, 0], [positions, this.#d]);
    return tf.reshape(tf.add(tf.reshape(tok, [rows, positions, this.#d]), pos), [
      rows * positions,
      this.#d,
    ]) as tf.Tensor2D;
  }

  #mlp(x: tf.Tensor2D, L: Layer): tf.Tensor2D {
    const h2 = layerNorm(x, L.ln2g, L.ln2b, this.#eps);
    const m = gelu(tf.add(tf.matMul(h2, L.fcW), L.fcB));
    return tf.add(x, tf.add(tf.matMul(m as tf.Tensor2D, L.mlpW), L.mlpB)) as tf.Tensor2D;
  }

  /** Runs the context (one sequence): per-layer keys/values [H, T, dh] and the last position's final hidden [1, d]. */
  #context(ids: Int32Array): { kv: Array<{ k: tf.Tensor3D; v: tf.Tensor3D }>; last: tf.Tensor2D } {
    const T = ids.length;
    const { d } = { d: this.#d };
    const H = this.#H;
    const dh = d / H;
    return tf.tidy(() => {
      let x = this.#embed(tf.tensor1d(ids, "int32"), 0, T, 1);
      const mask = causalMask(T);
      const kv: Array<{ k: tf.Tensor3D; v: tf.Tensor3D }> = [];
      for (const L of this.#layers) {
        const h = layerNorm(x, L.ln1g, L.ln1b, this.#eps);
        const [q, k, v] = [0, 1, 2].map(
          (j) =>
            tf.transpose(
              tf.reshape(tf.add(tf.matMul(h, L.w[j]!), L.b[j]!), [T, H, dh]),
              [1, 0, 2],
            ) as tf.Tensor3D,
        ) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        const s = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), mask);
        const a = tf.matMul(tf.softmax(s), v); // [H, T, dh]
        const merged = tf.reshape(tf.transpose(a, [1, 0, 2]), [T, d]) as tf.Tensor2D;
        x = tf.add(x, tf.add(tf.matMul(merged, L.projW), L.projB)) as tf.Tensor2D;
        x = this.#mlp(x, L);
        kv.push({ k: tf.keep(k), v: tf.keep(v) });
      }
      const hf = layerNorm(x, this.#lnfG, this.#lnfB, this.#eps);
      return { kv, last: tf.keep(tf.slice(hf, [T - 1, 0], [1, d]) as tf.Tensor2D) };
    });
  }

  /** Σ log p of each continuation (rows of different lengths, right-padded) after a context of `Tc` tokens. */
  #continuation(
    Tc: number,
    kv: ReadonlyArray<{ k: tf.Tensor3D; v: tf.Tensor3D }>,
    last: tf.Tensor2D,
    rows: readonly Int32Array[],
  ): Float64Array {
    const B = rows.length;
    const R = Math.max(...rows.map((r) => r.length));
    const d = this.#d;
    const H = this.#H;
    const dh = d / H;
    const ids = new Int32Array(B * R);
    rows.forEach((r, b) => {
      ids.set(r, b * R);
    });
    const picked = tf.tidy(() => {
      let x = this.#embed(tf.tensor1d(ids, "int32"), Tc, R, B);
      const mask = causalMask(R);
      for (let i = 0; i < this.#layers.length; i++) {
        const L = this.#layers[i]!;
        const past = kv[i]!;
        const h = layerNorm(x, L.ln1g, L.ln1b, this.#eps);
        // [B, R, H, dh] per projection.
        const [q, k, v] = [0, 1, 2].map((j) =>
          tf.reshape(tf.add(tf.matMul(h, L.w[j]!), L.b[j]!), [B, R, H, dh]),
        );
        const qB = tf.reshape(tf.transpose(q!, [0, 2, 1, 3]), [B * H, R, dh]) as tf.Tensor3D;
        const kB = tf.reshape(tf.transpose(k!, [0, 2, 1, 3]), [B * H, R, dh]) as tf.Tensor3D;
        const vB = tf.reshape(tf.transpose(v!, [0, 2, 1, 3]), [B * H, R, dh]) as tf.Tensor3D;
        const qH = tf.reshape(tf.transpose(q!, [2, 0, 1, 3]), [H, B * R, dh]) as tf.Tensor3D;
        const scale = 1 / Math.sqrt(dh);
        // Scores against the shared context: [H, B·R, Tc] → [B·H, R, Tc].
        const sc = tf.reshape(
          tf.transpose(tf.reshape(tf.matMul(qH, past.k, false, true), [H, B, R, Tc]), [1, 0, 2, 3]),
          [B * H, R, Tc],
        );
        const ss = tf.add(tf.matMul(qB, kB, false, true), mask);
        const p = tf.softmax(tf.mul(tf.concat([sc, ss], 2), scale));
        const pc = tf.slice(p, [0, 0, 0], [B * H, R, Tc]);
        const ps = tf.slice(p, [0, 0, Tc], [B * H, R, R]);
        const aSelf = tf.matMul(ps, vB); // [B·H, R, dh]
        const pcH = tf.reshape(tf.transpose(tf.reshape(pc, [B, H, R, Tc]), [1, 0, 2, 3]), [H, B * R, Tc]);
        const aCtx = tf.reshape(
          tf.transpose(tf.reshape(tf.matMul(pcH as tf.Tensor3D, past.v), [H, B, R, dh]), [1, 0, 2, 3]),
          [B * H, R, dh],
        );
        const a = tf.reshape(tf.transpose(tf.reshape(tf.add(aSelf, aCtx), [B, H, R, dh]), [0, 2, 1, 3]), [
          B * R,
          d,
        ]) as tf.Tensor2D;
        x = tf.add(x, tf.add(tf.matMul(a, L.projW), L.projB)) as tf.Tensor2D;
        x = this.#mlp(x, L);
      }
      const hf = tf.reshape(layerNorm(x, this.#lnfG, this.#lnfB, this.#eps), [B, R, d]);
      // Token j is predicted from position j − 1; token 0 from the context's last position.
      const prev = tf.concat(
        [tf.tile(tf.reshape(last, [1, 1, d]), [B, 1, 1]), tf.slice(hf, [0, 0, 0], [B, R - 1, d])],
        1,
      );
      // On wasm a pre-transposed head is ~5× faster than matMul(…, transposeB), and log Σ exp is cheaper than a
      // full log-softmax: log p(target) = logit(target) − log Σ exp(logits).
      const logits = tf.matMul(tf.reshape(prev, [B * R, d]) as tf.Tensor2D, this.#headT);
      const flat = Int32Array.from(ids, (id, n) => n * this.#V + id);
      const target = tf.gather(tf.reshape(logits, [B * R * this.#V]), tf.tensor1d(flat, "int32"));
      return tf.sub(target, tf.logSumExp(logits, 1));
    });
    const lp = picked.dataSync() as Float32Array;
    picked.dispose();
    const out = new Float64Array(B);
    rows.forEach((r, b) => {
      let s = 0;
      for (let j = 0; j < r.length; j++) s += lp[b * R + j]!;
      out[b] = s;
    });
    return out;
  }

  /** Frees the scorer's tensors. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    tf.dispose([this.#wte, this.#headT, this.#wpe, this.#lnfG, this.#lnfB]);
    if (this.#wteIn) this.#wteIn.dispose();
    for (const L of this.#layers)
      tf.dispose([
        L.ln1g,
        L.ln1b,
        ...L.w,
        ...L.b,
        L.projW,
        L.projB,
        L.ln2g,
        L.ln2b,
        L.fcW,
        L.fcB,
        L.mlpW,
        L.mlpB,
      ]);
  }
}
