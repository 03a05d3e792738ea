/**
 * What a distributed run is made of: the learner's spec (trainer config, data, tokenizer, reward, model init,
 * distributed options) and the manifest it publishes for actors (everything an actor needs to roll out:
 * config, tokenizer, reward, training prompts — actors take only `--redis` and `--run`).
 */
import type { GPT2Config } from "@dqnlm/qnet";
import { bleuReward, chrfReward, type Reward, rougeReward, squadF1Reward, terReward } from "@dqnlm/rewards";
import type { DataSplits, Example, TrainerConfig, TrainerConfigInput } from "@dqnlm/trainer";
import { DistributedError } from "./errors.js";

/** Options of the distributed run (the `distributed` section of the learner's config). */
export interface DistributedOptions {
  /** Number of actors the exploration schedule is spread over (ε_i uses N; more actors may join). @default 4 */
  readonly actors: number;
  /** Ape-X base ε of ε_i = ε^(1+α·i/(N−1)) (ε-greedy exploration). @default 0.4 */
  readonly epsilon: number;
  /** Ape-X α. @default 7 */
  readonly alpha: number;
  /** Temperature spread c of T_i = T·c^(1−2i/(N−1)) (`sample` exploration). @default 2 */
  readonly temperatureSpread: number;
  /** Bound of the episode stream (unacknowledged entries); actors wait while it is full. @default 256 */
  readonly streamMaxLen: number;
  /** Publish the online weights every this many updates. @default 10 */
  readonly publishEvery: number;
  /** Checkpoint (then acknowledge) at least every this many updates. @default 50 */
  readonly checkpointEvery: number;
  /** Checkpoint (then acknowledge) as soon as this many episodes wait for acknowledgement. @default 64 */
  readonly ackEvery: number;
  /** Keep every ingested episode id in the checkpoint (an audit trail; tests use it). @default false */
  readonly ledger: boolean;
  /** Actor heartbeat period, ms. @default 1000 */
  readonly heartbeatMs: number;
  /** An actor silent for this long is considered gone (end-of-run drain). @default 5000 */
  readonly actorTimeoutMs: number;
  /** The learner lock's time to live, ms (a killed learner's lock frees itself after this). @default 10000 */
  readonly lockTtlMs: number;
  /** At the end, wait at most this long for actors to stop before draining the stream, ms. @default 15000 */
  readonly drainMs: number;
}

/** Defaults of {@link DistributedOptions}. */
export const DISTRIBUTED_DEFAULTS: Readonly<DistributedOptions> = Object.freeze({
  actors: 4,
  epsilon: 0.4,
  alpha: 7,
  temperatureSpread: 2,
  streamMaxLen: 256,
  publishEvery: 10,
  checkpointEvery: 50,
  ackEvery: 64,
  ledger: false,
  heartbeatMs: 1000,
  actorTimeoutMs: 5000,
  lockTtlMs: 10_000,
  drainMs: 15_000,
});

const INTS: readonly (keyof DistributedOptions)[] = [
  "actors",
  "streamMaxLen",
  "publishEvery",
  "checkpointEvery",
  "ackEvery",
  "heartbeatMs",
  "actorTimeoutMs",
  "lockTtlMs",
  "drainMs",
];

/**
 * Fills defaults and validates.
 * @throws DistributedError `DQNLM_DIST_BAD_OPTION` naming the field, with what was expected and received.
 */
export function resolveDistributed(input: Partial<DistributedOptions> = {}): DistributedOptions {
  const out: Record<string, unknown> = { ...DISTRIBUTED_DEFAULTS };
  for (const [k, v] of Object.entries(input)) {
    if (!(k in DISTRIBUTED_DEFAULTS))
      throw new DistributedError(
        "DQNLM_DIST_BAD_OPTION",
        `distributed.${k}`,
        `unknown option distributed.${k}; known options: ${Object.keys(DISTRIBUTED_DEFAULTS).join(", ")}.`,
      );
    out[k] = v;
  }
  const o = out as unknown as DistributedOptions;
  for (const k of INTS)
    if (!(Number.isInteger(o[k]) && (o[k] as number) >= 1))
      throw new DistributedError(
        "DQNLM_DIST_BAD_OPTION",
        `distributed.${k}`,
        `distributed.${k} must be an integer ≥ 1, received ${JSON.stringify(o[k])} (default ${DISTRIBUTED_DEFAULTS[k]}).`,
      );
  if (!(o.epsilon >= 0 && o.epsilon <= 1))
    throw new DistributedError(
      "DQNLM_DIST_BAD_OPTION",
      "distributed.epsilon",
      `distributed.epsilon must be in [0, 1], received ${o.epsilon} (default 0.4).`,
    );
  for (const k of ["alpha", "temperatureSpread"] as const)
    if (!(Number.isFinite(o[k]) && o[k] > 0))
      throw new DistributedError(
        "DQNLM_DIST_BAD_OPTION",
        `distributed.${k}`,
        `distributed.${k} must be a finite number > 0, received ${JSON.stringify(o[k])} (default ${DISTRIBUTED_DEFAULTS[k]}).`,
      );
  if (o.ackEvery >= o.streamMaxLen)
    throw new DistributedError(
      "DQNLM_DIST_BAD_OPTION",
      "distributed.ackEvery",
      `distributed.ackEvery (${o.ackEvery}) must be smaller than distributed.streamMaxLen (${o.streamMaxLen}): the learner acknowledges after a checkpoint every ackEvery episodes, so a stream bounded below that stalls until the 5 s checkpoint timer. Example: { "streamMaxLen": 256, "ackEvery": 64 }.`,
    );
  if (typeof o.ledger !== "boolean")
    throw new DistributedError(
      "DQNLM_DIST_BAD_OPTION",
      "distributed.ledger",
      `distributed.ledger must be a boolean, received ${JSON.stringify(o.ledger)}.`,
    );
  return o;
}

/** A reward by name: `bleu`, `chrf`, `rouge1`, `rouge2`, `rougeL`, `rougeLsum`, `ter`, `squad-f1`. */
export interface RewardSpec {
  readonly name: string;
  readonly options?: Record<string, unknown>;
}

/** Builds the reward of a {@link RewardSpec}. */
export function rewardFromSpec(spec: RewardSpec): Reward {
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
      throw new DistributedError(
        "DQNLM_DIST_BAD_OPTION",
        "reward.name",
        `unknown reward ${JSON.stringify(spec.name)}; use one of bleu, chrf, rouge1, rouge2, rougeL, rougeLsum, ter, squad-f1.`,
      );
  }
}

/** A tokenizer as plain JSON (mdp `HFTokenizer.toJSON()`). */
export interface TokenizerSpec {
  readonly tokenizer: unknown;
  readonly config?: unknown;
}

/** Where the learner's initial network comes from. */
export type LearnerInit =
  | { readonly type: "random"; readonly config: Partial<Omit<GPT2Config, "vocabSize">> }
  | { readonly type: "checkpoint"; readonly dir: string };

/** Everything the learner needs on its first start (kept in `<dir>/spec.json` for restarts). */
export interface LearnerSpec {
  /** Trainer preset + overrides (the same JSON as `dqnlm train`). */
  readonly trainer?: TrainerConfigInput;
  readonly distributed?: Partial<DistributedOptions>;
  readonly data: DataSplits;
  readonly tokenizer: TokenizerSpec;
  /** @default { name: "bleu" } */
  readonly reward?: RewardSpec;
  /** @default { type: "random", config: { nEmbd: 64, nLayer: 2, nHead: 2 } } */
  readonly init?: LearnerInit;
}

/** What the learner publishes for actors under the run's manifest key. */
export interface RunManifest {
  readonly version: 1;
  readonly run: string;
  readonly config: TrainerConfig;
  readonly distributed: DistributedOptions;
  readonly tokenizer: TokenizerSpec;
  readonly reward: RewardSpec;
  /** Training examples (actors roll out on their prompts and score against their references). */
  readonly train: readonly Example[];
  readonly modelConfig: GPT2Config;
}

/**
 * Parses and checks a manifest read from Redis.
 * @throws DistributedError `DQNLM_DIST_BAD_MANIFEST`
 */
export function parseManifest(text: string, run: string): RunManifest {
  let m: RunManifest;
  try {
    m = JSON.parse(text) as RunManifest;
  } catch (cause) {
    throw new DistributedError("DQNLM_DIST_BAD_MANIFEST", "manifest", `run ${run}: manifest is not JSON`, {
      cause,
    });
  }
  if (m?.version !== 1 || !Array.isArray(m.train) || !m.config || !m.modelConfig || !m.tokenizer)
    throw new DistributedError(
      "DQNLM_DIST_BAD_MANIFEST",
      "manifest",
      `run ${run}: expected a version 1 manifest with config, modelConfig, tokenizer and train; received version ${JSON.stringify(m?.version)}. Start the learner of the same dqnlm version first.`,
    );
  return m;
}
