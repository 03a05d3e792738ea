/**
 * The generation pipeline behind the task CLIs: data → tokenizer → (MLE warm start → DQN) via the trainer →
 * greedy decoding of the test split before and after DQN → corpus metrics → run folder (predictions,
 * results.json, report.md). Also `eval`, `generate` and the multi-seed `experiment`.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeJsonAtomic } from "@dqnlm/core";
import { loadTokenizer, type Tokenizer } from "@dqnlm/mdp";
import { type BackendName, selectBackend } from "@dqnlm/qnet";
import { describeReward, loadReward, type RewardRecord } from "@dqnlm/rewards";
import {
  DEFAULT_PRESET,
  readMetrics,
  resolveConfig as resolveTrainerConfig,
  type TruncationSide,
  generate as trainerGenerate,
  resume as trainerResume,
  train as trainerTrain,
} from "@dqnlm/trainer";
import { deepMerge } from "./cli/options.js";
import type { CliIo } from "./cli/run.js";
import { readDataset, type TextPair } from "./data/read.js";
import { decode, decodingLabel, decodingOptions } from "./decoding.js";
import { EmptySplitError, UsageError } from "./errors.js";
import { bestCheckpointOf, findRunFolder, type ModelInit, resolveInit } from "./init.js";
import { checkOutputFolder, outputError, RUN_FILES, RunFolder } from "./run/folder.js";
import { type AggregateRow, formatDuration, renderAggregateTable, renderReport } from "./run/report.js";
import type { GenerationTask, MetricScore, OptionValues, TaskReward } from "./task.js";
import { loadTaskData, resolveFields, type TaskData } from "./task-data.js";

/** One system's test result in a run. */
export interface SystemRun {
  /** e.g. `MLE`, `DQN (stable)`. */
  readonly system: string;
  readonly scores: MetricScore[];
  readonly predictions: string[];
}

/** What {@link trainGeneration} returns (also written to `results.json`). */
export interface TrainGenerationResult {
  readonly dir: string;
  readonly systems: SystemRun[];
  readonly wallTimeS: Record<string, number>;
  readonly backend: string;
  readonly bestCheckpoint: string | undefined;
  readonly stopped: string;
  readonly data: { origin: string; sizes: Record<string, number>; skipped: number; demo: boolean };
}

const num = (o: OptionValues, k: string, d: number): number =>
  typeof o[k] === "number" ? (o[k] as number) : d;
const str = (o: OptionValues, k: string): string | undefined =>
  typeof o[k] === "string" ? (o[k] as string) : undefined;
/** `--truncation-side`, else the trained run's (runs from before the option cut from the left). */
const side = (o: OptionValues, trained: OptionValues = {}): TruncationSide =>
  (str(o, "truncation-side") ?? str(trained, "truncation-side")) === "right" ? "right" : "left";

/** The trainer config (JSON) for the options: preset, seed, lengths, budgets, then `--set`/config overrides. */
export function trainerConfigFor(
  o: OptionValues,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const mleEpochs = num(o, "mle-epochs", 10);
  const base: Record<string, unknown> = {
    preset: str(o, "preset") ?? DEFAULT_PRESET,
    seed: num(o, "seed", 1),
    ...(str(o, "backend") ? { backend: str(o, "backend") } : {}),
    data: {
      maxPromptTokens: num(o, "max-prompt-tokens", 64),
      maxNewTokens: num(o, "max-new-tokens", 24),
      truncationSide: side(o),
    },
    mle: { enabled: mleEpochs > 0, epochs: Math.max(1, mleEpochs), maxSteps: num(o, "mle-steps", 0) },
    dqn: { updates: num(o, "dqn-updates", 1000) },
    validation: { every: num(o, "val-every", 200), maxExamples: num(o, "val-examples", 200) },
    log: { progress: o.quiet === true ? "off" : "auto" },
  };
  return deepMerge(base, overrides);
}

/** Prepares the run folder: refuses to clobber a folder that is not ours; `overwrite` replaces one of ours. */
function prepareRunFolder(out: string, overwrite: boolean): RunFolder {
  const dir = resolve(out);
  checkOutputFolder(dir, out);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    const ours = existsSync(join(dir, RUN_FILES.appConfig)) || existsSync(join(dir, "metrics.jsonl"));
    if (!overwrite || !ours)
      throw new UsageError(
        "out",
        overwrite ? "a new folder, an empty one, or one of our run folders" : "a new or empty folder",
        out,
        ours
          ? `Pass --overwrite to replace this run${existsSync(join(dir, "checkpoints", "last", "state.json")) ? `, or continue it with \`resume --out ${out}\`` : ""}.`
          : "Choose another --out.",
      );
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      throw outputError(err, out) ?? err;
    }
  }
  return new RunFolder(dir);
}

/** The name of the starting model's row: `MLE` after a warm start, else what the run started from. */
function mleName(o: OptionValues, init: ModelInit): string {
  if (num(o, "mle-epochs", 10) > 0) return "MLE";
  return init.type === "random" ? "random init" : "MLE";
}

function initDirOf(init: ModelInit): string | null {
  return init.type === "checkpoint" ? init.dir : null;
}

/** What `app-config.json` records: enough to resume the run and to redo its report. */
interface AppConfig {
  readonly task: string;
  readonly command: string;
  readonly commandLine?: string;
  readonly options: OptionValues;
  readonly trainerOverrides: Record<string, unknown>;
  readonly init: ModelInit;
  readonly data: { origin: string; sizes: Record<string, number>; skipped: number; fields: unknown };
}

/** Validates the trainer config the options and overrides make, before anything is read or written. */
function checkTrainerConfig(o: OptionValues, overrides: Record<string, unknown>): Record<string, unknown> {
  const config = trainerConfigFor(o, overrides);
  resolveTrainerConfig(config);
  return config;
}

function sayer(o: OptionValues, io: CliIo): (line: string) => void {
  const quiet = o.quiet === true;
  return (line) => {
    if (!quiet) io.stderr(`${line}\n`);
  };
}

function checkSplitSizes(task: GenerationTask, data: TaskData): Record<string, number> {
  const sizes = {
    train: data.splits.train.length,
    validation: data.splits.validation.length,
    test: data.splits.test.length,
  };
  for (const [split, n] of Object.entries(sizes))
    if (n === 0)
      throw new EmptySplitError(
        split,
        `[${task.name}] the ${split} split of ${data.origin} has no usable record${data.skipped ? ` (${data.skipped} malformed records skipped)` : ""}; every split needs at least one.`,
        { field: `${split}-limit` },
      );
  return sizes;
}

/**
 * The training reward: the task's own, or the `--reward <package or path>[#export]` plug-in (its factory gets
 * the JSON of `--reward-options`), resolved from the current folder.
 */
async function rewardOf(
  task: GenerationTask,
  o: OptionValues,
): Promise<{ reward: TaskReward; record: RewardRecord | null }> {
  const spec = str(o, "reward");
  const text = str(o, "reward-options");
  if (spec === undefined || spec === "") {
    if (text !== undefined) throw new UsageError("reward-options", "--reward with it", text);
    return { reward: task.reward(o), record: null };
  }
  let options: unknown;
  if (text !== undefined) {
    try {
      options = JSON.parse(text);
    } catch {
      throw new UsageError("reward-options", 'a JSON object such as {"alpha": 0.85}', text);
    }
  }
  return loadReward(spec, options);
}

/** What a run optimised, for the report: a plug-in's package, version, options and signature. */
function optimisedLine(reward: TaskReward, record: RewardRecord | null): string {
  if (record !== null) return describeReward(record);
  const sig = reward.config.signature;
  return `${reward.name} (the task's reward${typeof sig === "string" ? `, signature ${sig}` : ""})`;
}

/** Trains (MLE warm start, then DQN) and evaluates one run; writes the run folder; returns its results. */
export async function trainGeneration(
  task: GenerationTask,
  o: OptionValues,
  overrides: Record<string, unknown>,
  io: CliIo,
  command = "train",
): Promise<TrainGenerationResult> {
  const t0 = performance.now();
  const wall: Record<string, number> = {};
  const say = sayer(o, io);
  const preset = str(o, "preset") ?? DEFAULT_PRESET;
  const seed = num(o, "seed", 1);
  const out = str(o, "out") ?? join("runs", `${task.name}-${preset}-s${seed}`);
  const { reward } = await rewardOf(task, o); // validates the task's options before anything is written
  const config = checkTrainerConfig(o, overrides);
  checkOutputFolder(resolve(out), out);
  const data = await loadTaskData(task, o);
  const sizes = checkSplitSizes(task, data);
  const run = prepareRunFolder(out, o.overwrite === true);
  say(
    `[${task.name}] data: ${data.origin} — train ${sizes.train}, validation ${sizes.validation}, test ${sizes.test}${data.skipped ? `, ${data.skipped} malformed records skipped` : ""}`,
  );
  wall.data = (performance.now() - t0) / 1000;
  let t = performance.now();

  const prompt = (e: TextPair): string => (task.prompt ? task.prompt(e, o) : e.source);
  const maxPrompt = num(o, "max-prompt-tokens", 64);
  const maxNew = num(o, "max-new-tokens", 24);
  const resolved = await resolveInit(str(o, "init") ?? "base", {
    corpus: () => data.splits.train.flatMap((e) => [prompt(e), ...e.references]),
    vocabSize: num(o, "vocab-size", 2000),
    nEmbd: num(o, "n-embd", 64),
    nLayer: num(o, "n-layer", 2),
    nHead: num(o, "n-head", 2),
    nPositions: maxPrompt + maxNew + 4,
  });
  try {
    resolved.tokenizer.save(run.path(RUN_FILES.tokenizer));
  } catch (err) {
    throw outputError(err, run.dir) ?? err;
  }
  say(`[${task.name}] model: ${resolved.description}`);
  wall.tokenizer = (performance.now() - t) / 1000;
  t = performance.now();

  const appConfig: AppConfig = {
    task: task.name,
    command,
    commandLine: `dqnlm-${task.name} ${process.argv.slice(2).join(" ")}`.trim(),
    options: o,
    trainerOverrides: overrides,
    init: resolved.init as ModelInit,
    data: { origin: data.origin, sizes, skipped: data.skipped, fields: data.fields },
  };
  run.writeJson(RUN_FILES.appConfig, appConfig);
  const overBudget = dqnTimeBudget(num(o, "time-budget", 0));
  const result = await trainerTrain(
    {
      runDir: run.dir,
      config,
      data: trainerData(task, o, data),
      tokenizer: resolved.tokenizer,
      reward,
      init: resolved.init as ModelInit,
    },
    { onValidation: validationSayer(task, say), shouldStop: overBudget },
  );
  wall.train = (performance.now() - t) / 1000;
  return finishRun(task, o, run, data, appConfig, resolved.tokenizer, result, wall, t0, io);
}

/**
 * `resume`: continues an interrupted `train`/`demo` run in `out` from its last checkpoint, exactly as the
 * trainer's `resume` does (same data, tokenizer, reward and options, read back from the run folder), then
 * decodes the test split and writes the same predictions, results and report as an uninterrupted run.
 */
export async function resumeGeneration(
  task: GenerationTask,
  values: OptionValues,
  io: CliIo,
): Promise<TrainGenerationResult> {
  const t0 = performance.now();
  const out = str(values, "out");
  if (out === undefined)
    throw new UsageError(
      "out",
      "the run folder to resume",
      out,
      `e.g. \`dqnlm-${task.name} resume --out runs/x\`.`,
    );
  const dir = resolve(out);
  const cfgPath = join(dir, RUN_FILES.appConfig);
  if (!existsSync(cfgPath))
    throw new UsageError(
      "out",
      `a run folder written by \`dqnlm-${task.name} train\` (with ${RUN_FILES.appConfig})`,
      out,
      existsSync(dir) ? "This folder holds no app run." : "No such folder.",
    );
  let appConfig: AppConfig;
  try {
    appConfig = JSON.parse(readFileSync(cfgPath, "utf8")) as AppConfig;
  } catch (err) {
    throw new UsageError("out", `a readable ${RUN_FILES.appConfig}`, out, `(${(err as Error).message})`);
  }
  if (appConfig.task !== task.name)
    throw new UsageError("out", `a ${task.name} run folder`, out, `It holds a ${appConfig.task} run.`);
  if (!existsSync(join(dir, "checkpoints", "last", "state.json")))
    throw new UsageError(
      "out",
      "a run with a DQN checkpoint (checkpoints/last)",
      out,
      `The run stopped before its first checkpoint; start it again with \`dqnlm-${task.name} ${appConfig.command} ... --out ${out} --overwrite\`.`,
    );
  // the original options, with this command's --quiet
  const o: OptionValues = { ...appConfig.options, ...(values.quiet === true ? { quiet: true } : {}) };
  const say = sayer(o, io);
  const run = new RunFolder(dir);
  const data = await loadTaskData(task, o);
  checkSplitSizes(task, data);
  const tokenizer = loadTokenizer(run.path(RUN_FILES.tokenizer));
  const { reward } = await rewardOf(task, o);
  say(`[${task.name}] resuming ${run.dir} from its last checkpoint`);
  const wall: Record<string, number> = { data: (performance.now() - t0) / 1000 };
  const t = performance.now();
  const result = await trainerResume(
    run.dir,
    { data: trainerData(task, o, data), tokenizer, reward },
    { onValidation: validationSayer(task, say), shouldStop: dqnTimeBudget(num(o, "time-budget", 0)) },
  );
  wall.train = (performance.now() - t) / 1000;
  return finishRun(task, o, run, data, appConfig, tokenizer, result, wall, t0, io);
}

function validationSayer(
  task: GenerationTask,
  say: (line: string) => void,
): (v: { update: number; metric: number; best: number; improved: boolean }) => void {
  return (v) =>
    say(
      `[${task.name}] validation @${v.update}: ${v.metric.toFixed(4)} (best ${v.best.toFixed(4)})${v.improved ? " *" : ""}`,
    );
}

/** The trainer's examples for the task's splits (prompt, references, allowed outputs). */
function trainerData(task: GenerationTask, o: OptionValues, data: TaskData) {
  const allowedOf = constraintOf(task, o);
  const toExample = (e: TextPair) => {
    const allowed = allowedOf(e);
    return {
      prompt: task.prompt ? task.prompt(e, o) : e.source,
      references: [...e.references],
      ...(allowed ? { allowedOutputs: allowed } : {}),
    };
  };
  return {
    train: data.splits.train.map(toExample),
    validation: data.splits.validation.map(toExample),
    test: data.splits.test.map(toExample),
  };
}

/** After training (or resuming): test decoding before/after DQN, predictions, results.json and report.md. */
async function finishRun(
  task: GenerationTask,
  o: OptionValues,
  run: RunFolder,
  data: TaskData,
  appConfig: AppConfig,
  tokenizer: Tokenizer,
  result: Awaited<ReturnType<typeof trainerTrain>>,
  wall: Record<string, number>,
  t0: number,
  io: CliIo,
): Promise<TrainGenerationResult> {
  const say = sayer(o, io);
  const t = performance.now();
  const init = appConfig.init;
  // the optimised reward: recorded in the run's config.json and the report; a plug-in's value is a test column
  const optimised = await rewardOf(task, o);
  const trainerConfigPath = run.path("config.json");
  if (existsSync(trainerConfigPath))
    writeJsonAtomic(trainerConfigPath, {
      ...(JSON.parse(readFileSync(trainerConfigPath, "utf8")) as Record<string, unknown>),
      reward: { name: optimised.reward.name, config: optimised.reward.config, plugin: optimised.record },
    });
  const rewardColumn = (predictions: readonly string[]): MetricScore[] => {
    if (optimised.record === null) return [];
    let sum = 0;
    predictions.forEach((p, i) => {
      sum += optimised.reward.score(p, refs[i] as readonly string[]);
    });
    const sig = optimised.record.signature;
    return [
      {
        name: optimised.reward.name.toUpperCase(),
        value: predictions.length === 0 ? 0 : (100 * sum) / predictions.length,
        ...(sig === null ? {} : { signature: sig }),
      },
    ];
  };
  const preset = str(o, "preset") ?? DEFAULT_PRESET;
  const maxPrompt = num(o, "max-prompt-tokens", 64);
  const maxNew = num(o, "max-new-tokens", 24);
  const prompt = (e: TextPair): string => (task.prompt ? task.prompt(e, o) : e.source);
  const allowedOf = constraintOf(task, o);
  const refs = data.splits.test.map((e) => e.references);
  const systems: SystemRun[] = [];
  const dqnName = `DQN (${preset})`;
  const dqnRan = num(o, "dqn-updates", 1000) > 0;
  const testPrompts = data.splits.test.map(prompt);
  const decodeWith = async (checkpoint: string | null): Promise<readonly string[] | undefined> =>
    checkpoint === null || !existsSync(join(checkpoint, "config.json"))
      ? undefined
      : trainerGenerate({
          model: checkpoint,
          tokenizer,
          prompts: testPrompts,
          maxNewTokens: maxNew,
          maxPromptTokens: maxPrompt,
          truncationSide: side(o),
          ...(task.allowedOutputs ? { allowedOutputs: data.splits.test.map(allowedOf) } : {}),
        });
  // The trainer decodes the test split before and after DQN; when it was stopped early (time budget) it
  // does not, and the saved networks are decoded here instead.
  const before =
    result.test?.before.predictions ??
    (await decodeWith(
      existsSync(join(run.dir, "checkpoints", "mle")) ? join(run.dir, "checkpoints", "mle") : initDirOf(init),
    ));
  const after = dqnRan
    ? (result.test?.after.predictions ?? (await decodeWith(result.bestCheckpoint)))
    : undefined;
  const phases: [string, readonly string[] | undefined][] = [
    [mleName(o, init), before],
    [dqnName, after],
  ];
  for (const [system, preds] of phases) {
    if (preds === undefined) continue;
    const predictions = [...preds];
    systems.push({
      system,
      scores: [...task.metrics(predictions, refs, o), ...rewardColumn(predictions)],
      predictions,
    });
    run.writePredictions(
      "test",
      system,
      data.splits.test.map((e, i) => ({
        id: e.id,
        source: e.source,
        references: e.references,
        prediction: predictions[i] ?? "",
      })),
    );
  }
  wall.test = (performance.now() - t) / 1000;
  wall.total = (performance.now() - t0) / 1000;
  const backend = String(result.backend ?? o.backend ?? "auto");
  const sizes = {
    train: data.splits.train.length,
    validation: data.splits.validation.length,
    test: data.splits.test.length,
  };
  const res: TrainGenerationResult = {
    dir: run.dir,
    systems,
    wallTimeS: wall,
    backend,
    bestCheckpoint: result.bestCheckpoint ?? undefined,
    stopped: String(result.stopped),
    data: { origin: data.origin, sizes, skipped: data.skipped, demo: data.demo },
  };
  run.writeJson(RUN_FILES.results, res);
  writeRunReport(
    task,
    run,
    res,
    o,
    data,
    appConfig.commandLine ?? `dqnlm-${task.name} ${process.argv.slice(2).join(" ")}`.trim(),
    optimisedLine(optimised.reward, optimised.record),
  );
  if (result.stopped === "callback")
    say(`[${task.name}] stopped early: continue with \`dqnlm-${task.name} resume --out ${run.dir}\``);
  say(`[${task.name}] run folder: ${run.dir}`);
  io.stdout(systemsTable(systems));
  return res;
}

function writeRunReport(
  task: GenerationTask,
  run: RunFolder,
  res: TrainGenerationResult,
  o: OptionValues,
  data: TaskData,
  command: string,
  optimised?: string,
): void {
  const columns = (res.systems[0]?.scores ?? []).map((s) => ({
    name: s.name,
    ...(s.signature ? { signature: s.signature } : {}),
    digits: s.digits ?? 2,
  }));
  const { total, ...phases } = res.wallTimeS;
  const md = renderReport({
    title: `${task.name} — run report`,
    command,
    data: { origin: data.origin, sizes: res.data.sizes, skipped: data.skipped, demo: data.demo },
    columns,
    systems: res.systems.map((s) => ({
      system: s.system,
      metrics: Object.fromEntries(s.scores.map((m) => [m.name, m.value])),
    })),
    backend: res.backend,
    wallTimeS: phases,
    settings: {
      preset: String(o.preset),
      seed: Number(o.seed),
      init: String(o.init),
      "n-embd / n-layer / n-head": `${String(o["n-embd"])} / ${String(o["n-layer"])} / ${String(o["n-head"])}`,
      "max prompt / new tokens": `${String(o["max-prompt-tokens"])} / ${String(o["max-new-tokens"])}`,
      "MLE epochs": Number(o["mle-epochs"]),
      "DQN updates": Number(o["dqn-updates"]),
      stopped: res.stopped,
    },
    notes: [
      ...(optimised === undefined ? [] : [`optimised: ${optimised}`]),
      `Total wall time ${formatDuration(total ?? 0)}. Curves are in curves/, every diagnostic in metrics.jsonl.`,
      ...diagnosticNotes(run.path("metrics.jsonl")),
    ],
    examples: data.splits.test.slice(0, 5).map((e, i) => ({
      source: e.source.length > 200 ? `${e.source.slice(0, 199)}…` : e.source,
      reference: e.target,
      predictions: Object.fromEntries(res.systems.map((s) => [s.system, s.predictions[i] ?? ""])),
    })),
  });
  run.writeText(RUN_FILES.report, md);
}

/** One-line summaries of the DQN diagnostics in `metrics.jsonl` (validation path, Q vs return, alarms). */
export function diagnosticNotes(metricsPath: string): string[] {
  if (!existsSync(metricsPath)) return [];
  const records = readMetrics(metricsPath);
  const notes: string[] = [];
  const validations = records.filter((r) => r.phase === "validation");
  if (validations.length > 1) {
    const best = validations.reduce((a, b) => (Number(b.metric) > Number(a.metric) ? b : a));
    notes.push(
      `Validation reward by update: ${validations.map((v) => `${v.step}: ${Number(v.metric).toFixed(3)}`).join(", ")}; ` +
        (best.step === 0
          ? "DQN never beat the starting model on validation, so the kept (best) DQN network is the starting one."
          : `best at update ${best.step}.`),
    );
  }
  const last = records.filter((r) => r.phase === "dqn").at(-1);
  if (last !== undefined) {
    const f = (k: string): string => (typeof last[k] === "number" ? (last[k] as number).toFixed(3) : "—");
    notes.push(
      `Last DQN log (update ${last.step}): Q(s0) ${f("q0")} vs Monte-Carlo return ${f("mcReturn")} (over-estimation ${f("overestimation")}), ` +
        `TD loss ${f("tdLoss")}, KL to the start model ${f("kl")}, entropy ${f("entropy")}, repetition ${f("repetition")}, ` +
        `empty outputs ${f("empty")}, ${f("updatesPerSec")} updates/s.`,
    );
  }
  const alarms = records.filter((r) => r.phase === "alarm" || r.phase === "guard");
  if (alarms.length > 0)
    notes.push(
      `Alarms/guards: ${alarms.map((a) => `${String(a.alarm ?? a.event ?? a.phase)} at update ${a.step}`).join(", ")}.`,
    );
  return notes;
}

/**
 * The `--time-budget` stop test: the trainer polls it between DQN updates only, so the clock starts at the first
 * poll (after the MLE warm start) and the budget is DQN's own. `minutes` ≤ 0: never stops.
 */
export function dqnTimeBudget(minutes: number, now: () => number = Date.now): () => boolean {
  let deadline: number | undefined;
  return () => {
    if (!(minutes > 0)) return false;
    deadline ??= now() + minutes * 60_000;
    return now() > deadline;
  };
}

/** The task's output constraint for an example under options `o` (undefined: free generation). */
function constraintOf(task: GenerationTask, o: OptionValues): (e: TextPair) => readonly string[] | undefined {
  return (e) => task.allowedOutputs?.(e, o);
}

/** A plain-text table of systems × metrics for the terminal. */
export function systemsTable(systems: readonly SystemRun[]): string {
  if (systems.length === 0) return "";
  const names = systems[0]?.scores.map((s) => s.name) ?? [];
  const w = Math.max(8, ...systems.map((s) => s.system.length)) + 2;
  // Each metric column is at least two characters wider than its name ("distinct-1" needs 12, not 10).
  const cw = names.map((n) => Math.max(10, n.length + 2));
  const lines = [`${"system".padEnd(w)}${names.map((n, i) => n.padStart(cw[i]!)).join("")}`];
  for (const s of systems)
    lines.push(
      `${s.system.padEnd(w)}${s.scores.map((m, i) => m.value.toFixed(m.digits ?? 2).padStart(cw[i] ?? 10)).join("")}`,
    );
  return `${lines.join("\n")}\n`;
}

/** A Hugging Face model folder with its tokenizer (config.json, model.safetensors, tokenizer.json). */
function isShippedModel(dir: string): boolean {
  return ["config.json", "model.safetensors", "tokenizer.json"].every((f) => existsSync(join(dir, f)));
}

/**
 * Loads the tokenizer and checkpoint behind `--model` (a run folder written by `train`, or a checkpoint folder
 * inside one; a run folder resolves to its best checkpoint), plus the options the run was trained with.
 */
export function loadRunModel(model: string | undefined): {
  checkpoint: string;
  tokenizer: Tokenizer;
  runDir: string;
  options: OptionValues;
} {
  if (model === undefined) throw new UsageError("model", "a run folder or a checkpoint folder", model);
  const runDir = findRunFolder(model);
  if (runDir === undefined && isShippedModel(model)) {
    // A Hugging Face model folder (config.json, model.safetensors, tokenizer.json), e.g. a shipped task model;
    // its app-config.json, when present, carries the options it was trained with (prompt and output limits).
    let options: OptionValues = {};
    try {
      options =
        (JSON.parse(readFileSync(join(model, RUN_FILES.appConfig), "utf8")) as { options?: OptionValues })
          .options ?? {};
    } catch {
      options = {};
    }
    return { checkpoint: resolve(model), tokenizer: loadTokenizer(model), runDir: resolve(model), options };
  }
  if (runDir === undefined)
    throw new UsageError(
      "model",
      "a run folder written by `train` (with app-config.json and tokenizer/), or a model folder (config.json, model.safetensors, tokenizer.json)",
      model,
    );
  let recorded: string | undefined;
  try {
    recorded = (
      JSON.parse(readFileSync(join(runDir, RUN_FILES.results), "utf8")) as { bestCheckpoint?: string }
    ).bestCheckpoint;
  } catch {
    recorded = undefined;
  }
  const checkpoint = resolve(model) === runDir ? bestCheckpointOf(runDir, recorded) : resolve(model);
  let options: OptionValues = {};
  try {
    options =
      (JSON.parse(readFileSync(join(runDir, RUN_FILES.appConfig), "utf8")) as { options?: OptionValues })
        .options ?? {};
  } catch {
    options = {};
  }
  return { checkpoint, tokenizer: loadTokenizer(join(runDir, RUN_FILES.tokenizer)), runDir, options };
}

/**
 * Starts the tfjs backend for `eval`/`generate` as training does: `--backend`, else the run's, else qnet's
 * automatic choice (or `DQNLM_BACKEND`).
 */
async function useBackend(o: OptionValues, trained: OptionValues): Promise<string> {
  const name = str(o, "backend") ?? str(trained, "backend");
  const report = await selectBackend(name ? { backend: name as BackendName } : {});
  return report.name;
}

/** `eval`: decodes a split with a trained model and prints (and optionally writes) the corpus metrics. */
export async function evaluateGeneration(
  task: GenerationTask,
  o: OptionValues,
  io: CliIo,
): Promise<SystemRun> {
  const { checkpoint, tokenizer, options: trained } = loadRunModel(str(o, "model"));
  const decoding = decodingOptions(o);
  const out = str(o, "out");
  if (out !== undefined) checkOutputFolder(resolve(out), out);
  const data = await loadTaskData(task, o);
  const split = (str(o, "split") ?? "test") as "train" | "validation" | "test";
  const examples = data.splits[split];
  if (examples.length === 0)
    throw new EmptySplitError(split, `the ${split} split of ${data.origin} has no record to evaluate.`, {
      field: "split",
    });
  const backend = await useBackend(o, trained);
  const prompt = (e: TextPair): string => (task.prompt ? task.prompt(e, o) : e.source);
  const allowedOf = constraintOf(task, o);
  const maxNewTokens = num(o, "max-new-tokens", num(trained, "max-new-tokens", 24));
  const maxPromptTokens = num(o, "max-prompt-tokens", num(trained, "max-prompt-tokens", 64));
  const predictions = await decode(
    {
      model: checkpoint,
      tokenizer,
      prompts: examples.map(prompt),
      maxNewTokens,
      maxPromptTokens,
      truncationSide: side(o, trained),
      ...(task.allowedOutputs ? { allowedOutputs: examples.map(allowedOf) } : {}),
    },
    decoding,
  );
  const sys: SystemRun = {
    system: checkpoint,
    scores: task.metrics(
      predictions,
      examples.map((e) => e.references),
      o,
    ),
    predictions: [...predictions],
  };
  if (out !== undefined) {
    const run = new RunFolder(out);
    run.writePredictions(
      split,
      "eval",
      examples.map((e, i) => ({
        id: e.id,
        source: e.source,
        references: e.references,
        prediction: predictions[i] ?? "",
      })),
    );
    run.writeJson(`eval-${split}.json`, {
      model: checkpoint,
      data: data.origin,
      split,
      backend,
      maxNewTokens,
      maxPromptTokens,
      decoding,
      scores: sys.scores,
    });
  }
  io.stdout(
    `${data.origin}, ${split} (${examples.length} examples; ${backend} backend, prompts ≤ ${maxPromptTokens} / outputs ≤ ${maxNewTokens} tokens, ${decodingLabel(decoding)})\n`,
  );
  for (const s of sys.scores)
    io.stdout(`${s.name}\t${s.value.toFixed(s.digits ?? 2)}${s.signature ? `\t${s.signature}` : ""}\n`);
  return sys;
}

/** `generate`: greedy argmax-Q decoding (or beam search, `--beams`) for prompts given on the command line or in a data file. */
export async function generateText(task: GenerationTask, o: OptionValues, io: CliIo): Promise<string[]> {
  const { checkpoint, tokenizer, options: trained } = loadRunModel(str(o, "model"));
  let prompts: string[] = Array.isArray(o.prompt) ? (o.prompt as string[]) : [];
  const input = str(o, "input");
  if (input !== undefined) {
    const field = resolveFields(task, o).source;
    const r = await readDataset(input, (rec) => rec.string(field), {
      skipBadLines: o["skip-bad-lines"] === true,
    });
    if (r.items.length === 0)
      throw new EmptySplitError(
        "input",
        `${input} holds no usable prompt${r.skipped ? ` (${r.skipped} malformed records skipped)` : " (the file is empty)"}.`,
        { field: "input" },
      );
    prompts = [...prompts, ...r.items];
  }
  if (prompts.length === 0)
    throw new UsageError("prompt", "at least one --prompt or an --input file", undefined);
  const decoding = decodingOptions(o);
  await useBackend(o, trained);
  const outs = await decode(
    {
      model: checkpoint,
      tokenizer,
      prompts,
      maxNewTokens: num(o, "max-new-tokens", num(trained, "max-new-tokens", 24)),
      maxPromptTokens: num(o, "max-prompt-tokens", num(trained, "max-prompt-tokens", 64)),
      truncationSide: side(o, trained),
    },
    decoding,
  );
  for (const [i, p] of outs.entries()) io.stdout(`${JSON.stringify({ prompt: prompts[i], output: p })}\n`);
  return [...outs];
}

/**
 * `experiment`: for each seed, an MLE-only run, then one DQN run per preset fine-tuned from that MLE model;
 * writes `results.md`/`results.json` with mean ± std over seeds of every test metric, budgets and wall times.
 */
export async function runExperiment(
  task: GenerationTask,
  o: OptionValues,
  overrides: Record<string, unknown>,
  io: CliIo,
): Promise<string> {
  const seeds = (o.seeds as number[] | undefined) ?? [1, 2, 3];
  const presets = (o.presets as string[] | undefined) ?? ["stable", "seed"];
  const outRoot = str(o, "out") ?? join("runs", `${task.name}-experiment`);
  const root = new RunFolder(outRoot);
  const t0 = performance.now();
  const rows = new Map<string, Map<string, number[]>>();
  const wall = new Map<string, number[]>();
  let columns: MetricScore[] = [];
  const perSeed: string[] = [];
  const add = (system: string, scores: readonly MetricScore[], seconds: number): void => {
    const m = rows.get(system) ?? new Map<string, number[]>();
    for (const s of scores) m.set(s.name, [...(m.get(s.name) ?? []), s.value]);
    rows.set(system, m);
    wall.set(system, [...(wall.get(system) ?? []), seconds]);
  };
  let dataLine = "";
  for (const seed of seeds) {
    const mleOpts = {
      ...o,
      seed,
      preset: "stable",
      "dqn-updates": 0,
      out: join(root.dir, `seed${seed}`, "mle"),
      overwrite: true,
    };
    const mle = await trainGeneration(task, mleOpts, overrides, io, "experiment");
    const mleSys = mle.systems[0];
    if (mleSys === undefined)
      throw new UsageError("dqn-updates", "a run that reports test metrics", mle.systems);
    columns = mleSys.scores;
    dataLine = `${mle.data.origin} — train ${mle.data.sizes.train}, validation ${mle.data.sizes.validation}, test ${mle.data.sizes.test}`;
    add("MLE", mleSys.scores, mle.wallTimeS.total ?? 0);
    perSeed.push(
      `| ${seed} | MLE | ${mleSys.scores.map((s) => s.value.toFixed(2)).join(" | ")} | ${formatDuration(mle.wallTimeS.total ?? 0)} |`,
    );
    writeResults(false);
    for (const preset of presets) {
      const dqnOpts = {
        ...o,
        seed,
        preset,
        init: join(mle.dir, "checkpoints", "mle"),
        "mle-epochs": 0,
        out: join(root.dir, `seed${seed}`, `dqn-${preset}`),
        overwrite: true,
      };
      const dqn = await trainGeneration(task, dqnOpts, overrides, io, "experiment");
      const sys = dqn.systems.find((s) => s.system.startsWith("DQN"));
      if (sys === undefined) continue;
      add(`DQN (${preset})`, sys.scores, dqn.wallTimeS.total ?? 0);
      perSeed.push(
        `| ${seed} | DQN (${preset}) | ${sys.scores.map((s) => s.value.toFixed(2)).join(" | ")} | ${formatDuration(dqn.wallTimeS.total ?? 0)} |`,
      );
      writeResults(false);
    }
  }
  const md = writeResults(true);
  io.stdout(md);
  return md;

  /** Writes results.md/.json for the runs so far (after every run, so a long experiment leaves partial tables). */
  function writeResults(done: boolean): string {
    const cols = columns.map((c) => ({ name: c.name, ...(c.signature ? { signature: c.signature } : {}) }));
    const agg: AggregateRow[] = [...rows.entries()].map(([system, m]) => ({
      system,
      values: Object.fromEntries(m),
    }));
    const total = (performance.now() - t0) / 1000;
    const md = [
      `# ${task.name} — experiment (${seeds.length} seeds: ${seeds.join(", ")})${done ? "" : " — IN PROGRESS"}`,
      "",
      `Data: ${dataLine}. Test split, evaluated once per run; mean ± sample std over seeds.`,
      "",
      renderAggregateTable(agg, cols).trimEnd(),
      "",
      "Signatures:",
      "",
      ...cols.filter((c) => c.signature).map((c) => `- ${c.name}: \`${c.signature}\``),
      "",
      "Per seed:",
      "",
      `| seed | system | ${cols.map((c) => c.name).join(" | ")} | wall time |`,
      `| ---: | --- | ${cols.map(() => "---:").join(" | ")} | ---: |`,
      ...perSeed,
      "",
      `Total wall time ${formatDuration(total)}. Options: \`${JSON.stringify(o)}\`; trainer overrides: \`${JSON.stringify(overrides)}\`.`,
      "",
    ].join("\n");
    root.writeText("results.md", md);
    root.writeJson("results.json", {
      task: task.name,
      done,
      seeds,
      presets,
      data: dataLine,
      systems: agg,
      wallTimeS: Object.fromEntries(wall),
      totalWallTimeS: total,
      options: o,
      trainerOverrides: overrides,
    });
    return md;
  }
}
