/**
 * The run folder every app writes. The trainer owns `config.json`, `metrics.jsonl`, `checkpoints/` and
 * `curves/`; the app adds the files named in {@link RUN_FILES}. All writes are atomic.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "@dqnlm/core";
import { OutputPathError } from "../errors.js";

/** The files and folders an app adds to a run folder. */
export const RUN_FILES: {
  readonly appConfig: "app-config.json";
  readonly tokenizer: "tokenizer";
  readonly predictions: "predictions";
  readonly results: "results.json";
  readonly report: "report.md";
} = {
  /** The resolved app options (data, fields, model, preset, seed, budgets) for replaying the run. */
  appConfig: "app-config.json",
  /** The tokenizer trained on the training split (`tokenizer.json`). */
  tokenizer: "tokenizer",
  /** Test predictions per system, `predictions/test.<system>.jsonl`. */
  predictions: "predictions",
  /** Corpus metrics per system with signatures, backend and wall times (machine-readable report). */
  results: "results.json",
  /** The Markdown report. */
  report: "report.md",
};

/** One test prediction, as written to `predictions/<split>.<system>.jsonl`. */
export interface PredictionRow {
  readonly id: string;
  readonly source: string;
  readonly references: readonly string[];
  readonly prediction: string;
}

/** A run folder: paths inside it and atomic writers. */
export class RunFolder {
  /** Absolute path of the folder. */
  readonly dir: string;

  /** Creates (if needed) the folder `dir`, resolved against `cwd`. @param cwd @default process.cwd() */
  constructor(dir: string, cwd: string = process.cwd()) {
    this.dir = isAbsolute(dir) ? dir : resolve(cwd, dir);
    checkOutputFolder(this.dir, dir);
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (err) {
      throw outputError(err, dir) ?? err;
    }
  }

  /** A path inside the run folder. */
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Writes pretty JSON at `rel`. Returns the absolute path. */
  writeJson(rel: string, value: unknown): string {
    const p = this.path(rel);
    try {
      writeJsonAtomic(p, value);
    } catch (err) {
      throw outputError(err, this.dir) ?? err;
    }
    return p;
  }

  /** Writes text at `rel`. Returns the absolute path. */
  writeText(rel: string, text: string): string {
    const p = this.path(rel);
    try {
      writeFileAtomic(p, text);
    } catch (err) {
      throw outputError(err, this.dir) ?? err;
    }
    return p;
  }

  /** Writes `predictions/<split>.<system>.jsonl`. `system` is slugged (`DQN (stable)` → `dqn-stable`). */
  writePredictions(split: string, system: string, rows: readonly PredictionRow[]): string {
    const text = rows.map((r) => JSON.stringify(r)).join("\n");
    return this.writeText(
      join(RUN_FILES.predictions, `${split}.${slug(system)}.jsonl`),
      text ? `${text}\n` : "",
    );
  }
}

/** Lower-case, dash-separated form of a name for file names. */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * Checks, without writing, that `dir` can be an output folder: not a file, not under a file, and its nearest
 * existing ancestor writable. `shown` is the path as the user gave it.
 * @throws OutputPathError naming `field`.
 */
export function checkOutputFolder(dir: string, shown: string = dir, field = "out"): void {
  const abs = resolve(dir);
  if (existsSync(abs) && !statSync(abs).isDirectory())
    throw new OutputPathError(
      shown,
      `--${field} ${shown} is a file, not a folder. Pass another --${field} (a new or empty folder).`,
      { field },
    );
  let p = abs;
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  if (!statSync(p).isDirectory())
    throw new OutputPathError(
      shown,
      `--${field} ${shown} lies under ${p}, which is a file, so the folder cannot be created. Pass another --${field}.`,
      { field },
    );
  try {
    accessSync(p, constants.W_OK);
  } catch (err) {
    throw new OutputPathError(
      shown,
      `--${field} ${shown}: ${p} is not writable (${(err as NodeJS.ErrnoException).code ?? "EACCES"}). Pass an --${field} in a folder you can write to.`,
      { field, cause: err },
    );
  }
}

/** An {@link OutputPathError} for a failed write into an output folder (EACCES, EROFS, ENOTDIR, …), else undefined. */
export function outputError(err: unknown, dir: string, field = "out"): OutputPathError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (
    code === undefined ||
    !["EACCES", "EPERM", "EROFS", "ENOTDIR", "EEXIST", "ENOSPC", "EISDIR"].includes(code)
  )
    return undefined;
  return new OutputPathError(
    dir,
    `cannot write into the output folder ${dir} (${code}: ${(err as Error).message}). Pass an --${field} in a folder you can write to.`,
    { field, cause: err },
  );
}
