/**
 * Per-step rewards from a sequence-level reward (docs/CONTRACTS.md, "Per-step reward forms").
 *
 * For generated prefixes g_0 = "", g_1, …, g_T (g_t = the decoded first t tokens) let m_t = M(g_t, refs).
 * The reward for action a_t (t = 0 … T−1) is, by form:
 * - `prefix`:   r_t = m_{t+1} (the score of the state the action leads to; the method's literal form),
 * - `delta`:    r_t = m_{t+1} − m_t (telescopes: Σ r_t = m_T − m_0),
 * - `terminal`: r_t = 0 for t < T−1 and r_{T−1} = m_T.
 */
import { RewardsInputError } from "./errors.js";
import type { Reward } from "./reward.js";
import { checkStringList, choiceOption, toStringList } from "./reward-validate.js";

/** How sequence scores become per-step rewards. */
export type StepRewardForm = "prefix" | "delta" | "terminal";

const FORMS: readonly StepRewardForm[] = ["prefix", "delta", "terminal"];

/**
 * m_0 … m_T: the reward of every prefix. Uses the reward's incremental scorer when it has one: a prefix that
 * extends the previous one is pushed as the new suffix only; one that doesn't (e.g. a byte-level BPE decode
 * whose last character changed) resets the scorer and pushes the whole prefix. Both give exactly the value of
 * rescoring. Without an incremental scorer every prefix is rescored.
 *
 * @example
 * prefixScores(rougeReward({ type: "rouge1" }), ["", "the", "the cat"], ["the cat sat"])
 * // Float64Array [0, 0.5, 0.8]
 */
export function prefixScores(
  reward: Reward,
  prefixes: readonly string[],
  refs: readonly string[],
): Float64Array {
  const fn = "prefixScores";
  if (reward === null || typeof reward !== "object" || typeof reward.score !== "function") {
    throw new RewardsInputError(
      "reward",
      `${fn}: expected a Reward ({ name, config, score }), received ${typeof reward}.`,
    );
  }
  checkStringList(prefixes, "prefixes", fn, true);
  const refList = toStringList(refs, "refs", fn);
  const m = new Float64Array(prefixes.length);
  if (typeof reward.incremental !== "function") {
    for (let t = 0; t < prefixes.length; t++) m[t] = reward.score(prefixes[t]!, refList);
    return m;
  }
  const scorer = reward.incremental(refList);
  let prev = "";
  for (let t = 0; t < prefixes.length; t++) {
    const g = prefixes[t]!;
    if (g.startsWith(prev)) {
      m[t] = g.length > prev.length ? scorer.push(g.slice(prev.length)) : scorer.score;
    } else {
      scorer.reset();
      m[t] = scorer.push(g);
    }
    prev = g;
  }
  return m;
}

/**
 * r_0 … r_{T−1} from m_0 … m_T in the given form (T = m.length − 1; an empty result when T = 0).
 *
 * @example
 * stepRewards(Float64Array.of(0, 0.5, 0.8), "delta") // Float32Array [0.5, 0.30000001192092896]
 */
export function stepRewards(m: Float64Array | readonly number[], form: StepRewardForm): Float32Array {
  const fn = "stepRewards";
  if (!(m instanceof Float64Array) && !Array.isArray(m)) {
    throw new RewardsInputError(
      "m",
      `${fn}: expected \`m\` to be a Float64Array of prefix scores m_0…m_T (from prefixScores).`,
    );
  }
  if (m.length === 0) {
    throw new RewardsInputError(
      "m",
      `${fn}: \`m\` must hold at least m_0 (the score of the empty prefix), received an empty array.`,
    );
  }
  for (let t = 0; t < m.length; t++) {
    const x = m[t];
    if (typeof x !== "number" || Number.isNaN(x)) {
      throw new RewardsInputError(`m[${t}]`, `${fn}: \`m[${t}]\` must be a number, received ${String(x)}.`);
    }
  }
  if (form === undefined) {
    throw new RewardsInputError("form", `${fn}: \`form\` is required: one of "prefix", "delta", "terminal".`);
  }
  const f = choiceOption(form, "form", fn, FORMS, "prefix");
  const T = m.length - 1;
  const r = new Float32Array(T);
  if (f === "prefix") {
    for (let t = 0; t < T; t++) r[t] = m[t + 1]!;
  } else if (f === "delta") {
    for (let t = 0; t < T; t++) r[t] = m[t + 1]! - m[t]!;
  } else if (T > 0) {
    r[T - 1] = m[T]!;
  }
  return r;
}
