/**
 * Aggregates the test tables of several `train` run folders (one per seed, any task: the metric columns come from
 * the runs) into mean ± std per system, plus the per-seed rows and the paired DQN − start differences. Usage:
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
const runs = positionals.map((dir) => ({
  dir,
  r: JSON.parse(readFileSync(`${dir}/results.json`, "utf8")) as RunResults,
}));
const names = runs[0]?.r.systems[0]?.scores.map((m) => m.name) ?? [];
const perSeed: string[] = [
  `| run | system | ${names.join(" | ")} | wall time | stopped |`,
  `| --- | --- | ${names.map(() => "---:").join(" | ")} | ---: | --- |`,
];
const deltas: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
for (const { dir, r } of runs) {
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
      `| ${dir} | ${s.system} | ${names.map(v).join(" | ")} | ${r.wallTimeS.total.toFixed(0)} s | ${r.stopped} |`,
    );
  }
  const [start, dqn] = r.systems;
  if (start && dqn)
    for (const n of names) {
      const d =
        (dqn.scores.find((m) => m.name === n)?.value ?? 0) -
        (start.scores.find((m) => m.name === n)?.value ?? 0);
      deltas[n]!.push(d);
    }
}
const table = renderAggregateTable(
  [...agg].map(([system, v]) => ({ system, values: v })),
  names.map((name) => ({ name })),
);
const paired = `Paired DQN − start over ${runs.length} seeds: ${names
  .map(
    (n) =>
      `${n} ${formatMeanStd(meanStd(deltas[n]!), 2)} (${deltas[n]!.map((d) => d.toFixed(2)).join(", ")})`,
  )
  .join("; ")}.`;
const md = `# ${values.title}\n\n${table}\n${paired}\n\n${perSeed.join("\n")}\n`;
if (values.out) writeFileSync(values.out, md);
console.log(md);
