/**
 * Aggregates the test tables of several `train` run folders (one per seed) into mean ± std per system, plus the
 * per-seed rows and the paired DQN − start differences. Usage (from apps/qa):
 *   node --conditions=source --import tsx scripts/aggregate-runs.ts --title "…" --out results/x.md runs/a/seed1 …
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { formatMeanStd, meanStd, renderAggregateTable } from "@dqnlm/appkit";

const { values, positionals } = parseArgs({
  options: { title: { type: "string", default: "qa runs" }, out: { type: "string" } },
  allowPositionals: true,
});
interface RunResults {
  systems: { system: string; scores: { name: string; value: number }[] }[];
  wallTimeS: { total: number };
  stopped: string;
}
const agg = new Map<string, Record<string, number[]>>();
const perSeed: string[] = [
  "| run | system | EM | F1 | wall time | stopped |",
  "| --- | --- | ---: | ---: | ---: | --- |",
];
const deltas: Record<string, number[]> = { EM: [], F1: [] };
for (const dir of positionals) {
  const r = JSON.parse(readFileSync(`${dir}/results.json`, "utf8")) as RunResults;
  for (const s of r.systems) {
    const a = agg.get(s.system) ?? {};
    for (const m of s.scores) {
      const xs = a[m.name] ?? [];
      xs.push(m.value);
      a[m.name] = xs;
    }
    agg.set(s.system, a);
    const v = (n: string) => s.scores.find((m) => m.name === n)?.value.toFixed(2) ?? "—";
    perSeed.push(
      `| ${dir} | ${s.system} | ${v("EM")} | ${v("F1")} | ${r.wallTimeS.total.toFixed(0)} s | ${r.stopped} |`,
    );
  }
  const [start, dqn] = r.systems;
  if (start && dqn)
    for (const n of ["EM", "F1"]) {
      const d =
        (dqn.scores.find((m) => m.name === n)?.value ?? 0) -
        (start.scores.find((m) => m.name === n)?.value ?? 0);
      deltas[n]!.push(d);
    }
}
const table = renderAggregateTable(
  [...agg].map(([system, v]) => ({ system, values: v })),
  [{ name: "EM" }, { name: "F1" }],
);
const paired = `Paired DQN − start over ${deltas.F1!.length} seeds: EM ${formatMeanStd(meanStd(deltas.EM!), 2)}, F1 ${formatMeanStd(meanStd(deltas.F1!), 2)} (per seed F1: ${deltas.F1!.map((d) => d.toFixed(2)).join(", ")}).`;
const md = `# ${values.title}\n\n${table}\n${paired}\n\n${perSeed.join("\n")}\n`;
if (values.out) writeFileSync(values.out, md);
console.log(md);
