/**
 * Every TER, ROUGE and SQuAD v1.1 vector of ../shared/reference/metrics.json (computed by sacreBLEU 2.6.0,
 * rouge-score 0.1.2 and the official evaluate-v1.1.py). Integers must match exactly; floats within 1e-9 on
 * 0–1 scales and 1e-7 on 0–100 scales (the tolerances of the reference README).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import {
  corpusTer,
  normalizeAnswer,
  type RougeType,
  rouge,
  sentenceTer,
  squad,
  squadCorpus,
} from "./index.js";

const here = dirname(fileURLToPath(import.meta.url));
const metricsPath = resolve(here, "../../../../shared/reference/metrics.json");
const exists = existsSync(metricsPath);
if (!exists) {
  console.warn(
    `[rewards] SKIPPING the TER/ROUGE/SQuAD reference vectors: ${metricsPath} not found (../shared is absent).`,
  );
}

interface Entry {
  id: string;
  metric: string;
  level: "sentence" | "corpus";
  config: Record<string, unknown>;
  hyps: string[];
  refs: string[][];
  expected: Record<string, unknown>;
}

const entries: Entry[] = exists
  ? (JSON.parse(readFileSync(metricsPath, "utf8")) as { entries: Entry[] }).entries
  : [];
const byMetric = (m: string): Entry[] => entries.filter((e) => e.metric === m);

/** |a − b| ≤ tol, with a readable failure message. */
function close(actual: number, expected: number, tol: number, what: string): void {
  const diff = Math.abs(actual - expected);
  if (!(diff <= tol)) {
    throw new Error(`${what}: expected ${expected}, got ${actual} (|diff| = ${diff} > ${tol})`);
  }
}

describe.skipIf(!exists)("reference vectors: TER (sacreBLEU 2.6.0)", () => {
  const ter = byMetric("ter");
  test("the file holds all 55 TER entries", () => {
    expect(ter.length).toBe(55);
  });
  test.each(ter.map((e) => [e.id, e] as const))("%s", (_id, e) => {
    const c = e.config as {
      normalized: boolean;
      no_punct: boolean;
      asian_support: boolean;
      case_sensitive: boolean;
    };
    const opts = {
      normalized: c.normalized,
      noPunct: c.no_punct,
      asianSupport: c.asian_support,
      caseSensitive: c.case_sensitive,
    };
    const r =
      e.level === "sentence" ? sentenceTer(e.hyps[0]!, e.refs[0]!, opts) : corpusTer(e.hyps, e.refs, opts);
    const x = e.expected as { score: number; num_edits: number; ref_length: number; signature: string };
    expect(r.numEdits).toBe(x.num_edits);
    close(r.refLength, x.ref_length, 1e-7, `${e.id} ref_length`);
    close(r.score, x.score, 1e-7, `${e.id} score`);
    expect(r.signature).toBe(x.signature);
  });
});

describe.skipIf(!exists)("reference vectors: ROUGE (rouge-score 0.1.2)", () => {
  const rg = byMetric("rouge");
  test("the file holds all 111 ROUGE entries", () => {
    expect(rg.length).toBe(111);
  });
  type Prf = { precision: number; recall: number; fmeasure: number };
  const check = (actual: Prf, expected: Prf, what: string): void => {
    close(actual.precision, expected.precision, 1e-9, `${what} precision`);
    close(actual.recall, expected.recall, 1e-9, `${what} recall`);
    close(actual.fmeasure, expected.fmeasure, 1e-9, `${what} fmeasure`);
  };
  test.each(rg.map((e) => [e.id, e] as const))("%s", (_id, e) => {
    const c = e.config as { rouge_types: RougeType[]; use_stemmer: boolean; split_summaries: boolean };
    expect(c.split_summaries).toBe(false);
    const opts = { rougeTypes: c.rouge_types, useStemmer: c.use_stemmer };
    if (e.level === "sentence") {
      const r = rouge(e.hyps[0]!, e.refs[0]!, opts);
      for (const t of c.rouge_types) check(r[t], (e.expected as Record<string, Prf>)[t]!, `${e.id} ${t}`);
      return;
    }
    // corpus: the generator's mean of per-pair precision/recall/F, summed in order
    const x = e.expected as Record<string, Prf> & { per_item: Record<string, Prf>[] };
    const per = e.hyps.map((h, i) => rouge(h, e.refs[i]!, opts));
    per.forEach((r, i) => {
      for (const t of c.rouge_types) check(r[t], x.per_item[i]![t]!, `${e.id} item ${i} ${t}`);
    });
    for (const t of c.rouge_types) {
      const mean = (k: keyof Prf): number => per.reduce((s, r) => s + r[t][k], 0) / per.length;
      check(
        { precision: mean("precision"), recall: mean("recall"), fmeasure: mean("fmeasure") },
        x[t]!,
        `${e.id} ${t}`,
      );
    }
  });
});

describe.skipIf(!exists)("reference vectors: SQuAD v1.1 (evaluate-v1.1.py)", () => {
  const sq = byMetric("squad_v1");
  test("the file holds all 67 SQuAD entries", () => {
    expect(sq.length).toBe(67);
  });
  test.each(sq.map((e) => [e.id, e] as const))("%s", (_id, e) => {
    if (e.level === "sentence") {
      const x = e.expected as {
        exact_match: number;
        f1: number;
        normalized_hyp: string;
        normalized_refs: string[];
      };
      expect(normalizeAnswer(e.hyps[0]!)).toBe(x.normalized_hyp);
      expect(e.refs[0]!.map(normalizeAnswer)).toEqual(x.normalized_refs);
      const r = squad(e.hyps[0]!, e.refs[0]!);
      expect(r.exactMatch).toBe(x.exact_match);
      close(r.f1, x.f1, 1e-9, `${e.id} f1`);
      return;
    }
    const x = e.expected as { exact_match: number; f1: number };
    const r = squadCorpus(e.hyps, e.refs);
    close(r.exactMatch, x.exact_match, 1e-7, `${e.id} exact_match`);
    close(r.f1, x.f1, 1e-7, `${e.id} f1`);
  });
});
