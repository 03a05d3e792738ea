/**
 * Plain-text helpers shared by the extractive answerers and the selection features: word tokenization with
 * character offsets, sentence splitting, a small English stopword list and IDF tables. Pure functions, no IO.
 */

/** A word of a text with its character span `[start, end)` and its normalized (lower-cased) form. */
export interface Word {
  readonly text: string;
  readonly norm: string;
  readonly start: number;
  readonly end: number;
}

const WORD_RE = /[\p{L}\p{N}]+(?:['’.,-][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;

/** Splits `text` into words and punctuation marks, keeping character offsets. */
export function words(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(WORD_RE)) {
    const start = m.index ?? 0;
    out.push({ text: m[0], norm: normalizeWord(m[0]), start, end: start + m[0].length });
  }
  return out;
}

/** Lower-cases and strips possessive endings so that "Victoria's" matches "Victoria". */
export function normalizeWord(w: string): string {
  return w
    .toLowerCase()
    .replace(/['’]s$/u, "")
    .replace(/[.,]$/u, "");
}

/** True for a word made only of punctuation. */
export function isPunct(w: string): boolean {
  return !/[\p{L}\p{N}]/u.test(w);
}

/** A small English stopword list (function words and question words). */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a an the of in on at to for from by with about as into onto over under after before during between " +
    "through against among within without and or but nor so yet if then than that this these those there " +
    "here is are was were be been being am do does did done doing have has had having will would shall should " +
    "can could may might must it its it's he she they them their his her hers him we us our you your i me my " +
    "what which who whom whose when where why how whether not no yes also any some each every all both either " +
    "neither one ones such other another more most much many few very too only just own same s t what's " +
    "called name named type kind year years"
  ).split(/\s+/u),
);

/** True when `w` (normalized) is a stopword or punctuation. */
export function isStop(w: string): boolean {
  return STOPWORDS.has(w) || isPunct(w);
}

/** Content words (normalized, stopwords and punctuation removed) of a text. */
export function contentWords(text: string): string[] {
  return words(text)
    .map((w) => w.norm)
    .filter((w) => !isStop(w));
}

/** A sentence of a text: its character span and its words (offsets relative to the whole text). */
export interface Sentence {
  readonly start: number;
  readonly end: number;
  readonly words: readonly Word[];
}

/**
 * Splits `text` into sentences at `.`, `!` or `?` followed by whitespace and an upper-case letter, digit or
 * quote, which keeps "U.S. Army" and "3.5" together in the common cases.
 */
export function sentences(text: string): Sentence[] {
  const all = words(text);
  const out: Sentence[] = [];
  let cur: Word[] = [];
  for (let i = 0; i < all.length; i++) {
    const w = all[i]!;
    cur.push(w);
    const next = all[i + 1];
    const isEnd =
      (w.text === "." || w.text === "!" || w.text === "?") &&
      (next === undefined || /^[\p{Lu}\p{N}"“(]/u.test(next.text));
    if (isEnd || next === undefined) {
      out.push({ start: cur[0]!.start, end: w.end, words: cur });
      cur = [];
    }
  }
  return out;
}

/** Inverse document frequencies: `idf(w) = log((N + 1) / (df(w) + 1)) + 1`; unseen words get the maximum. */
export class Idf {
  readonly #df = new Map<string, number>();
  #n = 0;

  /** Builds the table from documents (each document counted once per distinct content word). */
  static fromDocuments(docs: Iterable<string>): Idf {
    const idf = new Idf();
    for (const d of docs) idf.add(d);
    return idf;
  }

  /** Adds one document. */
  add(doc: string): void {
    this.#n++;
    for (const w of new Set(words(doc).map((x) => x.norm))) this.#df.set(w, (this.#df.get(w) ?? 0) + 1);
  }

  /** The IDF weight of a normalized word. */
  get(w: string): number {
    return Math.log((this.#n + 1) / ((this.#df.get(w) ?? 0) + 1)) + 1;
  }

  /** Number of documents seen. */
  get size(): number {
    return this.#n;
  }
}
