/**
 * Finding and loading the train/validation/test splits of a dataset folder, whatever the file format: files named
 * `train.jsonl`, `validation.csv`, `test.parquet`, Hugging Face layouts such as `data/train-00000-of-00001.parquet`
 * or `default/train/0000.parquet`, and the common aliases `valid`, `val`, `dev`.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, extname, join, relative } from "node:path";
import type { OptionSpec } from "../cli/options.js";
import { DatasetNotFoundError, EmptySplitError } from "../errors.js";
import { DATA_EXTENSIONS, type ReadOptions, type ReadReport, type RecordView, readDataset } from "./read.js";

/** The three splits every app uses. */
export type SplitName = "train" | "validation" | "test";

/** All split names, in order. */
export const SPLITS: readonly SplitName[] = ["train", "validation", "test"];

const ALIASES: Readonly<Record<SplitName, readonly string[]>> = {
  train: ["train", "training"],
  validation: ["validation", "valid", "val", "dev"],
  test: ["test"],
};

/** The data files of each split found under `dir` (searched up to 3 folders deep), sorted by path. */
export function findSplitFiles(dir: string): Record<SplitName, string[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new DatasetNotFoundError(`dataset folder ${dir} does not exist or is not a folder`, {
      field: "dataDir",
    });
  const files: string[] = [];
  const walk = (d: string, depth: number): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.name.startsWith(".")) continue;
      const p = join(d, entry.name);
      if (entry.isDirectory() && depth < 3) walk(p, depth + 1);
      else if (entry.isFile() && DATA_EXTENSIONS.includes(extname(entry.name).toLowerCase())) files.push(p);
    }
  };
  walk(dir, 0);
  const out: Record<SplitName, string[]> = { train: [], validation: [], test: [] };
  for (const f of files) {
    const split = splitOf(relative(dir, f));
    if (split !== undefined) out[split].push(f);
  }
  return out;
}

/** The split a relative path belongs to: by file stem (`train.jsonl`, `train-00000-of-00002.parquet`) or folder. */
function splitOf(rel: string): SplitName | undefined {
  const stem = basename(rel, extname(rel)).toLowerCase();
  const head = stem.split(/[-_.]/)[0] ?? "";
  const folder = basename(dirname(rel)).toLowerCase();
  for (const split of SPLITS) if (ALIASES[split].includes(head)) return split;
  for (const split of SPLITS) if (ALIASES[split].includes(folder)) return split;
  return undefined;
}

/** Options of {@link loadSplits}. */
export interface LoadSplitsOptions extends ReadOptions {
  /** The splits that must exist. @default ["train", "validation", "test"] */
  required?: readonly SplitName[];
  /** Per-split caps on the number of examples (a prefix of the files). @default no cap */
  limits?: Partial<Record<SplitName, number>>;
}

/** A loaded dataset: each split's examples and the per-split read reports (skipped counts, files). */
export interface LoadedSplits<T> {
  /** The folder or dataset id the splits came from. */
  readonly dir: string;
  readonly splits: Record<SplitName, T[]>;
  readonly reports: Record<SplitName, ReadReport<T>[]>;
  /** Total malformed records skipped across all files. */
  readonly skipped: number;
}

/** Loads every split of a dataset folder, mapping records through `map`. */
export async function loadSplits<T>(
  dir: string,
  map: (record: RecordView) => T,
  options: LoadSplitsOptions = {},
): Promise<LoadedSplits<T>> {
  return loadSplitFiles(dir, findSplitFiles(dir), map, options);
}

/** Loads splits given their files (from {@link findSplitFiles} or {@link downloadHubDataset}). */
export async function loadSplitFiles<T>(
  origin: string,
  files: Readonly<Record<SplitName, readonly string[]>>,
  map: (record: RecordView) => T,
  options: LoadSplitsOptions = {},
): Promise<LoadedSplits<T>> {
  const required = options.required ?? SPLITS;
  const missing = required.filter((s) => files[s].length === 0);
  if (missing.length > 0)
    throw new DatasetNotFoundError(
      `dataset ${origin} has no ${missing.join("/")} split file; expected files such as ` +
        `${missing.map((s) => `${s}.jsonl`).join(", ")} (also .csv, .tsv, .parquet; aliases valid/val/dev)`,
      { field: "dataDir" },
    );
  const splits: Record<SplitName, T[]> = { train: [], validation: [], test: [] };
  const reports: Record<SplitName, ReadReport<T>[]> = { train: [], validation: [], test: [] };
  let skipped = 0;
  for (const split of SPLITS) {
    const cap = options.limits?.[split] ?? Number.POSITIVE_INFINITY;
    for (const file of files[split]) {
      const left = cap - splits[split].length;
      if (left <= 0) break;
      const report = await readDataset(file, map, {
        ...options,
        limit: Math.min(left, options.limit ?? left),
      });
      reports[split].push(report);
      for (const item of report.items) splits[split].push(item);
      skipped += report.skipped;
    }
  }
  for (const split of required)
    if (splits[split].length === 0) {
      const n = reports[split].reduce((a, r) => a + r.skipped, 0);
      throw new EmptySplitError(
        split,
        `dataset ${origin}: the ${split} split has no usable record (${files[split].join(", ")}: ` +
          `${n > 0 ? `all ${n} records were malformed and skipped` : "empty, or only blank lines"}). ` +
          "Add at least one well-formed record to it.",
        { field: "dataDir" },
      );
    }
  return { dir: origin, splits, reports, skipped };
}

/** The data-source options every app command shares, read from parsed CLI values. */
export interface DataSourceOptions {
  readonly dataDir?: string;
  readonly skipBadLines: boolean;
  readonly limits: Partial<Record<SplitName, number>>;
  readonly demoSeed: number;
}

/**
 * The option specs {@link dataSourceFrom} reads, for app commands with their own record fields: `--data-dir`
 * first, then the task's field options (`fields`), then the limits, `--skip-bad-lines` and `--demo-seed`.
 */
export function dataSourceOptions(fields: readonly OptionSpec[] = []): OptionSpec[] {
  return [
    {
      name: "data-dir",
      kind: "string",
      help: "folder with train/validation/test files (.jsonl/.csv/.tsv/.parquet); omit for the demonstration data",
    },
    ...fields,
    {
      name: "skip-bad-lines",
      kind: "boolean",
      default: false,
      help: "skip malformed records and count them",
    },
    { name: "train-limit", kind: "int", min: 1, help: "use only the first N training examples" },
    { name: "validation-limit", kind: "int", min: 1, help: "use only the first N validation examples" },
    { name: "test-limit", kind: "int", min: 1, help: "use only the first N test examples" },
    { name: "demo-seed", kind: "int", default: 0, help: "seed of the demonstration data generator" },
  ];
}

/** Reads `--data-dir`, `--skip-bad-lines`, `--{train,validation,test}-limit` and `--demo-seed` from parsed values. */
export function dataSourceFrom(values: Readonly<Record<string, unknown>>): DataSourceOptions {
  const limits: Partial<Record<SplitName, number>> = {};
  for (const s of SPLITS) {
    const v = values[`${s}-limit`];
    if (typeof v === "number") limits[s] = v;
  }
  const dir = values["data-dir"];
  const seed = values["demo-seed"];
  return {
    ...(typeof dir === "string" ? { dataDir: dir } : {}),
    skipBadLines: values["skip-bad-lines"] === true,
    limits,
    demoSeed: typeof seed === "number" ? seed : 0,
  };
}
