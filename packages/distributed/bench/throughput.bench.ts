/**
 * Throughput of one learner with 1, 2 and 4 actor processes on this machine (a real redis-server started
 * here), and a cost model from the measured per-episode actor cost and per-update learner cost that predicts
 * the scaling to N machines. Run: `npx -y pnpm@10 --filter @dqnlm/distributed bench` (or with `-- --updates N`).
 * A multi-process measurement, so a plain script rather than `vitest bench`; ratios are against the 1-actor
 * run of the same invocation, and the machine load is printed with every row.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { redisServerBinary, spawnCli, startRedisServer, writeCopyTask } from "../src/__fixtures__/harness.js";

const args = process.argv.slice(2);
const UPDATES = Number(args[args.indexOf("--updates") + 1] || 200);
const COUNTS = [1, 2, 4];

interface Row {
  actors: number;
  seconds: number;
  episodes: number;
  episodesPerSec: number;
  utilisation: number;
  msPerUpdate: number;
  actorMsPerEpisode: number;
  backPressureShare: number;
  load: string;
}

async function main(): Promise<void> {
  const bin = redisServerBinary();
  if (!bin) throw new Error("redis-server is not installed (Debian: apt-get install redis-server)");
  const server = await startRedisServer(bin);
  const rows: Row[] = [];
  try {
    for (const n of COUNTS) {
      const dir = mkdtempSync(join(tmpdir(), "dqnlm-bench-"));
      const cfgPath = writeCopyTask(dir, { seed: 1, updates: UPDATES, actors: n, streamMaxLen: 128 });
      // A larger network than the tests' (d=64, 2 layers, 8 new tokens) so that network time dominates.
      const cfg = JSON.parse(readFileSync(cfgPath, "utf8"));
      cfg.init.config = { nEmbd: 64, nLayer: 2, nHead: 2, nPositions: 16 };
      cfg.trainer.data.maxNewTokens = 8;
      cfg.trainer.validation.every = 1_000_000;
      cfg.distributed.ledger = false;
      writeFileSync(cfgPath, JSON.stringify(cfg));
      const run = `bench-${n}-${Date.now()}`;
      const env = { DQNLM_REDIS_URL: server.url };
      const load0 = loadavg()[0] as number;
      const learner = spawnCli(["learner", "--run", run, "--config", cfgPath, "--dir", join(dir, "l")], env);
      const actors = Array.from({ length: n }, () => spawnCli(["actor", "--run", run], env));
      const code = await learner.done;
      if (code !== 0) {
        for (const a of actors) a.proc.kill("SIGKILL");
        throw new Error(`learner failed:\n${learner.output()}`);
      }
      const stats = [];
      for (const a of actors) {
        await a.done;
        const last = a.output().trim().split("\n").pop() ?? "{}";
        stats.push(JSON.parse(last));
      }
      const load1 = loadavg()[0] as number;
      const res = JSON.parse(readFileSync(join(dir, "l", "result.json"), "utf8"));
      const actorBusy = stats.reduce((s, a) => s + a.rolloutSeconds + a.scoreSeconds + a.pushSeconds, 0);
      const actorEps = stats.reduce((s, a) => s + a.episodes, 0);
      const wait = stats.reduce((s, a) => s + a.backPressureSeconds, 0);
      const wall = stats.reduce((s, a) => s + a.seconds, 0);
      rows.push({
        actors: n,
        seconds: res.seconds,
        episodes: res.episodes,
        episodesPerSec: res.episodes / res.seconds,
        utilisation: res.utilisation,
        msPerUpdate: res.msPerUpdate,
        actorMsPerEpisode: (1000 * actorBusy) / Math.max(1, actorEps),
        backPressureShare: wait / Math.max(1e-9, wall),
        load: `${load0.toFixed(2)} → ${load1.toFixed(2)}`,
      });
      const r = rows[rows.length - 1] as Row;
      console.log(
        `${n} actor(s): ${r.episodesPerSec.toFixed(1)} episodes/s (${(r.episodesPerSec / (rows[0] as Row).episodesPerSec).toFixed(2)}× the 1-actor run), learner utilisation ${(100 * r.utilisation).toFixed(0)}%, ${r.msPerUpdate.toFixed(1)} ms/update, actor ${r.actorMsPerEpisode.toFixed(1)} ms/episode, back-pressure ${(100 * r.backPressureShare).toFixed(0)}% of actor time, load ${r.load}`,
      );
    }
  } finally {
    await server.stop();
  }
  // Cost model: one actor per machine produces 1000/a episodes/s (a = ms of actor work per episode, measured
  // with 1 actor, where nothing competes for its core as much); the learner consumes
  // rolloutBatch/updatesPerRollout = 4 episodes per update at u ms/update, so it can absorb 4000/u episodes/s.
  // Throughput(N) = min(N·1000/a, 4000/u); adding actors stops helping at N* = a·4/u.
  const base = rows[0] as Row;
  const a = base.actorMsPerEpisode;
  const u = Math.min(...rows.map((r) => r.msPerUpdate));
  const cap = 4000 / u;
  console.log(
    `\ncost model: actor ${a.toFixed(1)} ms/episode, learner ${u.toFixed(1)} ms/update (4 episodes/update) → learner cap ${cap.toFixed(1)} episodes/s; N* = ${((a * 4) / u).toFixed(1)} actor machines`,
  );
  for (const n of [1, 2, 4, 8, 16, 32])
    console.log(`  N=${n}: predicted ${Math.min((n * 1000) / a, cap).toFixed(1)} episodes/s`);
  console.log(
    `machine: ${cpus().length} cores, load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
}

await main();
