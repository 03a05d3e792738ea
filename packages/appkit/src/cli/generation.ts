/** The standard commands of a generation task's CLI. */
import { runBaseline } from "../baseline.js";
import { runCompare } from "../compare.js";
import {
  evaluateGeneration,
  generateText,
  resumeGeneration,
  runExperiment,
  trainGeneration,
} from "../pipeline.js";
import type { GenerationTask } from "../task.js";
import { type CliCommand, generationOptionSpecs, type TaskCliSpec } from "./run.js";

/**
 * `train`, `demo`, `resume`, `eval`, `generate`, `experiment`, `compare` and (when the task has one) `baseline`
 * for `task`, plus any `extra` commands.
 */
export function generationCli(
  task: GenerationTask,
  bin: string,
  extra: Readonly<Record<string, CliCommand>> = {},
): TaskCliSpec {
  const specs = generationOptionSpecs(task);
  return {
    bin,
    description: task.description,
    commands: {
      demo: {
        summary: "train and evaluate on the built-in demonstration data (offline, a few minutes)",
        options: specs.demo,
        run: async (p, io) => {
          await trainGeneration(task, p.values, p.trainerOverrides, io, "demo");
        },
      },
      train: {
        summary: "tokenizer → MLE warm start → DQN → test metrics and report in a run folder",
        options: specs.train,
        run: async (p, io) => {
          await trainGeneration(task, p.values, p.trainerOverrides, io, "train");
        },
      },
      resume: {
        summary: "continue an interrupted train/demo run (--out) from its last checkpoint, exactly",
        options: specs.resume,
        run: async (p, io) => {
          await resumeGeneration(task, p.values, io);
        },
      },
      eval: {
        summary: "decode a split with a trained model (--model run folder) and print the corpus metrics",
        options: specs.eval,
        run: async (p, io) => {
          await evaluateGeneration(task, p.values, io);
        },
      },
      generate: {
        summary:
          "greedy argmax-Q (or --beams N beam search) generation for --prompt texts or an --input file",
        options: specs.generate,
        run: async (p, io) => {
          await generateText(task, p.values, io);
        },
      },
      experiment: {
        summary: "MLE vs DQN presets over several seeds: mean ± std table (results.md)",
        options: specs.experiment,
        run: async (p, io) => {
          await runExperiment(task, p.values, p.trainerOverrides, io);
        },
      },
      ...(task.baseline
        ? {
            baseline: {
              summary: `non-learned baseline (${task.baseline.summary}): predictions of a split, as eval --out writes them`,
              options: specs.baseline,
              run: async (p, io) => {
                await runBaseline(task, p.values, io);
              },
            },
          }
        : {}),
      compare: {
        summary:
          "results table from eval/baseline/train predictions: metrics mean ± std over seeds, paired bootstrap p vs --reference",
        options: specs.compare,
        run: async (p, io) => {
          runCompare(task, p.values, io);
        },
      },
      ...extra,
    },
  };
}
