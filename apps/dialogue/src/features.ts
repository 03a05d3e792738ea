/**
 * Dialogue selection episodes: the K candidate responses of one history (the true one plus K−1 retrieved),
 * the features φ(history, candidate) the selection Q-function reads, and the reward of each candidate (1 for the
 * true response, or its sentence-level similarity to it). Features never look at which candidate is true.
 */

import type { SelectionEpisode } from "@dqnlm/appkit";
import { isStop, words } from "@dqnlm/appkit";
import type { Rng } from "@dqnlm/core";
import type { DialogueExample, ResponseIndex, Retrieved } from "./retrieval.js";

/** A dialogue selection episode. */
export interface DialogueEpisode extends SelectionEpisode {
  readonly example: DialogueExample;
  readonly candidates: readonly Retrieved[];
  /** Index of the true response among the candidates. */
  readonly truth: number;
}

/** Number of dense features. */
export const DIALOGUE_DENSE_DIM = 17;
/** Number of hashed sparse features. */
export const DIALOGUE_SPARSE_DIM = 4096;

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const CLOSING_USER =
  /\b(thank|thanks|that's all|that is all|nothing else|bye|no,? that|not now|that's it)\b/iu;
const CLOSING_SYS = /\b(day|welcome|bye|anything else|help you with|else i can)\b/iu;
const CONFIRM = /\b(confirm|correct|right\?|is that right|please confirm)\b/iu;

function contentSet(text: string): Set<string> {
  return new Set(
    words(text)
      .map((w) => w.norm)
      .filter((w) => !isStop(w)),
  );
}

/** Entity-like tokens: numbers and capitalized words that do not start the sentence. */
function entities(text: string): Set<string> {
  const out = new Set<string>();
  const ws = words(text);
  ws.forEach((w, i) => {
    const prev = ws[i - 1];
    const sentenceStart = i === 0 || (prev !== undefined && /^[.!?]$/u.test(prev.text));
    if (/\d/u.test(w.text) || (/^\p{Lu}/u.test(w.text) && !sentenceStart && w.text !== "I")) out.add(w.norm);
  });
  return out;
}

/** Reward of picking candidate `k`: 1 for the true response, else 0 (or `similarity(candidate, truth)`). */
export type DialogueRewardFn = (candidate: string, truth: string, isTrue: boolean) => number;

/** The default reward: 1 for the true response, 0 for any other. */
export const exactReward: DialogueRewardFn = (_c, _t, isTrue) => (isTrue ? 1 : 0);

/** Builds the selection episode of one example with `k` candidates. */
export function dialogueEpisode(
  ex: DialogueExample,
  index: ResponseIndex,
  k: number,
  rng: Rng,
  reward: DialogueRewardFn = exactReward,
): DialogueEpisode {
  const { candidates, truth } = index.candidates(ex, k, rng);
  return dialogueEpisodeFrom(ex, candidates, truth, reward);
}

/**
 * Builds the selection episode of one example from given candidates (each with its BM25+ score for the history)
 * and the index of the true response among them.
 */
export function dialogueEpisodeFrom(
  ex: DialogueExample,
  candidates: readonly Retrieved[],
  truth: number,
  reward: DialogueRewardFn = exactReward,
): DialogueEpisode {
  const last = ex.history[ex.history.length - 1] ?? "";
  const prevSys = ex.history[ex.history.length - 2] ?? "";
  const lastSet = contentSet(last);
  const prevSet = contentSet(prevSys);
  const histSet = contentSet(ex.history.join(" "));
  const histEnt = entities(ex.history.join(" "));
  const scores = candidates.map((c) => c.score);
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length) || 1;
  const rankOf = scores.map((s) => scores.filter((o) => o > s).length);
  const lastWords = [...lastSet].slice(0, 16);
  const prevFirst = words(prevSys)[0]?.norm ?? "<none>";
  const userClosing = CLOSING_USER.test(last);
  const features: Float32Array[] = [];
  const sparse: Int32Array[] = [];
  candidates.forEach((c, i) => {
    const cw = words(c.text);
    const cSet = contentSet(c.text);
    const n = Math.max(1, cSet.size);
    let inLast = 0;
    let inPrev = 0;
    let inHist = 0;
    for (const w of cSet) {
      if (lastSet.has(w)) inLast++;
      if (prevSet.has(w)) inPrev++;
      if (histSet.has(w)) inHist++;
    }
    const ent = entities(c.text);
    let entIn = 0;
    for (const e of ent) if (histEnt.has(e)) entIn++;
    const f = new Float32Array(DIALOGUE_DENSE_DIM);
    f[0] = (c.score - mean) / sd;
    f[1] = rankOf[i]! / Math.max(1, candidates.length - 1);
    f[2] = Math.log1p(c.score);
    f[3] = inLast / n;
    f[4] = inPrev / n;
    f[5] = inHist / n;
    f[6] = entIn;
    f[7] = ent.size - entIn;
    f[8] = cw.length;
    f[9] = Math.log1p(cw.length);
    f[10] = c.text.includes("?") ? 1 : 0;
    f[11] = last.includes("?") ? 1 : 0;
    f[12] = Math.log1p(ex.history.length);
    f[13] = userClosing ? 1 : 0;
    f[14] = CLOSING_SYS.test(c.text) ? 1 : 0;
    f[15] = CONFIRM.test(c.text) ? 1 : 0;
    f[16] = inLast / Math.max(1, lastSet.size);
    features.push(f);
    // Hashed crosses: last-user word × candidate word, previous system opener × candidate opener, closing cue ×
    // candidate words. A linear weight per cross learns which responses follow which requests.
    const keys: string[] = [];
    const cWords = [...cSet].slice(0, 16);
    for (const a of lastWords) for (const b of cWords) keys.push(`${a}|${b}`);
    const opener = cw
      .slice(0, 2)
      .map((w) => w.norm)
      .join(" ");
    keys.push(`po|${prevFirst}|${opener}`, `cl|${userClosing}|${opener}`, `op|${opener}`);
    for (const b of cWords) keys.push(`cl|${userClosing}|${b}`);
    sparse.push(Int32Array.from(keys, (key) => fnv(key) % DIALOGUE_SPARSE_DIM));
  });
  const rewards = Float32Array.from(candidates, (c, i) => reward(c.text, ex.response, i === truth));
  return { example: ex, candidates, truth, features, sparse, rewards };
}
