/**
 * The hard selection table (results/selection-hard.md): recall@1 and recall@5 among 10 and 100 candidates (the
 * truth + 9 or 99 hard negatives: same service domain, same stage, see src/hard-negatives.ts) of a random ranking
 * (exact expectation and a seeded draw), the BM25+ ranking, the base language model's log-likelihood ranking
 * (scores cached by scripts/selection-hard-ll.ts) and the selection DQN retrained on hard-negative episodes
 * (K = 10 training episodes; ranked by Q). Usage (from apps/dialogue):
 *   nice -n 10 node --conditions=source --import tsx scripts/selection-hard-experiment.ts \
 *     --data-dir ../../../shared/data/dialogue --ll-validation /tmp/selhard/ll-validation.json \
 *     --ll-test /tmp/selhard/ll-test.json --seeds 1,2,3 --steps 20000 --dqn-budget-s 900 --out results/selection-hard
 * Options: --seeds (DQN seeds; none = no DQN), --steps (DQN episodes per seed), --dqn-budget-s (no new seed starts
 * that would end past this many CPU seconds of DQN training, judged by the previous seed), --model-note (text naming the LM in the report).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Rng } from "@dqnlm/core";
import { selectBackend } from "@dqnlm/qnet";
import type { DialogueEpisode } from "../src/features.js";
import { hardCandidateSets, hardEpisodes } from "../src/hard-episodes.js";
import { HARD_NEGATIVE_LEVEL_NAMES, HARD_NEGATIVE_LEVELS } from "../src/hard-negatives.js";
import { meanRecallAtK, randomRecallAtK } from "../src/ranking.js";
import { DIALOGUE_SELECTOR_DEFAULTS, trainDialogueSelector } from "../src/selection.js";
import { EVAL_NEGATIVES, hardSetup } from "./selection-hard-setup.js";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string", default: "../../../shared/data/dialogue" },
    "ll-validation": { type: "string" },
    "ll-test": { type: "string" },
    "ll-uncond-validation": { type: "string" },
    "ll-uncond-test": { type: "string" },
    seeds: { type: "string", default: "" },
    steps: { type: "string", default: String(DIALOGUE_SELECTOR_DEFAULTS.steps) },
    "dqn-budget-s": { type: "string", default: "900" },
    "model-note": { type: "string", default: "" },
    "dqn-cache": { type: "string" },
    out: { type: "string", default: "results/selection-hard" },
  },
});
const EVAL = ["validation", "test"] as const;
type EvalSplit = (typeof EVAL)[number];
const KS = [10, 100] as const;
const COLS = [
  [10, 1],
  [10, 5],
  [100, 1],
  [100, 5],
] as const;
const colName = (K: number, k: number): string => `R${K}@${k}`;

const backend = await selectBackend({ backend: "cpu" });
const tStart = performance.now();
const load0 = loadavg();
const setup = hardSetup(values["data-dir"]);
console.log(`setup (index + hard negatives of validation/test) ${setup.seconds.toFixed(1)} s`);

// Episodes: the K = 10 set of an example is the truth + its first 9 negatives, a subset of its K = 100 set.
const eps = {} as Record<EvalSplit, Record<number, DialogueEpisode[]>>;
for (const s of EVAL)
  eps[s] = {
    10: hardEpisodes(setup.sets[s], 10, setup.index, 3),
    100: hardEpisodes(setup.sets[s], 100, setup.index, 3),
  };

// Where the negatives came from.
const levelShare = {} as Record<EvalSplit, Record<number, number[]>>;
const short = {} as Record<EvalSplit, number>;
for (const s of EVAL) {
  levelShare[s] = {};
  for (const K of KS) {
    const c = new Array<number>(HARD_NEGATIVE_LEVELS).fill(0);
    let n = 0;
    for (const set of setup.sets[s])
      for (const l of set.levels.slice(0, K - 1)) {
        c[l]!++;
        n++;
      }
    levelShare[s][K] = c.map((x) => (100 * x) / Math.max(1, n));
  }
  short[s] = setup.sets[s].filter((x) => x.negatives.length < EVAL_NEGATIVES).length;
}

type Row = { system: string; values: Record<string, number[]> };
const rows = {} as Record<EvalSplit, Row[]>;
const scoreRow = (
  system: string,
  split: EvalSplit,
  scoresOf: (K: number) => Array<ArrayLike<number>>,
  limit?: number,
): Row => {
  const v: Record<string, number[]> = {};
  for (const [K, k] of COLS) {
    const e = eps[split][K]!.slice(0, limit);
    v[colName(K, k)] = [
      meanRecallAtK(
        scoresOf(K),
        e.map((x) => x.truth),
        k,
      ),
    ];
  }
  return { system, values: v };
};

const drawSeed = { validation: 1, test: 2 } as const;
for (const s of EVAL) {
  rows[s] = [];
  const exact: Record<string, number[]> = {};
  for (const [K, k] of COLS) exact[colName(K, k)] = [randomRecallAtK(K, k)];
  rows[s].push({ system: "random (exact expectation)", values: exact });
  rows[s].push(
    scoreRow(`random (seeded draw, seed ${drawSeed[s]})`, s, (K) => {
      const rng = new Rng(drawSeed[s]);
      return eps[s][K]!.map((e) => Float64Array.from(e.candidates, () => rng.next()));
    }),
  );
  rows[s].push(
    scoreRow("BM25+ (ResponseIndex score)", s, (K) =>
      eps[s][K]!.map((e) => e.candidates.map((c) => c.score)),
    ),
  );
}

// LM log-likelihood ranking from the cache.
interface LLCache {
  split: string;
  model: string;
  seconds: number;
  loadavgStart: number[];
  loadavgEnd: number[];
  rows: Array<{ id: string; sum: number[]; mean: number[] }>;
}
const llInfo: Record<string, { seconds: number; examples: number; load: string; model: string }> = {};
for (const s of EVAL) {
  const file = values[s === "test" ? "ll-test" : "ll-validation"];
  if (!file || !existsSync(file)) continue;
  const c = JSON.parse(readFileSync(file, "utf8")) as LLCache;
  const n = c.rows.length;
  llInfo[s] = {
    seconds: c.seconds,
    examples: n,
    load: `${c.loadavgStart.map((x) => x.toFixed(2)).join(" ")} → ${c.loadavgEnd.map((x) => x.toFixed(2)).join(" ")}`,
    model: c.model,
  };
  for (const kind of ["sum", "mean"] as const) {
    const scoresOf = (K: number): number[][] =>
      eps[s][K]!.slice(0, n).map((e, i) => {
        const row = c.rows[i]!;
        if (row.id !== e.example.id)
          throw new Error(`LL cache row ${i} is ${row.id}, expected ${e.example.id}`);
        const set = setup.sets[s][i]!;
        const byText = new Map<string, number>(
          [set.example.response, ...set.negatives].map((t, j) => [t, row[kind][j]!]),
        );
        return e.candidates.map((cand) => byText.get(cand.text) ?? Number.NaN);
      });
    const name = `base LM log p(response | history), ${kind === "sum" ? "unnormalised (sum)" : "length-normalised (mean per token)"}${n < eps[s][10]!.length ? ` [first ${n} examples]` : ""}`;
    rows[s].push(scoreRow(name, s, scoresOf, n));
  }
}

// PMI diagnostic: log p(r | h) − log p(r), on the examples both caches cover.
for (const s of EVAL) {
  const fc = values[s === "test" ? "ll-test" : "ll-validation"];
  const fu = values[s === "test" ? "ll-uncond-test" : "ll-uncond-validation"];
  if (!fc || !fu || !existsSync(fc) || !existsSync(fu)) continue;
  const c = JSON.parse(readFileSync(fc, "utf8")) as LLCache;
  const u = JSON.parse(readFileSync(fu, "utf8")) as LLCache;
  const n = Math.min(c.rows.length, u.rows.length);
  const scoresOf = (K: number): number[][] =>
    eps[s][K]!.slice(0, n).map((e, i) => {
      const set = setup.sets[s][i]!;
      const [rc, ru] = [c.rows[i]!, u.rows[i]!];
      if (rc.id !== e.example.id || ru.id !== e.example.id)
        throw new Error(`LL cache row ${i} is not ${e.example.id}`);
      const byText = new Map<string, number>(
        [set.example.response, ...set.negatives].map((t, j) => [t, rc.sum[j]! - ru.sum[j]!]),
      );
      return e.candidates.map((cand) => byText.get(cand.text) ?? Number.NaN);
    });
  const note = n < eps[s][10]!.length ? ` [first ${n} examples]` : "";
  rows[s].push(scoreRow(`base LM PMI: log p(response | history) − log p(response)${note}`, s, scoresOf, n));
  // The same examples' plain rows, for a like-for-like comparison.
  if (note === "") continue;
  for (const kind of ["sum", "mean"] as const)
    rows[s].push(
      scoreRow(
        `base LM ${kind === "sum" ? "unnormalised" : "length-normalised"}, same examples${note}`,
        s,
        (K) =>
          eps[s][K]!.slice(0, n).map((e, i) => {
            const set = setup.sets[s][i]!;
            const byText = new Map<string, number>(
              [set.example.response, ...set.negatives].map((t, j) => [t, c.rows[i]![kind][j]!]),
            );
            return e.candidates.map((cand) => byText.get(cand.text) ?? Number.NaN);
          }),
        n,
      ),
    );
}

// The selection DQN on hard-negative training episodes (K = 10).
const seeds = values.seeds === "" ? [] : values.seeds.split(",").map(Number);
const dqn: Record<EvalSplit, Record<string, number[]>> = { validation: {}, test: {} };
let curves: Array<{ seed: number; log: unknown[]; seconds: number; cpuSeconds: number }> = [];
let dqnSeconds = 0;
let trainBuild = 0;
const cache = values["dqn-cache"];
const cached = cache !== undefined && existsSync(cache);
if (cached) {
  const c = JSON.parse(readFileSync(cache, "utf8")) as {
    dqn: typeof dqn;
    curves: typeof curves;
    seconds: number;
    trainBuild: number;
  };
  for (const s of EVAL) dqn[s] = c.dqn[s];
  curves = c.curves;
  dqnSeconds = c.seconds;
  trainBuild = c.trainBuild;
  console.log(`DQN results read from ${cache} (seeds ${curves.map((x) => x.seed).join(", ")})`);
} else if (seeds.length > 0) {
  const t0 = performance.now();
  const trainSets = hardCandidateSets(setup.splits.train, setup.sampler, 9, 0);
  const train = hardEpisodes(trainSets, 10, setup.index, 4);
  trainBuild = (performance.now() - t0) / 1000;
  console.log(`train hard episodes (K = 10): ${train.length} in ${trainBuild.toFixed(0)} s`);
  for (const seed of seeds) {
    // CPU-time budget: no seed starts that would end past it (judged by the last seed's cost).
    const spent = curves.reduce((a, c) => a + c.cpuSeconds, 0);
    const next = curves.at(-1)?.cpuSeconds ?? 0;
    if (spent + next > Number(values["dqn-budget-s"])) {
      console.log(
        `DQN CPU budget: ${spent.toFixed(0)} s spent, a seed costs ~${next.toFixed(0)} s: seed ${seed} not run`,
      );
      break;
    }
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    const log: unknown[] = [];
    const net = await trainDialogueSelector(train, {
      seed,
      steps: Number(values.steps),
      onLog: (l) => {
        log.push({ ...l, seconds: (performance.now() - t1) / 1000 });
        console.log(`seed ${seed}`, JSON.stringify(l), `${((performance.now() - t1) / 1000).toFixed(0)} s`);
      },
    });
    const sec = (performance.now() - t1) / 1000;
    dqnSeconds += sec;
    const cpu = process.cpuUsage(cpu0);
    curves.push({ seed, log, seconds: sec, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
    for (const s of EVAL) {
      const r = scoreRow("DQN", s, (K) => net.scores(eps[s][K]!));
      for (const [c, v] of Object.entries(r.values)) dqn[s][c] = [...(dqn[s][c] ?? []), v[0]!];
    }
    net.dispose();
    console.log(`seed ${seed}: ${sec.toFixed(0)} s; validation`, JSON.stringify(dqn.validation));
  }
  if (cache !== undefined)
    writeFileSync(cache, JSON.stringify({ dqn, curves, seconds: dqnSeconds, trainBuild }));
}
if (curves.length > 0) {
  for (const s of EVAL)
    rows[s].push({
      system: `selection DQN (hard K = 10 training, ranked by Q; seeds ${curves.map((c) => c.seed).join(", ")})`,
      values: dqn[s],
    });
}

const ms = (xs: number[] | undefined): string => {
  if (!xs || xs.length === 0) return "—";
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length === 1) return m.toFixed(2);
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  return `${m.toFixed(2)} ± ${sd.toFixed(2)}`;
};
const esc = (t: string): string => t.replaceAll("|", "\\|");
const table = (s: EvalSplit): string =>
  [
    `| ranker | ${COLS.map(([K, k]) => colName(K, k)).join(" | ")} |`,
    `| --- | ${COLS.map(() => "---:").join(" | ")} |`,
    ...rows[s].map(
      (r) => `| ${r.system} | ${COLS.map(([K, k]) => ms(r.values[colName(K, k)])).join(" | ")} |`,
    ),
  ].join("\n");
const levelsTable = [
  `| split | K | ${HARD_NEGATIVE_LEVEL_NAMES.map((n, i) => `L${i} ${esc(n)}`).join(" | ")} |`,
  `| --- | ---: | ${HARD_NEGATIVE_LEVEL_NAMES.map(() => "---:").join(" | ")} |`,
  ...EVAL.flatMap((s) =>
    KS.map((K) => `| ${s} | ${K} | ${levelShare[s][K]!.map((x) => x.toFixed(1)).join(" | ")} |`),
  ),
].join("\n");
const wall = (performance.now() - tStart) / 1000;
const summary = {
  data: values["data-dir"],
  sizes: Object.fromEntries(Object.entries(setup.splits).map(([k, v]) => [k, v.length])),
  rows,
  levelShare,
  examplesWithFewerThan99Negatives: short,
  llInfo,
  dqn: {
    seeds: curves.map((c) => c.seed),
    steps: Number(values.steps),
    seconds: dqnSeconds,
    trainBuildSeconds: trainBuild,
    curves,
  },
  wallSeconds: wall,
  loadavgStart: load0,
  loadavgEnd: loadavg(),
  backend: backend.name,
  modelNote: values["model-note"],
};
writeFileSync(`${values.out}.json`, `${JSON.stringify(summary, null, 2)}\n`);
const md = `### test (recall@k × 100)\n\n${table("test")}\n\n### validation\n\n${table("validation")}\n\n### negatives by fallback level (% of drawn negatives)\n\n${levelsTable}\n\nExamples with fewer than 99 negatives: validation ${short.validation}, test ${short.test}. Wall ${wall.toFixed(0)} s (DQN ${dqnSeconds.toFixed(0)} s over ${curves.length} seeds; train episodes built in ${trainBuild.toFixed(0)} s); loadavg ${load0.map((x) => x.toFixed(2)).join(" ")} → ${loadavg()
  .map((x) => x.toFixed(2))
  .join(" ")}.\n`;
writeFileSync(`${values.out}.tables.md`, md);
console.log(md);
