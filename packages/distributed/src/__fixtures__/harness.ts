/**
 * Test harness: a real redis-server (the CI's, via DQNLM_TEST_REDIS_URL, or one started here on a free port
 * with AOF in a temporary folder), a loopback TCP delay proxy, the copy task as files, and the CLI as child
 * processes (so the tests can kill -9 them).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Rng } from "@dqnlm/core";
import { Redis } from "ioredis";

const ROOT = resolve(import.meta.dirname, "../../../..");
const CLI = resolve(import.meta.dirname, "../cli.ts");

/** Path of redis-server, or null. */
export function redisServerBinary(): string | null {
  for (const p of ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]) if (existsSync(p)) return p;
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A redis-server started by a test. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Starts it again on the same port and folder (AOF replayed). */
  start(): Promise<void>;
  /** kill -9. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

async function ping(url: string, timeoutMs: number): Promise<boolean> {
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on("error", () => {});
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      try {
        await c.connect();
        if ((await c.ping()) === "PONG") return true;
      } catch {
        c.disconnect();
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  } finally {
    c.disconnect();
  }
}

/** Starts redis-server on 127.0.0.1 with AOF (appendfsync always) in a fresh folder. */
export async function startRedisServer(bin: string): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "dqnlm-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | null = null;
  const server: RedisServer = {
    url,
    port,
    dir,
    async start() {
      proc = spawn(
        bin,
        [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--dir",
          dir,
          "--appendonly",
          "yes",
          "--appendfsync",
          "always",
          "--save",
          "",
          "--protected-mode",
          "yes",
        ],
        { stdio: "ignore" },
      );
      if (!(await ping(url, 10_000))) throw new Error(`redis-server did not answer on ${url}`);
    },
    async kill() {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      const gone = new Promise((r) => p.once("exit", r));
      p.kill("SIGKILL");
      await gone;
    },
    async stop() {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      const gone = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      await gone;
    },
  };
  await server.start();
  return server;
}

/**
 * The Redis of the tests: DQNLM_TEST_REDIS_URL (set by .ci/run), else a server started here when redis-server
 * is installed, else null (tests skip loudly).
 */
export async function testRedis(): Promise<{ url: string; own: RedisServer | null } | null> {
  const env = process.env.DQNLM_TEST_REDIS_URL;
  if (env && (await ping(env, 3000))) return { url: env, own: null };
  const bin = redisServerBinary();
  if (!bin) return null;
  const own = await startRedisServer(bin);
  return { url: own.url, own };
}

/** A TCP proxy on 127.0.0.1 that delays every chunk by `delayMs` in both directions (order kept). */
export async function startDelayProxy(
  targetPort: number,
  delayMs: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const pipeDelayed = (from: Socket, to: Socket): void => {
    from.on("data", (chunk) => {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, delayMs);
    });
    from.on("close", () => setTimeout(() => to.destroy(), delayMs));
    from.on("error", () => to.destroy());
  };
  const srv: Server = createServer((client) => {
    const upstream = tcpConnect(targetPort, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    pipeDelayed(client, upstream);
    pipeDelayed(upstream, client);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  return {
    port: (srv.address() as { port: number }).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

const WORDS = ["a", "b", "c", "d", "e", "f"];

/** Writes the copy task (4-word prompts over 6 words, BLEU) and a learner config into `dir`. */
export function writeCopyTask(
  dir: string,
  opts: { seed: number; updates: number; actors: number; streamMaxLen?: number },
): string {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(5);
  const mk = (n: number): string =>
    Array.from({ length: n }, () => {
      const p = Array.from({ length: 4 }, () => WORDS[rng.nextInt(WORDS.length)]).join(" ");
      return JSON.stringify({ prompt: p, reference: p });
    }).join("\n");
  writeFileSync(join(dir, "train.jsonl"), mk(96));
  writeFileSync(join(dir, "validation.jsonl"), mk(16));
  writeFileSync(join(dir, "test.jsonl"), mk(32));
  const cfg = {
    trainer: {
      preset: "stable",
      seed: opts.seed,
      backend: "wasm",
      data: { maxPromptTokens: 4, maxNewTokens: 5 },
      mle: { epochs: 1, batchSize: 16, learningRate: 3e-3 },
      dqn: {
        updates: opts.updates,
        batchSize: 32,
        learningRate: 1e-3,
        rolloutBatch: 16,
        warmupTransitions: 64,
        targetUpdateEvery: 20,
      },
      validation: { every: 20, patience: 0 },
      log: { every: 20, progress: "off", curves: false },
    },
    distributed: {
      actors: opts.actors,
      publishEvery: 5,
      checkpointEvery: 20,
      ackEvery: 32,
      ledger: true,
      streamMaxLen: opts.streamMaxLen ?? 64,
      heartbeatMs: 500,
      actorTimeoutMs: 3000,
      lockTtlMs: 3000,
      drainMs: 10_000,
    },
    data: { train: "train.jsonl", validation: "validation.jsonl", test: "test.jsonl" },
    tokenizer: { vocabSize: 32, kind: "wordlevel" },
    reward: { name: "bleu" },
    init: { type: "random", config: { nEmbd: 32, nLayer: 1, nHead: 2, nPositions: 12 } },
  };
  const path = join(dir, "cfg.json");
  writeFileSync(path, JSON.stringify(cfg, null, 1));
  return path;
}

/** A CLI child process with its output collected. */
export interface Child {
  readonly proc: ChildProcess;
  readonly done: Promise<number | null>;
  output(): string;
}

/** Runs `dqnlm-distributed <args>` from source in a child process. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, ["--conditions=source", "--import", "tsx", CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (d) => {
    out += d;
  });
  proc.stderr?.on("data", (d) => {
    out += d;
  });
  const done = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  return { proc, done, output: () => out };
}

/** Lines of a file (none when absent). */
export function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];
}

/** Polls `cond` every 100 ms until true or `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
