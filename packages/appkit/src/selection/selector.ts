/**
 * The selection DQN: a Q-function over (state, candidate) pairs trained by DQN from a replay buffer with
 * ε-greedy exploration, for selection MDPs whose action picks one of K candidates (an answer among the QA
 * answerers' candidates, a response among retrieved ones).
 *
 * Q(s, k) = w₂ · relu(W₁ x_dense + b₁) + v · x_sparse + b, where x = φ(s, c_k) is a feature vector of the pair
 * (dense real-valued features, standardized, then optional hashed sparse cross features used linearly).
 * Episodes are one step long (the pick ends the episode), so the TD target is y = r and no target network is
 * needed: the learner regresses Q(s, a) on the reward actually obtained for the action the agent took. The agent
 * only ever sees the reward of the candidate it picked (bandit feedback), never the rewards of the others.
 *
 * Why a feature-based Q rather than a GPT-2 Q-network over `state SEP candidate`: it trains in seconds on two
 * CPU cores for thousands of episodes, which is what makes 3-seed results on the real data affordable here.
 */
import { Rng } from "@dqnlm/core";
// qnet registers the cpu backend and tfjs-core's gradients (tfjs-core alone has neither).
import "@dqnlm/qnet";
import * as tf from "@tensorflow/tfjs-core";
import { SelectorOptionError } from "../errors.js";

/** The candidates of one state: dense features, and optionally hashed sparse feature indices. */
export interface SelectionState {
  /** K dense feature vectors of length `denseDim`. */
  readonly features: readonly Float32Array[];
  /** K lists of active sparse feature indices in [0, sparseDim) (value 1 each; repeats add up). @default none */
  readonly sparse?: readonly Int32Array[];
}

/** One selection episode: K candidates' features and the reward each would earn if picked. */
export interface SelectionEpisode extends SelectionState {
  /** K rewards; the agent observes only the one it picks. */
  readonly rewards: Float32Array;
}

/** The features of one (state, candidate) pair. */
interface Row {
  readonly dense: Float32Array;
  readonly sparse: Int32Array | undefined;
}

/** The tensors of a batch of rows. */
export interface SelectorInput {
  readonly dense: tf.Tensor2D;
  readonly sparse: tf.Tensor2D | undefined;
}

const rowsOf = (e: SelectionState): Row[] => e.features.map((dense, k) => ({ dense, sparse: e.sparse?.[k] }));

/** Options of {@link trainSelector}. */
export interface SelectorOptions {
  /** Number of dense features (first `denseDim` entries of each vector). */
  readonly denseDim: number;
  /** Number of sparse (hashed) features after the dense ones. @default 0 */
  readonly sparseDim?: number;
  /** Hidden units of the dense path. @default 32 */
  readonly hidden?: number;
  /** Adam learning rate. @default 0.003 */
  readonly learningRate?: number;
  /** Replay minibatch size. @default 64 */
  readonly batchSize?: number;
  /** Environment steps (episodes played). @default 20000 */
  readonly steps?: number;
  /** Episodes played per learner round (one forward pass), each followed by one update. @default 16 */
  readonly actorBatch?: number;
  /** Learner updates per environment step. @default 1 */
  readonly updatesPerStep?: number;
  /** ε at the start. @default 1 */
  readonly epsilonStart?: number;
  /** ε at the end of the decay. @default 0.05 */
  readonly epsilonEnd?: number;
  /** Fraction of the steps over which ε decays linearly. @default 0.5 */
  readonly epsilonDecayFraction?: number;
  /** Replay capacity in transitions (ring buffer). @default 100000 */
  readonly replayCapacity?: number;
  /** Transitions stored before learning starts. @default 256 */
  readonly warmup?: number;
  /** L2 weight on the sparse weights. @default 0.0001 */
  readonly l2?: number;
  /** Huber loss threshold. @default 1 */
  readonly huberDelta?: number;
  /** Seed of the run (episode order, ε-greedy, replay sampling, initial weights). @default 1 */
  readonly seed?: number;
  /** Called every `logEvery` steps with running diagnostics. */
  readonly onLog?: (rec: SelectorLog) => void;
  /** Steps between logs. @default 2000 */
  readonly logEvery?: number;
}

/** A diagnostics record of the selector's training. */
export interface SelectorLog {
  readonly step: number;
  readonly epsilon: number;
  /** Mean reward obtained over the last `logEvery` steps (with exploration). */
  readonly reward: number;
  /** Mean TD loss over the last updates. */
  readonly loss: number;
  /** Mean predicted Q of the picked actions over the last steps. */
  readonly meanQ: number;
}

/** A trained selection Q-function. */
export class Selector {
  readonly #w1: tf.Variable;
  readonly #b1: tf.Variable;
  readonly #w2: tf.Variable;
  readonly #v: tf.Variable | undefined;
  readonly #b: tf.Variable;
  readonly #mean: Float32Array;
  readonly #std: Float32Array;
  /** Number of dense features. */
  readonly denseDim: number;
  /** Number of sparse features. */
  readonly sparseDim: number;

  constructor(
    denseDim: number,
    sparseDim: number,
    hidden: number,
    mean: Float32Array,
    std: Float32Array,
    rng: Rng,
  ) {
    this.denseDim = denseDim;
    this.sparseDim = sparseDim;
    this.#mean = mean;
    this.#std = std;
    // tidy frees the initial-value tensors; variables survive it.
    const normal = (shape: [number, number], std: number): tf.Variable =>
      tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, std, "float32", rng.tfSeed())));
    const zeros = (shape: number[]): tf.Variable => tf.tidy(() => tf.variable(tf.zeros(shape)));
    this.#w1 = normal([denseDim, hidden], Math.sqrt(2 / denseDim));
    this.#b1 = zeros([hidden]);
    this.#w2 = normal([hidden, 1], Math.sqrt(1 / hidden));
    this.#v = sparseDim > 0 ? zeros([sparseDim, 1]) : undefined;
    this.#b = zeros([1]);
  }

  /** The trainable variables. */
  get variables(): tf.Variable[] {
    return [this.#w1, this.#b1, this.#w2, this.#b, ...(this.#v ? [this.#v] : [])];
  }

  /**
   * Packs rows into tensors: standardized dense features [N, denseDim] and the sparse counts [N, sparseDim]
   * (densified here, per batch only). Two tensors rather than one sliced later: column slices are slow on the
   * tfjs cpu backend.
   */
  input(rows: readonly Row[]): SelectorInput {
    const dd = this.denseDim;
    const sd = this.sparseDim;
    const dense = new Float32Array(rows.length * dd);
    const sparse = sd > 0 ? new Float32Array(rows.length * sd) : undefined;
    rows.forEach((r, i) => {
      for (let j = 0; j < dd; j++) dense[i * dd + j] = ((r.dense[j] ?? 0) - this.#mean[j]!) / this.#std[j]!;
      if (r.sparse && sparse) for (const h of r.sparse) sparse[i * sd + h]! += 1;
    });
    return {
      dense: tf.tensor2d(dense, [rows.length, dd]),
      sparse: sparse ? tf.tensor2d(sparse, [rows.length, sd]) : undefined,
    };
  }

  /** Q for each row of a packed input: [N]. */
  q(x: SelectorInput): tf.Tensor1D {
    return tf.tidy(() => {
      const h = tf.relu(tf.add(tf.matMul(x.dense, this.#w1), this.#b1));
      let out = tf.add(tf.matMul(h, this.#w2), this.#b) as tf.Tensor2D;
      if (this.#v && x.sparse) out = tf.add(out, tf.matMul(x.sparse, this.#v));
      return tf.reshape(out, [-1]) as tf.Tensor1D;
    });
  }

  /** Q values of each candidate of each episode (synchronous, for evaluation). */
  scores(episodes: readonly SelectionState[]): Float32Array[] {
    const rows = episodes.flatMap(rowsOf);
    const flat = tf.tidy(() => this.q(this.input(rows)).dataSync() as Float32Array);
    const out: Float32Array[] = [];
    let o = 0;
    for (const e of episodes) {
      out.push(flat.slice(o, o + e.features.length));
      o += e.features.length;
    }
    return out;
  }

  /** Greedy picks (argmax Q, first index on ties). */
  pick(episodes: readonly SelectionState[]): number[] {
    return this.scores(episodes).map(argmax);
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/** Index of the largest value (first on ties); -1 for an empty array. */
export function argmax(xs: ArrayLike<number>): number {
  let best = -1;
  let bv = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i]! > bv) {
      bv = xs[i]!;
      best = i;
    }
  }
  return best;
}

/** Mean and standard deviation (≥ 1e-6) of the dense features over every candidate of every episode. */
function standardization(episodes: readonly SelectionEpisode[], d: number): [Float32Array, Float32Array] {
  const mean = new Float32Array(d);
  const sq = new Float64Array(d);
  let n = 0;
  for (const e of episodes)
    for (const f of e.features) {
      n++;
      for (let j = 0; j < d; j++) mean[j]! += f[j]!;
    }
  for (let j = 0; j < d; j++) mean[j]! /= Math.max(1, n);
  for (const e of episodes)
    for (const f of e.features) for (let j = 0; j < d; j++) sq[j]! += (f[j]! - mean[j]!) ** 2;
  const std = new Float32Array(d);
  for (let j = 0; j < d; j++) std[j] = Math.max(1e-6, Math.sqrt(sq[j]! / Math.max(1, n)));
  return [mean, std];
}

/**
 * Trains a {@link Selector} by DQN on one-step selection episodes: ε-greedy actors play episodes drawn at
 * random from `episodes`, store (φ(s, a), r) in a uniform ring replay, and the learner regresses Q(s, a) on
 * y = r (Huber loss, Adam) on minibatches sampled from the replay.
 */
export async function trainSelector(
  episodes: readonly SelectionEpisode[],
  options: SelectorOptions,
): Promise<Selector> {
  const o = {
    sparseDim: 0,
    hidden: 32,
    learningRate: 0.003,
    batchSize: 64,
    steps: 20000,
    actorBatch: 16,
    updatesPerStep: 1,
    epsilonStart: 1,
    epsilonEnd: 0.05,
    epsilonDecayFraction: 0.5,
    replayCapacity: 100000,
    warmup: 256,
    l2: 0.0001,
    huberDelta: 1,
    seed: 1,
    logEvery: 2000,
    ...options,
  };
  if (episodes.length === 0)
    throw new SelectorOptionError("episodes", "a non-empty array of selection episodes", []);
  if (!Number.isInteger(o.denseDim) || o.denseDim < 1)
    throw new SelectorOptionError("denseDim", "an integer ≥ 1", o.denseDim);
  if (!(o.steps >= 1)) throw new SelectorOptionError("steps", "≥ 1", o.steps);
  if (!(o.batchSize >= 1)) throw new SelectorOptionError("batchSize", "≥ 1", o.batchSize);
  for (const e of episodes) {
    for (const f of e.features)
      if (f.length !== o.denseDim)
        throw new SelectorOptionError("features", `vectors of length denseDim = ${o.denseDim}`, f.length);
    if (e.rewards.length !== e.features.length)
      throw new SelectorOptionError(
        "rewards",
        `one reward per candidate (${e.features.length})`,
        e.rewards.length,
      );
    for (const sp of e.sparse ?? [])
      for (const h of sp)
        if (!(h >= 0 && h < o.sparseDim))
          throw new SelectorOptionError("sparse", `indices in [0, sparseDim = ${o.sparseDim})`, h);
  }

  const rng = new Rng(o.seed);
  const [mean, std] = standardization(episodes, o.denseDim);
  const net = new Selector(o.denseDim, o.sparseDim, o.hidden, mean, std, rng.fork());
  const opt = tf.train.adam(o.learningRate);

  // Replay: a ring of (feature vector, reward) for the actions taken.
  const cap = o.replayCapacity;
  const rx: Row[] = new Array(cap);
  const ry = new Float32Array(cap);
  let fill = 0;
  let head = 0;

  let order = rng.shuffle([...episodes.keys()]);
  let cursor = 0;
  let logReward = 0;
  let logQ = 0;
  let logN = 0;
  let logLoss = 0;
  let logUpdates = 0;
  const decaySteps = Math.max(1, o.steps * o.epsilonDecayFraction);
  for (let step = 0; step < o.steps; ) {
    const n = Math.min(o.actorBatch, o.steps - step);
    const batch: SelectionEpisode[] = [];
    for (let i = 0; i < n; i++) {
      if (cursor >= order.length) {
        order = rng.shuffle(order);
        cursor = 0;
      }
      batch.push(episodes[order[cursor++]!]!);
    }
    const eps = o.epsilonEnd + (o.epsilonStart - o.epsilonEnd) * Math.max(0, 1 - step / decaySteps);
    const qs = net.scores(batch);
    for (let i = 0; i < n; i++) {
      const e = batch[i]!;
      const k = e.features.length;
      const a = rng.next() < eps ? rng.nextInt(k) : argmax(qs[i]!);
      const r = e.rewards[a]!;
      rx[head] = { dense: e.features[a]!, sparse: e.sparse?.[a] };
      ry[head] = r;
      head = (head + 1) % cap;
      fill = Math.min(cap, fill + 1);
      logReward += r;
      logQ += qs[i]![a]!;
      logN++;
    }
    step += n;
    if (fill >= Math.min(o.warmup, cap)) {
      for (let u = 0; u < n * o.updatesPerStep; u++) {
        const rows: Row[] = [];
        const ys = new Float32Array(o.batchSize);
        for (let b = 0; b < o.batchSize; b++) {
          const j = rng.nextInt(fill);
          rows.push(rx[j]!);
          ys[b] = ry[j]!;
        }
        const loss = tf.tidy(() => {
          const x = net.input(rows);
          const y = tf.tensor1d(ys);
          return opt.minimize(
            () => {
              const td = tf.losses.huberLoss(y, net.q(x), undefined, o.huberDelta) as tf.Scalar;
              const v = net.variables[4];
              return v && o.l2 > 0 ? (tf.add(td, tf.mul(o.l2, tf.sum(tf.square(v)))) as tf.Scalar) : td;
            },
            true,
            net.variables,
          ) as tf.Scalar;
        });
        logLoss += (await loss.data())[0]!;
        loss.dispose();
        logUpdates++;
      }
    }
    if (o.onLog && (step % o.logEvery < n || step === o.steps)) {
      o.onLog({
        step,
        epsilon: eps,
        reward: logReward / Math.max(1, logN),
        loss: logLoss / Math.max(1, logUpdates),
        meanQ: logQ / Math.max(1, logN),
      });
      logReward = logQ = logLoss = 0;
      logN = logUpdates = 0;
    }
  }
  opt.dispose();
  return net;
}
