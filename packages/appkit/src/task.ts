/**
 * What an app tells appkit about its task. A generation task maps records to (prompt, references) examples,
 * names its reward and its corpus metrics, and supplies demonstration data; appkit does the rest (CLI, data,
 * tokenizer, trainer, run folder, report). Selection-mode apps (qa, dialogue) reuse the same readers, options
 * and run-folder/report pieces and add their own commands through {@link TaskCliSpec.commands}.
 */
import type { SignificanceMetric } from "@dqnlm/rewards";
import type { OptionSpec } from "./cli/options.js";
import type { PairFields, RecordView, TextPair } from "./data/read.js";
import type { SplitName } from "./data/splits.js";

/** The reward shape the trainer consumes (the rewards package's `Reward`, 0–1 scale for built-ins). */
export interface TaskReward {
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  score(hyp: string, refs: readonly string[]): number;
}

/** One corpus metric of a system's test predictions. */
export interface MetricScore {
  /** Display name, e.g. `BLEU`, `ROUGE-L`. */
  readonly name: string;
  /** The value on the metric's usual scale (BLEU/chrF/ROUGE as 0–100). */
  readonly value: number;
  /** The metric's signature (sacreBLEU style) so that numbers are comparable. @default none */
  readonly signature?: string;
  /** Decimals in tables. @default 2 */
  readonly digits?: number;
}

/** Values of the task CLI options, keyed by kebab-case option name (shared and task-specific). */
export type OptionValues = Readonly<Record<string, unknown>>;

/**
 * How `compare` tests one metric of {@link GenerationTask.metrics} with a paired bootstrap (sacreBLEU's
 * `--paired-bs`, from @dqnlm/rewards):
 * - `{ metric }`: `pairedBootstrap` recomputes that corpus metric on every resample (BLEU, chrF, TER from their
 *   sufficient statistics; ROUGE and SQuAD as means of sentence scores);
 * - `{ sentence }`: `pairedBootstrapScores` over per-example scores (the metric is their mean).
 * `scale` is the factor from the test's score to the metric's value (e.g. 100 for ROUGE, which the rewards
 * package scores on 0–1 and tasks report × 100); `compare` checks that scale × the test's score equals the metric.
 */
export type MetricTest =
  | { readonly metric: SignificanceMetric; readonly scale?: number }
  | {
      readonly sentence: (hyp: string, refs: readonly string[]) => number;
      readonly scale?: number;
    };

/** The significance tests of a task's metrics, for `compare`. */
export interface TaskSignificance {
  /** The task's main metric (a name of {@link GenerationTask.metrics}), tested by default and named first. */
  readonly main: string;
  /** The test of each metric that has one, by metric name (metrics without one get no p-value). */
  readonly tests: (options: OptionValues) => Readonly<Record<string, MetricTest>>;
}

/** What a task's non-learned baseline is given. */
export interface BaselineInput {
  /** All three splits (training data for retrieval/IDF, validation for tuning). */
  readonly splits: Readonly<Record<SplitName, readonly TextPair[]>>;
  /** The split to predict. */
  readonly split: SplitName;
  /** Writes one progress line (to stderr, unless `--quiet`). */
  readonly say: (line: string) => void;
}

/** A baseline's predictions for the asked split. */
export interface BaselineResult {
  /** The system's name in tables, e.g. `lead-12`, `copy source`. */
  readonly system: string;
  /** One prediction per example of the split, in order. */
  readonly predictions: readonly string[];
  /** What was chosen or used (recorded in `baseline-<split>.json`), e.g. `{ n: 12, grid: [5, 20] }`. @default {} */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** A task's simple non-learned baseline, run by the `baseline` command. */
export interface TaskBaseline {
  /** One line for `--help`, e.g. `lead-N words of the abstract, N tuned on validation`. */
  readonly summary: string;
  /** Options of the baseline (besides the data options and the task's). @default [] */
  readonly options?: readonly OptionSpec[];
  /** Predicts the split. May read `input.splits.train` and `.validation`; never the split's references. */
  readonly run: (input: BaselineInput, options: OptionValues) => BaselineResult | Promise<BaselineResult>;
}

/** A text-generation task (summarize, translate, generative qa/dialogue). */
export interface GenerationTask {
  /** Short name used in messages and ids, e.g. `summarize`. */
  readonly name: string;
  /** One line shown in `--help`. */
  readonly description: string;
  /** Default record fields. @default { source: "source", target: "target", id: "id" } */
  readonly fields?: PairFields;
  /** Builds the record mapper from the chosen fields. @default appkit's `pairMapper` */
  readonly mapRecord?: (fields: Required<PairFields>) => (record: RecordView) => TextPair;
  /** The prompt text the model sees for an example. @default the example's `source` */
  readonly prompt?: (example: TextPair, options: OptionValues) => string;
  /**
   * Outputs the model may produce for an example (constrained generation: training rollouts, the learner's
   * bootstrap and decoding all stay inside them; see the trainer's `Example.allowedOutputs`). Undefined: free.
   */
  readonly allowedOutputs?: (example: TextPair, options: OptionValues) => readonly string[] | undefined;
  /** The built-in demonstration data (deterministic in `seed`). */
  readonly demoData: (seed: number) => Record<SplitName, TextPair[]>;
  /** Task-specific CLI options (reward weights, …). @default [] */
  readonly options?: readonly OptionSpec[];
  /** The training reward, configured from the option values. */
  readonly reward: (options: OptionValues) => TaskReward;
  /** Corpus metrics of predictions against references (in the order shown in reports). */
  readonly metrics: (
    hyps: readonly string[],
    refs: readonly (readonly string[])[],
    options: OptionValues,
  ) => MetricScore[];
  /** Overrides of shared option defaults for `train`/`eval` (by kebab-case name). @default {} */
  readonly defaults?: OptionValues;
  /** Overrides of option defaults for the `demo` command (built-in data, a few minutes on 2 cores). @default {} */
  readonly demoDefaults?: OptionValues;
  /** The simple non-learned baseline (`baseline` command). @default none (no `baseline` command) */
  readonly baseline?: TaskBaseline;
  /** Paired significance tests of the metrics (`compare`). @default none (compare prints no p-values) */
  readonly significance?: TaskSignificance;
}
