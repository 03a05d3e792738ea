/** The shared option groups of the task CLIs and their defaults. */
import { DEFAULT_PRESET } from "@dqnlm/trainer";
import type { OptionSpec } from "./options.js";

/** Options choosing and reading the data. */
export const DATA_OPTIONS: readonly OptionSpec[] = [
  {
    name: "data-dir",
    kind: "string",
    help: "dataset folder with train/validation/test files (.jsonl, .csv, .tsv, .parquet); omit for the built-in demonstration data",
  },
  { name: "dataset", kind: "string", help: "Hugging Face dataset id (online; downloads its Parquet files)" },
  { name: "hf-config", kind: "string", help: "configuration (subset) of --dataset" },
  { name: "hf-revision", kind: "string", default: "main", help: "revision of --dataset" },
  {
    name: "field-source",
    kind: "string",
    help: "record field holding the input text (default: the task's, source)",
  },
  {
    name: "field-target",
    kind: "string",
    help: "record field holding the reference (string or list of strings) (default: the task's, target)",
  },
  {
    name: "field-id",
    kind: "string",
    default: "id",
    help: "record field holding the id (optional in the data)",
  },
  { name: "skip-bad-lines", kind: "boolean", default: false, help: "skip malformed records and count them" },
  { name: "train-limit", kind: "int", min: 1, help: "use only the first N training examples" },
  { name: "validation-limit", kind: "int", min: 1, help: "use only the first N validation examples" },
  { name: "test-limit", kind: "int", min: 1, help: "use only the first N test examples" },
  { name: "demo-seed", kind: "int", default: 0, help: "seed of the built-in demonstration data generator" },
];

/** Options of the model and tokenizer. */
export const MODEL_OPTIONS: readonly OptionSpec[] = [
  {
    name: "init",
    kind: "string",
    default: "base",
    help: "base (the shipped pretrained dqnlm-base, models/dqnlm-base) | random | a run folder or checkpoint folder of ours | a Hugging Face model folder | a hub model id",
  },
  { name: "n-embd", kind: "int", min: 8, default: 64, help: "model width d (random init)" },
  { name: "n-layer", kind: "int", min: 1, default: 2, help: "transformer blocks (random init)" },
  { name: "n-head", kind: "int", min: 1, default: 2, help: "attention heads (random init)" },
  {
    name: "vocab-size",
    kind: "int",
    min: 32,
    default: 2000,
    help: "tokenizer vocabulary size (random init)",
  },
  {
    name: "max-prompt-tokens",
    kind: "int",
    min: 1,
    default: 64,
    help: "prompts are cut to this many tokens",
  },
  {
    name: "truncation-side",
    kind: "string",
    choices: ["left", "right"],
    default: "left",
    help: "which end of a longer prompt is cut: left keeps its end (latest dialogue turns), right keeps its beginning (an abstract's first sentences)",
  },
  { name: "max-new-tokens", kind: "int", min: 1, default: 24, help: "generation length limit" },
];

/** Options of training. */
export const TRAIN_OPTIONS: readonly OptionSpec[] = [
  {
    name: "config",
    kind: "string",
    help: "JSON file of option values and a `trainer` object of trainer overrides",
  },
  {
    name: "preset",
    kind: "string",
    choices: ["stable", "soft", "seed"],
    default: DEFAULT_PRESET,
    help: "RL preset: soft (KL-regularised soft Q over the frozen start model), stable (hard-max DQN with stabilisers) or seed (the method as written)",
  },
  { name: "seed", kind: "int", default: 1, help: "master seed (model init, sampling, replay)" },
  { name: "out", kind: "string", help: "run folder (default: runs/<task>-<preset>-s<seed>)" },
  { name: "overwrite", kind: "boolean", default: false, help: "replace an existing run folder of ours" },
  { name: "mle-epochs", kind: "int", min: 0, default: 10, help: "MLE warm-start epochs (0 = skip MLE)" },
  { name: "mle-steps", kind: "int", min: 0, default: 0, help: "cap on MLE steps (0 = none)" },
  { name: "dqn-updates", kind: "int", min: 0, default: 1000, help: "DQN learner updates (0 = MLE only)" },
  {
    name: "reward",
    kind: "string",
    help: "train on a reward package or module, <package or path>[#export], instead of the task's reward",
  },
  { name: "reward-options", kind: "string", help: "JSON options for the --reward package's factory" },
  { name: "val-every", kind: "int", min: 1, default: 200, help: "DQN updates between validations" },
  {
    name: "val-examples",
    kind: "int",
    min: 0,
    default: 200,
    help: "validation examples per validation (0 = all)",
  },
  {
    name: "time-budget",
    kind: "number",
    min: 0,
    default: 0,
    help: "stop DQN cleanly after this many minutes (0 = none)",
  },
  {
    name: "backend",
    kind: "string",
    help: "tfjs backend: wasm | cpu | tensorflow (default: auto / DQNLM_BACKEND)",
  },
  {
    name: "set",
    kind: "string",
    multiple: true,
    help: "trainer config override path=value, repeatable (e.g. --set dqn.klWeight=0.1)",
  },
  { name: "quiet", kind: "boolean", default: false, help: "print only the final summary" },
];

/** Options of `eval` and `generate`. */
export const MODEL_USE_OPTIONS: readonly OptionSpec[] = [
  {
    name: "model",
    kind: "string",
    help: "a run folder (uses its best checkpoint and tokenizer) or checkpoint folder",
  },
  {
    name: "split",
    kind: "string",
    choices: ["train", "validation", "test"],
    default: "test",
    help: "split to evaluate",
  },
  { name: "prompt", kind: "string", multiple: true, help: "prompt text (repeatable)" },
  {
    name: "input",
    kind: "string",
    help: "data file of prompts (same formats and --field-source as the data)",
  },
];

/**
 * Decoding options of `eval` and `generate`. `--beams 1` (the default) is greedy argmax-Q decoding, the path
 * `train` reports; with one beam neither the temperature nor the length penalty changes the output (the argmax
 * of Q/T is the argmax of Q, and a single hypothesis is never re-ranked). With `--beams N` > 1, hypotheses are
 * ranked by Σ log π / length^α with π = softmax(Q/T): T < 1 sharpens π, which changes the ranking only through
 * the log-normaliser of each step (it pulls beam search toward the greedy path as T → 0).
 */
export const DECODING_OPTIONS: readonly OptionSpec[] = [
  {
    name: "beams",
    kind: "int",
    min: 1,
    default: 1,
    help: "beam width (1 = greedy argmax-Q decoding, as train reports; N > 1 = beam search over π = softmax(Q/T))",
  },
  {
    name: "length-penalty",
    kind: "number",
    min: 0,
    default: 1,
    help: "α in the beam score Σ log π / length^α (0 = raw log-probability; no effect with --beams 1)",
  },
  {
    name: "temperature",
    kind: "number",
    default: 1,
    help: "T of π = softmax(Q/T) in beam search (T < 1 sharpens; no effect with --beams 1, the argmax does not move)",
  },
];

/** Options of `compare`. */
export const COMPARE_OPTIONS: readonly OptionSpec[] = [
  {
    name: "reference",
    kind: "string",
    help: 'the system every other is tested against: "NAME=DIR[,DIR…]" (an eval/baseline --out folder, a run folder, or a predictions .jsonl file; several = seeds) (required)',
  },
  {
    name: "system",
    kind: "string",
    multiple: true,
    help: 'a compared system "NAME=DIR[,DIR…]" (comma-separated folders are its seeds), repeatable',
  },
  {
    name: "split",
    kind: "string",
    choices: ["train", "validation", "test"],
    default: "test",
    help: "the split whose predictions/<split>.*.jsonl are read",
  },
  {
    name: "metric",
    kind: "string",
    multiple: true,
    help: "metrics to test, repeatable (default: every metric the task can test, its main metric first)",
  },
  {
    name: "resamples",
    kind: "int",
    min: 1,
    default: 1000,
    help: "paired bootstrap resamples (sacreBLEU --paired-bs-n)",
  },
  {
    name: "bootstrap-seed",
    kind: "int",
    default: 12345,
    help: "seed of the bootstrap resampling (sacreBLEU's SACREBLEU_SEED)",
  },
  { name: "out", kind: "string", help: "write the markdown table to this .md file and its JSON next to it" },
];

/** Options of `experiment`. */
export const EXPERIMENT_OPTIONS: readonly OptionSpec[] = [
  { name: "seeds", kind: "ints", default: [1, 2, 3], help: "seeds; each trains its own MLE model" },
  {
    name: "presets",
    kind: "strings",
    choices: ["stable", "soft", "seed"],
    default: ["stable", "seed"],
    help: "DQN presets fine-tuned from each seed's MLE model",
  },
];

/** The options every command accepts. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: "help", kind: "boolean", short: "h", default: false, help: "show help" },
];
