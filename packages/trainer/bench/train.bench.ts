/**
 * DQN training throughput for a d=128, 2-layer GPT-2 on the wasm backend (stable preset, BLEU reward on a
 * synthetic word task): updates/s, learner tokens/s, actor tokens/s and the share of step time in reward,
 * replay and network — from the loop's own diagnostics over a measured run, for the stable preset and for the
 * same loop with uniform replay and whole-episode sampling — and the learner's episode-level TD pass against
 * one sequence per transition (same transitions, same weights, zero learning rate).
 *
 *   npx -y pnpm@10 --filter @dqnlm/trainer bench
 */
import { type Episode, Rng } from "@dqnlm/core";
import { type GPT2Config, QNetwork, selectBackend } from "@dqnlm/qnet";
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
  type TokenTask,
} from "../src/index.js";

const WORDS = Array.from({ length: 300 }, (_, i) => `w${i}`);
const base = {
  data: { maxPromptTokens: 16, maxNewTokens: 16 },
  dqn: { updates: 1_000_000, batchSize: 32, rolloutBatch: 16, updatesPerRollout: 4, warmupTransitions: 128 },
  validation: { every: 1_000_000 },
  log: { every: 20 },
} as const;
const cfg = resolveConfig({ preset: "stable", ...base });
// The same loop with uniform replay and whole-episode sampling (all steps of ~2 episodes per update).
const cfgEpisode = resolveConfig({
  preset: "stable",
  ...base,
  replay: { prioritized: false, sampleUnit: "episode" },
});
let online: QNetwork;
let target: QNetwork;
let reference: QNetwork;
let batch: SampledTransition[] = [];
let single: SampledTransition[] = [];
const results: { name: string; recs: LogRecord[] }[] = [];
const disposers: (() => void)[] = [];

async function measure(
  name: string,
  c: typeof cfg,
  task: TokenTask,
  gpt: GPT2Config,
  rng: Rng,
): Promise<{ loop: DqnLoop; online: QNetwork; target: QNetwork; reference: QNetwork }> {
  const on = QNetwork.random(gpt, 1);
  const tg = on.clone();
  const ref = on.clone();
  const opt = new Adam(on.trainableVariables, 1e-4);
  const logs: LogRecord[] = [];
  let stopAt = 20;
  const loop: DqnLoop = new DqnLoop(
    c,
    task,
    { online: on, target: tg, reference: ref, optimizer: opt },
    { log: (r) => logs.push(r), shouldStop: (): boolean => loop.state.update >= stopAt },
    rng,
  );
  await loop.run(); // warm-up: fills replay, compiles kernels; its diagnostics are discarded
  logs.length = 0;
  stopAt = 80;
  await loop.run();
  results.push({ name, recs: logs.filter((r) => r.phase === "dqn") });
  disposers.push(() => {
    opt.dispose();
    on.dispose();
    tg.dispose();
    ref.dispose();
  });
  return { loop, online: on, target: tg, reference: ref };
}

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
  const main = await measure("stable", cfg, task, gpt, new Rng(11));
  ({ online, target, reference } = main);
  const loop = main.loop;
  await measure("stable + uniform replay + episode sampling", cfgEpisode, task, gpt, new Rng(11));
  // transitions for the TD-pass comparison: 32 transitions from 8 episodes
  const eps = loop.replay.sampleEpisodes(8, new Rng(2)).episodes.map((e) => ({ ...e }) as Episode);
  const r = new Rng(3);
  batch = Array.from({ length: 32 }, () => {
    const e = eps[r.nextInt(eps.length)]!;
    return { episode: e, t: r.nextInt(e.tokens.length - e.promptLength), weight: 1, demo: false };
  });
  single = batch.map((tr) => ({ ...tr, episode: { ...tr.episode } }));
}, 900_000);

afterAll(() => {
  for (const { name, recs } of results) {
    const mean = (k: string) => recs.reduce((s, r) => s + (r[k] as number), 0) / Math.max(1, recs.length);
    console.log(
      `\n${name}: d=128 2-layer GPT-2, V=${WORDS.length + 4}, wasm, ${recs.length * cfg.log.every} updates measured:\n` +
        `  updates/s ${mean("updatesPerSec").toFixed(2)} | learner tokens/s ${mean("learnerTokensPerSec").toFixed(0)} | ` +
        `actor tokens/s ${mean("actorTokensPerSec").toFixed(0)} | transitions per update ${mean("transitionsPerUpdate").toFixed(1)} | ` +
        `learner passes per update ${mean("episodesPerUpdate").toFixed(1)}\n` +
        `  share of step time: network ${(100 * mean("shareNetwork")).toFixed(1)}% (actor ${(100 * mean("shareActor")).toFixed(1)}%, ` +
        `learner ${(100 * mean("shareLearner")).toFixed(1)}%), reward ${(100 * mean("shareReward")).toFixed(1)}%, ` +
        `replay ${(100 * mean("shareReplay")).toFixed(1)}%`,
    );
  }
  for (const d of disposers) d();
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
