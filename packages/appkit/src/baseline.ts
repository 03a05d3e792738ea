/**
 * Non-learned baselines for results tables: the `baseline` command (a task's {@link TaskBaseline} run on a
 * split, written in the format of `eval --out`), and small building blocks the apps' baselines share: the
 * first N words of a text, N tuned on the validation split, and copying the source.
 */
import { resolve } from "node:path";
import type { CliIo } from "./cli/run.js";
import type { TextPair } from "./data/read.js";
import type { SplitName } from "./data/splits.js";
import { EmptySplitError, UsageError } from "./errors.js";
import { checkOutputFolder, RunFolder } from "./run/folder.js";
import type { BaselineResult, GenerationTask, MetricScore, OptionValues, TaskBaseline } from "./task.js";
import { loadTaskData } from "./task-data.js";

/** The first `n` whitespace-separated words of `text`, joined by single spaces (`n` ≤ 0: no words). */
export function leadWords(text: string, n: number): string {
  if (n <= 0) return "";
  return text
    .split(/\s+/u)
    .filter((w) => w !== "")
    .slice(0, n)
    .join(" ");
}

/** One candidate's validation score in {@link chooseOnValidation}. */
export interface GridPoint<T> {
  readonly value: T;
  /** Mean sentence score on the validation split. */
  readonly score: number;
}

/** The value of {@link chooseOnValidation} and the score of every candidate. */
export interface GridChoice<T> {
  readonly best: T;
  readonly bestScore: number;
  readonly grid: readonly GridPoint<T>[];
}

/**
 * Picks the candidate whose predictions have the highest mean `score(prediction, references)` over `examples`
 * (the validation split); ties go to the earliest candidate.
 * @throws UsageError when `candidates` or `examples` is empty.
 */
export function chooseOnValidation<T>(
  candidates: readonly T[],
  examples: readonly TextPair[],
  predict: (example: TextPair, candidate: T) => string,
  score: (prediction: string, references: readonly string[]) => number,
): GridChoice<T> {
  if (candidates.length === 0) throw new UsageError("baseline", "at least one candidate setting", []);
  if (examples.length === 0)
    throw new EmptySplitError("validation", "the validation split is empty; the baseline is tuned on it.", {
      field: "validation-limit",
    });
  const grid = candidates.map((value) => {
    let sum = 0;
    for (const e of examples) sum += score(predict(e, value), e.references);
    return { value, score: sum / examples.length };
  });
  let best = grid[0] as GridPoint<T>;
  for (const g of grid) if (g.score > best.score) best = g;
  return { best: best.value, bestScore: best.score, grid };
}

/**
 * The lead-N baseline: the first N words of the source, N from `min`..`max` chosen on the validation split by
 * the mean of `score` (the task's reward). Its system name is `lead-N`.
 */
export function leadBaseline(
  score: (options: OptionValues) => (prediction: string, references: readonly string[]) => number,
  grid: { readonly min: number; readonly max: number } = { min: 5, max: 20 },
  text: (example: TextPair) => string = (e) => e.source,
): TaskBaseline {
  return {
    summary: `lead-N words of the source, N in ${grid.min}..${grid.max} chosen on the validation split by the task's reward`,
    options: [
      {
        name: "lead-words",
        kind: "int",
        min: 0,
        default: 0,
        help: `use exactly N words (0 = choose N in ${grid.min}..${grid.max} on the validation split)`,
      },
    ],
    run: ({ splits, split, say }, o) => {
      const fixed = typeof o["lead-words"] === "number" ? o["lead-words"] : 0;
      let n = fixed;
      let settings: Record<string, unknown> = { n, chosen: "fixed (--lead-words)" };
      if (fixed <= 0) {
        const ns = Array.from({ length: grid.max - grid.min + 1 }, (_, i) => grid.min + i);
        const c = chooseOnValidation(ns, splits.validation, (e, k) => leadWords(text(e), k), score(o));
        n = c.best;
        say(
          `lead-N on validation (${splits.validation.length} examples, mean reward): ${c.grid.map((g) => `${g.value}: ${g.score.toFixed(4)}`).join(", ")} → N = ${n}`,
        );
        settings = {
          n,
          chosen: "validation",
          grid: Object.fromEntries(c.grid.map((g) => [String(g.value), g.score])),
        };
      }
      return {
        system: `lead-${n}`,
        predictions: splits[split].map((e) => leadWords(text(e), n)),
        settings,
      };
    },
  };
}

/** The copy baseline: the prediction is the source text itself (for translation: an untranslated copy). */
export function copySourceBaseline(text: (example: TextPair) => string = (e) => e.source): TaskBaseline {
  return {
    summary: "copy the source text as the output",
    run: ({ splits, split }) => ({ system: "copy source", predictions: splits[split].map(text) }),
  };
}

/** What {@link runBaseline} returns. */
export interface BaselineRun extends BaselineResult {
  readonly split: SplitName;
  readonly scores: MetricScore[];
  /** The folder written (`--out`), if any. */
  readonly dir: string | undefined;
}

/**
 * `baseline`: runs the task's baseline on `--split`, prints the corpus metrics as `eval` does and, with `--out`,
 * writes `predictions/<split>.baseline.jsonl` and `baseline-<split>.json` (read by `compare`).
 */
export async function runBaseline(task: GenerationTask, o: OptionValues, io: CliIo): Promise<BaselineRun> {
  const baseline = task.baseline;
  if (baseline === undefined)
    throw new UsageError("baseline", `a task with a baseline`, task.name, "This task defines none.");
  const out = typeof o.out === "string" ? o.out : undefined;
  if (out !== undefined) checkOutputFolder(resolve(out), out);
  const data = await loadTaskData(task, o);
  const split = (typeof o.split === "string" ? o.split : "test") as SplitName;
  const examples = data.splits[split];
  if (examples.length === 0)
    throw new EmptySplitError(split, `the ${split} split of ${data.origin} has no record to predict.`, {
      field: "split",
    });
  const say = (line: string): void => {
    if (o.quiet !== true) io.stderr(`[${task.name}] ${line}\n`);
  };
  const r = await baseline.run({ splits: data.splits, split, say }, o);
  if (r.predictions.length !== examples.length)
    throw new UsageError(
      "baseline",
      `one prediction per ${split} example (${examples.length})`,
      r.predictions.length,
      `The ${task.name} task's baseline is wrong; report it.`,
    );
  const predictions = [...r.predictions];
  const scores = task.metrics(
    predictions,
    examples.map((e) => e.references),
    o,
  );
  let dir: string | undefined;
  if (out !== undefined) {
    const run = new RunFolder(out);
    dir = run.dir;
    run.writePredictions(
      split,
      "baseline",
      examples.map((e, i) => ({
        id: e.id,
        source: e.source,
        references: e.references,
        prediction: predictions[i] ?? "",
      })),
    );
    run.writeJson(`baseline-${split}.json`, {
      system: r.system,
      data: data.origin,
      split,
      settings: r.settings ?? {},
      scores,
    });
  }
  io.stdout(`${data.origin}, ${split} (${examples.length} examples; baseline ${r.system})\n`);
  for (const s of scores)
    io.stdout(`${s.name}\t${s.value.toFixed(s.digits ?? 2)}${s.signature ? `\t${s.signature}` : ""}\n`);
  return { ...r, predictions, split, scores, dir };
}
