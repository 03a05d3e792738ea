/**
 * The run folder every app writes. The trainer owns `config.json`, `metrics.jsonl`, `checkpoints/` and
 * `curves/`; the app adds the files named in {@link RUN_FILES}. All writes are atomic.
 */
import { mkdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "@dqnlm/core";

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
    mkdirSync(this.dir, { recursive: true });
  }

  /** A path inside the run folder. */
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Writes pretty JSON at `rel`. Returns the absolute path. */
  writeJson(rel: string, value: unknown): string {
    const p = this.path(rel);
    writeJsonAtomic(p, value);
    return p;
  }

  /** Writes text at `rel`. Returns the absolute path. */
  writeText(rel: string, text: string): string {
    const p = this.path(rel);
    writeFileAtomic(p, text);
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
