/** Loading a task's data from the CLI options: the built-in demonstration data, a folder, or a Hub dataset id. */
import { downloadHubDataset } from "./data/hub.js";
import { type PairFields, pairMapper, type TextPair } from "./data/read.js";
import { type LoadedSplits, loadSplitFiles, loadSplits, SPLITS, type SplitName } from "./data/splits.js";
import type { GenerationTask, OptionValues } from "./task.js";

/** A task's loaded data and where it came from. */
export interface TaskData {
  /** `built-in demonstration data (seed 0)`, a folder path, or `hf://datasets/<id>`. */
  readonly origin: string;
  readonly demo: boolean;
  readonly splits: Readonly<Record<SplitName, TextPair[]>>;
  /** Malformed records skipped (with `--skip-bad-lines`). */
  readonly skipped: number;
  /** The fields used. */
  readonly fields: Required<PairFields>;
}

/** The record fields from the options, falling back to the task's and then `source`/`target`/`id`. */
export function resolveFields(task: GenerationTask, o: OptionValues): Required<PairFields> {
  const str = (k: string): string | undefined => (typeof o[k] === "string" ? (o[k] as string) : undefined);
  return {
    source: str("field-source") ?? task.fields?.source ?? "source",
    target: str("field-target") ?? task.fields?.target ?? "target",
    id: str("field-id") ?? task.fields?.id ?? "id",
  };
}

/** Loads the data named by the options (`data-dir`, `dataset`, or neither = demonstration data). */
export async function loadTaskData(task: GenerationTask, o: OptionValues): Promise<TaskData> {
  const fields = resolveFields(task, o);
  const limits: Partial<Record<SplitName, number>> = {};
  for (const s of SPLITS) {
    const v = o[`${s}-limit`];
    if (typeof v === "number") limits[s] = v;
  }
  const cap = (items: TextPair[], s: SplitName): TextPair[] =>
    limits[s] === undefined ? items : items.slice(0, limits[s]);
  const map = (task.mapRecord ?? pairMapper)(fields);
  const readOpts = { skipBadLines: o["skip-bad-lines"] === true, limits };
  let loaded: LoadedSplits<TextPair>;
  let origin: string;
  if (typeof o["data-dir"] === "string") {
    loaded = await loadSplits(o["data-dir"], map, readOpts);
    origin = o["data-dir"];
  } else if (typeof o.dataset === "string") {
    const hub = await downloadHubDataset(o.dataset, {
      ...(typeof o["hf-revision"] === "string" ? { revision: o["hf-revision"] } : {}),
      ...(typeof o["hf-config"] === "string" ? { config: o["hf-config"] } : {}),
    });
    loaded = await loadSplitFiles(`hf://datasets/${hub.id}`, hub.files, map, readOpts);
    origin = `hf://datasets/${hub.id}@${hub.revision}`;
  } else {
    const seed = typeof o["demo-seed"] === "number" ? o["demo-seed"] : 0;
    const demo = task.demoData(seed);
    return {
      origin: `built-in ${task.name} demonstration data (seed ${seed})`,
      demo: true,
      splits: {
        train: cap(demo.train, "train"),
        validation: cap(demo.validation, "validation"),
        test: cap(demo.test, "test"),
      },
      skipped: 0,
      fields,
    };
  }
  return { origin, demo: false, splits: loaded.splits, skipped: loaded.skipped, fields };
}
