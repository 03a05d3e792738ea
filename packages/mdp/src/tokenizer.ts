/**
 * The Tokenizer contract of dqnlm and its Hugging Face adapter.
 *
 * Why `@huggingface/tokenizers`: it is the pure-JS tokenizer core of transformers.js (no native code, no wasm,
 * ~100 kB, works offline), loads any `tokenizer.json` (BPE, WordPiece, Unigram, WordLevel via its legacy model)
 * and encodes at a few hundred thousand tokens per second. `@huggingface/transformers`' AutoTokenizer wraps the
 * same code but pulls in onnxruntime; the napi `tokenizers` package is native and its trainer cannot set the
 * vocabulary size or special tokens, so small tokenizers are trained by {@link trainTokenizer} instead.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@dqnlm/core";
import { Tokenizer as HFCore } from "@huggingface/tokenizers";
import { MdpError } from "./errors.js";

/** What the MDP, replay and the trainer need from a tokenizer. */
export interface Tokenizer {
  /** Number of ids: every id is in [0, vocabSize). */
  readonly vocabSize: number;
  /** Beginning-of-sequence id (prepended to prompts). */
  readonly bosId: number;
  /** End-of-sequence id (the absorbing action). */
  readonly eosId: number;
  /** Padding id (right padding in batches). */
  readonly padId: number;
  /** Separator id (between a source and its generated text). */
  readonly sepId: number;
  /** Text → ids, without adding special tokens. */
  encode(text: string): Int32Array;
  /** Ids → text. `skipSpecial` drops BOS/EOS/PAD/SEP and other special tokens. */
  decode(ids: ArrayLike<number>, opts?: { skipSpecial?: boolean }): string;
}

/** A token given as a string or as a serialised AddedToken (`{ content: "..." }`). */
type TokenSpec = string | { content?: unknown } | null | undefined;

/** The JSON of a `tokenizer.json` file (only the parts read here are typed). */
export interface TokenizerJson {
  model: { type?: string; vocab?: unknown; [key: string]: unknown };
  added_tokens?: { id: number; content: string; special?: boolean; [key: string]: unknown }[];
  [key: string]: unknown;
}

/** The JSON of a `tokenizer_config.json` file (only the parts read here are typed). */
export interface TokenizerConfigJson {
  bos_token?: TokenSpec;
  eos_token?: TokenSpec;
  pad_token?: TokenSpec;
  sep_token?: TokenSpec;
  cls_token?: TokenSpec;
  unk_token?: TokenSpec;
  clean_up_tokenization_spaces?: boolean;
  [key: string]: unknown;
}

/** Options of {@link loadTokenizer} and {@link HFTokenizer.fromJSON}. */
export interface HFTokenizerOptions {
  /** Override the token strings used for the special ids. @default resolved from tokenizer_config / added tokens */
  specialTokens?: { bos?: string; eos?: string; pad?: string; sep?: string };
  /** Let the tokenizer's post-processor add its special tokens (e.g. BERT's [CLS] … [SEP]) in `encode`. @default false */
  addSpecialTokens?: boolean;
  /**
   * Apply the legacy "clean up tokenization spaces" rule in `decode` (" ." → ".", " n't" → "n't", …), which breaks
   * exact round trips. transformers.js turns it on when tokenizer_config.json does not say otherwise; we do not.
   * @default false
   */
  cleanUpSpaces?: boolean;
}

const EOS_CANDIDATES = ["<|eos|>", "</s>", "<|endoftext|>", "<eos>", "[SEP]", "<|im_end|>"];
const BOS_CANDIDATES = ["<|bos|>", "<s>", "<bos>", "[CLS]", "<|startoftext|>"];
const PAD_CANDIDATES = ["<|pad|>", "<pad>", "[PAD]"];
const SEP_CANDIDATES = ["<|sep|>", "<sep>", "[SEP]"];

function tokenText(spec: TokenSpec): string | undefined {
  if (typeof spec === "string") return spec;
  if (spec && typeof spec === "object" && typeof spec.content === "string") return spec.content;
  return undefined;
}

/**
 * A {@link Tokenizer} over a Hugging Face `tokenizer.json` (+ optional `tokenizer_config.json`).
 *
 * Special ids are resolved from tokenizer_config (`eos_token`, `bos_token`/`cls_token`, `pad_token`,
 * `sep_token`), else from well-known added tokens (`<|eos|>`, `</s>`, `<|endoftext|>`, …), and missing BOS/PAD/SEP
 * fall back to EOS. For GPT-2-style tokenizers, whose only special token is `<|endoftext|>` (id 50256), this
 * gives bosId = eosId = padId = sepId = 50256: padding is masked and never learned, and BOS/SEP then only mark
 * a boundary, which is how GPT-2 itself uses that token.
 */
export class HFTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly sepId: number;
  /** The unknown-token id, if the model has one (word-level and WordPiece models). */
  readonly unkId: number | undefined;
  /** Ids of every special token (dropped by `decode(ids, { skipSpecial: true })`). */
  readonly specialIds: ReadonlySet<number>;
  readonly #core: HFCore;
  readonly #json: TokenizerJson;
  readonly #config: TokenizerConfigJson;
  readonly #addSpecial: boolean;
  readonly #cleanUp: boolean;

  private constructor(json: TokenizerJson, config: TokenizerConfigJson, options: HFTokenizerOptions) {
    this.#json = json;
    this.#config = config;
    this.#addSpecial = options.addSpecialTokens ?? false;
    this.#cleanUp = options.cleanUpSpaces ?? false;
    try {
      this.#core = new HFCore(json, config);
    } catch (cause) {
      throw new MdpError(
        "DQNLM_MDP_TOKENIZER_LOAD",
        `@huggingface/tokenizers could not build a tokenizer from this tokenizer.json (model type ` +
          `${String(json?.model?.type)}): ${(cause as Error).message}`,
        "tokenizer.json",
        cause,
      );
    }
    let max = -1;
    for (const id of this.#core.get_vocab(true).values()) if (id > max) max = id;
    this.vocabSize = max + 1;
    const special = new Set<number>();
    for (const t of json.added_tokens ?? []) if (t.special) special.add(t.id);
    const idOf = (s: string | undefined): number | undefined =>
      s === undefined ? undefined : this.#core.token_to_id(s);
    const resolve = (override: string | undefined, fromConfig: TokenSpec[], candidates: string[]) => {
      if (override !== undefined) {
        const id = idOf(override);
        if (id === undefined)
          throw new MdpError(
            "DQNLM_MDP_TOKENIZER_SPECIAL",
            `special token ${JSON.stringify(override)} is not in the vocabulary; pass a token that exists`,
            "specialTokens",
          );
        return id;
      }
      for (const spec of fromConfig) {
        const id = idOf(tokenText(spec));
        if (id !== undefined) return id;
      }
      for (const c of candidates) {
        const id = idOf(c);
        if (id !== undefined) return id;
      }
      return undefined;
    };
    const o = options.specialTokens ?? {};
    const eos = resolve(o.eos, [config.eos_token, config.sep_token], EOS_CANDIDATES);
    if (eos === undefined)
      throw new MdpError(
        "DQNLM_MDP_TOKENIZER_SPECIAL",
        "cannot find an end-of-sequence token: tokenizer_config.json has no eos_token and none of " +
          `${EOS_CANDIDATES.join(", ")} is in the vocabulary; pass { specialTokens: { eos: "<token>" } }`,
        "eos_token",
      );
    this.eosId = eos;
    this.bosId = resolve(o.bos, [config.bos_token, config.cls_token], BOS_CANDIDATES) ?? eos;
    this.padId = resolve(o.pad, [config.pad_token], PAD_CANDIDATES) ?? eos;
    this.sepId = resolve(o.sep, [config.sep_token], SEP_CANDIDATES) ?? eos;
    this.unkId = idOf(tokenText(config.unk_token)) ?? idOf(tokenText(json.model.unk_token as TokenSpec));
    for (const id of [this.bosId, this.eosId, this.padId, this.sepId]) special.add(id);
    this.specialIds = special;
  }

  /** Builds a tokenizer from parsed `tokenizer.json` and `tokenizer_config.json` objects. */
  static fromJSON(
    tokenizerJson: TokenizerJson,
    tokenizerConfig: TokenizerConfigJson = {},
    options: HFTokenizerOptions = {},
  ): HFTokenizer {
    if (!tokenizerJson || typeof tokenizerJson !== "object" || typeof tokenizerJson.model !== "object")
      throw new MdpError(
        "DQNLM_MDP_TOKENIZER_LOAD",
        `expected a tokenizer.json object with a "model" field, received ${typeof tokenizerJson}`,
        "tokenizer.json",
      );
    return new HFTokenizer(
      {
        added_tokens: [],
        normalizer: null,
        pre_tokenizer: null,
        post_processor: null,
        decoder: null,
        ...tokenizerJson,
      },
      { ...tokenizerConfig },
      options,
    );
  }

  /** Text → ids (no special tokens unless `addSpecialTokens` was set). */
  encode(text: string): Int32Array {
    if (typeof text !== "string")
      throw new MdpError(
        "DQNLM_MDP_BAD_ARGUMENT",
        `encode expects a string, received ${typeof text}`,
        "text",
      );
    if (text.length === 0) return new Int32Array(0);
    return Int32Array.from(this.#core.encode(text, { add_special_tokens: this.#addSpecial }).ids);
  }

  /** Ids → text; ids must be integers in [0, vocabSize). */
  decode(ids: ArrayLike<number>, opts: { skipSpecial?: boolean } = {}): string {
    const arr = new Array<number>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
        throw new MdpError(
          "DQNLM_MDP_TOKEN_OUT_OF_RANGE",
          `ids[${i}] = ${id} is not a token id of this tokenizer (expected an integer in [0, ${this.vocabSize}))`,
          "ids",
        );
      arr[i] = id;
    }
    if (arr.length === 0) return "";
    return this.#core.decode(arr, {
      skip_special_tokens: opts.skipSpecial ?? false,
      clean_up_tokenization_spaces: this.#cleanUp,
    });
  }

  /** The id of a token string, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.#core.token_to_id(token);
  }

  /** The token string of an id, or undefined. */
  idToToken(id: number): string | undefined {
    return this.#core.id_to_token(id);
  }

  /** The parsed `tokenizer.json` and `tokenizer_config.json` this tokenizer was built from. */
  toJSON(): { tokenizer: TokenizerJson; config: TokenizerConfigJson } {
    return { tokenizer: this.#json, config: this.#config };
  }

  /** Writes `tokenizer.json` and `tokenizer_config.json` into `dir` (each atomically). */
  save(dir: string): void {
    writeFileAtomic(join(dir, "tokenizer.json"), JSON.stringify(this.#json));
    writeFileAtomic(join(dir, "tokenizer_config.json"), `${JSON.stringify(this.#config, null, 2)}\n`);
  }
}

/**
 * Loads `dir/tokenizer.json` (and `dir/tokenizer_config.json` when present) from a local folder, e.g. one
 * written by {@link HFTokenizer.save} or downloaded from the Hugging Face Hub.
 *
 * @example
 * const tok = loadTokenizer("models/gpt2");
 * tok.decode(tok.encode("Hello world")); // "Hello world"
 */
export function loadTokenizer(dir: string, options: HFTokenizerOptions = {}): HFTokenizer {
  const readJson = (name: string, required: boolean): unknown => {
    const path = join(dir, name);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (cause) {
      if (!required && (cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new MdpError(
        "DQNLM_MDP_TOKENIZER_LOAD",
        `cannot read ${path}: ${(cause as Error).message}; point loadTokenizer at a folder holding tokenizer.json`,
        name,
        cause,
      );
    }
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new MdpError(
        "DQNLM_MDP_TOKENIZER_LOAD",
        `${path} is not valid JSON: ${(cause as Error).message}`,
        name,
        cause,
      );
    }
  };
  const json = readJson("tokenizer.json", true) as TokenizerJson;
  const config = (readJson("tokenizer_config.json", false) ?? {}) as TokenizerConfigJson;
  return HFTokenizer.fromJSON(json, config, options);
}
