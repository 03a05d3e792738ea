/**
 * The selection MDP, the seed's other action space: at each decision the action picks one of K candidates
 * (a response for dialogue, an answer or a QA model for QA) instead of one token. With `horizon` 1 it is a
 * contextual bandit; with more, the chosen candidate is appended to the state and new candidates are offered.
 */
import { check, MdpError } from "./errors.js";

/** One episode's input: the initial state and the first decision's candidates. */
export interface SelectionTask {
  /** s_0 as token ids. */
  readonly prompt: ArrayLike<number>;
  /** The K ≥ 1 candidates of the first decision, as token ids. */
  readonly candidates: readonly ArrayLike<number>[];
  /** The reference example index, for bookkeeping. @default undefined */
  readonly refIndex?: number;
}

/** What the reward and next-candidates functions are told about decision t. */
export interface SelectionContext {
  /** Row of the episode in a batch (0 for {@link SelectionMDP}). */
  readonly row: number;
  /** Index of the decision (0-based). */
  readonly t: number;
  /** The task given to `reset`. */
  readonly task: SelectionTask;
  /** s_t before the choice (a fresh array). */
  readonly state: Int32Array;
  /** The candidates offered at decision t. */
  readonly candidates: readonly Int32Array[];
  /** Choices made before decision t. */
  readonly history: readonly number[];
}

/** r_t for choosing candidate `choice` at decision t. */
export type SelectionRewardFn = (choice: number, ctx: SelectionContext) => number;

/** The candidates of decision t+1, or null / [] to end the episode (terminated). */
export type NextCandidatesFn = (choice: number, ctx: SelectionContext) => readonly ArrayLike<number>[] | null;

/** Options of {@link SelectionMDP} and {@link BatchSelectionMDP}. */
export interface SelectionMDPOptions {
  /** Reward of each choice. */
  reward: SelectionRewardFn;
  /** Largest number of decisions per episode; reaching it ends the episode (terminated: the task's length). @default 1 */
  horizon?: number;
  /** Candidates of the next decision. @default the same candidates again */
  next?: NextCandidatesFn;
  /** When set, s_{t+1} = s_t ⊕ [sepId] ⊕ chosen candidate; otherwise s_{t+1} = s_t ⊕ chosen candidate. @default undefined */
  sepId?: number;
}

/** A finished selection episode as plain data. */
export interface SelectionEpisode {
  /** s_0 … s_T as token ids (T + 1 states). */
  readonly states: readonly Int32Array[];
  /** The candidates offered at each decision (T lists). */
  readonly candidates: readonly (readonly Int32Array[])[];
  /** The chosen candidate index at each decision. */
  readonly choices: Int32Array;
  /** r_t per decision. */
  readonly rewards: Float32Array;
  /** True when `next` ended the episode or the horizon was reached (the only ways it ends). */
  readonly terminated: boolean;
  /** The task's reference index, if any. */
  readonly refIndex?: number;
}

/** The result of {@link BatchSelectionMDP.step}. */
export interface BatchSelectionStepResult {
  /** r_t per row (0 for rows already done). */
  readonly rewards: Float32Array;
  /** 1 for rows done after this step. */
  readonly done: Uint8Array;
  /** Rows that finished at this step. */
  readonly finished: readonly number[];
  /** True when every row is done. */
  readonly allDone: boolean;
}

interface Row {
  task: SelectionTask;
  states: Int32Array[];
  offered: Int32Array[][];
  choices: number[];
  rewards: number[];
  done: boolean;
}

function toIds(x: ArrayLike<number>, field: string): Int32Array {
  check(
    x !== null && typeof x === "object" && typeof x.length === "number",
    "DQNLM_MDP_BAD_ARGUMENT",
    field,
    () => `${field} must be an array of token ids, received ${String(x)}`,
  );
  const out = Int32Array.from(x);
  for (let i = 0; i < out.length; i++)
    if (out[i] !== x[i] || (out[i] as number) < 0)
      throw new MdpError("DQNLM_MDP_TOKEN_OUT_OF_RANGE", `${field}[${i}] = ${x[i]} is not a token id`, field);
  return out;
}

function toCandidates(list: readonly ArrayLike<number>[] | null, field: string): Int32Array[] {
  if (list === null) return [];
  check(
    Array.isArray(list),
    "DQNLM_MDP_BAD_ARGUMENT",
    field,
    () => `${field} must be an array of candidates`,
  );
  return list.map((c, k) => toIds(c, `${field}[${k}]`));
}

/**
 * N selection episodes stepped together (ragged candidate counts and lengths, a done mask).
 *
 * @example
 * const mdp = new BatchSelectionMDP({ reward: (c, ctx) => (c === gold[ctx.row] ? 1 : 0) });
 * mdp.reset(tasks);                       // { prompt, candidates }[]
 * mdp.step(tasks.map(() => 0));           // pick candidate 0 everywhere
 * mdp.episodes();                         // SelectionEpisode[]
 */
export class BatchSelectionMDP {
  readonly #reward: SelectionRewardFn;
  readonly #next: NextCandidatesFn | undefined;
  readonly #horizon: number;
  readonly #sepId: number | undefined;
  #rows: Row[] = [];
  #active = 0;

  constructor(options: SelectionMDPOptions) {
    check(
      options !== null && typeof options === "object" && typeof options.reward === "function",
      "DQNLM_MDP_BAD_OPTION",
      "reward",
      () => "options.reward must be a function (choice, ctx) => number",
    );
    const horizon = options.horizon ?? 1;
    check(
      Number.isInteger(horizon) && horizon >= 1,
      "DQNLM_MDP_BAD_OPTION",
      "horizon",
      () => `horizon must be an integer ≥ 1, received ${horizon}`,
    );
    check(
      options.sepId === undefined || (Number.isInteger(options.sepId) && options.sepId >= 0),
      "DQNLM_MDP_BAD_OPTION",
      "sepId",
      () => `sepId must be a token id or undefined, received ${options.sepId}`,
    );
    this.#reward = options.reward;
    this.#next = options.next;
    this.#horizon = horizon;
    this.#sepId = options.sepId;
  }

  /** Number of rows. */
  get batchSize(): number {
    return this.#rows.length;
  }
  /** True when every row is done. */
  get allDone(): boolean {
    return this.#rows.length > 0 && this.#active === 0;
  }

  /** Starts one episode per task. */
  reset(tasks: readonly SelectionTask[]): void {
    check(
      Array.isArray(tasks) && tasks.length > 0,
      "DQNLM_MDP_BAD_ARGUMENT",
      "tasks",
      () => "tasks must be a non-empty array of { prompt, candidates }",
    );
    this.#rows = tasks.map((task, i) => {
      const cands = toCandidates(task?.candidates ?? null, `tasks[${i}].candidates`);
      check(
        cands.length > 0,
        "DQNLM_MDP_BAD_ARGUMENT",
        `tasks[${i}].candidates`,
        () => "every task needs at least one candidate",
      );
      return {
        task,
        states: [toIds(task.prompt, `tasks[${i}].prompt`)],
        offered: [cands],
        choices: [],
        rewards: [],
        done: false,
      };
    });
    this.#active = this.#rows.length;
  }

  /** The state s_t of row `i` (a view of the stored array). */
  state(i: number): Int32Array {
    const r = this.#row(i);
    return r.states[r.states.length - 1] as Int32Array;
  }

  /** The candidates currently offered to row `i` (the last decision's, once done). */
  candidates(i: number): readonly Int32Array[] {
    const r = this.#row(i);
    return r.offered[r.offered.length - 1] as Int32Array[];
  }

  /** Takes one choice per row (ignored for rows already done). */
  step(choices: ArrayLike<number>): BatchSelectionStepResult {
    check(this.#rows.length > 0, "DQNLM_MDP_EPISODE_STATE", "reset", () => "call reset(tasks) before step");
    check(
      this.#active > 0,
      "DQNLM_MDP_EPISODE_STATE",
      "choices",
      () => "every episode is done; call reset()",
    );
    const n = this.#rows.length;
    check(
      choices !== null && typeof choices === "object" && choices.length === n,
      "DQNLM_MDP_BAD_ARGUMENT",
      "choices",
      () => `choices must hold one index per row (${n}), received length ${choices?.length}`,
    );
    for (let i = 0; i < n; i++) {
      const r = this.#rows[i] as Row;
      if (r.done) continue;
      const K = (r.offered[r.offered.length - 1] as Int32Array[]).length;
      const c = choices[i] as number;
      if (!Number.isInteger(c) || c < 0 || c >= K)
        throw new MdpError(
          "DQNLM_MDP_BAD_ARGUMENT",
          `choices[${i}] = ${c} is not a candidate index in [0, ${K})`,
          "choices",
        );
    }
    const rewards = new Float32Array(n);
    const finished: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = this.#rows[i] as Row;
      if (r.done) continue;
      const c = choices[i] as number;
      const offered = r.offered[r.offered.length - 1] as Int32Array[];
      const state = r.states[r.states.length - 1] as Int32Array;
      const ctx: SelectionContext = {
        row: i,
        t: r.choices.length,
        task: r.task,
        state: state.slice(),
        candidates: offered,
        history: r.choices.slice(),
      };
      const reward = this.#reward(c, ctx);
      check(Number.isFinite(reward), "DQNLM_MDP_BAD_ARGUMENT", "reward", () => `reward returned ${reward}`);
      rewards[i] = reward;
      r.rewards.push(reward);
      r.choices.push(c);
      const chosen = offered[c] as Int32Array;
      const sep = this.#sepId === undefined ? 0 : 1;
      const nextState = new Int32Array(state.length + sep + chosen.length);
      nextState.set(state);
      if (this.#sepId !== undefined) nextState[state.length] = this.#sepId;
      nextState.set(chosen, state.length + sep);
      r.states.push(nextState);
      let done = r.choices.length >= this.#horizon;
      if (!done) {
        const more = toCandidates(this.#next ? this.#next(c, ctx) : offered, `next(row ${i})`);
        if (more.length === 0) done = true;
        else r.offered.push(more);
      }
      if (done) {
        r.done = true;
        this.#active--;
        finished.push(i);
      }
    }
    return {
      rewards,
      done: Uint8Array.from(this.#rows, (r) => (r.done ? 1 : 0)),
      finished,
      allDone: this.#active === 0,
    };
  }

  /** The finished episodes as plain data, in row order. Throws until every row is done. */
  episodes(): SelectionEpisode[] {
    check(
      this.allDone,
      "DQNLM_MDP_EPISODE_STATE",
      "episodes",
      () => `${this.#active} of ${this.#rows.length} episodes are still running; keep stepping until allDone`,
    );
    return this.#rows.map((r) => ({
      states: r.states,
      candidates: r.offered.slice(0, r.choices.length),
      choices: Int32Array.from(r.choices),
      rewards: Float32Array.from(r.rewards),
      terminated: true,
      ...(r.task.refIndex === undefined ? {} : { refIndex: r.task.refIndex }),
    }));
  }

  #row(i: number): Row {
    const r = this.#rows[i];
    if (r === undefined || !Number.isInteger(i))
      throw new MdpError(
        "DQNLM_MDP_BAD_ARGUMENT",
        `row must be an integer in [0, ${this.#rows.length}), received ${i}`,
        "row",
      );
    return r;
  }
}

/** The result of {@link SelectionMDP.step}. */
export interface SelectionStepResult {
  /** s_{t+1}. */
  readonly state: Int32Array;
  /** r_t. */
  readonly reward: number;
  /** Whether the episode is over. */
  readonly done: boolean;
}

/**
 * One selection episode with a scalar interface.
 *
 * @example
 * const mdp = new SelectionMDP({ reward: (c) => (c === 1 ? 1 : 0) });
 * mdp.reset({ prompt: [1, 5], candidates: [[7], [8, 9]] });
 * mdp.step(1); // { state: [1, 5, 8, 9], reward: 1, done: true }
 */
export class SelectionMDP {
  readonly #batch: BatchSelectionMDP;

  constructor(options: SelectionMDPOptions) {
    this.#batch = new BatchSelectionMDP(options);
  }

  /** Starts an episode; returns s_0. */
  reset(task: SelectionTask): Int32Array {
    this.#batch.reset([task]);
    return this.#batch.state(0);
  }

  /** The candidates offered now. */
  get candidates(): readonly Int32Array[] {
    return this.#batch.candidates(0);
  }

  /** Picks candidate `choice`. */
  step(choice: number): SelectionStepResult {
    const r = this.#batch.step([choice]);
    return { state: this.#batch.state(0), reward: r.rewards[0] as number, done: r.done[0] === 1 };
  }

  /** Whether the episode is over. */
  get done(): boolean {
    return this.#batch.allDone;
  }

  /** The finished episode. Throws while it is still running. */
  episode(): SelectionEpisode {
    return this.#batch.episodes()[0] as SelectionEpisode;
  }
}
