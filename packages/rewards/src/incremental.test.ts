import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  type BleuOptions,
  bleuIncremental,
  type ChrfOptions,
  chrfIncremental,
  sentenceBleu,
  sentenceChrf,
} from "./index.js";

const DATA = fileURLToPath(new URL("../../../../shared/data/translate/test.jsonl", import.meta.url));
const hasData = existsSync(DATA);
if (!hasData)
  console.warn(
    `[rewards] SKIPPING incremental tests on real sentences: ${DATA} not found (../shared absent).`,
  );

/** mulberry32: a tiny seeded PRNG so the piece boundaries are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `text` into pieces of 1–6 UTF-16 code units (so pieces start mid-word, mid-space-run, even mid-emoji). */
function pieces(text: string, rand: () => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(rand() * 6);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

/** Word-level pieces like a subword model's: " word" with the space attached to the next piece. */
function wordPieces(text: string): string[] {
  return text.split(/(?= )/u);
}

function checkBleu(hyp: string, refs: string[], opts: BleuOptions, splits: string[][]): number {
  let checked = 0;
  for (const ps of splits) {
    const inc = bleuIncremental(refs, opts);
    expect(inc.score).toBe(sentenceBleu("", refs, opts).score);
    let text = "";
    for (const p of ps) {
      text += p;
      const got = inc.push(p);
      const want = sentenceBleu(text, refs, opts).score;
      if (got !== want)
        throw new Error(`BLEU ${JSON.stringify(opts)} prefix ${JSON.stringify(text)}: ${got} ≠ ${want}`);
      checked++;
    }
    expect(text).toBe(hyp);
  }
  return checked;
}

function checkChrf(hyp: string, refs: string[], opts: ChrfOptions, splits: string[][]): number {
  let checked = 0;
  for (const ps of splits) {
    const inc = chrfIncremental(refs, opts);
    let text = "";
    for (const p of ps) {
      text += p;
      const got = inc.push(p);
      const want = sentenceChrf(text, refs, opts).score;
      if (got !== want)
        throw new Error(`chrF ${JSON.stringify(opts)} prefix ${JSON.stringify(text)}: ${got} ≠ ${want}`);
      checked++;
    }
    expect(text).toBe(hyp);
  }
  return checked;
}

const BLEU_CONFIGS: BleuOptions[] = [
  {},
  { lowercase: true },
  { tokenize: "intl" },
  { tokenize: "zh" },
  { tokenize: "zh", lowercase: true },
  { tokenize: "char" },
  { tokenize: "none", smoothMethod: "floor" },
  { effectiveOrder: false, smoothMethod: "add-k" },
  { maxNgramOrder: 2, smoothMethod: "none" },
];
const CHRF_CONFIGS: ChrfOptions[] = [
  {},
  { wordOrder: 2 },
  { wordOrder: 2, lowercase: true },
  { whitespace: true },
  { epsSmoothing: true, wordOrder: 1 },
  { charOrder: 4, beta: 1 },
];

/** Strings aimed at every place where the tail of a line can change its tokenization. */
const TRICKY: [string, string[]][] = [
  ["Es kostet 5.  Oder .5 , oder 3,5-4 Euro.", ["Es kostet 5. Oder .5, oder 3,5-4 Euro."]],
  [
    "Satz -\nfortgesetzt &amp; mehr &quot;Text&quot; <skipped> hier-\n",
    ['Satz fortgesetzt & mehr "Text" hier-'],
  ],
  ["ΟΔΟΣ ΣΟΦΟΣ' Σ. ΑΣ", ["οδος σοφος σ. ας"]],
  ["Emoji 😀😀 und 中文，测试。“引号” — Ende… €5 ½", ["Emoji 😀 und 中文 测试 引号 Ende €5"]],
  [
    "  führende\u00a0Leerzeichen\u2009und\x1cTrenner\ufeffBOM\t\n  ",
    ["führende Leerzeichen und Trenner BOM"],
  ],
  ["(hi) [x], {y}; z! 10.000,5 a.b.c", ["(hi) x, y; z! 10.000,5 a.b.c"]],
  ["-\n 5. Wort-\n  weiter", ["5. Wortweiter"]],
  // Unsegmented Chinese: zh cuts after every Chinese character; with lowercasing not after cased ones (Ⅰ, Ⓐ).
  ["我爱北京天安门。ΣⅠΣ好ⒶΣ5.5元“引号”K中", ["我爱北京天安门。σⅰς好ⓐσ5.5元 引号 k中"]],
];

describe("bleuIncremental / chrfIncremental equal rescoring every prefix", () => {
  it("on tricky strings, every piece boundary, every config", () => {
    let n = 0;
    for (const [hyp, refs] of TRICKY) {
      const rand = rng(7);
      const splits = [Array.from(hyp), pieces(hyp, rand), pieces(hyp, rand), wordPieces(hyp), hyp.split("")];
      for (const o of BLEU_CONFIGS) n += checkBleu(hyp, refs, o, splits);
      for (const o of CHRF_CONFIGS) n += checkChrf(hyp, refs, o, splits);
    }
    expect(n).toBeGreaterThan(3000);
  });

  it("reset() returns to the empty hypothesis", () => {
    const refs = ["Ein Hund läuft."];
    const b = bleuIncremental(refs);
    b.push("Ein Hund");
    b.reset();
    expect(b.score).toBe(0);
    // exp(log(100)) is 100.00000000000004 in sacreBLEU too (the reference vectors contain that value).
    expect(b.push("Ein Hund läuft.")).toBe(sentenceBleu("Ein Hund läuft.", refs).score);
    expect(b.score).toBeCloseTo(100, 9);
    const c = chrfIncremental(refs, { wordOrder: 2 });
    c.push("xyz");
    c.reset();
    expect(c.push("Ein Hund läuft.")).toBeCloseTo(100, 9);
    expect(c.push("")).toBe(c.score);
  });

  describe.skipIf(!hasData)("on real Multi30k sentences (shared/data/translate)", () => {
    const rows = hasData
      ? readFileSync(DATA, "utf8")
          .trim()
          .split("\n")
          .slice(0, 40)
          .map((l) => JSON.parse(l) as { source: string; target: string })
      : [];
    it("BLEU and chrF, many prefixes", () => {
      const rand = rng(2026);
      let n = 0;
      rows.forEach((row, i) => {
        const other = rows[(i + 1) % rows.length] as { target: string };
        // A hypothesis that shares much with the reference: the reference with a few words swapped in from another.
        const words = row.target.split(" ");
        const swapIn = other.target.split(" ");
        const hyp = words
          .map((w, k) => (rand() < 0.25 ? (swapIn[k % swapIn.length] as string) : w))
          .join(" ");
        const refs = i % 3 === 0 ? [row.target, other.target] : [row.target];
        const splits = [wordPieces(hyp), pieces(hyp, rand)];
        const bo = BLEU_CONFIGS[i % BLEU_CONFIGS.length] as BleuOptions;
        const co = CHRF_CONFIGS[i % CHRF_CONFIGS.length] as ChrfOptions;
        n += checkBleu(hyp, refs, bo, splits);
        n += checkChrf(hyp, refs, co, splits);
      });
      expect(n).toBeGreaterThan(2000);
    });
  });
});
