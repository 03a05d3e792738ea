/**
 * Same budget, two ways: the single-process trainer (`train`) and a learner + 2 actor processes over Redis, on
 * the copy task of examples/copy-task (240 DQN updates after one MLE epoch, 16 episodes per 4 updates in both),
 * seeds 1–3 (or `--config other.json --seeds 1,2`). Needs redis-server. Run from packages/distributed:
 *   node --conditions=source --import tsx examples/compare.ts
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { rewardFromSpec } from "@dqnlm/distributed";
import { HFTokenizer, type TokenizerConfigJson, type TokenizerJson } from "@dqnlm/mdp";
import { train } from "@dqnlm/trainer";
import { redisServerBinary, spawnCli, startRedisServer } from "../src/__fixtures__/harness.js";
import { learnerSpecFromFile } from "../src/index.js";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? dflt) : dflt;
};
const cfgPath = resolve(opt("config", resolve(import.meta.dirname, "copy-task/cfg.json")));
const seeds = opt("seeds", "1,2,3").split(",").map(Number);
const base = learnerSpecFromFile(cfgPath);
const bin = redisServerBinary();
if (!bin) throw new Error("needs redis-server");
const server = await startRedisServer(bin);
const single: number[] = [];
const dist: number[] = [];
try {
  for (const seed of seeds) {
    const trainer = { ...(base.trainer as object), seed } as NonNullable<typeof base.trainer>;
    const tok = HFTokenizer.fromJSON(
      base.tokenizer.tokenizer as TokenizerJson,
      base.tokenizer.config as TokenizerConfigJson,
    );
    const t0 = Date.now();
    const r = await train({
      runDir: join(mkdtempSync(join(tmpdir(), "cmp-single-")), "run"),
      config: trainer,
      data: base.data,
      tokenizer: tok,
      reward: rewardFromSpec(base.reward ?? { name: "bleu" }),
      ...(base.init?.type === "random" ? { init: base.init } : {}),
    });
    single.push(r.test?.after.metric ?? Number.NaN);
    console.log(
      `seed ${seed} single-process: test metric ${r.test?.before.metric.toFixed(3)} → ${r.test?.after.metric.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    );
    // The distributed run of the same spec and seed.
    const dir = mkdtempSync(join(tmpdir(), "cmp-dist-"));
    const cfg = JSON.parse(readFileSync(cfgPath, "utf8"));
    cfg.trainer.seed = seed;
    const p = join(dir, "cfg.json");
    for (const f of ["train", "validation", "test"])
      if (cfg.data[f]) cfg.data[f] = resolve(cfgPath, "..", cfg.data[f]);
    if (cfg.tokenizer?.dir) cfg.tokenizer.dir = resolve(cfgPath, "..", cfg.tokenizer.dir);
    (await import("node:fs")).writeFileSync(p, JSON.stringify(cfg));
    const run = `cmp-${seed}-${Date.now()}`;
    const env = { DQNLM_REDIS_URL: server.url };
    const t1 = Date.now();
    const learner = spawnCli(["learner", "--run", run, "--config", p, "--dir", join(dir, "l")], env);
    const actors = [spawnCli(["actor", "--run", run], env), spawnCli(["actor", "--run", run], env)];
    if ((await learner.done) !== 0) throw new Error(learner.output());
    for (const a of actors) await a.done;
    const res = JSON.parse(readFileSync(join(dir, "l", "result.json"), "utf8"));
    dist.push(res.test.after);
    console.log(
      `seed ${seed} learner + 2 actors: test metric ${res.test.before.toFixed(3)} → ${res.test.after.toFixed(3)} (${((Date.now() - t1) / 1000).toFixed(0)} s)`,
    );
  }
} finally {
  await server.stop();
}
const ms = (x: number[]): string => {
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  const sd = Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1));
  return `${m.toFixed(3)} ± ${sd.toFixed(3)} (min ${Math.min(...x).toFixed(3)}, max ${Math.max(...x).toFixed(3)})`;
};
console.log(`single-process: ${ms(single)}\nlearner + 2 actors: ${ms(dist)}`);
