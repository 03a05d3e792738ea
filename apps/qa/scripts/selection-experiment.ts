/**
 * Reproduces the QA selection table: answerers alone, random pick, DQN selector and oracle on the test split,
 * mean ± std over seeds. Usage (from apps/qa):
 *   node --conditions=source --import tsx scripts/selection-experiment.ts \
 *     --data-dir ../../../shared/data/qa --seeds 1,2,3 --out results/selection
 * Options: --steps N (DQN episodes), --train-limit N, --only-validation (tuning: test split not scored).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { selectBackend } from "@dqnlm/qnet";
import type { QaExample } from "../src/features.js";
import { defaultAnswerers, QA_SELECTOR_DEFAULTS, qaEpisodes, runQaSelection } from "../src/selection.js";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    seeds: { type: "string", default: "1,2,3" },
    steps: { type: "string" },
    "train-limit": { type: "string" },
    out: { type: "string", default: "results/selection" },
    "only-validation": { type: "boolean", default: false },
  },
});
const backend = await selectBackend({ backend: "cpu" });
const t0 = performance.now();
// Plain JSONL reading here (not appkit's loaders) so that this script runs while the trainer is being built.
const read = (split: string): QaExample[] =>
  readFileSync(`${values["data-dir"]}/${split}.jsonl`, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as QaExample);
const splitsRaw = values["data-dir"]
  ? { train: read("train"), validation: read("validation"), test: read("test") }
  : (await import("../src/demo-data.js")).demoQaData(0);
if (values["train-limit"]) splitsRaw.train = splitsRaw.train.slice(0, Number(values["train-limit"]));
const data = { origin: values["data-dir"] ?? "built-in demonstration data (seed 0)", splits: splitsRaw };
const { answerers, idf } = defaultAnswerers(data.splits.train);
const episodes = {
  train: qaEpisodes(data.splits.train, answerers, idf),
  validation: qaEpisodes(data.splits.validation, answerers, idf),
  test: qaEpisodes(data.splits.test, answerers, idf),
};
const tCand = (performance.now() - t0) / 1000;
console.log(
  `data ${data.origin}: ${Object.entries(data.splits)
    .map(([k, v]) => `${k} ${v.length}`)
    .join(", ")}; candidates built in ${tCand.toFixed(1)} s`,
);
const seeds = values.seeds.split(",").map(Number);
const splits = values["only-validation"] ? (["validation"] as const) : (["validation", "test"] as const);
const agg: Record<string, Record<string, Record<string, number[]>>> = { validation: {}, test: {} };
const wall: number[] = [];
for (const seed of seeds) {
  const r = await runQaSelection(
    data.splits,
    {
      seed,
      ...(values.steps ? { steps: Number(values.steps) } : {}),
      onLog: (l) => console.log(`seed ${seed}`, JSON.stringify(l)),
    },
    { answerers, idf, episodes },
  );
  wall.push(r.wallTimeS.dqn!);
  for (const split of splits)
    for (const row of r.rows[split]) {
      const a = agg[split]!;
      const m = a[row.system] ?? { F1: [], EM: [] };
      a[row.system] = m;
      m.F1!.push(row.scores.f1);
      m.EM!.push(row.scores.em);
    }
  console.log(
    `seed ${seed} done in ${r.wallTimeS.dqn!.toFixed(0)} s:`,
    JSON.stringify(r.rows.validation.map((x) => [x.system, x.scores.f1.toFixed(2)])),
  );
}
mkdirSync(values.out, { recursive: true });
const meanStd = (xs: number[]): { mean: number; std: number } => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) : 0;
  return { mean: m, std: Math.sqrt(v) };
};
const renderAggregateTable = (
  rows: { system: string; values: Record<string, number[]> }[],
  cols: { name: string }[],
): string =>
  `${[
    `| system | seeds | ${cols.map((c) => c.name).join(" | ")} |`,
    `| --- | ---: | ${cols.map(() => "---:").join(" | ")} |`,
    ...rows.map(
      (r) =>
        `| ${r.system} | ${r.values.F1!.length} | ${cols
          .map((c) => {
            const m = meanStd(r.values[c.name]!);
            return `${m.mean.toFixed(2)} ± ${m.std.toFixed(2)}`;
          })
          .join(" | ")} |`,
    ),
  ].join("\n")}\n`;
const columns = [{ name: "F1" }, { name: "EM" }];
let md =
  `Data: ${data.origin} (${Object.entries(data.splits)
    .map(([k, v]) => `${k} ${v.length}`)
    .join(", ")}); ` +
  `${(episodes.train.reduce((s, e) => s + e.candidates.length, 0) / episodes.train.length).toFixed(2)} candidates per question on average ` +
  `(top 3 of each of ${answerers.length} answerers). Selector: feature-based Q (dense MLP ${QA_SELECTOR_DEFAULTS.hidden} hidden + linear hashed crosses), ` +
  `${values.steps ?? QA_SELECTOR_DEFAULTS.steps} DQN episodes, tfjs ${backend.name}; DQN wall time per seed ${meanStd(wall).mean.toFixed(0)} s.\n\n`;
for (const split of splits) {
  md += `### ${split} (seeds ${seeds.join(", ")})\n\n`;
  md += renderAggregateTable(
    Object.entries(agg[split]!).map(([system, v]) => ({ system, values: v })),
    columns,
  );
  md += "\n";
}
writeFileSync(`${values.out}.md`, md);
writeFileSync(`${values.out}.json`, JSON.stringify({ seeds, agg, wall, backend: backend.name }, null, 2));
console.log(md);
