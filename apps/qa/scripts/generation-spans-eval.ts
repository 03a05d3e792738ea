/**
 * The generation experiment's checkpoints (runs/experiment/seed<N>/mle and …/dqn-stable, from
 * scripts/generation-experiment.sh) decoded on the test split with span-constrained decoding (`eval-spans`,
 * beam 1 = constrained greedy argmax-Q), MLE vs DQN, mean ± std over seeds. Usage (from apps/qa):
 *   node --conditions=source --import tsx scripts/generation-spans-eval.ts --data-dir ../../../shared/data/qa \
 *     --runs runs/experiment --seeds 1,2,3 --out results/generation-spans
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { renderAggregateTable } from "@dqnlm/appkit";
import { runSpanEval } from "../src/spans-command.js";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    runs: { type: "string", default: "runs/experiment" },
    seeds: { type: "string", default: "1,2,3" },
    beams: { type: "string", default: "1" },
    out: { type: "string", default: "results/generation-spans" },
  },
});
const t0 = performance.now();
const systems = [
  ["MLE (span-constrained decoding)", "mle"],
  ["DQN stable (span-constrained decoding)", "dqn-stable"],
] as const;
const agg: Record<string, Record<string, number[]>> = {};
const io = { stdout: (t: string) => process.stdout.write(t), stderr: (t: string) => process.stderr.write(t) };
for (const seed of values.seeds.split(",")) {
  for (const [name, dir] of systems) {
    const r = await runSpanEval(
      {
        model: join(values.runs, `seed${seed}`, dir),
        split: "test",
        beams: Number(values.beams),
        ...(values["data-dir"] ? { "data-dir": values["data-dir"] } : {}),
        backend: "wasm",
        out: join(values.out, `seed${seed}-${dir}`),
      },
      io,
    );
    const a = agg[name] ?? { EM: [], F1: [] };
    agg[name] = a;
    a.EM!.push(r.em);
    a.F1!.push(r.f1);
  }
}
const table = renderAggregateTable(
  Object.entries(agg).map(([system, v]) => ({ system, values: v })),
  [{ name: "EM" }, { name: "F1" }],
);
mkdirSync(values.out, { recursive: true });
writeFileSync(
  join(values.out, "results.md"),
  `# qa generation, span-constrained decoding (test split, beam ${values.beams})\n\n${table}\nPer seed: ${JSON.stringify(agg)}\n\nWall time ${((performance.now() - t0) / 1000).toFixed(0)} s.\n`,
);
console.log(table);
