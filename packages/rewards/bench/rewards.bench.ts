/**
 * BLEU / chrF throughput against baselines measured in the same run, on the same inputs:
 *
 * 1. sentence BLEU and sentence chrF, sentences/second: this package vs a straightforward implementation
 *    (`Map<string, number>` of joined n-gram strings rebuilt on every call, the regex 13a tokenizer) that returns
 *    the same numbers (checked before timing).
 * 2. per-token scoring of 30-token hypotheses: the incremental scorer (30 pushes) vs rescoring every prefix
 *    with `sentenceBleu` / `sentenceChrf` (30 calls), one hypothesis per operation.
 *
 * Texts: Multi30k German captions from ../shared/data/translate (perturbed reference = hypothesis); synthetic
 * text if absent. A table of rates and ratios is printed at the end.
 * Run: npx -y pnpm@10 --filter @dqnlm/rewards bench
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, bench, describe } from "vitest";
import { bleuIncremental, chrfIncremental, sentenceBleu, sentenceChrf } from "../src/index.js";
import { tokenize13aRegexp } from "../src/tokenizers/tokenizer-13a.js";

const DATA = fileURLToPath(new URL("../../../../shared/data/translate/test.jsonl", import.meta.url));

/** Seeded PRNG (mulberry32) for the perturbations. */
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

function loadTargets(): string[] {
  if (existsSync(DATA)) {
    return readFileSync(DATA, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { target: string }).target);
  }
  console.warn(`[rewards bench] ${DATA} not found (../shared is absent): using synthetic sentences instead.`);
  const vocab = "Ein Mann eine Frau der Hund läuft über die Wiese im Park mit einem roten Ball .".split(" ");
  const r = rng(1);
  return Array.from({ length: 1000 }, () =>
    Array.from({ length: 8 + Math.floor(r() * 8) }, () => vocab[Math.floor(r() * vocab.length)]).join(" "),
  );
}

const targets = loadTargets();
const rand = rng(2026);
/** Replace ~25% of the words by words of another sentence, drop ~10%. */
function perturb(ref: string, other: string): string {
  const w = ref.split(" ");
  const o = other.split(" ");
  return w
    .filter(() => rand() > 0.1)
    .map((x, k) => (rand() < 0.25 ? (o[k % o.length] as string) : x))
    .join(" ");
}

const N = 50;
const pairs = targets
  .slice(0, N)
  .map((ref, i) => ({ hyp: perturb(ref, targets[(i + 7) % targets.length] as string), ref }));
/** 30-token hypotheses (three captions joined, perturbed, cut to 30 words) as word pieces " w". */
const long = Array.from({ length: 10 }, (_, i) => {
  const ref = [0, 1, 2].map((k) => targets[(3 * i + k) % targets.length]).join(" ");
  const hyp = perturb(ref, targets[(3 * i + 100) % targets.length] as string)
    .split(" ")
    .slice(0, 30);
  while (hyp.length < 30) hyp.push("und");
  return { ref, pieces: hyp.map((w, k) => (k === 0 ? w : ` ${w}`)) };
});

// ---- the straightforward baseline -------------------------------------------------------------------------------

function naiveNgrams(tokens: string[], maxOrder: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let n = 1; n <= maxOrder; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = tokens.slice(i, i + n).join(" ");
      m.set(key, (m.get(key) ?? 0) + 1);
    }
  }
  return m;
}

/** Sentence BLEU, exp smoothing, effective order, 13a — the textbook way. */
function naiveSentenceBleu(hyp: string, refs: string[]): number {
  const h = tokenize13aRegexp(hyp.trimEnd());
  const refTokens = refs.map((r) => tokenize13aRegexp(r.trimEnd()));
  const refMax = new Map<string, number>();
  for (const rt of refTokens)
    for (const [k, c] of naiveNgrams(rt, 4)) refMax.set(k, Math.max(refMax.get(k) ?? 0, c));
  const correct = [0, 0, 0, 0];
  const total = [0, 0, 0, 0];
  for (const [k, c] of naiveNgrams(h, 4)) {
    const n = k.split(" ").length - 1;
    total[n] = (total[n] as number) + c;
    correct[n] = (correct[n] as number) + Math.min(c, refMax.get(k) ?? 0);
  }
  let refLen = -1;
  for (const rt of refTokens) {
    const d = Math.abs(rt.length - h.length);
    if (
      refLen < 0 ||
      d < Math.abs(refLen - h.length) ||
      (d === Math.abs(refLen - h.length) && rt.length < refLen)
    )
      refLen = rt.length;
  }
  if (correct.every((c) => c === 0)) return 0;
  const bp = h.length < refLen ? (h.length > 0 ? Math.exp(1 - refLen / h.length) : 0) : 1;
  let smooth = 1;
  let logSum = 0;
  let eff = 0;
  for (let n = 0; n < 4; n++) {
    if (total[n] === 0) break;
    eff = n + 1;
    let p: number;
    if (correct[n] === 0) {
      smooth *= 2;
      p = 100 / (smooth * (total[n] as number));
    } else p = (100 * (correct[n] as number)) / (total[n] as number);
    logSum += Math.log(p);
  }
  return bp * Math.exp(logSum / eff);
}

/** Sentence chrF (6, β=2, effective order), strings of code points in Maps. */
function naiveSentenceChrf(hyp: string, refs: string[]): number {
  const chars = (s: string): string[] => Array.from(s.split(/\s+/u).join(""));
  const grams = (cs: string[], n: number): Map<string, number> => {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= cs.length; i++) {
      const k = cs.slice(i, i + n).join("");
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };
  const hc = chars(hyp);
  let best = -1;
  for (const ref of refs) {
    const rc = chars(ref);
    let p = 0;
    let r = 0;
    let eff = 0;
    for (let n = 1; n <= 6; n++) {
      const hg = grams(hc, n);
      const rg = grams(rc, n);
      let hn = 0;
      let match = 0;
      for (const [k, c] of hg) {
        hn += c;
        match += Math.min(c, rg.get(k) ?? 0);
      }
      const rn = Math.max(0, rc.length - n + 1);
      if (hn > 0 && rn > 0) {
        p += match / hn;
        r += match / rn;
        eff++;
      }
    }
    let f = 0;
    if (eff > 0) {
      p /= eff;
      r /= eff;
      f = p + r ? (100 * (5 * p * r)) / (4 * p + r) : 0;
    }
    if (f > best) best = f;
  }
  return best;
}

// Like for like: the baselines return the same scores on these inputs.
for (const { hyp, ref } of pairs) {
  const a = sentenceBleu(hyp, [ref]).score;
  const b = naiveSentenceBleu(hyp, [ref]);
  const c = sentenceChrf(hyp, [ref]).score;
  const d = naiveSentenceChrf(hyp, [ref]);
  if (Math.abs(a - b) > 1e-9 || Math.abs(c - d) > 1e-9)
    throw new Error(`baseline mismatch on ${JSON.stringify(hyp)}`);
}

// ---- timing bookkeeping for the final table ---------------------------------------------------------------------
// The machine these run on is shared, so besides vitest's mean-based table we report rates from the *median* and
// the *fastest* operation of each case, which are much less sensitive to other processes stealing the CPU.

const timing = new Map<string, { samples: number[]; unit: number }>();
function timed(name: string, unitsPerOp: number, fn: () => void): () => void {
  const t = { samples: [] as number[], unit: unitsPerOp };
  timing.set(name, t);
  return () => {
    const s = performance.now();
    fn();
    t.samples.push(performance.now() - s);
  };
}
function rate(name: string, pick: "median" | "min"): number {
  const t = timing.get(name);
  if (!t || t.samples.length === 0) return Number.NaN;
  const sorted = [...t.samples].sort((a, b) => a - b);
  const ms = pick === "min" ? (sorted[0] as number) : (sorted[Math.floor(sorted.length / 2)] as number);
  return (t.unit * 1000) / ms;
}
let sink = 0;
/**
 * The fast cases repeat their inputs so that every operation takes about as long as the baseline's: on a shared
 * machine a long operation is more likely to be pre-empted than a short one, which would bias the ratio.
 */
const REPEAT_FAST = 8;
const REPEAT_INC = 20;

describe("sentence BLEU (50 sentences per baseline op, 8× that per op of ours)", () => {
  bench(
    "sentenceBleu (@dqnlm/rewards)",
    timed("bleu", N * REPEAT_FAST, () => {
      for (let k = 0; k < REPEAT_FAST; k++) for (const p of pairs) sink += sentenceBleu(p.hyp, [p.ref]).score;
    }),
  );
  bench(
    "naive baseline (string n-gram Maps)",
    timed("bleu-naive", N, () => {
      for (const p of pairs) sink += naiveSentenceBleu(p.hyp, [p.ref]);
    }),
  );
});

describe("sentence chrF (50 sentences per baseline op, 8× that per op of ours)", () => {
  bench(
    "sentenceChrf (@dqnlm/rewards)",
    timed("chrf", N * REPEAT_FAST, () => {
      for (let k = 0; k < REPEAT_FAST; k++) for (const p of pairs) sink += sentenceChrf(p.hyp, [p.ref]).score;
    }),
  );
  bench(
    "naive baseline (string n-gram Maps)",
    timed("chrf-naive", N, () => {
      for (const p of pairs) sink += naiveSentenceChrf(p.hyp, [p.ref]);
    }),
  );
});

describe("per-token BLEU over every prefix of a 30-token hypothesis (10 hypotheses per rescoring op, 20× that per incremental op)", () => {
  bench(
    "bleuIncremental: 30 pushes",
    timed("bleu-inc", long.length * REPEAT_INC, () => {
      for (let k = 0; k < REPEAT_INC; k++)
        for (const { ref, pieces } of long) {
          const s = bleuIncremental([ref]);
          for (const p of pieces) sink += s.push(p);
        }
    }),
  );
  bench(
    "rescoring 30 prefixes with sentenceBleu",
    timed("bleu-rescore", long.length, () => {
      for (const { ref, pieces } of long) {
        let text = "";
        for (const p of pieces) {
          text += p;
          sink += sentenceBleu(text, [ref]).score;
        }
      }
    }),
  );
});

describe("per-token chrF over every prefix of a 30-token hypothesis (10 hypotheses per rescoring op, 20× that per incremental op)", () => {
  bench(
    "chrfIncremental: 30 pushes",
    timed("chrf-inc", long.length * REPEAT_INC, () => {
      for (let k = 0; k < REPEAT_INC; k++)
        for (const { ref, pieces } of long) {
          const s = chrfIncremental([ref]);
          for (const p of pieces) sink += s.push(p);
        }
    }),
  );
  bench(
    "rescoring 30 prefixes with sentenceChrf",
    timed("chrf-rescore", long.length, () => {
      for (const { ref, pieces } of long) {
        let text = "";
        for (const p of pieces) {
          text += p;
          sink += sentenceChrf(text, [ref]).score;
        }
      }
    }),
  );
});

afterAll(() => {
  const f = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "n/a");
  const r = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(1)}×` : "n/a");
  const rows = [
    ["sentence BLEU", "sentences/s", "bleu", "bleu-naive", "naive"],
    ["sentence chrF", "sentences/s", "chrf", "chrf-naive", "naive"],
    ["per-token BLEU, 30 tokens", "hypotheses/s", "bleu-inc", "bleu-rescore", "rescore prefixes"],
    ["per-token chrF, 30 tokens", "hypotheses/s", "chrf-inc", "chrf-rescore", "rescore prefixes"],
  ] as const;
  const lines = [
    "| case | unit | @dqnlm/rewards (median op) | baseline (median op) | baseline is | speed-up (median) | speed-up (fastest op) |",
    "|---|---|---:|---:|---|---:|---:|",
    ...rows.map(
      ([c, u, a, b, what]) =>
        `| ${c} | ${u} | ${f(rate(a, "median"))} | ${f(rate(b, "median"))} | ${what} | ${r(rate(a, "median"), rate(b, "median"))} | ${r(rate(a, "min"), rate(b, "min"))} |`,
    ),
  ];
  console.log(`\n[rewards bench] BLEU/chrF (checksum ${sink.toFixed(0)})\n${lines.join("\n")}\n`);
});
