/**
 * Resolving `--init`: a fresh random model (with a tokenizer trained on the training split), one of our run or
 * checkpoint folders (its tokenizer comes along), a Hugging Face model folder, or a Hugging Face Hub model id.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type HFTokenizer, loadTokenizer, trainTokenizer } from "@dqnlm/mdp";
import { downloadFileToCacheDir } from "@huggingface/hub";
import { UsageError } from "./errors.js";
import { RUN_FILES } from "./run/folder.js";

/** How the trainer should build the initial network. */
export type ModelInit =
  | { readonly type: "random"; readonly config: RandomModelConfig }
  | { readonly type: "checkpoint"; readonly dir: string }
  | { readonly type: "pretrained"; readonly id: string };

/** Size of a randomly initialised GPT-2-family model. */
export interface RandomModelConfig {
  readonly vocabSize: number;
  readonly nEmbd: number;
  readonly nLayer: number;
  readonly nHead: number;
  readonly nPositions: number;
}

/** The resolved initial model and its tokenizer. */
export interface ResolvedInit {
  readonly init: ModelInit;
  readonly tokenizer: HFTokenizer;
  /** Human-readable description for reports. */
  readonly description: string;
}

/** Options of {@link resolveInit}. */
export interface ResolveInitOptions {
  /** Texts to train a tokenizer on (random init). */
  readonly corpus: () => Iterable<string>;
  readonly vocabSize: number;
  readonly nEmbd: number;
  readonly nLayer: number;
  readonly nHead: number;
  /** Longest sequence the model must handle (prompt + separators + generation). */
  readonly nPositions: number;
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();
const isModelDir = (p: string): boolean =>
  isDir(p) && existsSync(join(p, "config.json")) && existsSync(join(p, "model.safetensors"));

/** Finds the run folder holding `dir` (a run folder itself, or a checkpoint folder up to 3 levels inside one). */
export function findRunFolder(dir: string): string | undefined {
  let d = resolve(dir);
  for (let k = 0; k < 4; k++) {
    if (existsSync(join(d, RUN_FILES.appConfig)) && isDir(join(d, RUN_FILES.tokenizer))) return d;
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return undefined;
}

/** The best checkpoint folder of a run folder (`results.json` names it; else `checkpoints/best`). */
export function bestCheckpointOf(runDir: string, recorded?: string): string {
  for (const c of [recorded, join(runDir, "checkpoints", "best"), join(runDir, "checkpoints", "last")])
    if (c !== undefined && isDir(c)) return c;
  throw new UsageError(
    "init",
    "a run folder with a checkpoint (checkpoints/best)",
    runDir,
    "Train it to the end first, or pass the checkpoint folder itself.",
  );
}

/**
 * The project's pretrained base model folder (`--init base`, the apps' default): `DQNLM_BASE_MODEL` when set,
 * else `models/dqnlm-base` at the repository root (shipped with the repository; see its model card).
 */
export function shippedBaseDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.DQNLM_BASE_MODEL;
  if (override !== undefined && override !== "") return resolve(override);
  return fileURLToPath(new URL("../../../models/dqnlm-base", import.meta.url));
}

/** Resolves the `--init` value. */
export async function resolveInit(value: string, o: ResolveInitOptions): Promise<ResolvedInit> {
  if (value === "base") {
    const dir = shippedBaseDir();
    if (!isModelDir(dir) || !existsSync(join(dir, "tokenizer.json")))
      throw new UsageError(
        "init",
        "base (the shipped pretrained model: config.json, model.safetensors and tokenizer.json)",
        dir,
        "Run from a full checkout of the repository (models/dqnlm-base), set DQNLM_BASE_MODEL to the model folder, or pass --init random.",
      );
    return {
      init: { type: "pretrained", id: dir },
      tokenizer: loadTokenizer(dir),
      description: `dqnlm-base (pretrained GPT-2 shipped in ${dir})`,
    };
  }
  if (value === "random") {
    const tokenizer = trainTokenizer(o.corpus(), { vocabSize: o.vocabSize });
    return {
      init: {
        type: "random",
        config: {
          vocabSize: tokenizer.vocabSize,
          nEmbd: o.nEmbd,
          nLayer: o.nLayer,
          nHead: o.nHead,
          nPositions: o.nPositions,
        },
      },
      tokenizer,
      description: `random GPT-2 (d=${o.nEmbd}, ${o.nLayer} layers, ${o.nHead} heads), BPE tokenizer (${tokenizer.vocabSize} ids) trained on the training split`,
    };
  }
  if (isDir(value)) {
    const run = findRunFolder(value);
    if (run !== undefined) {
      const dir = isModelDir(value) ? value : bestCheckpointOf(run, undefined);
      return {
        init: { type: "checkpoint", dir },
        tokenizer: loadTokenizer(join(run, RUN_FILES.tokenizer)),
        description: `checkpoint ${dir} (tokenizer of run ${run})`,
      };
    }
    if (isModelDir(value)) {
      if (!existsSync(join(value, "tokenizer.json")))
        throw new UsageError(
          "init",
          "a Hugging Face model folder with tokenizer.json, or one of our run folders",
          value,
          "Copy the model's tokenizer.json (and tokenizer_config.json) into the folder.",
        );
      return {
        init: { type: "pretrained", id: value },
        tokenizer: loadTokenizer(value),
        description: `pretrained model folder ${value}`,
      };
    }
    throw new UsageError(
      "init",
      "random, a run/checkpoint folder of ours, a Hugging Face model folder (config.json + model.safetensors + tokenizer.json) or a hub id",
      value,
    );
  }
  if (/^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/.test(value)) {
    // A Hub model id (e.g. "gpt2", "distilgpt2", "owner/name"): fetch its tokenizer; qnet fetches the weights.
    let dir: string;
    try {
      const tokPath = await downloadFileToCacheDir({
        repo: { type: "model", name: value },
        path: "tokenizer.json",
      });
      dir = dirname(tokPath);
      try {
        await downloadFileToCacheDir({ repo: { type: "model", name: value }, path: "tokenizer_config.json" });
      } catch {
        // optional
      }
    } catch (err) {
      throw new UsageError(
        "init",
        "an existing folder or a reachable Hugging Face Hub model id",
        value,
        `Download failed (${(err as Error).message}); check the id and the network, or download the model folder and pass its path.`,
      );
    }
    return {
      init: { type: "pretrained", id: value },
      tokenizer: loadTokenizer(dir),
      description: `Hub model ${value}`,
    };
  }
  throw new UsageError("init", "random, a folder, or a Hugging Face Hub model id", value);
}
