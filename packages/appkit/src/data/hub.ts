/**
 * Hugging Face datasets by id (online only): lists the dataset repository's Parquet files — the files on the
 * requested revision, or else the Hub's automatic conversion on `refs/convert/parquet` — downloads them into the
 * Hugging Face cache folder and returns a local folder layout that {@link loadSplits} reads like any other.
 */
import { downloadFileToCacheDir, listFiles } from "@huggingface/hub";
import { DatasetNotFoundError } from "../errors.js";
import type { SplitName } from "./splits.js";

/** Options of {@link downloadHubDataset}. */
export interface HubDatasetOptions {
  /** Git revision (branch, tag or commit). @default "main" */
  revision?: string;
  /** Dataset configuration (subset) name, for repositories with several. @default the first one found */
  config?: string;
  /** Cache folder. @default the Hugging Face cache (`$HF_HOME/hub`, `~/.cache/huggingface/hub`) */
  cacheDir?: string;
  /** Access token for gated or private datasets. @default process.env.HF_TOKEN */
  accessToken?: string;
  /** A fetch implementation (proxies, tests). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The local Parquet files of each split of a downloaded dataset. */
export interface HubDataset {
  readonly id: string;
  readonly revision: string;
  readonly files: Record<SplitName, string[]>;
}

/** Whether a `--data` value looks like a Hugging Face dataset id (`owner/name` or `hf://datasets/owner/name`). */
export function isHubDatasetId(value: string): boolean {
  return /^(hf:\/\/datasets\/)?[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(value) && !value.startsWith(".");
}

/**
 * Groups Parquet paths of a dataset repository by split, keeping one configuration. Recognises `data/train-*.parquet`,
 * `<config>/train/*.parquet`, `<config>/<config>-train.parquet` and the aliases valid/val/dev.
 */
export function groupParquetBySplit(
  paths: readonly string[],
  config?: string,
): { config: string | undefined; files: Record<SplitName, string[]> } {
  const parquet = paths.filter((p) => p.toLowerCase().endsWith(".parquet")).sort();
  const configs = [...new Set(parquet.map((p) => (p.includes("/") ? p.split("/")[0] : "")))];
  const chosen =
    config ?? (configs.includes("data") ? "data" : configs.includes("default") ? "default" : configs[0]);
  const files: Record<SplitName, string[]> = { train: [], validation: [], test: [] };
  for (const p of parquet) {
    const parts = p.split("/");
    if (chosen !== undefined && chosen !== "" && parts[0] !== chosen) continue;
    const tokens = parts
      .slice(1)
      .join("/")
      .toLowerCase()
      .split(/[/_.-]/);
    const split: SplitName | undefined = tokens.some((t) => t === "train" || t === "training")
      ? "train"
      : tokens.some((t) => t === "validation" || t === "valid" || t === "val" || t === "dev")
        ? "validation"
        : tokens.includes("test")
          ? "test"
          : undefined;
    if (split !== undefined) files[split].push(p);
  }
  return { config: chosen, files };
}

/** Downloads the Parquet files of a Hugging Face dataset and returns their local paths by split. */
export async function downloadHubDataset(id: string, options: HubDatasetOptions = {}): Promise<HubDataset> {
  const name = id.replace(/^hf:\/\/datasets\//, "");
  const repo = { type: "dataset" as const, name };
  const accessToken = options.accessToken ?? process.env.HF_TOKEN;
  const common = {
    repo,
    ...(accessToken ? { accessToken } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const tryRevision = async (revision: string): Promise<HubDataset | undefined> => {
    const paths: string[] = [];
    for await (const entry of listFiles({ ...common, revision, recursive: true }))
      if (entry.type === "file") paths.push(entry.path);
    const { files } = groupParquetBySplit(paths, options.config);
    if (files.train.length === 0) return undefined;
    const local: Record<SplitName, string[]> = { train: [], validation: [], test: [] };
    for (const split of Object.keys(files) as SplitName[])
      for (const path of files[split])
        local[split].push(
          await downloadFileToCacheDir({
            ...common,
            path,
            revision,
            ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
          }),
        );
    return { id: name, revision, files: local };
  };
  const revision = options.revision ?? "main";
  let found: HubDataset | undefined;
  try {
    found = (await tryRevision(revision)) ?? (await tryRevision("refs/convert/parquet"));
  } catch (err) {
    throw new DatasetNotFoundError(
      `could not list or download Hugging Face dataset ${JSON.stringify(name)} (${(err as Error).message}). ` +
        "Check the id and your network, set HF_TOKEN for gated datasets, or download it and pass --data-dir.",
      { field: "data", cause: err },
    );
  }
  if (found === undefined)
    throw new DatasetNotFoundError(
      `Hugging Face dataset ${JSON.stringify(name)} has no Parquet train split on ${revision} or refs/convert/parquet`,
      { field: "data" },
    );
  return found;
}
