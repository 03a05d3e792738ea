/**
 * Paired bootstrap / approximate randomization / --confidence against sacreBLEU 2.6.0 itself (numpy 2.4.6,
 * Python 3.11.7): `test/significance-vectors.json`, printed by `scripts/significance-reference.py` from systems
 * that are rebuilt here from ../shared/data/translate by the same index arithmetic. p-values must be identical;
 * scores, means and CIs within 1e-9 relative (BLEU's `exp`/`log` can differ by an ulp between V8 and glibc).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  bootstrapConfidence,
  pairedApproximateRandomization,
  pairedApproximateRandomizationScores,
  pairedBootstrap,
  pairedBootstrapScores,
  RewardsInputError,
  RewardsOptionError,
  type SignificanceMetric,
} from "./index.js";
import { NumpyPcg64, seedSequenceState } from "./numpy-random.js";

const VECTORS = fileURLToPath(new URL("../test/significance-vectors.json", import.meta.url));
const DATA = fileURLToPath(new URL("../../../../shared/data/translate/test.jsonl", import.meta.url));
const haveVectors = existsSync(VECTORS);
const haveData = existsSync(DATA);
if (!haveVectors) console.warn(`[rewards] SKIPPING sacreBLEU significance vectors: ${VECTORS} not found.`);
if (!haveData)
  console.warn(`[rewards] SKIPPING sacreBLEU paired-test vectors: ${DATA} not found (../shared is absent).`);

interface Res {
  score: number;
  pValue?: number | null;
  mean: number | null;
  ci: number | null;
}
interface Case {
  name: string;
  metric: "bleu" | "chrf" | "ter";
  options?: Record<string, unknown>;
  nrefs: 1 | 2;
  test: "bs" | "ar" | "confidence";
  n: number;
  signature: string;
  results: Res[];
}
interface Vectors {
  nLines: number;
  cases: Case[];
  rng: { seed: number; n?: number; shape: [number, number]; choice?: number[]; bool?: number[] }[];
  meanOfScores: {
    n: number;
    baseline: { score: number; mean: number; ci: number };
    system: { score: number; mean: number; ci: number; pValue: number };
  };
}
const vectors: Vectors | undefined = haveVectors ? JSON.parse(readFileSync(VECTORS, "utf8")) : undefined;

function close(actual: number | null | undefined, expected: number | null | undefined): void {
  if (expected === null || expected === undefined) {
    expect(actual ?? null).toBeNull();
    return;
  }
  expect(typeof actual).toBe("number");
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

describe("numpy default_rng (PCG64 + SeedSequence)", () => {
  it("SeedSequence(0).generate_state(4) matches numpy", () => {
    // np.random.SeedSequence(0).generate_state(4) → [2968811710, 3677149159, 745650761, 2884920346]
    expect(Array.from(seedSequenceState(0, 4))).toEqual([2968811710, 3677149159, 745650761, 2884920346]);
  });
  it("default_rng(12345).choice(10, 8) matches numpy", () => {
    // np.random.default_rng(12345).choice(10, size=8) → [6, 2, 7, 3, 2, 7, 6, 6] (numpy 2.4.6 and 1.24.2)
    expect(Array.from(new NumpyPcg64(12345).choiceInto(10, new Int32Array(8)))).toEqual([
      6, 2, 7, 3, 2, 7, 6, 6,
    ]);
  });
  describe.skipIf(!haveVectors)("against numpy's own draws", () => {
    for (const c of vectors?.rng ?? []) {
      const size = c.shape[0] * c.shape[1];
      it(`seed ${c.seed}, ${c.choice ? `choice(${c.n})` : "integers(2, dtype=bool)"}`, () => {
        const g = new NumpyPcg64(c.seed);
        if (c.choice) expect(Array.from(g.choiceInto(c.n as number, new Int32Array(size)))).toEqual(c.choice);
        else expect(Array.from(g.boolsInto(new Uint8Array(size)))).toEqual(c.bool);
      });
    }
  });
});

/** The systems of `scripts/significance-reference.py` (`systems()`), rebuilt from the shared test split. */
function systems(nLines: number): { refs: string[]; ref2: string[]; named: Record<string, string[]> } {
  const lines = readFileSync(DATA, "utf8")
    .split("\n")
    .filter((l) => l !== "");
  const refs: string[] = lines.slice(0, nLines).map((l) => (JSON.parse(l) as { target: string }).target);
  const n = refs.length;
  const edit = (f: (i: number, j: number) => "keep" | "drop" | "swap"): string[] =>
    refs.map((r, i) => {
      const other = (refs[(i + 1) % n] as string).split(" ");
      const out: string[] = [];
      r.split(" ").forEach((w, j) => {
        const k = f(i, j);
        if (k === "keep") out.push(w);
        else if (k === "swap") out.push(j < other.length ? (other[j] as string) : w);
      });
      return out.join(" ");
    });
  const base = edit((i, j) => ((i * 7 + j * 3) % 11 === 0 ? "drop" : "keep"));
  const sysA = edit((i, j) => ((i * 5 + j) % 13 === 0 ? "drop" : "keep"));
  const sysB = edit((i, j) => ((i + j * 2) % 6 === 0 ? "swap" : "keep"));
  const sysC = sysA.map((a, i) => (i % 10 === 0 ? a : (base[i] as string)));
  const ref2 = refs.map((r) => (r.split(" ").length > 1 ? r.split(" ").slice(0, -1).join(" ") : r));
  return { refs, ref2, named: { base, sysA, sysB, sysC } };
}

describe.skipIf(!haveVectors || !haveData)("sacreBLEU 2.6.0 paired tests on ../shared/data/translate", () => {
  const v = vectors as Vectors;
  const { refs, ref2, named } =
    haveData && haveVectors ? systems(v.nLines) : { refs: [], ref2: [], named: {} };
  const { base, sysA, sysB, sysC } = named as Record<string, string[]>;
  for (const c of v?.cases ?? []) {
    it(c.name, () => {
      const R = c.nrefs === 1 ? refs.map((r) => [r]) : refs.map((r, i) => [r, ref2[i] as string]);
      const metric = { name: c.metric, ...(c.options ? { options: c.options } : {}) } as SignificanceMetric;
      if (c.test === "confidence") {
        const r = bootstrapConfidence({ metric, hyps: sysA as string[], refs: R });
        const e = c.results[0] as Res;
        close(r.score, e.score);
        close(r.mean, e.mean);
        close(r.ci, e.ci);
        expect(r.signature).toBe(c.signature);
        return;
      }
      const run = c.test === "bs" ? pairedBootstrap : pairedApproximateRandomization;
      const r = run({ metric, baseline: base as string[], systems: { sysA, sysB, sysC } as never, refs: R });
      expect(r.signature).toBe(c.signature);
      expect(r.n).toBe(c.n);
      [r.baseline, ...r.systems].forEach((s, k) => {
        const e = c.results[k] as Res;
        close(s.score, e.score);
        close(s.mean, e.mean);
        close(s.ci, e.ci);
        expect(s.pValue).toBe(e.pValue ?? null); // exactly
      });
    });
  }
});

describe("mean-of-scores metrics (pairedBootstrapScores)", () => {
  const n = 257;
  const bl = Array.from({ length: n }, (_, i) => ((i * 37) % 101) / 101.0);
  const sy = Array.from({ length: n }, (_, i) =>
    Math.min(1.0, ((i * 37) % 101) / 101.0 + (((i * 13) % 7) - 2) / 50.0),
  );
  it.skipIf(!haveVectors)("matches the reference transcription with sacreBLEU's indices", () => {
    const e = (vectors as Vectors).meanOfScores;
    const r = pairedBootstrapScores({ baseline: bl, systems: { sys: sy } });
    close(r.baseline.score, e.baseline.score);
    close(r.baseline.mean, e.baseline.mean);
    close(r.baseline.ci, e.baseline.ci);
    const s = r.systems[0];
    close(s?.score, e.system.score);
    close(s?.mean, e.system.mean);
    close(s?.ci, e.system.ci);
    expect(s?.pValue).toBe(e.system.pValue);
    expect(r.signature).toBe("bs:1000|seed:12345");
  });
  it("a system against itself: p = 1/(n+1) (a zero difference is never attributed to chance)", () => {
    expect(pairedBootstrapScores({ baseline: bl, systems: { same: bl } }).systems[0]?.pValue).toBe(1 / 1001);
    const ar = pairedApproximateRandomizationScores({ baseline: bl, systems: { same: bl }, resamples: 99 });
    expect(ar.systems[0]?.pValue).toBe(1 / 100);
  });
  it("scale multiplies the mean, seed changes the resamples", () => {
    const a = pairedBootstrapScores({ baseline: bl, systems: { sy }, scale: 100 });
    const b = pairedBootstrapScores({ baseline: bl, systems: { sy } });
    close(a.systems[0]?.score, 100 * (b.systems[0]?.score as number));
    const c = pairedBootstrapScores({ baseline: bl, systems: { sy }, seed: 7 });
    expect(c.systems[0]?.mean).not.toBe(b.systems[0]?.mean);
    expect(c.signature).toBe("bs:1000|seed:7");
  });
  it("ROUGE and SQuAD are resampled as means of sentence scores", () => {
    const refs = [["the cat sat on the mat"], ["a dog runs"], ["hello world"], ["one two three"]];
    const baseline = ["the cat sat", "a dog", "hello", "one two"];
    const better = ["the cat sat on the mat", "a dog runs", "hello world", "one two three"];
    const r = pairedBootstrap({ metric: "rouge", baseline, systems: { better }, refs, resamples: 200 });
    expect(r.metric).toBe("ROUGE-L");
    expect(r.signature).toBe("nrefs:1|bs:200|seed:12345|rouge:L|stem:no|tok:rouge-score|version:0.1.2");
    expect(r.systems[0]?.score).toBe(1);
    const q = pairedBootstrap({
      metric: { name: "squad", measure: "exactMatch" },
      baseline,
      systems: { better },
      refs,
    });
    expect(q.metric).toBe("SQuAD-EM");
    expect(q.baseline.score).toBe(0);
    expect(q.systems[0]?.score).toBe(100);
  });
});

describe("errors", () => {
  const refs = [["a b c"], ["d e f"]];
  it("misaligned systems name the field", () => {
    expect(() =>
      pairedBootstrap({ metric: "bleu", baseline: ["a", "b"], systems: { x: ["a"] }, refs }),
    ).toThrow(expect.objectContaining({ code: RewardsInputError.CODE, field: "systems.x" }));
  });
  it("bad resamples, seed and metric are option errors", () => {
    const base = { baseline: ["a", "b"], systems: { x: ["a", "b"] }, refs };
    expect(() => pairedBootstrap({ ...base, metric: "bleu", resamples: 0 })).toThrow(
      expect.objectContaining({ code: RewardsOptionError.CODE, field: "resamples" }),
    );
    expect(() => pairedBootstrap({ ...base, metric: "bleu", seed: -1 })).toThrow(
      expect.objectContaining({ code: RewardsOptionError.CODE, field: "seed" }),
    );
    expect(() => pairedBootstrap({ ...base, metric: "meteor" as never })).toThrow(
      expect.objectContaining({ code: RewardsOptionError.CODE, field: "metric" }),
    );
  });
  it("non-finite scores are rejected with their index", () => {
    expect(() => pairedBootstrapScores({ baseline: [1, Number.NaN], systems: { x: [1, 2] } })).toThrow(
      expect.objectContaining({ code: RewardsInputError.CODE, field: "baseline[1]" }),
    );
  });
});
