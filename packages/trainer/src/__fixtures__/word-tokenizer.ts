/** A whitespace word tokenizer over a fixed word list (ids 0–3 are pad, bos, eos, sep), for tests. */
import type { Tokenizer } from "@dqnlm/mdp";

export class WordTokenizer implements Tokenizer {
  readonly padId = 0;
  readonly bosId = 1;
  readonly eosId = 2;
  readonly sepId = 3;
  readonly vocabSize: number;
  readonly #words: string[];
  readonly #ids: Map<string, number>;

  constructor(words: readonly string[]) {
    this.#words = ["<pad>", "<bos>", "<eos>", "<sep>", ...words];
    this.#ids = new Map(this.#words.map((w, i) => [w, i]));
    this.vocabSize = this.#words.length;
  }

  encode(text: string): Int32Array {
    return Int32Array.from(
      text
        .split(/\s+/)
        .filter(Boolean)
        .map((w) => {
          const id = this.#ids.get(w);
          if (id === undefined) throw new Error(`unknown word ${w}`);
          return id;
        }),
    );
  }

  decode(ids: ArrayLike<number>, opts: { skipSpecial?: boolean } = {}): string {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (opts.skipSpecial && id < 4) continue;
      out.push(this.#words[id] ?? "<unk>");
    }
    return out.join(" ");
  }
}
