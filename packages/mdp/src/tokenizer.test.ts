import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { HFTokenizer, loadTokenizer, MdpError, type TokenizerJson, trainTokenizer } from "./index.js";

// The repo root's sibling ../shared (this file is packages/mdp/src/…).
const DATA = fileURLToPath(new URL("../../../../shared/data", import.meta.url));
const hasData = existsSync(DATA);
if (!hasData) console.warn(`[mdp] ${DATA} is absent: the round-trip tests on real texts are SKIPPED`);

/** Texts of one task split: every string field a model reads or writes. */
function texts(task: string, split: string, limit: number): string[] {
  const out: string[] = [];
  const lines = readFileSync(join(DATA, task, `${split}.jsonl`), "utf8").split("\n");
  for (const line of lines) {
    if (line.trim() === "") continue;
    const r = JSON.parse(line) as Record<string, unknown>;
    for (const k of ["source", "target", "context", "question", "response"])
      if (typeof r[k] === "string") out.push(r[k] as string);
    for (const k of ["history", "answers"])
      if (Array.isArray(r[k])) for (const x of r[k] as unknown[]) if (typeof x === "string") out.push(x);
    if (out.length >= limit) break;
  }
  return out.slice(0, limit);
}

/** Hugging Face's Rust tokenizers (napi, a devDependency) as an independent reader of our tokenizer.json. */
interface RustTokenizer {
  encode(s: string, pair: null, o: { addSpecialTokens: boolean }): Promise<{ getIds(): number[] }>;
  getVocabSize(withAdded: boolean): number;
}
let Rust: { fromFile(path: string): RustTokenizer } | undefined;
try {
  Rust = (createRequire(import.meta.url)("tokenizers") as { Tokenizer: typeof Rust }).Tokenizer;
} catch (e) {
  console.warn(
    `[mdp] the napi 'tokenizers' package does not load here (${(e as Error).message}): cross-check SKIPPED`,
  );
}

function errorOf(fn: () => unknown): MdpError {
  try {
    fn();
  } catch (e) {
    return e as MdpError;
  }
  throw new Error("expected a throw");
}

const CORPUS = [
  "A man in a blue shirt is standing on a ladder.",
  "Two young, White males are outside near many bushes.",
  "Ein Mann in einem blauen Hemd steht auf einer Leiter.",
  "Zwei junge weiße Männer sind im Freien in der Nähe vieler Büsche.",
  "What's the weather like in Mountain View? It's 72°F — sunny 🌞.",
];

describe("trainTokenizer (byte-level BPE)", () => {
  const tok = trainTokenizer(Array.from({ length: 20 }, () => CORPUS).flat(), { vocabSize: 400 });

  test("special ids are 0..3 in the order pad, bos, eos, sep; vocabulary is exactly vocabSize", () => {
    expect([tok.padId, tok.bosId, tok.eosId, tok.sepId]).toEqual([0, 1, 2, 3]);
    expect(tok.vocabSize).toBe(400);
    expect(tok.idToToken(2)).toBe("<|eos|>");
  });

  test("exact round trip, including unseen characters (no unknown token)", () => {
    for (const s of [...CORPUS, "  leading and  double spaces ", "tabs\tand\nnewlines", "日本語 ü ß ½", ""])
      expect(tok.decode(tok.encode(s))).toBe(s);
  });

  test("merges shorten frequent text: well under one token per byte", () => {
    const s = CORPUS[0] as string;
    expect(tok.encode(s).length).toBeLessThan(s.length / 2);
  });

  test("special tokens in text become their ids; skipSpecial drops them", () => {
    const ids = tok.encode("<|bos|>hello<|eos|>");
    expect(ids[0]).toBe(1);
    expect(ids[ids.length - 1]).toBe(2);
    expect(tok.decode([1, ...tok.encode("hi there"), 2, 0, 0])).toBe("<|bos|>hi there<|eos|><|pad|><|pad|>");
    expect(tok.decode([1, ...tok.encode("hi there"), 2, 0, 0], { skipSpecial: true })).toBe("hi there");
  });

  test("save → loadTokenizer gives the same encoding", () => {
    const dir = mkdtempSync(join(tmpdir(), "dqnlm-tok-"));
    tok.save(dir);
    const again = loadTokenizer(dir);
    for (const s of CORPUS) expect(Array.from(again.encode(s))).toEqual(Array.from(tok.encode(s)));
    expect([again.padId, again.bosId, again.eosId, again.sepId, again.vocabSize]).toEqual([0, 1, 2, 3, 400]);
    const cfg = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
    expect(cfg.clean_up_tokenization_spaces).toBe(false);
  });

  test("lowercase: the only normalisation, it loses upper case", () => {
    const lc = trainTokenizer(CORPUS, { vocabSize: 300, lowercase: true });
    expect(lc.decode(lc.encode("A Man, ÄÖÜ"))).toBe("a man, äöü");
  });

  test("bad options and ids throw typed errors", () => {
    expect(errorOf(() => trainTokenizer(CORPUS, { vocabSize: 100 })).field).toBe("vocabSize");
    expect(errorOf(() => trainTokenizer(CORPUS, { vocabSize: 300, minFrequency: 0 })).field).toBe(
      "minFrequency",
    );
    expect(
      errorOf(() => trainTokenizer(CORPUS, { vocabSize: 300, specialTokens: { pad: "<x>", bos: "<x>" } }))
        .field,
    ).toBe("specialTokens");
    const e = errorOf(() => tok.decode([5, 400]));
    expect(e).toBeInstanceOf(MdpError);
    expect(e.code).toBe("DQNLM_MDP_TOKEN_OUT_OF_RANGE");
  });
});

describe("trainTokenizer (word level)", () => {
  // 5 specials + 47 distinct words/marks in CORPUS; vocabSize 40 keeps the 35 most frequent (ties by string).
  const tok = trainTokenizer(CORPUS, { vocabSize: 40, kind: "wordlevel", minFrequency: 1 });
  const full = trainTokenizer(CORPUS, { vocabSize: 100, kind: "wordlevel", minFrequency: 1 });

  test("frequent words and punctuation are tokens; others map to unk", () => {
    expect(tok.unkId).toBe(4);
    expect(tok.vocabSize).toBe(40);
    const ids = tok.encode("a man in zzz .");
    expect(ids[3]).toBe(4);
    expect(ids.length).toBe(5);
  });

  test("round trip normalises whitespace: words joined by single spaces, punctuation split off", () => {
    expect(full.decode(full.encode("A man  in a blue shirt."))).toBe("A man in a blue shirt .");
    expect(full.vocabSize).toBeLessThan(100); // stops when the corpus runs out of words
  });
});

describe("HFTokenizer special-id resolution", () => {
  /** A GPT-2-shaped tokenizer.json: byte-level BPE whose only special token is <|endoftext|>. */
  function gpt2Like(): TokenizerJson {
    const base = trainTokenizer(CORPUS, { vocabSize: 300 }).toJSON().tokenizer;
    const vocab: Record<string, number> = {};
    let next = 0;
    for (const [k] of Object.entries(base.model.vocab as Record<string, number>).sort((a, b) => a[1] - b[1]))
      if (!k.startsWith("<|")) vocab[k] = next++;
    vocab["<|endoftext|>"] = next;
    return {
      ...base,
      added_tokens: [{ id: next, content: "<|endoftext|>", special: true, normalized: true }],
      model: { ...base.model, vocab },
    };
  }

  test("GPT-2 style: one <|endoftext|> serves as BOS, EOS, PAD and SEP", () => {
    const json = gpt2Like();
    const eot = (json.model.vocab as Record<string, number>)["<|endoftext|>"];
    const tok = HFTokenizer.fromJSON(json, { bos_token: "<|endoftext|>", eos_token: "<|endoftext|>" });
    expect([tok.bosId, tok.eosId, tok.padId, tok.sepId]).toEqual([eot, eot, eot, eot]);
    expect(tok.vocabSize).toBe((eot as number) + 1);
    // No tokenizer_config at all: found among the well-known names.
    expect(HFTokenizer.fromJSON(json).eosId).toBe(eot);
  });

  test("config tokens may be AddedToken objects; overrides win; a missing EOS is a typed error", () => {
    const json = gpt2Like();
    const tok = HFTokenizer.fromJSON(json, { eos_token: { content: "<|endoftext|>" } as unknown as string });
    expect(tok.eosId).toBe(tok.tokenToId("<|endoftext|>"));
    const o = HFTokenizer.fromJSON(json, {}, { specialTokens: { pad: "a" } });
    expect(o.padId).toBe(o.tokenToId("a"));
    const noEos = { ...json, added_tokens: [] };
    delete (noEos.model.vocab as Record<string, number>)["<|endoftext|>"];
    expect(errorOf(() => HFTokenizer.fromJSON(noEos)).code).toBe("DQNLM_MDP_TOKENIZER_SPECIAL");
  });

  test("loadTokenizer: missing folder and invalid JSON are typed errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "dqnlm-tok-"));
    expect(errorOf(() => loadTokenizer(dir)).code).toBe("DQNLM_MDP_TOKENIZER_LOAD");
    writeFileSync(join(dir, "tokenizer.json"), "{ not json");
    expect(errorOf(() => loadTokenizer(dir)).field).toBe("tokenizer.json");
  });
});

describe.skipIf(Rust === undefined)(
  "tokenizer.json is read identically by Hugging Face's Rust tokenizers",
  () => {
    const probes = [...CORPUS, "unseen Ünïcödé words!!", "a.b,c;d:e?!f—g (x).", "  spaces\tand\ttabs  "];
    test.each(["bpe", "wordlevel"] as const)(
      "%s: same ids from the Rust and the JS implementation",
      async (kind) => {
        const tok = trainTokenizer(Array.from({ length: 20 }, () => CORPUS).flat(), {
          vocabSize: kind === "bpe" ? 330 : 40,
          kind,
          minFrequency: 1,
        });
        const dir = mkdtempSync(join(tmpdir(), "dqnlm-tok-"));
        tok.save(dir);
        const rust = (Rust as { fromFile(path: string): RustTokenizer }).fromFile(
          join(dir, "tokenizer.json"),
        );
        expect(rust.getVocabSize(true)).toBe(tok.vocabSize);
        for (const s of probes) {
          const ids = (await rust.encode(s, null, { addSpecialTokens: false })).getIds();
          expect(ids, s).toEqual(Array.from(tok.encode(s)));
        }
      },
    );
  },
);

describe.skipIf(!hasData)("round trip on the real task texts in ../shared/data", () => {
  // Train on 4,000 training texts per task, then check decode(encode(x)) === x on held-out validation texts.
  test.each(["summarize", "translate", "qa", "dialogue"])("%s: byte-level BPE is exact", (task) => {
    const tok = trainTokenizer(texts(task, "train", 4000), { vocabSize: 2048 });
    const held = texts(task, "validation", 1500);
    expect(held.length).toBeGreaterThan(500);
    let tokens = 0;
    let chars = 0;
    const bad: string[] = [];
    for (const s of held) {
      const ids = tok.encode(s);
      tokens += ids.length;
      chars += s.length;
      if (tok.decode(ids) !== s) bad.push(s);
    }
    expect(bad).toEqual([]);
    // A 2k vocabulary compresses English/German prose to well under 0.5 tokens per character.
    expect(tokens / chars).toBeLessThan(0.5);
  });

  test("word level with lowercase is not exact: it changes case and spacing (by design)", () => {
    const tok = trainTokenizer(texts("translate", "train", 4000), {
      vocabSize: 3000,
      kind: "wordlevel",
      lowercase: true,
    });
    const s = "A man in a blue shirt is standing on a ladder.";
    expect(tok.decode(tok.encode(s))).toBe("a man in a blue shirt is standing on a ladder .");
  });
});
