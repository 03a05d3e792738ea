/**
 * Redis connections and key names. One run lives under `dqnlm:{run}:` (the braces make every key of a run hash
 * to the same Redis Cluster slot). Connections retry forever with a capped back-off and keep unanswered
 * commands queued across reconnects, so a Redis restart (with AOF) or a network stall pauses actors and learner
 * instead of failing them. URLs may carry a password and use TLS (`rediss://`); they are only ever printed
 * through {@link redactRedisUrl}.
 */
import { readFileSync } from "node:fs";
import { Redis, type RedisOptions } from "ioredis";
import { DistributedError } from "./errors.js";

/** Key names of one run. */
export interface RunKeys {
  /** Stream of episodes (actors XADD, the learner reads with its consumer group). */
  readonly stream: string;
  /** Consumer group name of the learner. */
  readonly group: string;
  /** JSON manifest: config, tokenizer, reward, training prompts (actors need nothing else). */
  readonly manifest: string;
  /** JSON of the newest weights: version, sha256, blob key. */
  readonly weightsMeta: string;
  /** Counter of weight versions (monotonic across learner restarts). */
  readonly weightsVersion: string;
  /** Weight blob of one version. */
  weightsBlob(version: number): string;
  /** "running" | "done". */
  readonly status: string;
  /** Hash actorId → last heartbeat (ms since epoch). */
  readonly actors: string;
  /** Counter handing out actor slots (incarnations). */
  readonly actorSlots: string;
  /** The learner's lock (one learner per run). */
  readonly lock: string;
}

/** The key names of run `run` (letters, digits, `._-`). */
export function runKeys(run: string): RunKeys {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(run))
    throw new DistributedError(
      "DQNLM_DIST_BAD_OPTION",
      "run",
      `run name must be 1–100 characters of letters, digits, ".", "_" or "-", received ${JSON.stringify(run.slice(0, 120))}. Example: --run copy-task-1`,
    );
  const p = `dqnlm:{${run}}:`;
  return {
    stream: `${p}episodes`,
    group: "learner",
    manifest: `${p}manifest`,
    weightsMeta: `${p}weights`,
    weightsVersion: `${p}weights:version`,
    weightsBlob: (v: number) => `${p}weights:blob:${v}`,
    status: `${p}status`,
    actors: `${p}actors`,
    actorSlots: `${p}actor-slots`,
    lock: `${p}learner-lock`,
  };
}

/**
 * The URL with any user name and password replaced by `***` (for logs and error messages).
 * @example redactRedisUrl("rediss://app:s3cret@cache.example:6380/0") // "rediss://***@cache.example:6380/0"
 */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    const auth = u.username || u.password ? "***@" : "";
    return `${u.protocol}//${auth}${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "<unparseable redis url>";
  }
}

/** Options of {@link connectRedis}. */
export interface ConnectOptions {
  /** PEM file with the CA of a `rediss://` server (self-signed deployments). @default the system CAs */
  readonly caFile?: string;
  /** Name shown by `CLIENT LIST`. @default "dqnlm" */
  readonly connectionName?: string;
  /** Longest pause between reconnection attempts, ms. @default 1000 */
  readonly maxRetryDelayMs?: number;
}

/**
 * Opens a connection to `url` (`redis://[user:pass@]host:port[/db]` or `rediss://…` for TLS). Commands wait
 * for the connection across outages (no per-command retry limit) and unanswered commands are re-sent after a
 * reconnect; callers make their writes idempotent or detect duplicates (the learner does, by episode id).
 * @throws DistributedError `DQNLM_DIST_BAD_URL` when the URL is not a redis:// or rediss:// URL.
 */
export function connectRedis(url: string, options: ConnectOptions = {}): Redis {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DistributedError(
      "DQNLM_DIST_BAD_URL",
      "redis",
      `expected a Redis URL like redis://127.0.0.1:6379 or rediss://user:password@host:6380, received ${redactRedisUrl(url)}.`,
    );
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new DistributedError(
      "DQNLM_DIST_BAD_URL",
      "redis",
      `expected the redis: or rediss: scheme, received ${JSON.stringify(u.protocol)} in ${redactRedisUrl(url)}.`,
    );
  const maxDelay = options.maxRetryDelayMs ?? 1000;
  const opts: RedisOptions = {
    connectionName: options.connectionName ?? "dqnlm",
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: true,
    retryStrategy: (times: number) => Math.min(50 * times, maxDelay),
  };
  if (u.protocol === "rediss:" && options.caFile) opts.tls = { ca: readFileSync(options.caFile) };
  const client = new Redis(url, opts);
  // ioredis prints unhandled connection errors with the full options; swallow them here (they are retried),
  // callers that care listen themselves.
  client.on("error", () => {});
  return client;
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
