/**
 * The `select` command (QA selection mode): answerers → candidates → selection DQN over one or more seeds,
 * then a run folder with the DQN's test picks, every system's scores (mean ± std over seeds) and a report.
 */
import {
  type CliCommand,
  type CliIo,
  formatDuration,
  type OptionSpec,
  type ParsedOptions,
  RunFolder,
  renderAggregateTable,
  UsageError,
} from "@dqnlm/appkit";
import { selectBackend } from "@dqnlm/qnet";
import { loadQa } from "./data.js";
import { defaultAnswerers, QA_SELECTOR_DEFAULTS, qaEpisodes, runQaSelection } from "./selection.js";

/** Options of `select` (besides appkit's common `--help`). */
export const SELECT_OPTIONS: readonly OptionSpec[] = [
  {
    name: "data-dir",
    kind: "string",
    help: "folder with train/validation/test files (.jsonl/.csv/.tsv/.parquet); omit for the demonstration data",
  },
  {
    name: "field-context",
    kind: "string",
    default: "context",
    help: "record field of the context paragraph",
  },
  { name: "field-question", kind: "string", default: "question", help: "record field of the question" },
  {
    name: "field-answers",
    kind: "string",
    default: "answers",
    help: "record field of the answers (string or list)",
  },
  { name: "field-id", kind: "string", default: "id", help: "record field of the id (optional)" },
  { name: "skip-bad-lines", kind: "boolean", default: false, help: "skip malformed records and count them" },
  { name: "train-limit", kind: "int", min: 1, help: "use only the first N training examples" },
  { name: "validation-limit", kind: "int", min: 1, help: "use only the first N validation examples" },
  { name: "test-limit", kind: "int", min: 1, help: "use only the first N test examples" },
  { name: "demo-seed", kind: "int", default: 0, help: "seed of the demonstration data generator" },
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
  const backend = await selectBackend({ backend: String(values.backend ?? "cpu") as "cpu" });
  const str = (k: string): string | undefined =>
    typeof values[k] === "string" ? (values[k] as string) : undefined;
  const limits: Record<string, number> = {};
  for (const s of ["train", "validation", "test"])
    if (typeof values[`${s}-limit`] === "number") limits[s] = values[`${s}-limit`] as number;
  const data = await loadQa({
    ...(str("data-dir") ? { dataDir: str("data-dir")! } : {}),
    fields: {
      context: str("field-context") ?? "context",
      question: str("field-question") ?? "question",
      answers: str("field-answers") ?? "answers",
      id: str("field-id") ?? "id",
    },
    skipBadLines: values["skip-bad-lines"] === true,
    limits,
    demoSeed: typeof values["demo-seed"] === "number" ? values["demo-seed"] : 0,
  });
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
  const { answerers, idf } = defaultAnswerers(data.splits.train);
  const episodes = {
    train: qaEpisodes(data.splits.train, answerers, idf, k),
    validation: qaEpisodes(data.splits.validation, answerers, idf, k),
    test: qaEpisodes(data.splits.test, answerers, idf, k),
  };
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
      data.splits,
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
    data: { origin: data.origin, demo: data.demo, sizes, skipped: data.skipped },
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
