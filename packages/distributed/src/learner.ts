/**
 * The Ape-X learner. It owns the network, the prioritized replay (@dqnlm/replay's sum tree) and the
 * checkpoints; actors only roll out. Delivery is at-least-once:
 *
 *   XREADGROUP → decode + validate → replay.add (or: a duplicate, by episode id) → … → checkpoint → XACK + XDEL
 *
 * An entry is acknowledged only once the replay that holds it is on disk, so a learner killed at any point
 * loses nothing: on restart it loads its checkpoint, claims the unacknowledged entries (XAUTOCLAIM), re-reads
 * them, and skips those the checkpoint already holds (per-actor high-water mark of `actorId:seq`: an actor
 * pushes its episodes in order, so any id at or below the mark is a duplicate — a redelivery or a re-sent XADD).
 *
 * The replay ratio is fixed: the learner runs `dqn.updatesPerRollout` updates per `dqn.rolloutBatch` ingested
 * episodes (as the single-process loop does) and reads the stream only when it has no update credit left.
 * When the learner is the bottleneck the stream fills up to `distributed.streamMaxLen` and actors wait: memory
 * stays bounded and the data/update ratio stays that of the single-process trainer.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { Rng, type RngState, writeJsonAtomic } from "@dqnlm/core";
import { HFTokenizer, type TokenizerConfigJson, type TokenizerJson } from "@dqnlm/mdp";
import {
  type BackendName,
  type GPT2Config,
  type NamedArray,
  QNetwork,
  readSafetensors,
  selectBackend,
  tf,
  writeSafetensors,
} from "@dqnlm/qnet";
import { ReplayBuffer } from "@dqnlm/replay";
// The full tfjs package registers every op's gradient with tfjs-core (the core bundle alone has none); the
// learner trains, so it needs them (actors only run forward passes).
import "@tensorflow/tfjs";
import {
  Adam,
  buildTextTask,
  evaluateSplit,
  type LogRecord,
  learnerStep,
  MetricsLogger,
  mleWarmStart,
  resolveConfig,
  type SampledTransition,
  type TextTask,
  type TrainerConfig,
  TrainingDivergedError,
} from "@dqnlm/trainer";
import type { Redis } from "ioredis";
import { decodeEpisode, encodeWeights, parseEpisodeId } from "./codec.js";
import { buildEpisode } from "./episode.js";
import { DistributedError } from "./errors.js";
import { type ConnectOptions, connectRedis, type RunKeys, redactRedisUrl, runKeys, sleep } from "./redis.js";
import {
  type LearnerSpec,
  type RewardSpec,
  type RunManifest,
  resolveDistributed,
  rewardFromSpec,
} from "./spec.js";

/** Input of {@link runLearner}. */
export interface LearnerInput {
  /** `redis://…` or `rediss://…` (never logged; see `redactRedisUrl`). */
  readonly redisUrl: string;
  readonly run: string;
  /** Run folder: spec.json, checkpoints/, metrics.jsonl, result.json. */
  readonly dir: string;
  /** Required on the first start; a restart reads `<dir>/spec.json` and ignores this. */
  readonly spec?: LearnerSpec;
  readonly connect?: ConnectOptions;
  /** Progress lines. @default console.log */
  readonly log?: (line: string) => void;
  /** Polled between steps; true → checkpoint, acknowledge and return (resumable; actors keep waiting). */
  readonly shouldStop?: () => boolean;
}

/** Test split before (after the warm start) and after DQN (best validated weights). */
export interface LearnerTestReport {
  readonly before: number;
  readonly after: number;
  readonly predictions: readonly string[];
}

/** What {@link runLearner} returns (also written to `<dir>/result.json`). */
export interface LearnerResult {
  readonly stopped: "done" | "early-stop" | "callback";
  readonly updates: number;
  /** Episodes ingested into replay (duplicates excluded). */
  readonly episodes: number;
  /** Duplicate deliveries detected and skipped. */
  readonly duplicates: number;
  /** Entries rejected by validation (acknowledged and dropped). */
  readonly rejected: number;
  readonly validation: { readonly best: number; readonly bestUpdate: number };
  readonly test: LearnerTestReport | null;
  /** Seconds of this process's DQN phase, and the share spent in learner updates. */
  readonly seconds: number;
  readonly utilisation: number;
  /** Mean learner update time, ms (this process). */
  readonly msPerUpdate: number;
  /** Newest published weights version. */
  readonly weightsVersion: number;
  /** Learner restarts seen by this run (0 = never restarted). */
  readonly restarts: number;
  readonly backend: string;
}

/** Plain-data learner state (the checkpoint's state.json). */
interface LearnerState {
  version: 1;
  update: number;
  episodes: number;
  /** `episodes` when the replay first held enough transitions (the update credit starts there). */
  warmEpisodes: number;
  duplicates: number;
  rejected: number;
  /** Per actor: the highest sequence number ingested. */
  hwm: Record<string, number>;
  ledger: string[] | null;
  bestMetric: number;
  bestUpdate: number;
  badValidations: number;
  skippedUpdates: number;
  consecutiveFailures: number;
  lrScale: number;
  replayRng: RngState;
  adamStep: number;
  learningRate: number;
  testBefore: number | null;
  hasReference: boolean;
  hasBest: boolean;
  modelConfig: GPT2Config;
  restarts: number;
  stopped: "" | "done" | "early-stop";
}

function rngState(r: Rng): RngState {
  return r.state().map((w) => w >>> 0) as unknown as RngState;
}

function rngFrom(s: RngState): Rng {
  return Rng.fromState(s.map((w) => w >>> 0) as unknown as RngState);
}

/** Streams one network into named arrays with a prefix. */
async function namedArrays(net: QNetwork, prefix: string, out: Map<string, NamedArray>): Promise<void> {
  for (const [k, v] of await net.getWeights()) out.set(`${prefix}${k}`, v);
}

function subset(all: ReadonlyMap<string, Float32Array>, prefix: string): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of all) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v);
  return out;
}

const LOCK_RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
// Extends our lock, or takes it again when it lapsed while this process was busy (a long synchronous MLE
// epoch or validation can outlast the TTL) and no other learner took it meanwhile.
const LOCK_REFRESH = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

/** The learner's networks, optimizer and replay. */
interface Nets {
  online: QNetwork;
  target: QNetwork;
  reference: QNetwork | null;
  optimizer: Adam;
  replay: ReplayBuffer;
  best: Map<string, Float32Array> | null;
}

function disposeNets(n: Partial<Nets>): void {
  n.optimizer?.dispose();
  n.online?.dispose();
  n.target?.dispose();
  n.reference?.dispose();
}

function buildReplay(cfg: TrainerConfig, task: TextTask): ReplayBuffer {
  let demoTransitions = 0;
  if (cfg.dqn.demonstrations)
    for (let i = 0; i < task.prompts.train.length; i++)
      for (const d of task.demonstrations?.(i) ?? []) demoTransitions += d.length;
  const buf = new ReplayBuffer({
    capacity: cfg.replay.capacity,
    demoCapacity: demoTransitions,
    vocabSize: task.vocabSize,
    prioritized: cfg.replay.prioritized
      ? { alpha: cfg.replay.alpha, beta: cfg.replay.beta, epsilon: cfg.replay.priorityEps }
      : false,
  });
  if (demoTransitions > 0)
    for (let i = 0; i < task.prompts.train.length; i++) {
      const prompt = task.prompts.train[i] as Int32Array;
      for (const d of task.demonstrations?.(i) ?? []) {
        if (d.length === 0) continue;
        const endedOnEos = task.eosId !== null && d[d.length - 1] === task.eosId;
        const { rewards } = task.score("train", i, d, endedOnEos);
        buf.add(buildEpisode(cfg, prompt, d, rewards, endedOnEos, i), { demo: true });
      }
    }
  return buf;
}

function learningRateAt(cfg: TrainerConfig, update: number, scale: number): number {
  const d = cfg.dqn;
  const f = Math.min(1, update / Math.max(1, d.updates));
  let lr = d.learningRate;
  if (d.lrSchedule === "linear") lr = d.learningRate + (d.learningRateEnd - d.learningRate) * f;
  else if (d.lrSchedule === "cosine")
    lr = d.learningRateEnd + 0.5 * (d.learningRate - d.learningRateEnd) * (1 + Math.cos(Math.PI * f));
  return lr * scale;
}

/** Flattens an XREADGROUP/XAUTOCLAIM buffer reply into [streamId, fields] pairs. */
function entriesOf(reply: unknown): [string, Buffer[]][] {
  const out: [string, Buffer[]][] = [];
  if (!Array.isArray(reply)) return out;
  for (const stream of reply as [Buffer, [Buffer, Buffer[] | null][]][])
    for (const [id, fields] of stream[1] ?? []) out.push([id.toString(), fields ?? []]);
  return out;
}

function field(fields: readonly Buffer[], name: string): Buffer | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i]?.toString() === name) return fields[i + 1];
  return undefined;
}

/**
 * Runs (or resumes) the learner of `run` until `dqn.updates`, early stopping or `shouldStop`. At the end it
 * marks the run done (actors exit), waits for actors to stop, drains the stream into replay, writes the final
 * checkpoint, acknowledges everything and evaluates the test split.
 * @throws DistributedError `DQNLM_DIST_LEARNER_LOCKED` when another learner holds the run.
 */
export async function runLearner(input: LearnerInput): Promise<LearnerResult> {
  const say = input.log ?? ((l: string) => console.log(l));
  const dir = input.dir;
  mkdirSync(dir, { recursive: true });
  const specPath = join(dir, "spec.json");
  let spec: LearnerSpec;
  if (existsSync(specPath)) spec = JSON.parse(readFileSync(specPath, "utf8")) as LearnerSpec;
  else {
    if (!input.spec)
      throw new DistributedError(
        "DQNLM_DIST_CHECKPOINT",
        "spec",
        `${specPath} does not exist and no spec was given: the first start of a learner needs --config.`,
      );
    spec = input.spec;
    writeJsonAtomic(specPath, spec);
  }
  const cfg = resolveConfig(spec.trainer ?? {});
  const dist = resolveDistributed(spec.distributed);
  const keys = runKeys(input.run);
  const rewardSpec: RewardSpec = spec.reward ?? { name: "bleu" };
  const tokenizer = HFTokenizer.fromJSON(
    spec.tokenizer.tokenizer as TokenizerJson,
    (spec.tokenizer.config ?? {}) as TokenizerConfigJson,
  );
  const task = buildTextTask(tokenizer, rewardFromSpec(rewardSpec), spec.data, cfg);
  if (cfg.backend === "auto") await selectBackend();
  else await selectBackend({ backend: cfg.backend as BackendName });
  await tf.ready();
  const backend = tf.getBackend();

  const redis = connectRedis(input.redisUrl, { ...input.connect, connectionName: "dqnlm-learner" });
  const reader = connectRedis(input.redisUrl, { ...input.connect, connectionName: "dqnlm-learner-read" });
  const token = `${hostname()}:${process.pid}:${Date.now()}`;
  const nets: Partial<Nets> = {};
  const ckDir = join(dir, "checkpoints");
  const lastDir = join(ckDir, "last");
  const logger = new MetricsLogger(join(dir, "metrics.jsonl"));
  const log = (r: LogRecord): void => {
    logger.log(r);
  };
  try {
    say(`learner: run ${input.run} on ${redactRedisUrl(input.redisUrl)}, backend ${backend}`);
    await acquireLock(redis, keys, token, dist.lockTtlMs, say);
    let lastLockRefresh = Date.now();
    const refreshLock = async (): Promise<void> => {
      if (Date.now() - lastLockRefresh < dist.lockTtlMs / 3) return;
      const ok = await redis.eval(LOCK_REFRESH, 1, keys.lock, token, String(dist.lockTtlMs));
      if (ok !== 1)
        throw new DistributedError(
          "DQNLM_DIST_LEARNER_LOCKED",
          "run",
          `lost the learner lock of run ${input.run} (another learner took it after this one went ${dist.lockTtlMs} ms without a refresh); stopping without acknowledging.`,
        );
      lastLockRefresh = Date.now();
    };

    // ---- state: restore or create ----
    let st: LearnerState;
    let replayRng: Rng;
    const master = new Rng(cfg.seed);
    const modelSeed = master.nextUint32();
    const mleRng = master.fork();
    const loopRng = master.fork();
    const targetSeed = master.nextUint32();
    if (existsSync(join(lastDir, "state.json"))) {
      st = JSON.parse(readFileSync(join(lastDir, "state.json"), "utf8")) as LearnerState;
      st.restarts += 1;
      const arrays = new Map<string, Float32Array>();
      for (const [k, t] of readSafetensors(readFileSync(join(lastDir, "tensors.safetensors"))).tensors)
        arrays.set(k, t.data);
      nets.online = QNetwork.fromArrays(st.modelConfig, subset(arrays, "online."));
      nets.target = QNetwork.fromArrays(st.modelConfig, subset(arrays, "target."));
      nets.reference = st.hasReference
        ? QNetwork.fromArrays(st.modelConfig, subset(arrays, "reference."))
        : null;
      nets.best = st.hasBest ? subset(arrays, "best.") : null;
      const optimizer = new Adam(nets.online.trainableVariables, st.learningRate);
      const n = nets.online.trainableVariables.length;
      optimizer.setState({
        step: st.adamStep,
        learningRate: st.learningRate,
        m: Array.from({ length: n }, (_, i) => arrays.get(`adam_m.${i}`) as Float32Array),
        v: Array.from({ length: n }, (_, i) => arrays.get(`adam_v.${i}`) as Float32Array),
      });
      nets.optimizer = optimizer;
      nets.replay = ReplayBuffer.load(join(lastDir, "replay.bin"));
      replayRng = rngFrom(st.replayRng);
      say(
        `learner: resumed from ${lastDir} at update ${st.update} (${st.episodes} episodes in the checkpoint, restart ${st.restarts})`,
      );
    } else {
      const init = spec.init ?? { type: "random", config: { nEmbd: 64, nLayer: 2, nHead: 2 } };
      const need = cfg.data.maxPromptTokens + 1 + cfg.data.maxNewTokens;
      const online =
        init.type === "checkpoint"
          ? QNetwork.load(init.dir)
          : QNetwork.random(
              {
                nPositions: Math.max(need, 64),
                ...init.config,
                vocabSize: tokenizer.vocabSize,
              } as GPT2Config,
              modelSeed,
            );
      nets.online = online;
      if (cfg.mle.enabled && cfg.mle.epochs > 0) {
        mleWarmStart(online, task.pairs.train, task.pairs.validation, cfg, task.padId, mleRng, log);
        await online.save(join(ckDir, "mle"));
      }
      nets.reference = cfg.dqn.klWeight > 0 ? online.clone() : null;
      if (cfg.dqn.initialQScale !== 1) online.scaleOutput(cfg.dqn.initialQScale);
      nets.target =
        cfg.dqn.targetInit === "copy"
          ? online.clone()
          : QNetwork.random(online.config, targetSeed, { std: 0.02, allNormal: true });
      nets.optimizer = new Adam(online.trainableVariables, cfg.dqn.learningRate);
      nets.replay = buildReplay(cfg, task);
      nets.best = null;
      replayRng = loopRng.fork();
      const testBefore =
        task.prompts.test.length > 0 ? evaluateSplit(online, task, "test", cfg).metric : null;
      st = {
        version: 1,
        update: 0,
        episodes: 0,
        warmEpisodes: -1,
        duplicates: 0,
        rejected: 0,
        hwm: {},
        ledger: dist.ledger ? [] : null,
        bestMetric: Number.NEGATIVE_INFINITY,
        bestUpdate: -1,
        badValidations: 0,
        skippedUpdates: 0,
        consecutiveFailures: 0,
        lrScale: 1,
        replayRng: rngState(replayRng),
        adamStep: 0,
        learningRate: cfg.dqn.learningRate,
        testBefore,
        hasReference: nets.reference !== null,
        hasBest: false,
        modelConfig: online.config,
        restarts: 0,
        stopped: "",
      };
      log({ phase: "info", step: 0, seed: cfg.seed, preset: cfg.preset, backend, distributed: true });
      if (testBefore !== null) log({ phase: "test", step: 0, when: "before", metric: testBefore });
    }
    const n = nets as Nets;

    const writeCheckpoint = async (): Promise<void> => {
      const tmp = join(ckDir, `.last.tmp-${process.pid}`);
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      const arrays = new Map<string, NamedArray>();
      await namedArrays(n.online, "online.", arrays);
      await namedArrays(n.target, "target.", arrays);
      if (n.reference) await namedArrays(n.reference, "reference.", arrays);
      const opt = n.optimizer.getState();
      opt.m.forEach((a, i) => {
        arrays.set(`adam_m.${i}`, { shape: [a.length], data: a });
      });
      opt.v.forEach((a, i) => {
        arrays.set(`adam_v.${i}`, { shape: [a.length], data: a });
      });
      if (n.best) for (const [k, a] of n.best) arrays.set(`best.${k}`, { shape: [a.length], data: a });
      writeFileSync(join(tmp, "tensors.safetensors"), writeSafetensors(arrays));
      n.replay.save(join(tmp, "replay.bin"));
      st.replayRng = rngState(replayRng);
      st.adamStep = opt.step;
      st.learningRate = opt.learningRate;
      st.hasBest = n.best !== null;
      writeJsonAtomic(join(tmp, "state.json"), st);
      const old = join(ckDir, `.last.old-${process.pid}`);
      rmSync(old, { recursive: true, force: true });
      if (existsSync(lastDir)) renameSync(lastDir, old);
      renameSync(tmp, lastDir);
      rmSync(old, { recursive: true, force: true });
    };
    if (!existsSync(join(lastDir, "state.json"))) await writeCheckpoint();

    // ---- publish the manifest, create the group, claim what a previous learner left pending ----
    const manifest: RunManifest = {
      version: 1,
      run: input.run,
      config: cfg,
      distributed: dist,
      tokenizer: spec.tokenizer,
      reward: rewardSpec,
      train: task.examples.train,
      modelConfig: n.online.config,
    };
    await redis.set(keys.manifest, JSON.stringify(manifest));
    try {
      await redis.call("XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM");
    } catch (e) {
      if (!String((e as Error).message).includes("BUSYGROUP")) throw e;
    }
    const consumer = `learner-${await redis.incr(`${keys.stream}:consumers`)}`;
    let claimed = 0;
    for (let cursor = "0-0"; ; ) {
      const r = (await redis.callBuffer(
        "XAUTOCLAIM",
        keys.stream,
        keys.group,
        consumer,
        "0",
        cursor,
        "COUNT",
        "1000",
        "JUSTID",
      )) as [Buffer, Buffer[]];
      claimed += r[1].length;
      cursor = r[0].toString();
      if (cursor === "0-0") break;
    }
    const pendingSummary = (await redis.call("XPENDING", keys.stream, keys.group)) as [number, ...unknown[]];
    // Consumers of earlier learner processes own nothing any more: remove them.
    const consumers = (await redis.call("XINFO", "CONSUMERS", keys.stream, keys.group)) as unknown[][];
    for (const c of consumers) {
      const name = String(c[1]);
      if (name !== consumer) await redis.call("XGROUP", "DELCONSUMER", keys.stream, keys.group, name);
    }
    say(
      `learner: consumer ${consumer}; ${claimed} unacknowledged entries claimed (XPENDING total ${pendingSummary[0]})`,
    );
    if (st.stopped === "") await redis.set(keys.status, "running");

    // ---- weights ----
    let weightsVersion = 0;
    const publish = async (): Promise<void> => {
      const blob = encodeWeights(await n.online.getWeights(), { update: String(st.update) });
      const v = await redis.incr(keys.weightsVersion);
      const meta = { version: v, update: st.update, sha256: blob.sha256, bytes: blob.bytes.length };
      await redis
        .multi()
        .set(keys.weightsBlob(v), Buffer.from(blob.bytes.buffer, blob.bytes.byteOffset, blob.bytes.length))
        .set(keys.weightsMeta, JSON.stringify(meta))
        .del(keys.weightsBlob(v - 2))
        .exec();
      weightsVersion = v;
    };
    await publish();

    // ---- ingest / acknowledge ----
    let toAck: string[] = [];
    let readPending = true;
    let versionLagSum = 0;
    let metricSum = 0;
    let ingestedSinceLog = 0;
    const ingest = (entries: [string, Buffer[]][]): number => {
      let added = 0;
      for (const [sid, fields] of entries) {
        toAck.push(sid);
        const id = field(fields, "id")?.toString() ?? "";
        const raw = field(fields, "ep");
        const p = parseEpisodeId(id);
        if (!raw || !p) {
          st.rejected += 1;
          log({
            phase: "guard",
            step: st.update,
            event: "rejected-entry",
            entry: sid,
            reason: "missing id or ep",
          });
          continue;
        }
        if ((st.hwm[p.actor] ?? -1) >= p.seq) {
          st.duplicates += 1;
          continue;
        }
        try {
          const w = decodeEpisode(id, raw, task.vocabSize);
          n.replay.add(w.episode, { priority: w.priority });
          versionLagSum += Math.max(0, weightsVersion - w.weightsVersion);
          metricSum += w.metric;
        } catch (e) {
          st.rejected += 1;
          log({ phase: "guard", step: st.update, event: "rejected-entry", entry: id, reason: String(e) });
          continue;
        }
        st.hwm[p.actor] = p.seq;
        st.ledger?.push(id);
        st.episodes += 1;
        ingestedSinceLog += 1;
        added += 1;
      }
      return added;
    };
    /** Reads up to `count` entries (own pending list first, after a start or reconnect); returns how many. */
    let pendingCursor = "0";
    const read = async (count: number, blockMs: number): Promise<number> => {
      if (readPending) {
        const r = await reader.callBuffer(
          "XREADGROUP",
          "GROUP",
          keys.group,
          consumer,
          "COUNT",
          String(count),
          "STREAMS",
          keys.stream,
          pendingCursor,
        );
        const es = entriesOf(r);
        if (es.length === 0) {
          readPending = false;
          pendingCursor = "0";
        } else {
          pendingCursor = (es[es.length - 1] as [string, Buffer[]])[0];
          const held = new Set(toAck);
          ingest(es.filter(([sid]) => !held.has(sid)));
          return es.length;
        }
      }
      const r = await reader.callBuffer(
        "XREADGROUP",
        "GROUP",
        keys.group,
        consumer,
        "COUNT",
        String(count),
        "BLOCK",
        String(blockMs),
        "STREAMS",
        keys.stream,
        ">",
      );
      const es = entriesOf(r);
      ingest(es);
      return es.length;
    };
    // A reply lost in a reconnect leaves the entry in our pending list unseen: re-read it after reconnecting.
    reader.on("ready", () => {
      readPending = true;
      pendingCursor = "0";
    });
    let lastCheckpointUpdate = st.update;
    let lastCheckpointAt = Date.now();
    // Fault injection for the tests: SIGKILL this learner right after its N-th checkpoint of this process,
    // before the acknowledgement (the window where redelivered entries are already in the checkpoint).
    const crashAfter = Number(process.env.DQNLM_DIST_TEST_KILL_AFTER_CHECKPOINT ?? 0);
    let checkpointsHere = 0;
    const checkpointAndAck = async (): Promise<void> => {
      await writeCheckpoint();
      if (++checkpointsHere === crashAfter && st.restarts === 0) process.kill(process.pid, "SIGKILL");
      lastCheckpointUpdate = st.update;
      lastCheckpointAt = Date.now();
      for (let i = 0; i < toAck.length; i += 500) {
        const ids = toAck.slice(i, i + 500);
        await redis
          .multi()
          .xack(keys.stream, keys.group, ...ids)
          .xdel(keys.stream, ...ids)
          .exec();
      }
      toAck = [];
    };

    // ---- the loop ----
    const need = Math.max(cfg.dqn.warmupTransitions, cfg.dqn.batchSize);
    const ratio = cfg.dqn.updatesPerRollout / cfg.dqn.rolloutBatch;
    const t0 = performance.now();
    let learnMs = 0;
    let updatesHere = 0;
    let stopped: LearnerResult["stopped"] | "" = st.stopped;
    const acc = { n: 0, loss: 0, tdLoss: 0, kl: 0, meanQ: 0, gradNorm: 0, maxAbsQ: 0, learnMs: 0, t: t0 };
    const validate = async (): Promise<boolean> => {
      if (task.prompts.validation.length === 0) return false;
      const v = evaluateSplit(n.online, task, "validation", cfg, cfg.validation.maxExamples);
      const improved = v.metric > st.bestMetric;
      if (improved) {
        st.bestMetric = v.metric;
        st.bestUpdate = st.update;
        st.badValidations = 0;
        n.best = new Map([...(await n.online.getWeights())].map(([k, w]) => [k, w.data]));
        await n.online.save(join(ckDir, "best"));
      } else st.badValidations += 1;
      log({ phase: "validation", step: st.update, metric: v.metric, best: st.bestMetric, improved });
      say(
        `learner: update ${st.update}: validation ${v.metric.toFixed(3)} (best ${st.bestMetric.toFixed(3)})`,
      );
      return cfg.validation.patience > 0 && st.badValidations >= cfg.validation.patience;
    };
    if (st.update === 0 && st.bestUpdate < 0 && st.restarts === 0) await validate();

    while (stopped === "" && st.update < cfg.dqn.updates) {
      if (input.shouldStop?.()) {
        stopped = "callback";
        break;
      }
      await refreshLock();
      if (n.replay.size >= need && st.warmEpisodes < 0)
        st.warmEpisodes = Math.max(0, st.episodes - cfg.dqn.rolloutBatch);
      const credit =
        st.warmEpisodes < 0 ? 0 : Math.floor((st.episodes - st.warmEpisodes) * ratio + 1e-9) - st.update;
      if (credit <= 0) {
        await read(cfg.dqn.rolloutBatch, 200);
      } else {
        const a = performance.now();
        learnOnce(cfg, n, st, replayRng, task, acc);
        const dt = performance.now() - a;
        learnMs += dt;
        acc.learnMs += dt;
        updatesHere += 1;
        if (cfg.dqn.targetUpdate === "hard") {
          if (st.update % cfg.dqn.targetUpdateEvery === 0) n.target.copyFrom(n.online);
        } else n.target.polyakFrom(n.online, cfg.dqn.tau);
        if (st.update % dist.publishEvery === 0) await publish();
        if (st.update % cfg.log.every === 0) {
          const now = performance.now();
          const k = Math.max(1, acc.n);
          const streamLength = Number(await redis.xlen(keys.stream));
          log({
            phase: "dqn",
            step: st.update,
            loss: acc.loss / k,
            tdLoss: acc.tdLoss / k,
            kl: acc.kl / k,
            meanQ: acc.meanQ / k,
            maxAbsQ: acc.maxAbsQ,
            gradNorm: acc.gradNorm / k,
            learningRate: n.optimizer.learningRate,
            replaySize: n.replay.size,
            episodes: st.episodes,
            duplicates: st.duplicates,
            rejected: st.rejected,
            episodeMetric: ingestedSinceLog > 0 ? metricSum / ingestedSinceLog : null,
            weightsLag: ingestedSinceLog > 0 ? versionLagSum / ingestedSinceLog : null,
            weightsVersion,
            streamLength,
            updatesPerSec: (1000 * acc.n) / Math.max(1, now - acc.t),
            utilisation: acc.learnMs / Math.max(1, now - acc.t),
            skippedUpdates: st.skippedUpdates,
          });
          Object.assign(acc, {
            n: 0,
            loss: 0,
            tdLoss: 0,
            kl: 0,
            meanQ: 0,
            gradNorm: 0,
            maxAbsQ: 0,
            learnMs: 0,
          });
          acc.t = now;
          ingestedSinceLog = 0;
          versionLagSum = 0;
          metricSum = 0;
        }
        if (st.update % cfg.validation.every === 0 || st.update === cfg.dqn.updates)
          if (await validate()) stopped = "early-stop";
      }
      const due =
        toAck.length >= dist.ackEvery ||
        (toAck.length > 0 && st.update - lastCheckpointUpdate >= dist.checkpointEvery) ||
        (toAck.length > 0 && Date.now() - lastCheckpointAt > 5000);
      if (due) await checkpointAndAck();
    }
    const seconds = (performance.now() - t0) / 1000;
    if (stopped === "callback") {
      await checkpointAndAck();
      say(`learner: stopped at update ${st.update}; restart the same command to continue`);
    } else {
      if (stopped === "") stopped = "done";
      st.stopped = stopped;
      await publish();
      // End of run: actors see "done" and exit; wait for them, then drain what they pushed.
      await redis.set(keys.status, "done");
      const deadline = Date.now() + dist.drainMs;
      while (Date.now() < deadline) {
        const beats = (await redis.hgetall(keys.actors)) as Record<string, string>;
        const alive = Object.values(beats).filter((t) => Date.now() - Number(t) < dist.actorTimeoutMs);
        if (alive.length === 0) break;
        await refreshLock();
        await sleep(200);
      }
      readPending = true;
      while ((await read(500, 1)) > 0 || readPending) {}
      await checkpointAndAck();
      say(
        `learner: done at update ${st.update}: ${st.episodes} episodes, ${st.duplicates} duplicates skipped, ${st.rejected} rejected`,
      );
    }
    let test: LearnerTestReport | null = null;
    if (stopped !== "callback" && task.prompts.test.length > 0 && st.testBefore !== null) {
      await n.online.save(join(ckDir, "final"));
      const evalNet = n.best ? QNetwork.fromArrays(n.online.config, n.best) : n.online;
      try {
        const r = evaluateSplit(evalNet, task, "test", cfg);
        test = {
          before: st.testBefore,
          after: r.metric,
          predictions: r.generated.map((g) => task.decode(g)),
        };
        log({ phase: "test", step: st.update, when: "after", metric: r.metric });
      } finally {
        if (evalNet !== n.online) evalNet.dispose();
      }
    }
    const result: LearnerResult = {
      stopped,
      updates: st.update,
      episodes: st.episodes,
      duplicates: st.duplicates,
      rejected: st.rejected,
      validation: { best: st.bestMetric, bestUpdate: st.bestUpdate },
      test,
      seconds,
      utilisation: learnMs / 1000 / Math.max(1e-9, seconds),
      msPerUpdate: updatesHere > 0 ? learnMs / updatesHere : 0,
      weightsVersion,
      restarts: st.restarts,
      backend,
    };
    if (stopped !== "callback") writeJsonAtomic(join(dir, "result.json"), result);
    await redis.eval(LOCK_RELEASE, 1, keys.lock, token);
    return result;
  } finally {
    disposeNets(nets);
    reader.disconnect();
    redis.disconnect();
  }
}

async function acquireLock(
  redis: Redis,
  keys: RunKeys,
  token: string,
  ttlMs: number,
  say: (l: string) => void,
): Promise<void> {
  const deadline = Date.now() + 2 * ttlMs + 1000;
  let told = false;
  for (;;) {
    const ok = await redis.set(keys.lock, token, "PX", ttlMs, "NX");
    if (ok === "OK") return;
    if (Date.now() > deadline)
      throw new DistributedError(
        "DQNLM_DIST_LEARNER_LOCKED",
        "run",
        `another learner holds run ${keys.lock} (lock held by ${await redis.get(keys.lock)}); one learner per run. Stop it, or wait ${ttlMs} ms after it died.`,
      );
    if (!told) {
      say(`learner: waiting for the lock of a previous learner to expire (≤ ${ttlMs} ms)`);
      told = true;
    }
    await sleep(250);
  }
}

/** One learner update: sample, learnerStep, priorities, guards. */
function learnOnce(
  cfg: TrainerConfig,
  n: Nets,
  st: LearnerState,
  rng: Rng,
  task: TextTask,
  acc: {
    n: number;
    loss: number;
    tdLoss: number;
    kl: number;
    meanQ: number;
    gradNorm: number;
    maxAbsQ: number;
  },
): void {
  n.optimizer.learningRate = learningRateAt(cfg, st.update, st.lrScale);
  let batch: ReturnType<ReplayBuffer["sample"]> | null = null;
  const trs: SampledTransition[] = [];
  if (cfg.replay.sampleUnit === "episode") {
    const meanT = n.replay.size / Math.max(1, n.replay.episodeCount);
    const k = Math.min(n.replay.episodeCount, Math.max(1, Math.round(cfg.dqn.batchSize / meanT)));
    for (const e of n.replay.sampleEpisodes(k, rng, { by: "transition" }).episodes) {
      const T = e.tokens.length - e.promptLength;
      for (let t = 0; t < T; t++) trs.push({ episode: e, t, weight: 1, demo: e.demo });
    }
  } else {
    const beta =
      cfg.replay.beta + (1 - cfg.replay.beta) * Math.min(1, st.update / Math.max(1, cfg.dqn.updates));
    batch = n.replay.sample(cfg.dqn.batchSize, rng, { beta });
    const eps = n.replay.getEpisodes(batch.episodeIds);
    for (let i = 0; i < batch.size; i++)
      trs.push({
        episode: eps[batch.rows[i] as number] as SampledTransition["episode"],
        t: batch.steps[i] as number,
        weight: batch.weights[i] as number,
        demo: batch.demo[i] === 1,
      });
  }
  const s = learnerStep(trs, {
    cfg,
    online: n.online,
    target: n.target,
    ...(n.reference ? { reference: n.reference } : {}),
    optimizer: n.optimizer,
    padId: task.padId,
    ...(task.allowed
      ? { allowed: (i: number, prefix: readonly number[]) => task.allowed!("train", i, prefix) }
      : {}),
  });
  st.update += 1;
  if (s.ok && Number.isFinite(s.maxAbsQ)) {
    if (batch) n.replay.updatePriorities(batch, s.tdErrors);
    st.consecutiveFailures = 0;
    acc.n += 1;
    acc.loss += s.loss;
    acc.tdLoss += s.tdLoss;
    acc.kl += s.kl;
    acc.meanQ += s.meanQ;
    acc.gradNorm += s.gradNorm;
    acc.maxAbsQ = Math.max(acc.maxAbsQ, s.maxAbsQ);
    return;
  }
  // NaN/Inf guard (the single-process loop also restores a snapshot; here the update is skipped and the
  // learning rate cut).
  st.skippedUpdates += 1;
  st.consecutiveFailures += 1;
  st.lrScale *= cfg.guards.lrDecay;
  if (st.consecutiveFailures >= cfg.guards.maxConsecutiveFailures)
    throw new TrainingDivergedError(
      `${st.consecutiveFailures} consecutive learner updates had a non-finite loss, gradient or Q-value; lower dqn.learningRate or enable dqn.gradClipNorm.`,
      { field: "dqn.learningRate" },
    );
}
