/**
 * Reproduces the dialogue selection table: recall@1 of the DQN selector, a random pick and the BM25+ retrieval
 * ranking among K candidates (the true response + K−1 retrieved), mean ± std over seeds. Usage (from
 * apps/dialogue):
 *   node --conditions=source --import tsx scripts/selection-experiment.ts \
 *     --data-dir ../../../shared/data/dialogue --seeds 1,2,3 --out results/selection
 * Options: --k N (candidates, default 10), --steps N (DQN episodes), --train-limit N, --only-validation.
 * The candidate sets are built once (seed 0) and shared by all seeds; the seed drives the DQN.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { selectBackend } from "@dqnlm/qnet";
import type { DialogueExample } from "../src/retrieval.js";
import { buildDialogueEpisodes, DIALOGUE_SELECTOR_DEFAULTS, runDialogueSelection } from "../src/selection.js";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    seeds: { type: "string", default: "1,2,3" },
    steps: { type: "string" },
    k: { type: "string", default: "10" },
    "train-limit": { type: "string" },
    out: { type: "string", default: "results/selection" },
    "only-validation": { type: "boolean", default: false },
    "no-cross": { type: "boolean", default: false },
  },
});
const backend = await selectBackend({ backend: "cpu" });
const t0 = performance.now();
// Plain JSONL reading (not appkit's loaders) so that this script runs while the trainer is being built.
const read = (split: string): DialogueExample[] =>
  readFileSync(`${values["data-dir"]}/${split}.jsonl`, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as DialogueExample);
const splits = values["data-dir"]
  ? { train: read("train"), validation: read("validation"), test: read("test") }
  : (await import("../src/demo-data.js")).demoDialogueData(0);
if (values["train-limit"]) splits.train = splits.train.slice(0, Number(values["train-limit"]));
const origin = values["data-dir"] ?? "built-in demonstration data (seed 0)";
const k = Number(values.k);
const { index, episodes } = buildDialogueEpisodes(splits, { k });
const tCand = (performance.now() - t0) / 1000;
const sizes = Object.entries(splits)
  .map(([s, v]) => `${s} ${v.length}`)
  .join(", ");
console.log(
  `data ${origin}: ${sizes}; index of ${index.size} distinct training responses; episodes built in ${tCand.toFixed(1)} s`,
);
const seeds = values.seeds.split(",").map(Number);
const splitNames = values["only-validation"] ? (["validation"] as const) : (["validation", "test"] as const);
const agg: Record<string, Record<string, number[]>> = { validation: {}, test: {} };
const wall: number[] = [];
for (const seed of seeds) {
  const r = await runDialogueSelection(episodes, {
    seed,
    crossFeatures: !values["no-cross"],
    ...(values.steps ? { steps: Number(values.steps) } : {}),
    onLog: (l) => console.log(`seed ${seed}`, JSON.stringify(l)),
  });
  wall.push(r.wallTimeS);
  for (const split of splitNames)
    for (const row of r.rows[split]) {
      const a = agg[split]!;
      a[row.system] = [...(a[row.system] ?? []), row.recallAt1];
    }
  console.log(`seed ${seed} done in ${r.wallTimeS.toFixed(0)} s:`, JSON.stringify(r.rows.validation));
}
const ms = (xs: number[]): string => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return `${m.toFixed(2)} ± ${sd.toFixed(2)}`;
};
let md =
  `Data: ${origin} (${sizes}); K = ${k} candidates (true response + ${k - 1} retrieved by MiniSearch BM25+ from ${index.size} distinct training responses). ` +
  `Selector: feature-based Q (dense MLP ${DIALOGUE_SELECTOR_DEFAULTS.hidden} hidden${values["no-cross"] ? "" : " + linear hashed word crosses"}), ` +
  `${values.steps ?? DIALOGUE_SELECTOR_DEFAULTS.steps} DQN episodes, tfjs ${backend.name}; DQN wall time per seed ${(wall.reduce((a, b) => a + b, 0) / wall.length).toFixed(0)} s.\n\n`;
for (const split of splitNames) {
  md += `### ${split}: recall@1 (%) over seeds ${seeds.join(", ")}\n\n| system | seeds | R@1 |\n| --- | ---: | ---: |\n`;
  for (const [system, v] of Object.entries(agg[split]!)) md += `| ${system} | ${v.length} | ${ms(v)} |\n`;
  md += "\n";
}
mkdirSync(values.out.split("/").slice(0, -1).join("/") || ".", { recursive: true });
writeFileSync(`${values.out}.md`, md);
writeFileSync(`${values.out}.json`, JSON.stringify({ seeds, k, agg, wall, backend: backend.name }, null, 2));
console.log(md);
