/**
 * Incremental ROUGE-N and ROUGE-L: scorers that take the hypothesis piece by piece (e.g. one decoded token at a
 * time) and keep the score of the text pushed so far, equal — bit for bit — to rescoring that text with
 * {@link rouge}. This is what makes per-step ROUGE rewards O(T·|ref|) instead of O(T²·…).
 *
 * Why this is exact: rouge-score's tokenizer is local. Lowercasing maps each code point on its own (the only
 * context rule, final sigma, yields non-ASCII letters, which are separators anyway), and a token is a maximal
 * `[a-z0-9]` run. So the text pushed so far is: finished tokens + one open run at the end, which the next piece
 * may extend. Scores are computed with the open run as a provisional last token, and that token is only
 * committed (stemmed, counted) once a separator closes it.
 */

import { RewardsOptionError } from "./errors.js";
import type { IncrementalScorer } from "./reward.js";
import { boolOption, checkOptions, checkString, choiceOption, toStringList } from "./reward-validate.js";
import { finishRougeToken, fmeasure, isRougeTokenChar, ngramCounts, rougeTokenize } from "./rouge.js";
import { pyLower } from "./tokenizers/python.js";

/** Which of precision / recall / F1 a ROUGE reward reports (of the target with the best F1). */
export type RougeMeasure = "fmeasure" | "precision" | "recall";
const MEASURES: readonly RougeMeasure[] = ["fmeasure", "precision", "recall"];

/** Options of {@link rougeNIncremental}. */
export interface RougeNIncrementalOptions {
  /** n-gram order, 1–9. @default 2 */
  readonly n?: number;
  /** Porter-stem tokens longer than 3 characters, as `rouge(…, { useStemmer })`. @default false */
  readonly useStemmer?: boolean;
  /** The value `score` reports. @default "fmeasure" */
  readonly measure?: RougeMeasure;
}

/** Options of {@link rougeLIncremental}. */
export interface RougeLIncrementalOptions {
  /** Porter-stem tokens longer than 3 characters. @default false */
  readonly useStemmer?: boolean;
  /** The value `score` reports. @default "fmeasure" */
  readonly measure?: RougeMeasure;
}

/** Streams text into rouge-score tokens: finished tokens go to `onToken`, the open run stays in `tail`. */
class TokenStream {
  tail = "";
  readonly #useStemmer: boolean;
  readonly #onToken: (t: string) => void;

  constructor(useStemmer: boolean, onToken: (t: string) => void) {
    this.#useStemmer = useStemmer;
    this.#onToken = onToken;
  }

  push(piece: string): void {
    const s = pyLower(piece);
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      if (!isRougeTokenChar(s.charCodeAt(i))) {
        const run = this.tail + s.slice(start, i);
        this.tail = "";
        if (run.length > 0) {
          const t = finishRougeToken(run, this.#useStemmer);
          if (t !== null) this.#onToken(t);
        }
        start = i + 1;
      }
    }
    this.tail += s.slice(start);
  }

  /** The token the open run would become if the text ended here, or null. */
  provisional(): string | null {
    return this.tail.length > 0 ? finishRougeToken(this.tail, this.#useStemmer) : null;
  }
}

function pick(p: number, r: number, f: number, measure: RougeMeasure): number {
  return measure === "fmeasure" ? f : measure === "precision" ? p : r;
}

interface NgramRef {
  readonly counts: Map<string, number>;
  readonly total: number;
  overlap: number;
}

class RougeNScorer implements IncrementalScorer {
  readonly #n: number;
  readonly #measure: RougeMeasure;
  readonly #useStemmer: boolean;
  readonly #refs: NgramRef[];
  #stream!: TokenStream;
  /** Number of committed tokens, the last n−1 of them, and those joined as the prefix of the next key. */
  #count = 0;
  #recent: string[] = [];
  #prefix = "";
  #pred = new Map<string, number>();
  #predTotal = 0;
  #score = 0;

  constructor(refs: readonly string[], n: number, useStemmer: boolean, measure: RougeMeasure) {
    this.#n = n;
    this.#measure = measure;
    this.#useStemmer = useStemmer;
    this.#refs = refs.map((r) => {
      const counts = ngramCounts(rougeTokenize(r, useStemmer), n);
      let total = 0;
      for (const c of counts.values()) total += c;
      return { counts, total, overlap: 0 };
    });
    this.reset();
  }

  /** The n-gram ending in `last` (after the committed tokens), keyed like `ngramCounts`, or null if too short. */
  #key(last: string): string | null {
    if (this.#count + 1 < this.#n) return null;
    return this.#n === 1 ? last : this.#prefix + last;
  }

  #commit = (t: string): void => {
    const g = this.#key(t);
    this.#count++;
    if (this.#n > 1) {
      // the last n−1 tokens, joined with spaces plus a trailing space: the key prefix of the next n-gram
      this.#recent.push(t);
      if (this.#recent.length > this.#n - 1) this.#recent.shift();
      this.#prefix = `${this.#recent.join(" ")} `;
    }
    if (g === null) return;
    const have = this.#pred.get(g) ?? 0;
    for (const r of this.#refs) if (have < (r.counts.get(g) ?? 0)) r.overlap++;
    this.#pred.set(g, have + 1);
    this.#predTotal++;
  };

  #recompute(): number {
    const prov = this.#stream.provisional();
    const g = prov === null ? null : this.#key(prov);
    const have = g === null ? 0 : (this.#pred.get(g) ?? 0);
    const predTotal = this.#predTotal + (g === null ? 0 : 1);
    let bestF = Number.NEGATIVE_INFINITY;
    let best = 0;
    for (const r of this.#refs) {
      const overlap = r.overlap + (g !== null && have < (r.counts.get(g) ?? 0) ? 1 : 0);
      const p = overlap / Math.max(predTotal, 1);
      const rc = overlap / Math.max(r.total, 1);
      const f = fmeasure(p, rc);
      if (f > bestF) {
        bestF = f;
        best = pick(p, rc, f, this.#measure);
      }
    }
    return best;
  }

  push(piece: string): number {
    checkString(piece, "piece", "IncrementalScorer.push");
    this.#stream.push(piece);
    this.#score = this.#recompute();
    return this.#score;
  }

  reset(): void {
    this.#stream = new TokenStream(this.#useStemmer, this.#commit);
    this.#count = 0;
    this.#recent = [];
    this.#prefix = "";
    this.#pred = new Map();
    this.#predTotal = 0;
    for (const r of this.#refs) r.overlap = 0;
    this.#score = this.#recompute();
  }

  get score(): number {
    return this.#score;
  }
}

interface LcsRef {
  readonly ids: Int32Array;
  /** col[i] = LCS(ref[0..i), prediction so far) */
  col: Int32Array;
  next: Int32Array;
}

class RougeLScorer implements IncrementalScorer {
  readonly #measure: RougeMeasure;
  readonly #useStemmer: boolean;
  readonly #vocab = new Map<string, number>();
  readonly #refs: LcsRef[];
  #stream!: TokenStream;
  #len = 0;
  #score = 0;

  constructor(refs: readonly string[], useStemmer: boolean, measure: RougeMeasure) {
    this.#measure = measure;
    this.#useStemmer = useStemmer;
    this.#refs = refs.map((r) => {
      const toks = rougeTokenize(r, useStemmer);
      const ids = new Int32Array(toks.length);
      toks.forEach((t, i) => {
        let id = this.#vocab.get(t);
        if (id === undefined) {
          id = this.#vocab.size;
          this.#vocab.set(t, id);
        }
        ids[i] = id;
      });
      return { ids, col: new Int32Array(toks.length + 1), next: new Int32Array(toks.length + 1) };
    });
    this.reset();
  }

  /** Writes the column after appending token `x` to `out` (the LCS recurrence, one prediction token at a time). */
  static #advance(ref: LcsRef, x: number, out: Int32Array): void {
    const { ids, col } = ref;
    out[0] = 0;
    for (let i = 1; i <= ids.length; i++) {
      out[i] = ids[i - 1] === x ? col[i - 1]! + 1 : Math.max(col[i]!, out[i - 1]!);
    }
  }

  #commit = (t: string): void => {
    const x = this.#vocab.get(t) ?? -1;
    for (const r of this.#refs) {
      RougeLScorer.#advance(r, x, r.next);
      const c = r.col;
      r.col = r.next;
      r.next = c;
    }
    this.#len++;
  };

  #recompute(): number {
    const prov = this.#stream.provisional();
    const len = this.#len + (prov === null ? 0 : 1);
    const x = prov === null ? -1 : (this.#vocab.get(prov) ?? -1);
    let bestF = Number.NEGATIVE_INFINITY;
    let best = 0;
    for (const r of this.#refs) {
      const m = r.ids.length;
      let p = 0;
      let rc = 0;
      let f = 0;
      if (m > 0 && len > 0) {
        let lcs: number;
        if (prov === null) {
          lcs = r.col[m]!;
        } else {
          RougeLScorer.#advance(r, x, r.next);
          lcs = r.next[m]!;
        }
        p = lcs / len;
        rc = lcs / m;
        f = fmeasure(p, rc);
      }
      if (f > bestF) {
        bestF = f;
        best = pick(p, rc, f, this.#measure);
      }
    }
    return best;
  }

  push(piece: string): number {
    checkString(piece, "piece", "IncrementalScorer.push");
    this.#stream.push(piece);
    this.#score = this.#recompute();
    return this.#score;
  }

  reset(): void {
    this.#stream = new TokenStream(this.#useStemmer, this.#commit);
    this.#len = 0;
    for (const r of this.#refs) r.col.fill(0);
    this.#score = this.#recompute();
  }

  get score(): number {
    return this.#score;
  }
}

function resolveMeasure(v: unknown, fn: string): RougeMeasure {
  return choiceOption(v, "measure", fn, MEASURES, "fmeasure");
}

/**
 * An incremental ROUGE-N scorer against `refs`: after any sequence of `push(piece)` calls, `score` equals
 * `rouge(pieces.join(""), refs, { rougeTypes: [\`rouge${n}\`], useStemmer })[\`rouge${n}\`][measure]`.
 *
 * @example
 * const s = rougeNIncremental(["the cat sat on the mat"], { n: 2 });
 * s.push("the cat"); // 0.33333333333333337
 * s.push(" sat");    // 0.5714285714285715
 */
export function rougeNIncremental(
  refs: string | readonly string[],
  opts?: RougeNIncrementalOptions,
): IncrementalScorer {
  const fn = "rougeNIncremental";
  const list = toStringList(refs, "refs", fn);
  checkOptions(opts, ["n", "useStemmer", "measure"], fn);
  const n = opts?.n ?? 2;
  if (!Number.isInteger(n) || n < 1 || n > 9) {
    throw new RewardsOptionError(
      "n",
      `${fn}: option \`n\` must be an integer from 1 to 9, received ${String(n)}.`,
    );
  }
  return new RougeNScorer(
    list,
    n,
    boolOption(opts?.useStemmer, "useStemmer", fn, false),
    resolveMeasure(opts?.measure, fn),
  );
}

/**
 * An incremental ROUGE-L scorer against `refs` (one LCS column per reference, updated per finished token):
 * `score` equals `rouge(text, refs, { rougeTypes: ["rougeL"], useStemmer }).rougeL[measure]`.
 */
export function rougeLIncremental(
  refs: string | readonly string[],
  opts?: RougeLIncrementalOptions,
): IncrementalScorer {
  const fn = "rougeLIncremental";
  const list = toStringList(refs, "refs", fn);
  checkOptions(opts, ["useStemmer", "measure"], fn);
  return new RougeLScorer(
    list,
    boolOption(opts?.useStemmer, "useStemmer", fn, false),
    resolveMeasure(opts?.measure, fn),
  );
}
