/**
 * Hugging Face GPT-2 folder layout: `config.json` + `model.safetensors` (+ `tokenizer.json`, read by mdp).
 * Reads local folders, downloads from the hub into a local cache when given a repo id, and writes the same
 * layout so a model trained here loads back, and into `transformers`' GPT2LMHeadModel.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { writeFileAtomic } from "@dqnlm/core";
import { configFromHF, configToHF, type GPT2Config, type ResolvedGPT2Config } from "./config.js";
import { QnetCheckpointError, QnetMissingDependencyError } from "./errors.js";
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
  checkAgainstConfig(file.tensors, config, cfgPath, stPath);
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

/**
 * config.json and model.safetensors must describe the same model, and weights must be finite: a mismatch names
 * both files (instead of a "missing parameter" deep in the load), a NaN/Inf names the tensor.
 */
function checkAgainstConfig(
  tensors: ReadonlyMap<string, NamedArray>,
  config: ResolvedGPT2Config,
  cfgPath: string,
  stPath: string,
): void {
  let layers = 0;
  for (const [name, t] of tensors) {
    const m = /(?:^|\.)h\.(\d+)\./.exec(name);
    if (m) layers = Math.max(layers, Number(m[1]) + 1);
    if (/(?:^|\.)wte\.weight$/.test(name) && t.shape[0] !== config.vocabSize) {
      throw new QnetCheckpointError(
        `${cfgPath} says vocab_size = ${config.vocabSize} but ${stPath} has a token embedding (${name}) of ` +
          `[${t.shape}], i.e. ${t.shape[0]} tokens: the two files come from different models; save them together.`,
        "vocab_size",
      );
    }
    for (let i = 0; i < t.data.length; i++) {
      const x = t.data[i] as number;
      if (x - x !== 0) {
        let count = 0;
        for (let j = i; j < t.data.length; j++)
          if ((t.data[j] as number) - (t.data[j] as number) !== 0) count++;
        throw new QnetCheckpointError(
          `${stPath}: tensor ${name} holds ${count} non-finite value${count === 1 ? "" : "s"} (first: ${x} at ` +
            `index ${i}); the weights are unusable (saved from a diverged run?): load an earlier checkpoint.`,
          name,
        );
      }
    }
  }
  if (layers !== config.nLayer) {
    throw new QnetCheckpointError(
      `${cfgPath} says n_layer = ${config.nLayer} but ${stPath} holds ${layers} layer${layers === 1 ? "" : "s"} ` +
        `(h.0 … h.${layers - 1}): the two files come from different models; save them together.`,
      "n_layer",
    );
  }
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
  /** Hub cache folder. @default {@link huggingFaceCacheDir}() ($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub) */
  cacheDir?: string;
  /** Branch, tag or commit on the hub. @default "main" */
  revision?: string;
  /** Hub access token for private repos. @default process.env.HF_TOKEN */
  accessToken?: string;
  /** Config fields to change on load (e.g. `{ dueling: true }` adds a zero-initialised value head). */
  overrides?: Partial<GPT2Config>;
  /**
   * Never touch the network: take the model from the local cache or fail.
   * @default process.env.HF_HUB_OFFLINE is "1", "true", "yes" or "on"
   */
  offline?: boolean;
}

/** The Hugging Face hub cache folder, as `huggingface_hub` resolves it: $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub. */
export function huggingFaceCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return join(env.HF_HOME, "hub");
  return join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "huggingface", "hub");
}

const TRUE = new Set(["1", "true", "yes", "on"]);

/** A snapshot folder of `repo` at `revision` in the hub cache that holds config.json and model.safetensors. */
function cachedSnapshot(cacheDir: string, repo: string, revision: string): string | null {
  const root = join(cacheDir, `models--${repo.replaceAll("/", "--")}`);
  let commit = revision;
  if (!/^[0-9a-f]{40}$/.test(revision)) {
    const ref = join(root, "refs", revision);
    if (!existsSync(ref)) return null;
    commit = readFileSync(ref, "utf8").trim();
  }
  const snap = join(root, "snapshots", commit);
  return existsSync(join(snap, "config.json")) && existsSync(join(snap, "model.safetensors")) ? snap : null;
}

/** True when `s` reads as a file-system path rather than a hub id (`org/name`). */
function looksLikePath(s: string): boolean {
  if (isAbsolute(s) || /^(\.{1,2}|~)([/\\]|$)/.test(s) || s.includes("\\")) return true;
  if (s.split("/").length > 2) return true;
  const parent = dirname(s);
  return parent !== "." && existsSync(parent);
}

/**
 * Returns a local folder holding `config.json` and `model.safetensors` for `dirOrHubId`: the folder itself
 * when it is a local path; else the repo's snapshot in the Hugging Face cache (the layout `huggingface_hub`
 * writes: `models--org--name/snapshots/<commit>/`, found through `refs/<revision>`), used as is when offline
 * (`HF_HUB_OFFLINE=1`) and as the fallback when a download fails; else the files downloaded with the optional
 * `@huggingface/hub` package into that cache. A path that does not exist (`./x`, `/x`, `../x`, or `a/b/c`, or
 * one whose parent folder exists) is reported as a missing folder, never sent to the hub.
 */
export async function resolvePretrained(dirOrHubId: string, opts: PretrainedOptions = {}): Promise<string> {
  if (existsSync(dirOrHubId)) {
    if (statSync(dirOrHubId).isDirectory()) return dirOrHubId;
    throw new QnetCheckpointError(
      `${resolve(dirOrHubId)} is a file; expected a folder holding config.json and model.safetensors`,
      "dirOrHubId",
    );
  }
  if (looksLikePath(dirOrHubId)) {
    throw new QnetCheckpointError(
      `Folder ${resolve(dirOrHubId)} not found (from ${JSON.stringify(dirOrHubId)}): pass an existing folder ` +
        'with config.json and model.safetensors, or a hub repo id like "openai-community/gpt2".',
      "dirOrHubId",
    );
  }
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(dirOrHubId)) {
    throw new QnetCheckpointError(
      `${JSON.stringify(dirOrHubId)} is neither a local folder nor a hub repo id like "openai-community/gpt2"`,
      "dirOrHubId",
    );
  }
  const cacheDir = opts.cacheDir ?? huggingFaceCacheDir();
  const revision = opts.revision ?? "main";
  const offline = opts.offline ?? TRUE.has((process.env.HF_HUB_OFFLINE ?? "").trim().toLowerCase());
  const cached = cachedSnapshot(cacheDir, dirOrHubId, revision);
  if (offline) {
    if (cached) return cached;
    throw new QnetCheckpointError(
      `${dirOrHubId}@${revision} is not in the Hugging Face cache ${cacheDir} (looked for ` +
        `models--${dirOrHubId.replaceAll("/", "--")}/refs/${revision} and its snapshot with config.json and ` +
        "model.safetensors) and offline mode is on (HF_HUB_OFFLINE): download it once online, set " +
        "HF_HUB_CACHE / HF_HOME to the cache that has it, or pass a local folder.",
      "dirOrHubId",
    );
  }
  let hub: typeof import("@huggingface/hub");
  try {
    const spec: string = "@huggingface/hub";
    hub = (await import(spec)) as typeof import("@huggingface/hub");
  } catch (err) {
    if (cached) return cached;
    throw new QnetMissingDependencyError("@huggingface/hub", `Downloading ${dirOrHubId} from the hub`, err);
  }
  const common = {
    repo: { type: "model" as const, name: dirOrHubId },
    cacheDir,
    revision,
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
    if (cached) return cached;
    throw new QnetCheckpointError(
      `Could not download ${dirOrHubId} from the Hugging Face hub (offline? wrong id? gated?): ${
        err instanceof Error ? err.message : String(err)
      }. It is not in the cache ${cacheDir} either. Pass a local folder with config.json and model.safetensors ` +
        "instead, or set HF_HUB_OFFLINE=1 with HF_HUB_CACHE pointing at a cache that has it.",
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
