/**
 * An Ape-X actor: pulls the newest weights (versioned, SHA-256 checked), rolls out the training prompts with
 * its own seed and exploration (ε_i or T_i), scores the outputs, computes initial priorities from the Q-values
 * it saw while acting, and pushes whole episodes to the run's stream. The push is one Lua script that refuses
 * to XADD while the stream holds `streamMaxLen` entries: the actor then waits (back-pressure) instead of
 * growing Redis's memory or its own.
 */
import { appendFileSync } from "node:fs";
import { Rng } from "@dqnlm/core";
import { HFTokenizer, type TokenizerConfigJson, type TokenizerJson } from "@dqnlm/mdp";
import { type BackendName, QNetwork, selectBackend, tf } from "@dqnlm/qnet";
import { buildTextTask, epsilonGreedy, rollout, sampleMasked, selectWithin } from "@dqnlm/trainer";
import type { Redis } from "ioredis";
import { decodeWeights, encodeEpisode } from "./codec.js";
import { buildEpisode } from "./episode.js";
import { DistributedError } from "./errors.js";
import { actorSeed, actorTemperature, apexEpsilon, initialTdErrors } from "./exploration.js";
import { type ConnectOptions, connectRedis, type RunKeys, redactRedisUrl, runKeys, sleep } from "./redis.js";
import { parseManifest, type RunManifest, rewardFromSpec } from "./spec.js";

/** Input of {@link runActor}. */
export interface ActorInput {
  readonly redisUrl: string;
  readonly run: string;
  /** Exploration index i in [0, N); default: the actor's slot modulo N. */
  readonly index?: number;
  /** N of the exploration schedule; default: the run's `distributed.actors`. */
  readonly actors?: number;
  /** Stop after pushing this many episodes (0 = until the run is done). @default 0 */
  readonly maxEpisodes?: number;
  /** Append every episode id whose push Redis confirmed to this file (audits and tests). */
  readonly pushedLog?: string;
  readonly connect?: ConnectOptions;
  /** How long to wait for the learner's manifest, ms. @default 600000 */
  readonly manifestTimeoutMs?: number;
  /** Progress lines. @default console.log */
  readonly log?: (line: string) => void;
  readonly shouldStop?: () => boolean;
}

/** What {@link runActor} returns: counts and where its time went (the bench's cost model reads these). */
export interface ActorResult {
  readonly actorId: string;
  readonly index: number;
  readonly epsilon: number;
  readonly temperature: number;
  readonly episodes: number;
  /** Wall time, and seconds spent rolling out, scoring, pushing, waiting on back-pressure, waiting for weights. */
  readonly seconds: number;
  readonly rolloutSeconds: number;
  readonly scoreSeconds: number;
  readonly pushSeconds: number;
  readonly backPressureSeconds: number;
  readonly weightsWaitSeconds: number;
  readonly weightsLoaded: number;
  readonly weightsRejected: number;
}

// Refuses (returns 0) while the stream is at its bound; MAXLEN is the same bound, so it never trims an entry
// that was not yet read (the check above it runs first, atomically).
const PUSH = `if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'id', ARGV[2], 'ep', ARGV[3])
return 1`;

/** Metadata of the published weights (the JSON under the run's weights key). */
export interface WeightsMeta {
  readonly version: number;
  readonly update: number;
  readonly sha256: string;
  readonly bytes: number;
}

/**
 * Reads the newest weights if their version is above `haveVersion`: null when there is nothing newer.
 * @throws DistributedError `DQNLM_DIST_WEIGHTS_CORRUPT` when the blob fails its SHA-256 (nothing is loaded).
 */
export async function fetchWeights(
  redis: Redis,
  keys: RunKeys,
  haveVersion: number,
): Promise<{ meta: WeightsMeta; weights: Map<string, Float32Array> } | null> {
  const raw = await redis.get(keys.weightsMeta);
  if (!raw) return null;
  const meta = JSON.parse(raw) as WeightsMeta;
  if (!(meta.version > haveVersion)) return null;
  const blob = await redis.getBuffer(keys.weightsBlob(meta.version));
  if (!blob) return null; // superseded between the two reads; the next poll gets the newer one
  const bytes = new Uint8Array(blob.buffer, blob.byteOffset, blob.length);
  return { meta, weights: decodeWeights(bytes, meta.sha256, `weights v${meta.version}`) };
}

async function waitManifest(
  redis: Redis,
  keys: RunKeys,
  run: string,
  timeoutMs: number,
  stop: () => boolean,
): Promise<RunManifest | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await redis.get(keys.manifest);
    if (text) return parseManifest(text, run);
    if (stop()) return null;
    if (Date.now() > deadline)
      throw new DistributedError(
        "DQNLM_DIST_NO_MANIFEST",
        "run",
        `no learner has published run ${JSON.stringify(run)} after ${timeoutMs} ms; start \`dqnlm learner --run ${run}\` first (or check the --run name and the Redis database).`,
      );
    await sleep(250);
  }
}

/** Runs one actor until the run is done, `maxEpisodes` were pushed, or `shouldStop`. */
export async function runActor(input: ActorInput): Promise<ActorResult> {
  const say = input.log ?? ((l: string) => console.log(l));
  const stop = input.shouldStop ?? (() => false);
  const keys = runKeys(input.run);
  const redis = connectRedis(input.redisUrl, { ...input.connect, connectionName: "dqnlm-actor" });
  const t0 = performance.now();
  let net: QNetwork | null = null;
  let actorId = "";
  try {
    const manifest = await waitManifest(redis, keys, input.run, input.manifestTimeoutMs ?? 600_000, stop);
    const slot = await redis.incr(keys.actorSlots);
    const N = input.actors ?? manifest?.distributed.actors ?? 1;
    const index = input.index ?? (slot - 1) % N;
    actorId = `a${index}-${slot}`;
    if (!manifest) return emptyResult(actorId, index);
    const cfg = manifest.config;
    const dist = manifest.distributed;
    const epsilon = apexEpsilon(index, N, dist.epsilon, dist.alpha);
    const temperature = actorTemperature(index, N, cfg.explore.temperature, dist.temperatureSpread);
    const seed = actorSeed(cfg.seed, slot);
    const rng = new Rng(seed);
    const tokenizer = HFTokenizer.fromJSON(
      manifest.tokenizer.tokenizer as TokenizerJson,
      (manifest.tokenizer.config ?? {}) as TokenizerConfigJson,
    );
    const task = buildTextTask(tokenizer, rewardFromSpec(manifest.reward), { train: manifest.train }, cfg);
    if (cfg.backend === "auto") await selectBackend();
    else await selectBackend({ backend: cfg.backend as BackendName });
    await tf.ready();
    say(
      `actor ${actorId}: run ${input.run} on ${redactRedisUrl(input.redisUrl)}, seed ${seed}, ` +
        (cfg.explore.kind === "sample"
          ? `sampling softmax(Q/${temperature.toFixed(4)})`
          : `ε-greedy ε=${epsilon.toFixed(4)}`) +
        `, backend ${tf.getBackend()}`,
    );
    let version = 0;
    let seq = 0;
    let episodes = 0;
    const time = { rollout: 0, score: 0, push: 0, backPressure: 0, weightsWait: 0 };
    let loaded = 0;
    let rejected = 0;
    let lastBeat = 0;
    const max = input.maxEpisodes ?? 0;
    const ex = cfg.explore;
    const nPrompts = task.prompts.train.length;
    const V = task.vocabSize;
    const done = async (): Promise<boolean> => (await redis.get(keys.status)) === "done";
    outer: while (!stop() && !(max > 0 && episodes >= max)) {
      if (Date.now() - lastBeat > dist.heartbeatMs / 2) {
        await redis.hset(keys.actors, actorId, String(Date.now()));
        lastBeat = Date.now();
        if (await done()) break;
      }
      try {
        const w = await fetchWeights(redis, keys, version);
        if (w) {
          const next = QNetwork.fromArrays(manifest.modelConfig, w.weights);
          net?.dispose();
          net = next;
          version = w.meta.version;
          loaded += 1;
        }
      } catch (e) {
        if (!(e instanceof DistributedError) || e.code !== "DQNLM_DIST_WEIGHTS_CORRUPT") throw e;
        rejected += 1;
        say(`actor ${actorId}: ${e.message}`);
        // Remember the bad version so it is not re-read; a newer publish replaces it.
        version = Math.max(
          version,
          Number(JSON.parse((await redis.get(keys.weightsMeta)) ?? "{}").version) || 0,
        );
      }
      if (!net) {
        const a = performance.now();
        await sleep(100);
        time.weightsWait += performance.now() - a;
        continue;
      }
      // One batch of rollouts, recording Q(s_t, a_t) and max_a Q(s_t, a) for the initial priorities.
      const B = cfg.dqn.rolloutBatch;
      const idx = Array.from({ length: B }, () => rng.nextInt(nPrompts));
      const prompts = idx.map((i) => task.prompts.train[i] as Int32Array);
      const qTaken = Array.from({ length: B }, () => [] as number[]);
      const qMax = Array.from({ length: B }, () => [] as number[]);
      const inner = (q: Float32Array, off: number, n: number): number =>
        ex.kind === "sample"
          ? sampleMasked(q, off, n, ex.topK, ex.topP, temperature, rng)
          : epsilonGreedy(q, off, n, epsilon, rng);
      const a = performance.now();
      const r = rollout(net, prompts, {
        maxNewTokens: cfg.data.maxNewTokens,
        eosId: task.eosId,
        padId: task.padId,
        select: (q, off, n, b, prefix) => {
          const act = selectWithin(
            q,
            off,
            n,
            task.allowed ? task.allowed("train", idx[b] as number, prefix) : null,
            inner,
          );
          let m = Number.NEGATIVE_INFINITY;
          for (let j = 0; j < V; j++) m = Math.max(m, q[off + j] as number);
          (qTaken[b] as number[]).push(q[off + act] as number);
          (qMax[b] as number[]).push(m);
          return act;
        },
      });
      const b0 = performance.now();
      time.rollout += b0 - a;
      const payloads: { id: string; bytes: Uint8Array }[] = [];
      r.generated.forEach((g, b) => {
        if (g.length === 0) return;
        const i = idx[b] as number;
        const { rewards, metric } = task.score("train", i, g, r.endedOnEos[b] as boolean);
        if (!rewards.every(Number.isFinite) || !Number.isFinite(metric)) return;
        const episode = buildEpisode(
          cfg,
          prompts[b] as Int32Array,
          g,
          rewards,
          r.endedOnEos[b] as boolean,
          i,
        );
        const td = initialTdErrors(
          episode.rewards,
          Float32Array.from(qTaken[b] as number[]),
          Float32Array.from(qMax[b] as number[]),
          cfg.dqn.nStep,
          cfg.dqn.gamma,
        );
        const priority = td.reduce((x, y) => Math.max(x, y), 0) + cfg.replay.priorityEps;
        const id = `${actorId}:${seq++}`;
        payloads.push({
          id,
          bytes: encodeEpisode({ id, episode, priority, weightsVersion: version, metric }),
        });
      });
      const c = performance.now();
      time.score += c - b0;
      for (const p of payloads) {
        let backoff = 5;
        for (;;) {
          const s = performance.now();
          const ok = await redis.eval(
            PUSH,
            1,
            keys.stream,
            String(dist.streamMaxLen),
            p.id,
            Buffer.from(p.bytes),
          );
          const e = performance.now();
          if (ok === 1) {
            time.push += e - s;
            break;
          }
          // The stream is full: the learner is behind. Wait (bounded memory), keep the heartbeat going.
          time.push += e - s;
          await sleep(backoff);
          time.backPressure += performance.now() - e;
          backoff = Math.min(200, backoff * 2);
          if (Date.now() - lastBeat > dist.heartbeatMs / 2) {
            await redis.hset(keys.actors, actorId, String(Date.now()));
            lastBeat = Date.now();
            if (await done()) break outer;
          }
          if (stop()) break outer;
        }
        episodes += 1;
        if (input.pushedLog) appendFileSync(input.pushedLog, `${p.id}\n`);
        if (max > 0 && episodes >= max) break;
      }
    }
    const res: ActorResult = {
      actorId,
      index,
      epsilon,
      temperature,
      episodes,
      seconds: (performance.now() - t0) / 1000,
      rolloutSeconds: time.rollout / 1000,
      scoreSeconds: time.score / 1000,
      pushSeconds: time.push / 1000,
      backPressureSeconds: time.backPressure / 1000,
      weightsWaitSeconds: time.weightsWait / 1000,
      weightsLoaded: loaded,
      weightsRejected: rejected,
    };
    say(`actor ${actorId}: ${episodes} episodes pushed, ${loaded} weight versions loaded (last v${version})`);
    return res;
  } finally {
    net?.dispose();
    if (actorId) await redis.hdel(keys.actors, actorId).catch(() => 0);
    redis.disconnect();
  }
}

function emptyResult(actorId: string, index: number): ActorResult {
  return {
    actorId,
    index,
    epsilon: 0,
    temperature: 0,
    episodes: 0,
    seconds: 0,
    rolloutSeconds: 0,
    scoreSeconds: 0,
    pushSeconds: 0,
    backPressureSeconds: 0,
    weightsWaitSeconds: 0,
    weightsLoaded: 0,
    weightsRejected: 0,
  };
}
