/**
 * Episode-structured replay over typed arrays.
 *
 * Why this layout: a transition of the token MDP is (s_t, a_t, r_t, s_{t+1}) with s_t a prefix of the episode's
 * final sequence. Storing each transition's prefix costs O(T²) tokens per episode; here each episode's tokens and
 * rewards are written once into one arena (a single ArrayBuffer seen as Int32 tokens + Float32 rewards), and a
 * transition is just a position in a transition table that points to (episode slot, t). s_t is tokens[0 .. P+t),
 * a_t = tokens[P+t] and s_{t+1} = s_t ⊕ a_t is implicit.
 *
 * Regular episodes live in a ring of `capacity` transition positions and are evicted oldest-first, a whole
 * episode at a time. Demonstrations (DQfD) live in a separate region of `demoCapacity` positions that is never
 * evicted. Prioritized sampling keeps a sum tree over all positions (ring first, then demos).
 */
import { readFileSync } from "node:fs";
import { type Episode, type Rng, writeFileAtomic } from "@dqnlm/core";
import { ReplayFileError, ReplayInputError, ReplayUnderfilledError } from "./errors.js";
import { checkNStep, nStepInto } from "./nstep.js";
import { decodeReplay, encodeReplay, type ReplaySnapshot } from "./serialize.js";
import { SumTree } from "./sum-tree.js";

/** Options of proportional prioritized replay (Schaul et al. 2016). */
export interface PrioritizedOptions {
  /** Priority exponent: P(i) ∝ p_i^α (0 = uniform). @default 0.6 */
  alpha?: number;
  /** Importance-sampling exponent used when `sample` is not given one; anneal it towards 1. @default 0.4 */
  beta?: number;
  /** Added to |δ| so that no transition gets probability 0. @default 1e-6 */
  epsilon?: number;
  /** Extra priority added to demonstration transitions (DQfD's ε_d; the paper used 1.0). @default 0 */
  demoBonus?: number;
}

/** Options of {@link ReplayBuffer}. */
export interface ReplayOptions {
  /** Capacity in transitions of the evicting (regular) region. Oldest episodes are evicted whole. */
  capacity: number;
  /** Capacity in transitions of the demonstration region, which is never evicted. @default 0 */
  demoCapacity?: number;
  /** When set, every token id must be in [0, vocabSize); otherwise ids only have to be ≥ 0. @default undefined */
  vocabSize?: number;
  /** `true` or options for proportional prioritized sampling; `false` for uniform. @default false */
  prioritized?: boolean | PrioritizedOptions;
}

/** Options of {@link ReplayBuffer.add}. */
export interface AddOptions {
  /** Store as a demonstration: kept out of eviction and flagged in samples (for a DQfD margin loss). @default false */
  demo?: boolean;
  /** Initial raw priority of the episode's transitions (before ^α). @default the largest priority seen so far (1 at first) */
  priority?: number;
}

/** An episode as stored, with its id and demonstration flag. Arrays are views into the buffer unless copied. */
export interface StoredEpisode extends Episode {
  /** The id `add` returned. */
  readonly id: number;
  /** Whether it was added as a demonstration. */
  readonly demo: boolean;
}

/**
 * A batch of sampled transitions, grouped by episode so that the learner runs one forward pass per distinct
 * episode: transition i is step `steps[i]` of episode `episodeIds[rows[i]]`.
 */
export interface TransitionBatch {
  /** Number of sampled transitions. */
  readonly size: number;
  /** Distinct episode ids, in order of first appearance in the batch. */
  readonly episodeIds: readonly number[];
  /** For each transition, its episode's index into `episodeIds`. */
  readonly rows: Int32Array;
  /** For each transition, t: the action is tokens[P + t] and Q(s_t, ·) is the forward output at position P + t − 1. */
  readonly steps: Int32Array;
  /** For each transition, its position in the buffer (what {@link ReplayBuffer.updatePriorities} needs). */
  readonly indices: Int32Array;
  /** Importance-sampling weights (N·P(i))^−β divided by the batch's largest (all 1 for uniform sampling). */
  readonly weights: Float32Array;
  /** 1 where the transition belongs to a demonstration. */
  readonly demo: Uint8Array;
}

/** n-step targets for a {@link TransitionBatch}; see {@link nStepReturn} for the definition. */
export interface NStepBatch {
  /** Σ_{i<k} γ^i r_{t+i} per transition. */
  readonly returns: Float32Array;
  /** Bootstrap state index j per transition (Q(s_j, ·) is at position P + j − 1), or −1 for none. */
  readonly bootstrapSteps: Int32Array;
  /** γ^k per transition, 0 where there is no bootstrap. */
  readonly discounts: Float32Array;
}

/** Options of {@link ReplayBuffer.sampleEpisodes}. */
export interface SampleEpisodesOptions {
  /**
   * `"episode"`: every stored episode equally likely. `"transition"`: episodes with probability proportional to
   * their length, i.e. the episodes of uniformly drawn transitions (each transition equally likely to be covered).
   * @default "episode"
   */
  by?: "episode" | "transition";
}

/** Whole episodes for sequence-level learning: one forward pass scores every step of each. */
export interface EpisodeBatch {
  /** Episode ids, distinct. */
  readonly ids: readonly number[];
  /** The episodes (views into the buffer: valid until the next `add`). */
  readonly episodes: readonly StoredEpisode[];
}

const TERMINATED = 1;
const DEMO = 2;
const LIVE = 4;
const FORMAT_VERSION = 1;

function isPosInt(x: unknown): x is number {
  return typeof x === "number" && Number.isInteger(x) && x > 0;
}

function badOption(field: string, expected: string, received: unknown): ReplayInputError {
  return new ReplayInputError(
    "DQNLM_REPLAY_BAD_OPTION",
    `${field} must be ${expected}, received ${String(received)}`,
    field,
  );
}

/**
 * A replay buffer of token-MDP episodes: uniform and prioritized transition sampling, n-step targets,
 * whole-episode sampling, never-evicted demonstrations, and versioned binary save/load.
 *
 * @example
 * const buf = new ReplayBuffer({ capacity: 100_000, vocabSize: 4096, prioritized: true });
 * buf.add({ tokens: Int32Array.of(1, 7, 9, 2), promptLength: 2, rewards: Float32Array.of(0, 1), terminated: true });
 * const batch = buf.sample(32, rng);          // transitions grouped by episode
 * const ep = buf.getEpisode(batch.episodeIds[0]!);
 */
export class ReplayBuffer {
  /** Capacity in transitions of the evicting region. */
  readonly capacity: number;
  /** Capacity in transitions of the demonstration region. */
  readonly demoCapacity: number;
  /** Vocabulary bound checked on add, if any. */
  readonly vocabSize: number | undefined;
  /** Whether sampling is prioritized. */
  readonly prioritized: boolean;
  /** Prioritized-replay exponents and constants in effect (also present, unused, for uniform buffers). */
  readonly priorityOptions: Readonly<Required<PrioritizedOptions>>;

  // Transition table: position → episode slot. Positions [0, capacity) are the ring, then the demo region.
  #transSlot: Int32Array;
  #ringHead = 0;
  #ringCount = 0;
  #demoCount = 0;

  // Episode slots (grown by doubling; slot numbers never move).
  #slotCap = 0;
  #slotId = new Float64Array(0);
  #slotRec = new Int32Array(0); // record offset in its arena (regular or demo)
  #slotPrompt = new Int32Array(0);
  #slotT = new Int32Array(0);
  #slotTrans = new Int32Array(0); // first transition position
  #slotRef = new Int32Array(0);
  #slotFlags = new Uint8Array(0);
  #stamp = new Int32Array(0);
  #rowOf = new Int32Array(0);
  #stampCounter = 0;
  #free: number[] = [];
  #idToSlot = new Map<number, number>();
  #nextId = 0;

  // Regular episodes in FIFO order (a ring of slots) and demonstrations in insertion order.
  #fifo = new Int32Array(16);
  #fifoHead = 0;
  #fifoCount = 0;
  #demoSlots: number[] = [];

  // Arenas: a record is tokens (P + T int32) followed by rewards (T float32).
  #arena: Int32Array;
  #arenaF: Float32Array;
  #arenaTail = 0;
  #arenaLive = 0;
  #demoArena: Int32Array;
  #demoArenaF: Float32Array;
  #demoTail = 0;

  #tree: SumTree | undefined;
  #maxPriority = 1;

  constructor(options: ReplayOptions) {
    if (options === null || typeof options !== "object")
      throw badOption("options", "an object like { capacity: 100000 }", options);
    const { capacity, demoCapacity = 0, vocabSize, prioritized = false } = options;
    if (!isPosInt(capacity) || capacity > 2 ** 30)
      throw badOption("capacity", "an integer in [1, 2^30] (transitions), e.g. 100000", capacity);
    if (!Number.isInteger(demoCapacity) || demoCapacity < 0 || capacity + demoCapacity > 2 ** 30)
      throw badOption("demoCapacity", "an integer ≥ 0 with capacity + demoCapacity ≤ 2^30", demoCapacity);
    if (vocabSize !== undefined && !isPosInt(vocabSize))
      throw badOption("vocabSize", "a positive integer or undefined", vocabSize);
    const p = typeof prioritized === "object" && prioritized !== null ? prioritized : {};
    const po = {
      alpha: p.alpha ?? 0.6,
      beta: p.beta ?? 0.4,
      epsilon: p.epsilon ?? 1e-6,
      demoBonus: p.demoBonus ?? 0,
    };
    if (!(po.alpha >= 0)) throw badOption("prioritized.alpha", "≥ 0 (e.g. 0.6)", po.alpha);
    if (!(po.beta >= 0 && po.beta <= 1)) throw badOption("prioritized.beta", "in [0, 1] (e.g. 0.4)", po.beta);
    if (!(po.epsilon > 0)) throw badOption("prioritized.epsilon", "> 0 (e.g. 1e-6)", po.epsilon);
    if (!(po.demoBonus >= 0)) throw badOption("prioritized.demoBonus", "≥ 0", po.demoBonus);
    this.capacity = capacity;
    this.demoCapacity = demoCapacity;
    this.vocabSize = vocabSize;
    this.prioritized = prioritized !== false;
    this.priorityOptions = Object.freeze(po);
    this.#transSlot = new Int32Array(capacity + demoCapacity);
    this.#arena = new Int32Array(1024);
    this.#arenaF = new Float32Array(this.#arena.buffer);
    this.#demoArena = new Int32Array(demoCapacity > 0 ? 1024 : 0);
    this.#demoArenaF = new Float32Array(this.#demoArena.buffer);
    this.#growSlots(64);
    if (this.prioritized) this.#tree = new SumTree(capacity + demoCapacity);
  }

  /** Transitions stored (regular + demonstrations). */
  get size(): number {
    return this.#ringCount + this.#demoCount;
  }
  /** Transitions stored in the evicting region. */
  get regularSize(): number {
    return this.#ringCount;
  }
  /** Transitions stored as demonstrations. */
  get demoSize(): number {
    return this.#demoCount;
  }
  /** Episodes stored (regular + demonstrations). */
  get episodeCount(): number {
    return this.#fifoCount + this.#demoSlots.length;
  }
  /** The largest raw priority seen so far (new transitions get it). */
  get maxPriority(): number {
    return this.#maxPriority;
  }

  /**
   * Stores an episode (copied once into the arena) and returns its id. Evicts the oldest regular episodes
   * until the new one fits. Throws {@link ReplayInputError} on malformed input.
   */
  add(episode: Episode, options: AddOptions = {}): number {
    const T = this.#validate(episode);
    const demo = options.demo === true;
    const P = episode.promptLength;
    const L = episode.tokens.length;
    let priority = this.#maxPriority;
    if (options.priority !== undefined) {
      if (!(options.priority > 0 && Number.isFinite(options.priority)))
        throw new ReplayInputError(
          "DQNLM_REPLAY_BAD_ARGUMENT",
          `priority must be a finite number > 0, received ${options.priority}`,
          "priority",
        );
      priority = options.priority;
      if (priority > this.#maxPriority) this.#maxPriority = priority;
    }
    if (demo) {
      if (this.#demoCount + T > this.demoCapacity)
        throw new ReplayInputError(
          "DQNLM_REPLAY_DEMO_FULL",
          `the demonstration region holds ${this.#demoCount} of ${this.demoCapacity} transitions and cannot take ` +
            `${T} more; create the buffer with a larger demoCapacity (demonstrations are never evicted)`,
          "demoCapacity",
        );
    } else {
      if (T > this.capacity)
        throw new ReplayInputError(
          "DQNLM_REPLAY_EPISODE_TOO_LONG",
          `an episode of ${T} transitions cannot fit a buffer of capacity ${this.capacity}; raise capacity or ` +
            "shorten episodes (maxNewTokens)",
          "capacity",
        );
      while (this.#ringCount + T > this.capacity) this.#evictOldest();
    }
    const slot = this.#allocSlot();
    const id = this.#nextId++;
    const rec = demo ? this.#allocDemo(L + T) : this.#allocRegular(L + T);
    const i32 = demo ? this.#demoArena : this.#arena;
    const f32 = demo ? this.#demoArenaF : this.#arenaF;
    i32.set(episode.tokens, rec);
    f32.set(episode.rewards, rec + L);
    let start: number;
    if (demo) {
      start = this.capacity + this.#demoCount;
      this.#demoCount += T;
      this.#demoSlots.push(slot);
    } else {
      start = (this.#ringHead + this.#ringCount) % this.capacity;
      this.#ringCount += T;
      this.#arenaLive += L + T;
      this.#fifoPush(slot);
    }
    this.#slotId[slot] = id;
    this.#slotRec[slot] = rec;
    this.#slotPrompt[slot] = P;
    this.#slotT[slot] = T;
    this.#slotTrans[slot] = start;
    this.#slotRef[slot] = episode.refIndex ?? -1;
    this.#slotFlags[slot] = LIVE | (demo ? DEMO : 0) | (episode.terminated ? TERMINATED : 0);
    this.#idToSlot.set(id, slot);
    const leaf = this.#leafValue(priority + (demo ? this.priorityOptions.demoBonus : 0));
    this.#fillPositions(start, T, slot, leaf);
    return id;
  }

  /** Whether an episode id is still stored. */
  has(id: number): boolean {
    return this.#idToSlot.has(id);
  }

  /**
   * The stored episode `id`. By default its arrays are views into the buffer, valid until the next `add`
   * (which may evict or compact); pass `{ copy: true }` for arrays you can keep.
   */
  getEpisode(id: number, options: { copy?: boolean } = {}): StoredEpisode {
    const slot = this.#idToSlot.get(id);
    if (slot === undefined)
      throw new ReplayInputError(
        "DQNLM_REPLAY_UNKNOWN_EPISODE",
        `no episode with id ${id} is stored (it was evicted or never added); use ids from the latest sample`,
        "id",
      );
    return this.#episodeAt(slot, options.copy === true);
  }

  /** {@link getEpisode} for several ids. */
  getEpisodes(ids: readonly number[], options: { copy?: boolean } = {}): StoredEpisode[] {
    return ids.map((id) => this.getEpisode(id, options));
  }

  /**
   * Samples `batchSize` transitions with replacement: uniformly (the method's e_t ~ Uniform(D)) or, for a
   * prioritized buffer, proportionally to p^α with stratified draws and importance weights (N·P(i))^−β
   * normalised by the largest weight in the batch. Throws {@link ReplayUnderfilledError} when the buffer holds fewer
   * than `batchSize` transitions.
   */
  sample(batchSize: number, rng: Rng, options: { beta?: number } = {}): TransitionBatch {
    const n = this.size;
    if (!isPosInt(batchSize))
      throw new ReplayInputError(
        "DQNLM_REPLAY_BAD_ARGUMENT",
        `batchSize must be a positive integer, received ${batchSize}`,
        "batchSize",
      );
    if (batchSize > n)
      throw new ReplayUnderfilledError(
        `cannot sample ${batchSize} transitions from a buffer holding ${n}; add more episodes first ` +
          "(e.g. wait until buffer.size ≥ batchSize before learning)",
        "batchSize",
        batchSize,
        n,
      );
    const indices = new Int32Array(batchSize);
    const weights = new Float32Array(batchSize);
    const tree = this.#tree;
    if (tree === undefined) {
      const ringCount = this.#ringCount;
      const head = this.#ringHead;
      const cap = this.capacity;
      for (let i = 0; i < batchSize; i++) {
        const r = rng.nextInt(n);
        indices[i] = r < ringCount ? (head + r) % cap : cap + (r - ringCount);
      }
      weights.fill(1);
    } else {
      const beta = options.beta ?? this.priorityOptions.beta;
      if (!(beta >= 0 && beta <= 1))
        throw new ReplayInputError(
          "DQNLM_REPLAY_BAD_ARGUMENT",
          `beta must be in [0, 1], received ${beta}`,
          "beta",
        );
      const total = tree.total();
      const seg = total / batchSize;
      // Stratified: one draw in each of batchSize equal slices of the priority mass.
      const masses = new Float64Array(batchSize);
      for (let i = 0; i < batchSize; i++) {
        const mass = (i + rng.next()) * seg;
        masses[i] = mass >= total ? total * (1 - 1e-12) : mass;
      }
      tree.findBatch(masses, indices);
      // w_i = (N·P(i))^−β / max_j (N·P(j))^−β over the batch = (q_i / q_min)^−β with q the leaf values p^α.
      // Normalising by the batch maximum (as Dopamine does) rather than the buffer's spares a min tree,
      // whose upkeep doubled the cost of every priority update.
      let minLeaf = Number.POSITIVE_INFINITY;
      for (let i = 0; i < batchSize; i++) {
        const q = tree.get(indices[i] as number);
        weights[i] = q;
        if (q < minLeaf) minLeaf = q;
      }
      for (let i = 0; i < batchSize; i++) weights[i] = ((weights[i] as number) / minLeaf) ** -beta;
    }
    return this.#assemble(indices, weights);
  }

  /**
   * Sets the priorities of the transitions of `batch` from their TD errors: p = |δ| + ε (+ demoBonus for
   * demonstrations). Transitions evicted since sampling are skipped. Returns how many were updated.
   * A no-op returning 0 on a uniform buffer.
   */
  updatePriorities(batch: TransitionBatch, tdErrors: ArrayLike<number>): number {
    if (tdErrors.length !== batch.size)
      throw new ReplayInputError(
        "DQNLM_REPLAY_BAD_ARGUMENT",
        `tdErrors must have one value per sampled transition (${batch.size}), received ${tdErrors.length}`,
        "tdErrors",
      );
    const tree = this.#tree;
    if (tree === undefined) return 0;
    const { epsilon, demoBonus } = this.priorityOptions;
    const positions: number[] = [];
    const leaves: number[] = [];
    for (let i = 0; i < batch.size; i++) {
      const d = tdErrors[i] as number;
      if (!Number.isFinite(d))
        throw new ReplayInputError(
          "DQNLM_REPLAY_BAD_ARGUMENT",
          `tdErrors[${i}] is ${d}; TD errors must be finite (check the loss for NaN/Inf before updating)`,
          "tdErrors",
        );
      const pos = batch.indices[i] as number;
      const slot = this.#transSlot[pos] as number;
      const flags = this.#slotFlags[slot] as number;
      if (
        !(flags & LIVE) ||
        this.#slotId[slot] !== batch.episodeIds[batch.rows[i] as number] ||
        this.#stepOf(slot, pos) !== batch.steps[i]
      )
        continue;
      const p = Math.abs(d) + epsilon + (flags & DEMO ? demoBonus : 0);
      if (p > this.#maxPriority) this.#maxPriority = p;
      positions.push(pos);
      leaves.push(this.#leafValue(p));
    }
    // Last write wins for a transition sampled twice, as with one-by-one updates.
    tree.setBatch(positions, leaves);
    return positions.length;
  }

  /** n-step returns, bootstrap states and discounts for every transition of `batch` (see {@link nStepReturn}). */
  nStepTargets(batch: TransitionBatch, n: number, gamma: number): NStepBatch {
    checkNStep(n, gamma);
    const returns = new Float32Array(batch.size);
    const bootstrapSteps = new Int32Array(batch.size);
    const discounts = new Float32Array(batch.size);
    const out = { ret: 0, bootstrapStep: -1, discount: 0 };
    for (let i = 0; i < batch.size; i++) {
      const slot = this.#slotOf(batch.episodeIds[batch.rows[i] as number] as number);
      const flags = this.#slotFlags[slot] as number;
      const L = (this.#slotPrompt[slot] as number) + (this.#slotT[slot] as number);
      const f32 = flags & DEMO ? this.#demoArenaF : this.#arenaF;
      nStepInto(
        f32,
        (this.#slotRec[slot] as number) + L,
        this.#slotT[slot] as number,
        (flags & TERMINATED) !== 0,
        batch.steps[i] as number,
        n,
        gamma,
        out,
      );
      returns[i] = out.ret;
      bootstrapSteps[i] = out.bootstrapStep;
      discounts[i] = out.discount;
    }
    return { returns, bootstrapSteps, discounts };
  }

  /**
   * Samples `count` distinct whole episodes (without replacement) for sequence-level learning.
   * Throws {@link ReplayUnderfilledError} when fewer episodes are stored.
   */
  sampleEpisodes(count: number, rng: Rng, options: SampleEpisodesOptions = {}): EpisodeBatch {
    const by = options.by ?? "episode";
    const total = this.episodeCount;
    if (!isPosInt(count))
      throw new ReplayInputError(
        "DQNLM_REPLAY_BAD_ARGUMENT",
        `count must be a positive integer, received ${count}`,
        "count",
      );
    if (by !== "episode" && by !== "transition")
      throw new ReplayInputError(
        "DQNLM_REPLAY_BAD_ARGUMENT",
        `by must be "episode" or "transition", received ${String(by)}`,
        "by",
      );
    if (count > total)
      throw new ReplayUnderfilledError(
        `cannot sample ${count} distinct episodes from a buffer holding ${total}; add more episodes first`,
        "count",
        count,
        total,
      );
    const slots: number[] = [];
    if (by === "episode") {
      // Floyd's algorithm: count distinct indices in [0, total) with exactly count draws.
      const chosen = new Set<number>();
      for (let j = total - count; j < total; j++) {
        const r = rng.nextInt(j + 1);
        const k = chosen.has(r) ? j : r;
        chosen.add(k);
        slots.push(this.#episodeSlotAt(k));
      }
    } else {
      const seen = new Set<number>();
      const n = this.size;
      const cap = this.capacity;
      while (slots.length < count) {
        const r = rng.nextInt(n);
        const pos = r < this.#ringCount ? (this.#ringHead + r) % cap : cap + (r - this.#ringCount);
        const slot = this.#transSlot[pos] as number;
        if (!seen.has(slot)) {
          seen.add(slot);
          slots.push(slot);
        }
      }
    }
    const episodes = slots.map((s) => this.#episodeAt(s, false));
    return { ids: episodes.map((e) => e.id), episodes };
  }

  /**
   * All stored episodes in canonical order (demonstrations in insertion order, then regular episodes oldest
   * first), as views.
   */
  episodes(): StoredEpisode[] {
    const out: StoredEpisode[] = [];
    for (let k = 0; k < this.episodeCount; k++) out.push(this.#episodeAt(this.#episodeSlotAt(k), false));
    return out;
  }

  /** Bytes held by all typed arrays of the buffer (arenas, tables, trees). */
  memoryBytes(): number {
    return (
      this.#transSlot.byteLength +
      this.#arena.byteLength +
      this.#demoArena.byteLength +
      this.#fifo.byteLength +
      this.#slotCap * (8 + 4 * 5 + 1 + 4 + 4) +
      (this.#tree?.bytes() ?? 0)
    );
  }

  /** Serialises the buffer (not the RNG) into the versioned binary format; see {@link ReplayBuffer.fromBytes}. */
  toBytes(): Uint8Array {
    const eps = this.episodes();
    const leaves: number[] = [];
    const positions: number[] = [];
    for (const e of eps) {
      const slot = this.#slotOf(e.id);
      positions.push(this.#slotTrans[slot] as number);
      if (this.#tree !== undefined) {
        const T = this.#slotT[slot] as number;
        const start = this.#slotTrans[slot] as number;
        for (let t = 0; t < T; t++) {
          const pos = e.demo ? start + t : (start + t) % this.capacity;
          leaves.push(this.#tree.get(pos));
        }
      }
    }
    const snapshot: ReplaySnapshot = {
      version: FORMAT_VERSION,
      options: {
        capacity: this.capacity,
        demoCapacity: this.demoCapacity,
        vocabSize: this.vocabSize,
        prioritized: this.prioritized ? { ...this.priorityOptions } : false,
      },
      ringHead: this.#ringHead,
      nextId: this.#nextId,
      maxPriority: this.#maxPriority,
      episodes: eps,
      positions,
      leaves: this.#tree === undefined ? undefined : Float64Array.from(leaves),
    };
    return encodeReplay(snapshot);
  }

  /**
   * Rebuilds a buffer from {@link ReplayBuffer.toBytes}. Layout, ids and priorities are restored exactly, so the
   * same RNG state gives the same batches as before saving. Throws `ReplayFileError` on corrupt input.
   */
  static fromBytes(bytes: Uint8Array, path = "<bytes>"): ReplayBuffer {
    const s = decodeReplay(bytes, path);
    const buf = new ReplayBuffer(s.options);
    buf.#restore(s);
    return buf;
  }

  /** Writes the buffer to `path` atomically (temp file + fsync + rename): the old file stays intact on failure. */
  save(path: string): void {
    writeFileAtomic(path, this.toBytes());
  }

  /** Loads a buffer written by {@link ReplayBuffer.save}. Throws `ReplayFileError` on a corrupt/truncated file. */
  static load(path: string): ReplayBuffer {
    return ReplayBuffer.fromBytes(readBytes(path), path);
  }

  // ——— internals ———

  #restore(s: ReplaySnapshot): void {
    this.#ringHead = s.ringHead % this.capacity;
    let leafOff = 0;
    for (let k = 0; k < s.episodes.length; k++) {
      const e = s.episodes[k] as StoredEpisode;
      const T = e.tokens.length - e.promptLength;
      const expected = e.demo
        ? this.capacity + this.#demoCount
        : (this.#ringHead + this.#ringCount) % this.capacity;
      if (s.positions[k] !== expected)
        throw new ReplayInputError(
          "DQNLM_REPLAY_BAD_EPISODE",
          `saved episode ${e.id} sits at position ${s.positions[k]} but the layout implies ${expected}`,
          "positions",
        );
      this.#nextId = e.id;
      this.add(e, { demo: e.demo });
      if (s.leaves !== undefined && this.#tree !== undefined) {
        const start = expected;
        for (let t = 0; t < T; t++) {
          const pos = e.demo ? start + t : (start + t) % this.capacity;
          this.#tree.set(pos, s.leaves[leafOff + t] as number);
        }
        leafOff += T;
      }
    }
    this.#nextId = s.nextId;
    this.#maxPriority = s.maxPriority;
  }

  #validate(e: Episode): number {
    if (e === null || typeof e !== "object")
      throw new ReplayInputError(
        "DQNLM_REPLAY_BAD_EPISODE",
        `expected an Episode { tokens, promptLength, rewards, terminated }, received ${String(e)}`,
        "episode",
      );
    if (!(e.tokens instanceof Int32Array))
      throw new ReplayInputError(
        "DQNLM_REPLAY_BAD_DTYPE",
        `episode.tokens must be an Int32Array, received ${describe(e.tokens)}; convert with Int32Array.from(ids)`,
        "tokens",
      );
    if (!(e.rewards instanceof Float32Array))
      throw new ReplayInputError(
        "DQNLM_REPLAY_BAD_DTYPE",
        `episode.rewards must be a Float32Array, received ${describe(e.rewards)}; convert with Float32Array.from(r)`,
        "rewards",
      );
    const P = e.promptLength;
    if (!Number.isInteger(P) || P < 1 || P >= e.tokens.length)
      throw new ReplayInputError(
        "DQNLM_REPLAY_BAD_EPISODE",
        `promptLength must be an integer in [1, tokens.length − 1] = [1, ${e.tokens.length - 1}], received ${P}; ` +
          "the prompt needs ≥ 1 token (e.g. BOS) so Q(s_0, ·) has a position, and an episode needs ≥ 1 action",
        "promptLength",
      );
    const T = e.tokens.length - P;
    if (e.rewards.length !== T)
      throw new ReplayInputError(
        "DQNLM_REPLAY_BAD_EPISODE",
        `rewards must have one value per action: tokens.length − promptLength = ${T}, received ${e.rewards.length}`,
        "rewards",
      );
    for (let i = 0; i < T; i++) {
      if (!Number.isFinite(e.rewards[i] as number))
        throw new ReplayInputError(
          "DQNLM_REPLAY_BAD_EPISODE",
          `rewards[${i}] is ${e.rewards[i]}; rewards must be finite`,
          "rewards",
        );
    }
    const V = this.vocabSize ?? 2 ** 31;
    const toks = e.tokens;
    for (let i = 0; i < toks.length; i++) {
      const x = toks[i] as number;
      if (x < 0 || x >= V)
        throw new ReplayInputError(
          "DQNLM_REPLAY_TOKEN_OUT_OF_RANGE",
          `tokens[${i}] = ${x} is outside the vocabulary [0, ${this.vocabSize ?? "2^31"}); check the tokenizer ` +
            "matches the buffer's vocabSize",
          "tokens",
        );
    }
    if (typeof e.terminated !== "boolean")
      throw new ReplayInputError(
        "DQNLM_REPLAY_BAD_EPISODE",
        `terminated must be a boolean (true = ended on EOS), received ${String(e.terminated)}`,
        "terminated",
      );
    if (
      e.refIndex !== undefined &&
      (!Number.isInteger(e.refIndex) || e.refIndex < 0 || e.refIndex >= 2 ** 31)
    )
      throw new ReplayInputError(
        "DQNLM_REPLAY_BAD_EPISODE",
        `refIndex must be an integer in [0, 2^31) or undefined, received ${e.refIndex}`,
        "refIndex",
      );
    return T;
  }

  #leafValue(p: number): number {
    return this.priorityOptions.alpha === 1 ? p : p ** this.priorityOptions.alpha;
  }

  #fillPositions(start: number, T: number, slot: number, leaf: number): void {
    const ts = this.#transSlot;
    const demo = start >= this.capacity;
    if (demo || start + T <= this.capacity) {
      ts.fill(slot, start, start + T);
      this.#tree?.setRange(start, new Float64Array(T).fill(leaf));
    } else {
      const first = this.capacity - start;
      ts.fill(slot, start, this.capacity);
      ts.fill(slot, 0, T - first);
      this.#tree?.setRange(start, new Float64Array(first).fill(leaf));
      this.#tree?.setRange(0, new Float64Array(T - first).fill(leaf));
    }
  }

  #evictOldest(): void {
    const slot = this.#fifo[this.#fifoHead] as number;
    this.#fifoHead = (this.#fifoHead + 1) % this.#fifo.length;
    this.#fifoCount--;
    const T = this.#slotT[slot] as number;
    const start = this.#slotTrans[slot] as number;
    const tree = this.#tree;
    if (tree !== undefined) {
      const zeros = new Float64Array(Math.min(T, this.capacity - start));
      tree.setRange(start, zeros);
      if (start + T > this.capacity) tree.setRange(0, new Float64Array(start + T - this.capacity));
    }
    this.#ringHead = (this.#ringHead + T) % this.capacity;
    this.#ringCount -= T;
    this.#arenaLive -= (this.#slotPrompt[slot] as number) + 2 * T;
    this.#idToSlot.delete(this.#slotId[slot] as number);
    this.#slotFlags[slot] = 0;
    this.#free.push(slot);
  }

  #fifoPush(slot: number): void {
    if (this.#fifoCount === this.#fifo.length) {
      const next = new Int32Array(this.#fifo.length * 2);
      for (let k = 0; k < this.#fifoCount; k++)
        next[k] = this.#fifo[(this.#fifoHead + k) % this.#fifo.length] as number;
      this.#fifo = next;
      this.#fifoHead = 0;
    }
    this.#fifo[(this.#fifoHead + this.#fifoCount) % this.#fifo.length] = slot;
    this.#fifoCount++;
  }

  #episodeSlotAt(k: number): number {
    const d = this.#demoSlots.length;
    if (k < d) return this.#demoSlots[k] as number;
    return this.#fifo[(this.#fifoHead + k - d) % this.#fifo.length] as number;
  }

  /** Reserves `need` words at the end of the regular arena, compacting (and growing) it when full. */
  #allocRegular(need: number): number {
    if (this.#arenaTail + need > this.#arena.length) {
      const live = this.#arenaLive;
      let len = this.#arena.length;
      while ((live + need) * 2 > len) len *= 2;
      const target = len === this.#arena.length ? this.#arena : new Int32Array(len);
      // Live regular records are in FIFO order in the arena, so copying them front-to-back never overlaps badly.
      let w = 0;
      for (let k = 0; k < this.#fifoCount; k++) {
        const slot = this.#fifo[(this.#fifoHead + k) % this.#fifo.length] as number;
        const rec = this.#slotRec[slot] as number;
        const n = (this.#slotPrompt[slot] as number) + 2 * (this.#slotT[slot] as number);
        if (target === this.#arena) target.copyWithin(w, rec, rec + n);
        else target.set(this.#arena.subarray(rec, rec + n), w);
        this.#slotRec[slot] = w;
        w += n;
      }
      if (target !== this.#arena) {
        this.#arena = target;
        this.#arenaF = new Float32Array(target.buffer);
      }
      this.#arenaTail = w;
    }
    const rec = this.#arenaTail;
    this.#arenaTail += need;
    return rec;
  }

  #allocDemo(need: number): number {
    if (this.#demoTail + need > this.#demoArena.length) {
      let len = Math.max(1024, this.#demoArena.length);
      while (this.#demoTail + need > len) len *= 2;
      const next = new Int32Array(len);
      next.set(this.#demoArena.subarray(0, this.#demoTail));
      this.#demoArena = next;
      this.#demoArenaF = new Float32Array(next.buffer);
    }
    const rec = this.#demoTail;
    this.#demoTail += need;
    return rec;
  }

  #allocSlot(): number {
    if (this.#free.length === 0) this.#growSlots(this.#slotCap * 2);
    return this.#free.pop() as number;
  }

  #growSlots(cap: number): void {
    const grow = <A extends Int32Array | Float64Array | Uint8Array>(a: A, make: (n: number) => A): A => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.#slotId = grow(this.#slotId, (n) => new Float64Array(n));
    this.#slotRec = grow(this.#slotRec, (n) => new Int32Array(n));
    this.#slotPrompt = grow(this.#slotPrompt, (n) => new Int32Array(n));
    this.#slotT = grow(this.#slotT, (n) => new Int32Array(n));
    this.#slotTrans = grow(this.#slotTrans, (n) => new Int32Array(n));
    this.#slotRef = grow(this.#slotRef, (n) => new Int32Array(n));
    this.#slotFlags = grow(this.#slotFlags, (n) => new Uint8Array(n));
    this.#stamp = grow(this.#stamp, (n) => new Int32Array(n));
    this.#rowOf = grow(this.#rowOf, (n) => new Int32Array(n));
    // Push new slots so that the lowest numbers are popped first.
    for (let s = cap - 1; s >= this.#slotCap; s--) this.#free.push(s);
    this.#slotCap = cap;
  }

  #slotOf(id: number): number {
    const slot = this.#idToSlot.get(id);
    if (slot === undefined)
      throw new ReplayInputError(
        "DQNLM_REPLAY_UNKNOWN_EPISODE",
        `episode ${id} is no longer stored (evicted since it was sampled); sample again after adding episodes`,
        "episodeIds",
      );
    return slot;
  }

  #stepOf(slot: number, pos: number): number {
    const t = pos - (this.#slotTrans[slot] as number);
    return t < 0 ? t + this.capacity : t;
  }

  #assemble(indices: Int32Array, weights: Float32Array): TransitionBatch {
    const n = indices.length;
    const rows = new Int32Array(n);
    const steps = new Int32Array(n);
    const demo = new Uint8Array(n);
    const episodeIds: number[] = [];
    const stamp = this.#stamp;
    const rowOf = this.#rowOf;
    if (++this.#stampCounter >= 2 ** 31 - 1) {
      stamp.fill(0);
      this.#stampCounter = 1;
    }
    const cur = this.#stampCounter;
    for (let i = 0; i < n; i++) {
      const pos = indices[i] as number;
      const slot = this.#transSlot[pos] as number;
      if (stamp[slot] !== cur) {
        stamp[slot] = cur;
        rowOf[slot] = episodeIds.length;
        episodeIds.push(this.#slotId[slot] as number);
      }
      rows[i] = rowOf[slot] as number;
      steps[i] = this.#stepOf(slot, pos);
      demo[i] = (this.#slotFlags[slot] as number) & DEMO ? 1 : 0;
    }
    return { size: n, episodeIds, rows, steps, indices, weights, demo };
  }

  #episodeAt(slot: number, copy: boolean): StoredEpisode {
    const flags = this.#slotFlags[slot] as number;
    const isDemo = (flags & DEMO) !== 0;
    const i32 = isDemo ? this.#demoArena : this.#arena;
    const f32 = isDemo ? this.#demoArenaF : this.#arenaF;
    const rec = this.#slotRec[slot] as number;
    const P = this.#slotPrompt[slot] as number;
    const T = this.#slotT[slot] as number;
    const tokens = i32.subarray(rec, rec + P + T);
    const rewards = f32.subarray(rec + P + T, rec + P + 2 * T);
    const ref = this.#slotRef[slot] as number;
    const e: StoredEpisode = {
      id: this.#slotId[slot] as number,
      demo: isDemo,
      tokens: copy ? tokens.slice() : tokens,
      promptLength: P,
      rewards: copy ? rewards.slice() : rewards,
      terminated: (flags & TERMINATED) !== 0,
      ...(ref >= 0 ? { refIndex: ref } : {}),
    };
    return e;
  }
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return `Array(${x.length})`;
  const name = (x as { constructor?: { name?: string } }).constructor?.name;
  return name ?? typeof x;
}

function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new ReplayFileError(
      "DQNLM_REPLAY_FILE_READ",
      `cannot read replay file ${path}: ${(cause as Error).message}`,
      path,
      cause,
    );
  }
}
