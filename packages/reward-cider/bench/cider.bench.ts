/**
 * CIDEr-D throughput on the inputs of test/vectors.json (173 images, 1–7 references each): corpus scoring
 * (document frequencies + every image, as pycocoevalcap's compute_score) and per-sentence scoring against
 * prepared document frequencies (the reward's path). Compare with pycocoevalcap on the same inputs:
 * `python3 scripts/bench-pycocoevalcap.py <mirror .git>`. The machine load is printed with the figures.
 * Run: npx -y pnpm@10 --filter @dqnlm/reward-cider bench
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { afterAll, bench, describe } from "vitest";
import { CiderD, ciderD } from "../src/index.js";

const { corpora } = JSON.parse(readFileSync(new URL("../test/vectors.json", import.meta.url), "utf8")) as {
  corpora: { n: number; sigma: number; hyps: string[]; refs: string[][] }[];
};
const items = corpora.reduce((a, c) => a + c.hyps.length, 0);
const prepared = corpora.map((c) => new CiderD(c.refs, { n: c.n, sigma: c.sigma }));

describe("cider-d", () => {
  bench(`corpus CIDEr-D (df + scores), ${items} images per op`, () => {
    for (const c of corpora) ciderD(c.hyps, c.refs, { n: c.n, sigma: c.sigma });
  });
  bench(`per-sentence CIDEr-D (df prepared), ${items} images per op`, () => {
    corpora.forEach((c, k) => {
      const s = prepared[k] as CiderD;
      for (const [i, h] of c.hyps.entries()) s.score(h, c.refs[i] as string[]);
    });
  });
});

afterAll(() => {
  console.log(
    `[cider bench] ${items} images per op; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
});
