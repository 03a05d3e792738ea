/**
 * The `dqnlm` command line: argument parsing (`node:util` `parseArgs`, strict), the JSON config file, JSONL data,
 * tokenizer and reward set-up, and the five commands (`train`, `eval`, `generate`, `resume`, `doctor`). Kept
 * apart from `cli.ts` (which only runs it and turns errors into exit codes) so it can be tested in-process.
 *
 * Everything a user can get wrong is checked before anything is written: flags, the config file (every level,
 * unknown keys answered with the nearest valid one), the run folder, the data files and the trainer config.
 */

import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DqnlmError, nearestName, preview, writeJsonAtomic } from "@dqnlm/core";
import { loadTokenizer, type Tokenizer, trainTokenizer } from "@dqnlm/mdp";
import { doctor, resolveConfig as resolveGpt2Config, selectBackend } from "@dqnlm/qnet";
import {
  bleuReward,
  chrfReward,
  loadReward,
  type Reward,
  RewardPluginError,
  type RewardRecord,
  rougeReward,
  squadF1Reward,
  terReward,
} from "@dqnlm/rewards";
import { resolveConfig, type TrainerConfigInput, type TruncationSide } from "./config.js";
import { TrainerConfigError, TrainerInputError } from "./errors.js";
import { logAboveProgress } from "./progress.js";
import type { Example } from "./text-task.js";
import { evaluate, generate, type ModelInit, resume, train } from "./train.js";

/** The JSON config file of `dqnlm train` (every part optional; flags override). */
export interface CliSpec {
  /** Trainer config: preset + overrides. */
  trainer?: TrainerConfigInput;
  /** JSONL files with `prompt` and `reference` (string) or `references` (string[]). */
  data?: { train?: string; validation?: string; test?: string };
  /** A tokenizer folder (tokenizer.json), or options to train one on the training texts. */
  tokenizer?: { dir?: string; vocabSize?: number; kind?: "bpe" | "wordlevel" };
  /** Reward: `bleu`, `chrf`, `rouge1`/`rouge2`/`rougeL`, `ter`, `squad-f1`, with options. */
  reward?: { name: string; options?: Record<string, unknown> };
  /** Initial model. */
  init?: ModelInit;
}

/**
 * A command-line usage error: an unknown command or flag, a flag without its value, a bad flag value, or a run
 * folder that cannot be used. Code `DQNLM_CLI_USAGE`; `field` names the flag; `hint` says what to run instead.
 */
export class CliUsageError extends DqnlmError {
  static readonly CODE = "DQNLM_CLI_USAGE";
  /** One line telling the user what to do (shown under the error). */
  readonly hint: string;
  constructor(field: string, message: string, hint: string, options: { cause?: unknown } = {}) {
    super(CliUsageError.CODE, message, { field, ...options });
    this.hint = hint;
  }
}

/**
 * The `--config` file is missing, empty, not JSON, not an object, or holds an unknown key or a bad value.
 * Code `DQNLM_CLI_CONFIG_INVALID`; `field` is the dotted key (`init.config.nEmbd`).
 */
export class CliConfigError extends DqnlmError {
  static readonly CODE = "DQNLM_CLI_CONFIG_INVALID";
  /** The config file. */
  readonly file: string;
  constructor(file: string, field: string, message: string, options: { cause?: unknown } = {}) {
    super(CliConfigError.CODE, `${file}: ${message}`, { field, ...options });
    this.file = file;
  }
}

/** A data file cannot be read, is not valid UTF-8, or has a bad record. Code `DQNLM_CLI_BAD_DATA`. */
export class CliDataError extends DqnlmError {
  static readonly CODE = "DQNLM_CLI_BAD_DATA";
  /** The data file. */
  readonly file: string;
  /** 1-based line of the bad record (0: the file as a whole). */
  readonly line: number;
  constructor(file: string, line: number, message: string, options: { cause?: unknown } = {}) {
    super(CliDataError.CODE, `${line > 0 ? `${file}:${line}` : file}: ${message}`, {
      field: "data",
      ...options,
    });
    this.file = file;
    this.line = line;
  }
}

const RECORD_EXAMPLE = `{"prompt": "the cat sat", "reference": "a cat sat"}`;

/**
 * Reads a JSONL data file. Each line: {"prompt": ..., "reference": "..."} or {"prompt": ..., "references": [...]}.
 * The file must be valid UTF-8, every non-blank line a JSON object with a string prompt and at least one
 * non-empty reference, and the file must hold at least one record.
 * @throws CliDataError naming `file:line`.
 */
export function readJsonl(path: string): Example[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new CliDataError(
      path,
      0,
      code === "ENOENT"
        ? "no such file. Check the path (it is resolved against the current folder)."
        : code === "EISDIR"
          ? "is a folder; expected a JSONL file."
          : `cannot read the file (${(cause as Error).message}).`,
      { cause },
    );
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const out: Example[] = [];
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // byte-order mark
  let lineNo = 0;
  while (start < bytes.length) {
    lineNo++;
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const lineBytes = bytes.subarray(start, end);
    start = end + 1;
    let line: string;
    try {
      line = decoder.decode(lineBytes);
    } catch (cause) {
      throw new CliDataError(
        path,
        lineNo,
        "not valid UTF-8. Re-encode the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`).",
        { cause },
      );
    }
    if (!line.trim()) continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (cause) {
      throw new CliDataError(
        path,
        lineNo,
        `not valid JSON (${(cause as Error).message}): ${preview(line.trim())}. Each line must be an object like ${RECORD_EXAMPLE}.`,
        { cause },
      );
    }
    if (o === null || typeof o !== "object" || Array.isArray(o))
      throw new CliDataError(
        path,
        lineNo,
        `expected a JSON object, found ${preview(o)}. Each line must be an object like ${RECORD_EXAMPLE}.`,
      );
    const r = o as Record<string, unknown>;
    const refs = Array.isArray(r.references)
      ? (r.references as unknown[])
      : typeof r.reference === "string"
        ? [r.reference]
        : null;
    if (typeof r.prompt !== "string" || !refs || refs.length === 0 || refs.some((x) => typeof x !== "string"))
      throw new CliDataError(
        path,
        lineNo,
        `expected a string "prompt" and a string "reference" or a non-empty string array "references", found ${preview(o)}.`,
      );
    if ((refs as string[]).every((x) => x.trim() === ""))
      throw new CliDataError(
        path,
        lineNo,
        `empty reference${r.prompt.trim() === "" ? " and empty prompt" : ""}: a record needs a non-empty reference to score against. Fix or remove the line.`,
      );
    out.push({ prompt: r.prompt, references: refs as string[] });
  }
  if (out.length === 0)
    throw new CliDataError(
      path,
      0,
      `holds no record (${lineNo === 0 ? "the file is empty" : "only blank lines"}); expected one JSON object per line like ${RECORD_EXAMPLE}.`,
    );
  return out;
}

const REWARDS = ["bleu", "chrf", "rouge1", "rouge2", "rougeL", "rougeLsum", "ter", "squad-f1"] as const;

/** Builds a reward from its CLI name. */
export function rewardFromSpec(spec: { name: string; options?: Record<string, unknown> }): Reward {
  const o = spec.options ?? {};
  switch (spec.name) {
    case "bleu":
      return bleuReward(o);
    case "chrf":
      return chrfReward(o);
    case "rouge1":
    case "rouge2":
    case "rougeL":
    case "rougeLsum":
      return rougeReward({ ...o, type: spec.name });
    case "ter":
      return terReward(o);
    case "squad-f1":
      return squadF1Reward();
    default: {
      const guess = nearest(String(spec.name), REWARDS);
      throw new TrainerInputError(
        "reward.name",
        `unknown reward ${JSON.stringify(spec.name)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ""} Use one of ${REWARDS.join(", ")}.`,
      );
    }
  }
}

/**
 * A built-in reward by name, or a reward package / module `<package or path>[#export]` (resolved from the
 * current folder; its factory gets `spec.options`). Returns the reward and, for a plug-in, what was loaded.
 */
export async function loadCliReward(spec: {
  name: string;
  options?: Record<string, unknown>;
}): Promise<{ reward: Reward; record: RewardRecord | null }> {
  if ((REWARDS as readonly string[]).includes(spec.name))
    return { reward: rewardFromSpec(spec), record: null };
  try {
    return await loadReward(spec.name, spec.options);
  } catch (e) {
    // a bare word that is no installed package is most likely a misspelt built-in name
    if (
      e instanceof RewardPluginError &&
      e.code === RewardPluginError.NOT_FOUND &&
      !/[/#.@]/.test(spec.name)
    ) {
      const guess = nearest(spec.name, REWARDS);
      throw new TrainerInputError(
        "reward",
        `unknown reward ${JSON.stringify(spec.name)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ""} Use one of ${REWARDS.join(", ")}, or a reward package or module: <package or path>[#export].`,
        { cause: e },
      );
    }
    throw e;
  }
}

/** `--reward-options` (JSON object) as reward options; relative plug-in paths made absolute for `resume`. */
function rewardSpecOf(flags: Values): { name: string; options?: Record<string, unknown> } | undefined {
  const name = flags.reward as string | undefined;
  const text = flags["reward-options"] as string | undefined;
  if (name === undefined) {
    if (text !== undefined)
      throw new CliUsageError("reward-options", "--reward-options needs --reward.", "Pass --reward too.");
    return undefined;
  }
  let options: unknown;
  if (text !== undefined) {
    try {
      options = JSON.parse(text);
    } catch (cause) {
      throw new CliUsageError(
        "reward-options",
        `--reward-options is not valid JSON (${(cause as Error).message}).`,
        `Pass a JSON object, e.g. --reward-options '{"alpha": 0.85}'.`,
        { cause },
      );
    }
    if (options === null || typeof options !== "object" || Array.isArray(options))
      throw new CliUsageError(
        "reward-options",
        `--reward-options must be a JSON object, received ${preview(text)}.`,
        `Pass a JSON object, e.g. --reward-options '{"alpha": 0.85}'.`,
      );
  }
  const abs = name.startsWith(".") ? resolve(name) : name; // resolve() keeps a "#export" suffix as is
  return { name: abs, ...(options === undefined ? {} : { options: options as Record<string, unknown> }) };
}

/** Adds what the run optimised to the run's config.json (package, version, options, signature for a plug-in). */
function recordRewardIn(runDir: string, reward: Reward, record: RewardRecord | null): void {
  const path = join(runDir, "config.json");
  if (!existsSync(path)) return;
  const meta = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  writeJsonAtomic(path, { ...meta, reward: { name: reward.name, config: reward.config, plugin: record } });
}

// ---------------------------------------------------------------------------------------------------------------
// Flags

type FlagKind = "string" | "int" | "boolean";
interface Flag {
  readonly kind: FlagKind;
  readonly help: string;
  /** Lower bound of an int flag. */
  readonly min?: number;
  readonly short?: string;
}

const HELP: Flag = { kind: "boolean", short: "h", help: "show this help" };

/** The flags of each command (besides --help). */
const COMMANDS: Readonly<Record<string, { summary: string; usage: string; flags: Record<string, Flag> }>> = {
  train: {
    summary: "train a Q-network on JSONL data into a run folder",
    usage:
      "dqnlm train --config cfg.json --train f.jsonl [--validation f.jsonl] [--test f.jsonl] --run runs/x",
    flags: {
      config: { kind: "string", help: "JSON config file (trainer, data, tokenizer, reward, init)" },
      train: { kind: "string", help: "training data (JSONL); or data.train in the config" },
      validation: { kind: "string", help: "validation data (JSONL)" },
      test: { kind: "string", help: "test data (JSONL)" },
      run: { kind: "string", help: "run folder to create (must be new or empty)" },
      preset: { kind: "string", help: "preset: soft (default; KL-regularised soft Q) | stable | seed" },
      seed: { kind: "int", help: "master seed" },
      updates: { kind: "int", min: 0, help: "DQN learner updates (dqn.updates)" },
      reward: {
        kind: "string",
        help: `reward: ${REWARDS.join(" | ")} | <package or path>[#export] (default: bleu)`,
      },
      "reward-options": { kind: "string", help: "JSON options for a --reward package's factory" },
      tokenizer: {
        kind: "string",
        help: "tokenizer folder (tokenizer.json); default: train one on the data",
      },
      init: {
        kind: "string",
        help: "initial model: a checkpoint folder or a Hugging Face model folder / id",
      },
    },
  },
  resume: {
    summary: "continue an interrupted `dqnlm train` run exactly where it stopped",
    usage: "dqnlm resume --run runs/x",
    flags: { run: { kind: "string", help: "the run folder of `dqnlm train`" } },
  },
  eval: {
    summary: "greedy decoding of a JSONL file with a checkpoint, and its mean reward",
    usage: "dqnlm eval --model runs/x/checkpoints/best --tokenizer runs/x/tokenizer --data test.jsonl",
    flags: {
      model: { kind: "string", help: "checkpoint folder (config.json + model.safetensors)" },
      tokenizer: { kind: "string", help: "tokenizer folder (tokenizer.json)" },
      data: { kind: "string", help: "JSONL data to evaluate" },
      reward: {
        kind: "string",
        help: "reward or <package or path>[#export] (default: the run's, else bleu)",
      },
      "reward-options": { kind: "string", help: "JSON options for a --reward package's factory" },
      "max-new-tokens": { kind: "int", min: 1, help: "generation limit (default: the run's, else 32)" },
      "max-prompt-tokens": { kind: "int", min: 1, help: "prompt limit (default: the run's, else 64)" },
    },
  },
  generate: {
    summary: "greedy argmax-Q generation for --prompt or a JSONL file of prompts",
    usage: 'dqnlm generate --model runs/x/checkpoints/best --tokenizer runs/x/tokenizer --prompt "text"',
    flags: {
      model: { kind: "string", help: "checkpoint folder (config.json + model.safetensors)" },
      tokenizer: { kind: "string", help: "tokenizer folder (tokenizer.json)" },
      prompt: { kind: "string", help: "prompt text" },
      prompts: { kind: "string", help: "JSONL file of prompts (its prompt fields)" },
      "max-new-tokens": { kind: "int", min: 1, help: "generation limit (default: the run's, else 32)" },
      "max-prompt-tokens": { kind: "int", min: 1, help: "prompt limit (default: the run's, else 64)" },
    },
  },
  doctor: {
    summary: "which tfjs backend runs, and why the others do not",
    usage: "dqnlm doctor",
    flags: {},
  },
};

const USAGE = `dqnlm — DQN for language models

  dqnlm train    --config cfg.json [--train f.jsonl] [--validation f.jsonl] [--test f.jsonl] --run runs/x
                 [--preset soft|stable|seed] [--seed N] [--updates N] [--reward bleu] [--tokenizer dir] [--init dir]
  dqnlm resume   --run runs/x
  dqnlm eval     --model runs/x/checkpoints/best --tokenizer runs/x/tokenizer --data test.jsonl [--reward bleu]
  dqnlm generate --model runs/x/checkpoints/best --tokenizer runs/x/tokenizer --prompt "text" [--max-new-tokens 32]
  dqnlm doctor   (which tfjs backend runs, and why the others do not)
  dqnlm --version

Run \`dqnlm <command> --help\` for the flags of a command.
Data files are JSONL with "prompt" and "reference" (or "references": [...]).`;

function commandHelp(name: string): string {
  const c = COMMANDS[name] as (typeof COMMANDS)[string];
  const rows = Object.entries({ ...c.flags, help: HELP }).map(([n, f]) => {
    const left = `  ${f.short ? `-${f.short}, ` : ""}--${n}${f.kind === "boolean" ? "" : ` <${f.kind === "int" ? "n" : "value"}>`}`;
    return [left, f.help] as const;
  });
  const w = Math.max(...rows.map(([l]) => l.length)) + 2;
  return `dqnlm ${name} — ${c.summary}\n\n  ${c.usage}\n\nFlags:\n${rows.map(([l, r]) => l.padEnd(w) + r).join("\n")}`;
}

/** The package version (from package.json next to src/ and dist/). */
export function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The nearest of `options` to `name` (edit distance, case-insensitive), or undefined when none is close. */
export const nearest: (name: string, options: readonly string[]) => string | undefined = nearestName;

type Values = Record<string, string | number | boolean | undefined>;

function parseFlags(cmd: string, argv: readonly string[]): Values {
  const spec = COMMANDS[cmd] as (typeof COMMANDS)[string];
  const flags: Record<string, Flag> = { ...spec.flags, help: HELP };
  const hint = `Run \`dqnlm ${cmd} --help\` for its flags.`;
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [n, f] of Object.entries(flags))
    options[n] = {
      type: f.kind === "boolean" ? "boolean" : "string",
      ...(f.short ? { short: f.short } : {}),
    };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const msg = (cause as Error).message;
    const flag = /'(-{1,2}[^'\s]+)/.exec(msg)?.[1] ?? "";
    const name = flag.replace(/^-+/, "").split("=")[0] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const guess = nearest(name, Object.keys(flags));
      throw new CliUsageError(
        name,
        `unknown flag ${flag} for \`dqnlm ${cmd}\`${guess ? `; did you mean --${guess}?` : "."}`,
        hint,
        { cause },
      );
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
      throw new CliUsageError(
        name,
        `--${name} needs a value (e.g. --${name} ${exampleValue(name)}); for a value starting with a dash write --${name}=-x.`,
        hint,
        { cause },
      );
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      const arg = /'([^']*)'/.exec(msg)?.[1] ?? "";
      throw new CliUsageError(
        "arguments",
        `unexpected argument ${JSON.stringify(arg)}: \`dqnlm ${cmd}\` takes only --flags (quote a value with spaces).`,
        hint,
        { cause },
      );
    }
    throw new CliUsageError("arguments", msg.split("\n")[0] ?? msg, hint, { cause });
  }
  const out: Values = {};
  for (const [n, v] of Object.entries(parsed.values)) {
    const f = flags[n];
    if (f === undefined || v === undefined) continue;
    if (f.kind === "boolean") out[n] = v as boolean;
    else if (typeof v !== "string" || v.trim() === "")
      throw new CliUsageError(n, `--${n} needs a non-empty value (e.g. --${n} ${exampleValue(n)}).`, hint);
    else if (f.kind === "int") {
      const x = Number(v);
      if (!Number.isInteger(x) || (f.min !== undefined && x < f.min))
        throw new CliUsageError(
          n,
          `--${n} must be an integer${f.min !== undefined ? ` ≥ ${f.min}` : ""}, received ${JSON.stringify(v)}.`,
          hint,
        );
      out[n] = x;
    } else out[n] = v;
  }
  return out;
}

function exampleValue(name: string): string {
  const ex: Record<string, string> = {
    run: "runs/x",
    config: "cfg.json",
    train: "train.jsonl",
    validation: "validation.jsonl",
    test: "test.jsonl",
    data: "test.jsonl",
    prompts: "prompts.jsonl",
    model: "runs/x/checkpoints/best",
    tokenizer: "runs/x/tokenizer",
    preset: "stable",
    reward: "bleu",
    prompt: '"some text"',
    init: "runs/y/checkpoints/best",
  };
  return ex[name] ?? "1";
}

function need(v: Values, cmd: string, name: string): string {
  const x = v[name];
  if (typeof x !== "string")
    throw new CliUsageError(
      name,
      `missing --${name} (e.g. --${name} ${exampleValue(name)}).`,
      `Run \`dqnlm ${cmd} --help\` for its flags.`,
    );
  return x;
}

// ---------------------------------------------------------------------------------------------------------------
// The config file

type Shape = { readonly [key: string]: "string" | "object" | "int" | "number" | "boolean" | Shape };

const INIT_CONFIG: Shape = {
  nEmbd: "int",
  nLayer: "int",
  nHead: "int",
  nPositions: "int",
  nInner: "int",
  layerNormEpsilon: "number",
  tieWordEmbeddings: "boolean",
  dueling: "boolean",
};

const SPEC_SHAPE: Shape = {
  trainer: "object",
  data: { train: "string", validation: "string", test: "string" },
  tokenizer: { dir: "string", vocabSize: "int", kind: "string" },
  reward: { name: "string", options: "object" },
  init: "object",
};

const INIT_SHAPES: Readonly<Record<string, Shape>> = {
  random: { type: "string", config: INIT_CONFIG },
  checkpoint: { type: "string", dir: "string" },
  pretrained: { type: "string", id: "string" },
};

const SPEC_EXAMPLE = `{"trainer": {"preset": "stable", "dqn": {"updates": 500}}, "data": {"train": "train.jsonl"}, "reward": {"name": "bleu"}}`;

function checkShape(file: string, path: string, value: unknown, shape: Shape): void {
  const here = path === "" ? "at the top level" : `in "${path}"`;
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new CliConfigError(
      file,
      path || "(root)",
      `${path ? `"${path}"` : "the config"} must be a JSON object, found ${preview(value)}.${path ? "" : ` Example: ${SPEC_EXAMPLE}`}`,
    );
  const known = Object.keys(shape);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const full = path ? `${path}.${k}` : k;
    const kind = shape[k];
    if (kind === undefined) {
      const guess = nearest(k, known);
      throw new CliConfigError(
        file,
        full,
        `unknown key ${JSON.stringify(k)} ${here}${guess ? `; did you mean ${JSON.stringify(guess)}?` : "."} Known keys: ${known.join(", ")}.`,
      );
    }
    if (typeof kind === "object") {
      checkShape(file, full, v, kind);
      continue;
    }
    const ok =
      kind === "string"
        ? typeof v === "string" && v !== ""
        : kind === "int"
          ? Number.isInteger(v) && (v as number) > 0
          : kind === "number"
            ? typeof v === "number" && Number.isFinite(v)
            : kind === "boolean"
              ? typeof v === "boolean"
              : v !== null && typeof v === "object" && !Array.isArray(v);
    if (!ok)
      throw new CliConfigError(
        file,
        full,
        `"${full}" must be ${{ string: "a non-empty string", int: "a positive integer", number: "a finite number", boolean: "true or false", object: "a JSON object" }[kind]}, found ${preview(v)}.`,
      );
  }
}

/**
 * Reads and validates the `--config` file of `dqnlm train`: it must exist and hold a JSON object whose keys (at
 * every level: top, `data`, `tokenizer`, `reward`, `init`, `init.config`, and `trainer` through the trainer's
 * own validation) are known.
 * @throws CliConfigError (or TrainerConfigError for the `trainer` section) naming the key and the nearest valid one.
 */
export function readCliSpec(file: string): CliSpec {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new CliConfigError(
      file,
      "config",
      code === "ENOENT"
        ? "config file not found. Check the path given to --config."
        : `cannot read the config file (${(cause as Error).message}).`,
      { cause },
    );
  }
  if (text.trim() === "")
    throw new CliConfigError(
      file,
      "config",
      `the config file is empty; expected a JSON object such as ${SPEC_EXAMPLE}.`,
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CliConfigError(file, "config", `not valid JSON (${(cause as Error).message}).`, { cause });
  }
  checkShape(file, "", value, SPEC_SHAPE);
  const spec = value as Record<string, unknown>;
  if (spec.tokenizer !== undefined) {
    const kind = (spec.tokenizer as { kind?: string }).kind;
    if (kind !== undefined && kind !== "bpe" && kind !== "wordlevel")
      throw new CliConfigError(
        file,
        "tokenizer.kind",
        `"tokenizer.kind" must be "bpe" or "wordlevel", found ${preview(kind)}.`,
      );
  }
  if (spec.reward !== undefined && (spec.reward as { name?: unknown }).name === undefined)
    throw new CliConfigError(file, "reward.name", `"reward" needs a "name": one of ${REWARDS.join(", ")}.`);
  if (spec.init !== undefined) checkInit(file, spec.init as Record<string, unknown>);
  return spec as CliSpec;
}

function checkInit(file: string, init: Record<string, unknown>): void {
  const type = init.type;
  const types = Object.keys(INIT_SHAPES);
  if (typeof type !== "string" || INIT_SHAPES[type] === undefined) {
    const guess = typeof type === "string" ? nearest(type, types) : undefined;
    throw new CliConfigError(
      file,
      "init.type",
      `"init.type" must be one of ${types.map((t) => JSON.stringify(t)).join(", ")}, found ${preview(type)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : "."}`,
    );
  }
  checkShape(file, "init", init, INIT_SHAPES[type] as Shape);
  if (type === "random" && init.config !== undefined) {
    try {
      resolveGpt2Config({ ...(init.config as object), vocabSize: 1 });
    } catch (cause) {
      const field = (cause as { field?: string }).field;
      throw new CliConfigError(
        file,
        `init.config${field ? `.${field}` : ""}`,
        `${(cause as Error).message.replace(/^GPT2Config\./, "init.config.")}.`,
        { cause },
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Output folders

/**
 * Checks that `dir` can be a new run folder: not a file, not under a file, in a writable place, and (when it
 * exists) empty. Writes nothing.
 * @throws CliUsageError naming `flag`.
 */
export function checkNewRunFolder(dir: string, flag: string, cmd: string): void {
  const abs = resolve(dir);
  const fix = `Pass another --${flag}.`;
  if (existsSync(abs)) {
    const st = statSync(abs);
    if (!st.isDirectory()) throw new CliUsageError(flag, `--${flag} ${dir} is a file, not a folder.`, fix);
    if (readdirSync(abs).length > 0) {
      const ours = existsSync(join(abs, "config.json")) || existsSync(join(abs, "cli.json"));
      throw new CliUsageError(
        flag,
        `--${flag} ${dir} already exists and is not empty${ours ? " (it holds a dqnlm run)" : ""}; \`dqnlm ${cmd}\` writes only into a new or empty folder.`,
        ours ? `Continue that run with \`dqnlm resume --run ${dir}\`, or pass another --${flag}.` : fix,
      );
    }
  }
  checkWritable(abs, dir, flag);
}

/** Throws when the nearest existing ancestor of `abs` (or `abs` itself) is a file or not writable. */
function checkWritable(abs: string, shown: string, flag: string): void {
  let p = abs;
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  if (!statSync(p).isDirectory())
    throw new CliUsageError(
      flag,
      `--${flag} ${shown} is under ${p}, which is a file, so the folder cannot be created.`,
      `Pass another --${flag}.`,
    );
  try {
    accessSync(p, constants.W_OK);
  } catch (cause) {
    throw new CliUsageError(
      flag,
      `--${flag} ${shown}: ${p} is not writable (${(cause as NodeJS.ErrnoException).code ?? "EACCES"}).`,
      `Pass a --${flag} in a folder you can write to.`,
      { cause },
    );
  }
}

/** Maps an error thrown while writing into the run folder (EACCES, EROFS, ENOTDIR, …) to a usage error. */
function asOutputError(e: unknown, dir: string, flag: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (e instanceof DqnlmError || code === undefined) return e;
  if (["EACCES", "EPERM", "EROFS", "ENOTDIR", "EEXIST", "ENOSPC"].includes(code))
    return new CliUsageError(
      flag,
      `cannot write the run folder ${dir} (${code}: ${(e as Error).message}).`,
      `Pass a --${flag} in a folder you can write to.`,
      { cause: e },
    );
  return e;
}

// ---------------------------------------------------------------------------------------------------------------
// Commands

function tokenizerFor(spec: CliSpec, train: readonly Example[], runDir: string): Tokenizer {
  if (spec.tokenizer?.dir) return loadTokenizer(spec.tokenizer.dir);
  const texts = train.flatMap((e) => [e.prompt, ...e.references]);
  const tok = trainTokenizer(texts, {
    vocabSize: spec.tokenizer?.vocabSize ?? 1000,
    kind: spec.tokenizer?.kind ?? "bpe",
  });
  tok.save(join(runDir, "tokenizer"));
  return loadTokenizer(join(runDir, "tokenizer"));
}

/**
 * Runs `fn` with a `shouldStop` that turns true on Ctrl-C (SIGINT) or SIGTERM: the trainer then writes a
 * checkpoint and returns, so the run can be continued with `dqnlm resume`.
 */
async function withInterrupt<T>(fn: (shouldStop: () => boolean) => Promise<T>): Promise<T> {
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await fn(() => stop);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** The data/generation limits of the run a checkpoint folder belongs to (`<run>/checkpoints/<name>`), if any. */
function runLimitsOf(model: string): {
  maxPromptTokens?: number;
  maxNewTokens?: number;
  truncationSide?: TruncationSide;
  reward?: string;
} {
  const runDir = dirname(dirname(resolve(model)));
  try {
    const meta = JSON.parse(readFileSync(join(runDir, "config.json"), "utf8")) as {
      config?: {
        data?: { maxPromptTokens?: number; maxNewTokens?: number; truncationSide?: TruncationSide };
      };
    };
    let reward: string | undefined;
    try {
      reward = (JSON.parse(readFileSync(join(runDir, "cli.json"), "utf8")) as { reward?: { name?: string } })
        .reward?.name;
    } catch {
      reward = undefined;
    }
    return { ...(meta.config?.data ?? {}), ...(reward ? { reward } : {}) };
  } catch {
    return {};
  }
}

/** Runs one CLI invocation; output lines go to `out`. Returns the exit code (errors are thrown). */
export async function runCli(
  argv: readonly string[],
  out: (line: string) => void = (l) => logAboveProgress(`${l}\n`, process.stdout),
): Promise<number> {
  const [cmd = "help", ...rest] = argv;
  if (cmd === "help" || cmd === "--help" || cmd === "-h") {
    const sub = rest[0];
    out(sub !== undefined && COMMANDS[sub] ? commandHelp(sub) : USAGE);
    return 0;
  }
  if (cmd === "--version" || cmd === "-v" || cmd === "version") {
    out(cliVersion());
    return 0;
  }
  if (COMMANDS[cmd] === undefined) {
    const guess = nearest(cmd.replace(/^-+/, ""), [...Object.keys(COMMANDS), "help", "version"]);
    throw new CliUsageError(
      "command",
      `${cmd.startsWith("-") ? "unknown flag" : "unknown command"} ${JSON.stringify(cmd)}${guess ? `; did you mean \`dqnlm ${guess}\`?` : "."} Commands: ${Object.keys(COMMANDS).join(", ")}.`,
      "Run `dqnlm --help` for usage.",
    );
  }
  const flags = parseFlags(cmd, rest);
  if (flags.help === true) {
    out(commandHelp(cmd));
    return 0;
  }
  switch (cmd) {
    case "train":
      return trainCommand(flags, out);
    case "resume":
      return resumeCommand(flags, out);
    case "eval": {
      const model = need(flags, "eval", "model");
      const tokenizerDir = need(flags, "eval", "tokenizer");
      const examples = readJsonl(need(flags, "eval", "data"));
      const run = runLimitsOf(model);
      const { reward } = await loadCliReward(rewardSpecOf(flags) ?? { name: run.reward ?? "bleu" });
      await selectBackend();
      const r = await evaluate({
        model,
        tokenizer: loadTokenizer(tokenizerDir),
        examples,
        reward,
        maxNewTokens: (flags["max-new-tokens"] as number | undefined) ?? run.maxNewTokens ?? 32,
        maxPromptTokens: (flags["max-prompt-tokens"] as number | undefined) ?? run.maxPromptTokens ?? 64,
        ...(run.truncationSide ? { truncationSide: run.truncationSide } : {}),
      });
      out(
        JSON.stringify(
          { metric: r.metric, repetition: r.repetition, empty: r.empty, n: r.scores.length },
          null,
          2,
        ),
      );
      return 0;
    }
    case "generate": {
      const model = need(flags, "generate", "model");
      const tokenizerDir = need(flags, "generate", "tokenizer");
      const prompts =
        typeof flags.prompt === "string"
          ? [flags.prompt]
          : readJsonl(need(flags, "generate", "prompts")).map((e) => e.prompt);
      const run = runLimitsOf(model);
      await selectBackend();
      const outs = await generate({
        model,
        tokenizer: loadTokenizer(tokenizerDir),
        prompts,
        maxNewTokens: (flags["max-new-tokens"] as number | undefined) ?? run.maxNewTokens ?? 32,
        maxPromptTokens: (flags["max-prompt-tokens"] as number | undefined) ?? run.maxPromptTokens ?? 64,
        ...(run.truncationSide ? { truncationSide: run.truncationSide } : {}),
      });
      for (const o of outs) out(o);
      return 0;
    }
    default: {
      out(JSON.stringify(await doctor(), null, 2));
      return 0;
    }
  }
}

async function trainCommand(flags: Values, out: (line: string) => void): Promise<number> {
  const cfgPath = flags.config as string | undefined;
  const spec: CliSpec = cfgPath ? readCliSpec(cfgPath) : {};
  const runArg = need(flags, "train", "run");
  const runDir = resolve(runArg);
  checkNewRunFolder(runArg, "run", "train");
  const files = {
    train: (flags.train as string | undefined) ?? spec.data?.train,
    validation: (flags.validation as string | undefined) ?? spec.data?.validation,
    test: (flags.test as string | undefined) ?? spec.data?.test,
  };
  if (!files.train)
    throw new CliUsageError(
      "train",
      `missing training data: pass --train file.jsonl or set "data.train" in the config.`,
      "Run `dqnlm train --help` for its flags.",
    );
  const data = {
    train: readJsonl(files.train),
    validation: files.validation ? readJsonl(files.validation) : [],
    test: files.test ? readJsonl(files.test) : [],
  };
  const trainer: Record<string, unknown> = { ...(spec.trainer ?? {}) };
  if (flags.preset !== undefined) trainer.preset = flags.preset;
  if (flags.seed !== undefined) trainer.seed = flags.seed;
  if (flags.updates !== undefined) trainer.dqn = { ...(trainer.dqn as object), updates: flags.updates };
  try {
    resolveConfig(trainer); // validated before anything is written
  } catch (e) {
    if (e instanceof TrainerConfigError && cfgPath)
      throw new TrainerConfigError(
        (e.field ?? "").toString(),
        `${e.message.replace(/^config\.[^:]*: /, "")} (in ${cfgPath}, under "trainer")`,
        { cause: e },
      );
    throw e;
  }
  const tokDir = (flags.tokenizer as string | undefined) ?? spec.tokenizer?.dir;
  if (tokDir !== undefined && !existsSync(join(tokDir, "tokenizer.json")))
    throw new CliUsageError(
      "tokenizer",
      `${tokDir} holds no tokenizer.json.`,
      "Pass a tokenizer folder (e.g. runs/x/tokenizer), or leave it out to train one on the data.",
    );
  const tokSpec = tokDir !== undefined ? { ...spec, tokenizer: { dir: tokDir } } : spec;
  const rewardSpec = rewardSpecOf(flags) ?? spec.reward ?? { name: "bleu" };
  const { reward, record: rewardRecord } = await loadCliReward(rewardSpec);
  const initFlag = flags.init as string | undefined;
  const init: ModelInit | undefined =
    initFlag !== undefined
      ? existsSync(join(initFlag, "model.safetensors"))
        ? { type: "checkpoint", dir: initFlag }
        : { type: "pretrained", id: initFlag }
      : spec.init;
  const tokenizerDir = tokSpec.tokenizer?.dir ? resolve(tokSpec.tokenizer.dir) : join(runDir, "tokenizer");
  let tokenizer: Tokenizer;
  try {
    tokenizer = tokenizerFor(tokSpec, data.train, runDir);
    // written first so that an interrupted run can be resumed from the CLI
    writeJsonAtomic(join(runDir, "cli.json"), {
      data: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v ? resolve(v) : null])),
      tokenizerDir,
      reward: rewardSpec,
      ...(rewardRecord ? { rewardPlugin: rewardRecord } : {}),
    });
  } catch (e) {
    throw asOutputError(e, runArg, "run");
  }
  const res = await withInterrupt((shouldStop) =>
    train(
      {
        runDir,
        config: trainer as TrainerConfigInput,
        data,
        tokenizer,
        reward,
        ...(init ? { init } : {}),
      },
      { shouldStop },
    ),
  ).catch((e: unknown) => {
    throw asOutputError(e, runArg, "run");
  });
  recordRewardIn(runDir, reward, rewardRecord);
  out(JSON.stringify(summary(res), null, 2));
  if (res.stopped === "callback") out(`interrupted: continue with \`dqnlm resume --run ${runArg}\``);
  return 0;
}

async function resumeCommand(flags: Values, out: (line: string) => void): Promise<number> {
  const runArg = need(flags, "resume", "run");
  const runDir = resolve(runArg);
  if (!existsSync(runDir) || !statSync(runDir).isDirectory())
    throw new CliUsageError(
      "run",
      `--run ${runArg} is not a folder.`,
      "Pass the run folder of an earlier `dqnlm train`.",
    );
  const cliPath = join(runDir, "cli.json");
  if (!existsSync(cliPath))
    throw new CliUsageError(
      "run",
      `${cliPath} not found: only runs started with \`dqnlm train\` can be resumed from the CLI.`,
      "Use resume() from code for runs started from code.",
    );
  let c: {
    data: { train: string; validation: string | null; test: string | null };
    tokenizerDir: string;
    reward: { name: string; options?: Record<string, unknown> };
  };
  try {
    c = JSON.parse(readFileSync(cliPath, "utf8"));
  } catch (cause) {
    throw new CliUsageError(
      "run",
      `${cliPath} is not valid JSON (${(cause as Error).message}).`,
      "Start the run again with `dqnlm train`.",
      { cause },
    );
  }
  const input = {
    data: {
      train: readJsonl(c.data.train),
      validation: c.data.validation ? readJsonl(c.data.validation) : [],
      test: c.data.test ? readJsonl(c.data.test) : [],
    },
    tokenizer: loadTokenizer(c.tokenizerDir),
    reward: (await loadCliReward(c.reward)).reward,
  };
  const res = await withInterrupt((shouldStop) => resume(runDir, input, { shouldStop }));
  out(JSON.stringify(summary(res), null, 2));
  if (res.stopped === "callback") out(`interrupted: continue with \`dqnlm resume --run ${runArg}\``);
  return 0;
}

function summary(r: Awaited<ReturnType<typeof train>>) {
  return {
    runDir: r.runDir,
    stopped: r.stopped,
    updates: r.updates,
    validation: r.validation,
    test: r.test ? { before: r.test.before.metric, after: r.test.after.metric } : null,
    bestCheckpoint: r.bestCheckpoint,
    curves: r.curves,
    backend: r.backend,
    seconds: Math.round(r.seconds * 10) / 10,
  };
}

/** Exit codes of `dqnlm`: 0 ok, 1 unexpected, 2 usage/config, 3 data, 4 training or checkpoint. */
export const CLI_EXIT_CODES: {
  readonly ok: 0;
  readonly failure: 1;
  readonly usage: 2;
  readonly data: 3;
  readonly training: 4;
} = { ok: 0, failure: 1, usage: 2, data: 3, training: 4 };

/** The exit code for an error thrown by {@link runCli}. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof CliUsageError || e instanceof CliConfigError || e instanceof TrainerConfigError)
    return CLI_EXIT_CODES.usage;
  if (e instanceof CliDataError) return CLI_EXIT_CODES.data;
  if (e instanceof TrainerInputError) return CLI_EXIT_CODES.data;
  if (e instanceof DqnlmError) return CLI_EXIT_CODES.training;
  return CLI_EXIT_CODES.failure;
}

/**
 * Formats an error for the terminal: `error CODE (field): message`, then the hint line. Never a stack trace
 * (set `DQNLM_DEBUG=1` to see one for an unexpected error).
 */
export function formatError(e: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (e instanceof DqnlmError) {
    const hint = e instanceof CliUsageError ? `\n  ${e.hint}` : "";
    return `error ${e.code}${e.field ? ` (${e.field})` : ""}: ${e.message}${hint}`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  const debug = env.DQNLM_DEBUG && e instanceof Error && e.stack ? `\n${e.stack}` : "";
  return `error: ${msg.split("\n")[0]}\n  This is unexpected; rerun with DQNLM_DEBUG=1 for details and report it.${debug}`;
}
