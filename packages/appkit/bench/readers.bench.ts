/**
 * Reader throughput on 20,000 generated (source, target) records, each against a baseline measured in the same
 * run: `readPairs` on JSONL vs a bare `JSON.parse` per line of the same file (the cost of line tracking, field
 * checks and mapping), and `readPairs` on CSV (RFC 4180, quoted fields) vs the JSONL path.
 * Run: npx -y pnpm@10 --filter @dqnlm/appkit bench
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bench, describe } from "vitest";
import { readPairs } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "appkit-bench-"));
const n = 20_000;
const rows = Array.from({ length: n }, (_, k) => ({
  id: `r${k}`,
  source: `a man, "number ${k}", walks along the street with ${k % 7} dogs and a red umbrella .`,
  target: `ein Mann, "Nummer ${k}", geht mit ${k % 7} Hunden und einem roten Schirm die Straße entlang .`,
}));
const jsonl = join(dir, "data.jsonl");
const csv = join(dir, "data.csv");
writeFileSync(jsonl, rows.map((r) => JSON.stringify(r)).join("\n"));
const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
writeFileSync(
  csv,
  `id,source,target\n${rows.map((r) => [r.id, q(r.source), q(r.target)].join(",")).join("\n")}\n`,
);

describe(`read ${n} records`, () => {
  bench("JSON.parse per line (baseline)", () => {
    const out: unknown[] = [];
    for (const line of readFileSync(jsonl, "utf8").split("\n")) out.push(JSON.parse(line));
  });
  bench("readPairs JSONL", async () => {
    await readPairs(jsonl);
  });
  bench("readPairs CSV", async () => {
    await readPairs(csv);
  });
});
