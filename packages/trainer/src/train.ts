/**
 * The public entry points: `train`, `resume`, `evaluate`, `generate`. `train` runs (1) the MLE warm start,
 * (2) test-before, (3) the DQN loop with validation, early stopping and checkpoints, (4) test-after with the
 * best weights, then writes SVG curves. Everything is seeded from `config.seed`; the same seed gives the same
 * run. A run folder holds:
 *
 *   config.json          resolved config, model init, data sizes, backend
 *   metrics.jsonl        one JSON record per log interval / validation / alarm / guard event
 *   checkpoints/last/    resumable state: state.json, tensors.safetensors, replay.bin (written atomically)
 *   checkpoints/best/    best validated online network (QNetwork HF layout: config.json + model.safetensors)
 *   checkpoints/mle/     the network after the warm start (the reference model of the KL term)
 *   checkpoints/final/   the online network at the end of DQN (QNetwork HF layout)
 *   curves/*.svg         reward, validation metric, loss, Q vs return
 *   test.json            test metric before and after DQN, with predictions
 */

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Rng, writeFileAtomic, writeJsonAtomic } from "@dqnlm/core";
import type { Tokenizer } from "@dqnlm/mdp";
import {
  type BackendName,
  type GPT2Config,
  loadOnnxRuntime,
  QNetwork,
  recoverFolder,
  replaceFolderAtomic,
  selectBackend,
  tempSibling,
} from "@dqnlm/qnet";
import { ReplayBuffer } from "@dqnlm/replay";
import type { Reward } from "@dqnlm/rewards";
import * as tf from "@tensorflow/tfjs-core";
import { beamSearch } from "./beam.js";
import { resolveConfig, type TrainerConfig, type TrainerConfigInput, type TruncationSide } from "./config.js";
import { writeCurves } from "./curves.js";
import { DqnLoop, type DqnLoopState, evaluateSplit, greedyDecode, type Split } from "./dqn.js";
import { CheckpointError, TrainerInputError, TrainerMissingDependencyError } from "./errors.js";
import { type LogRecord, MetricsLogger, readMetrics, truncateMetrics } from "./metrics.js";
import { mleWarmStart, mleWarmStartOrt } from "./mle.js";
import { Adam } from "./optim.js";
import { OrtDqnEngine } from "./ort-engine.js";
import { createProgress, type Progress, progressEnabled } from "./progress.js";
import { loadSafetensors, readVariables, saveSafetensors, writeVariables } from "./tensors.js";
import {
  buildTextTask,
  type DataSplits,
  type Example,
  encodePrompt,
  exampleConstraints,
  type TextTask,
} from "./text-task.js";

/** Where the initial network comes from. */
export type ModelInit =
  /** A fresh GPT-2 of this size (vocabSize comes from the tokenizer). */
  | { readonly type: "random"; readonly config: Partial<Omit<GPT2Config, "vocabSize">> }
  /** A folder written by `QNetwork.save` (e.g. another run's `checkpoints/best`). */
  | { readonly type: "checkpoint"; readonly dir: string }
  /** A Hugging Face GPT-2-family folder or hub id (`QNetwork.fromPretrained`). */
  | { readonly type: "pretrained"; readonly id: string };

/** Everything `train` needs. */
export interface TrainInput {
  /** Run folder (created). Must not already hold a checkpoint: use `resume` for that. */
  readonly runDir: string;
  /** Preset + overrides (plain JSON; validated). */
  readonly config?: TrainerConfigInput;
  readonly data: DataSplits;
  readonly tokenizer: Tokenizer;
  readonly reward: Reward;
  /** @default { type: "random", config: { nEmbd: 64, nLayer: 2, nHead: 2 } } */
  readonly init?: ModelInit;
}

/** Callbacks of `train` / `resume`. */
export interface TrainCallbacks {
  /** Every record written to metrics.jsonl. */
  onLog?(record: LogRecord): void;
  /** After each validation. */
  onValidation?(v: { update: number; metric: number; best: number; improved: boolean }): void;
  /** After a checkpoint folder was written. */
  onCheckpoint?(dir: string): void;
  /** Polled between updates; returning true writes a checkpoint and stops (the run can be resumed). */
  shouldStop?(): boolean;
}

/** Greedy-decoding results on a split. */
export interface SplitReport {
  /** Mean sequence metric (the reward's 0–1 scale). */
  readonly metric: number;
  readonly repetition: number;
  readonly empty: number;
  readonly predictions: readonly string[];
}

/** What `train` returns. */
export interface TrainResult {
  readonly runDir: string;
  /** How the DQN phase ended. */
  readonly stopped: "done" | "early-stop" | "callback";
  readonly updates: number;
  /** Best validation metric and the update where it was reached (−1 = before any update). */
  readonly validation: { readonly best: number; readonly bestUpdate: number };
  /** Test split before DQN (after the warm start) and after DQN (best weights); null without test data or when stopped. */
  readonly test: { readonly before: SplitReport; readonly after: SplitReport } | null;
  /** Best validated online network (QNetwork layout); null without validation data. */
  readonly bestCheckpoint: string | null;
  /** The online network at the end of DQN (QNetwork layout); null when stopped by the callback. */
  readonly finalCheckpoint: string | null;
  /** The resumable checkpoint folder. */
  readonly lastCheckpoint: string | null;
  readonly curves: readonly string[];
  readonly backend: string;
  readonly seconds: number;
}

interface RunMeta {
  readonly version: 1;
  readonly config: TrainerConfig;
  readonly init: ModelInit;
  readonly backend: string;
  /** sha256 of each data split as given to train() (runs written before this field have none). */
  readonly dataHash?: Readonly<Record<string, string>>;
}

/** sha256 of each split's examples, stored in the run so that resume() can tell when the data changed. */
function dataHashes(data: DataSplits): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [split, examples] of Object.entries(data)) {
    out[split] = createHash("sha256")
      .update(JSON.stringify(examples ?? null))
      .digest("hex");
  }
  return out;
}

interface CheckpointState {
  readonly version: 1;
  readonly phase: "dqn";
  readonly loop: DqnLoopState;
  readonly learningRate: number;
  readonly adamStep: number;
  readonly testBefore: SplitReport | null;
  readonly hasBest: boolean;
  readonly hasSnapshot: boolean;
  readonly hasReference: boolean;
  /** The network's resolved config, so resume rebuilds it without the original init (e.g. a hub download). */
  readonly modelConfig: GPT2Config;
}

const DEFAULT_INIT: ModelInit = { type: "random", config: { nEmbd: 64, nLayer: 2, nHead: 2 } };

async function ensureBackend(cfg: TrainerConfig): Promise<string> {
  // "auto" = qnet's detection order (or DQNLM_BACKEND); an explicit name is honoured (with qnet's fallback).
  if (cfg.backend === "auto") await selectBackend();
  else await selectBackend({ backend: cfg.backend as BackendName });
  await tf.ready();
  return tf.getBackend();
}

async function createModel(
  init: ModelInit,
  tokenizer: Tokenizer,
  cfg: TrainerConfig,
  seed: number,
): Promise<QNetwork> {
  const need = cfg.data.maxPromptTokens + 1 + cfg.data.maxNewTokens;
  let net: QNetwork;
  if (init.type === "random") {
    net = QNetwork.random(
      { nPositions: Math.max(need, 64), ...init.config, vocabSize: tokenizer.vocabSize } as GPT2Config,
      seed,
    );
  } else if (init.type === "checkpoint") {
    net = QNetwork.load(init.dir);
  } else if (init.type === "pretrained") {
    net = await QNetwork.fromPretrained(init.id);
  } else {
    throw new TrainerInputError(
      "init.type",
      `init.type must be "random", "checkpoint" or "pretrained", received ${JSON.stringify((init as { type?: unknown }).type)}.`,
    );
  }
  if (net.config.vocabSize < tokenizer.vocabSize) {
    net.dispose();
    throw new TrainerInputError(
      "init",
      `the model's vocabulary (${net.config.vocabSize}) is smaller than the tokenizer's (${tokenizer.vocabSize}); use the tokenizer the model was trained with.`,
    );
  }
  if (net.config.nPositions < need) {
    const n = net.config.nPositions;
    net.dispose();
    throw new TrainerInputError(
      "data.maxNewTokens",
      `the model has ${n} positions but prompts (${cfg.data.maxPromptTokens}) + SEP + generation (${cfg.data.maxNewTokens}) need ${need}; lower data.maxPromptTokens / data.maxNewTokens or use a model with more positions.`,
    );
  }
  return net;
}

function reportOf(task: TextTask, online: QNetwork, split: Split, cfg: TrainerConfig): SplitReport {
  const r = evaluateSplit(online, task, split, cfg);
  return {
    metric: r.metric,
    repetition: r.repetition,
    empty: r.empty,
    predictions: r.generated.map((g) => task.decode(g)),
  };
}

interface Session {
  cfg: TrainerConfig;
  task: TextTask;
  online: QNetwork;
  target: QNetwork;
  reference: QNetwork | null;
  optimizer: Adam | OrtDqnEngine;
  loop: DqnLoop;
  logger: MetricsLogger;
  testBefore: SplitReport | null;
  bestDir: string | null;
  /** The DQN progress bar while the loop runs. */
  progress?: Progress | null;
}

function dispose(s: Partial<Session>): void {
  s.optimizer?.dispose();
  s.online?.dispose();
  s.target?.dispose();
  s.reference?.dispose();
}

/**
 * `"auto"` engines made concrete: `"ort"` where onnxruntime-node loads, else `"tfjs"`, with the reason (stored in
 * the run's config.json, so a resume runs the same engines, and logged in the first metrics record).
 */
function concreteEngines(c: TrainerConfig): { cfg: TrainerConfig; engineNote: string } {
  if (c.mle.engine !== "auto" && c.dqn.engine !== "auto") return { cfg: c, engineNote: "as configured" };
  let why = "";
  try {
    loadOnnxRuntime();
  } catch (err) {
    why = (err as Error).message;
  }
  const auto: "tfjs" | "ort" = why ? "tfjs" : "ort";
  return {
    cfg: {
      ...c,
      mle: { ...c.mle, engine: c.mle.engine === "auto" ? auto : c.mle.engine },
      dqn: { ...c.dqn, engine: c.dqn.engine === "auto" ? auto : c.dqn.engine },
    },
    engineNote: why
      ? `auto → tfjs: onnxruntime-node cannot be loaded (${why.split("\n")[0]})`
      : "auto → ort: onnxruntime-node loads (native GEMMs for the learner; rollouts and decoding stay on tfjs)",
  };
}

/**
 * The DQN optimizer over the online network's current weights: tfjs Adam, or with `dqn.engine: "ort"` the
 * onnxruntime learner engine (which also runs the updates). Both keep Adam's state in the same layout.
 */
async function newOptimizer(
  online: QNetwork,
  target: QNetwork,
  reference: QNetwork | null,
  cfg: TrainerConfig,
): Promise<Adam | OrtDqnEngine> {
  return cfg.dqn.engine === "ort"
    ? await OrtDqnEngine.create(online, cfg.dqn.learningRate, { target, reference })
    : new Adam(online.trainableVariables, cfg.dqn.learningRate);
}

function checkpointPaths(runDir: string) {
  const base = join(runDir, "checkpoints");
  return {
    base,
    last: join(base, "last"),
    best: join(base, "best"),
    mle: join(base, "mle"),
    final: join(base, "final"),
  };
}

/**
 * Writes the resumable checkpoint folder atomically: into a temp folder, then swapped in for `last` by qnet's
 * `replaceFolderAtomic` (a crash between its two renames leaves `.last.old.*`, which resume() takes back).
 */
function writeCheckpoint(runDir: string, s: Session): string {
  const { last } = checkpointPaths(runDir);
  recoverFolder(last, "state.json");
  const tmp = tempSibling(last);
  const arrays = new Map<string, Float32Array>();
  for (const [k, v] of readVariables(s.online.trainableVariables, "online")) arrays.set(k, v);
  for (const [k, v] of readVariables(s.target.trainableVariables, "target")) arrays.set(k, v);
  if (s.reference)
    for (const [k, v] of readVariables(s.reference.trainableVariables, "reference")) arrays.set(k, v);
  const opt = s.optimizer.getState();
  for (const [i, a] of opt.m.entries()) arrays.set(`adam_m.${i}`, a);
  for (const [i, a] of opt.v.entries()) arrays.set(`adam_v.${i}`, a);
  if (s.loop.bestWeights) for (const [k, v] of s.loop.bestWeights) arrays.set(`best:${k}`, v);
  if (s.loop.snapshot) for (const [k, v] of s.loop.snapshot) arrays.set(`snapshot:${k}`, v);
  saveSafetensors(join(tmp, "tensors.safetensors"), arrays);
  if (s.cfg.checkpoint.saveReplay) s.loop.replay.save(join(tmp, "replay.bin"));
  const state: CheckpointState = {
    version: 1,
    phase: "dqn",
    loop: s.loop.snapshotState(),
    learningRate: opt.learningRate,
    adamStep: opt.step,
    testBefore: s.testBefore,
    hasBest: s.loop.bestWeights !== null,
    hasSnapshot: s.loop.snapshot !== null,
    hasReference: s.reference !== null,
    modelConfig: s.online.config,
  };
  writeJsonAtomic(join(tmp, "state.json"), state);
  replaceFolderAtomic(tmp, last);
  return last;
}

/** Reads and checks checkpoints/last/state.json: a truncated or incomplete file is a CheckpointError. */
function readCheckpointState(statePath: string): CheckpointState {
  const text = readFileSync(statePath, "utf8");
  let st: Partial<CheckpointState>;
  try {
    st = JSON.parse(text) as Partial<CheckpointState>;
  } catch (cause) {
    throw new CheckpointError(
      "state.json",
      `${statePath} is not valid JSON (${text.length} bytes, truncated?): the checkpoint is incomplete. ` +
        "Restore the run folder from a backup, or start the run again with train() in a new folder.",
      { cause },
    );
  }
  const missing = (["loop", "learningRate", "adamStep", "modelConfig"] as const).filter(
    (k) => st === null || typeof st !== "object" || st[k] === undefined,
  );
  if (typeof st?.loop?.update !== "number") missing.push("loop");
  if (missing.length > 0 || st.version !== 1) {
    throw new CheckpointError(
      "state.json",
      `${statePath} is incomplete: ${missing.length ? `missing ${[...new Set(missing)].join(", ")}` : `version ${JSON.stringify(st.version)}, expected 1`}. ` +
        "It was not written by this version of dqnlm or was damaged; start the run again with train() in a new folder.",
    );
  }
  return st as CheckpointState;
}

/**
 * A metrics.jsonl whose last line was cut by a kill mid-write: that line is dropped (with a warning) so the
 * resumed run appends after the last complete record. A damaged line elsewhere is a CheckpointError.
 */
function repairMetrics(path: string): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!line.trim()) continue;
    try {
      JSON.parse(line);
    } catch (cause) {
      const isLast = lines.slice(i + 1).every((l) => !l.trim());
      if (!isLast)
        throw new CheckpointError(
          "metrics.jsonl",
          `${path}:${i + 1} is not valid JSON and is not the last line: the file was edited or damaged. ` +
            "Remove or fix that line, then resume again.",
          { cause },
        );
      const kept = lines.slice(0, i).join("\n");
      writeFileAtomic(path, kept ? `${kept}\n` : "");
      console.warn(
        `dqnlm: ${path}:${i + 1} was cut off mid-write (${line.length} bytes: ${JSON.stringify(line.slice(0, 40))}…); dropped it and resuming.`,
      );
      return;
    }
  }
}

function subset(map: ReadonlyMap<string, Float32Array>, prefix: string): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of map) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v);
  return out;
}

async function runSession(
  s: Session,
  runDir: string,
  cb: TrainCallbacks,
  t0: number,
  backend: string,
): Promise<TrainResult> {
  const { cfg, task, loop, logger } = s;
  const paths = checkpointPaths(runDir);
  const bar = createProgress(progressEnabled(cfg.log.progress));
  let lastCheckpoint: string | null = null;
  bar.start(cfg.dqn.updates, "dqn");
  s.progress = bar;
  let stopped: DqnLoopState["stopped"];
  try {
    stopped = await loop.run();
  } finally {
    bar.stop();
    s.progress = null;
  }
  const state = loop.state;
  if (stopped === "callback") {
    lastCheckpoint = paths.last;
    return {
      runDir,
      stopped: "callback",
      updates: state.update,
      validation: { best: state.bestMetric, bestUpdate: state.bestUpdate },
      test: null,
      bestCheckpoint: s.bestDir,
      finalCheckpoint: null,
      lastCheckpoint,
      curves: [],
      backend,
      seconds: (performance.now() - t0) / 1000,
    };
  }
  lastCheckpoint = writeCheckpoint(runDir, s);
  cb.onCheckpoint?.(lastCheckpoint);
  await s.online.save(paths.final);
  loop.useBest();
  let test: TrainResult["test"] = null;
  if (task.prompts.test.length > 0 && s.testBefore) {
    const after = reportOf(task, s.online, "test", cfg);
    test = { before: s.testBefore, after };
    const rec = logger.log({
      phase: "test",
      step: state.update,
      when: "after",
      metric: after.metric,
      repetition: after.repetition,
      empty: after.empty,
    });
    cb.onLog?.(rec);
    writeJsonAtomic(join(runDir, "test.json"), test);
  }
  let curves: string[] = [];
  try {
    if (cfg.log.curves) curves = await writeCurves(readMetrics(logger.path), join(runDir, "curves"));
  } catch (err) {
    // The curves are a by-product: without the optional vega packages the run still succeeds.
    if (!(err instanceof TrainerMissingDependencyError)) throw err;
    console.warn(`dqnlm: no curves written. ${err.message} (or set log.curves to false).`);
  }
  return {
    runDir,
    stopped: stopped === "" ? "done" : stopped,
    updates: state.update,
    validation: { best: state.bestMetric, bestUpdate: state.bestUpdate },
    test,
    bestCheckpoint: existsSync(join(paths.best, "config.json")) ? paths.best : null,
    finalCheckpoint: paths.final,
    lastCheckpoint,
    curves,
    backend,
    seconds: (performance.now() - t0) / 1000,
  };
}

function makeLoop(
  cfg: TrainerConfig,
  task: TextTask,
  nets: { online: QNetwork; target: QNetwork; reference: QNetwork | null; optimizer: Adam | OrtDqnEngine },
  logger: MetricsLogger,
  runDir: string,
  cb: TrainCallbacks,
  rng: Rng,
  holder: { session?: Session },
  replay?: ReplayBuffer,
): DqnLoop {
  const paths = checkpointPaths(runDir);
  return new DqnLoop(
    cfg,
    task,
    {
      online: nets.online,
      target: nets.target,
      ...(nets.reference ? { reference: nets.reference } : {}),
      optimizer: nets.optimizer,
    },
    {
      log: (r) => {
        logger.log(r);
        cb.onLog?.(r);
      },
      ...(cb.shouldStop ? { shouldStop: cb.shouldStop } : {}),
      onBest: async () => {
        await nets.online.save(paths.best);
        if (holder.session) holder.session.bestDir = paths.best;
      },
      checkpoint: () => {
        if (!holder.session) return;
        const dir = writeCheckpoint(runDir, holder.session);
        cb.onCheckpoint?.(dir);
      },
      ...(cb.onValidation ? { onValidation: cb.onValidation } : {}),
      progress: (u, live) => holder.session?.progress?.update(u, live),
    },
    rng,
    replay,
  );
}

/**
 * Trains a Q-network on text: MLE warm start, then DQN with the configured preset. See the module comment for
 * the run folder's layout.
 * @throws TrainerConfigError (`DQNLM_CONFIG_INVALID`) for a bad config; TrainerInputError for bad data.
 */
export async function train(input: TrainInput, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
  const t0 = performance.now();
  const { cfg, engineNote } = concreteEngines(resolveConfig(input.config ?? {}));
  const runDir = input.runDir;
  const paths = checkpointPaths(runDir);
  if (existsSync(join(paths.last, "state.json")))
    throw new TrainerInputError(
      "runDir",
      `${runDir} already holds a checkpoint; call resume("${runDir}", …) to continue it, or pick a new runDir.`,
    );
  mkdirSync(runDir, { recursive: true });
  const backend = await ensureBackend(cfg);
  const init = input.init ?? DEFAULT_INIT;
  const task = buildTextTask(input.tokenizer, input.reward, input.data, cfg);
  writeJsonAtomic(join(runDir, "config.json"), {
    version: 1,
    config: cfg,
    init,
    backend,
    dataHash: dataHashes(input.data),
    data: {
      train: task.examples.train.length,
      validation: task.examples.validation.length,
      test: task.examples.test.length,
    },
  });
  rmSync(join(runDir, "metrics.jsonl"), { force: true });
  const logger = new MetricsLogger(join(runDir, "metrics.jsonl"));
  const log = (r: LogRecord): void => {
    logger.log(r);
    callbacks.onLog?.(r);
  };
  log({
    phase: "info",
    step: 0,
    seed: cfg.seed,
    preset: cfg.preset,
    backend,
    mleEngine: cfg.mle.engine,
    dqnEngine: cfg.dqn.engine,
    engineNote,
  });
  const master = new Rng(cfg.seed);
  const modelSeed = master.nextUint32();
  const mleRng = master.fork();
  const loopRng = master.fork();
  const targetSeed = master.nextUint32();
  const holder: { session?: Session } = {};
  const part: Partial<Session> = {};
  try {
    let online = await createModel(init, input.tokenizer, cfg, modelSeed);
    part.online = online;
    if (cfg.mle.enabled && cfg.mle.epochs > 0) {
      const bar = createProgress(progressEnabled(cfg.log.progress));
      let started = false;
      // mle.engine "ort": the same warm start on qnet's onnxruntime-node learner (weights written back at the end)
      await (cfg.mle.engine === "ort" ? mleWarmStartOrt : mleWarmStart)(
        online,
        task.pairs.train,
        task.pairs.validation,
        cfg,
        task.padId,
        mleRng,
        log,
        (step, total, live) => {
          if (!started) {
            bar.start(total, "mle");
            started = true;
          }
          bar.update(step, live);
        },
      );
      bar.stop();
      await online.save(paths.mle);
    }
    // Soft objective with a value head: the same Q (= 0 at the start), plus a state value; the reference and
    // target below are cloned from it, so all three share one architecture (and resume rebuilds it).
    if (cfg.dqn.objective === "soft" && cfg.dqn.softValueHead && !online.config.dueling) {
      const withV = online.withValueHead();
      online.dispose();
      online = withV;
      part.online = online;
    }
    // The frozen start model: the KL term's reference and π_ref of the soft objective (Q = τ·(z_θ − z_ref)).
    const reference = cfg.dqn.klWeight > 0 || cfg.dqn.objective === "soft" ? online.clone() : null;
    part.reference = reference;
    // The hand-over to DQN: Q ← c·Q (policy unchanged); the KL reference above keeps the LM's own logits.
    if (cfg.dqn.initialQScale !== 1) online.scaleOutput(cfg.dqn.initialQScale);
    const target =
      cfg.dqn.targetInit === "copy"
        ? online.clone()
        : QNetwork.random(online.config, targetSeed, { std: 0.02, allNormal: true });
    part.target = target;
    const optimizer = await newOptimizer(online, target, reference, cfg);
    part.optimizer = optimizer;
    let testBefore: SplitReport | null = null;
    if (task.prompts.test.length > 0) {
      testBefore = reportOf(task, online, "test", cfg);
      log({
        phase: "test",
        step: 0,
        when: "before",
        metric: testBefore.metric,
        repetition: testBefore.repetition,
        empty: testBefore.empty,
      });
    }
    const loop = makeLoop(
      cfg,
      task,
      { online, target, reference, optimizer },
      logger,
      runDir,
      callbacks,
      loopRng,
      holder,
    );
    const session: Session = {
      cfg,
      task,
      online,
      target,
      reference,
      optimizer,
      loop,
      logger,
      testBefore,
      bestDir: null,
    };
    holder.session = session;
    await loop.validateInitial();
    return await runSession(session, runDir, callbacks, t0, backend);
  } finally {
    dispose(part);
  }
}

/** What `resume` needs again (not serialisable): the same tokenizer, reward and data as the original run. */
export interface ResumeInput {
  readonly data: DataSplits;
  readonly tokenizer: Tokenizer;
  readonly reward: Reward;
}

/**
 * Continues an interrupted run from `runDir/checkpoints/last`. Metric records written after that checkpoint
 * are dropped, so the finished run equals an uninterrupted one (bit-exact on the cpu backend).
 */
export async function resume(
  runDir: string,
  input: ResumeInput,
  callbacks: TrainCallbacks = {},
): Promise<TrainResult> {
  const t0 = performance.now();
  const paths = checkpointPaths(runDir);
  const metaPath = join(runDir, "config.json");
  if (!existsSync(metaPath))
    throw new CheckpointError("runDir", `${metaPath} not found; is ${runDir} a dqnlm run folder?`);
  const meta = JSON.parse(readFileSync(metaPath, "utf8")) as RunMeta;
  const cfg = resolveConfig(meta.config as unknown as TrainerConfigInput);
  const statePath = join(paths.last, "state.json");
  const recovered = recoverFolder(paths.last, "state.json");
  if (recovered.restored)
    console.warn(
      `dqnlm: ${runDir} was stopped while swapping in a new checkpoint; resuming from the previous complete one.`,
    );
  if (!existsSync(statePath))
    throw new CheckpointError(
      "runDir",
      `${runDir} has no resumable checkpoint (checkpoints/last/state.json); the run stopped before its first checkpoint: start it again with train().`,
    );
  const st = readCheckpointState(statePath);
  if (meta.dataHash) {
    const now = dataHashes(input.data);
    for (const [split, h] of Object.entries(meta.dataHash)) {
      if (now[split] !== h)
        throw new CheckpointError(
          `data.${split}`,
          `the ${split} data differ from the data this run started with (sha256 ${h.slice(0, 12)}… in ` +
            `${metaPath}, ${(now[split] ?? "none").slice(0, 12)}… now): the file was changed or another file was ` +
            "given. Resume with the same data as the run started with, or start a new run in a new folder.",
        );
    }
  }
  const backend = await ensureBackend(cfg);
  const task = buildTextTask(input.tokenizer, input.reward, input.data, cfg);
  repairMetrics(join(runDir, "metrics.jsonl"));
  const logger = new MetricsLogger(join(runDir, "metrics.jsonl"));
  const cut = st.loop.update;
  truncateMetrics(
    logger.path,
    (r) =>
      r.phase === "info" ||
      r.phase === "mle" ||
      (r.phase === "test" && r.when === "before") ||
      (r.step <= cut && r.phase !== "test"),
  );
  const tensors = loadSafetensors(join(paths.last, "tensors.safetensors"));
  const part: Partial<Session> = {};
  const holder: { session?: Session } = {};
  try {
    const master = new Rng(cfg.seed);
    master.nextUint32();
    master.fork();
    const loopRng = master.fork();
    // Same architecture as the checkpoint; every weight is overwritten below.
    const online = QNetwork.random(st.modelConfig, 1);
    part.online = online;
    writeVariables(online.trainableVariables, tensors, "online", "tensors.safetensors");
    const target = online.clone();
    part.target = target;
    writeVariables(target.trainableVariables, tensors, "target", "tensors.safetensors");
    let reference: QNetwork | null = null;
    if (st.hasReference) {
      reference = online.clone();
      part.reference = reference;
      writeVariables(reference.trainableVariables, tensors, "reference", "tensors.safetensors");
    }
    const optimizer = await newOptimizer(online, target, reference, cfg);
    part.optimizer = optimizer;
    const nVars = online.trainableVariables.length;
    online.trainableVariables.forEach((v, i) => {
      for (const k of [`adam_m.${i}`, `adam_v.${i}`]) {
        const a = tensors.get(k);
        if (!a || a.length !== v.size)
          throw new CheckpointError(
            k,
            `${join(paths.last, "tensors.safetensors")}: optimizer tensor ${k} is ${a ? `of size ${a.length}` : "missing"}` +
              `, expected ${v.size} values (Adam moments of ${v.name}); the checkpoint is incomplete or from another ` +
              "model: start the run again with train() in a new folder.",
          );
      }
    });
    optimizer.setState({
      step: st.adamStep,
      learningRate: st.learningRate,
      m: Array.from({ length: nVars }, (_, i) => tensors.get(`adam_m.${i}`) as Float32Array),
      v: Array.from({ length: nVars }, (_, i) => tensors.get(`adam_v.${i}`) as Float32Array),
    });
    const replayPath = join(paths.last, "replay.bin");
    const replay = existsSync(replayPath) ? ReplayBuffer.load(replayPath) : undefined;
    const loop = makeLoop(
      cfg,
      task,
      { online, target, reference, optimizer },
      logger,
      runDir,
      callbacks,
      loopRng,
      holder,
      replay,
    );
    loop.restore(
      st.loop,
      st.hasBest ? subset(tensors, "best:") : null,
      st.hasSnapshot ? subset(tensors, "snapshot:") : null,
    );
    const session: Session = {
      cfg,
      task,
      online,
      target,
      reference,
      optimizer,
      loop,
      logger,
      testBefore: st.testBefore,
      bestDir: existsSync(join(paths.best, "config.json")) ? paths.best : null,
    };
    holder.session = session;
    return await runSession(session, runDir, callbacks, t0, backend);
  } finally {
    dispose(part);
  }
}

/** Options of {@link generate}. */
export interface GenerateInput {
  /** A QNetwork, or a folder written by `QNetwork.save` (e.g. `runs/x/checkpoints/best`). */
  readonly model: QNetwork | string;
  readonly tokenizer: Tokenizer;
  readonly prompts: readonly string[];
  /** @default 32 */
  readonly maxNewTokens?: number;
  /** @default 64 */
  readonly maxPromptTokens?: number;
  /** Which end of a longer prompt is dropped (as the model was trained: its run's `data.truncationSide`). @default "left" */
  readonly truncationSide?: TruncationSide;
  /** Rows decoded together. @default 32 */
  readonly batchSize?: number;
  /** Per prompt: restrict the output to these strings (constrained greedy decoding; see `Example`). */
  readonly allowedOutputs?: readonly (readonly string[] | undefined)[];
}

/** Greedy argmax-Q decoding of `prompts` (prompt ⊕ SEP, until EOS or the length limit). */
export async function generate(input: GenerateInput): Promise<string[]> {
  const net = typeof input.model === "string" ? QNetwork.load(input.model) : input.model;
  try {
    const tok = input.tokenizer;
    const prompts = input.prompts.map((p) =>
      encodePrompt(tok, p, input.maxPromptTokens ?? 64, input.truncationSide),
    );
    const maxNew = input.maxNewTokens ?? 32;
    const outs = input.allowedOutputs;
    const allowed = outs
      ? exampleConstraints(
          tok,
          { test: input.prompts.map((_, i) => (outs[i] ? { allowedOutputs: outs[i] } : {})) },
          maxNew,
        )
      : undefined;
    const { generated } = greedyDecode(
      net,
      prompts,
      maxNew,
      tok.eosId,
      tok.padId,
      input.batchSize ?? 32,
      allowed ? (i, prefix) => allowed("test", i, prefix) : undefined,
    );
    return generated.map((g) => tok.decode(g, { skipSpecial: true }));
  } finally {
    if (typeof input.model === "string") net.dispose();
  }
}

/** Options of {@link generateNBest}. */
export interface NBestInput extends GenerateInput {
  /** Beam width. @default 4 */
  readonly beams?: number;
  /** Hypotheses returned per prompt. @default beams */
  readonly nBest?: number;
  /** α in score = logProb / length^α. @default 1 */
  readonly lengthPenalty?: number;
  /** Temperature of π = softmax(Q/T). @default 1 */
  readonly temperature?: number;
  /** Constrained decoding: tokens allowed after `prefix` for prompt `prompt` (null = all). */
  readonly allowed?: (prompt: number, prefix: readonly number[]) => readonly number[] | null;
}

/** One decoded hypothesis of {@link generateNBest}. */
export interface NBestOutput {
  readonly text: string;
  readonly tokens: Int32Array;
  readonly logProb: number;
  readonly score: number;
  readonly endedOnEos: boolean;
}

/** Beam search over π = softmax(Q/T) (see `beamSearch`): the n-best continuations of every prompt, best first. */
export async function generateNBest(input: NBestInput): Promise<NBestOutput[][]> {
  const net = typeof input.model === "string" ? QNetwork.load(input.model) : input.model;
  try {
    const tok = input.tokenizer;
    const prompts = input.prompts.map((p) =>
      encodePrompt(tok, p, input.maxPromptTokens ?? 64, input.truncationSide),
    );
    const beams = input.beams ?? 4;
    const hyps = beamSearch(net, prompts, {
      beams,
      nBest: input.nBest ?? beams,
      maxNewTokens: input.maxNewTokens ?? 32,
      eosId: tok.eosId,
      padId: tok.padId,
      ...(input.lengthPenalty !== undefined ? { lengthPenalty: input.lengthPenalty } : {}),
      ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
      ...(input.allowed ? { allowed: input.allowed } : {}),
      batchSize: Math.max(1, Math.floor((input.batchSize ?? 32) / beams)),
    });
    return hyps.map((hs) => hs.map((h) => ({ ...h, text: tok.decode(h.tokens, { skipSpecial: true }) })));
  } finally {
    if (typeof input.model === "string") net.dispose();
  }
}

/** Options of {@link evaluate}. */
export interface EvaluateInput extends Omit<GenerateInput, "prompts"> {
  readonly examples: readonly Example[];
  readonly reward: Reward;
}

/** Greedy decoding + the mean sentence-level reward on `examples`. */
export async function evaluate(
  input: EvaluateInput,
): Promise<SplitReport & { readonly scores: readonly number[] }> {
  const predictions = await generate({
    ...input,
    prompts: input.examples.map((e) => e.prompt),
    ...(input.examples.some((e) => e.allowedOutputs)
      ? { allowedOutputs: input.examples.map((e) => e.allowedOutputs) }
      : {}),
  });
  const scores = predictions.map((p, i) => input.reward.score(p, (input.examples[i] as Example).references));
  const toks = predictions.map((p) => input.tokenizer.encode(p));
  const n = Math.max(1, predictions.length);
  const repetition = toks.reduce((s, t) => s + (t.length > 1 ? 1 - new Set(t).size / t.length : 0), 0) / n;
  return {
    metric: scores.reduce((s, x) => s + x, 0) / n,
    repetition,
    empty: predictions.filter((p) => p.trim() === "").length / n,
    predictions,
    scores,
  };
}
