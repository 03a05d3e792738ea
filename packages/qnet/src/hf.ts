/**
 * Hugging Face GPT-2 folder layout: `config.json` + `model.safetensors` (+ `tokenizer.json`, read by mdp).
 * Reads local folders, downloads from the hub into a local cache when given a repo id, and writes the same
 * layout so a model trained here loads back, and into `transformers`' GPT2LMHeadModel.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "@dqnlm/core";
import { configFromHF, configToHF, type GPT2Config, type ResolvedGPT2Config } from "./config.js";
import { QnetCheckpointError } from "./errors.js";
import { type NamedArray, readSafetensors, writeSafetensors } from "./safetensors.js";

/** Buffers GPT-2 checkpoints carry that are not parameters (causal-mask constants). */
const IGNORED = /(^|\.)attn\.(bias|masked_bias)$/;

/** What {@link readHFFolder} found. */
export interface HFFolder {
  config: ResolvedGPT2Config;
  /** Parameters keyed by `transformer.`-prefixed HF name. */
  weights: Map<string, Float32Array>;
  /** Tensor names in the file that are not parameters of this config (ignored). */
  ignored: string[];
}

/** Reads `config.json` and `model.safetensors` from `dir`. `overrides` change config fields (e.g. dueling). */
export function readHFFolder(dir: string, overrides: Partial<GPT2Config> = {}): HFFolder {
  const cfgPath = join(dir, "config.json");
  const stPath = join(dir, "model.safetensors");
  for (const p of [cfgPath, stPath]) {
    if (!existsSync(p)) {
      throw new QnetCheckpointError(
        `${p} not found: a GPT-2 folder needs config.json and model.safetensors (Hugging Face layout)`,
        p,
      );
    }
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(cfgPath, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new QnetCheckpointError(`${cfgPath} is not valid JSON`, cfgPath, err);
  }
  const base = configFromHF(json);
  const config = configFromHF({ ...configToHF({ ...base, ...overrides }) });
  const file = readSafetensors(readFileSync(stPath), stPath);
  const weights = new Map<string, Float32Array>();
  const ignored: string[] = [];
  for (const [name, t] of file.tensors) {
    const n =
      name.startsWith("transformer.") || name === "lm_head.weight" || name.startsWith("value_head.")
        ? name
        : `transformer.${name}`;
    if (IGNORED.test(n) || (n === "lm_head.weight" && config.tieWordEmbeddings)) {
      ignored.push(name);
      continue;
    }
    weights.set(n, t.data);
  }
  return { config, weights, ignored };
}

/** Writes `config.json` and `model.safetensors` (each atomically) into `dir`. */
export function writeHFFolder(
  dir: string,
  config: GPT2Config,
  weights: ReadonlyMap<string, NamedArray>,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(join(dir, "model.safetensors"), writeSafetensors(weights, { format: "pt", ...metadata }));
  writeFileAtomic(join(dir, "config.json"), `${JSON.stringify(configToHF(config), null, 2)}\n`);
}

/** Options of {@link resolvePretrained} / `QNetwork.fromPretrained`. */
export interface PretrainedOptions {
  /** Hub cache folder. @default @huggingface/hub's default (~/.cache/huggingface/hub or $HF_HUB_CACHE) */
  cacheDir?: string;
  /** Branch, tag or commit on the hub. @default "main" */
  revision?: string;
  /** Hub access token for private repos. @default process.env.HF_TOKEN */
  accessToken?: string;
  /** Config fields to change on load (e.g. `{ dueling: true }` adds a zero-initialised value head). */
  overrides?: Partial<GPT2Config>;
}

/**
 * Returns a local folder holding `config.json` and `model.safetensors` for `dirOrHubId`: the folder itself
 * when it exists locally, else a snapshot folder in the hub cache after downloading the files (and
 * `tokenizer.json` when the repo has one) with `@huggingface/hub`.
 */
export async function resolvePretrained(dirOrHubId: string, opts: PretrainedOptions = {}): Promise<string> {
  if (existsSync(dirOrHubId) && statSync(dirOrHubId).isDirectory()) return dirOrHubId;
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(dirOrHubId)) {
    throw new QnetCheckpointError(
      `${JSON.stringify(dirOrHubId)} is neither a local folder nor a hub repo id like "openai-community/gpt2"`,
      "dirOrHubId",
    );
  }
  const hub = await import("@huggingface/hub");
  const common = {
    repo: { type: "model" as const, name: dirOrHubId },
    ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
    ...(opts.revision ? { revision: opts.revision } : {}),
    ...((opts.accessToken ?? process.env.HF_TOKEN)
      ? { accessToken: opts.accessToken ?? process.env.HF_TOKEN }
      : {}),
  };
  let folder = "";
  try {
    for (const path of ["config.json", "model.safetensors"]) {
      folder = dirname(await hub.downloadFileToCacheDir({ ...common, path }));
    }
  } catch (err) {
    throw new QnetCheckpointError(
      `Could not download ${dirOrHubId} from the Hugging Face hub (offline? wrong id? gated?): ${
        err instanceof Error ? err.message : String(err)
      }. Pass a local folder with config.json and model.safetensors instead.`,
      "dirOrHubId",
      err,
    );
  }
  try {
    await hub.downloadFileToCacheDir({ ...common, path: "tokenizer.json" });
  } catch {
    // optional: GPT-2 repos without tokenizer.json still load as networks
  }
  return folder;
}
