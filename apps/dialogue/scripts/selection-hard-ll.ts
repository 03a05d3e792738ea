/**
 * LM log-likelihood scores of the hard selection candidates (the truth + 99 hard negatives of every example of a
 * split) under the base GPT-2, written to a JSON cache that scripts/selection-hard-experiment.ts reads. Usage
 * (from apps/dialogue):
 *   nice -n 10 node --conditions=source --import tsx scripts/selection-hard-ll.ts \
 *     --data-dir ../../../shared/data/dialogue --model ../../models/dqnlm-base --tokenizer ../../models/dqnlm-base \
 *     --split test --out /tmp/selhard/ll-test.json
 * Options: --limit N (first N examples), --backend wasm|cpu (default wasm), --unconditional (score log p(response)
 * after EOS alone, no history: the prior that the experiment subtracts for its PMI row).
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { loadTokenizer } from "@dqnlm/mdp";
import { QNetwork, selectBackend } from "@dqnlm/qnet";
import { LMScorer } from "../src/ll-ranker.js";
import { hardSetup } from "./selection-hard-setup.js";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string", default: "../../../shared/data/dialogue" },
    model: { type: "string", default: "../../models/dqnlm-base" },
    tokenizer: { type: "string" },
    split: { type: "string", default: "test" },
    limit: { type: "string" },
    backend: { type: "string", default: "wasm" },
    out: { type: "string" },
    unconditional: { type: "boolean", default: false },
  },
});
const split = values.split === "validation" ? "validation" : "test";
const backend = await selectBackend({ backend: values.backend as "wasm" });
const setup = hardSetup(values["data-dir"]);
const sets = setup.sets[split].slice(0, values.limit ? Number(values.limit) : undefined);
const net = QNetwork.load(values.model);
const scorer = await LMScorer.create(net, loadTokenizer(values.tokenizer ?? values.model));
net.dispose();
const load0 = loadavg();
const t0 = performance.now();
// Unconditional scores depend on the text alone: score each distinct text once.
const prior = new Map<string, { sum: number; mean: number; tokens: number }>();
if (values.unconditional) {
  const texts = [...new Set(sets.flatMap((s) => [s.example.response, ...s.negatives]))];
  for (let i = 0; i < texts.length; i += 100) {
    const chunk = texts.slice(i, i + 100);
    const r = scorer.score([], chunk);
    chunk.forEach((t, j) => {
      prior.set(t, { sum: r.sum[j]!, mean: r.mean[j]!, tokens: r.tokens[j]! });
    });
    if (i % 2000 === 0)
      console.log(`prior ${i}/${texts.length} ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
}
const out = values.out ?? `/tmp/selhard/ll-${split}.json`;
const save = (done: unknown[]): void =>
  writeFileSync(
    out,
    JSON.stringify({
      split,
      model: values.model,
      backend: backend.name,
      seconds: (performance.now() - t0) / 1000,
      loadavgStart: load0,
      loadavgEnd: loadavg(),
      rows: done,
    }),
  );
const rows: unknown[] = [];
// Saved every 50 examples, so that a killed run leaves its first rows (the experiment reports them as such).
for (const [i, s] of sets.entries()) {
  rows.push(scoreOne(s, i));
  if (rows.length % 50 === 0) save(rows);
}
function scoreOne(s: (typeof sets)[number], i: number): unknown {
  if (values.unconditional) {
    const ps = [s.example.response, ...s.negatives].map((t) => prior.get(t)!);
    return {
      id: s.example.id,
      sum: ps.map((p) => p.sum),
      mean: ps.map((p) => p.mean),
      tokens: ps.map((p) => p.tokens),
    };
  }
  const r = scorer.score(values.unconditional ? [] : s.example.history, [s.example.response, ...s.negatives]);
  if (i % 25 === 0)
    console.log(
      `${split} ${i}/${sets.length} ${((performance.now() - t0) / 1000).toFixed(0)} s load ${loadavg()[0]!.toFixed(2)}`,
    );
  return { id: s.example.id, sum: [...r.sum], mean: [...r.mean], tokens: [...r.tokens] };
}
save(rows);
scorer.dispose();
console.log(
  `wrote ${out}: ${rows.length} examples in ${((performance.now() - t0) / 1000).toFixed(0)} s (${backend.name})`,
);
