/**
 * Response retrieval with MiniSearch (BM25+ full-text search): an index over the training responses, queried
 * with the dialogue history weighted toward the last user turn. It provides the negatives of the selection
 * episodes (the K−1 responses that best match the history, exact duplicates of the true response excluded) and
 * the retrieval ranking baseline (candidates ordered by their BM25+ score for the same query).
 */

import { normalizeWord, STOPWORDS } from "@dqnlm/appkit";
import type { Rng } from "@dqnlm/core";
import MiniSearch from "minisearch";
import { invalidOption } from "./errors.js";

/** One dialogue example: the turns so far (USER first, alternating, ending on a USER turn) and the response. */
export interface DialogueExample {
  readonly id: string;
  readonly history: readonly string[];
  readonly response: string;
}

/** Options of {@link ResponseIndex}. */
export interface ResponseIndexOptions {
  /** Query-term weight of the last user turn. @default 3 */
  readonly lastTurnWeight?: number;
  /** Query-term weight of the system turn before it. @default 1.5 */
  readonly previousTurnWeight?: number;
  /** Query-term weight of older turns. @default 0.5 */
  readonly olderTurnWeight?: number;
  /** How many turns of history the query uses (most recent). @default 4 */
  readonly queryTurns?: number;
  /**
   * Query terms found in more than this share of the responses (and in more than 20) are dropped: their BM25 weight is tiny, and
   * each one makes the search visit a large part of the index. @default 0.02
   */
  readonly maxDocFrequency?: number;
}

/** A scored candidate response. */
export interface Retrieved {
  readonly text: string;
  readonly score: number;
}

/** The key that decides "the same response": case and surrounding/duplicate whitespace ignored. */
export function responseKey(text: string): string {
  return text.trim().replace(/\s+/gu, " ").toLowerCase();
}

function processTerm(term: string): string | null {
  const w = normalizeWord(term);
  return w.length === 0 || STOPWORDS.has(w) ? null : w;
}

/** The index terms of a text (MiniSearch's default tokenizer, then {@link processTerm}). */
function terms(text: string): string[] {
  const out: string[] = [];
  for (const raw of MiniSearch.getDefault("tokenize")(text)) {
    const t = processTerm(raw);
    if (t !== null) out.push(t);
  }
  return out;
}

interface Doc {
  readonly id: number;
  readonly text: string;
}

/**
 * A MiniSearch (BM25+) index over the training responses (one document per distinct response). Responses of
 * evaluation examples are added as extra documents that retrieval never returns, so that the true response of
 * any example can be scored by the same ranking function as its negatives.
 */
export class ResponseIndex {
  readonly #search: MiniSearch<Doc>;
  readonly #docs: Doc[] = [];
  readonly #retrievable: boolean[] = [];
  readonly #byKey = new Map<string, number>();
  readonly #df = new Map<string, number>();
  #nTrain = 0;
  readonly #o: Required<ResponseIndexOptions>;

  constructor(trainResponses: Iterable<string>, options: ResponseIndexOptions = {}) {
    this.#o = {
      lastTurnWeight: 3,
      previousTurnWeight: 1.5,
      olderTurnWeight: 0.5,
      queryTurns: 4,
      maxDocFrequency: 0.02,
      ...options,
    };
    this.#search = new MiniSearch<Doc>({ fields: ["text"], processTerm, idField: "id" });
    const docs: Doc[] = [];
    for (const t of trainResponses) {
      const key = responseKey(t);
      if (this.#byKey.has(key)) continue;
      const d = { id: this.#docs.length, text: t };
      this.#byKey.set(key, d.id);
      this.#docs.push(d);
      this.#retrievable.push(true);
      docs.push(d);
      for (const t of new Set(terms(d.text))) this.#df.set(t, (this.#df.get(t) ?? 0) + 1);
    }
    this.#nTrain = docs.length;
    if (docs.length === 0) throw invalidOption("trainResponses", "at least one training response", 0);
    this.#search.addAll(docs);
  }

  /** Number of retrievable (training) responses. */
  get size(): number {
    return this.#nTrain;
  }

  /** Adds a response that can be scored but is never retrieved (an evaluation example's true response). */
  addScoredOnly(text: string): void {
    const key = responseKey(text);
    if (this.#byKey.has(key)) return;
    const d = { id: this.#docs.length, text };
    this.#byKey.set(key, d.id);
    this.#docs.push(d);
    this.#retrievable.push(false);
    this.#search.add(d);
  }

  /** BM25+ scores of every response matching the history query, by document id. */
  #scores(history: readonly string[]): Map<number, number> {
    const turns = history.slice(-this.#o.queryTurns);
    const weight = new Map<string, number>();
    turns.forEach((turn, i) => {
      const fromEnd = turns.length - 1 - i;
      const w =
        fromEnd === 0
          ? this.#o.lastTurnWeight
          : fromEnd === 1
            ? this.#o.previousTurnWeight
            : this.#o.olderTurnWeight;
      for (const t of terms(turn)) weight.set(t, Math.max(weight.get(t) ?? 0, w));
    });
    // Drop very common terms (keep at least the three rarest so that a query never becomes empty).
    // (never below 20 documents, so that small indexes keep their terms).
    const maxDf = Math.max(20, this.#o.maxDocFrequency * this.size);
    const byRarity = [...weight.keys()].sort((a, b) => (this.#df.get(a) ?? 0) - (this.#df.get(b) ?? 0));
    byRarity.forEach((t, i) => {
      if (i >= 3 && (this.#df.get(t) ?? 0) > maxDf) weight.delete(t);
    });
    const out = new Map<number, number>();
    if (weight.size === 0) return out;
    const results = this.#search.search([...weight.keys()].join(" "), {
      boostTerm: (term) => weight.get(term) ?? 1,
    });
    for (const r of results) out.set(r.id as number, r.score);
    return out;
  }

  /**
   * BM25+ scores of `texts` for the history query (the ranking function of {@link candidates}); a text that is
   * not a document of the index (neither a training response nor added with {@link addScoredOnly}) scores 0.
   */
  scoreTexts(history: readonly string[], texts: readonly string[]): number[] {
    const scores = this.#scores(history);
    return texts.map((t) => {
      const id = this.#byKey.get(responseKey(t));
      return id === undefined ? 0 : (scores.get(id) ?? 0);
    });
  }

  /**
   * The K candidates of an example: its true response plus the `k − 1` best-scoring distinct training
   * responses that are not the true response, topped up with random training responses when the search finds
   * too few. Returns the candidates in retrieval-score order with the true response at its score's place.
   */
  candidates(ex: DialogueExample, k: number, rng: Rng): { candidates: Retrieved[]; truth: number } {
    if (!(Number.isInteger(k) && k >= 2)) throw invalidOption("k", "an integer ≥ 2", k);
    const scores = this.#scores(ex.history);
    const trueKey = responseKey(ex.response);
    const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const picked: Retrieved[] = [];
    for (const [id, score] of ranked) {
      if (picked.length >= k - 1) break;
      const d = this.#docs[id]!;
      if (!this.#retrievable[id] || responseKey(d.text) === trueKey) continue;
      picked.push({ text: d.text, score });
    }
    const used = new Set(picked.map((p) => responseKey(p.text)));
    used.add(trueKey);
    let guard = 0;
    while (picked.length < k - 1 && guard++ < 1000) {
      const id = rng.nextInt(this.#docs.length);
      const d = this.#docs[id]!;
      if (!this.#retrievable[id] || used.has(responseKey(d.text))) continue;
      used.add(responseKey(d.text));
      picked.push({ text: d.text, score: scores.get(id) ?? 0 });
    }
    const trueId = this.#byKey.get(trueKey);
    const truthScore = trueId === undefined ? 0 : (scores.get(trueId) ?? 0);
    const all = [...picked, { text: ex.response, score: truthScore }];
    // Shuffle, so that the position of the true response carries no information, then the features sort it out.
    const order = rng.shuffle([...all.keys()]);
    const candidates = order.map((i) => all[i]!);
    return { candidates, truth: order.indexOf(all.length - 1) };
  }
}
