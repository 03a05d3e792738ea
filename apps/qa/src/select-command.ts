/**
 * The `select` command (QA selection mode): answerers → candidates → selection DQN over one or more seeds,
 * then a run folder with the DQN's test picks, every system's scores (mean ± std over seeds) and a report.
 */

import { relative } from "node:path";
import {
  type CliCommand,
  type CliIo,
  checkOutputFolder,
  formatDuration,
  type OptionSpec,
  type ParsedOptions,
  RunFolder,
  renderAggregateTable,
  UsageError,
} from "@dqnlm/appkit";
import { selectBackend } from "@dqnlm/qnet";
import { loadQaFromOptions, QA_DATA_OPTIONS } from "./data.js";
import {
  extractiveRate,
  generatorCandidateScores,
  generatorSpans,
  loadQaGenerator,
  precomputedAnswerer,
  withFeature,
} from "./generator.js";
import { defaultAnswerers, QA_SELECTOR_DEFAULTS, qaEpisodes, runQaSelection } from "./selection.js";

/** Options of `select` (besides appkit's common `--help`). */
export const SELECT_OPTIONS: readonly OptionSpec[] = [
  ...QA_DATA_OPTIONS,
  { name: "seeds", kind: "ints", default: [1], help: "DQN seeds, comma-separated (e.g. 1,2,3)" },
  { name: "steps", kind: "int", min: 1, default: QA_SELECTOR_DEFAULTS.steps, help: "DQN episodes per seed" },
  { name: "k", kind: "int", min: 1, default: 3, help: "candidates taken from each answerer" },
  {
    name: "hidden",
    kind: "int",
    min: 1,
    default: QA_SELECTOR_DEFAULTS.hidden,
    help: "hidden units of the Q-function",
  },
  {
    name: "lr",
    kind: "number",
    min: 0,
    default: QA_SELECTOR_DEFAULTS.learningRate,
    help: "Adam learning rate",
  },
  {
    name: "cross-features",
    kind: "string",
    choices: ["yes", "no"],
    default: "yes",
    help: "use the hashed question-phrase × answerer × answer-shape features",
  },
  {
    name: "generator",
    kind: "string",
    help: "a generation run folder of `train`: its beam hypotheses become a fourth answerer and its log-probability of every candidate a feature",
  },
  { name: "beams", kind: "int", min: 1, default: 4, help: "beam width of the generator (its candidates)" },
  {
    name: "constrain",
    kind: "string",
    choices: ["spans", "none"],
    default: "spans",
    help: "generator decoding: constrained to word spans of the prompt's context, or free",
  },
  {
    name: "generator-features",
    kind: "string",
    choices: ["yes", "no"],
    default: "yes",
    help: "add the generator's mean token log-probability of each candidate as a feature",
  },
  {
    name: "train-skip",
    kind: "int",
    min: 0,
    help: "drop the first N training questions from the selector's training (default: the generator's --train-limit, so the selector never trains on questions the generator was trained on; else 0)",
  },
  {
    name: "generator-backend",
    kind: "string",
    default: "wasm",
    help: "tfjs backend of the generator's beam search and scoring (cpu | wasm)",
  },
  { name: "out", kind: "string", default: "runs/qa-select", help: "run folder" },
  { name: "backend", kind: "string", default: "cpu", help: "tfjs backend (cpu | wasm)" },
  { name: "quiet", kind: "boolean", default: false, help: "print only the final table" },
];

function num(v: unknown, name: string): number {
  if (typeof v !== "number") throw new UsageError(name, "a number", v);
  return v;
}

/** Runs QA selection mode from parsed options. */
export async function runSelect(
  values: ParsedOptions["values"],
  io: CliIo,
  title = "qa selection",
): Promise<void> {
  const t0 = performance.now();
  checkOutputFolder(String(values.out ?? "runs/qa-select")); // before any work
  const backend = await selectBackend({ backend: String(values.backend ?? "cpu") as "cpu" });
  const str = (k: string): string | undefined =>
    typeof values[k] === "string" ? (values[k] as string) : undefined;
  const data = await loadQaFromOptions(values);
  const say = (t: string): void => {
    if (values.quiet !== true) io.stdout(t);
  };
  const sizes = {
    train: data.splits.train.length,
    validation: data.splits.validation.length,
    test: data.splits.test.length,
  };
  say(
    `${title}: ${data.origin} (train ${sizes.train}, validation ${sizes.validation}, test ${sizes.test}); backend ${backend.name}\n`,
  );
  const k = num(values.k, "k");
  const genPath = str("generator");
  const gen = genPath !== undefined ? loadQaGenerator(genPath) : undefined;
  let trainSkip = typeof values["train-skip"] === "number" ? values["train-skip"] : (gen?.trainLimit ?? 0);
  if (gen && values["train-skip"] === undefined && gen.trainLimit === undefined)
    io.stderr(
      `warning: the generator ${gen.runDir} was trained on every training question; the selector's training candidates from it are optimistic (pass --train-skip N to hold questions out)\n`,
    );
  if (gen && (gen.dataDir ?? "") !== (str("data-dir") ?? ""))
    io.stderr(
      `warning: the generator was trained on ${gen.dataDir ?? "the demonstration data"}, this run reads ${str("data-dir") ?? "the demonstration data"}\n`,
    );
  trainSkip = Math.min(trainSkip, Math.max(0, data.splits.train.length - 1));
  const splits = { ...data.splits, train: data.splits.train.slice(trainSkip) };
  const { answerers, idf } = defaultAnswerers(splits.train);
  let genNote = "";
  if (gen) {
    const tg = performance.now();
    await selectBackend({ backend: String(values["generator-backend"] ?? "wasm") as "wasm" });
    const all = [...splits.train, ...splits.validation, ...splits.test];
    const constrained = values.constrain !== "none";
    const spans = await generatorSpans(gen, all, { beams: num(values.beams, "beams"), constrained });
    const name = `generator (beam ${num(values.beams, "beams")}${constrained ? ", context spans" : ""})`;
    answerers.push(precomputedAnswerer(name, all, spans));
    genNote = `${name}: ${relative(process.cwd(), gen.runDir) || "."}, ${(spans.reduce((a, x) => a + x.length, 0) / Math.max(1, spans.length)).toFixed(2)} hypotheses per question, ${(100 * extractiveRate(all, spans)).toFixed(1)}% inside the context, ${formatDuration((performance.now() - tg) / 1000)}`;
    say(`${genNote}\n`);
  }
  let episodes = {
    train: qaEpisodes(splits.train, answerers, idf, k),
    validation: qaEpisodes(splits.validation, answerers, idf, k),
    test: qaEpisodes(splits.test, answerers, idf, k),
  };
  const genFeatures = gen !== undefined && values["generator-features"] !== "no";
  if (gen && genFeatures) {
    const ts = performance.now();
    // One pass (one checkpoint load) over the three splits, then split the scores back.
    const all = [...episodes.train, ...episodes.validation, ...episodes.test];
    const wide = withFeature(all, generatorCandidateScores(gen, all));
    const nT = episodes.train.length;
    const nV = episodes.validation.length;
    episodes = { train: wide.slice(0, nT), validation: wide.slice(nT, nT + nV), test: wide.slice(nT + nV) };
    say(
      `generator log-probability feature for every candidate: ${formatDuration((performance.now() - ts) / 1000)}\n`,
    );
  }
  if (gen) await selectBackend({ backend: String(values.backend ?? "cpu") as "cpu" });
  const tCand = (performance.now() - t0) / 1000;
  const seeds = (values.seeds as readonly number[] | undefined) ?? [1];
  const agg: Record<"validation" | "test", Record<string, Record<string, number[]>>> = {
    validation: {},
    test: {},
  };
  let dqnWall = 0;
  const run = new RunFolder(String(values.out ?? "runs/qa-select"));
  let lastPicks: number[] = [];
  for (const seed of seeds) {
    const r = await runQaSelection(
      splits,
      {
        seed,
        steps: num(values.steps, "steps"),
        hidden: num(values.hidden, "hidden"),
        learningRate: num(values.lr, "lr"),
        crossFeatures: values["cross-features"] !== "no",
        onLog: (l) =>
          say(
            `  seed ${seed} step ${l.step} ε=${l.epsilon.toFixed(2)} reward ${l.reward.toFixed(3)} loss ${l.loss.toFixed(4)} Q ${l.meanQ.toFixed(3)}\n`,
          ),
      },
      { answerers, idf, episodes },
    );
    dqnWall += r.wallTimeS.dqn ?? 0;
    for (const split of ["validation", "test"] as const)
      for (const row of r.rows[split]) {
        const a = agg[split];
        const m = a[row.system] ?? { F1: [], EM: [] };
        a[row.system] = m;
        m.F1!.push(row.scores.f1);
        m.EM!.push(row.scores.em);
      }
    lastPicks = r.picks.test;
  }
  const rows = (split: "validation" | "test") =>
    Object.entries(agg[split]).map(([system, values]) => ({ system, values }));
  const columns = [{ name: "F1" }, { name: "EM" }];
  const testTable = renderAggregateTable(rows("test"), columns);
  const valTable = renderAggregateTable(rows("validation"), columns);
  run.writePredictions(
    "test",
    `dqn-selector-seed-${seeds[seeds.length - 1]}`,
    episodes.test.map((e, i) => ({
      id: e.example.id,
      source: e.example.question,
      references: e.example.answers,
      prediction: e.candidates[lastPicks[i]!]?.text ?? "",
    })),
  );
  const meanK =
    episodes.train.reduce((s, e) => s + e.candidates.length, 0) / Math.max(1, episodes.train.length);
  const wall = (performance.now() - t0) / 1000;
  const results = {
    data: { origin: data.origin, demo: data.demo, sizes, skipped: data.skipped, trainSkip },
    generator: gen
      ? { run: gen.runDir, checkpoint: gen.checkpoint, note: genNote, features: genFeatures }
      : null,
    seeds,
    agg,
    backend: backend.name,
    wallTimeS: { candidates: tCand, dqn: dqnWall, total: wall },
  };
  run.writeJson("results.json", results);
  run.writeJson("app-config.json", values);
  const report = [
    `# ${title} — run report`,
    "",
    `Data: ${data.origin}${data.demo ? " (built-in demonstration data, generated by this project)" : ""} — train ${sizes.train}, validation ${sizes.validation}, test ${sizes.test}${data.skipped ? `; ${data.skipped} malformed records skipped` : ""}.`,
    "",
    `Candidates: top ${k} spans of each answerer (${answerers.map((a) => a.name).join(", ")}), ${meanK.toFixed(2)} per question on average. ` +
      (gen
        ? `Generator: ${genNote}${genFeatures ? "; its mean token log-probability of every candidate is a selector feature" : ""}. `
        : "") +
      (trainSkip > 0
        ? `The selector trains on training questions ${trainSkip + 1}–${data.splits.train.length} (the first ${trainSkip} are held out${gen?.trainLimit ? ": the generator was trained on them" : ""}). `
        : "") +
      `Selector: feature-based Q-function (MLP, ${num(values.hidden, "hidden")} hidden units${values["cross-features"] !== "no" ? " + hashed cross features" : ""}) trained by DQN on one-step episodes (y = r = SQuAD F1 of the pick), ε-greedy, uniform replay; ${num(values.steps, "steps")} episodes per seed; seeds ${seeds.join(", ")}.`,
    "",
    "## Test (SQuAD v1.1 F1 / EM × 100, mean ± std over seeds)",
    "",
    testTable,
    "## Validation",
    "",
    valTable,
    `Backend: tfjs ${backend.name}. Wall time: candidates ${formatDuration(tCand)}, DQN ${formatDuration(dqnWall)}, total ${formatDuration(wall)}.`,
    "",
  ].join("\n");
  run.writeText("report.md", report);
  io.stdout(`\nTest (F1/EM × 100):\n${testTable}\nrun folder: ${run.dir}\n`);
}

/** The `select` command. */
export const selectCommand: CliCommand = {
  summary: "selection mode: the DQN picks among the extractive answerers' candidates (reward SQuAD F1)",
  options: SELECT_OPTIONS,
  run: async (p, io) => {
    await runSelect(p.values, io);
  },
};
