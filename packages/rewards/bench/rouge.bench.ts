/**
 * ROUGE throughput, each against a baseline measured in the same run (vitest prints the ratios in its summary):
 *
 * 1. ROUGE-L, one (prediction, target) pair per operation, so ops/s = sentences/s: `rouge(..., {rougeTypes:
 *    ["rougeL"]})` vs a straightforward implementation (regex tokenizer, string-array LCS with a full 2-D table).
 * 2. Per-step ROUGE-2 (and ROUGE-L) over every prefix of a 30-token hypothesis, one hypothesis per operation:
 *    the incremental scorer (30 pushes) vs rescoring the 30 prefixes with `rouge()`.
 *
 * Texts: arXiv abstracts (first 30 words) vs titles from ../shared/data/summarize; synthetic text if absent.
 * Run: npx -y pnpm@10 --filter @dqnlm/rewards bench
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bench, describe } from "vitest";
import { rouge, rougeLIncremental, rougeNIncremental } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const dataPath = resolve(here, "../../../../shared/data/summarize/validation.jsonl");

function loadPairs(): { hyp: string; ref: string }[] {
  if (existsSync(dataPath)) {
    return readFileSync(dataPath, "utf8")
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as { source: string; target: string })
      .map(({ source, target }) => ({ hyp: source.split(" ").slice(0, 30).join(" "), ref: target }));
  }
  console.warn(
    `[rewards bench] ${dataPath} not found (../shared is absent): using synthetic sentences instead.`,
  );
  const vocab =
    "the a of model learning we show that data on network quantum field energy time results".split(" ");
  let s = 12345;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const sentence = (n: number): string =>
    Array.from({ length: n }, () => vocab[Math.floor(next() * vocab.length)]).join(" ");
  return Array.from({ length: 500 }, () => ({ hyp: sentence(30), ref: sentence(9) }));
}

const pairs = loadPairs();

// ---- the straightforward baseline ------------------------------------------------------------------------------

function naiveTokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .split(/\s+/)
    .filter((t) => t.length > 0);
}

function naiveRougeL(
  prediction: string,
  target: string,
): { precision: number; recall: number; fmeasure: number } {
  const ref = naiveTokenize(target);
  const can = naiveTokenize(prediction);
  if (ref.length === 0 || can.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const table: number[][] = [];
  for (let i = 0; i <= ref.length; i++) table.push(new Array<number>(can.length + 1).fill(0));
  for (let i = 1; i <= ref.length; i++) {
    for (let j = 1; j <= can.length; j++) {
      table[i]![j] =
        ref[i - 1] === can[j - 1]
          ? table[i - 1]![j - 1]! + 1
          : Math.max(table[i - 1]![j]!, table[i]![j - 1]!);
    }
  }
  const lcs = table[ref.length]![can.length]!;
  const precision = lcs / can.length;
  const recall = lcs / ref.length;
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

// sanity: the baseline computes the same numbers (no stemming), so the comparison is like for like
for (const { hyp, ref } of pairs.slice(0, 50)) {
  if (naiveRougeL(hyp, ref).fmeasure !== rouge(hyp, ref, { rougeTypes: ["rougeL"] }).rougeL.fmeasure) {
    throw new Error(`bench baseline disagrees with rouge() on ${JSON.stringify(hyp)}`);
  }
}

let sink = 0;
let k = 0;
const nextPair = (): { hyp: string; ref: string } => pairs[k++ % pairs.length]!;

describe("ROUGE-L, one sentence pair per op (ops/s = sentences/s)", () => {
  bench("rouge() rougeL", () => {
    const { hyp, ref } = nextPair();
    sink += rouge(hyp, ref, { rougeTypes: ["rougeL"] }).rougeL.fmeasure;
  });
  bench("naive baseline (regex tokens, 2-D string LCS table)", () => {
    const { hyp, ref } = nextPair();
    sink += naiveRougeL(hyp, ref).fmeasure;
  });
});

/** Word pieces of a 30-token hypothesis, as a decoder emits them. */
const pieceLists = pairs.map(({ hyp }) => hyp.split(" ").map((w, i) => (i === 0 ? w : ` ${w}`)));

describe("per-step ROUGE-2 over all prefixes of a 30-token hypothesis (one hypothesis per op)", () => {
  bench("incremental rougeNIncremental (30 pushes)", () => {
    const i = k++ % pairs.length;
    const scorer = rougeNIncremental([pairs[i]!.ref], { n: 2 });
    for (const p of pieceLists[i]!) sink += scorer.push(p);
  });
  bench("rescoring every prefix with rouge()", () => {
    const i = k++ % pairs.length;
    const ref = pairs[i]!.ref;
    let text = "";
    for (const p of pieceLists[i]!) {
      text += p;
      sink += rouge(text, ref, { rougeTypes: ["rouge2"] }).rouge2.fmeasure;
    }
  });
});

describe("per-step ROUGE-L over all prefixes of a 30-token hypothesis (one hypothesis per op)", () => {
  bench("incremental rougeLIncremental (30 pushes)", () => {
    const i = k++ % pairs.length;
    const scorer = rougeLIncremental([pairs[i]!.ref]);
    for (const p of pieceLists[i]!) sink += scorer.push(p);
  });
  bench("rescoring every prefix with rouge()", () => {
    const i = k++ % pairs.length;
    const ref = pairs[i]!.ref;
    let text = "";
    for (const p of pieceLists[i]!) {
      text += p;
      sink += rouge(text, ref, { rougeTypes: ["rougeL"] }).rougeL.fmeasure;
    }
  });
});

// keep the results observable so nothing is optimised away
process.on("exit", () => {
  if (Number.isNaN(sink)) console.log("unreachable");
});
