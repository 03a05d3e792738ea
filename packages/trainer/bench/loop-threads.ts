/**
 * The whole DQN loop (rollouts with the KV cache, target and reference passes, learner, rewards) on wasm with
 * 1 and with 2 XNNPACK threads, in one run: wasm's thread count is fixed per process, so each measurement is a
 * child process, and the two settings alternate round by round so that both see the same machine load.
 * Same task and network as train.bench.ts (d=128, 2-layer GPT-2, stable preset, BLEU on a synthetic word
 * task); each child warms up for 20 updates and then reports the loop's own diagnostics over
 * DQNLM_LOOP_UPDATES (default 60) more.
 *
 *   node --conditions=source --import tsx packages/trainer/bench/loop-threads.ts [--rounds 2] [--threads 1,2]
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const WORDS = Array.from({ length: 300 }, (_, i) => `w${i}`);

async function child(): Promise<void> {
  const { Rng } = await import("@dqnlm/core");
  const { QNetwork, selectBackend } = await import("@dqnlm/qnet");
  const { bleuReward } = await import("@dqnlm/rewards");
  const { WordTokenizer } = await import("../src/__fixtures__/word-tokenizer.js");
  const { Adam, buildTextTask, DqnLoop, resolveConfig } = await import("../src/index.js");
  type Rec = Record<string, unknown>;
  const report = await selectBackend({ backend: "wasm", strict: true });
  const cfg = resolveConfig({
    preset: "stable",
    data: { maxPromptTokens: 16, maxNewTokens: 16 },
    dqn: {
      updates: 1_000_000,
      batchSize: 32,
      rolloutBatch: 16,
      updatesPerRollout: 4,
      warmupTransitions: 128,
    },
    validation: { every: 1_000_000 },
    log: { every: 20 },
  });
  const tok = new WordTokenizer(WORDS);
  const rng = new Rng(1);
  const ex = Array.from({ length: 256 }, () => {
    const p = Array.from({ length: 12 }, () => WORDS[rng.nextInt(WORDS.length)] as string).join(" ");
    return { prompt: p, references: [p.split(" ").reverse().join(" ")] };
  });
  const task = buildTextTask(tok, bleuReward(), { train: ex }, cfg);
  const gpt = { vocabSize: tok.vocabSize, nPositions: 40, nEmbd: 128, nLayer: 2, nHead: 4 };
  const online = QNetwork.random(gpt, 1);
  const target = online.clone();
  const reference = online.clone();
  const optimizer = new Adam(online.trainableVariables, 1e-4);
  const logs: Rec[] = [];
  let stopAt = 20;
  const loop = new DqnLoop(
    cfg,
    task,
    { online, target, reference, optimizer },
    { log: (r) => logs.push(r as unknown as Rec), shouldStop: (): boolean => loop.state.update >= stopAt },
    new Rng(11),
  );
  await loop.run(); // warm-up: fills replay, compiles kernels
  logs.length = 0;
  const measured = Number(process.env.DQNLM_LOOP_UPDATES ?? 60);
  stopAt = 20 + measured;
  const t0 = performance.now();
  await loop.run();
  const wall = (performance.now() - t0) / 1000;
  const recs = logs.filter((r) => r.phase === "dqn");
  const mean = (k: string): number =>
    recs.reduce((s, r) => s + (r[k] as number), 0) / Math.max(1, recs.length);
  console.log(
    JSON.stringify({
      reason: report.reason,
      updatesPerSec: mean("updatesPerSec"),
      learnerTokensPerSec: mean("learnerTokensPerSec"),
      actorTokensPerSec: mean("actorTokensPerSec"),
      wallUpdatesPerSec: measured / wall,
    }),
  );
  process.exit(0);
}

function parent(): void {
  const argv = process.argv;
  const get = (n: string, f: string): string => {
    const i = argv.indexOf(`--${n}`);
    return i >= 0 ? (argv[i + 1] ?? f) : f;
  };
  const rounds = Number(get("rounds", "2"));
  const threads = get("threads", "1,2").split(",").map(Number);
  const rows = new Map<number, Array<Record<string, number>>>();
  const fmt = (l: number[]): string => l.map((x) => x.toFixed(1)).join(" ");
  for (let r = 0; r < rounds; r++) {
    for (const n of threads) {
      const before = loadavg();
      const out = spawnSync(
        process.execPath,
        ["--conditions=source", "--import", "tsx", fileURLToPath(import.meta.url), "--child"],
        { encoding: "utf8", env: { ...process.env, DQNLM_WASM_THREADS: String(n) }, timeout: 900_000 },
      );
      const line = out.stdout.trim().split("\n").pop() ?? "";
      if (out.status !== 0 || !line.startsWith("{")) {
        throw new Error(
          `child with ${n} threads failed: ${out.stderr.trim().split("\n").slice(-3).join(" | ")}`,
        );
      }
      const res = JSON.parse(line) as Record<string, number>;
      rows.set(n, [...(rows.get(n) ?? []), res]);
      console.log(
        `round ${r + 1}, ${n} thread(s): updates/s ${res.updatesPerSec?.toFixed(2)} (wall ${res.wallUpdatesPerSec?.toFixed(2)}), ` +
          `learner tokens/s ${res.learnerTokensPerSec?.toFixed(0)}, actor tokens/s ${res.actorTokensPerSec?.toFixed(0)}; ` +
          `load ${fmt(before)} → ${fmt(loadavg())}`,
      );
    }
  }
  const med = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] as number;
  console.log("\nDQN loop, d=128 2-layer GPT-2 on wasm: medians over rounds");
  const base = med((rows.get(threads[0] as number) ?? []).map((x) => x.updatesPerSec as number));
  for (const n of threads) {
    const a = rows.get(n) ?? [];
    const u = med(a.map((x) => x.updatesPerSec as number));
    console.log(
      `  ${n} thread(s): updates/s ${u.toFixed(2)} (×${(u / base).toFixed(2)}), learner tokens/s ` +
        `${med(a.map((x) => x.learnerTokensPerSec as number)).toFixed(0)}, actor tokens/s ` +
        `${med(a.map((x) => x.actorTokensPerSec as number)).toFixed(0)}`,
    );
  }
}

if (process.argv.includes("--child")) await child();
else parent();
