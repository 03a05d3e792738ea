#!/usr/bin/env node
/**
 * `dqnlm-base`: pretrain the dqnlm base model and export it.
 *
 *   dqnlm-base pretrain --data-dir ../shared/data --out runs/base [--time-budget 80] [--steps 6000] [...]
 *   dqnlm-base pretrain --out runs/base            (resume: continues exactly where the run stopped)
 *   dqnlm-base export --run runs/base --to models/dqnlm-base [--dtype f16|f32]
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { DqnlmError } from "@dqnlm/core";
import { readCorpus } from "./corpus.js";
import { BaseInputError } from "./errors.js";
import { exportBase } from "./export.js";
import { type PretrainConfig, pretrain } from "./pretrain.js";

const USAGE = `usage:
  dqnlm-base pretrain --out DIR [--data-dir DIR] [--time-budget MIN] [--steps N] [--seed N]
                      [--vocab-size N] [--n-embd N] [--n-layer N] [--n-head N] [--seq-len N] [--batch-size N]
                      [--learning-rate X] [--warmup-steps N] [--eval-every N] [--checkpoint-every N] [--backend NAME] [--engine auto|tfjs|ort]
  dqnlm-base export --run DIR --to DIR [--dtype f16|f32]
A run folder that already holds a checkpoint resumes (the stored config is kept; --steps may extend it).`;

const NUMERIC: Record<string, keyof PretrainConfig> = {
  steps: "steps",
  seed: "seed",
  "vocab-size": "vocabSize",
  "n-embd": "nEmbd",
  "n-layer": "nLayer",
  "n-head": "nHead",
  "n-positions": "nPositions",
  "seq-len": "seqLen",
  "batch-size": "batchSize",
  "learning-rate": "learningRate",
  "warmup-steps": "warmupSteps",
  "eval-every": "evalEvery",
  "eval-windows": "evalWindows",
  "checkpoint-every": "checkpointEvery",
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === "pretrain") {
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        out: { type: "string" },
        "data-dir": { type: "string", default: "../shared/data" },
        "time-budget": { type: "string" },
        backend: { type: "string" },
        engine: { type: "string" },
        ...Object.fromEntries(Object.keys(NUMERIC).map((k) => [k, { type: "string" as const }])),
      },
    });
    const out = values.out;
    if (typeof out !== "string")
      throw new BaseInputError("out", "is required: the run folder to write or resume.");
    const config: Record<string, number> = {};
    for (const [flag, key] of Object.entries(NUMERIC)) {
      const v = (values as Record<string, unknown>)[flag];
      if (typeof v !== "string") continue;
      const n = Number(v);
      if (!Number.isFinite(n))
        throw new BaseInputError(flag, `expected a number, received ${JSON.stringify(v)}.`);
      config[key] = n;
    }
    const dataDir = String(values["data-dir"]);
    const budget = values["time-budget"] === undefined ? 0 : Number(values["time-budget"]) * 60;
    if (!Number.isFinite(budget) || budget < 0)
      throw new BaseInputError(
        "time-budget",
        `expected minutes ≥ 0, received ${String(values["time-budget"])}.`,
      );
    const engine = values.engine ?? "auto";
    if (engine !== "auto" && engine !== "tfjs" && engine !== "ort")
      throw new BaseInputError(
        "engine",
        `expected auto, tfjs or ort (onnxruntime-node, when installed), received ${JSON.stringify(engine)}.`,
      );
    const t0 = Date.now();
    const result = await pretrain({
      engine,
      runDir: out,
      config: config as Partial<PretrainConfig>,
      timeBudgetSeconds: budget,
      ...(typeof values.backend === "string" ? { backend: values.backend } : {}),
      corpus: () => {
        const train = readCorpus(dataDir, "train");
        const validation = readCorpus(dataDir, "validation");
        process.stderr.write(
          `[base] corpus: ${train.documents.length} training documents (${JSON.stringify(train.perTask)}), ` +
            `${train.characters} characters; ${validation.documents.length} validation documents\n`,
        );
        return {
          train: train.documents,
          validation: validation.documents,
          summary: { dataDir, perTask: train.perTask, characters: train.characters },
        };
      },
      onRecord: (r) => {
        const head = `[base] step ${r.step} · ${(r.tokens / 1e6).toFixed(2)}M tokens · ${(r.seconds / 60).toFixed(1)} min`;
        if (r.kind === "validation")
          process.stderr.write(
            `${head} · validation loss ${r.loss.toFixed(4)} · perplexity ${r.perplexity?.toFixed(2)}\n`,
          );
        else
          process.stderr.write(
            `${head} · loss ${r.loss.toFixed(4)} · lr ${r.lr?.toExponential(2)} · ${r.tokensPerSecond?.toFixed(0)} tokens/s\n`,
          );
      },
    });
    process.stderr.write(
      `[base] ${result.stopped} at step ${result.step} (resumed from ${result.resumedFrom}); validation perplexity ` +
        `${result.validationPerplexity.toFixed(2)}; backend ${result.backend}; engine ${result.engine} (${result.engineNote}); ${((Date.now() - t0) / 60000).toFixed(1)} min\n`,
    );
    return 0;
  }
  if (command === "export") {
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: { run: { type: "string" }, to: { type: "string" }, dtype: { type: "string", default: "f16" } },
    });
    if (typeof values.run !== "string" || !existsSync(values.run))
      throw new BaseInputError(
        "run",
        `expected an existing pretraining run folder, received ${String(values.run)}.`,
      );
    if (typeof values.to !== "string")
      throw new BaseInputError("to", "is required: the model folder to write.");
    if (values.dtype !== "f16" && values.dtype !== "f32")
      throw new BaseInputError("dtype", `expected f16 or f32, received ${String(values.dtype)}.`);
    const r = await exportBase({ runDir: values.run, to: values.to, dtype: values.dtype });
    process.stderr.write(
      `[base] wrote ${values.to} (${r.bytes} bytes, ${r.dtype}); max |f16 − f32| ${r.maxAbsError}\n`,
    );
    return 0;
  }
  process.stderr.write(`dqnlm-base: unknown command ${JSON.stringify(command)}. Run dqnlm-base --help.\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof DqnlmError) process.stderr.write(`dqnlm-base: ${e.message} [${e.code}]\n`);
    else if (
      e instanceof Error &&
      "code" in e &&
      String((e as { code: unknown }).code).startsWith("ERR_PARSE_ARGS")
    )
      process.stderr.write(`dqnlm-base: ${e.message}. Run dqnlm-base --help.\n`);
    else throw e;
    process.exitCode = 2;
  },
);
