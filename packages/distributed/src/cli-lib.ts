/**
 * `dqnlm-distributed actor|learner` (also reachable as `dqnlm actor|learner`, which delegates here). Strict
 * flags via node's parseArgs. The Redis URL comes from `--redis` or, better on shared machines (argv is
 * visible in `ps`), from the `DQNLM_REDIS_URL` environment variable; it is only ever printed redacted.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DqnlmError } from "@dqnlm/core";
import { loadTokenizer, trainTokenizer } from "@dqnlm/mdp";
import type { Example } from "@dqnlm/trainer";
import { runActor } from "./actor.js";
import { DistributedError } from "./errors.js";
import { runLearner } from "./learner.js";
import type { DistributedOptions, LearnerInit, LearnerSpec, RewardSpec } from "./spec.js";

/** The learner's JSON config file (the `dqnlm train` config plus a `distributed` section). */
export interface LearnerConfigFile {
  readonly trainer?: LearnerSpec["trainer"];
  readonly distributed?: Partial<DistributedOptions>;
  /** JSONL files with `prompt` and `reference` (string) or `references` (string[]); relative to the config. */
  readonly data: { readonly train: string; readonly validation?: string; readonly test?: string };
  /** A tokenizer folder, or options to train one on the training texts. */
  readonly tokenizer?: {
    readonly dir?: string;
    readonly vocabSize?: number;
    readonly kind?: "bpe" | "wordlevel";
  };
  readonly reward?: RewardSpec;
  readonly init?: LearnerInit;
}

const USAGE = `dqnlm-distributed — Ape-X actors and a learner over Redis

  dqnlm-distributed learner --redis URL --run NAME [--config cfg.json] [--dir runs/NAME]
  dqnlm-distributed actor   --redis URL --run NAME [--index I --actors N] [--max-episodes K]

  --redis URL        redis://[user:password@]host:port[/db] or rediss://… (TLS); or set DQNLM_REDIS_URL
  --redis-ca FILE    CA certificate (PEM) of a rediss:// server with a private CA
  --config FILE      learner only, first start: { trainer, distributed, data, tokenizer, reward, init }
  --dir DIR          learner only: run folder with checkpoints (default runs/NAME)
  --index I          actor only: exploration index i (default: slot order); --actors N: N of ε_i
  --pushed-log FILE  actor only: append the id of every confirmed push

A killed learner is restarted with the same command: it resumes from its checkpoint.`;

function readJsonl(path: string): Example[] {
  const out: Example[] = [];
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      let o: {
        prompt?: unknown;
        reference?: unknown;
        references?: unknown;
        source?: unknown;
        target?: unknown;
      };
      try {
        o = JSON.parse(line);
      } catch (cause) {
        throw new DistributedError("DQNLM_DIST_BAD_OPTION", "data", `${path}:${i + 1}: not valid JSON`, {
          cause,
        });
      }
      // Multi30k-style {"source", "target"} lines are read as {"prompt", "reference"}.
      const prompt = o.prompt ?? o.source;
      const ref = o.reference ?? o.target;
      const refs = Array.isArray(o.references) ? o.references : typeof ref === "string" ? [ref] : [];
      if (typeof prompt !== "string" || refs.length === 0 || refs.some((r) => typeof r !== "string"))
        throw new DistributedError(
          "DQNLM_DIST_BAD_OPTION",
          "data",
          `${path}:${i + 1}: expected {"prompt": "...", "reference": "..."} (or "references": ["..."], or "source"/"target").`,
        );
      out.push({ prompt, references: refs as string[] });
    });
  return out;
}

/** Turns the learner's config file into a {@link LearnerSpec} (reads the data, loads or trains the tokenizer). */
export function learnerSpecFromFile(path: string): LearnerSpec {
  const f = JSON.parse(readFileSync(path, "utf8")) as LearnerConfigFile;
  const base = resolve(path, "..");
  const at = (p: string): string => resolve(base, p);
  if (!f.data?.train)
    throw new DistributedError(
      "DQNLM_DIST_BAD_OPTION",
      "data.train",
      `${path}: "data.train" (a JSONL file) is required.`,
    );
  const data = {
    train: readJsonl(at(f.data.train)),
    validation: f.data.validation ? readJsonl(at(f.data.validation)) : [],
    test: f.data.test ? readJsonl(at(f.data.test)) : [],
  };
  const tok = f.tokenizer?.dir
    ? loadTokenizer(at(f.tokenizer.dir))
    : trainTokenizer(
        data.train.flatMap((e) => [e.prompt, ...e.references]),
        { vocabSize: f.tokenizer?.vocabSize ?? 1000, kind: f.tokenizer?.kind ?? "bpe" },
      );
  return {
    ...(f.trainer ? { trainer: f.trainer } : {}),
    ...(f.distributed ? { distributed: f.distributed } : {}),
    data,
    tokenizer: tok.toJSON(),
    ...(f.reward ? { reward: f.reward } : {}),
    ...(f.init
      ? { init: f.init.type === "checkpoint" ? { type: "checkpoint", dir: at(f.init.dir) } : f.init }
      : {}),
  };
}

function int(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new DistributedError(
      "DQNLM_DIST_BAD_OPTION",
      name,
      `--${name} must be an integer ≥ 0, received ${JSON.stringify(v)}.`,
    );
  return n;
}

/**
 * Runs one invocation (`argv` without node and the script). Returns the exit code; errors are thrown.
 * SIGINT/SIGTERM stop the learner after a checkpoint (restart to continue) and an actor after its current push.
 */
export async function runDistributedCli(
  argv: readonly string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h" || rest.includes("--help")) {
    out(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd !== "actor" && cmd !== "learner")
    throw new DistributedError(
      "DQNLM_DIST_BAD_OPTION",
      "command",
      `unknown command ${JSON.stringify(cmd)}.\n\n${USAGE}`,
    );
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      options: {
        redis: { type: "string" },
        "redis-ca": { type: "string" },
        run: { type: "string" },
        config: { type: "string" },
        dir: { type: "string" },
        index: { type: "string" },
        actors: { type: "string" },
        "max-episodes": { type: "string" },
        "pushed-log": { type: "string" },
      },
    }).values as Record<string, string | undefined>;
  } catch (cause) {
    throw new DistributedError("DQNLM_DIST_BAD_OPTION", "argv", `${(cause as Error).message}\n\n${USAGE}`, {
      cause,
    });
  }
  const url = values.redis ?? process.env.DQNLM_REDIS_URL;
  if (!url)
    throw new DistributedError(
      "DQNLM_DIST_BAD_URL",
      "redis",
      `missing --redis URL (or DQNLM_REDIS_URL).\n\n${USAGE}`,
    );
  const run = values.run;
  if (!run) throw new DistributedError("DQNLM_DIST_BAD_OPTION", "run", `missing --run NAME.\n\n${USAGE}`);
  const connect = values["redis-ca"] ? { caFile: values["redis-ca"] } : {};
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    if (cmd === "learner") {
      const res = await runLearner({
        redisUrl: url,
        run,
        dir: resolve(values.dir ?? `runs/${run}`),
        ...(values.config ? { spec: learnerSpecFromFile(values.config) } : {}),
        connect,
        log: out,
        shouldStop: () => stop,
      });
      out(
        JSON.stringify({
          ...res,
          test: res.test ? { before: res.test.before, after: res.test.after } : null,
        }),
      );
      return 0;
    }
    const index = int(values.index, "index");
    const actors = int(values.actors, "actors");
    const maxEpisodes = int(values["max-episodes"], "max-episodes");
    const res = await runActor({
      redisUrl: url,
      run,
      ...(index !== undefined ? { index } : {}),
      ...(actors !== undefined ? { actors } : {}),
      ...(maxEpisodes !== undefined ? { maxEpisodes } : {}),
      ...(values["pushed-log"] ? { pushedLog: values["pushed-log"] } : {}),
      connect,
      log: out,
      shouldStop: () => stop,
    });
    out(JSON.stringify(res));
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Formats an error for the terminal (code, field, message). */
export function formatDistributedError(e: unknown): string {
  if (e instanceof DqnlmError) return `error ${e.code}${e.field ? ` (${e.field})` : ""}: ${e.message}`;
  return `error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
}
