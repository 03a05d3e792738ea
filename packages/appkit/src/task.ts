/**
 * What an app tells appkit about its task. A generation task maps records to (prompt, references) examples,
 * names its reward and its corpus metrics, and supplies demonstration data; appkit does the rest (CLI, data,
 * tokenizer, trainer, run folder, report). Selection-mode apps (qa, dialogue) reuse the same readers, options
 * and run-folder/report pieces and add their own commands through {@link TaskCliSpec.commands}.
 */
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
}
