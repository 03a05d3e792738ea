/**
 * mdp benchmarks, each against a baseline measured in the same run (vitest prints the ratios in its summary):
 *
 * 1. Encoding 200 sentences (Multi30k validation, English + German) with a byte-level BPE of 4,096 ids trained
 *    here: `HFTokenizer.encode` (Int32Array out) vs the bare `@huggingface/tokenizers` `Tokenizer.encode` on the
 *    same tokenizer.json (the adapter's overhead), and vs the word-level tokenizer. tokens/s = tokens/op × ops/s
 *    (tokens/op is printed after the run).
 * 2. Training a tokenizer on 20,000 texts: byte-level BPE with vocabSize 4,096 vs word level.
 * 3. BatchTokenMDP: 64 rows × 32 steps with a trivial reward vs a baseline of plain JS arrays.
 *
 * Texts come from ../shared/data/translate; synthetic sentences if it is absent.
 * Run: npx -y pnpm@10 --filter @dqnlm/mdp bench
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Tokenizer as HFCore } from "@huggingface/tokenizers";
import { afterAll, bench, describe } from "vitest";
import { BatchTokenMDP, trainTokenizer } from "../src/index.js";

const dir = fileURLToPath(new URL("../../../../shared/data/translate/", import.meta.url));

function load(split: string, limit: number): string[] {
  const path = `${dir}${split}.jsonl`;
  if (!existsSync(path)) {
    console.warn(`[mdp bench] ${path} not found (../shared is absent): using synthetic sentences instead.`);
    const words = "a man woman dog in on the red blue street is are two with ein eine der die das mit".split(
      " ",
    );
    let s = 7;
    const next = (): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    return Array.from({ length: limit }, () =>
      Array.from({ length: 12 }, () => words[Math.floor(next() * words.length)]).join(" "),
    );
  }
  const out: string[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line === "") continue;
    const r = JSON.parse(line) as { source: string; target: string };
    out.push(r.source, r.target);
    if (out.length >= limit) break;
  }
  return out;
}

const train = load("train", 20_000);
const sentences = load("validation", 200);
const bpe = trainTokenizer(train, { vocabSize: 4096 });
const word = trainTokenizer(train, { vocabSize: 4096, kind: "wordlevel" });
const { tokenizer: json, config } = bpe.toJSON();
const bare = new HFCore(json, config);

let tokensPerOp = 0;
for (const s of sentences) tokensPerOp += bpe.encode(s).length;

describe("encode 200 sentences (byte-level BPE, 4,096 ids)", () => {
  bench("HFTokenizer.encode", () => {
    for (const s of sentences) bpe.encode(s);
  });
  bench("baseline: bare @huggingface/tokenizers encode", () => {
    for (const s of sentences) bare.encode(s, { add_special_tokens: false });
  });
  bench("word level HFTokenizer.encode", () => {
    for (const s of sentences) word.encode(s);
  });
});

describe("train a tokenizer on 20,000 texts", () => {
  bench(
    "byte-level BPE, vocabSize 4096",
    () => {
      trainTokenizer(train, { vocabSize: 4096 });
    },
    { iterations: 3, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
  bench(
    "word level, vocabSize 4096",
    () => {
      trainTokenizer(train, { vocabSize: 4096, kind: "wordlevel" });
    },
    { iterations: 3, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});

const prompts = Array.from({ length: 64 }, (_, i) => [1, 5 + (i % 7), 9]);
const actions = Int32Array.from({ length: 64 }, (_, i) => 10 + i);
const mdp = new BatchTokenMDP({ vocabSize: 4096, eosId: 2, maxNewTokens: 32, stepReward: (g) => g.length });

describe("BatchTokenMDP, 64 rows × 32 steps", () => {
  bench("BatchTokenMDP.step × 32 + episodes()", () => {
    mdp.reset(prompts);
    while (!mdp.allDone) mdp.step(actions);
    mdp.episodes();
  });
  bench("baseline: JS arrays (push, reward, copy out)", () => {
    const rows = prompts.map((p) => ({ tokens: [...p], rewards: [] as number[] }));
    for (let t = 0; t < 32; t++)
      for (let i = 0; i < 64; i++) {
        const r = rows[i] as { tokens: number[]; rewards: number[] };
        r.tokens.push(actions[i] as number);
        r.rewards.push(r.tokens.length - 3);
      }
    rows.map((r) => ({ tokens: Int32Array.from(r.tokens), rewards: Float32Array.from(r.rewards) }));
  });
});

afterAll(() => {
  console.log(
    `\n[mdp bench] encode: ${tokensPerOp} BPE tokens per op (200 sentences); tokens/s = ${tokensPerOp} × ops/s`,
  );
});
