/**
 * METEOR throughput (items/s) on the inputs of test/vectors.json (368 hypotheses, 1–3 references each), WordNet
 * loaded and warm. Compare with NLTK 3.8 on the same inputs: `python3 scripts/bench-nltk.py` (prints items/s and
 * the load average). The machine load is printed with the figures.
 * Run: npx -y pnpm@10 --filter @dqnlm/reward-meteor bench
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { afterAll, bench, describe } from "vitest";
import { meteor, pySplit } from "../src/index.js";

const { vectors } = JSON.parse(readFileSync(new URL("../test/vectors.json", import.meta.url), "utf8")) as {
  vectors: { hyp: string; refs: string[] }[];
};
const items = vectors.map((v) => ({ hyp: pySplit(v.hyp), refs: v.refs.map(pySplit) }));
for (const it of items) meteor(it.hyp, it.refs); // load WordNet before timing

describe("meteor", () => {
  bench(`meteor, ${items.length} items per op (warm WordNet)`, () => {
    for (const it of items) meteor(it.hyp, it.refs);
  });
});

afterAll(() => {
  console.log(
    `[meteor bench] ${items.length} items per op; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
});
