/**
 * Simple, real extractive question answerers. Each reads a context paragraph and a question and returns
 * ranked answer spans (substrings of the context) with a score. They are the "QA models" the selection DQN
 * chooses among, and each is reported alone as a baseline.
 *
 * - `sentence-overlap`: pick the context sentence with the largest IDF-weighted overlap with the question's
 *   content words, then the best answer-sized span inside it by a window score (near matched question words,
 *   made of words the question does not contain).
 * - `sliding-window`: the sliding-window baseline of Richardson et al. (2013) as used for SQuAD by Rajpurkar et
 *   al. (2016): every short span is scored by the IDF-weighted unigram + bigram overlap between the question
 *   and a window of text around the span, minus a penalty for the distance between the span and the matched
 *   question words.
 * - `answer-type`: looks at the question word (who / when / how many / …), lists context spans of the matching
 *   surface type (capitalized names, years and dates, numbers, quantities) and ranks them by IDF-weighted
 *   closeness to the question's words.
 */
import { type Idf, isPunct, isStop, type Sentence, sentences, type Word, words } from "@dqnlm/appkit";

/** One candidate answer from an answerer. */
export interface Span {
  /** The answer text, an exact substring of the context. */
  readonly text: string;
  /** Character offsets of the span in the context. */
  readonly start: number;
  readonly end: number;
  /** The answerer's own score (higher is better; scale differs between answerers). */
  readonly score: number;
}

/** An extractive answerer: context + question → spans, best first. */
export interface Answerer {
  readonly name: string;
  answer(context: string, question: string, k: number): Span[];
}

/** Options shared by the built-in answerers. */
export interface AnswererOptions {
  /** IDF table built from the training contexts and questions. */
  readonly idf: Idf;
  /** Longest span in words. @default 6 */
  readonly maxSpanWords?: number;
}

/** Words of the question that carry content (normalized), with their IDF weights. */
function questionTerms(question: string, idf: Idf): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of words(question)) if (!isStop(w.norm)) m.set(w.norm, idf.get(w.norm));
  return m;
}

function bigrams(ws: readonly string[]): Set<string> {
  const s = new Set<string>();
  for (let i = 0; i + 1 < ws.length; i++) s.add(`${ws[i]} ${ws[i + 1]}`);
  return s;
}

/** Enumerates spans [i, j) of `ws` of 1..maxLen words that do not start or end with punctuation/stopword. */
function* spansOf(ws: readonly Word[], maxLen: number): Generator<[number, number]> {
  for (let i = 0; i < ws.length; i++) {
    if (isPunct(ws[i]!.text) || isStop(ws[i]!.norm)) continue;
    for (let j = i + 1; j <= Math.min(ws.length, i + maxLen); j++) {
      const last = ws[j - 1]!;
      if (isPunct(last.text)) break;
      if (isStop(last.norm)) continue;
      yield [i, j];
    }
  }
}

/** Keeps the top `k` spans by score, dropping spans whose text was already kept. */
function topK(spans: Span[], k: number): Span[] {
  spans.sort((a, b) => b.score - a.score || a.start - b.start);
  const seen = new Set<string>();
  const out: Span[] = [];
  for (const s of spans) {
    const key = s.text.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
    if (out.length >= k) break;
  }
  return out;
}

/**
 * Scores the span [i, j) of `ws` by how close it sits to matched question words (IDF-weighted, decaying with
 * distance), minus the weight of question words inside the span (answers rarely repeat the question), with a
 * mild preference for short spans.
 */
function windowScore(ws: readonly Word[], i: number, j: number, q: Map<string, number>): number {
  let near = 0;
  let inside = 0;
  for (let t = 0; t < ws.length; t++) {
    const w = q.get(ws[t]!.norm);
    if (w === undefined) continue;
    if (t >= i && t < j) {
      inside += w;
      continue;
    }
    const d = t < i ? i - t : t - j + 1;
    near += w / (1 + 0.5 * d);
  }
  return near - 2 * inside - 0.15 * (j - i);
}

/** Sentence-overlap answerer: best sentence by IDF-weighted overlap, then the best span in it. */
export function sentenceOverlapAnswerer(opts: AnswererOptions): Answerer {
  const maxLen = opts.maxSpanWords ?? 6;
  return {
    name: "sentence-overlap",
    answer(context, question, k) {
      const q = questionTerms(question, opts.idf);
      const sents = sentences(context);
      const scored = sents.map((s: Sentence) => {
        const seen = new Set<string>();
        let o = 0;
        for (const w of s.words) {
          const v = q.get(w.norm);
          if (v !== undefined && !seen.has(w.norm)) {
            seen.add(w.norm);
            o += v;
          }
        }
        return { s, o };
      });
      scored.sort((a, b) => b.o - a.o);
      const out: Span[] = [];
      // Spans from the best sentence first; the runner-up sentence only fills the remaining slots.
      for (const [rank, { s, o }] of scored.slice(0, 2).entries()) {
        const spans: Span[] = [];
        for (const [i, j] of spansOf(s.words, maxLen)) {
          const start = s.words[i]!.start;
          const end = s.words[j - 1]!.end;
          spans.push({
            text: context.slice(start, end),
            start,
            end,
            score: o + windowScore(s.words, i, j, q) - 100 * rank,
          });
        }
        out.push(...topK(spans, k));
      }
      return topK(out, k);
    },
  };
}

/** Sliding-window answerer (Richardson et al. 2013; Rajpurkar et al. 2016 baseline), unigram + bigram overlap. */
export function slidingWindowAnswerer(opts: AnswererOptions & { window?: number }): Answerer {
  const maxLen = opts.maxSpanWords ?? 6;
  return {
    name: "sliding-window",
    answer(context, question, k) {
      const q = questionTerms(question, opts.idf);
      const qWords = words(question).map((w) => w.norm);
      const qBigrams = bigrams(qWords);
      const ws = words(context);
      const half = opts.window ?? Math.max(4, q.size + 2);
      const spans: Span[] = [];
      for (const [i, j] of spansOf(ws, maxLen)) {
        const lo = Math.max(0, i - half);
        const hi = Math.min(ws.length, j + half);
        let uni = 0;
        let bi = 0;
        let inside = 0;
        let nearest = Number.POSITIVE_INFINITY;
        const counted = new Set<string>();
        for (let t = lo; t < hi; t++) {
          const n = ws[t]!.norm;
          const w = q.get(n);
          if (t >= i && t < j) {
            if (w !== undefined) inside += w;
            continue;
          }
          if (w !== undefined && !counted.has(n)) {
            counted.add(n);
            uni += w;
            nearest = Math.min(nearest, t < i ? i - t : t - j + 1);
          }
          if (t + 1 < hi && (t + 1 < i || t >= j) && qBigrams.has(`${n} ${ws[t + 1]!.norm}`)) bi += 1;
        }
        if (uni === 0) continue;
        const dist = Number.isFinite(nearest) ? nearest : half;
        const score = uni + 2 * bi - 1.5 * inside - 0.1 * dist - 0.05 * (j - i);
        spans.push({
          text: context.slice(ws[i]!.start, ws[j - 1]!.end),
          start: ws[i]!.start,
          end: ws[j - 1]!.end,
          score,
        });
      }
      return topK(spans, k);
    },
  };
}

/** The expected answer type read off a question. */
export type AnswerType = "person" | "date" | "number" | "place" | "entity" | "other";

/** Classifies a question by its question words. */
export function answerTypeOf(question: string): AnswerType {
  const q = question.toLowerCase();
  if (/\bhow (many|much|long|far|old|large|big|tall|high)\b|\bwhat (percentage|percent|number)\b/u.test(q))
    return "number";
  if (/\bwhen\b|\bwhat (year|century|decade|date|day|month|time)\b|\bwhich (year|century)\b/u.test(q))
    return "date";
  if (/\bwho\b|\bwhom\b|\bwhose\b/u.test(q)) return "person";
  if (/\bwhere\b|\bwhat (city|country|state|place|region)\b|\bwhich (city|country|state)\b/u.test(q))
    return "place";
  if (/\bwhat\b|\bwhich\b/u.test(q)) return "entity";
  return "other";
}

const MONTHS =
  /^(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)$/u;

/** Surface class of a single word, used to grow typed spans. */
function wordClass(w: Word, sentenceStart: boolean): "cap" | "year" | "num" | "month" | "other" {
  if (MONTHS.test(w.norm) && /^\p{Lu}/u.test(w.text)) return "month";
  if (/^(1\d{3}|20\d{2})s?$/u.test(w.text)) return "year";
  if (
    /^\d[\d,.]*%?$/u.test(w.text) ||
    /^(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion)$/u.test(w.norm)
  )
    return "num";
  if (/^\p{Lu}/u.test(w.text) && !(sentenceStart && isStop(w.norm))) return "cap";
  return "other";
}

/** Answer-type answerer: typed spans (names, dates, numbers) ranked by closeness to question words. */
export function answerTypeAnswerer(opts: AnswererOptions): Answerer {
  return {
    name: "answer-type",
    answer(context, question, k) {
      const q = questionTerms(question, opts.idf);
      const type = answerTypeOf(question);
      const sents = sentences(context);
      const spans: Span[] = [];
      for (const s of sents) {
        const ws = s.words;
        // Sentence relevance: IDF-weighted overlap, so spans in relevant sentences rank first.
        let rel = 0;
        const seen = new Set<string>();
        for (const w of ws) {
          const v = q.get(w.norm);
          if (v !== undefined && !seen.has(w.norm)) {
            seen.add(w.norm);
            rel += v;
          }
        }
        let i = 0;
        while (i < ws.length) {
          const c = wordClass(ws[i]!, i === 0);
          if (c === "other" || q.has(ws[i]!.norm)) {
            i++;
            continue;
          }
          // Grow a run of compatible words: names (Cap Cap of Cap), dates (Month day, year), numbers + unit.
          let j = i + 1;
          while (j < ws.length) {
            const cj = wordClass(ws[j]!, false);
            const nj = ws[j]!.norm;
            if (
              c === "cap" &&
              (cj === "cap" ||
                ((nj === "of" || nj === "the" || nj === "de") &&
                  j + 1 < ws.length &&
                  wordClass(ws[j + 1]!, false) === "cap"))
            )
              j++;
            else if (
              (c === "month" || c === "num" || c === "year") &&
              (cj === "num" || cj === "year" || cj === "month" || ws[j]!.text === ",")
            ) {
              if (ws[j]!.text === "," && !(j + 1 < ws.length && wordClass(ws[j + 1]!, false) === "year"))
                break;
              j++;
            } else break;
          }
          // A number is usually followed by its unit ("3 million people"): take one lower-case noun along.
          if (
            c === "num" &&
            j < ws.length &&
            !isStop(ws[j]!.norm) &&
            !isPunct(ws[j]!.text) &&
            type === "number"
          )
            j++;
          const kind: AnswerType =
            c === "year" || c === "month"
              ? "date"
              : c === "num"
                ? "number"
                : c === "cap"
                  ? "entity"
                  : "other";
          const fits =
            type === kind ||
            (type === "person" && kind === "entity") ||
            (type === "place" && kind === "entity") ||
            (type === "date" && kind === "number");
          const typeBonus = fits ? 3 : type === "entity" || type === "other" ? 1 : 0;
          const score = rel + typeBonus + windowScore(ws, i, j, q) * 0.5;
          spans.push({
            text: context.slice(ws[i]!.start, ws[j - 1]!.end),
            start: ws[i]!.start,
            end: ws[j - 1]!.end,
            score,
          });
          i = j;
        }
      }
      return topK(spans, k);
    },
  };
}
