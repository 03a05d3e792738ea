/**
 * The trainer's typed, validated configuration. A config is a preset (`soft`, `stable` or `seed`) plus overrides; every
 * switch is independent, so an ablation is one override. `resolveConfig` checks every field and throws a
 * `TrainerConfigError` (`DQNLM_CONFIG_INVALID`) naming the dotted field path, what was expected, what was
 * received, and a fix.
 */
import { nearestName, preview } from "@dqnlm/core";
import { TrainerConfigError } from "./errors.js";

/**
 * The presets: `seed` (the method as written), `stable` (hard-max DQN with the stabilisers) and `soft`
 * (KL-regularised soft Q-learning over the frozen start model; the default).
 */
export type PresetName = "seed" | "stable" | "soft";
/** The learning objective: hard-max DQN, or KL-regularised soft Q-learning (see `dqn.objective`). */
export type Objective = "dqn" | "soft";
/** Engine of training steps: tfjs, onnxruntime-node, or `"auto"` (onnxruntime-node where it loads). */
export type Engine = "auto" | "tfjs" | "ort";
/** Per-step reward form (see rewards' `stepRewards`). */
export type RewardForm = "prefix" | "delta" | "terminal";
/** Which end of a too-long prompt is dropped (see `data.truncationSide`). */
export type TruncationSide = "left" | "right";

/** Full, resolved trainer configuration (every field present). */
export interface TrainerConfig {
  /** Which preset the defaults came from. @default "soft" */
  readonly preset: PresetName;
  /** Master seed; every random stream forks from it. @default 1 */
  readonly seed: number;
  /** tfjs backend (`"auto"` = qnet's detection order, or `DQNLM_BACKEND`). @default "auto" */
  readonly backend: string;
  readonly data: {
    /** Prompts are cut to this many tokens (from the side {@link TrainerConfig.data.truncationSide} names). @default 64 */
    readonly maxPromptTokens: number;
    /**
     * Which end of a prompt longer than `maxPromptTokens` is dropped (Hugging Face's `truncation_side`): `"left"`
     * keeps the prompt's end (a dialogue history's latest turns, a question placed last), `"right"` keeps its
     * beginning (an abstract's first sentences, where a title's words are). @default "left"
     */
    readonly truncationSide: TruncationSide;
    /** Generation stops after this many tokens (or EOS). @default 32 */
    readonly maxNewTokens: number;
  };
  readonly reward: {
    /** Per-step form of the sequence metric. @default "delta" (seed: "prefix") */
    readonly form: RewardForm;
    /** Multiplies every reward. @default 1 */
    readonly scale: number;
  };
  readonly mle: {
    /** Run the MLE warm start (skip it when starting from a pretrained model). @default true */
    readonly enabled: boolean;
    /** Maximum epochs over the (prompt, reference) pairs. @default 10 */
    readonly epochs: number;
    /** Sequences per step. @default 16 */
    readonly batchSize: number;
    /** Adam learning rate. @default 0.001 */
    readonly learningRate: number;
    /** Stop after this many epochs without a lower validation loss. @default 2 */
    readonly patience: number;
    /** Cap on optimisation steps (0 = none). @default 0 */
    readonly maxSteps: number;
    /**
     * Engine of the warm start's training steps: `"tfjs"` (the run's backend) or `"ort"` (qnet's OrtLearner on the
     * optional peer `onnxruntime-node`, 1 thread: native GEMMs, 4–6× faster per LM step than wasm in the anchor bench;
     * same batches, loss, clipping, Adam rule and early stopping, and the weights are written back at the end).
     * `"auto"`: `"ort"` where onnxruntime-node loads, else `"tfjs"`; `train()` records the engine it chose in the
     * run's config.json (so a resume uses the same) and in the first metrics record. Honoured by `train()`;
     * `mleWarmStart` itself and the distributed learner run tfjs. @default "auto"
     */
    readonly engine: Engine;
  };
  readonly dqn: {
    /**
     * The objective. `"dqn"`: the network's output is Q and the target bootstraps a max (or Double-DQN argmax).
     * `"soft"`: KL-regularised soft Q-learning over the frozen start model π_ref (the run's reference network):
     * Q_θ(s,a) = τ·(z_θ(s,a) − z_ref(s,a)) with z the logits, so Q = 0 exactly at the start, the policy is
     * π_ref·exp(Q/τ)/Z = softmax(z_θ), and the target is y = r + γ·τ·[logsumexp_mask z_θ'(s') − logsumexp z_ref(s')].
     * @default "soft" (stable, seed: "dqn")
     */
    readonly objective: Objective;
    /**
     * τ of the soft objective: the KL strength (reward units per nat). The soft optimum maximises
     * E[Σ r] − τ·KL(π ‖ π_ref); τ → ∞ gives π = π_ref, τ → 0 the hard max. Unused by `"dqn"`. @default 0.1
     */
    readonly softTau: number;
    /**
     * The soft bootstrap value V(s'): `"target"` = the target network's soft value; `"min"` = the smaller of the
     * target's and the online network's soft values (clipped double estimate against over-estimation). Unused by
     * `"dqn"`. @default "target"
     */
    readonly softTarget: "target" | "min";
    /**
     * Soft objective only: give the online, target and reference networks a state-value head (a dueling head
     * initialised so that Q is still 0 at the start, see QNetwork.withValueHead). The soft value of a state is the
     * expected return still to come (0.2–0.4 on the real tasks); without the head the network can raise it only by
     * raising the logits of the tokens it sampled, which leaks the value into the policy. Unused by `"dqn"`.
     * @default false
     */
    readonly softValueHead: boolean;
    /** Number of learner updates (0 = MLE only). @default 1000 */
    readonly updates: number;
    /** Transitions per learner update. @default 32 */
    readonly batchSize: number;
    /** Adam learning rate. @default 0.0001 */
    readonly learningRate: number;
    /** Learning-rate schedule over the DQN updates. @default "constant" */
    readonly lrSchedule: "constant" | "linear" | "cosine";
    /** Final learning rate of a linear/cosine schedule. @default 0 */
    readonly learningRateEnd: number;
    /** Discount γ. @default 1 */
    readonly gamma: number;
    /** n of the n-step return. @default 3 (seed: 1) */
    readonly nStep: number;
    /** TD loss. @default "huber" (seed: "mse") */
    readonly loss: "mse" | "huber";
    /** Huber threshold. @default 1 */
    readonly huberDelta: number;
    /** Double DQN: argmax by the online net, value by the target net (objective `"dqn"` only; the soft objective has no argmax, see `softTarget`). @default true (seed, soft: false) */
    readonly doubleDqn: boolean;
    /** Target init: a copy of the online net, or N(0, 0.02). @default "copy" (seed: "normal") */
    readonly targetInit: "copy" | "normal";
    /**
     * Multiply the online network's Q by this factor when DQN starts (exactly, through the final layer norm; the
     * greedy policy is unchanged; the KL reference keeps the unscaled LM). A network fresh from MLE or a pretrained
     * LM has Q = logits (5–12 here) while sequence returns are 0–1; `explore.temperature` (0.1) puts Q on the
     * scale softmax(Q/T) of the KL term expects, so the KL starts at 0. @default 1 (no scaling)
     */
    readonly initialQScale: number;
    /** Target update: hard copy every `targetUpdateEvery` updates, or Polyak averaging with `tau`. @default "hard" */
    readonly targetUpdate: "hard" | "polyak";
    /** Updates between hard copies. @default 100 */
    readonly targetUpdateEvery: number;
    /** Polyak rate. @default 0.005 */
    readonly tau: number;
    /** Restrict the max in the TD target to the exploration top-k/top-p mask. @default true (seed: false) */
    readonly targetMask: boolean;
    /** Store the references as demonstration episodes (kept out of eviction). @default true (seed: false) */
    readonly demonstrations: boolean;
    /** Weight of the DQfD large-margin term on demonstration transitions. @default 1 (seed: 0) */
    readonly marginWeight: number;
    /** The margin l(a_E, a) for a ≠ a_E. @default 0.8 */
    readonly margin: number;
    /** Weight of KL(softmax(Q/T) ‖ softmax(reference logits)), the frozen initial model (0 = off). @default 0.01 (seed: 0) */
    readonly klWeight: number;
    /** Clip gradients to this global norm (0 = off). @default 1 (seed: 0) */
    readonly gradClipNorm: number;
    /** Episodes rolled out per actor batch. @default 16 */
    readonly rolloutBatch: number;
    /** Learner updates per actor batch. @default 4 */
    readonly updatesPerRollout: number;
    /** Transitions in replay before learning starts. @default 256 */
    readonly warmupTransitions: number;
    /**
     * Engine of the learner updates: `"tfjs"` (the run's backend) or `"ort"` (qnet's OrtLearner on the optional
     * peer `onnxruntime-node`, 1 thread: the online network's forward and backward passes run on native GEMMs, the
     * TD / soft-Q loss and its gradient w.r.t. the online logits are computed by the same tfjs code as with
     * `"tfjs"`, then the same clipping and Adam rule; the new weights are written back into the tfjs online network
     * after every update, so rollouts, validation and the target sync are unchanged). The target and reference
     * forward passes of the update run on onnxruntime too (forward-only copies kept equal to the tfjs networks).
     * Checkpoints keep the tfjs engine's Adam layout (same files; resume is bit-exact). Measured: 1.96–2.50× the whole loop's
     * updates/s at d=128, 4 layers, V=8000 on wasm (trainer README, "DQN loop: tfjs vs onnxruntime learner").
     * `"auto"`: `"ort"` where onnxruntime-node loads, else `"tfjs"` (recorded as for `mle.engine`). Honoured by
     * `train()` / `resume()`; `learnerStep` itself and the distributed learner run tfjs. @default "auto"
     */
    readonly engine: Engine;
    /** Treat the length limit as terminal (the state includes the position, so the horizon is finite). @default true */
    readonly maxLengthTerminal: boolean;
  };
  readonly replay: {
    /** Capacity in transitions. @default 100000 */
    readonly capacity: number;
    /** Prioritized (proportional) replay instead of uniform. @default true (seed: false) */
    readonly prioritized: boolean;
    /** Priority exponent α. @default 0.6 */
    readonly alpha: number;
    /** Importance-weight exponent β at the start (annealed to 1). @default 0.4 */
    readonly beta: number;
    /**
     * What the learner samples: single transitions (the method's e_t ~ D), or whole episodes (drawn with
     * probability ∝ length, so every transition is equally likely to be covered) using all their steps, which
     * gets the most out of the one-pass-per-episode learner. `episode` needs uniform replay.
     * @default "transition"
     */
    readonly sampleUnit: "transition" | "episode";
    /** Added to |δ| in the priority (a floor that keeps well-fit transitions sampled). @default 0.05 */
    readonly priorityEps: number;
  };
  readonly explore: {
    /** ε-greedy, or sampling softmax(Q/T) over the top-k/top-p mask. @default "sample" (seed: "epsilon-greedy") */
    readonly kind: "epsilon-greedy" | "sample";
    /** ε at update 0. @default 0.2 */
    readonly epsilonStart: number;
    /** ε after `epsilonDecayUpdates`. @default 0.05 */
    readonly epsilonEnd: number;
    /** Linear decay length in updates. @default 1000 */
    readonly epsilonDecayUpdates: number;
    /**
     * Softmax temperature T of the policy softmax(Q/T) used for sampling, the entropy diagnostic and the KL term.
     * Q lives on the reward scale (0–1 per sequence), so T ≈ 0.1 makes a 0.1 difference in Q a factor e.
     * @default 0.1
     */
    readonly temperature: number;
    /** Top-k mask size (0 = whole vocabulary). @default 20 */
    readonly topK: number;
    /** Top-p (nucleus) mass (1 = off). @default 0.95 */
    readonly topP: number;
  };
  readonly validation: {
    /** Updates between validations (greedy argmax-Q decoding). @default 200 */
    readonly every: number;
    /** Stop after this many validations without improvement (0 = never). @default 5 */
    readonly patience: number;
    /** Validation examples used (0 = all). @default 200 */
    readonly maxExamples: number;
  };
  readonly checkpoint: {
    /** Updates between resumable checkpoints (0 = only at the end). @default 500 */
    readonly every: number;
    /** Save the replay buffer in checkpoints (needed for exact resume). @default true */
    readonly saveReplay: boolean;
  };
  readonly log: {
    /** Updates between diagnostic records. @default 20 */
    readonly every: number;
    /** Progress bar: "auto" = only on a TTY outside CI. @default "auto" */
    readonly progress: "auto" | "on" | "off";
    /** Write SVG curves at the end. @default true */
    readonly curves: boolean;
  };
  readonly guards: {
    /** Multiply the learning rate by this after a non-finite update. @default 0.5 */
    readonly lrDecay: number;
    /** Updates between snapshots of the last good state. @default 50 */
    readonly snapshotEvery: number;
    /** Give up after this many consecutive non-finite updates. @default 10 */
    readonly maxConsecutiveFailures: number;
    /** Alarm when max |Q| exceeds this. @default 1000 */
    readonly qAlarm: number;
    /**
     * Stop with `TrainingDivergedError` when a logged max |Q| or loss exceeds this many times its first logged
     * value (|Q| floored at 1, the loss at 0.1): a finite blow-up, which the non-finite guard does not see.
     * 0 turns this guard off. @default 1000
     */
    readonly divergeFactor: number;
    /** Alarm when the repetition rate of rollouts exceeds this. @default 0.5 */
    readonly repetitionAlarm: number;
    /** Alarm when the share of empty outputs exceeds this. @default 0.5 */
    readonly emptyAlarm: number;
  };
}

/** Deep-partial input accepted by {@link resolveConfig}. */
export type TrainerConfigInput = {
  readonly preset?: PresetName;
  readonly seed?: number;
  readonly backend?: string;
} & {
  readonly [K in Exclude<keyof TrainerConfig, "preset" | "seed" | "backend">]?: Partial<TrainerConfig[K]>;
};

const STABLE: TrainerConfig = {
  preset: "stable",
  seed: 1,
  backend: "auto",
  data: { maxPromptTokens: 64, maxNewTokens: 32, truncationSide: "left" },
  reward: { form: "delta", scale: 1 },
  mle: {
    enabled: true,
    epochs: 10,
    batchSize: 16,
    learningRate: 1e-3,
    patience: 2,
    maxSteps: 0,
    engine: "auto",
  },
  dqn: {
    objective: "dqn",
    softTau: 0.1,
    softTarget: "target",
    softValueHead: false,
    updates: 1000,
    batchSize: 32,
    learningRate: 1e-4,
    lrSchedule: "constant",
    learningRateEnd: 0,
    gamma: 1,
    nStep: 3,
    loss: "huber",
    huberDelta: 1,
    doubleDqn: true,
    targetInit: "copy",
    initialQScale: 1,
    targetUpdate: "hard",
    targetUpdateEvery: 100,
    tau: 0.005,
    targetMask: true,
    demonstrations: true,
    marginWeight: 1,
    margin: 0.8,
    klWeight: 0.01,
    gradClipNorm: 1,
    rolloutBatch: 16,
    updatesPerRollout: 4,
    warmupTransitions: 256,
    engine: "auto",
    maxLengthTerminal: true,
  },
  replay: {
    capacity: 100_000,
    prioritized: true,
    alpha: 0.6,
    beta: 0.4,
    sampleUnit: "transition",
    priorityEps: 0.05,
  },
  explore: {
    kind: "sample",
    epsilonStart: 0.2,
    epsilonEnd: 0.05,
    epsilonDecayUpdates: 1000,
    temperature: 0.1,
    topK: 20,
    topP: 0.95,
  },
  validation: { every: 200, patience: 5, maxExamples: 200 },
  checkpoint: { every: 500, saveReplay: true },
  log: { every: 20, progress: "auto", curves: true },
  guards: {
    lrDecay: 0.5,
    snapshotEvery: 50,
    maxConsecutiveFailures: 10,
    qAlarm: 1000,
    divergeFactor: 1000,
    repetitionAlarm: 0.5,
    emptyAlarm: 0.5,
  },
};

const SEED: TrainerConfig = {
  ...STABLE,
  preset: "seed",
  reward: { ...STABLE.reward, form: "prefix" },
  dqn: {
    ...STABLE.dqn,
    nStep: 1,
    loss: "mse",
    doubleDqn: false,
    targetInit: "normal",
    targetMask: false,
    demonstrations: false,
    marginWeight: 0,
    klWeight: 0,
    gradClipNorm: 0,
  },
  replay: { ...STABLE.replay, prioritized: false },
  explore: { ...STABLE.explore, kind: "epsilon-greedy" },
};

/**
 * KL-regularised soft Q-learning over the frozen start model: `stable`'s replay, demonstrations, Huber loss,
 * clipping, `delta` rewards and DQfD margin on the demonstrations (measured: without it the copy task reaches
 * test BLEU 0.25 instead of 1.00), with the soft objective and a Polyak target; no hard-max machinery (Double DQN,
 * target mask), no extra KL term (the objective is already KL-regularised), one-step targets (an uncorrected
 * n-step return is the exploring policy's, not the optimum's), and sampling from the policy softmax(z_θ) itself
 * (temperature 1) within the top-k/top-p mask.
 */
const SOFT: TrainerConfig = {
  ...STABLE,
  preset: "soft",
  dqn: {
    ...STABLE.dqn,
    objective: "soft",
    nStep: 1,
    doubleDqn: false,
    targetUpdate: "polyak",
    tau: 0.05,
    targetMask: false,
    klWeight: 0,
  },
  explore: { ...STABLE.explore, temperature: 1 },
};

/** The presets, fully resolved. `soft` is the default. */
export const PRESETS: Readonly<Record<PresetName, TrainerConfig>> = Object.freeze({
  seed: SEED,
  stable: STABLE,
  soft: SOFT,
});

/** The preset used when the config names none. */
export const DEFAULT_PRESET: PresetName = "soft";

type Check =
  | { kind: "number"; min?: number; max?: number; int?: boolean; gt?: number }
  | { kind: "boolean" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "string" };

const num = (o: Omit<Extract<Check, { kind: "number" }>, "kind"> = {}): Check => ({ kind: "number", ...o });
const int = (min: number, max?: number): Check => ({
  kind: "number",
  int: true,
  min,
  ...(max === undefined ? {} : { max }),
});
const bool: Check = { kind: "boolean" };
const oneOf = (...values: string[]): Check => ({ kind: "enum", values });
const prob: Check = num({ min: 0, max: 1 });

/** The schema: one check per field, in the same shape as {@link TrainerConfig}. */
const SCHEMA: Record<string, Check | Record<string, Check>> = {
  preset: oneOf("soft", "stable", "seed"),
  seed: num({ int: true, min: 0, max: 2 ** 32 - 1 }),
  backend: { kind: "string" },
  data: { maxPromptTokens: int(1), maxNewTokens: int(1), truncationSide: oneOf("left", "right") },
  reward: { form: oneOf("prefix", "delta", "terminal"), scale: num({ gt: 0 }) },
  mle: {
    enabled: bool,
    epochs: int(0),
    batchSize: int(1),
    learningRate: num({ gt: 0, max: 1 }),
    patience: int(0),
    maxSteps: int(0),
    engine: oneOf("auto", "tfjs", "ort"),
  },
  dqn: {
    objective: oneOf("dqn", "soft"),
    softTau: num({ gt: 0 }),
    softTarget: oneOf("target", "min"),
    softValueHead: bool,
    updates: int(0),
    batchSize: int(1),
    learningRate: num({ gt: 0, max: 1 }),
    lrSchedule: oneOf("constant", "linear", "cosine"),
    learningRateEnd: num({ min: 0, max: 1 }),
    gamma: prob,
    nStep: int(1, 64),
    loss: oneOf("mse", "huber"),
    huberDelta: num({ gt: 0 }),
    doubleDqn: bool,
    targetInit: oneOf("copy", "normal"),
    initialQScale: num({ gt: 0 }),
    targetUpdate: oneOf("hard", "polyak"),
    targetUpdateEvery: int(1),
    tau: num({ gt: 0, max: 1 }),
    targetMask: bool,
    demonstrations: bool,
    marginWeight: num({ min: 0 }),
    margin: num({ min: 0 }),
    klWeight: num({ min: 0 }),
    gradClipNorm: num({ min: 0 }),
    rolloutBatch: int(1),
    updatesPerRollout: int(1),
    warmupTransitions: int(0),
    engine: oneOf("auto", "tfjs", "ort"),
    maxLengthTerminal: bool,
  },
  replay: {
    capacity: int(1),
    prioritized: bool,
    alpha: num({ min: 0, max: 4 }),
    beta: prob,
    sampleUnit: oneOf("transition", "episode"),
    priorityEps: num({ gt: 0 }),
  },
  explore: {
    kind: oneOf("epsilon-greedy", "sample"),
    epsilonStart: prob,
    epsilonEnd: prob,
    epsilonDecayUpdates: int(0),
    temperature: num({ gt: 0 }),
    topK: int(0),
    topP: num({ gt: 0, max: 1 }),
  },
  validation: { every: int(1), patience: int(0), maxExamples: int(0) },
  checkpoint: { every: int(0), saveReplay: bool },
  log: { every: int(1), progress: oneOf("auto", "on", "off"), curves: bool },
  guards: {
    lrDecay: num({ gt: 0, max: 1 }),
    snapshotEvery: int(1),
    maxConsecutiveFailures: int(1),
    qAlarm: num({ gt: 0 }),
    divergeFactor: num({ min: 0 }),
    repetitionAlarm: prob,
    emptyAlarm: prob,
  },
};

function isCheck(x: Check | Record<string, Check>): x is Check {
  return typeof (x as { kind?: unknown }).kind === "string";
}

function describe(c: Check): string {
  switch (c.kind) {
    case "boolean":
      return "a boolean";
    case "string":
      return "a string";
    case "enum":
      return `one of ${c.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "number": {
      const parts = [c.int ? "an integer" : "a finite number"];
      if (c.gt !== undefined) parts.push(`> ${c.gt}`);
      if (c.min !== undefined) parts.push(`≥ ${c.min}`);
      if (c.max !== undefined) parts.push(`≤ ${c.max}`);
      return parts.join(" ");
    }
  }
}

function checkValue(path: string, c: Check, v: unknown, def: unknown): void {
  const fail = (): never => {
    throw new TrainerConfigError(
      path,
      `expected ${describe(c)}, received ${preview(v)}. Fix: set ${path} to ${describe(c)} ` +
        `(the preset default is ${JSON.stringify(def)}), or remove it to use the default.`,
    );
  };
  switch (c.kind) {
    case "boolean":
      if (typeof v !== "boolean") fail();
      return;
    case "string":
      if (typeof v !== "string" || v.length === 0) fail();
      return;
    case "enum":
      if (typeof v !== "string" || !c.values.includes(v)) fail();
      return;
    case "number":
      if (typeof v !== "number" || !Number.isFinite(v)) fail();
      if (c.int && !Number.isInteger(v)) fail();
      if (c.gt !== undefined && !((v as number) > c.gt)) fail();
      if (c.min !== undefined && (v as number) < c.min) fail();
      if (c.max !== undefined && (v as number) > c.max) fail();
      return;
  }
}

function unknownKey(path: string, key: string, known: readonly string[]): never {
  const full = path ? `${path}.${key}` : key;
  const guess = nearestName(key, known);
  throw new TrainerConfigError(
    full,
    `unknown option ${JSON.stringify(key)}${path ? ` in ${path}` : ""}. ` +
      (guess ? `Did you mean ${JSON.stringify(guess)}? ` : "") +
      `Known options: ${known.join(", ")}.`,
  );
}

/**
 * Resolves a preset plus overrides into a full {@link TrainerConfig}, validating every field.
 * @throws TrainerConfigError (`DQNLM_CONFIG_INVALID`) with the dotted field path and a fix.
 */
export function resolveConfig(input: TrainerConfigInput | Record<string, unknown> = {}): TrainerConfig {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new TrainerConfigError(
      "(root)",
      `expected an object such as {"preset": "soft", "dqn": {"updates": 1000}}, received ${preview(input)}.`,
    );
  }
  const raw = input as Record<string, unknown>;
  const presetName = raw.preset === undefined ? DEFAULT_PRESET : raw.preset;
  checkValue("preset", SCHEMA.preset as Check, presetName, DEFAULT_PRESET);
  const base = PRESETS[presetName as PresetName] as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) if (!(key in SCHEMA)) unknownKey("", key, Object.keys(SCHEMA));
  for (const [key, spec] of Object.entries(SCHEMA)) {
    const v = raw[key];
    if (isCheck(spec)) {
      const value = v === undefined ? base[key] : v;
      checkValue(key, spec, value, base[key]);
      out[key] = value;
      continue;
    }
    const baseSec = base[key] as Record<string, unknown>;
    if (v !== undefined && (v === null || typeof v !== "object" || Array.isArray(v))) {
      throw new TrainerConfigError(
        key,
        `expected an object of ${key} options (e.g. ${JSON.stringify(baseSec).slice(0, 80)}…), received ${preview(v)}.`,
      );
    }
    const sec = (v ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(sec)) if (!(k in spec)) unknownKey(key, k, Object.keys(spec));
    const o: Record<string, unknown> = {};
    for (const [k, c] of Object.entries(spec)) {
      const value = sec[k] === undefined ? baseSec[k] : sec[k];
      checkValue(`${key}.${k}`, c, value, baseSec[k]);
      o[k] = value;
    }
    out[key] = o;
  }
  const cfg = out as unknown as TrainerConfig;
  if (cfg.explore.epsilonEnd > cfg.explore.epsilonStart) {
    throw new TrainerConfigError(
      "explore.epsilonEnd",
      `must be ≤ explore.epsilonStart (${cfg.explore.epsilonStart}), received ${cfg.explore.epsilonEnd}. ` +
        "Fix: lower epsilonEnd or raise epsilonStart.",
    );
  }
  if (cfg.replay.sampleUnit === "episode" && cfg.replay.prioritized) {
    throw new TrainerConfigError(
      "replay.sampleUnit",
      'is "episode", which needs uniform replay, but replay.prioritized is true. Fix: set replay.prioritized ' +
        'to false, or replay.sampleUnit to "transition".',
    );
  }
  if (cfg.dqn.objective === "soft" && cfg.dqn.initialQScale !== 1) {
    throw new TrainerConfigError(
      "dqn.initialQScale",
      `is ${cfg.dqn.initialQScale}, but dqn.objective is "soft", where Q = τ·(z_θ − z_ref) is 0 at the start by ` +
        "construction and already on the reward scale (scaling the online logits would change the start policy). " +
        'Fix: remove dqn.initialQScale (1), or set dqn.objective to "dqn".',
    );
  }
  return cfg;
}

/** One row of {@link configTable}: an option, its type and each preset's default (JSON). */
export interface ConfigTableRow {
  readonly field: string;
  readonly type: string;
  readonly soft: string;
  readonly stable: string;
  readonly seed: string;
}

/** Rows `{field, type, soft, stable, seed}` for every option (used to generate the README table). */
export function configTable(): ConfigTableRow[] {
  const rows: ConfigTableRow[] = [];
  const [f, s, d] = [SOFT, STABLE, SEED].map((p) => p as unknown as Record<string, unknown>) as [
    Record<string, unknown>,
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  for (const [key, spec] of Object.entries(SCHEMA)) {
    if (isCheck(spec)) {
      rows.push({
        field: key,
        type: describe(spec),
        soft: JSON.stringify(f[key]),
        stable: JSON.stringify(s[key]),
        seed: JSON.stringify(d[key]),
      });
      continue;
    }
    const at = (p: Record<string, unknown>, k: string): string =>
      JSON.stringify((p[key] as Record<string, unknown>)[k]);
    for (const [k, c] of Object.entries(spec)) {
      rows.push({
        field: `${key}.${k}`,
        type: describe(c),
        soft: at(f, k),
        stable: at(s, k),
        seed: at(d, k),
      });
    }
  }
  return rows;
}
