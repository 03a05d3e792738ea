/**
 * The whole DQN loop (rollouts with the KV cache, target and reference passes, learner, rewards) with the
 * learner updates on tfjs (wasm, 1 thread) and on qnet's onnxruntime-node learner (`dqn.engine: "ort"`, 1
 * thread; "ort" also runs the target and reference forward passes there, "ort-learner" keeps them on tfjs),
 * in one run: each measurement is a child process, and the engines alternate round by round so that
 * both see the same machine load (printed before and after each child). Each child warms up for 20 updates
 * (replay fill, kernels, onnxruntime's arena) and then reports the loop's own diagnostics over
 * DQNLM_LOOP_UPDATES (default 40) more: updates/s, actor tokens/s (per second of rollout time), learner tokens/s,
 * the learner's share of the step time, and how much of the learner's time the tfjs target + reference forward
 * passes took.
 *
 *   node --conditions=source --import tsx packages/trainer/bench/loop-engines.ts [--rounds 2]
 *     [--engines tfjs,ort,ort-learner] [--vocab 8000] [--layers 4] [--embd 128] [--preset stable]
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const argv = process.argv;
const get = (n: string, f: string): string => {
  const i = argv.indexOf(`--${n}`);
  return i >= 0 ? (argv[i + 1] ?? f) : f;
};

async function child(): Promise<void> {
  const { Rng } = await import("@dqnlm/core");
  const { QNetwork, selectBackend } = await import("@dqnlm/qnet");
  const { bleuReward } = await import("@dqnlm/rewards");
  const { WordTokenizer } = await import("../src/__fixtures__/word-tokenizer.js");
  const { Adam, buildTextTask, DqnLoop, OrtDqnEngine, resolveConfig } = await import("../src/index.js");
  type Rec = Record<string, unknown>;
  type QModel = import("../src/index.js").QModel;
  const engine = get("engine", "tfjs");
  const vocab = Number(get("vocab", "8000"));
  const report = await selectBackend({ backend: "wasm", strict: true });
  const cfg = resolveConfig({
    preset: get("preset", "stable") as "stable",
    data: { maxPromptTokens: 16, maxNewTokens: 16 },
    dqn: {
      updates: 1_000_000,
      batchSize: 32,
      rolloutBatch: 16,
      updatesPerRollout: 4,
      warmupTransitions: 128,
      engine: engine === "tfjs" ? "tfjs" : "ort",
    },
    validation: { every: 1_000_000 },
    log: { every: 20 },
  });
  const words = Array.from({ length: vocab - 4 }, (_, i) => `w${i}`);
  const tok = new WordTokenizer(words);
  const rng = new Rng(1);
  const ex = Array.from({ length: 256 }, () => {
    const p = Array.from({ length: 12 }, () => words[rng.nextInt(300)] as string).join(" ");
    return { prompt: p, references: [p.split(" ").reverse().join(" ")] };
  });
  const task = buildTextTask(tok, bleuReward(), { train: ex }, cfg);
  const gpt = {
    vocabSize: tok.vocabSize,
    nPositions: 40,
    nEmbd: Number(get("embd", "128")),
    nLayer: Number(get("layers", "4")),
    nHead: 4,
  };
  const online = QNetwork.random(gpt, 1);
  // The target and reference forward passes, timed (tfjs wasm runs them synchronously).
  let tAux = 0;
  const timed = (net: QModel): QModel => ({
    forward: (ids) => {
      const t0 = performance.now();
      const q = net.forward(ids);
      tAux += performance.now() - t0;
      return q;
    },
    get trainableVariables() {
      return net.trainableVariables;
    },
  });
  const target = online.clone();
  const reference = online.clone();
  // "ort": the learner and the target + reference forwards on onnxruntime (what train() does);
  // "ort-learner": only the online forward/backward and Adam on onnxruntime, target + reference on tfjs.
  const optimizer =
    engine === "ort"
      ? await OrtDqnEngine.create(online, 1e-4, { target, reference })
      : engine === "ort-learner"
        ? await OrtDqnEngine.create(online, 1e-4)
        : new Adam(online.trainableVariables, 1e-4);
  const logs: Rec[] = [];
  let stopAt = 20;
  const loop = new DqnLoop(
    cfg,
    task,
    { online, target: timed(target), reference: timed(reference), optimizer },
    { log: (r) => logs.push(r as unknown as Rec), shouldStop: (): boolean => loop.state.update >= stopAt },
    new Rng(11),
  );
  await loop.run(); // warm-up: fills replay, compiles kernels
  logs.length = 0;
  tAux = 0;
  const measured = Number(process.env.DQNLM_LOOP_UPDATES ?? 40);
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
      wallUpdatesPerSec: measured / wall,
      actorTokensPerSec: mean("actorTokensPerSec"),
      learnerTokensPerSec: mean("learnerTokensPerSec"),
      shareLearner: mean("shareLearner"),
      shareActor: mean("shareActor"),
      msPerUpdate: (1000 * wall) / measured,
      // the learner's share of the step time × wall time per update (the step time is nearly all of the wall)
      learnerMsPerUpdate: (mean("shareLearner") * 1000 * wall) / measured,
      auxMsPerUpdate: tAux / measured,
    }),
  );
  optimizer.dispose();
  process.exit(0);
}

function parent(): void {
  const rounds = Number(get("rounds", "2"));
  const engines = get("engines", "tfjs,ort").split(",");
  const pass = ["vocab", "layers", "embd", "preset"].flatMap((k) =>
    argv.includes(`--${k}`) ? [`--${k}`, get(k, "")] : [],
  );
  const rows = new Map<string, Array<Record<string, number>>>();
  const fmt = (l: number[]): string => l.map((x) => x.toFixed(1)).join(" ");
  for (let r = 0; r < rounds; r++) {
    for (const e of engines) {
      const before = loadavg();
      const out = spawnSync(
        process.execPath,
        [
          "--conditions=source",
          "--import",
          "tsx",
          fileURLToPath(import.meta.url),
          "--child",
          "--engine",
          e,
          ...pass,
        ],
        { encoding: "utf8", env: { ...process.env, DQNLM_WASM_THREADS: "1" }, timeout: 1_800_000 },
      );
      const line = out.stdout.trim().split("\n").pop() ?? "";
      if (out.status !== 0 || !line.startsWith("{")) {
        throw new Error(`child ${e} failed: ${out.stderr.trim().split("\n").slice(-3).join(" | ")}`);
      }
      const res = JSON.parse(line) as Record<string, number>;
      rows.set(e, [...(rows.get(e) ?? []), res]);
      console.log(
        `round ${r + 1}, ${e}: updates/s ${res.updatesPerSec?.toFixed(2)} (wall ${res.wallUpdatesPerSec?.toFixed(2)}), ` +
          `actor tokens/s ${res.actorTokensPerSec?.toFixed(0)}, learner tokens/s ${res.learnerTokensPerSec?.toFixed(0)}, ` +
          `learner share ${(100 * (res.shareLearner ?? 0)).toFixed(1)}% (${res.learnerMsPerUpdate?.toFixed(0)} ms/update, ` +
          `of which tfjs target+reference forwards ${res.auxMsPerUpdate?.toFixed(0)} ms); load ${fmt(before)} → ${fmt(loadavg())}`,
      );
    }
  }
  const med = (a: number[]): number => {
    const s = [...a].sort((x, y) => x - y);
    const h = s.length >> 1;
    return s.length % 2 ? (s[h] as number) : ((s[h - 1] as number) + (s[h] as number)) / 2;
  };
  console.log("\nDQN loop on wasm (1 thread), learner engine tfjs vs ort: medians over rounds");
  const base = med((rows.get(engines[0] as string) ?? []).map((x) => x.updatesPerSec as number));
  for (const e of engines) {
    const a = rows.get(e) ?? [];
    const u = med(a.map((x) => x.updatesPerSec as number));
    console.log(
      `  ${e}: updates/s ${u.toFixed(2)} (×${(u / base).toFixed(2)}), actor tokens/s ` +
        `${med(a.map((x) => x.actorTokensPerSec as number)).toFixed(0)}, learner share ` +
        `${(100 * med(a.map((x) => x.shareLearner as number))).toFixed(1)}%`,
    );
  }
}

if (argv.includes("--child")) await child();
else parent();
