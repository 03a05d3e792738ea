/**
 * Paired bootstrap speed. Systems: the whole ../shared/data/translate test split (1,000 German captions) as
 * references, baseline and system derived from them by index arithmetic (as in `significance.test.ts`);
 * synthetic sentences when ../shared is absent. One operation = one complete paired BLEU test (baseline + 1
 * system, statistics extraction included):
 *
 * 1. `pairedBootstrap` with 100 resamples vs a straightforward bootstrap that rescores every resample's strings
 *    with `corpusBleu` (same 100 index sets) — vitest prints the ratio;
 * 2. `pairedBootstrap` with sacreBLEU's 1,000 resamples, for the absolute rate (resamples/s = 1000 × ops/s).
 *
 * sacreBLEU itself: with SACREBLEU_SRC set (a directory holding its `sacrebleu/` package), the bench first runs
 * `scripts/significance-bench.py` on the same systems and prints its time, resamples/s and the load average.
 * Run: SACREBLEU_SRC=/path/to/sacrebleu-src npx -y pnpm@10 --filter @dqnlm/rewards bench
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bench, describe } from "vitest";
import { corpusBleu, pairedBootstrap } from "../src/index.js";
import { NumpyPcg64 } from "../src/numpy-random.js";

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, "../../../../shared");
const dataPath = resolve(shared, "data/translate/test.jsonl");

function loadRefs(): string[] {
  if (existsSync(dataPath)) {
    return readFileSync(dataPath, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => (JSON.parse(l) as { target: string }).target);
  }
  console.warn(
    `[rewards bench] ${dataPath} not found (../shared is absent): using synthetic sentences instead.`,
  );
  const vocab = "ein Mann eine Frau der die das Hund läuft auf dem Gras mit einem Ball im Park".split(" ");
  let s = 12345;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: 1000 }, () =>
    Array.from({ length: 12 }, () => vocab[Math.floor(next() * vocab.length)]).join(" "),
  );
}

const refs = loadRefs();
const edit = (drop: (i: number, j: number) => boolean): string[] =>
  refs.map((r, i) =>
    r
      .split(" ")
      .filter((_, j) => !drop(i, j))
      .join(" "),
  );
const base = edit((i, j) => (i * 7 + j * 3) % 11 === 0);
const sysA = edit((i, j) => (i * 5 + j) % 13 === 0);
const refLists = refs.map((r) => [r]);
const n = refs.length;

/** Rescores each resample's strings from scratch: the obvious implementation, for the ratio. */
function naivePairedBootstrap(B: number): number {
  const idxs = new NumpyPcg64(12345).choiceInto(n, new Int32Array(B * n));
  const real = Math.abs(corpusBleu(base, refLists).score - corpusBleu(sysA, refLists).score);
  const diffs: number[] = [];
  for (let b = 0; b < B; b++) {
    const rows = Array.from(idxs.subarray(b * n, (b + 1) * n));
    const r = rows.map((i) => refLists[i] as string[]);
    diffs.push(
      Math.abs(
        corpusBleu(
          rows.map((i) => sysA[i] as string),
          r,
        ).score -
          corpusBleu(
            rows.map((i) => base[i] as string),
            r,
          ).score,
      ),
    );
  }
  const mean = diffs.reduce((x, y) => x + y, 0) / B;
  return (diffs.filter((d) => d - mean > real).length + 1) / (B + 1);
}

const src = process.env.SACREBLEU_SRC;
if (src !== undefined && existsSync(resolve(src, "sacrebleu"))) {
  const r = spawnSync("python3", [resolve(here, "../scripts/significance-bench.py"), src, shared], {
    encoding: "utf8",
  });
  console.log(
    `[rewards bench] sacreBLEU: ${r.status === 0 ? r.stdout.trim() : `failed: ${r.stderr.trim()}`}`,
  );
} else {
  console.log(
    "[rewards bench] set SACREBLEU_SRC to a sacreBLEU source tree to time sacreBLEU itself on the same systems",
  );
}
console.log(
  `[rewards bench] significance: ${n} segments, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);

describe(`paired bootstrap, BLEU, ${n} segments, 100 resamples`, () => {
  bench(
    "pairedBootstrap (statistics once, float32 sums)",
    () => {
      pairedBootstrap({ metric: "bleu", baseline: base, systems: { sysA }, refs: refLists, resamples: 100 });
    },
    { iterations: 5, time: 0 },
  );
  bench("naive: corpusBleu on every resample's strings", () => void naivePairedBootstrap(100), {
    iterations: 3,
    time: 0,
  });
});

describe(`paired bootstrap, BLEU, ${n} segments, 1000 resamples (sacreBLEU's default)`, () => {
  bench(
    "pairedBootstrap",
    () => {
      pairedBootstrap({ metric: "bleu", baseline: base, systems: { sysA }, refs: refLists });
    },
    { iterations: 5, time: 0 },
  );
});
