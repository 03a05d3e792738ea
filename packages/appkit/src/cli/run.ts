/**
 * The task CLI: `train`, `demo`, `eval`, `generate`, `experiment` (and any extra commands an app adds). This is
 * the only place in dqnlm's apps where errors become exit codes: usage errors exit 2, data errors 3, training
 * and model errors 4, anything else 1.
 */
import { DqnlmError } from "@dqnlm/core";
import { logAboveProgress } from "@dqnlm/trainer";
import {
  ConfigFileError,
  DataFormatError,
  DataRecordError,
  DatasetNotFoundError,
  EmptySplitError,
  OutputPathError,
  UsageError,
} from "../errors.js";
import { outputError } from "../run/folder.js";
import type { GenerationTask } from "../task.js";
import {
  formatOptionsHelp,
  nearestName,
  type OptionSpec,
  type ParsedOptions,
  parseOptions,
} from "./options.js";
import {
  COMMON_OPTIONS,
  COMPARE_OPTIONS,
  DATA_OPTIONS,
  DECODING_OPTIONS,
  EXPERIMENT_OPTIONS,
  MODEL_OPTIONS,
  MODEL_USE_OPTIONS,
  TRAIN_OPTIONS,
} from "./specs.js";

/** Where the CLI writes. @default process.stdout / process.stderr */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A command of a task CLI. */
export interface CliCommand {
  /** One line for `--help`. */
  readonly summary: string;
  /** The options it accepts (besides `--help`). */
  readonly options: readonly OptionSpec[];
  /** Runs it. Throws typed errors; {@link runTaskCli} maps them to exit codes. */
  run(parsed: ParsedOptions, io: CliIo): Promise<void>;
}

/** What {@link runTaskCli} needs: the program name and the commands. */
export interface TaskCliSpec {
  /** Program name shown in help, e.g. `dqnlm-summarize`. */
  readonly bin: string;
  /** One-line description. */
  readonly description: string;
  readonly commands: Readonly<Record<string, CliCommand>>;
}

/** Process exit codes of the task CLIs. */
export const EXIT_CODES: {
  readonly ok: 0;
  readonly failure: 1;
  readonly usage: 2;
  readonly data: 3;
  readonly training: 4;
} = { ok: 0, failure: 1, usage: 2, data: 3, training: 4 };

// Through the trainer's progress bar, so that log lines and the bar never overwrite each other.
const defaultIo: CliIo = {
  stdout: (t) => logAboveProgress(t, process.stdout),
  stderr: (t) => logAboveProgress(t, process.stderr),
};

/** The exit code for an error thrown by a command. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigFileError || err instanceof OutputPathError)
    return EXIT_CODES.usage;
  if (
    err instanceof DataRecordError ||
    err instanceof DataFormatError ||
    err instanceof DatasetNotFoundError ||
    err instanceof EmptySplitError
  )
    return EXIT_CODES.data;
  if (err instanceof DqnlmError && err.code === "DQNLM_CONFIG_INVALID") return EXIT_CODES.usage;
  if (err instanceof DqnlmError) return EXIT_CODES.training;
  return EXIT_CODES.failure;
}

/**
 * Runs a task CLI on `argv` (without the node and script paths) and resolves to the exit code. Never throws and
 * never calls `process.exit`; the caller sets `process.exitCode`.
 */
export async function runTaskCli(
  spec: TaskCliSpec,
  argv: readonly string[],
  io: CliIo = defaultIo,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.stdout(usage(spec, rest[0]));
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  const command = spec.commands[name];
  if (command === undefined) {
    const guess = nearestName(name.replace(/^-+/, ""), Object.keys(spec.commands));
    io.stderr(
      `error[DQNLM_APPKIT_BAD_OPTION]: unknown command ${JSON.stringify(name)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ""} Expected one of ${Object.keys(spec.commands).join(", ")}.\n  Run \`${spec.bin} --help\` for usage.\n`,
    );
    return EXIT_CODES.usage;
  }
  try {
    const parsed = parseOptions(rest, [...COMMON_OPTIONS, ...command.options]);
    if (parsed.values.help === true) {
      io.stdout(usage(spec, name));
      return EXIT_CODES.ok;
    }
    if (parsed.positionals.length > 0)
      throw new UsageError(
        "arguments",
        "options only (no positional arguments)",
        parsed.positionals.join(" "),
        `Run \`${spec.bin} ${name} --help\`.`,
      );
    await command.run(parsed, io);
    return EXIT_CODES.ok;
  } catch (caught) {
    // A failed write into the output folder (EACCES, EROFS, …) is the user's --out, not a bug.
    const err = outputError(caught, "the output folder") ?? caught;
    const code = err instanceof DqnlmError ? err.code : "DQNLM_UNEXPECTED";
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`error[${code}]: ${message}\n`);
    if (!(err instanceof DqnlmError)) {
      io.stderr("  This is unexpected; rerun with DQNLM_DEBUG=1 for the stack trace and report it.\n");
      if (process.env.DQNLM_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    }
    if (err instanceof Error && err.cause instanceof Error && err instanceof DqnlmError)
      io.stderr(`  caused by: ${err.cause.message}\n`);
    return exitCodeFor(err);
  }
}

function usage(spec: TaskCliSpec, commandName?: string): string {
  const command = commandName === undefined ? undefined : spec.commands[commandName];
  if (command !== undefined && commandName !== undefined)
    return `${spec.bin} ${commandName} — ${command.summary}\n\nOptions:\n${formatOptionsHelp([...command.options, ...COMMON_OPTIONS])}\n`;
  const names = Object.keys(spec.commands);
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return (
    `${spec.bin} — ${spec.description}\n\nUsage: ${spec.bin} <command> [options]\n\nCommands:\n` +
    names.map((n) => `  ${n.padEnd(width)}${spec.commands[n]?.summary ?? ""}`).join("\n") +
    `\n\nRun \`${spec.bin} <command> --help\` for the options of a command.\n`
  );
}

/** Task options merged over shared defaults: a task's `defaults` (or `demoDefaults`) replace the shared ones. */
export function withDefaults(
  specs: readonly OptionSpec[],
  defaults: Readonly<Record<string, unknown>> = {},
): OptionSpec[] {
  return specs.map((s) =>
    s.name in defaults ? { ...s, default: defaults[s.name] as OptionSpec["default"] } : s,
  );
}

/** The standard option lists of each generation command for `task`. */
export function generationOptionSpecs(task: GenerationTask): {
  train: OptionSpec[];
  demo: OptionSpec[];
  eval: OptionSpec[];
  generate: OptionSpec[];
  resume: OptionSpec[];
  experiment: OptionSpec[];
  baseline: OptionSpec[];
  compare: OptionSpec[];
} {
  const taskOpts = task.options ?? [];
  const trainAll = [...DATA_OPTIONS, ...MODEL_OPTIONS, ...TRAIN_OPTIONS, ...taskOpts];
  return {
    train: withDefaults(trainAll, task.defaults),
    demo: withDefaults(trainAll, { ...task.defaults, ...task.demoDefaults }),
    eval: fromRun(
      withDefaults(
        [
          ...MODEL_USE_OPTIONS,
          ...DATA_OPTIONS,
          ...pick(MODEL_OPTIONS, ["max-new-tokens", "max-prompt-tokens", "truncation-side"]),
          ...DECODING_OPTIONS,
          ...pick(TRAIN_OPTIONS, ["out", "backend", "config"]),
          ...taskOpts,
        ],
        task.defaults,
      ),
    ),
    generate: fromRun(
      withDefaults(
        [
          ...pick(MODEL_USE_OPTIONS, ["model", "prompt", "input"]),
          ...pick(DATA_OPTIONS, ["field-source", "skip-bad-lines"]),
          ...pick(MODEL_OPTIONS, ["max-new-tokens", "max-prompt-tokens", "truncation-side"]),
          ...DECODING_OPTIONS,
          ...pick(TRAIN_OPTIONS, ["backend", "config"]),
        ],
        task.defaults,
      ),
    ),
    resume: [
      {
        name: "out",
        kind: "string",
        help: "the run folder of an interrupted `train`/`demo` (required)",
      },
      ...pick(TRAIN_OPTIONS, ["quiet"]),
    ],
    experiment: withDefaults(
      [...trainAll.filter((s) => s.name !== "preset" && s.name !== "seed"), ...EXPERIMENT_OPTIONS],
      task.defaults,
    ),
    baseline: withDefaults(
      [
        ...pick(MODEL_USE_OPTIONS, ["split"]),
        ...DATA_OPTIONS,
        {
          name: "out",
          kind: "string",
          help: "folder for predictions/<split>.baseline.jsonl and baseline-<split>.json",
        },
        ...pick(TRAIN_OPTIONS, ["config", "quiet"]),
        ...(task.baseline?.options ?? []),
        ...taskOpts,
      ],
      task.defaults,
    ),
    compare: [...COMPARE_OPTIONS, ...pick(TRAIN_OPTIONS, ["config"]), ...taskOpts],
  };
}

/** Options of `eval`/`generate` whose default is the value the loaded run was trained with. */
const FROM_RUN = ["max-new-tokens", "max-prompt-tokens", "truncation-side", "backend"];

function fromRun(specs: readonly OptionSpec[]): OptionSpec[] {
  return specs.map((s) => {
    if (!FROM_RUN.includes(s.name)) return s;
    const { default: _unused, ...rest } = s;
    return { ...rest, help: `${s.help.replace(/ \(default: [^)]*\)$/, "")} (default: the run's)` };
  });
}

function pick(specs: readonly OptionSpec[], names: readonly string[]): OptionSpec[] {
  return specs.filter((s) => names.includes(s.name));
}
