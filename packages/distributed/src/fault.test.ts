/**
 * Fault tests against a real redis-server: the copy task (tiny GPT-2, BLEU) trained by one learner and two
 * actor processes, undisturbed and under four faults. Each fault test asserts that the run finishes, that
 * every episode whose push Redis confirmed is in the learner's replay ledger (nothing acknowledged is lost),
 * that no episode id is in the ledger twice (nothing trained twice by mistake), that the stream ends empty
 * with nothing pending, and that the final test BLEU is not below the spread of undisturbed runs.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  type Child,
  lines,
  type RedisServer,
  redisServerBinary,
  spawnCli,
  startDelayProxy,
  startRedisServer,
  testRedis,
  waitFor,
  writeCopyTask,
} from "./__fixtures__/harness.js";

const UPDATES = 240;
const available = redisServerBinary() !== null || !!process.env.DQNLM_TEST_REDIS_URL;
if (!available)
  console.warn(
    "SKIPPED distributed fault tests: no redis-server binary and no DQNLM_TEST_REDIS_URL (install the Debian package redis-server, or run .ci/run as root).",
  );

interface Outcome {
  run: string;
  result: {
    stopped: string;
    updates: number;
    episodes: number;
    duplicates: number;
    restarts: number;
    test: { before: number; after: number };
  };
  ledger: string[];
  pushed: string[];
  streamLength: number;
  pending: number;
  maxStreamLength: number;
  seconds: number;
}

type Fault =
  | { kind: "none" }
  | { kind: "kill-actor" }
  | { kind: "kill-learner" }
  | { kind: "restart-redis"; server: RedisServer }
  | { kind: "delay"; targetPort: number; delayMs: number };

async function scenario(url: string, seed: number, fault: Fault): Promise<Outcome> {
  const t0 = Date.now();
  const run = `${fault.kind}-${seed}-${Math.random().toString(36).slice(2, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), "dqnlm-dist-"));
  const cfg = writeCopyTask(dir, { seed, updates: UPDATES, actors: 2 });
  const ldir = join(dir, "learner");
  let proxy: Awaited<ReturnType<typeof startDelayProxy>> | null = null;
  let clientUrl = url;
  if (fault.kind === "delay") {
    proxy = await startDelayProxy(fault.targetPort, fault.delayMs);
    clientUrl = `redis://127.0.0.1:${proxy.port}`;
  }
  const env = { DQNLM_REDIS_URL: clientUrl };
  const learnerEnv: Record<string, string> =
    fault.kind === "kill-learner" ? { DQNLM_DIST_TEST_KILL_AFTER_CHECKPOINT: "4" } : {};
  const children: Child[] = [];
  try {
    let learner = spawnCli(["learner", "--run", run, "--config", cfg, "--dir", ldir], {
      ...env,
      ...learnerEnv,
    });
    children.push(learner);
    const actor = (i: number): Child => {
      const c = spawnCli(["actor", "--run", run, "--pushed-log", join(dir, `pushed-${i}.log`)], env);
      children.push(c);
      return c;
    };
    const actors = [actor(0), actor(1)];
    if (fault.kind === "kill-actor") {
      await waitFor(
        () => lines(join(dir, "pushed-0.log")).length >= 40,
        180_000,
        "actor 0 to push 40 episodes",
      );
      (actors[0] as Child).proc.kill("SIGKILL");
      await (actors[0] as Child).done;
      actors.push(actor(2));
    } else if (fault.kind === "kill-learner") {
      const code = await learner.done;
      expect(
        code,
        `the learner was to kill itself after its 4th checkpoint:\n${learner.output()}`,
      ).toBeNull();
      learner = spawnCli(["learner", "--run", run, "--dir", ldir], env);
      children.push(learner);
    } else if (fault.kind === "restart-redis") {
      const statePath = join(ldir, "checkpoints/last/state.json");
      await waitFor(
        () => {
          try {
            return JSON.parse(readFileSync(statePath, "utf8")).update >= 60;
          } catch {
            return false;
          }
        },
        180_000,
        "the learner to checkpoint update 60",
      );
      await fault.server.kill();
      await new Promise((r) => setTimeout(r, 1500));
      await fault.server.start();
    }
    const code = await learner.done;
    expect(code, learner.output()).toBe(0);
    for (const a of actors) await a.done;
    const result = JSON.parse(readFileSync(join(ldir, "result.json"), "utf8"));
    const state = JSON.parse(readFileSync(join(ldir, "checkpoints/last/state.json"), "utf8"));
    const pushed = [0, 1, 2].flatMap((i) => lines(join(dir, `pushed-${i}.log`)));
    const metrics = lines(join(ldir, "metrics.jsonl")).map((l) => JSON.parse(l));
    const maxStreamLength = Math.max(
      0,
      ...metrics.filter((m) => m.phase === "dqn").map((m) => m.streamLength),
    );
    const r = new Redis(url);
    const key = `dqnlm:{${run}}:episodes`;
    const streamLength = await r.xlen(key);
    const pending = Number(((await r.call("XPENDING", key, "learner")) as unknown[])[0]);
    r.disconnect();
    return {
      run,
      result,
      ledger: state.ledger,
      pushed,
      streamLength,
      pending,
      maxStreamLength,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    for (const c of children)
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
    await proxy?.close();
  }
}

function checkDelivery(o: Outcome): void {
  expect(o.result.stopped).toBe("done");
  expect(o.result.updates).toBe(UPDATES);
  // Nothing trained twice: every id once in the ledger, and the ledger is what the replay ingested.
  expect(new Set(o.ledger).size).toBe(o.ledger.length);
  expect(o.ledger.length).toBe(o.result.episodes);
  // Nothing lost: every push Redis confirmed reached the replay.
  const inLedger = new Set(o.ledger);
  const lost = o.pushed.filter((id) => !inLedger.has(id));
  expect(lost).toEqual([]);
  // Everything acknowledged and deleted; the stream never grew past its bound.
  expect(o.streamLength).toBe(0);
  expect(o.pending).toBe(0);
  expect(o.maxStreamLength).toBeLessThanOrEqual(64);
}

describe.skipIf(!available)("distributed runs against a real redis-server", () => {
  let url = "";
  let own: RedisServer | null = null;
  const baseline: number[] = [];

  beforeAll(async () => {
    const r = await testRedis();
    if (!r) throw new Error("redis became unavailable");
    url = r.url;
    own = r.own;
  });
  afterAll(async () => {
    await own?.stop();
  });

  const within = (o: Outcome): void => {
    // The undisturbed runs' spread: mean − 3·sd of seeds 1–3 (at least 0.6 below the mean). Only a lower bound:
    // a fault run that ends higher is no failure. The distributed schedule is not bit-reproducible (which
    // episode arrives first depends on timing), so repeated undisturbed runs of one seed already differ
    // (seed 1: 1.000 in one run, 0.457 in another). A learner that lost its weights on a restart would end
    // near the MLE start (≈ 0.1), which the second check catches directly. The bound allows 0.6 below the mean:
    // with only 3 undisturbed runs, 3·sd can be small by chance (CI on 2026-12-06: three high baselines put the bound
    // at 0.73 while fault runs ended at 0.45–0.64, inside the 0.46–1.00 range one seed shows undisturbed).
    const n = baseline.length;
    const mean = baseline.reduce((s, x) => s + x, 0) / n;
    const sd = Math.sqrt(baseline.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
    expect(o.result.test.after).toBeGreaterThanOrEqual(mean - Math.max(0.6, 3 * sd));
    expect(o.result.test.after).toBeGreaterThanOrEqual(o.result.test.before + 0.1);
  };

  test("undisturbed runs (seeds 1–3): every confirmed push trained once, stream drained", async () => {
    for (const seed of [1, 2, 3]) {
      const o = await scenario(url, seed, { kind: "none" });
      checkDelivery(o);
      expect(o.result.duplicates).toBe(0);
      baseline.push(o.result.test.after);
      console.log(
        `undisturbed seed ${seed}: test BLEU ${o.result.test.before.toFixed(3)} → ${o.result.test.after.toFixed(3)}, ${o.result.episodes} episodes, ${o.seconds.toFixed(1)} s`,
      );
    }
  }, 420_000);

  test("kill -9 an actor mid-run; a new actor joins", async () => {
    const o = await scenario(url, 1, { kind: "kill-actor" });
    checkDelivery(o);
    console.log(
      `kill-actor: BLEU ${o.result.test.after.toFixed(3)}, ${o.result.episodes} episodes, ${o.seconds.toFixed(1)} s`,
    );
    within(o);
  }, 240_000);

  test("kill -9 the learner after a checkpoint, before its XACK; the restart dedupes redelivered entries", async () => {
    const o = await scenario(url, 2, { kind: "kill-learner" });
    checkDelivery(o);
    expect(o.result.restarts).toBe(1);
    // Entries of the 4th checkpoint were redelivered (never acknowledged) and recognised as duplicates.
    expect(o.result.duplicates).toBeGreaterThan(0);
    console.log(
      `kill-learner: BLEU ${o.result.test.after.toFixed(3)}, ${o.result.duplicates} duplicates skipped, ${o.seconds.toFixed(1)} s`,
    );
    within(o);
  }, 240_000);

  test("kill -9 and restart redis-server (AOF, appendfsync always) mid-run", async () => {
    const bin = redisServerBinary();
    if (!bin) {
      console.warn("SKIPPED redis restart test: needs a local redis-server binary to restart");
      return;
    }
    const server = await startRedisServer(bin);
    try {
      const o = await scenario(server.url, 3, { kind: "restart-redis", server });
      checkDelivery(o);
      console.log(
        `restart-redis: BLEU ${o.result.test.after.toFixed(3)}, ${o.result.duplicates} duplicates, ${o.seconds.toFixed(1)} s`,
      );
      within(o);
    } finally {
      await server.stop();
    }
  }, 240_000);

  test("20 ms each way on every client connection (loopback TCP delay proxy)", async () => {
    const port = Number(new URL(url).port || 6379);
    const o = await scenario(url, 1, { kind: "delay", targetPort: port, delayMs: 20 });
    checkDelivery(o);
    console.log(`delay: BLEU ${o.result.test.after.toFixed(3)}, ${o.seconds.toFixed(1)} s`);
    within(o);
  }, 240_000);
});
