/**
 * DQN training throughput for a d=128, 2-layer GPT-2 on the wasm backend (stable preset, BLEU reward on a
 * synthetic word task): updates/s, learner tokens/s, actor tokens/s and the share of step time in reward,
 * replay and network — from the loop's own diagnostics over a measured run — and the learner's episode-level
 * TD pass against one pass per transition (same transitions, same weights, zero learning rate).
 *
 *   npx -y pnpm@10 --filter @dqnlm/trainer bench
 */
import { type Episode, Rng } from "@dqnlm/core";
import { QNetwork, selectBackend } from "@dqnlm/qnet";
import { bleuReward } from "@dqnlm/rewards";
import { afterAll, beforeAll, bench, describe } from "vitest";
import { WordTokenizer } from "../src/__fixtures__/word-tokenizer.js";
import {
  Adam,
  buildTextTask,
  DqnLoop,
  type LogRecord,
  learnerStep,
  resolveConfig,
  type SampledTransition,
} from "../src/index.js";

const WORDS = Array.from({ length: 300 }, (_, i) => `w${i}`);
const cfg = resolveConfig({
  preset: "stable",
  data: { maxPromptTokens: 16, maxNewTokens: 16 },
  dqn: { updates: 1_000_000, batchSize: 32, rolloutBatch: 16, updatesPerRollout: 4, warmupTransitions: 128 },
  validation: { every: 1_000_000 },
  log: { every: 20 },
});
let online: QNetwork;
let target: QNetwork;
let reference: QNetwork;
let optimizer: Adam;
let batch: SampledTransition[] = [];
let single: SampledTransition[] = [];
const logs: LogRecord[] = [];

beforeAll(async () => {
  await selectBackend({ backend: "wasm" });
  const tok = new WordTokenizer(WORDS);
  const rng = new Rng(1);
  const ex = Array.from({ length: 256 }, () => {
    const p = Array.from({ length: 12 }, () => WORDS[rng.nextInt(WORDS.length)]!).join(" ");
    return { prompt: p, references: [p.split(" ").reverse().join(" ")] };
  });
  const task = buildTextTask(tok, bleuReward(), { train: ex }, cfg);
  const gpt = { vocabSize: tok.vocabSize, nPositions: 40, nEmbd: 128, nLayer: 2, nHead: 4 };
  online = QNetwork.random(gpt, 1);
  target = online.clone();
  reference = online.clone();
  optimizer = new Adam(online.trainableVariables, 1e-4);
  let stopAt = 0;
  const loop: DqnLoop = new DqnLoop(
    cfg,
    task,
    { online, target, reference, optimizer },
    { log: (r) => logs.push(r), shouldStop: (): boolean => loop.state.update >= stopAt },
    rng.fork(),
  );
  stopAt = 20; // warm-up (fills replay, compiles kernels); its diagnostics are discarded
  await loop.run();
  logs.length = 0;
  stopAt = 80;
  await loop.run();
  // transitions for the TD-pass comparison: 32 transitions from 8 episodes
  const eps = loop.replay.sampleEpisodes(8, new Rng(2)).episodes.map((e) => ({ ...e }) as Episode);
  const r = new Rng(3);
  batch = Array.from({ length: 32 }, () => {
    const e = eps[r.nextInt(eps.length)]!;
    return { episode: e, t: r.nextInt(e.tokens.length - e.promptLength), weight: 1, demo: false };
  });
  single = batch.map((tr) => ({ ...tr, episode: { ...tr.episode } }));
}, 600_000);

afterAll(() => {
  const recs = logs.filter((r) => r.phase === "dqn");
  const mean = (k: string) => recs.reduce((s, r) => s + (r[k] as number), 0) / Math.max(1, recs.length);
  console.log(
    `\nDQN stable, d=128 2-layer GPT-2, V=${WORDS.length + 4}, wasm, ${recs.length * cfg.log.every} updates measured:\n` +
      `  updates/s ${mean("updatesPerSec").toFixed(2)} | learner tokens/s ${mean("learnerTokensPerSec").toFixed(0)} | ` +
      `actor tokens/s ${mean("actorTokensPerSec").toFixed(0)}\n` +
      `  share of step time: network ${(100 * mean("shareNetwork")).toFixed(1)}% (actor ${(100 * mean("shareActor")).toFixed(1)}%, ` +
      `learner ${(100 * mean("shareLearner")).toFixed(1)}%), reward ${(100 * mean("shareReward")).toFixed(1)}%, ` +
      `replay ${(100 * mean("shareReplay")).toFixed(1)}%`,
  );
  optimizer.dispose();
  online.dispose();
  target.dispose();
  reference.dispose();
});

describe("learner TD pass: 32 transitions", () => {
  const zero = () => new Adam(online.trainableVariables, 0);
  bench(
    "episode-level (one pass per distinct episode)",
    () => {
      const o = zero();
      learnerStep(batch, { cfg, online, target, reference, optimizer: o, padId: 0 });
      o.dispose();
    },
    { iterations: 5, warmupIterations: 1, time: 0 },
  );
  bench(
    "per-transition (one sequence per transition, batched)",
    () => {
      const o = zero();
      learnerStep(single, { cfg, online, target, reference, optimizer: o, padId: 0 });
      o.dispose();
    },
    { iterations: 5, warmupIterations: 1, time: 0 },
  );
});
