/**
 * Every `bleu` and `chrf` entry of the shared reference vectors (sacreBLEU 2.6.0 outputs) must be reproduced:
 * integers exactly, 0–100 values within 1e-7, 0–1 values (BLEU's brevity penalty) within 1e-9, signatures exactly.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  type BleuOptions,
  type ChrfOptions,
  corpusBleu,
  corpusChrf,
  sentenceBleu,
  sentenceChrf,
} from "./index.js";

const FILE = fileURLToPath(new URL("../../../../shared/reference/metrics.json", import.meta.url));
const present = existsSync(FILE);
if (!present) {
  console.warn(
    `[rewards] SKIPPING the BLEU/chrF reference-vector tests: ${FILE} not found (../shared is absent).`,
  );
}

interface Entry {
  id: string;
  metric: string;
  level: "corpus" | "sentence";
  config: Record<string, unknown>;
  hyps: string[];
  refs: string[][];
  expected: Record<string, unknown>;
}

const entries: Entry[] = present
  ? (JSON.parse(readFileSync(FILE, "utf8")) as { entries: Entry[] }).entries
  : [];
const bleu = entries.filter((e) => e.metric === "bleu");
const chrf = entries.filter((e) => e.metric === "chrf");

function bleuOpts(c: Record<string, unknown>): BleuOptions {
  return {
    tokenize: c.tokenize as BleuOptions["tokenize"],
    lowercase: c.lowercase as boolean,
    smoothMethod: c.smooth_method as BleuOptions["smoothMethod"],
    smoothValue: c.smooth_value as number | null,
    maxNgramOrder: c.max_ngram_order as number,
    effectiveOrder: c.effective_order as boolean,
  };
}

function chrfOpts(c: Record<string, unknown>): ChrfOptions {
  return {
    charOrder: c.char_order as number,
    wordOrder: c.word_order as number,
    beta: c.beta as number,
    lowercase: c.lowercase as boolean,
    whitespace: c.whitespace as boolean,
    epsSmoothing: c.eps_smoothing as boolean,
  };
}

function close(got: number, want: number, tol: number, what: string): void {
  if (!(Math.abs(got - want) <= tol))
    throw new Error(`${what}: got ${got}, expected ${want} (tolerance ${tol})`);
}

describe.skipIf(!present)("sacreBLEU 2.6.0 reference vectors (shared/reference/metrics.json)", () => {
  it("has the expected number of entries", () => {
    expect(bleu.length).toBe(162);
    expect(chrf.length).toBe(79);
  });

  it.each(bleu.map((e) => [e.id, e] as const))("BLEU %s", (_id, e) => {
    const o = bleuOpts(e.config);
    const r =
      e.level === "corpus"
        ? corpusBleu(e.hyps, e.refs, o)
        : sentenceBleu(e.hyps[0] as string, e.refs[0] as string[], o);
    const x = e.expected;
    expect(r.counts).toEqual(x.counts);
    expect(r.totals).toEqual(x.totals);
    expect(r.sysLen).toBe(x.sys_len);
    expect(r.refLen).toBe(x.ref_len);
    expect(r.signature).toBe(x.signature);
    close(r.score, x.score as number, 1e-7, "score");
    close(r.bp, x.bp as number, 1e-9, "bp");
    const precisions = x.precisions as number[];
    expect(r.precisions.length).toBe(precisions.length);
    r.precisions.forEach((p, i) => {
      close(p, precisions[i] as number, 1e-7, `precisions[${i}]`);
    });
  });

  it.each(chrf.map((e) => [e.id, e] as const))("chrF %s", (_id, e) => {
    const o = chrfOpts(e.config);
    const r =
      e.level === "corpus"
        ? corpusChrf(e.hyps, e.refs, o)
        : sentenceChrf(e.hyps[0] as string, e.refs[0] as string[], o);
    const x = e.expected;
    expect(r.stats).toEqual(x.stats);
    expect(r.signature).toBe(x.signature);
    close(r.score, x.score as number, 1e-7, "score");
  });
});
