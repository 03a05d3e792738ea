/**
 * QA selection episodes: the candidates of every answerer for one question, with the features φ(s, c) the
 * selection Q-function reads and the SQuAD F1 each candidate would earn. Features are computed from the
 * question, the context and the candidates only — never from the reference answers.
 */

import type { SelectionEpisode } from "@dqnlm/appkit";
import { type Idf, isStop, sentences, words } from "@dqnlm/appkit";
import { type Answerer, answerTypeOf, type Span } from "./answerers.js";
import { squadEm, squadF1 } from "./squad.js";

/** One QA example: a context paragraph, a question and the reference answers. */
export interface QaExample {
  readonly id: string;
  readonly context: string;
  readonly question: string;
  readonly answers: readonly string[];
}

/** A candidate answer and where it came from. */
export interface Candidate {
  readonly text: string;
  /** Index of the answerer in the answerer list. */
  readonly answerer: number;
  /** Rank of the candidate in its answerer's list (0 = its top answer). */
  readonly rank: number;
  readonly span: Span;
}

/** A QA selection episode: the candidates, their features and their F1/EM against the references. */
export interface QaEpisode extends SelectionEpisode {
  readonly example: QaExample;
  readonly candidates: readonly Candidate[];
  /** EM of each candidate (reported, not used for training). */
  readonly em: Float32Array;
}

const QTYPES = ["person", "date", "number", "place", "entity", "other"] as const;
const HASH_DIM = 512;
const MAX_RANKS = 3;

/** Number of dense features for `nAnswerers` answerers. */
export function qaDenseDim(nAnswerers: number): number {
  return nAnswerers + MAX_RANKS + 14 + QTYPES.length;
}

/** Number of hashed sparse features. */
export const QA_SPARSE_DIM: number = HASH_DIM;

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The word-shape of a candidate: "Xx", "d", "x" per word, collapsed ("Xx Xx" → "Xx+"). */
function shape(text: string): string {
  const ws = words(text).map((w) =>
    /^\d/u.test(w.text) ? "d" : /^\p{Lu}/u.test(w.text) ? "X" : /^\p{L}/u.test(w.text) ? "x" : "p",
  );
  return ws.join("").replace(/(.)\1+/gu, "$1+");
}

/** The question's wh-phrase: the question word and the word after it ("how many", "what year"). */
function whPhrase(question: string): string {
  const ws = words(question).map((w) => w.norm);
  const i = ws.findIndex((w) => /^(what|which|who|whom|whose|when|where|why|how)$/u.test(w));
  if (i < 0) return "none";
  return `${ws[i]} ${ws[i + 1] ?? ""}`;
}

function tokenF1(a: string, b: string): number {
  return squadF1(a, [b]);
}

/**
 * Builds the selection episode of one example: the top-`k` spans of every answerer (K ≤ k·answerers
 * candidates, duplicates kept so that agreement is visible) and their features.
 */
export function qaEpisode(ex: QaExample, answerers: readonly Answerer[], idf: Idf, k = 3): QaEpisode {
  const cands: Candidate[] = [];
  answerers.forEach((a, ai) => {
    a.answer(ex.context, ex.question, k).forEach((span, rank) => {
      cands.push({ text: span.text, answerer: ai, rank, span });
    });
  });
  if (cands.length === 0) {
    // No answerer produced anything (a context without content words): fall back to the first words.
    const w = words(ex.context).slice(0, 3);
    const start = w[0]?.start ?? 0;
    const end = w[w.length - 1]?.end ?? 0;
    cands.push({
      text: ex.context.slice(start, end),
      answerer: 0,
      rank: 0,
      span: { text: ex.context.slice(start, end), start, end, score: 0 },
    });
  }
  const qTerms = new Set(
    words(ex.question)
      .map((w) => w.norm)
      .filter((w) => !isStop(w)),
  );
  const qtype = answerTypeOf(ex.question);
  const wh = whPhrase(ex.question);
  const sents = sentences(ex.context);
  const sentScore = sents.map((s) => {
    const seen = new Set<string>();
    let o = 0;
    for (const w of s.words)
      if (qTerms.has(w.norm) && !seen.has(w.norm)) {
        seen.add(w.norm);
        o += idf.get(w.norm);
      }
    return o;
  });
  const maxSent = Math.max(1e-6, ...sentScore);
  const ctxWords = words(ex.context);
  const topByAnswerer = answerers.map((_, ai) => cands.find((c) => c.answerer === ai && c.rank === 0));
  const topScore = answerers.map((_, ai) => topByAnswerer[ai]?.span.score ?? 0);
  const nA = answerers.length;
  const dense = qaDenseDim(nA);
  const both = cands.map((c) => {
    const f = new Float32Array(dense);
    let j = 0;
    f[j + c.answerer] = 1;
    j += nA;
    if (c.rank < MAX_RANKS) f[j + c.rank] = 1;
    j += MAX_RANKS;
    f[j++] = c.span.score - topScore[c.answerer]!;
    let agreeTop = 0;
    topByAnswerer.forEach((t, ai) => {
      if (t && ai !== c.answerer) agreeTop += tokenF1(c.text, t.text);
    });
    f[j++] = agreeTop;
    let agreeAll = 0;
    let votes = 0;
    const norm = c.text.toLowerCase();
    for (const o of cands) {
      if (o === c) continue;
      agreeAll += tokenF1(c.text, o.text);
      if (o.text.toLowerCase() === norm) votes++;
    }
    f[j++] = agreeAll / Math.max(1, cands.length - 1);
    f[j++] = votes;
    const cw = words(c.text);
    f[j++] = cw.length;
    f[j++] = Math.log1p(cw.length);
    f[j++] = cw.filter((w) => qTerms.has(w.norm)).length / Math.max(1, cw.length);
    f[j++] = /\d/u.test(c.text) ? 1 : 0;
    f[j++] = /\b(1\d{3}|20\d{2})\b/u.test(c.text) ? 1 : 0;
    f[j++] = cw.filter((w) => /^\p{Lu}/u.test(w.text)).length / Math.max(1, cw.length);
    f[j++] = c.span.start / Math.max(1, ex.context.length);
    const si = sents.findIndex((s) => c.span.start >= s.start && c.span.start < s.end);
    f[j++] = si >= 0 ? sentScore[si]! / maxSent : 0;
    // Distance in words from the span to the nearest question word in the context.
    const i0 = ctxWords.findIndex((w) => w.start >= c.span.start);
    let i1 = i0;
    while (i1 + 1 < ctxWords.length && ctxWords[i1 + 1]!.start < c.span.end) i1++;
    let nearest = 50;
    for (let t = 0; t < ctxWords.length; t++) {
      if ((t >= i0 && t <= i1) || !qTerms.has(ctxWords[t]!.norm)) continue;
      nearest = Math.min(nearest, t < i0 ? i0 - t : t - i1);
    }
    f[j++] = Math.log1p(nearest);
    f[j++] = c.span.score;
    f[j + QTYPES.indexOf(qtype)] = 1;
    j += QTYPES.length;
    // Hashed crosses: wh-phrase × answerer, wh-phrase × shape, question type × shape × rank.
    const sh = shape(c.text);
    const keys = [
      `${wh}|a${c.answerer}`,
      `${wh}|${sh}`,
      `${qtype}|${sh}|r${c.rank}`,
      `${wh}|a${c.answerer}|r${c.rank}`,
    ];
    return { f, s: Int32Array.from(keys, (key) => fnv(key) % HASH_DIM) };
  });
  const rewards = Float32Array.from(cands, (c) => squadF1(c.text, ex.answers));
  const em = Float32Array.from(cands, (c) => squadEm(c.text, ex.answers));
  return {
    example: ex,
    candidates: cands,
    features: both.map((b) => b.f),
    sparse: both.map((b) => b.s),
    rewards,
    em,
  };
}
