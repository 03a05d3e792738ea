/**
 * The token MDP: state = token sequence, action = next token, s_{t+1} = s_t ⊕ a_t. An episode ends on EOS
 * (terminated, absorbing) or when `maxNewTokens` / `maxLength` is reached (truncated: the learner bootstraps).
 * Rewards come from a function passed in, so this package never depends on metric code.
 */
import type { Episode } from "@dqnlm/core";
import { check, MdpError } from "./errors.js";

/** What a reward function is told besides the generated tokens. */
export interface StepContext {
  /** Row of the episode in a batch (0 for {@link TokenMDP}). */
  readonly row: number;
  /** Index t of the action just taken (0-based). */
  readonly t: number;
  /** The prompt tokens (a view; do not keep it). */
  readonly prompt: Int32Array;
  /** The reference example index given to `reset`, if any. */
  readonly refIndex: number | undefined;
}

/**
 * Per-step reward r_t for the action just taken. `generated` holds a_0..a_t (a view, EOS included when the
 * action was EOS); `done` tells whether this action ends the episode. The rewards package's prefix / delta /
 * terminal forms fit this shape (the delta form keeps m_t between calls, per row).
 */
export type StepRewardFn = (generated: Int32Array, done: boolean, ctx: StepContext) => number;

/** What an episode-level reward function is told. */
export interface EpisodeContext {
  /** Row of the episode in a batch (0 for {@link TokenMDP}). */
  readonly row: number;
  /** The prompt tokens (a view). */
  readonly prompt: Int32Array;
  /** The reference example index given to `reset`, if any. */
  readonly refIndex: number | undefined;
  /** True when the episode ended on EOS, false when cut at the length limit. */
  readonly terminated: boolean;
}

/**
 * All rewards r_0..r_{T−1} of a finished episode at once (e.g. `stepRewards(prefixScores(...), form)` from the
 * rewards package): cheaper than T separate calls when scoring prefixes shares work. Must return T numbers.
 */
export type EpisodeRewardFn = (generated: Int32Array, ctx: EpisodeContext) => ArrayLike<number>;

/** Options of {@link TokenMDP} and {@link BatchTokenMDP}. */
export interface TokenMDPOptions {
  /** Vocabulary size: every action must be an integer in [0, vocabSize). */
  vocabSize: number;
  /** The end-of-sequence id; taking it ends the episode (terminated). */
  eosId: number;
  /** Largest number of generated tokens T; reaching it ends the episode (truncated). */
  maxNewTokens: number;
  /** Largest total length prompt + generated (e.g. the model's nPositions). @default Infinity */
  maxLength?: number;
  /** Per-step reward; give exactly one of `stepReward` and `episodeReward`. */
  stepReward?: StepRewardFn;
  /** Whole-episode reward, called once when an episode ends; step results then carry 0 until the end. */
  episodeReward?: EpisodeRewardFn;
}

/** The result of {@link TokenMDP.step}. */
export interface StepResult {
  /** s_{t+1} (a view, valid until the next step/reset). */
  readonly state: Int32Array;
  /** r_t (with `episodeReward`: 0 until the final step, which carries r_{T−1}). */
  readonly reward: number;
  /** Whether the episode is over. */
  readonly done: boolean;
  /** Ended on EOS. */
  readonly terminated: boolean;
  /** Ended at the length limit. */
  readonly truncated: boolean;
}

/** The result of {@link BatchTokenMDP.step}; arrays are fresh each call. */
export interface BatchStepResult {
  /** r_t per row (0 for rows that were already done before this step). */
  readonly rewards: Float32Array;
  /** 1 for rows that are done after this step. */
  readonly done: Uint8Array;
  /** Rows that finished at this step. */
  readonly finished: readonly number[];
  /** True when every row is done. */
  readonly allDone: boolean;
}

function checkOptions(o: TokenMDPOptions): void {
  check(
    o !== null && typeof o === "object",
    "DQNLM_MDP_BAD_OPTION",
    "options",
    () => "options must be an object like { vocabSize, eosId, maxNewTokens, stepReward }",
  );
  check(
    Number.isInteger(o.vocabSize) && o.vocabSize > 0,
    "DQNLM_MDP_BAD_OPTION",
    "vocabSize",
    () => `vocabSize must be a positive integer, received ${o.vocabSize}`,
  );
  check(
    Number.isInteger(o.eosId) && o.eosId >= 0 && o.eosId < o.vocabSize,
    "DQNLM_MDP_BAD_OPTION",
    "eosId",
    () =>
      `eosId must be an integer in [0, vocabSize=${o.vocabSize}), received ${o.eosId}; use tokenizer.eosId`,
  );
  check(
    Number.isInteger(o.maxNewTokens) && o.maxNewTokens > 0,
    "DQNLM_MDP_BAD_OPTION",
    "maxNewTokens",
    () => `maxNewTokens must be a positive integer, received ${o.maxNewTokens}`,
  );
  const ml = o.maxLength ?? Number.POSITIVE_INFINITY;
  check(
    ml === Number.POSITIVE_INFINITY || (Number.isInteger(ml) && ml > 1),
    "DQNLM_MDP_BAD_OPTION",
    "maxLength",
    () => `maxLength must be an integer > 1 or Infinity, received ${ml}`,
  );
  check(
    (o.stepReward === undefined) !== (o.episodeReward === undefined),
    "DQNLM_MDP_BAD_OPTION",
    "stepReward",
    () => "give exactly one of stepReward (per step) and episodeReward (once per episode)",
  );
}

function toPrompt(prompt: ArrayLike<number>, vocabSize: number, field: string): Int32Array {
  check(
    prompt !== null && typeof prompt === "object" && typeof prompt.length === "number" && prompt.length > 0,
    "DQNLM_MDP_BAD_ARGUMENT",
    field,
    () => `${field} must be a non-empty array of token ids (at least BOS), received ${String(prompt)}`,
  );
  const out = Int32Array.from(prompt);
  for (let i = 0; i < out.length; i++) {
    const x = out[i] as number;
    if (x < 0 || x >= vocabSize || x !== prompt[i])
      throw new MdpError(
        "DQNLM_MDP_TOKEN_OUT_OF_RANGE",
        `${field}[${i}] = ${prompt[i]} is not a token id in [0, ${vocabSize})`,
        field,
      );
  }
  return out;
}

/**
 * N episodes of the token MDP stepped together, with ragged prompt lengths and a done mask: the shape a
 * batched decoder produces. Finished rows ignore their actions. When all rows are done, {@link episodes}
 * returns them as plain {@link Episode}s for replay.
 *
 * @example
 * const mdp = new BatchTokenMDP({ vocabSize: V, eosId: tok.eosId, maxNewTokens: 32, stepReward });
 * mdp.reset(prompts.map((p) => [tok.bosId, ...tok.encode(p), tok.sepId]));
 * while (!mdp.allDone) mdp.step(policy(mdp.lastTokens()));
 * const eps = mdp.episodes();
 */
export class BatchTokenMDP {
  readonly #o: Required<Omit<TokenMDPOptions, "stepReward" | "episodeReward">>;
  readonly #stepReward: StepRewardFn | undefined;
  readonly #episodeReward: EpisodeRewardFn | undefined;
  #n = 0;
  #width = 0;
  #tokens = new Int32Array(0);
  #promptLen = new Int32Array(0);
  #len = new Int32Array(0);
  #rewards = new Float32Array(0);
  #done = new Uint8Array(0);
  #terminated = new Uint8Array(0);
  #refs: (number | undefined)[] = [];
  #promptViews: Int32Array[] = [];
  #active = 0;
  #started = false;

  constructor(options: TokenMDPOptions) {
    checkOptions(options);
    this.#o = {
      vocabSize: options.vocabSize,
      eosId: options.eosId,
      maxNewTokens: options.maxNewTokens,
      maxLength: options.maxLength ?? Number.POSITIVE_INFINITY,
    };
    this.#stepReward = options.stepReward;
    this.#episodeReward = options.episodeReward;
  }

  /** Number of rows of the current batch. */
  get batchSize(): number {
    return this.#n;
  }
  /** True when every row is done. */
  get allDone(): boolean {
    return this.#started && this.#active === 0;
  }
  /** The done mask (a view; 1 = done). */
  get done(): Uint8Array {
    return this.#done;
  }
  /** 1 for rows that ended on EOS (a view; 0 for running or truncated rows). */
  get terminated(): Uint8Array {
    return this.#terminated;
  }

  /** Starts N episodes from token prompts (each non-empty; include BOS/SEP as your format needs). */
  reset(prompts: readonly ArrayLike<number>[], refIndices?: readonly (number | undefined)[]): void {
    check(
      Array.isArray(prompts) && prompts.length > 0,
      "DQNLM_MDP_BAD_ARGUMENT",
      "prompts",
      () => `prompts must be a non-empty array of token-id arrays, received ${String(prompts)}`,
    );
    check(
      refIndices === undefined || refIndices.length === prompts.length,
      "DQNLM_MDP_BAD_ARGUMENT",
      "refIndices",
      () => `refIndices must have one entry per prompt (${prompts.length}), received ${refIndices?.length}`,
    );
    const ps = prompts.map((p, i) => toPrompt(p, this.#o.vocabSize, `prompts[${i}]`));
    let pmax = 0;
    for (const p of ps) pmax = Math.max(pmax, p.length);
    const n = ps.length;
    const T = this.#o.maxNewTokens;
    check(
      pmax < this.#o.maxLength,
      "DQNLM_MDP_BAD_ARGUMENT",
      "prompts",
      () => `a prompt of ${pmax} tokens leaves no room under maxLength=${this.#o.maxLength}; shorten it`,
    );
    this.#n = n;
    this.#width = pmax + T;
    this.#tokens = new Int32Array(n * this.#width);
    this.#promptLen = new Int32Array(n);
    this.#len = new Int32Array(n);
    this.#rewards = new Float32Array(n * T);
    this.#done = new Uint8Array(n);
    this.#terminated = new Uint8Array(n);
    this.#refs = ps.map((_, i) => refIndices?.[i]);
    for (let i = 0; i < n; i++) {
      const p = ps[i] as Int32Array;
      this.#tokens.set(p, i * this.#width);
      this.#promptLen[i] = p.length;
      this.#len[i] = p.length;
    }
    this.#promptViews = ps.map((p, i) => this.#tokens.subarray(i * this.#width, i * this.#width + p.length));
    this.#active = n;
    this.#started = true;
  }

  /**
   * Appends one action per row (ignored for rows already done), computes rewards and ends rows on EOS or at the
   * length limit.
   */
  step(actions: ArrayLike<number>): BatchStepResult {
    check(
      this.#started,
      "DQNLM_MDP_EPISODE_STATE",
      "reset",
      () => "call reset(prompts) before step(actions)",
    );
    check(
      this.#active > 0,
      "DQNLM_MDP_EPISODE_STATE",
      "actions",
      () => "every episode is done; read episodes() and call reset() for new ones",
    );
    check(
      actions !== null && typeof actions === "object" && actions.length === this.#n,
      "DQNLM_MDP_BAD_ARGUMENT",
      "actions",
      () => `actions must hold one id per row (${this.#n}), received length ${actions?.length}`,
    );
    const n = this.#n;
    const V = this.#o.vocabSize;
    const rewards = new Float32Array(n);
    const finished: number[] = [];
    for (let i = 0; i < n; i++) {
      if (this.#done[i]) continue;
      const a = actions[i] as number;
      if (!Number.isInteger(a) || a < 0 || a >= V)
        throw new MdpError(
          "DQNLM_MDP_TOKEN_OUT_OF_RANGE",
          `actions[${i}] = ${a} is not a token id in [0, ${V})`,
          "actions",
        );
    }
    for (let i = 0; i < n; i++) {
      if (this.#done[i]) continue;
      const a = actions[i] as number;
      const base = i * this.#width;
      const P = this.#promptLen[i] as number;
      const len = this.#len[i] as number;
      this.#tokens[base + len] = a;
      this.#len[i] = len + 1;
      const t = len - P;
      const terminated = a === this.#o.eosId;
      const done = terminated || t + 1 >= this.#o.maxNewTokens || len + 1 >= this.#o.maxLength;
      if (this.#stepReward !== undefined) {
        const r = this.#stepReward(this.#tokens.subarray(base + P, base + len + 1), done, {
          row: i,
          t,
          prompt: this.#promptViews[i] as Int32Array,
          refIndex: this.#refs[i],
        });
        if (!Number.isFinite(r))
          throw new MdpError(
            "DQNLM_MDP_BAD_ARGUMENT",
            `stepReward returned ${r} for row ${i}, t=${t}; rewards must be finite`,
            "stepReward",
          );
        this.#rewards[i * this.#o.maxNewTokens + t] = r;
        rewards[i] = r;
      }
      if (done) {
        this.#done[i] = 1;
        this.#terminated[i] = terminated ? 1 : 0;
        this.#active--;
        finished.push(i);
        if (this.#episodeReward !== undefined) {
          const T = t + 1;
          const rs = this.#episodeReward(this.#tokens.subarray(base + P, base + len + 1), {
            row: i,
            prompt: this.#promptViews[i] as Int32Array,
            refIndex: this.#refs[i],
            terminated,
          });
          check(
            rs !== null && typeof rs === "object" && rs.length === T,
            "DQNLM_MDP_BAD_ARGUMENT",
            "episodeReward",
            () =>
              `episodeReward must return ${T} rewards (one per action) for row ${i}, received ${rs?.length}`,
          );
          for (let k = 0; k < T; k++) {
            const r = rs[k] as number;
            check(
              Number.isFinite(r),
              "DQNLM_MDP_BAD_ARGUMENT",
              "episodeReward",
              () => `episodeReward returned ${r} at t=${k}; rewards must be finite`,
            );
            this.#rewards[i * this.#o.maxNewTokens + k] = r;
          }
          rewards[i] = rs[T - 1] as number;
        }
      }
    }
    return { rewards, done: this.#done.slice(), finished, allDone: this.#active === 0 };
  }

  /** Current lengths (prompt + generated) per row. */
  lengths(): Int32Array {
    return this.#len.slice(0, this.#n);
  }

  /** Prompt lengths per row. */
  promptLengths(): Int32Array {
    return this.#promptLen.slice(0, this.#n);
  }

  /** The last token of each row (what an incremental decoder feeds next); `padId` for rows that are done. */
  lastTokens(padId = 0): Int32Array {
    const out = new Int32Array(this.#n);
    for (let i = 0; i < this.#n; i++)
      out[i] = this.#done[i]
        ? padId
        : (this.#tokens[i * this.#width + (this.#len[i] as number) - 1] as number);
    return out;
  }

  /** The current states of row `i` (a view: prompt ⊕ generated so far). */
  state(i: number): Int32Array {
    this.#row(i);
    return this.#tokens.subarray(i * this.#width, i * this.#width + (this.#len[i] as number));
  }

  /** The generated tokens of row `i` (a view). */
  generated(i: number): Int32Array {
    this.#row(i);
    const base = i * this.#width;
    return this.#tokens.subarray(base + (this.#promptLen[i] as number), base + (this.#len[i] as number));
  }

  /**
   * The current states right-padded to the longest row: `ids` is [batchSize × width] row-major (a fresh copy),
   * ready for a causal network's forward pass.
   */
  padded(padId = 0): { ids: Int32Array; width: number; lengths: Int32Array } {
    let width = 0;
    for (let i = 0; i < this.#n; i++) width = Math.max(width, this.#len[i] as number);
    const ids = new Int32Array(this.#n * width).fill(padId);
    for (let i = 0; i < this.#n; i++)
      ids.set(this.#tokens.subarray(i * this.#width, i * this.#width + (this.#len[i] as number)), i * width);
    return { ids, width, lengths: this.lengths() };
  }

  /** The finished episodes as plain data (fresh arrays), in row order. Throws until every row is done. */
  episodes(): Episode[] {
    check(
      this.allDone,
      "DQNLM_MDP_EPISODE_STATE",
      "episodes",
      () => `${this.#active} of ${this.#n} episodes are still running; keep stepping until allDone`,
    );
    const out: Episode[] = [];
    for (let i = 0; i < this.#n; i++) {
      const base = i * this.#width;
      const P = this.#promptLen[i] as number;
      const L = this.#len[i] as number;
      const ref = this.#refs[i];
      const rb = i * this.#o.maxNewTokens;
      out.push({
        tokens: this.#tokens.slice(base, base + L),
        promptLength: P,
        rewards: this.#rewards.slice(rb, rb + L - P),
        terminated: this.#terminated[i] === 1,
        ...(ref === undefined ? {} : { refIndex: ref }),
      });
    }
    return out;
  }

  #row(i: number): void {
    check(
      Number.isInteger(i) && i >= 0 && i < this.#n,
      "DQNLM_MDP_BAD_ARGUMENT",
      "row",
      () => `row must be an integer in [0, ${this.#n}), received ${i}`,
    );
  }
}

/**
 * One episode of the token MDP (a {@link BatchTokenMDP} of one row with a scalar interface).
 *
 * @example
 * const mdp = new TokenMDP({ vocabSize: 10, eosId: 2, maxNewTokens: 4, stepReward: (g, done) => (done ? 1 : 0) });
 * mdp.reset([1]);
 * mdp.step(5); // { state: [1, 5], reward: 0, done: false, terminated: false, truncated: false }
 * mdp.step(2); // { state: [1, 5, 2], reward: 1, done: true, terminated: true, truncated: false }
 * mdp.episode(); // { tokens: [1, 5, 2], promptLength: 1, rewards: [0, 1], terminated: true }
 */
export class TokenMDP {
  readonly #batch: BatchTokenMDP;
  // A plain array, not an Int32Array: a typed array would silently truncate 1.5 → 1 and hide bad actions.
  readonly #action: number[] = [0];

  constructor(options: TokenMDPOptions) {
    this.#batch = new BatchTokenMDP(options);
  }

  /** Starts an episode from a token prompt; returns s_0 (a view). */
  reset(prompt: ArrayLike<number>, refIndex?: number): Int32Array {
    this.#batch.reset([prompt], [refIndex]);
    return this.#batch.state(0);
  }

  /** Takes action a_t. */
  step(action: number): StepResult {
    this.#action[0] = action;
    const r = this.#batch.step(this.#action);
    const done = r.done[0] === 1;
    const state = this.#batch.state(0);
    const terminated = done && this.#batch.terminated[0] === 1;
    return { state, reward: r.rewards[0] as number, done, terminated, truncated: done && !terminated };
  }

  /** The current state s_t (a view). */
  get state(): Int32Array {
    return this.#batch.state(0);
  }

  /** Whether the episode is over. */
  get done(): boolean {
    return this.#batch.allDone;
  }

  /** The finished episode as plain data. Throws while it is still running. */
  episode(): Episode {
    return this.#batch.episodes()[0] as Episode;
  }
}
