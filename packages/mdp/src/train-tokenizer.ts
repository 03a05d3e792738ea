/**
 * Trains a small tokenizer from a corpus and returns it as an {@link HFTokenizer} whose `tokenizer.json` any
 * Hugging Face loader reads.
 *
 * Why our own trainer: the napi `tokenizers` package (0.23) trains offline but its Node API exposes no trainer
 * options (vocabulary size, special tokens, min frequency) and it is native code; the pure-JS
 * `@huggingface/tokenizers` only encodes. The trainer below is the textbook byte-level BPE of GPT-2 (count
 * pre-tokens, repeatedly merge the most frequent adjacent pair, with incremental pair counts and a lazy max-heap),
 * and it pre-tokenizes with the very regex and byte map of the `@huggingface/tokenizers` ByteLevel pre-tokenizer
 * that will later encode, so training and encoding split text identically.
 */
import { Tokenizer as HFCore } from "@huggingface/tokenizers";
import { check, MdpError } from "./errors.js";
import { HFTokenizer, type TokenizerConfigJson, type TokenizerJson } from "./tokenizer.js";

/** Options of {@link trainTokenizer}. */
export interface TrainTokenizerOptions {
  /** Total vocabulary size, special tokens included. Training stops earlier if no pair reaches `minFrequency`. */
  vocabSize: number;
  /**
   * `"bpe"`: byte-level BPE (GPT-2 style; exact round trip for any text, no unknown token).
   * `"wordlevel"`: whole words and punctuation marks, the `vocabSize` most frequent, others → unk (not exact).
   * @default "bpe"
   */
  kind?: "bpe" | "wordlevel";
  /** Special token strings; they get ids 0.. in the order pad, bos, eos, sep (then unk for word level). @default { pad: "<|pad|>", bos: "<|bos|>", eos: "<|eos|>", sep: "<|sep|>", unk: "<|unk|>" } */
  specialTokens?: { pad?: string; bos?: string; eos?: string; sep?: string; unk?: string };
  /** More special tokens, given ids right after the four (five) above. @default [] */
  additionalSpecialTokens?: readonly string[];
  /** Lower-case text before tokenizing (adds a Lowercase normalizer: upper case is then lost in decode). @default false */
  lowercase?: boolean;
  /** A merge (BPE) or word (word level) needs at least this many occurrences to enter the vocabulary. @default 2 */
  minFrequency?: number;
}

const DEFAULT_SPECIALS = { pad: "<|pad|>", bos: "<|bos|>", eos: "<|eos|>", sep: "<|sep|>", unk: "<|unk|>" };

/**
 * Trains a byte-level BPE or word-level tokenizer on `texts`.
 *
 * @example
 * const tok = trainTokenizer(["a cat sat", "a cat ran"], { vocabSize: 300 });
 * tok.decode(tok.encode("a cat sat")); // "a cat sat"
 * tok.save("models/tiny");             // tokenizer.json + tokenizer_config.json
 */
export function trainTokenizer(texts: Iterable<string>, options: TrainTokenizerOptions): HFTokenizer {
  const kind = options.kind ?? "bpe";
  const minFrequency = options.minFrequency ?? 2;
  check(kind === "bpe" || kind === "wordlevel", "DQNLM_MDP_BAD_OPTION", "kind", () => {
    return `kind must be "bpe" or "wordlevel", received ${JSON.stringify(kind)}`;
  });
  check(
    Number.isInteger(minFrequency) && minFrequency >= 1,
    "DQNLM_MDP_BAD_OPTION",
    "minFrequency",
    () => `minFrequency must be an integer ≥ 1, received ${minFrequency}`,
  );
  const sp = { ...DEFAULT_SPECIALS, ...options.specialTokens };
  const specials = [sp.pad, sp.bos, sp.eos, sp.sep];
  if (kind === "wordlevel") specials.push(sp.unk);
  for (const s of options.additionalSpecialTokens ?? []) specials.push(s);
  check(
    new Set(specials).size === specials.length &&
      specials.every((s) => typeof s === "string" && s.length > 0),
    "DQNLM_MDP_BAD_OPTION",
    "specialTokens",
    () => `special tokens must be distinct non-empty strings, received ${JSON.stringify(specials)}`,
  );
  const minVocab = specials.length + (kind === "bpe" ? 256 : 1);
  check(
    Number.isInteger(options.vocabSize) && options.vocabSize >= minVocab && options.vocabSize <= 1 << 20,
    "DQNLM_MDP_BAD_OPTION",
    "vocabSize",
    () =>
      `vocabSize must be an integer in [${minVocab}, 2^20] for ${kind} (` +
      `${kind === "bpe" ? "256 byte symbols + " : "1 word + "}${specials.length} special tokens), ` +
      `received ${options.vocabSize}`,
  );
  const lowercase = options.lowercase ?? false;
  const normalizer = lowercase ? ({ type: "Lowercase" } as const) : null;
  const addedTokens = specials.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const config: TokenizerConfigJson = {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: sp.bos,
    eos_token: sp.eos,
    pad_token: sp.pad,
    sep_token: sp.sep,
    ...(kind === "wordlevel" ? { unk_token: sp.unk } : {}),
    additional_special_tokens: [...(options.additionalSpecialTokens ?? [])],
    clean_up_tokenization_spaces: false,
    add_prefix_space: false,
    do_lower_case: lowercase,
  };
  let json: TokenizerJson;
  if (kind === "bpe") {
    const byteLevel = {
      type: "ByteLevel",
      add_prefix_space: false,
      trim_offsets: true,
      use_regex: true,
    } as const;
    // The library's own normalizer and pre-tokenizer, built from the same config the result will carry.
    const core = new HFCore(
      {
        added_tokens: [],
        normalizer,
        pre_tokenizer: byteLevel,
        post_processor: null,
        decoder: null,
        model: { type: "BPE", vocab: {}, merges: [] },
      },
      {},
    );
    const norm = core.normalizer;
    const pre = core.pre_tokenizer as unknown as Partial<ByteLevelInternals> | null;
    if (!(pre?.pattern instanceof RegExp) || typeof pre.byte_encoder !== "object")
      throw new MdpError(
        "DQNLM_MDP_TOKENIZER_TRAIN",
        "this version of @huggingface/tokenizers no longer exposes the ByteLevel pattern/byte_encoder the " +
          "trainer relies on; pin @huggingface/tokenizers to ^0.2",
        "kind",
      );
    const counts = new Map<string, number>();
    for (const raw of texts) {
      const text = norm ? norm.normalize(raw) : raw;
      const pieces = text.match(pre.pattern);
      if (pieces === null) continue;
      for (const p of pieces) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    const { vocab, merges } = trainBpe(
      counts,
      pre as ByteLevelInternals,
      specials,
      options.vocabSize,
      minFrequency,
    );
    json = {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: addedTokens,
      normalizer,
      pre_tokenizer: byteLevel,
      post_processor: null,
      decoder: byteLevel,
      model: {
        type: "BPE",
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab,
        merges,
      },
    };
  } else {
    const preConfig = {
      type: "Sequence",
      pretokenizers: [{ type: "WhitespaceSplit" }, { type: "Punctuation", behavior: "Contiguous" }],
    } as const;
    const core = new HFCore(
      {
        added_tokens: [],
        normalizer,
        pre_tokenizer: preConfig,
        post_processor: null,
        decoder: null,
        model: { type: "WordLevel", vocab: { [sp.unk]: 0 }, unk_token: sp.unk },
      },
      { unk_token: sp.unk },
    );
    const norm = core.normalizer;
    const pre = core.pre_tokenizer;
    const counts = new Map<string, number>();
    for (const raw of texts) {
      const text = norm ? norm.normalize(raw) : raw;
      const pieces = pre ? pre.pre_tokenize_text(text) : [text];
      for (const p of pieces) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    const words = [...counts.entries()]
      .filter(([w, c]) => c >= minFrequency && !specials.includes(w))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, options.vocabSize - specials.length);
    const vocab: Record<string, number> = {};
    specials.forEach((s, i) => {
      vocab[s] = i;
    });
    words.forEach(([w], i) => {
      vocab[w] = specials.length + i;
    });
    json = {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: addedTokens,
      normalizer,
      pre_tokenizer: preConfig,
      post_processor: null,
      decoder: null,
      model: { type: "WordLevel", vocab, unk_token: sp.unk },
    };
  }
  return HFTokenizer.fromJSON(json, config);
}

/** A max-heap of (count, pair key) with deterministic tie-breaking on the smaller key. */
class PairHeap {
  readonly #count: number[] = [];
  readonly #key: number[] = [];
  get length(): number {
    return this.#count.length;
  }
  #above(i: number, j: number): boolean {
    const ci = this.#count[i] as number;
    const cj = this.#count[j] as number;
    return ci > cj || (ci === cj && (this.#key[i] as number) < (this.#key[j] as number));
  }
  #swap(i: number, j: number): void {
    const c = this.#count[i] as number;
    this.#count[i] = this.#count[j] as number;
    this.#count[j] = c;
    const k = this.#key[i] as number;
    this.#key[i] = this.#key[j] as number;
    this.#key[j] = k;
  }
  push(count: number, key: number): void {
    this.#count.push(count);
    this.#key.push(key);
    let i = this.#count.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#above(i, p)) break;
      this.#swap(i, p);
      i = p;
    }
  }
  topCount(): number {
    return this.#count[0] as number;
  }
  topKey(): number {
    return this.#key[0] as number;
  }
  pop(): void {
    const last = this.#count.length - 1;
    this.#swap(0, last);
    this.#count.pop();
    this.#key.pop();
    let i = 0;
    const n = this.#count.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#above(l, m)) m = l;
      if (r < n && this.#above(r, m)) m = r;
      if (m === i) break;
      this.#swap(i, m);
      i = m;
    }
  }
}

/** The two fields of the library's ByteLevel pre-tokenizer that training reuses. */
interface ByteLevelInternals {
  pattern: RegExp;
  byte_encoder: Record<number, string>;
}

const KEY = 2 ** 21; // pair key = a * KEY + b, ids < 2^20

function trainBpe(
  counts: Map<string, number>,
  pre: ByteLevelInternals,
  specials: readonly string[],
  vocabSize: number,
  minFrequency: number,
): { vocab: Record<string, number>; merges: [string, string][] } {
  const strs: string[] = [...specials];
  const idOf = new Map<string, number>();
  specials.forEach((s, i) => {
    idOf.set(s, i);
  });
  // The 256 byte symbols, in byte order, so every text is encodable.
  for (let b = 0; b < 256; b++) {
    const ch = pre.byte_encoder[b];
    if (ch === undefined || idOf.has(ch))
      throw new MdpError(
        "DQNLM_MDP_TOKENIZER_TRAIN",
        `byte ${b} has no distinct byte-level symbol (or a special token collides with it)`,
        "specialTokens",
      );
    idOf.set(ch, strs.length);
    strs.push(ch);
  }
  // Unique pre-tokens → byte-symbol id sequences.
  const encoder = new TextEncoder();
  const words: Int32Array[] = [];
  const freqs: number[] = [];
  for (const [piece, c] of counts) {
    const bytes = encoder.encode(piece);
    const w = new Int32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++)
      w[i] = idOf.get(pre.byte_encoder[bytes[i] as number] as string) as number;
    words.push(w);
    freqs.push(c);
  }
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  for (let wi = 0; wi < words.length; wi++) {
    const w = words[wi] as Int32Array;
    const f = freqs[wi] as number;
    for (let i = 0; i + 1 < w.length; i++) {
      const key = (w[i] as number) * KEY + (w[i + 1] as number);
      pairCount.set(key, (pairCount.get(key) ?? 0) + f);
      const list = pairWords.get(key);
      if (list === undefined) pairWords.set(key, [wi]);
      else if (list[list.length - 1] !== wi) list.push(wi);
    }
  }
  const heap = new PairHeap();
  for (const [key, c] of pairCount) heap.push(c, key);
  const merges: [string, string][] = [];
  const stamp = new Int32Array(words.length);
  let round = 0;
  const changed = new Set<number>();
  while (strs.length < vocabSize && heap.length > 0) {
    const key = heap.topKey();
    const hc = heap.topCount();
    heap.pop();
    const cur = pairCount.get(key) ?? 0;
    if (cur !== hc) {
      if (cur > 0) heap.push(cur, key); // stale entry: re-queue with the live count
      continue;
    }
    if (cur < minFrequency) break;
    const a = Math.floor(key / KEY);
    const b = key - a * KEY;
    const sa = strs[a] as string;
    const sb = strs[b] as string;
    // Two merge paths can spell the same string ("ab"+"c", "a"+"bc"): reuse its id, as the Rust trainer does.
    let id = idOf.get(sa + sb);
    if (id === undefined) {
      id = strs.length;
      strs.push(sa + sb);
      idOf.set(sa + sb, id);
    }
    merges.push([sa, sb]);
    round++;
    changed.clear();
    const list = pairWords.get(key) ?? [];
    pairWords.delete(key);
    for (const wi of list) {
      if (stamp[wi] === round) continue;
      stamp[wi] = round;
      const w = words[wi] as Int32Array;
      const f = freqs[wi] as number;
      // Merge left to right, non-overlapping, as BPE encoding does.
      let found = false;
      for (let i = 0; i + 1 < w.length; i++)
        if (w[i] === a && w[i + 1] === b) {
          found = true;
          break;
        }
      if (!found) continue;
      for (let i = 0; i + 1 < w.length; i++) {
        const k = (w[i] as number) * KEY + (w[i + 1] as number);
        pairCount.set(k, (pairCount.get(k) ?? 0) - f);
        changed.add(k);
      }
      const out = new Int32Array(w.length);
      let n = 0;
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
          out[n++] = id;
          i++;
        } else out[n++] = w[i] as number;
      }
      const nw = out.slice(0, n);
      words[wi] = nw;
      for (let i = 0; i + 1 < n; i++) {
        const x = nw[i] as number;
        const y = nw[i + 1] as number;
        const k = x * KEY + y;
        pairCount.set(k, (pairCount.get(k) ?? 0) + f);
        changed.add(k);
        if (x === id || y === id) {
          const l = pairWords.get(k);
          if (l === undefined) pairWords.set(k, [wi]);
          else if (l[l.length - 1] !== wi) l.push(wi);
        }
      }
    }
    pairCount.delete(key);
    changed.delete(key);
    for (const k of changed) {
      const c = pairCount.get(k) ?? 0;
      if (c <= 0) pairCount.delete(k);
      else heap.push(c, k);
    }
  }
  const vocab: Record<string, number> = {};
  strs.forEach((s, i) => {
    vocab[s] = i;
  });
  return { vocab, merges };
}
