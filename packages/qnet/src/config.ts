/**
 * GPT-2 configuration: our camelCase form, validation, and conversion to and from Hugging Face's
 * `config.json` (GPT2Config) so that checkpoints round-trip with HF tools.
 */
import { QnetConfigError } from "./errors.js";

/** Shape of a GPT-2-family Q-network. */
export interface GPT2Config {
  /** Vocabulary size V (number of actions). */
  vocabSize: number;
  /** Maximum sequence length (rows of the position embedding). */
  nPositions: number;
  /** Model width d. */
  nEmbd: number;
  /** Number of transformer blocks. */
  nLayer: number;
  /** Number of attention heads (must divide nEmbd). */
  nHead: number;
  /** LayerNorm epsilon. @default 1e-5 */
  layerNormEpsilon?: number;
  /** MLP hidden width. @default 4 * nEmbd */
  nInner?: number;
  /** Q-head tied to the token embedding (the LM head of GPT-2). @default true */
  tieWordEmbeddings?: boolean;
  /** Dueling head: Q = V(s) + A(s,·) − mean A(s,·), A being the LM head. @default false */
  dueling?: boolean;
}

/** A config with every optional field filled in. */
export type ResolvedGPT2Config = Required<GPT2Config>;

/** Fills defaults and validates a config; throws {@link QnetConfigError} naming the bad field. */
export function resolveConfig(c: Partial<GPT2Config> & Pick<GPT2Config, "vocabSize">): ResolvedGPT2Config {
  const nEmbd = c.nEmbd ?? 128;
  const r: ResolvedGPT2Config = {
    vocabSize: c.vocabSize,
    nPositions: c.nPositions ?? 256,
    nEmbd,
    nLayer: c.nLayer ?? 2,
    nHead: c.nHead ?? 4,
    layerNormEpsilon: c.layerNormEpsilon ?? 1e-5,
    nInner: c.nInner ?? 4 * nEmbd,
    tieWordEmbeddings: c.tieWordEmbeddings ?? true,
    dueling: c.dueling ?? false,
  };
  for (const k of ["vocabSize", "nPositions", "nEmbd", "nLayer", "nHead", "nInner"] as const) {
    const v = r[k];
    if (!Number.isInteger(v) || v <= 0) {
      throw new QnetConfigError(`GPT2Config.${k} must be a positive integer, received ${String(v)}`, k);
    }
  }
  if (r.nEmbd % r.nHead !== 0) {
    throw new QnetConfigError(
      `GPT2Config.nHead (${r.nHead}) must divide nEmbd (${r.nEmbd}); e.g. nEmbd 256 with nHead 4`,
      "nHead",
    );
  }
  if (!(r.layerNormEpsilon > 0)) {
    throw new QnetConfigError(
      `GPT2Config.layerNormEpsilon must be > 0, received ${r.layerNormEpsilon}`,
      "layerNormEpsilon",
    );
  }
  return r;
}

/** The subset of a Hugging Face GPT-2 `config.json` that qnet reads and writes. */
export interface HFGPT2Json {
  model_type?: string;
  architectures?: string[];
  vocab_size: number;
  n_positions?: number;
  n_ctx?: number;
  n_embd: number;
  n_layer: number;
  n_head: number;
  n_inner?: number | null;
  layer_norm_epsilon?: number;
  activation_function?: string;
  tie_word_embeddings?: boolean;
  [key: string]: unknown;
}

/** Converts a Hugging Face GPT-2 `config.json` object into a {@link GPT2Config}. */
export function configFromHF(json: Record<string, unknown>): ResolvedGPT2Config {
  const j = json as Partial<HFGPT2Json>;
  if (j.model_type !== undefined && j.model_type !== "gpt2") {
    throw new QnetConfigError(
      `config.json model_type must be "gpt2" (GPT-2 family), received ${JSON.stringify(j.model_type)}`,
      "model_type",
    );
  }
  const act = j.activation_function ?? "gelu_new";
  if (act !== "gelu_new" && act !== "gelu_pytorch_tanh") {
    throw new QnetConfigError(
      `config.json activation_function ${JSON.stringify(act)} is not supported; qnet implements "gelu_new"`,
      "activation_function",
    );
  }
  const dq = (json.dqnlm ?? {}) as { dueling?: boolean };
  return resolveConfig({
    vocabSize: j.vocab_size as number,
    nPositions: j.n_positions ?? j.n_ctx ?? 1024,
    nEmbd: j.n_embd as number,
    nLayer: j.n_layer as number,
    nHead: j.n_head as number,
    nInner: j.n_inner ?? undefined,
    layerNormEpsilon: j.layer_norm_epsilon ?? 1e-5,
    tieWordEmbeddings: j.tie_word_embeddings ?? true,
    dueling: dq.dueling ?? false,
  });
}

/** Converts a config into a Hugging Face GPT-2 `config.json` object (loadable by `transformers`). */
export function configToHF(c: GPT2Config): HFGPT2Json {
  const r = resolveConfig(c);
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    vocab_size: r.vocabSize,
    n_positions: r.nPositions,
    n_ctx: r.nPositions,
    n_embd: r.nEmbd,
    n_layer: r.nLayer,
    n_head: r.nHead,
    n_inner: r.nInner === 4 * r.nEmbd ? null : r.nInner,
    layer_norm_epsilon: r.layerNormEpsilon,
    activation_function: "gelu_new",
    tie_word_embeddings: r.tieWordEmbeddings,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    initializer_range: 0.02,
    dqnlm: { dueling: r.dueling },
  };
}
