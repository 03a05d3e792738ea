/**
 * LM log-likelihood scores of the hard selection candidates (the truth + 99 hard negatives of every example of a
 * split) under the base GPT-2, written to a JSON cache that scripts/selection-hard-experiment.ts reads. Usage
 * (from apps/dialogue):
 *   nice -n 10 node --conditions=source --import tsx scripts/selection-hard-ll.ts \
 *     --data-dir ../../../shared/data/dialogue --model ../../models/dqnlm-base --tokenizer ../../models/dqnlm-base \
 *     --split test --out /tmp/selhard/ll-test.json
 * Options: --limit N (first N examples), --backend wasm|cpu (default wasm).
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
const rows = sets.map((s, i) => {
  const r = scorer.score(s.example.history, [s.example.response, ...s.negatives]);
  if (i % 25 === 0)
    console.log(
      `${split} ${i}/${sets.length} ${((performance.now() - t0) / 1000).toFixed(0)} s load ${loadavg()[0]!.toFixed(2)}`,
    );
  return { id: s.example.id, sum: [...r.sum], mean: [...r.mean], tokens: [...r.tokens] };
});
const seconds = (performance.now() - t0) / 1000;
scorer.dispose();
const out = values.out ?? `/tmp/selhard/ll-${split}.json`;
writeFileSync(
  out,
  JSON.stringify({
    split,
    model: values.model,
    backend: backend.name,
    seconds,
    loadavgStart: load0,
    loadavgEnd: loadavg(),
    rows,
  }),
);
console.log(`wrote ${out}: ${rows.length} examples in ${seconds.toFixed(0)} s (${backend.name})`);
