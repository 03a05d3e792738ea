/**
 * The DQN phase as a resumable state machine over a token-level task. Actors roll out batches with the
 * KV-cache decoder, episodes go to replay with per-step rewards, the learner samples transitions (uniform or
 * prioritized) and updates on whole episodes; the target follows by hard copy or Polyak averaging; greedy
 * validation drives early stopping and best-weights keeping. All loop state (counters, RNG states, log
 * accumulators, guard state) is plain data so a checkpoint can restore it exactly.
 */
import { type Episode, Rng, type RngState } from "@dqnlm/core";
import { ReplayBuffer } from "@dqnlm/replay";
import type * as tf from "@tensorflow/tfjs-core";
import { type DecodingModel, rollout } from "./actor.js";
import type { TrainerConfig } from "./config.js";
import { selectWithin } from "./constraint.js";
import { TrainerInputError, TrainingDivergedError } from "./errors.js";
import { learnerStep, type QModel, type SampledTransition, type UpdateStats } from "./learner.js";
import type { LogRecord } from "./metrics.js";
import type { Adam } from "./optim.js";
import { OrtDqnEngine } from "./ort-engine.js";
import { argmax, epsilonAt, epsilonGreedy, sampleMasked } from "./policy.js";
import { softStart } from "./soft.js";
import {
  copyVariables,
  normalInitVariables,
  polyakVariables,
  readVariables,
  writeVariables,
} from "./tensors.js";

/**
 * The RNG state as unsigned words. core's `Rng.state()` can return a negative (signed) word, which its own
 * `setState` rejects; the bits are the same, so `>>> 0` makes the state round-trip.
 */
function rngState(r: Rng): RngState {
  return r.state().map((w) => w >>> 0) as unknown as RngState;
}

function rngFrom(s: RngState): Rng {
  return Rng.fromState(s.map((w) => w >>> 0) as unknown as RngState);
}

/** Data splits of a task. */
export type Split = "train" | "validation" | "test";

/** A task at the token level: prompts per split and a scorer for generated continuations. */
export interface TokenTask {
  readonly vocabSize: number;
  /** Token that ends an episode (absorbing); null for fixed-horizon tasks. */
  readonly eosId: number | null;
  readonly padId: number;
  /** Prompt token ids per example, per split. */
  readonly prompts: Readonly<Record<Split, readonly Int32Array[]>>;
  /**
   * Per-step rewards r_0..r_{T−1} for `generated` (EOS included when chosen) and the sequence metric of the
   * final output (what validation and test report).
   */
  score(
    split: Split,
    index: number,
    generated: Int32Array,
    endedOnEos: boolean,
  ): { rewards: Float32Array; metric: number };
  /** The generated part of a demonstration episode for train example `index` (reference ⊕ EOS), if any. */
  demonstrations?(index: number): readonly Int32Array[];
  /**
   * The actions allowed after `prefix` (generated tokens) for example `index` of `split`; null or [] = every
   * token. Constrains the actor, greedy decoding and the learner's bootstrap (see `OutputTrie`).
   */
  allowed?(split: Split, index: number, prefix: readonly number[]): readonly number[] | null;
}

/** Callbacks of the DQN loop (the public `train` callbacks feed these). */
export interface DqnHooks {
  log(rec: LogRecord): void;
  shouldStop?(): boolean;
  /** Called when validation improved (best weights are also kept in memory). */
  onBest?(update: number, metric: number): void | Promise<void>;
  /** Writes a resumable checkpoint of the loop's state. */
  checkpoint?(reason: "interval" | "stop" | "end"): void | Promise<void>;
  onValidation?(v: { update: number; metric: number; best: number; improved: boolean }): void;
  progress?(update: number, live: Readonly<Record<string, number>>): void;
}

/** Plain-data loop state (saved in checkpoints). */
export interface DqnLoopState {
  update: number;
  cycleLeft: number;
  rollouts: number;
  episodes: number;
  actorTokens: number;
  learnerTokens: number;
  bestMetric: number;
  bestUpdate: number;
  badValidations: number;
  consecutiveFailures: number;
  skippedUpdates: number;
  /** Product of the guards' learning-rate cuts (multiplies the schedule). */
  lrScale: number;
  /** First logged max |Q| (floored at 1) and loss (floored at 0.1): the divergence guard's baselines. */
  divergeBase?: { q: number; loss: number };
  stopped: "" | "done" | "early-stop" | "callback";
  rng: { actor: RngState; replay: RngState; init: RngState };
  acc: Record<string, number>;
}

/** The networks and optimizer the loop trains. */
export interface DqnModels {
  readonly online: DecodingModel;
  readonly target: QModel;
  readonly reference?: QModel;
  /**
   * The tfjs Adam over the online network's variables, or (`dqn.engine: "ort"`) the onnxruntime engine, which
   * runs the learner updates itself and writes the new weights into `online` after each.
   */
  readonly optimizer: Adam | OrtDqnEngine;
}

const ACC_KEYS = [
  "n",
  "loss",
  "tdLoss",
  "marginLoss",
  "kl",
  "meanQ",
  "maxAbsQ",
  "gradNorm",
  "eps",
  "episodeMetric",
  "episodeReturn",
  "q0",
  "v0",
  "entropy",
  "entropyN",
  "repetition",
  "empty",
  "length",
  "tRollout",
  "tReward",
  "tReplay",
  "tLearn",
  "learnerTokens",
  "actorTokens",
  "transitions",
  "passes",
  "t0",
] as const;

function emptyAcc(): Record<string, number> {
  return Object.fromEntries(ACC_KEYS.map((k) => [k, 0]));
}

/** 1 − distinct/total over the non-EOS generated tokens (0 for ≤ 1 token). */
export function repetitionOf(g: Int32Array, eosId: number | null): number {
  const toks = Array.from(g).filter((t) => t !== eosId);
  if (toks.length <= 1) return 0;
  return 1 - new Set(toks).size / toks.length;
}

/** Greedy argmax-Q decoding of `prompts`, in batches. */
export function greedyDecode(
  model: DecodingModel,
  prompts: readonly Int32Array[],
  maxNewTokens: number,
  eosId: number | null,
  padId: number,
  batchSize: number,
  allowed?: (index: number, prefix: readonly number[]) => readonly number[] | null,
): { generated: Int32Array[]; endedOnEos: boolean[] } {
  const generated: Int32Array[] = [];
  const endedOnEos: boolean[] = [];
  for (let i = 0; i < prompts.length; i += batchSize) {
    const r = rollout(model, prompts.slice(i, i + batchSize), {
      maxNewTokens,
      eosId,
      padId,
      select: allowed
        ? (q, off, V, row, prefix) => selectWithin(q, off, V, allowed(i + row, prefix), argmax)
        : (q, off, V) => argmax(q, off, V),
    });
    generated.push(...r.generated);
    endedOnEos.push(...r.endedOnEos);
  }
  return { generated, endedOnEos };
}

/** Mean metric (and collapse rates) of greedy decoding on a split. */
export function evaluateSplit(
  model: DecodingModel,
  task: TokenTask,
  split: Split,
  cfg: TrainerConfig,
  maxExamples = 0,
): { metric: number; repetition: number; empty: number; generated: Int32Array[]; metrics: number[] } {
  const all = task.prompts[split];
  const prompts = maxExamples > 0 ? all.slice(0, maxExamples) : all;
  const { generated, endedOnEos } = greedyDecode(
    model,
    prompts,
    cfg.data.maxNewTokens,
    task.eosId,
    task.padId,
    Math.max(cfg.dqn.rolloutBatch, 32),
    task.allowed ? (j, prefix) => task.allowed!(split, j, prefix) : undefined,
  );
  const metrics = generated.map((g, i) => task.score(split, i, g, endedOnEos[i] as boolean).metric);
  const n = Math.max(1, generated.length);
  return {
    metric: metrics.reduce((s, x) => s + x, 0) / n,
    repetition: generated.reduce((s, g) => s + repetitionOf(g, task.eosId), 0) / n,
    empty: generated.filter((g) => g.every((t) => t === task.eosId)).length / n,
    generated,
    metrics,
  };
}

/**
 * The DQN loop. Create it with fresh state (`DqnLoop.create`) or from a checkpoint (`restore` after
 * construction), then `await run()`.
 */
export class DqnLoop {
  readonly cfg: TrainerConfig;
  readonly task: TokenTask;
  readonly models: DqnModels;
  readonly replay: ReplayBuffer;
  state: DqnLoopState;
  /** Best online weights seen by validation (in memory; saved in checkpoints). */
  bestWeights: Map<string, Float32Array> | null = null;
  /** Last good online weights (guards). */
  snapshot: Map<string, Float32Array> | null = null;
  #actor: Rng;
  #replayRng: Rng;
  #init: Rng;
  readonly #hooks: DqnHooks;

  constructor(
    cfg: TrainerConfig,
    task: TokenTask,
    models: DqnModels,
    hooks: DqnHooks,
    rng: Rng,
    replay?: ReplayBuffer,
  ) {
    this.cfg = cfg;
    this.task = task;
    this.models = models;
    this.#hooks = hooks;
    this.#actor = rng.fork();
    this.#replayRng = rng.fork();
    this.#init = rng.fork();
    if (task.prompts.train.length === 0)
      throw new TrainerInputError("data.train", "the training split is empty; pass at least one example.");
    if (cfg.dqn.objective === "soft" && !models.reference)
      throw new TrainerInputError(
        "reference",
        'dqn.objective is "soft", which needs models.reference (the frozen start model π_ref). Fix: pass a ' +
          'frozen copy of the start network as reference, or set dqn.objective to "dqn".',
      );
    this.replay = replay ?? this.#buildReplay();
    this.state = {
      update: 0,
      cycleLeft: 0,
      rollouts: 0,
      episodes: 0,
      actorTokens: 0,
      learnerTokens: 0,
      bestMetric: Number.NEGATIVE_INFINITY,
      bestUpdate: -1,
      badValidations: 0,
      consecutiveFailures: 0,
      skippedUpdates: 0,
      lrScale: 1,
      stopped: "",
      rng: { actor: rngState(this.#actor), replay: rngState(this.#replayRng), init: rngState(this.#init) },
      acc: emptyAcc(),
    };
  }

  /** The RNG stream used for the target's N(0, 0.02) init (forked from the loop's seed). */
  get initRng(): Rng {
    return this.#init;
  }

  #buildReplay(): ReplayBuffer {
    const { cfg, task } = this;
    let demoTransitions = 0;
    if (cfg.dqn.demonstrations && task.demonstrations) {
      for (let i = 0; i < task.prompts.train.length; i++)
        for (const d of task.demonstrations(i)) demoTransitions += d.length;
    }
    const buf = new ReplayBuffer({
      capacity: cfg.replay.capacity,
      demoCapacity: demoTransitions,
      vocabSize: task.vocabSize,
      prioritized: cfg.replay.prioritized
        ? { alpha: cfg.replay.alpha, beta: cfg.replay.beta, epsilon: cfg.replay.priorityEps }
        : false,
    });
    if (demoTransitions > 0 && task.demonstrations) {
      for (let i = 0; i < task.prompts.train.length; i++) {
        const prompt = task.prompts.train[i] as Int32Array;
        for (const d of task.demonstrations(i)) {
          if (d.length === 0) continue;
          const endedOnEos = task.eosId !== null && d[d.length - 1] === task.eosId;
          const { rewards } = task.score("train", i, d, endedOnEos);
          buf.add(this.#episode(prompt, d, rewards, endedOnEos, i), { demo: true });
        }
      }
    }
    return buf;
  }

  #episode(
    prompt: Int32Array,
    gen: Int32Array,
    rewards: Float32Array,
    endedOnEos: boolean,
    ref: number,
  ): Episode {
    const tokens = new Int32Array(prompt.length + gen.length);
    tokens.set(prompt);
    tokens.set(gen, prompt.length);
    const scaled = this.cfg.reward.scale === 1 ? rewards : rewards.map((r) => r * this.cfg.reward.scale);
    // The state includes the position, so the length limit is part of the MDP: with maxLengthTerminal the cut
    // episode is absorbing (stored as terminated) and nothing is bootstrapped beyond it.
    const terminated = endedOnEos || this.cfg.dqn.maxLengthTerminal;
    return { tokens, promptLength: prompt.length, rewards: scaled, terminated, refIndex: ref };
  }

  /** Restores loop state, RNG streams and in-memory weight sets from a checkpoint. */
  restore(
    state: DqnLoopState,
    best: Map<string, Float32Array> | null,
    snapshot: Map<string, Float32Array> | null,
  ): void {
    this.state = structuredClone(state);
    this.#actor = rngFrom(state.rng.actor);
    this.#replayRng = rngFrom(state.rng.replay);
    this.#init = rngFrom(state.rng.init);
    this.bestWeights = best;
    this.snapshot = snapshot;
  }

  /** The loop state with current RNG states (for checkpoints). */
  snapshotState(): DqnLoopState {
    return structuredClone({
      ...this.state,
      rng: { actor: rngState(this.#actor), replay: rngState(this.#replayRng), init: rngState(this.#init) },
    });
  }

  /** Scheduled learning rate at the current update, times the guards' cuts. */
  #learningRate(): number {
    const d = this.cfg.dqn;
    const f = Math.min(1, this.state.update / Math.max(1, d.updates));
    let lr = d.learningRate;
    if (d.lrSchedule === "linear") lr = d.learningRate + (d.learningRateEnd - d.learningRate) * f;
    else if (d.lrSchedule === "cosine")
      lr = d.learningRateEnd + 0.5 * (d.learningRate - d.learningRateEnd) * (1 + Math.cos(Math.PI * f));
    return lr * this.state.lrScale;
  }

  #epsilon(): number {
    const e = this.cfg.explore;
    return epsilonAt(this.state.update, e.epsilonStart, e.epsilonEnd, e.epsilonDecayUpdates);
  }

  #rolloutOnce(): void {
    const { cfg, task } = this;
    const acc = this.state.acc;
    const rng = this.#actor;
    const n = task.prompts.train.length;
    const idx = Array.from({ length: cfg.dqn.rolloutBatch }, () => rng.nextInt(n));
    const prompts = idx.map((i) => task.prompts.train[i] as Int32Array);
    const eps = this.#epsilon();
    const ex = cfg.explore;
    const t0 = performance.now();
    const r = rollout(this.models.online, prompts, {
      maxNewTokens: cfg.data.maxNewTokens,
      eosId: task.eosId,
      padId: task.padId,
      select: (q, off, V, b, prefix) =>
        selectWithin(
          q,
          off,
          V,
          task.allowed ? task.allowed("train", idx[b] as number, prefix) : null,
          ex.kind === "sample"
            ? (qq, o, n) => sampleMasked(qq, o, n, ex.topK, ex.topP, ex.temperature, rng)
            : (qq, o, n) => epsilonGreedy(qq, o, n, eps, rng),
        ),
      entropyTemperature: ex.temperature,
    });
    // Soft objective: Q(s₀, a₀) and V(s₀) need the reference network (the actor saw only z_θ).
    const soft =
      cfg.dqn.objective === "soft" && this.models.reference
        ? softStart(
            this.models.online,
            this.models.reference,
            prompts,
            r.generated.map((g) => g[0] ?? 0),
            task.padId,
            cfg.dqn.softTau,
          )
        : null;
    const t1 = performance.now();
    let tReward = 0;
    let tReplay = 0;
    r.generated.forEach((g, b) => {
      const i = idx[b] as number;
      const a = performance.now();
      const { rewards, metric } = task.score("train", i, g, r.endedOnEos[b] as boolean);
      const c = performance.now();
      tReward += c - a;
      if (!rewards.every(Number.isFinite) || !Number.isFinite(metric)) {
        this.#hooks.log({ phase: "guard", step: this.state.update, event: "non-finite-reward", example: i });
        return;
      }
      if (g.length > 0)
        this.replay.add(this.#episode(prompts[b] as Int32Array, g, rewards, r.endedOnEos[b] as boolean, i));
      tReplay += performance.now() - c;
      let ret = 0;
      let disc = 1;
      for (const x of rewards) {
        ret += disc * x * cfg.reward.scale;
        disc *= cfg.dqn.gamma;
      }
      acc.episodeMetric! += metric;
      acc.episodeReturn! += ret;
      acc.q0! += soft ? (soft.q0[b] as number) : (r.q0[b] as number);
      if (soft) acc.v0 = (acc.v0 ?? 0) + (soft.v0[b] as number);
      acc.repetition! += repetitionOf(g, task.eosId);
      acc.empty! += g.every((t) => t === task.eosId) ? 1 : 0;
      acc.length! += g.length;
      acc.eps! += 1;
    });
    acc.entropy! += r.entropy;
    acc.entropyN! += 1;
    acc.tRollout! += t1 - t0;
    acc.tReward! += tReward;
    acc.tReplay! += tReplay;
    acc.actorTokens! += r.tokensProcessed;
    this.state.actorTokens += r.tokensProcessed;
    this.state.rollouts += 1;
    this.state.episodes += r.generated.length;
  }

  #sample(): { batch: ReturnType<ReplayBuffer["sample"]> | null; trs: SampledTransition[] } {
    const { cfg } = this;
    if (cfg.replay.sampleUnit === "episode") {
      // Whole episodes, drawn ∝ length, with all their steps: about batchSize transitions in few passes.
      const meanT = this.replay.size / Math.max(1, this.replay.episodeCount);
      const k = Math.min(this.replay.episodeCount, Math.max(1, Math.round(cfg.dqn.batchSize / meanT)));
      const eb = this.replay.sampleEpisodes(k, this.#replayRng, { by: "transition" });
      const trs: SampledTransition[] = [];
      for (const e of eb.episodes) {
        const T = e.tokens.length - e.promptLength;
        for (let t = 0; t < T; t++) trs.push({ episode: e, t, weight: 1, demo: e.demo });
      }
      return { batch: null, trs };
    }
    const total = Math.max(1, cfg.dqn.updates);
    const beta = cfg.replay.beta + (1 - cfg.replay.beta) * Math.min(1, this.state.update / total);
    const batch = this.replay.sample(cfg.dqn.batchSize, this.#replayRng, { beta });
    const eps = this.replay.getEpisodes(batch.episodeIds);
    const trs: SampledTransition[] = [];
    for (let i = 0; i < batch.size; i++) {
      trs.push({
        episode: eps[batch.rows[i] as number] as Episode,
        t: batch.steps[i] as number,
        weight: batch.weights[i] as number,
        demo: batch.demo[i] === 1,
      });
    }
    return { batch, trs };
  }

  async #learn(): Promise<UpdateStats> {
    const { cfg, models } = this;
    const acc = this.state.acc;
    models.optimizer.learningRate = this.#learningRate();
    const a = performance.now();
    const { batch, trs } = this.#sample();
    const b = performance.now();
    const opts = {
      cfg,
      target: models.target,
      ...(models.reference ? { reference: models.reference } : {}),
      padId: this.task.padId,
      ...(this.task.allowed
        ? { allowed: (i: number, prefix: readonly number[]) => this.task.allowed!("train", i, prefix) }
        : {}),
    };
    // dqn.engine "ort": the online forward/backward and Adam on onnxruntime, weights written back into `online`.
    const s =
      models.optimizer instanceof OrtDqnEngine
        ? await models.optimizer.update(trs, opts)
        : learnerStep(trs, { ...opts, online: models.online, optimizer: models.optimizer });
    const c = performance.now();
    const finiteQ = Number.isFinite(s.maxAbsQ);
    if (s.ok && finiteQ) {
      if (batch) this.replay.updatePriorities(batch, s.tdErrors);
      this.state.consecutiveFailures = 0;
      acc.n! += 1;
      acc.loss! += s.loss;
      acc.tdLoss! += s.tdLoss;
      acc.marginLoss! += s.marginLoss;
      acc.kl! += s.kl;
      acc.meanQ! += s.meanQ;
      acc.maxAbsQ = Math.max(acc.maxAbsQ!, s.maxAbsQ);
      acc.gradNorm! += s.gradNorm;
    } else {
      this.#recover(s);
    }
    acc.tReplay! += b - a + (performance.now() - c);
    acc.tLearn! += c - b;
    acc.learnerTokens! += s.tokens;
    acc.transitions! += trs.length;
    acc.passes! += s.episodes;
    this.state.learnerTokens += s.tokens;
    return s;
  }

  /** NaN/Inf guard: the update was skipped; restore the last good weights and lower the learning rate. */
  #recover(s: UpdateStats): void {
    const { cfg, models } = this;
    this.state.consecutiveFailures += 1;
    this.state.skippedUpdates += 1;
    const vars = models.online.trainableVariables;
    if (this.snapshot) writeVariables(vars, this.snapshot, "online", "snapshot");
    if (this.snapshot && models.optimizer instanceof OrtDqnEngine) models.optimizer.syncFromNetwork();
    this.state.lrScale *= cfg.guards.lrDecay;
    const lr = this.#learningRate();
    models.optimizer.learningRate = lr;
    this.#hooks.log({
      phase: "guard",
      step: this.state.update,
      event: "non-finite-update",
      loss: s.loss,
      gradNorm: s.gradNorm,
      maxAbsQ: s.maxAbsQ,
      restored: this.snapshot !== null,
      learningRate: lr,
    });
    if (this.state.consecutiveFailures >= cfg.guards.maxConsecutiveFailures) {
      throw new TrainingDivergedError(
        `${this.state.consecutiveFailures} consecutive updates had a non-finite loss, gradient or Q-value even ` +
          `after restoring the last good weights and lowering the learning rate to ${lr}. Lower dqn.learningRate, ` +
          "enable dqn.gradClipNorm, or use the huber loss.",
        { field: "dqn.learningRate" },
      );
    }
  }

  /** Finite blow-up guard: max |Q| or the loss grew `guards.divergeFactor`-fold over their first logged values. */
  #divergenceGuard(q: number, loss: number): void {
    const f = this.cfg.guards.divergeFactor;
    if (!(f > 0) || !Number.isFinite(q) || !Number.isFinite(loss)) return;
    const st = this.state;
    if (!st.divergeBase) {
      st.divergeBase = { q: Math.max(q, 1), loss: Math.max(loss, 0.1) };
      return;
    }
    const base = st.divergeBase;
    const what =
      q > f * base.q ? { name: "max |Q|", v: q, b: base.q } : { name: "the loss", v: loss, b: base.loss };
    if (what.v <= f * what.b) return;
    const lr = this.models.optimizer.learningRate;
    this.#hooks.log({
      phase: "guard",
      step: st.update,
      event: "diverged",
      loss,
      maxAbsQ: q,
      baseMaxAbsQ: base.q,
      baseLoss: base.loss,
      learningRate: lr,
    });
    throw new TrainingDivergedError(
      `Training diverged at update ${st.update}: ${what.name} reached ${what.v.toPrecision(3)}, ` +
        `${(what.v / what.b).toPrecision(3)}× its first logged value ${what.b.toPrecision(3)} ` +
        `(guards.divergeFactor = ${f}); the values are finite, so the NaN guard did not fire. Lower ` +
        `dqn.learningRate (now ${lr}), keep dqn.gradClipNorm on, use dqn.loss "huber", or update the target ` +
        "more slowly (dqn.targetUpdateEvery / dqn.tau). Raise guards.divergeFactor (0 = off) only if this growth " +
        "is expected.",
      { field: "dqn.learningRate" },
    );
  }

  #flushLog(): void {
    const acc = this.state.acc;
    const { cfg } = this;
    const now = performance.now();
    const n = Math.max(1, acc.n!);
    const ne = Math.max(1, acc.eps!);
    const elapsed = Math.max(1e-9, (now - (acc.t0 || now)) / 1000);
    // Time split of the interval: actor network (rollouts), reward scoring, replay (add, sample, priorities),
    // learner network (forward/backward/apply). Throughputs are per second of the phase's own time.
    const stepTime = acc.tRollout! + acc.tReward! + acc.tReplay! + acc.tLearn!;
    const share = (x: number): number => (stepTime > 0 ? x / stepTime : 0);
    const rec: LogRecord = {
      phase: "dqn",
      step: this.state.update,
      loss: acc.loss! / n,
      tdLoss: acc.tdLoss! / n,
      marginLoss: acc.marginLoss! / n,
      kl: acc.kl! / n,
      meanQ: acc.meanQ! / n,
      maxAbsQ: acc.maxAbsQ!,
      gradNorm: acc.gradNorm! / n,
      episodeMetric: acc.episodeMetric! / ne,
      episodeReturn: acc.episodeReturn! / ne,
      q0: acc.q0! / ne,
      mcReturn: acc.episodeReturn! / ne,
      overestimation: (acc.q0! - acc.episodeReturn!) / ne,
      entropy: acc.entropy! / Math.max(1, acc.entropyN!),
      repetition: acc.repetition! / ne,
      empty: acc.empty! / ne,
      episodeLength: acc.length! / ne,
      epsilon: cfg.explore.kind === "epsilon-greedy" ? this.#epsilon() : 0,
      learningRate: this.models.optimizer.learningRate,
      replaySize: this.replay.size,
      updatesPerSec: acc.n! / elapsed,
      transitionsPerUpdate: acc.transitions! / n,
      episodesPerUpdate: acc.passes! / n,
      learnerTokensPerSec: acc.tLearn! > 0 ? (1000 * acc.learnerTokens!) / acc.tLearn! : 0,
      actorTokensPerSec: acc.tRollout! > 0 ? (1000 * acc.actorTokens!) / acc.tRollout! : 0,
      shareReward: share(acc.tReward!),
      shareReplay: share(acc.tReplay!),
      shareNetwork: share(acc.tRollout! + acc.tLearn!),
      shareActor: share(acc.tRollout!),
      shareLearner: share(acc.tLearn!),
      skippedUpdates: this.state.skippedUpdates,
      ...(cfg.dqn.objective === "soft" ? { v0: (acc.v0 ?? 0) / ne } : {}),
    };
    this.#hooks.log(rec);
    const g = cfg.guards;
    const alarm = (kind: string, value: number, threshold: number): void => {
      this.#hooks.log({ phase: "alarm", step: this.state.update, alarm: kind, value, threshold });
    };
    if ((rec.maxAbsQ as number) > g.qAlarm) alarm("q-explosion", rec.maxAbsQ as number, g.qAlarm);
    if (acc.eps! > 0 && (rec.repetition as number) > g.repetitionAlarm)
      alarm("repetition", rec.repetition as number, g.repetitionAlarm);
    if (acc.eps! > 0 && (rec.empty as number) > g.emptyAlarm)
      alarm("empty-output", rec.empty as number, g.emptyAlarm);
    this.#divergenceGuard(rec.maxAbsQ as number, rec.loss as number);
    this.state.acc = emptyAcc();
    this.state.acc.t0 = performance.now();
  }

  async #validate(): Promise<boolean> {
    const { cfg, task } = this;
    if (task.prompts.validation.length === 0) return false;
    const v = evaluateSplit(this.models.online, task, "validation", cfg, cfg.validation.maxExamples);
    const improved = v.metric > this.state.bestMetric;
    if (improved) {
      this.state.bestMetric = v.metric;
      this.state.bestUpdate = this.state.update;
      this.state.badValidations = 0;
      this.bestWeights = readVariables(this.models.online.trainableVariables, "online");
      await this.#hooks.onBest?.(this.state.update, v.metric);
    } else {
      this.state.badValidations += 1;
    }
    this.#hooks.log({
      phase: "validation",
      step: this.state.update,
      metric: v.metric,
      best: this.state.bestMetric,
      improved,
      repetition: v.repetition,
      empty: v.empty,
    });
    this.#hooks.onValidation?.({
      update: this.state.update,
      metric: v.metric,
      best: this.state.bestMetric,
      improved,
    });
    return cfg.validation.patience > 0 && this.state.badValidations >= cfg.validation.patience;
  }

  /** Validation before any DQN update (the starting point of early stopping). */
  async validateInitial(): Promise<void> {
    if (this.state.update === 0 && this.state.bestUpdate < 0) await this.#validate();
  }

  /** Runs until `dqn.updates`, early stopping, or `shouldStop()`. */
  async run(): Promise<DqnLoopState["stopped"]> {
    const { cfg, models } = this;
    const st = this.state;
    if (st.stopped === "done" || st.stopped === "early-stop") return st.stopped;
    st.stopped = "";
    if (!st.acc.t0) st.acc.t0 = performance.now();
    const need = Math.max(cfg.dqn.warmupTransitions, cfg.dqn.batchSize);
    let idleRollouts = 0;
    while (st.update < cfg.dqn.updates) {
      if (this.#hooks.shouldStop?.()) {
        st.stopped = "callback";
        await this.#hooks.checkpoint?.("stop");
        return st.stopped;
      }
      if (st.cycleLeft === 0) {
        // Let the event loop run between cycles (signal handlers, timers of the progress bar, I/O callbacks);
        // the loop itself is synchronous tensor work.
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.#rolloutOnce();
        if (this.replay.size < need) {
          if (++idleRollouts > 10_000)
            throw new TrainerInputError(
              "dqn.warmupTransitions",
              `replay holds ${this.replay.size} transitions after 10000 rollouts, fewer than ${need}.`,
            );
          continue;
        }
        st.cycleLeft = cfg.dqn.updatesPerRollout;
      }
      const s = await this.#learn();
      st.cycleLeft -= 1;
      st.update += 1;
      if (s.ok && st.update % cfg.guards.snapshotEvery === 0)
        this.snapshot = readVariables(models.online.trainableVariables, "online");
      if (cfg.dqn.targetUpdate === "hard") {
        if (st.update % cfg.dqn.targetUpdateEvery === 0)
          copyVariables(models.target.trainableVariables, models.online.trainableVariables);
      } else {
        polyakVariables(models.target.trainableVariables, models.online.trainableVariables, cfg.dqn.tau);
      }
      this.#hooks.progress?.(st.update, { loss: s.loss, best: st.bestMetric });
      if (st.update % cfg.log.every === 0) this.#flushLog();
      if (st.update % cfg.validation.every === 0 || st.update === cfg.dqn.updates) {
        if (await this.#validate()) {
          st.stopped = "early-stop";
          break;
        }
      }
      if (cfg.checkpoint.every > 0 && st.update % cfg.checkpoint.every === 0 && st.update < cfg.dqn.updates)
        await this.#hooks.checkpoint?.("interval");
    }
    if (st.stopped === "") st.stopped = "done";
    if (st.acc.n! > 0) this.#flushLog();
    return st.stopped;
  }

  /** Loads the best validated weights into the online network (no-op when validation never ran). */
  useBest(): boolean {
    if (!this.bestWeights) return false;
    writeVariables(this.models.online.trainableVariables, this.bestWeights, "online", "best weights");
    if (this.models.optimizer instanceof OrtDqnEngine) this.models.optimizer.syncFromNetwork();
    return true;
  }
}

/** Type guard for tf variables lists (keeps tf types out of the public surface). */
export type VariableList = readonly tf.Variable[];

/** Initialises the target network: a copy of the online net, or N(0, 0.02) (the `seed` preset's literal form). */
export function initTarget(cfg: TrainerConfig, online: QModel, target: QModel, rng: Rng): void {
  if (cfg.dqn.targetInit === "copy") copyVariables(target.trainableVariables, online.trainableVariables);
  else normalInitVariables(target.trainableVariables, 0.02, rng);
}
