/**
 * The `select` command (dialogue selection mode): MiniSearch retrieval → K-candidate episodes → selection DQN over
 * one or more seeds, then a run folder with the DQN's test picks, recall@1 of DQN / random / BM25+ (mean ± std
 * over seeds) and a report.
 */
import {
  type CliCommand,
  type CliIo,
  checkOutputFolder,
  dataSourceFrom,
  dataSourceOptions,
  formatDuration,
  type OptionSpec,
  type ParsedOptions,
  RunFolder,
  renderAggregateTable,
  UsageError,
} from "@dqnlm/appkit";
import { selectBackend } from "@dqnlm/qnet";
import { sentenceBleu } from "@dqnlm/rewards";
import { loadDialogue } from "./data.js";
import { type DialogueRewardFn, exactReward } from "./features.js";
import {
  buildDialogueEpisodes,
  DIALOGUE_SELECTOR_DEFAULTS,
  meanReward,
  runDialogueSelection,
} from "./selection.js";
import { loadDialogueWithServices } from "./service-data.js";

/** Options of `select`. */
export const SELECT_OPTIONS: readonly OptionSpec[] = [
  ...dataSourceOptions([
    {
      name: "field-history",
      kind: "string",
      default: "history",
      help: "record field of the history (list of turns)",
    },
    { name: "field-response", kind: "string", default: "response", help: "record field of the response" },
    { name: "field-id", kind: "string", default: "id", help: "record field of the id (optional)" },
  ]),
  { name: "seeds", kind: "ints", default: [1], help: "DQN seeds, comma-separated (e.g. 1,2,3)" },
  {
    name: "steps",
    kind: "int",
    min: 1,
    default: DIALOGUE_SELECTOR_DEFAULTS.steps,
    help: "DQN episodes per seed",
  },
  {
    name: "k",
    kind: "int",
    min: 2,
    default: 10,
    help: "candidates per history (the true response + k−1 retrieved)",
  },
  {
    name: "hidden",
    kind: "int",
    min: 1,
    default: DIALOGUE_SELECTOR_DEFAULTS.hidden,
    help: "hidden units of the Q-function",
  },
  {
    name: "lr",
    kind: "number",
    min: 0,
    default: DIALOGUE_SELECTOR_DEFAULTS.learningRate,
    help: "Adam learning rate",
  },
  {
    name: "reward",
    kind: "string",
    choices: ["exact", "bleu"],
    default: "exact",
    help: "exact: 1 for the true response, else 0; bleu: sentence BLEU/100 of the pick against the true response",
  },
  {
    name: "cross-features",
    kind: "string",
    choices: ["yes", "no"],
    default: "yes",
    help: "use the hashed last-user-word × candidate-word features",
  },
  {
    name: "negatives",
    kind: "string",
    choices: ["random", "hard"],
    default: "random",
    help: "random: the k−1 best BM25+ matches among all training responses (any dialogue, service or stage); hard: other system turns of the same service domain(s) at the same stage (|Δturn| ≤ 2), with fallbacks (README, Hard negatives)",
  },
  { name: "out", kind: "string", default: "runs/dialogue-select", help: "run folder" },
  { name: "backend", kind: "string", default: "cpu", help: "tfjs backend (cpu | wasm)" },
  { name: "quiet", kind: "boolean", default: false, help: "print only the final table" },
];

function num(v: unknown, name: string): number {
  if (typeof v !== "number") throw new UsageError(name, "a number", v);
  return v;
}

const bleuSimilarity: DialogueRewardFn = (c, t, isTrue) =>
  isTrue ? 1 : Math.min(1, sentenceBleu(c, [t]).score / 100);

/** Runs dialogue selection mode from parsed options. */
export async function runSelect(
  values: ParsedOptions["values"],
  io: CliIo,
  title = "dialogue selection",
): Promise<void> {
  const t0 = performance.now();
  checkOutputFolder(String(values.out ?? "runs/dialogue-select")); // before any work
  const backend = await selectBackend({ backend: String(values.backend ?? "cpu") as "cpu" });
  const str = (k: string): string | undefined =>
    typeof values[k] === "string" ? (values[k] as string) : undefined;
  const negatives = values.negatives === "hard" ? "hard" : "random";
  const data = await (negatives === "hard" ? loadDialogueWithServices : loadDialogue)({
    ...dataSourceFrom(values),
    fields: {
      history: str("field-history") ?? "history",
      response: str("field-response") ?? "response",
      id: str("field-id") ?? "id",
    },
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
  const rewardName = values.reward === "bleu" ? "bleu" : "exact";
  const { index, episodes } = buildDialogueEpisodes(data.splits, {
    k,
    reward: rewardName === "bleu" ? bleuSimilarity : exactReward,
    negatives,
  });
  const tCand = (performance.now() - t0) / 1000;
  const seeds = (values.seeds as readonly number[] | undefined) ?? [1];
  const agg: Record<"validation" | "test", Record<string, Record<string, number[]>>> = {
    validation: {},
    test: {},
  };
  let dqnWall = 0;
  const run = new RunFolder(String(values.out ?? "runs/dialogue-select"));
  let lastPicks: number[] = [];
  for (const seed of seeds) {
    const r = await runDialogueSelection(episodes, {
      seed,
      steps: num(values.steps, "steps"),
      hidden: num(values.hidden, "hidden"),
      learningRate: num(values.lr, "lr"),
      crossFeatures: values["cross-features"] !== "no",
      onLog: (l) =>
        say(
          `  seed ${seed} step ${l.step} ε=${l.epsilon.toFixed(2)} reward ${l.reward.toFixed(3)} loss ${l.loss.toFixed(4)} Q ${l.meanQ.toFixed(3)}\n`,
        ),
    });
    dqnWall += r.wallTimeS;
    for (const split of ["validation", "test"] as const) {
      for (const row of r.rows[split]) {
        const a = agg[split];
        const m = a[row.system] ?? { "R@1": [] };
        a[row.system] = m;
        m["R@1"]!.push(row.recallAt1);
      }
      if (rewardName === "bleu") {
        const m = agg[split]["DQN selector"]!;
        m["mean reward"] = [...(m["mean reward"] ?? []), meanReward(episodes[split], r.picks[split])];
      }
    }
    lastPicks = r.picks.test;
  }
  const rows = (split: "validation" | "test") =>
    Object.entries(agg[split]).map(([system, values]) => ({ system, values }));
  const columns = [{ name: "R@1" }, ...(rewardName === "bleu" ? [{ name: "mean reward" }] : [])];
  const testTable = renderAggregateTable(rows("test"), columns);
  const valTable = renderAggregateTable(rows("validation"), columns);
  run.writePredictions(
    "test",
    `dqn-selector-seed-${seeds[seeds.length - 1]}`,
    episodes.test.map((e, i) => ({
      id: e.example.id,
      source: e.example.history.join("\n"),
      references: [e.example.response],
      prediction: e.candidates[lastPicks[i]!]?.text ?? "",
    })),
  );
  const wall = (performance.now() - t0) / 1000;
  run.writeJson("results.json", {
    data: { origin: data.origin, demo: data.demo, sizes, skipped: data.skipped },
    k,
    negatives,
    reward: rewardName,
    seeds,
    agg,
    backend: backend.name,
    wallTimeS: { candidates: tCand, dqn: dqnWall, total: wall },
  });
  run.writeJson("app-config.json", values);
  const report = [
    `# ${title} — run report`,
    "",
    `Data: ${data.origin}${data.demo ? " (built-in demonstration data, generated by this project)" : ""} — train ${sizes.train}, validation ${sizes.validation}, test ${sizes.test}${data.skipped ? `; ${data.skipped} malformed records skipped` : ""}.`,
    "",
    (negatives === "hard"
      ? `Candidates: the true response + ${k - 1} hard negatives: training responses of the same service domain(s) at the same stage (|Δturn| ≤ 2), then the stated fallbacks; other dialogues only; exact duplicates of the true response excluded. `
      : `Candidates: the true response + ${k - 1} responses retrieved by MiniSearch (BM25+) from ${index.size} distinct training responses (query: the last turns, the last user turn weighted 3×; exact duplicates of the true response excluded). `) +
      `Selector: feature-based Q-function (MLP, ${num(values.hidden, "hidden")} hidden units${values["cross-features"] !== "no" ? " + hashed word crosses" : ""}) trained by DQN on one-step episodes (reward: ${rewardName === "bleu" ? "1 for the true response, else sentence BLEU/100 to it" : "1 for the true response, else 0"}), ε-greedy, uniform replay; ${num(values.steps, "steps")} episodes per seed; seeds ${seeds.join(", ")}.`,
    "",
    "## Test (recall@1 × 100, mean ± std over seeds)",
    "",
    testTable,
    "## Validation",
    "",
    valTable,
    `Backend: tfjs ${backend.name}. Wall time: candidates ${formatDuration(tCand)}, DQN ${formatDuration(dqnWall)}, total ${formatDuration(wall)}.`,
    "",
  ].join("\n");
  run.writeText("report.md", report);
  io.stdout(`\nTest (recall@1 × 100):\n${testTable}\nrun folder: ${run.dir}\n`);
}

/** The `select` command. */
export const selectCommand: CliCommand = {
  summary: "selection mode: the DQN picks the response among the true one and K−1 BM25+-retrieved ones",
  options: SELECT_OPTIONS,
  run: async (p, io) => {
    await runSelect(p.values, io);
  },
};
