/**
 * The `dqnlm` command line: argument parsing, JSONL data, tokenizer and reward set-up, and the five commands
 * (`train`, `eval`, `generate`, `resume`, `doctor`). Kept apart from `cli.ts` (which only runs it and turns
 * errors into exit codes) so it can be tested in-process.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DqnlmError, writeJsonAtomic } from "@dqnlm/core";
import { loadTokenizer, type Tokenizer, trainTokenizer } from "@dqnlm/mdp";
import { doctor, selectBackend } from "@dqnlm/qnet";
import { bleuReward, chrfReward, type Reward, rougeReward, squadF1Reward, terReward } from "@dqnlm/rewards";
import type { TrainerConfigInput } from "./config.js";
import { TrainerInputError } from "./errors.js";
import type { Example } from "./text-task.js";
import { evaluate, generate, type ModelInit, resume, train } from "./train.js";

/** The JSON config file of `dqnlm train` (every part optional; flags override). */
export interface CliSpec {
  /** Trainer config: preset + overrides. */
  trainer?: TrainerConfigInput;
  /** JSONL files with `prompt` and `reference` (string) or `references` (string[]). */
  data?: { train?: string; validation?: string; test?: string };
  /** A tokenizer folder (tokenizer.json), or options to train one on the training texts. */
  tokenizer?: { dir?: string; vocabSize?: number; kind?: "bpe" | "wordlevel" };
  /** Reward: `bleu`, `chrf`, `rouge1`/`rouge2`/`rougeL`, `ter`, `squad-f1`, with options. */
  reward?: { name: string; options?: Record<string, unknown> };
  /** Initial model. */
  init?: ModelInit;
}

/** Reads a JSONL data file. Each line: {"prompt": ..., "reference": "..."} or {"prompt": ..., "references": [...]}. */
export function readJsonl(path: string): Example[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new TrainerInputError("data", `cannot read data file ${path}`, { cause });
  }
  const out: Example[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch (cause) {
      throw new TrainerInputError(
        "data",
        `${path}:${i + 1}: not valid JSON. Each line must be an object like {"prompt": "...", "reference": "..."}.`,
        { cause },
      );
    }
    const refs = Array.isArray(o.references)
      ? o.references
      : typeof o.reference === "string"
        ? [o.reference]
        : null;
    if (typeof o.prompt !== "string" || !refs || refs.length === 0 || refs.some((r) => typeof r !== "string"))
      throw new TrainerInputError(
        "data",
        `${path}:${i + 1}: expected a string "prompt" and a string "reference" or a non-empty string array "references".`,
      );
    out.push({ prompt: o.prompt, references: refs as string[] });
  });
  return out;
}

/** Builds a reward from its CLI name. */
export function rewardFromSpec(spec: { name: string; options?: Record<string, unknown> }): Reward {
  const o = spec.options ?? {};
  switch (spec.name) {
    case "bleu":
      return bleuReward(o);
    case "chrf":
      return chrfReward(o);
    case "rouge1":
    case "rouge2":
    case "rougeL":
    case "rougeLsum":
      return rougeReward({ ...o, type: spec.name });
    case "ter":
      return terReward(o);
    case "squad-f1":
      return squadF1Reward();
    default:
      throw new TrainerInputError(
        "reward.name",
        `unknown reward ${JSON.stringify(spec.name)}; use one of bleu, chrf, rouge1, rouge2, rougeL, rougeLsum, ter, squad-f1.`,
      );
  }
}

interface Args {
  cmd: string;
  flags: Map<string, string>;
}

const USAGE = `dqnlm — DQN for language models

  dqnlm train    --config cfg.json [--train f.jsonl] [--validation f.jsonl] [--test f.jsonl] --run runs/x
                 [--preset stable|seed] [--seed N] [--updates N] [--reward bleu] [--tokenizer dir] [--init dir]
  dqnlm resume   --run runs/x
  dqnlm eval     --model runs/x/checkpoints/best --tokenizer runs/x/tokenizer --data test.jsonl [--reward bleu]
  dqnlm generate --model runs/x/checkpoints/best --tokenizer runs/x/tokenizer --prompt "text" [--max-new-tokens 32]
  dqnlm doctor   (which tfjs backend runs, and why the others do not)

Data files are JSONL with "prompt" and "reference" (or "references": [...]).`;

function parse(argv: readonly string[]): Args {
  const [cmd = "help", ...rest] = argv;
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    if (!a.startsWith("--"))
      throw new TrainerInputError("argv", `unexpected argument ${JSON.stringify(a)}.\n\n${USAGE}`);
    const eq = a.indexOf("=");
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else {
      const v = rest[i + 1];
      if (v === undefined || v.startsWith("--")) flags.set(a.slice(2), "true");
      else {
        flags.set(a.slice(2), v);
        i++;
      }
    }
  }
  return { cmd, flags };
}

function need(flags: Map<string, string>, name: string): string {
  const v = flags.get(name);
  if (!v) throw new TrainerInputError(name, `missing --${name}.\n\n${USAGE}`);
  return v;
}

function num(flags: Map<string, string>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n))
    throw new TrainerInputError(name, `--${name} must be a number, received ${JSON.stringify(v)}.`);
  return n;
}

function tokenizerFor(spec: CliSpec, train: readonly Example[], runDir: string): Tokenizer {
  if (spec.tokenizer?.dir) return loadTokenizer(spec.tokenizer.dir);
  const texts = train.flatMap((e) => [e.prompt, ...e.references]);
  const tok = trainTokenizer(texts, {
    vocabSize: spec.tokenizer?.vocabSize ?? 1000,
    kind: spec.tokenizer?.kind ?? "bpe",
  });
  tok.save(join(runDir, "tokenizer"));
  return loadTokenizer(join(runDir, "tokenizer"));
}

/**
 * Runs `fn` with a `shouldStop` that turns true on Ctrl-C (SIGINT) or SIGTERM: the trainer then writes a
 * checkpoint and returns, so the run can be continued with `dqnlm resume`.
 */
async function withInterrupt<T>(fn: (shouldStop: () => boolean) => Promise<T>): Promise<T> {
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await fn(() => stop);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Runs one CLI invocation; output lines go to `out`. Returns the exit code (errors are thrown). */
export async function runCli(
  argv: readonly string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const { cmd, flags } = parse(argv);
  switch (cmd) {
    case "train": {
      const cfgPath = flags.get("config");
      const spec: CliSpec = cfgPath ? (JSON.parse(readFileSync(cfgPath, "utf8")) as CliSpec) : {};
      const runDir = resolve(need(flags, "run"));
      const files = {
        train: flags.get("train") ?? spec.data?.train,
        validation: flags.get("validation") ?? spec.data?.validation,
        test: flags.get("test") ?? spec.data?.test,
      };
      if (!files.train)
        throw new TrainerInputError(
          "train",
          `missing training data: --train file.jsonl or "data.train" in the config.\n\n${USAGE}`,
        );
      const data = {
        train: readJsonl(files.train),
        validation: files.validation ? readJsonl(files.validation) : [],
        test: files.test ? readJsonl(files.test) : [],
      };
      const trainer: Record<string, unknown> = { ...(spec.trainer ?? {}) };
      if (flags.has("preset")) trainer.preset = flags.get("preset");
      if (flags.has("seed")) trainer.seed = num(flags, "seed");
      if (flags.has("updates")) trainer.dqn = { ...(trainer.dqn as object), updates: num(flags, "updates") };
      const tokSpec = flags.has("tokenizer")
        ? { ...spec, tokenizer: { dir: flags.get("tokenizer") as string } }
        : spec;
      const tokenizer = tokenizerFor(tokSpec, data.train, runDir);
      const rewardSpec = flags.has("reward")
        ? { name: flags.get("reward") as string }
        : (spec.reward ?? { name: "bleu" });
      const init: ModelInit | undefined = flags.has("init")
        ? existsSync(join(flags.get("init") as string, "model.safetensors"))
          ? { type: "checkpoint", dir: flags.get("init") as string }
          : { type: "pretrained", id: flags.get("init") as string }
        : spec.init;
      const tokenizerDir = tokSpec.tokenizer?.dir
        ? resolve(tokSpec.tokenizer.dir)
        : join(runDir, "tokenizer");
      // written first so that an interrupted run can be resumed from the CLI
      writeJsonAtomic(join(runDir, "cli.json"), {
        data: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v ? resolve(v) : null])),
        tokenizerDir,
        reward: rewardSpec,
      });
      const res = await withInterrupt((shouldStop) =>
        train(
          {
            runDir,
            config: trainer as TrainerConfigInput,
            data,
            tokenizer,
            reward: rewardFromSpec(rewardSpec),
            ...(init ? { init } : {}),
          },
          { shouldStop },
        ),
      );
      out(JSON.stringify(summary(res), null, 2));
      if (res.stopped === "callback") out(`interrupted: continue with \`dqnlm resume --run ${runDir}\``);
      return 0;
    }
    case "resume": {
      const runDir = resolve(need(flags, "run"));
      const cliPath = join(runDir, "cli.json");
      if (!existsSync(cliPath))
        throw new TrainerInputError(
          "run",
          `${cliPath} not found: only runs started with \`dqnlm train\` can be resumed from the CLI (use resume() from code otherwise).`,
        );
      const c = JSON.parse(readFileSync(cliPath, "utf8")) as {
        data: { train: string; validation: string | null; test: string | null };
        tokenizerDir: string;
        reward: { name: string; options?: Record<string, unknown> };
      };
      const input = {
        data: {
          train: readJsonl(c.data.train),
          validation: c.data.validation ? readJsonl(c.data.validation) : [],
          test: c.data.test ? readJsonl(c.data.test) : [],
        },
        tokenizer: loadTokenizer(c.tokenizerDir),
        reward: rewardFromSpec(c.reward),
      };
      const res = await withInterrupt((shouldStop) => resume(runDir, input, { shouldStop }));
      out(JSON.stringify(summary(res), null, 2));
      if (res.stopped === "callback") out(`interrupted: continue with \`dqnlm resume --run ${runDir}\``);
      return 0;
    }
    case "eval": {
      await selectBackend();
      const tokenizer = loadTokenizer(need(flags, "tokenizer"));
      const r = await evaluate({
        model: need(flags, "model"),
        tokenizer,
        examples: readJsonl(need(flags, "data")),
        reward: rewardFromSpec({ name: flags.get("reward") ?? "bleu" }),
        maxNewTokens: num(flags, "max-new-tokens") ?? 32,
      });
      out(
        JSON.stringify(
          { metric: r.metric, repetition: r.repetition, empty: r.empty, n: r.scores.length },
          null,
          2,
        ),
      );
      return 0;
    }
    case "generate": {
      await selectBackend();
      const tokenizer = loadTokenizer(need(flags, "tokenizer"));
      const prompts = flags.has("prompt")
        ? [flags.get("prompt") as string]
        : readJsonl(need(flags, "prompts")).map((e) => e.prompt);
      const outs = await generate({
        model: need(flags, "model"),
        tokenizer,
        prompts,
        maxNewTokens: num(flags, "max-new-tokens") ?? 32,
      });
      for (const o of outs) out(o);
      return 0;
    }
    case "doctor": {
      out(JSON.stringify(await doctor(), null, 2));
      return 0;
    }
    case "help":
    case "--help":
    case "-h":
      out(USAGE);
      return 0;
    default:
      throw new TrainerInputError("command", `unknown command ${JSON.stringify(cmd)}.\n\n${USAGE}`);
  }
}

function summary(r: Awaited<ReturnType<typeof train>>) {
  return {
    runDir: r.runDir,
    stopped: r.stopped,
    updates: r.updates,
    validation: r.validation,
    test: r.test ? { before: r.test.before.metric, after: r.test.after.metric } : null,
    bestCheckpoint: r.bestCheckpoint,
    curves: r.curves,
    backend: r.backend,
    seconds: Math.round(r.seconds * 10) / 10,
  };
}

/** Formats an error for the terminal (code, field, message). */
export function formatError(e: unknown): string {
  if (e instanceof DqnlmError) return `error ${e.code}${e.field ? ` (${e.field})` : ""}: ${e.message}`;
  return `error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
}
